/* test_device.c: the CUDA device as tensors see it, on the emulated backend: a clear refusal when
 * no device is usable, tensors moved to and from the device (any dtype, views, broadcasting),
 * fills and zeros on the device, the caching allocator's reuse and counters, and gradients that
 * flow back across a device copy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cuda/blas.h"
#include "kernels/cuda/device.h"
#include "kernels/half.h"
#include "kernels/philox.h"
#include "tensor/alloc.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"

START_TEST(test_no_device_is_a_clear_error) {
    ov_cuda_emulate(false);
    bool real = strcmp(ov_cuda_backend_name(), "cuda") == 0;
    if (real && ov_cuda_device_count() > 0) return; /* a GPU is here: nothing to refuse */
    ck_assert_int_eq(ov_cuda_device_count(), 0);
    /* the real backend names cudaGetDeviceCount's code (35: no driver, 100: no device); the
     * emulated one says how to turn the emulator on */
    ck_assert_msg(strstr(ov_cuda_unavailable_reason(), real ? "cudaGetDeviceCount returned" : "OVAD_CUDA_EMULATE"), "%s",
                  ov_cuda_unavailable_reason());
    ov_scope_begin();
    ovTensor *x = ov_ones(OV_SHAPE(3), OV_F32);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_to_device(x, OV_DEV_CUDA);
        ov_trap_pop(&trap);
        ck_abort_msg("a CUDA tensor was made without a device");
    }
    ck_assert_msg(strstr(ov_last_error(), "CUDA device requested, but none is usable"), "%s", ov_last_error());
    ck_assert_int_eq(ov_default_device(), OV_DEV_CPU); /* the trap restored the default device */
    ov_scope_end();
}
END_TEST

