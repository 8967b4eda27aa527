/* test_tensor.c: tensors, storages, views, dtypes and their conversions, creation, the Philox
 * generator, scopes and allocation counters, panics and traps. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "kernels/half.h"
#include "kernels/philox.h"
#include "tensor/alloc.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"

START_TEST(test_dtype_table) {
    ck_assert_int_eq(ov_dtype_size(OV_F32), 4);
    ck_assert_int_eq(ov_dtype_size(OV_BF16), 2);
    ck_assert_int_eq(ov_dtype_size(OV_F16), 2);
    ck_assert_int_eq(ov_dtype_size(OV_I32), 4);
    ck_assert_int_eq(ov_dtype_size(OV_I64), 8);
    ck_assert_int_eq(ov_dtype_size(OV_U8), 1);
    ck_assert_int_eq(ov_dtype_size(OV_BOOL), 1);
    for (int t = 0; t < OV_DTYPE_COUNT; t++) {
        ovDType back;
        ck_assert_int_eq(ov_dtype_from_safetensors(ov_dtype_safetensors((ovDType)t), &back), 0);
        ck_assert_int_eq(back, t);
    }
    ovDType x;
    ck_assert_int_eq(ov_dtype_from_safetensors("F64", &x), -1);
}
END_TEST

/* Every bf16 and f16 bit pattern converts to f32 and back to itself (NaNs stay NaN). */
START_TEST(test_half_roundtrip_exhaustive) {
    for (uint32_t h = 0; h < 65536; h++) {
        float b = ov_bf16_to_f32((uint16_t)h), f = ov_f16_to_f32((uint16_t)h);
        if (isnan(b))
            ck_assert(isnan(ov_bf16_to_f32(ov_f32_to_bf16(b))));
        else
            ck_assert_uint_eq(ov_f32_to_bf16(b), h);
        if (isnan(f))
            ck_assert(isnan(ov_f16_to_f32(ov_f32_to_f16(f))));
        else
            ck_assert_uint_eq(ov_f32_to_f16(f), h);
    }
}
END_TEST

/* f32 -> f16 rounds to the nearest representable value, ties to even, checked against an
 * independent rule: pick the nearer of the two f16 neighbours computed in double. */
START_TEST(test_f16_rounding) {
    for (int i = 0; i < 200000; i++) {
        ovPhilox4 r = ov_philox4x32((uint64_t)i, 99);
        /* random f32 in the f16 range, including subnormals */
        float v = ov_bits_f32((r.v[0] & 0x807fffffu) | ((102u + r.v[1] % 41u) << 23));
        uint16_t h = ov_f32_to_f16(v);
        double got = ov_f16_to_f32(h);
        /* neighbours in magnitude order */
        double dn = ov_f16_to_f32((uint16_t)(h & 0x7fff ? h - 1 : h));
        double up = ov_f16_to_f32((uint16_t)(h + 1));
        double err = fabs((double)v - got);
        if ((h & 0x7c00) != 0x7c00) {
            ck_assert_msg(err <= fabs((double)v - dn) + 1e-30 && err <= fabs((double)v - up) + 1e-30,
                          "f16 rounding of %.10g gave %.10g", v, got);
            if (err == fabs((double)v - dn) && dn != got) ck_assert_msg((h & 1) == 0, "tie not to even for %.10g", v);
        }
    }
    ck_assert_uint_eq(ov_f32_to_f16(65520.0f), 0x7c00); /* rounds to inf */
    ck_assert_uint_eq(ov_f32_to_f16(65519.0f), 0x7bff);
    ck_assert_uint_eq(ov_f32_to_bf16(1.0f + 1.0f / 256), 0x3f80); /* tie to even: stays 1.0 */
    ck_assert_uint_eq(ov_f32_to_bf16(1.0f + 3.0f / 256), 0x3f82);
}
END_TEST

/* Known-answer vectors of Philox4x32-10 (Random123's kat_vectors). */
START_TEST(test_philox_known_answers) {
    ovPhilox4 r = ov_philox4x32(0, 0);
    ck_assert_uint_eq(r.v[0], 0x6627e8d5u);
    ck_assert_uint_eq(r.v[1], 0xe169c58du);
    ck_assert_uint_eq(r.v[2], 0xbc57ac4cu);
    ck_assert_uint_eq(r.v[3], 0x9b00dbd8u);
}
END_TEST

