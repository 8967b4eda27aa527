/* test_optim_kernels.c: the fused SGD and AdamW updates: the fast CPU kernel and the CUDA kernel
 * (emulated here) follow the reference over several steps, for every SGD variant (momentum,
 * dampening, Nesterov, weight decay) and AdamW with and without decay; and one AdamW step checked
 * against the formula written out by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/optim.h"
#include "kernels/cuda/device.h"
#include "kernels/cuda/optim.h"
#include "kernels/philox.h"
#include "tests/check_util.h"

#define N 40000 /* above one OpenMP chunk */

static bool have_device;

static float *randv(uint64_t seed, float scale, bool positive) {
    float *p = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) {
        float z = ov_philox_normal_at(seed, 0, (uint64_t)i) * scale;
        p[i] = positive ? fabsf(z) : z;
    }
    return p;
}

static float *dup(const float *a) {
    float *b = malloc(sizeof(float) * N);
    memcpy(b, a, sizeof(float) * N);
    return b;
}

static float *to_dev(const float *h) {
    if (!have_device) return NULL;
    float *d = ov_cuda_alloc(sizeof(float) * N);
    ov_cuda_copy(d, h, sizeof(float) * N, OV_COPY_H2D);
    return d;
}

/* Max difference in units of the reference's float spacing. */
static double ulps(const float *a, const float *ref) {
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double d = fabs((double)a[i] - ref[i]) / fmax(nextafterf(fabsf(ref[i]), INFINITY) - fabsf(ref[i]), 1e-30);
        if (d > worst) worst = d;
    }
    return worst;
}

static const ovSgdHyper sgd_cases[] = {
    {0.1f, 0.0f, 0.0f, 0.0f, false, false}, {0.05f, 0.9f, 0.0f, 0.0f, false, false},
    {0.05f, 0.9f, 0.1f, 1e-4f, false, false}, {0.05f, 0.9f, 0.0f, 1e-2f, true, false},
};

START_TEST(test_sgd_fast_and_cuda_follow_reference) {
    ovSgdHyper h = sgd_cases[_i];
    float *p = randv(1, 1, false), *buf = randv(2, 1, false);
    float *pf = dup(p), *bf = dup(buf), *pd = to_dev(p), *bd = to_dev(buf);
    for (int step = 0; step < 4; step++) {
        h.first = step == 0;
        float *g = randv(10 + (uint64_t)step, 1, false), *gd = to_dev(g);
        ov_ksgd_ref(&h, p, g, buf, N);
        ov_ksgd_fast(&h, pf, g, bf, N);
        if (have_device) ov_ksgd_cuda(&h, pd, gd, bd, N);
        ov_cuda_free(gd, sizeof(float) * N);
        free(g);
    }
    ck_assert_msg(ulps(pf, p) == 0, "fast SGD differs from the reference by %g ulp", ulps(pf, p));
    if (have_device) {
        float *back = malloc(sizeof(float) * N);
        ov_cuda_copy(back, pd, sizeof(float) * N, OV_COPY_D2H);
        ck_assert_msg(ulps(back, p) <= 4, "CUDA SGD differs from the reference by %g ulp", ulps(back, p));
        free(back);
    }
    free(p), free(buf), free(pf), free(bf);
    ov_cuda_free(pd, sizeof(float) * N), ov_cuda_free(bd, sizeof(float) * N);
}
END_TEST

START_TEST(test_adamw_fast_and_cuda_follow_reference) {
    float wd = _i ? 0.01f : 0.0f;
    float *p = randv(3, 1, false), *m = calloc(N, sizeof(float)), *v = calloc(N, sizeof(float));
    float *pf = dup(p), *mf = dup(m), *vf = dup(v), *pd = to_dev(p), *md = to_dev(m), *vd = to_dev(v);
    for (int step = 1; step <= 4; step++) {
        ovAdamwHyper h = {1e-3f, 0.9f, 0.999f, 1e-8f, wd, (float)(1 - pow(0.9, step)), (float)sqrt(1 - pow(0.999, step))};
        float *g = randv(20 + (uint64_t)step, 1, false), *gd = to_dev(g);
        ov_kadamw_ref(&h, p, g, m, v, N);
        ov_kadamw_fast(&h, pf, g, mf, vf, N);
        if (have_device) ov_kadamw_cuda(&h, pd, gd, md, vd, N);
        ov_cuda_free(gd, sizeof(float) * N);
        free(g);
    }
    ck_assert_msg(ulps(pf, p) == 0, "fast AdamW differs from the reference by %g ulp", ulps(pf, p));
    if (have_device) {
        float *back = malloc(sizeof(float) * N);
        ov_cuda_copy(back, pd, sizeof(float) * N, OV_COPY_D2H);
        ck_assert_msg(ulps(back, p) <= 4, "CUDA AdamW differs from the reference by %g ulp", ulps(back, p));
        free(back);
    }
    free(p), free(m), free(v), free(pf), free(mf), free(vf);
    ov_cuda_free(pd, sizeof(float) * N), ov_cuda_free(md, sizeof(float) * N), ov_cuda_free(vd, sizeof(float) * N);
}
END_TEST

/* The first AdamW step moves each parameter by about lr * sign(g) (m/sqrt(v) = g/|g| after bias
 * correction), after the decoupled decay. */
START_TEST(test_adamw_first_step_by_hand) {
    float p[3] = {1.0f, -2.0f, 0.5f}, g[3] = {0.3f, -0.01f, 5.0f}, m[3] = {0}, v[3] = {0};
    ovAdamwHyper h = {0.1f, 0.9f, 0.999f, 1e-8f, 0.5f, 1 - 0.9f, sqrtf(1 - 0.999f)};
    ov_kadamw_ref(&h, p, g, m, v, 3);
    float want[3] = {1.0f * 0.95f - 0.1f, -2.0f * 0.95f + 0.1f, 0.5f * 0.95f - 0.1f};
    for (int i = 0; i < 3; i++) ck_assert_msg(fabsf(p[i] - want[i]) < 1e-5f, "p[%d] = %g, want %g", i, p[i], want[i]);
}
END_TEST

int main(void) {
    have_device = ov_test_have_device("optim_kernels");
    Suite *s = suite_create("optim_kernels");
    TCase *tc = tcase_create("updates");
    ov_tcase_leak_check(tc);
    tcase_add_loop_test(tc, test_sgd_fast_and_cuda_follow_reference, 0, 4);
    tcase_add_loop_test(tc, test_adamw_fast_and_cuda_follow_reference, 0, 2);
    tcase_add_test(tc, test_adamw_first_step_by_hand);
    suite_add_tcase(s, tc);
    int failed = ov_run_suite(s);
    ov_cuda_empty_cache();
    return failed ? 1 : 0;
}
