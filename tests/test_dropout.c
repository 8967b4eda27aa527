/* test_dropout.c: the statistics of ovad's dropout masks, which the PyTorch fixtures cannot check
 * (PyTorch draws its masks with another generator): the fraction zeroed is close to p, survivors are
 * scaled by exactly 1/(1-p), a seed always gives the same mask and different seeds different ones,
 * the mask depends only on the logical position (not on the memory layout), the backward pass
 * applies the same mask to the gradient, and the (emulated) device gives the CPU's output bit for
 * bit. */
#include <math.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/create.h"
#include "tests/check_util.h"

#define N 1000000

static ovTensor *ones(int64_t n) { return ov_ones(1, &n, OV_F32); }

static int64_t count_zeros(const ovTensor *y) {
    const float *p = ov_f32(y);
    int64_t z = 0;
    for (int64_t i = 0; i < ov_numel(y); i++) z += p[i] == 0.0f;
    return z;
}

START_TEST(test_fraction_zeroed_is_p) {
    ov_scope_begin();
    static const double ps[] = {0.1, 0.5, 0.9};
    for (int i = 0; i < 3; i++) {
        ovTensor *y = ov_dropout(ones(N), ps[i], true, 42 + (uint64_t)i);
        double frac = (double)count_zeros(y) / N;
        /* 10 standard deviations of a binomial fraction at n = 1e6 is below 0.005 */
        ck_assert_msg(fabs(frac - ps[i]) < 0.005, "p = %g: fraction zeroed %g", ps[i], frac);
    }
    ov_scope_end();
}
END_TEST

START_TEST(test_survivors_scaled) {
    ov_scope_begin();
    double p = 0.3;
    ovTensor *y = ov_dropout(ones(N), p, true, 5);
    const float *v = ov_f32(y);
    float scale = (float)(1.0 / (1.0 - p));
    for (int64_t i = 0; i < N; i++) ck_assert_msg(v[i] == 0.0f || v[i] == scale, "element %lld is %g", (long long)i, v[i]);
    ov_scope_end();
}
END_TEST

START_TEST(test_seed_determines_mask) {
    ov_scope_begin();
    ovTensor *x = ones(10000);
    ovTensor *a = ov_dropout(x, 0.5, true, 9), *b = ov_dropout(x, 0.5, true, 9), *c = ov_dropout(x, 0.5, true, 10);
    int64_t same = 0, n = ov_numel(x);
    for (int64_t i = 0; i < n; i++) {
        ck_assert_msg(ov_f32(a)[i] == ov_f32(b)[i], "same seed, different masks at %lld", (long long)i);
        same += ov_f32(a)[i] == ov_f32(c)[i];
    }
    /* two independent masks agree on about half the elements */
    ck_assert_msg(same < n * 6 / 10, "seeds 9 and 10 agree on %lld of %lld elements", (long long)same, (long long)n);
    ov_scope_end();
}
END_TEST

START_TEST(test_mask_follows_logical_index) {
    ov_scope_begin();
    ovGenerator g = ov_generator(3);
    ovTensor *base = ov_randn(OV_SHAPE(37, 21), 0, 1, &g);
    ovTensor *t = ov_transpose(base, 0, 1); /* a strided view */
    ovTensor *a = ov_dropout(t, 0.4, true, 77), *b = ov_dropout(ov_contiguous_copy(t), 0.4, true, 77);
    for (int64_t i = 0; i < ov_numel(a); i++) ck_assert(ov_get_flat(a, i) == ov_get_flat(b, i));
    ov_scope_end();
}
END_TEST

START_TEST(test_backward_uses_same_mask) {
    ov_scope_begin();
    ovGenerator g = ov_generator(4);
    ovTensor *x = ov_requires_grad(ov_rand(OV_SHAPE(301, 7), 1, 2, &g), true);
    double p = 0.25;
    ovTensor *y = ov_dropout(x, p, true, 123);
    ov_backward(ov_sum(y, 0, NULL, false));
    float scale = (float)(1.0 / (1.0 - p));
    for (int64_t i = 0; i < ov_numel(x); i++) {
        float yi = (float)ov_get_flat(y, i), gi = (float)ov_get_flat(x->grad, i);
        ck_assert_msg(gi == (yi != 0.0f ? scale : 0.0f), "element %lld: y %g, grad %g", (long long)i, yi, gi);
    }
    ov_scope_end();
}
END_TEST