START_TEST(test_random_draws) {
    ov_scope_begin();
    ovGenerator g = ov_generator(42);
    ovTensor *u = ov_rand(OV_SHAPE(100000), 0, 1, &g);
    ovTensor *n = ov_randn(OV_SHAPE(100000), 0, 1, &g);
    double su = 0, sn = 0, sn2 = 0;
    for (int64_t i = 0; i < 100000; i++) {
        double a = ov_f32(u)[i], b = ov_f32(n)[i];
        ck_assert(a >= 0 && a < 1);
        su += a;
        sn += b;
        sn2 += b * b;
    }
    ck_assert_double_eq_tol(su / 1e5, 0.5, 0.01);
    ck_assert_double_eq_tol(sn / 1e5, 0.0, 0.02);
    ck_assert_double_eq_tol(sn2 / 1e5, 1.0, 0.02);
    /* same (seed, offset) -> same numbers; the generator advanced between draws */
    ovGenerator g2 = ov_generator(42);
    ovTensor *u2 = ov_rand(OV_SHAPE(100000), 0, 1, &g2);
    ck_assert_int_eq(memcmp(ov_f32(u), ov_f32(u2), 400000), 0);
    ck_assert_uint_eq(g2.offset, 25000);
    ovTensor *ri = ov_randint(OV_SHAPE(1000), -3, 4, &g);
    int seen[7] = {0};
    for (int i = 0; i < 1000; i++) {
        int64_t v = ((int64_t *)ov_data_ptr(ri))[i];
        ck_assert(v >= -3 && v < 4);
        seen[v + 3] = 1;
    }
    for (int i = 0; i < 7; i++) ck_assert(seen[i]);
    ovTensor *b = ov_bernoulli(OV_SHAPE(10000), 0.3, &g);
    double sb = 0;
    for (int i = 0; i < 10000; i++) sb += ov_f32(b)[i];
    ck_assert_double_eq_tol(sb / 1e4, 0.3, 0.02);
    ov_scope_end();
}
END_TEST

START_TEST(test_creation) {
    ov_scope_begin();
    ovTensor *a = ov_arange(0, 5, 1, OV_I64);
    ck_assert_int_eq(ov_numel(a), 5);
    ck_assert_double_eq(ov_get_flat(a, 4), 4);
    ovTensor *b = ov_arange(1, 2, 0.3, OV_F32); /* 1, 1.3, 1.6, 1.9 */
    ck_assert_int_eq(ov_numel(b), 4);
    ck_assert_double_eq_tol(ov_get_flat(b, 3), 1.9, 1e-6);
    ovTensor *l = ov_linspace(-1, 1, 5, OV_F32);
    double want[] = {-1, -0.5, 0, 0.5, 1};
    for (int i = 0; i < 5; i++) ck_assert_double_eq(ov_get_flat(l, i), want[i]);
    ovTensor *z = ov_zeros(OV_SHAPE(2, 3), OV_BF16), *o = ov_ones(OV_SHAPE(2, 3), OV_F16);
    ovTensor *f = ov_full(OV_SHAPE(4), 2.5, OV_F32), *s = ov_scalar(7, OV_I32);
    ck_assert_double_eq(ov_get_flat(z, 5), 0);
    ck_assert_double_eq(ov_get_flat(o, 5), 1);
    ck_assert_double_eq(ov_get_flat(f, 3), 2.5);
    ck_assert_int_eq(s->ndim, 0);
    ck_assert_double_eq(ov_get_flat(s, 0), 7);
    float data[] = {1, 2, 3, 4, 5, 6};
    ovTensor *d = ov_from_data(data, OV_SHAPE(2, 3), OV_F32);
    int64_t idx[] = {1, 2};
    ck_assert_double_eq(ov_get(d, idx), 6);
    ov_scope_end();
}
END_TEST

