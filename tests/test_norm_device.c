/* test_norm_device.c: what test_ops cannot check of the device's row kernels (softmax, layer norm,
 * attention; kernels/cuda/norm.cu, layernorm.cu, attention.cu) on the emulated device: rows with
 * nothing allowed give NaN exactly where the CPU gives NaN (for a thread, a warp and a block per
 * row, and for sdpa's causal rule with f32 and bool masks), and gradients that the device reduces
 * over many rows (layer norm's weight and bias) come out bit for bit the same on every run, as the
 * emulator reshuffles its threads at every launch. */
#include <math.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/create.h"
#include "tests/check_util.h"

static ovTensor *cpu(ovTensor *t) { return ov_contiguous(ov_to_device(t, OV_DEV_CPU)); }
static ovTensor *dev(ovTensor *t) { return ov_to_device(t, OV_DEV_CUDA); }

/* a and b agree (NaN where the other has NaN) and element i of a is NaN exactly when nan_at(i). */
static void expect_same_nans(const char *what, ovTensor *a, ovTensor *b, bool (*nan_at)(const ovTensor *, int64_t)) {
    a = cpu(a);
    b = cpu(b);
    double d = ov_rel_diff(a, b, NULL);
    ck_assert_msg(d >= 0 && d < 1e-5, "%s: device and CPU differ (%g)", what, d);
    for (int64_t i = 0; i < ov_numel(a); i++)
        ck_assert_msg(isnan(ov_get_flat(a, i)) == nan_at(a, i), "%s: element %lld is %g", what, (long long)i,
                      ov_get_flat(a, i));
}

/* Rows of the softmax tests: [rows, n] normalised along dim 1, except the solo case, [n, rows]
 * normalised along dim 0 (neighbouring rows, one thread each on the device). Row 1 is masked. */
static int g_dim;
static bool row1(const ovTensor *t, int64_t i) {
    return g_dim == 1 ? i / t->shape[1] == 1 : i % t->shape[1] == 1;
}

START_TEST(test_fully_masked_softmax_rows_are_nan) {
    ov_scope_begin();
    ovGenerator g = ov_generator(11);
    static const int64_t shapes[][2] = {{4, 40}, {3, 1500}, {40, 64}}; /* warp, block, solo */
    for (int s = 0; s < 3; s++) {
        g_dim = s == 2 ? 0 : 1;
        ovTensor *x = ov_randn(2, shapes[s], 0, 1, &g), *m = ov_randn(2, shapes[s], 0, 1, &g);
        for (int64_t i = 0; i < ov_numel(m); i++)
            if (row1(m, i)) ov_set_flat(m, i, -INFINITY);
        for (int lg = 0; lg < 2; lg++) {
            ovTensor *(*f)(ovTensor *, int, ovTensor *) = lg ? ov_log_softmax : ov_softmax;
            expect_same_nans(lg ? "log_softmax" : "softmax", f(dev(x), g_dim, dev(m)), f(x, g_dim, m), row1);
        }
    }
    ov_scope_end();
}
END_TEST

/* sdpa weights [2, L=4, S]: query 2 may attend to nothing (its mask row is all false / -inf), and
 * with the causal rule query 0 neither (its only key, 0, is masked). */
static int64_t g_S;
static bool masked_query(const ovTensor *t, int64_t i) {
    (void)t;
    int64_t q = i / g_S % 4;
    return q == 2 || q == 0;
}

START_TEST(test_fully_masked_attention_rows_are_nan) {
    ov_scope_begin();
    ovGenerator g = ov_generator(12);
    static const int64_t S[] = {9, 1100};
    for (int s = 0; s < 2; s++) {
        g_S = S[s];
        ovTensor *q = ov_randn(OV_SHAPE(2, 4, 5), 0, 1, &g), *k = ov_randn(OV_SHAPE(2, S[s], 5), 0, 1, &g);
        ovTensor *v = ov_randn(OV_SHAPE(2, S[s], 3), 0, 1, &g);
        ovTensor *mf = ov_randn(OV_SHAPE(4, S[s]), 0, 1, &g), *mb = ov_ones(OV_SHAPE(4, S[s]), OV_BOOL);
        for (int64_t j = 0; j < S[s]; j++) {
            ov_set_flat(mf, 2 * S[s] + j, -INFINITY);
            ov_set_flat(mb, 2 * S[s] + j, 0);
        }
        ov_set_flat(mf, 0, -INFINITY); /* query 0, key 0 */
        ov_set_flat(mb, 0, 0);
        for (int b = 0; b < 2; b++) {
            ovTensor *m = b ? mb : mf, *wc, *wd;
            ovTensor *oc = ov_sdpa(q, k, v, m, true, 0, &wc);
            ovTensor *od = ov_sdpa(dev(q), dev(k), dev(v), dev(m), true, 0, &wd);
            expect_same_nans(b ? "sdpa weights, bool mask" : "sdpa weights, f32 mask", wd, wc, masked_query);
            g_S = 3; /* out is [2, 4, Ev = 3] */
            expect_same_nans(b ? "sdpa out, bool mask" : "sdpa out, f32 mask", od, oc, masked_query);
            g_S = S[s];
        }
    }
    ov_scope_end();
}
END_TEST

/* Gradients of x, weight and bias through layer norm on the device, as host tensors. */
static void ln_grads(ovTensor *x, ovTensor *w, ovTensor *b, bool channel, ovTensor **out) {
    ovTensor *xs[] = {dev(x), dev(w), dev(b)};
    for (int i = 0; i < 3; i++) ov_requires_grad(xs[i], true);
    ovTensor *y = channel ? ov_channel_layer_norm(xs[0], xs[1], xs[2], 1e-6)
                          : ov_layer_norm(xs[0], 1, xs[1], xs[2], 1e-5);
    ovGenerator g = ov_generator(99);
    ovTensor *seed = dev(ov_randn(y->ndim, y->shape, 0, 1, &g));
    ov_backward_with(1, &y, &seed);
    for (int i = 0; i < 3; i++) out[i] = cpu(xs[i]->grad);
}

START_TEST(test_layer_norm_gradients_are_reproducible) {
    ov_scope_begin();
    ovGenerator g = ov_generator(13);
    /* last dim (tiles along columns), channels-first (tiles along rows, many chunks of rows) */
    ovTensor *xs[] = {ov_randn(OV_SHAPE(70, 300), 0, 1, &g), ov_randn(OV_SHAPE(3, 40, 9, 31), 0, 1, &g)};
    for (int c = 0; c < 2; c++) {
        int64_t n = c ? 40 : 300;
        ovTensor *w = ov_rand(1, &n, 0.5, 1.5, &g), *b = ov_randn(1, &n, 0, 1, &g), *r1[3], *r2[3];
        ln_grads(xs[c], w, b, c, r1);
        ln_grads(xs[c], w, b, c, r2);
        for (int i = 0; i < 3; i++)
            ck_assert_msg(memcmp(ov_f32(r1[i]), ov_f32(r2[i]), ov_nbytes(r1[i])) == 0,
                          "layout %d: gradient %d differs between two runs", c, i);
    }
    ov_scope_end();
}
END_TEST

int main(void) {
    if (!ov_test_have_device("norm_device")) return 0;
    Suite *s = suite_create("norm_device");
    TCase *tc = tcase_create("emulated");
    ov_tcase_emulated_device(tc);
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_fully_masked_softmax_rows_are_nan);
    tcase_add_test(tc, test_fully_masked_attention_rows_are_nan);
    tcase_add_test(tc, test_layer_norm_gradients_are_reproducible);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