START_TEST(test_identity_and_extremes) {
    ov_scope_begin();
    ovGenerator g = ov_generator(5);
    ovTensor *x = ov_randn(OV_SHAPE(50, 3), 0, 1, &g);
    ovTensor *e = ov_dropout(x, 0.5, false, 1), *z = ov_dropout(x, 0.0, true, 1), *all = ov_dropout(x, 1.0, true, 1);
    for (int64_t i = 0; i < ov_numel(x); i++) {
        ck_assert(ov_get_flat(e, i) == ov_get_flat(x, i));
        ck_assert(ov_get_flat(z, i) == ov_get_flat(x, i));
        ck_assert(ov_get_flat(all, i) == 0.0);
    }
    ov_scope_end();
}
END_TEST

/* Bitwise equality of two tensors' elements (copied to contiguous CPU memory). */
static bool same_bits(ovTensor *a, ovTensor *b) {
    a = ov_contiguous(ov_to_device(a, OV_DEV_CPU));
    b = ov_contiguous(ov_to_device(b, OV_DEV_CPU));
    return ov_same_shape(a, b) && memcmp(ov_f32(a), ov_f32(b), ov_nbytes(a)) == 0;
}

/* x, its transpose and every other column: the same views on either device. */
static ovTensor *view_of(ovTensor *x, int v) {
    return v == 0 ? x : v == 1 ? ov_transpose(x, 0, 1) : ov_slice(x, 1, 1, x->shape[1], 2);
}

START_TEST(test_device_matches_cpu_bitwise) {
    ov_scope_begin();
    ovGenerator g = ov_generator(6);
    static const int64_t shapes[][2] = {{301, 7}, {37, 21}, {1, 5}, {500, 33}};
    static const double ps[] = {0.0, 0.1, 0.5, 0.9, 1.0};
    for (int s = 0; s < 4; s++) {
        ovTensor *x = ov_randn(2, shapes[s], 0, 1, &g), *xd = ov_to_device(x, OV_DEV_CUDA);
        for (int v = 0; v < 3; v++)
            for (int i = 0; i < 5; i++) {
                uint64_t seed = 100 + (uint64_t)(s * 15 + v * 5 + i);
                ovTensor *yc = ov_dropout(view_of(x, v), ps[i], true, seed);
                ovTensor *yd = ov_dropout(view_of(xd, v), ps[i], true, seed);
                ck_assert_int_eq(ov_device(yd), OV_DEV_CUDA);
                ck_assert_msg(same_bits(yc, yd), "shape %d view %d p %g: device and CPU outputs differ", s, v, ps[i]);
            }
    }
    /* the backward pass regenerates the same mask on the device */
    ovTensor *x = ov_rand(OV_SHAPE(301, 7), 1, 2, &g), *xd = ov_to_device(x, OV_DEV_CUDA);
    ov_requires_grad(x, true);
    ov_requires_grad(xd, true);
    ov_backward(ov_sum(ov_mul(ov_dropout(x, 0.25, true, 321), x), 0, NULL, false));
    ov_backward(ov_sum(ov_mul(ov_dropout(xd, 0.25, true, 321), xd), 0, NULL, false));
    ck_assert_msg(same_bits(x->grad, xd->grad), "device and CPU gradients differ");
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("dropout");
    TCase *tc = tcase_create("mask");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_fraction_zeroed_is_p);
    tcase_add_test(tc, test_survivors_scaled);
    tcase_add_test(tc, test_seed_determines_mask);
    tcase_add_test(tc, test_mask_follows_logical_index);
    tcase_add_test(tc, test_backward_uses_same_mask);
    tcase_add_test(tc, test_identity_and_extremes);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "dropout", "device");
    tcase_add_test(tc, test_device_matches_cpu_bitwise);
    return ov_run_suite(s) ? 1 : 0;
}