START_TEST(test_views_share_storage) {
    ov_scope_begin();
    ovTensor *x = ov_arange(0, 24, 1, OV_F32);
    ovTensor *v = ov_reshape(x, OV_SHAPE(2, 3, 4));
    ovTensor *p = ov_permute(v, OV_SHAPE(2, 0, 1));
    ovTensor *s = ov_slice(p, 0, 1, 4, 2);
    ovTensor *e = ov_expand(ov_unsqueeze(x, 0), OV_SHAPE(3, 24));
    ovTensor *q = ov_squeeze(ov_unsqueeze(x, -1), -1);
    ovTensor *fl = ov_flatten(v, 1, 2);
    ovTensor *tr = ov_transpose(v, 0, 2);
    ovTensor *nr = ov_narrow(v, 2, 1, 2);
    ovTensor *se = ov_select(v, 1, -1);
    ovTensor *all[] = {v, p, s, e, q, fl, tr, nr, se};
    for (int i = 0; i < 9; i++) ck_assert_ptr_eq(all[i]->storage, x->storage);
    ck_assert(!ov_is_contiguous(p));
    ck_assert_int_eq(e->stride[0], 0);
    /* p[1][0][2] = v[0][2][1] = 9; s = p[1::2] so s[0] is p[1] */
    int64_t i3[] = {0, 0, 2};
    ck_assert_double_eq(ov_get(s, i3), 9);
    int64_t i2[] = {1, 2};
    ck_assert_double_eq(ov_get(se, i2), 22); /* v[1][2][2] */
    /* writes through a view are seen by the base */
    ov_fill_(nr, -1);
    ck_assert_double_eq(ov_get_flat(x, 1), -1);
    ck_assert_double_eq(ov_get_flat(x, 0), 0);
    /* reshape of a non-viewable layout copies; contiguous() copies only when needed */
    ovTensor *c = ov_reshape(p, OV_SHAPE(24));
    ck_assert_ptr_ne(c->storage, x->storage);
    ck_assert_ptr_eq(ov_contiguous(v), v);
    ck_assert_ptr_ne(ov_contiguous(p)->storage, x->storage);
    ov_scope_end();
}
END_TEST

START_TEST(test_dtype_conversion) {
    ov_scope_begin();
    float data[] = {1.5f, -2.7f, 3.0e-8f, 70000.0f, 0.1f};
    ovTensor *x = ov_from_data(data, OV_SHAPE(5), OV_F32);
    ovTensor *b = ov_to(x, OV_BF16), *h = ov_to(x, OV_F16), *i = ov_to(x, OV_I64), *u = ov_to(x, OV_BOOL);
    ck_assert_int_eq(b->dtype, OV_BF16);
    ck_assert_double_eq(ov_get_flat(b, 0), 1.5);
    ck_assert(isinf(ov_get_flat(h, 3)));
    ck_assert_double_eq(ov_get_flat(i, 1), -2); /* truncation toward zero */
    ck_assert_double_eq(ov_get_flat(u, 2), 1);
    ovTensor *back = ov_to(b, OV_F32);
    ck_assert_double_eq_tol(ov_get_flat(back, 4), 0.1, 0.001);
    ck_assert_ptr_eq(ov_to(x, OV_F32), x);
    ov_scope_end();
}
END_TEST

START_TEST(test_scopes_free_and_keep) {
    ck_assert_int_eq(ov_live_allocations(), 0);
    ov_scope_begin();
    ovTensor *a = ov_ones(OV_SHAPE(3), OV_F32);
    ov_scope_begin();
    ovTensor *b = ov_add_scalar(a, 1);
    ovTensor *kept = ov_keep(ov_mul_scalar(b, 2));
    ovTensor *view_of_outer = ov_reshape(a, OV_SHAPE(1, 3));
    (void)view_of_outer;
    ov_scope_end(); /* b and the view are gone; a and kept live */
    ck_assert_double_eq(ov_get_flat(kept, 0), 4);
    ck_assert_double_eq(ov_get_flat(a, 0), 1);
    ck_assert_int_eq(ov_scope_count(ov_scope_current()), 2);
    ov_scope_end();
    ck_assert_int_eq(ov_live_allocations(), 0);
    /* a detached scope outlives the steps that use it */
    ovScope *params = ov_scope_new("params");
    ov_scope_push(params);
    ovTensor *w = ov_ones(OV_SHAPE(4), OV_F32);
    ov_scope_pop(params);
    for (int step = 0; step < 3; step++) {
        ov_scope_begin();
        ovTensor *y = ov_mul_scalar(w, step);
        ck_assert_double_eq(ov_get_flat(y, 0), step);
        ov_scope_end();
    }
    ck_assert_int_eq(ov_scope_count(params), 1);
    ov_scope_free(params);
}
END_TEST