START_TEST(test_roundtrip_views_and_dtypes) {
    ov_scope_begin();
    ovGenerator g = ov_generator(4);
    ovTensor *x = ov_randn(OV_SHAPE(5, 7), 0, 1, &g);
    ovTensor *xt = ov_transpose(x, 0, 1); /* a view: arrives contiguous */
    ovTensor *d = ov_to_device(xt, OV_DEV_CUDA);
    ck_assert_int_eq(ov_device(d), OV_DEV_CUDA);
    ck_assert(ov_is_contiguous(d));
    ovTensor *back = ov_to_device(d, OV_DEV_CPU);
    ck_assert(ov_rel_diff(back, ov_contiguous(xt), NULL) == 0);
    /* a device view copied back keeps its elements */
    ovTensor *dv = ov_slice(d, 1, 1, 5, 2);
    ck_assert(ov_rel_diff(ov_to_device(dv, OV_DEV_CPU), ov_contiguous(ov_slice(xt, 1, 1, 5, 2)), NULL) == 0);
    /* conversions and broadcasting through copy_ across devices */
    ovTensor *dst = ov_empty_on(OV_DEV_CUDA, OV_SHAPE(4, 5, 7), OV_BF16);
    ov_copy_(dst, x);
    ovTensor *want = ov_to(ov_expand(x, OV_SHAPE(4, 5, 7)), OV_BF16);
    ck_assert(ov_rel_diff(ov_to_device(dst, OV_DEV_CPU), ov_contiguous(want), NULL) == 0);
    ovTensor *i = ov_randint(OV_SHAPE(9), -4, 4, &g);
    ck_assert(ov_rel_diff(ov_to_device(ov_to_device(i, OV_DEV_CUDA), OV_DEV_CPU), i, NULL) == 0);
    /* zeros, fill and host access refusal */
    ov_set_default_device(OV_DEV_CUDA);
    ovTensor *z = ov_zeros(OV_SHAPE(3, 3), OV_F32);
    ovTensor *f = ov_full(OV_SHAPE(2), 1.5, OV_F32);
    ov_set_default_device(OV_DEV_CPU);
    ck_assert_int_eq(ov_device(z), OV_DEV_CUDA);
    ck_assert_double_eq(ov_get_flat(ov_to_device(z, OV_DEV_CPU), 8), 0);
    ck_assert_double_eq(ov_get_flat(ov_to_device(f, OV_DEV_CPU), 1), 1.5);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_get_flat(f, 0);
        ov_trap_pop(&trap);
        ck_abort_msg("host read of a device tensor");
    }
    ck_assert_msg(strstr(ov_last_error(), "is on cuda"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

START_TEST(test_caching_allocator) {
    ov_cuda_empty_cache();
    ovCudaMemStats s0 = ov_cuda_mem_stats();
    for (int step = 0; step < 5; step++) {
        ov_scope_begin();
        ov_set_default_device(OV_DEV_CUDA);
        ov_zeros(OV_SHAPE(1000), OV_F32);
        ov_zeros(OV_SHAPE(3000000), OV_F32);
        ov_set_default_device(OV_DEV_CPU);
        ovAllocStats a = ov_alloc_stats();
        ck_assert_int_eq(a.device_buffers, 2);
        ov_scope_end();
    }
    ovCudaMemStats s1 = ov_cuda_mem_stats();
    ck_assert_int_eq(s1.cudamalloc_calls - s0.cudamalloc_calls, 2); /* the later steps reuse the blocks */
    ck_assert_int_eq(s1.in_use_bytes, 0);
    ck_assert(s1.cached_bytes >= 12000000);
    ck_assert(s1.peak_bytes >= 12004000);
    ck_assert_int_eq(ov_alloc_stats().device_buffers, 0);
    ov_cuda_empty_cache();
    ck_assert_int_eq(ov_cuda_mem_stats().cached_bytes, 0);
}
END_TEST

START_TEST(test_gradient_across_devices) {
    ov_scope_begin();
    float v[] = {1, 2, 3};
    ovTensor *x = ov_requires_grad(ov_from_data(v, OV_SHAPE(3), OV_F32), true);
    ovTensor *y = ov_to_device(ov_to_device(x, OV_DEV_CUDA), OV_DEV_CPU);
    ovTensor *l = ov_sum(ov_mul(y, y), 0, NULL, false);
    ov_backward(l);
    for (int i = 0; i < 3; i++) ck_assert_double_eq(ov_get_flat(x->grad, i), 2 * v[i]);
    ov_scope_end();
}
END_TEST

/* Device GEMMs (cuBLAS, emulated here) against the CPU reference: every transpose pair, odd sizes,
 * leading dimensions above the minimum, a batch with a shared operand, and bf16 inputs. */
static void fill_random(float *p, int64_t n, uint64_t seed) {
    for (int64_t i = 0; i < n; i++) p[i] = ov_philox_normal_at(seed, 0, (uint64_t)i);
}

START_TEST(test_device_gemm_matches_reference) {
    const int64_t M = 7, N = 13, K = 9, lda_pad = 3, batch = 3;
    for (int t = 0; t < 4; t++) {
        bool ta = t & 1, tb = t >> 1;
        int64_t lda = (ta ? M : K) + lda_pad, ldb = (tb ? K : N) + 1, ldc = N + 2;
        int64_t sa = (ta ? K : M) * lda, sb = 0 /* B shared by the batch */, sc = M * ldc;
        int64_t na = sa * batch, nb = (tb ? N : K) * ldb, nc = sc * batch;
        float *ha = malloc(sizeof(float) * (size_t)na), *hb = malloc(sizeof(float) * (size_t)nb);
        float *want = malloc(sizeof(float) * (size_t)nc), *got = malloc(sizeof(float) * (size_t)nc);
        fill_random(ha, na, 1), fill_random(hb, nb, 2), fill_random(want, nc, 3);
        memcpy(got, want, sizeof(float) * (size_t)nc);
        for (int64_t b = 0; b < batch; b++)
            ov_sgemm_ref(ta, tb, M, N, K, 0.5f, ha + b * sa, lda, hb, ldb, 2.0f, want + b * sc, ldc);
        float *da = ov_cuda_alloc(sizeof(float) * (size_t)na), *db = ov_cuda_alloc(sizeof(float) * (size_t)nb);
        float *dc = ov_cuda_alloc(sizeof(float) * (size_t)nc);
        ov_cuda_copy(da, ha, sizeof(float) * (size_t)na, OV_COPY_H2D);
        ov_cuda_copy(db, hb, sizeof(float) * (size_t)nb, OV_COPY_H2D);
        ov_cuda_copy(dc, got, sizeof(float) * (size_t)nc, OV_COPY_H2D);
        ov_sgemm_batched_cuda(ta, tb, M, N, K, 0.5f, da, lda, sa, db, ldb, sb, 2.0f, dc, ldc, sc, batch);
        ov_cuda_copy(got, dc, sizeof(float) * (size_t)nc, OV_COPY_D2H);
        for (int64_t i = 0; i < nc; i++) ck_assert_msg(fabsf(got[i] - want[i]) <= 1e-4f * (1 + fabsf(want[i])),
                                                        "ta=%d tb=%d element %lld: %g vs %g", ta, tb, (long long)i, got[i], want[i]);
        /* bf16 operands, f32 accumulation: equals the f32 product of the rounded inputs */
        uint16_t *ha16 = malloc(2 * (size_t)na), *hb16 = malloc(2 * (size_t)nb);
        for (int64_t i = 0; i < na; i++) ha[i] = ov_bf16_to_f32(ha16[i] = ov_f32_to_bf16(ha[i]));
        for (int64_t i = 0; i < nb; i++) hb[i] = ov_bf16_to_f32(hb16[i] = ov_f32_to_bf16(hb[i]));
        for (int64_t b = 0; b < batch; b++)
            ov_sgemm_ref(ta, tb, M, N, K, 1.0f, ha + b * sa, lda, hb, ldb, 0.0f, want + b * sc, ldc);
        ov_cuda_copy(da, ha16, 2 * (size_t)na, OV_COPY_H2D);
        ov_cuda_copy(db, hb16, 2 * (size_t)nb, OV_COPY_H2D);
        ov_gemm_batched_ex_cuda(ta, tb, M, N, K, 1.0f, da, OV_BF16, lda, sa, db, OV_BF16, ldb, sb, 0.0f, dc, OV_F32,
                                ldc, sc, batch);
        ov_cuda_copy(got, dc, sizeof(float) * (size_t)nc, OV_COPY_D2H);
        for (int64_t b = 0; b < batch; b++)
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++) {
                    int64_t at = b * sc + i * ldc + j;
                    ck_assert_msg(fabsf(got[at] - want[at]) <= 1e-4f * (1 + fabsf(want[at])), "bf16 ta=%d tb=%d", ta, tb);
                }
        ov_cuda_free(da, sizeof(float) * (size_t)na), ov_cuda_free(db, sizeof(float) * (size_t)nb);
        ov_cuda_free(dc, sizeof(float) * (size_t)nc);
        free(ha), free(hb), free(want), free(got), free(ha16), free(hb16);
    }
}
END_TEST

/* Seeded draws on the device equal the CPU's: the same Philox element for the same (seed, offset). */
START_TEST(test_device_random_matches_cpu) {
    ov_scope_begin();
    ovGenerator gc = ov_generator(11), gd = ov_generator(11);
    ovTensor *uc = ov_rand(OV_SHAPE(3, 333), -2, 5, &gc), *nc = ov_randn(OV_SHAPE(1001), 1, 3, &gc);
    ovTensor *ic = ov_randint(OV_SHAPE(77), -5, 1000, &gc), *bc = ov_bernoulli(OV_SHAPE(500), 0.3, &gc);
    ov_set_default_device(OV_DEV_CUDA);
    ovTensor *ud = ov_rand(OV_SHAPE(3, 333), -2, 5, &gd), *nd = ov_randn(OV_SHAPE(1001), 1, 3, &gd);
    ovTensor *id = ov_randint(OV_SHAPE(77), -5, 1000, &gd), *bd = ov_bernoulli(OV_SHAPE(500), 0.3, &gd);
    ov_set_default_device(OV_DEV_CPU);
    ck_assert_int_eq(ov_device(ud), OV_DEV_CUDA);
    ck_assert_uint_eq(gc.offset, gd.offset);
    ck_assert(ov_rel_diff(ov_to_device(ud, OV_DEV_CPU), uc, NULL) == 0);
    ck_assert(ov_rel_diff(ov_to_device(id, OV_DEV_CPU), ic, NULL) == 0);
    ck_assert(ov_rel_diff(ov_to_device(bd, OV_DEV_CPU), bc, NULL) == 0);
    /* normals use transcendental functions, whose last bit may differ on a GPU */
    ck_assert(ov_rel_diff(ov_to_device(nd, OV_DEV_CPU), nc, NULL) < 1e-6);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("device");
    TCase *tc = tcase_create("absent");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_no_device_is_a_clear_error);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "device", "emulated");
    tcase_add_test(tc, test_roundtrip_views_and_dtypes);
    tcase_add_test(tc, test_caching_allocator);
    tcase_add_test(tc, test_gradient_across_devices);
    tcase_add_test(tc, test_device_gemm_matches_reference);
    tcase_add_test(tc, test_device_random_matches_cpu);
    return ov_run_suite(s) ? 1 : 0;
}