START_TEST(test_alloc_counters) {
    ovAllocStats s0 = ov_alloc_stats();
    ov_scope_begin();
    ovTensor *a = ov_zeros(OV_SHAPE(1000), OV_F32);
    ovAllocStats s1 = ov_alloc_stats();
    ck_assert_int_eq(s1.host_buffers - s0.host_buffers, 1);
    ck_assert_int_eq(s1.host_bytes - s0.host_bytes, 4000);
    ck_assert(s1.host_peak_bytes >= 4000);
    ck_assert_int_eq(s1.objects - s0.objects, 3); /* scope, storage, tensor struct */
    (void)a;
    ov_scope_end();
    ck_assert_int_eq(ov_live_allocations(), 0);
}
END_TEST

START_TEST(test_panic_trap_names_tensors) {
    ov_scope_begin();
    ovTensor *a = ov_named(ov_ones(OV_SHAPE(2, 3), OV_F32), "queries");
    ovTensor *b = ov_named(ov_ones(OV_SHAPE(4, 3), OV_F32), "keys");
    ovTrap trap;
    ov_path_push("decoder");
    ov_path_push("stages.2");
    if (OV_TRY(&trap)) {
        ov_add(a, b);
        ov_trap_pop(&trap);
        ck_abort_msg("a shape mismatch did not panic");
    }
    const char *msg = ov_last_error();
    ck_assert_msg(strstr(msg, "op 'add'"), "%s", msg);
    ck_assert_msg(strstr(msg, "'queries' [2,3] f32"), "%s", msg);
    ck_assert_msg(strstr(msg, "'keys' [4,3] f32"), "%s", msg);
    ck_assert_msg(strstr(msg, "decoder.stages.2"), "%s", msg);
    ck_assert_str_eq(ov_path(), "decoder.stages.2"); /* the trap restored the path it saw */
    ov_path_pop();
    ov_path_pop();
    ck_assert_str_eq(ov_path(), "");
    /* a panic inside nested scopes closes them */
    if (OV_TRY(&trap)) {
        ov_scope_begin();
        ov_scope_begin();
        ov_ones(OV_SHAPE(5), OV_F32);
        ov_panic("boom %d", 7);
    }
    ck_assert_int_eq(ov_scope_depth(), 1);
    ck_assert_str_eq(ov_last_error(), "boom 7");
    ov_scope_end();
}
END_TEST

START_TEST(test_dtype_and_device_errors) {
    ov_scope_begin();
    ovTensor *x = ov_named(ov_ones(OV_SHAPE(2), OV_BF16), "x16");
    ovTensor *i = ov_named(ov_ones(OV_SHAPE(2), OV_F32), "idx");
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_exp(x);
        ov_trap_pop(&trap);
        ck_abort_msg("bf16 input accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "op 'exp'") && strstr(ov_last_error(), "'x16' [2] bf16") &&
                      strstr(ov_last_error(), "must be f32"),
                  "%s", ov_last_error());
    if (OV_TRY(&trap)) {
        ov_where(i, i, i);
        ov_trap_pop(&trap);
        ck_abort_msg("f32 condition accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "op 'where'") && strstr(ov_last_error(), "'cond' must be bool"), "%s",
                  ov_last_error());
    /* a tensor that claims to live on the GPU next to one on the CPU */
    ovTensor *g = ov_named(ov_ones(OV_SHAPE(2), OV_F32), "on_gpu");
    g->storage->device = OV_DEV_CUDA;
    if (OV_TRY(&trap)) {
        ov_mul(i, g);
        ov_trap_pop(&trap);
        ck_abort_msg("mixed devices accepted");
    }
    g->storage->device = OV_DEV_CPU;
    ck_assert_msg(strstr(ov_last_error(), "op 'mul'") && strstr(ov_last_error(), "different devices") &&
                      strstr(ov_last_error(), "'on_gpu' [2] f32 on cuda"),
                  "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("core");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_dtype_table);
    tcase_add_test(tc, test_half_roundtrip_exhaustive);
    tcase_add_test(tc, test_f16_rounding);
    tcase_add_test(tc, test_philox_known_answers);
    tcase_add_test(tc, test_random_draws);
    tcase_add_test(tc, test_creation);
    tcase_add_test(tc, test_views_share_storage);
    tcase_add_test(tc, test_dtype_conversion);
    tcase_add_test(tc, test_scopes_free_and_keep);
    tcase_add_test(tc, test_alloc_counters);
    tcase_add_test(tc, test_panic_trap_names_tensors);
    tcase_add_test(tc, test_dtype_and_device_errors);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
