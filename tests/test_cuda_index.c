/* test_cuda_index.c: the index family's device kernels (kernels/cuda/join.cu, gather.cu, tile.cu,
 * sort.cu) on what the op-table walk in test_ops.c does not reach: a bad index on the device fails
 * the call naming it; sorts of lines longer than one shared-memory tile, with ties, NaN and -0.0,
 * give the CPU's values and indices exactly; index_add with thousands of duplicate destinations
 * gives the CPU's bits, the same on every run; cat of more inputs than one launch takes, mixing
 * layouts; and data moves of every element size. Runs on the emulated backend. */
#include <math.h>
#include <string.h>

#include "autograd/op.h"
#include "autograd/ops.h"
#include "kernels/cuda/device.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"

static ovTensor *dev(ovTensor *t) { return ov_to_device(t, OV_DEV_CUDA); }
static ovTensor *host(ovTensor *t) { return ov_to_device(t, OV_DEV_CPU); }

/* Device result equals the CPU one exactly (NaN == NaN). */
static void expect_same(ovTensor *d, ovTensor *c, const char *what) {
    int64_t where = -1;
    double r = ov_rel_diff(host(d), c, &where);
    ck_assert_msg(r == 0, "%s: device differs from the CPU (%g at element %lld)", what, r, (long long)where);
}

START_TEST(test_bad_device_index_names_it) {
    ov_scope_begin();
    ovGenerator g = ov_generator(1);
    ovTensor *x = dev(ov_randn(OV_SHAPE(5, 4), 0, 1, &g));
    int64_t bad[] = {0, 4, 2, 7, -1};
    ovTensor *idx = dev(ov_from_data(bad, OV_SHAPE(5), OV_I64));
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_index_select(x, 0, idx);
        ov_trap_pop(&trap);
        ck_abort_msg("index_select took an out-of-range device index");
    }
    ck_assert_msg(strstr(ov_last_error(), "index 7 (element 3 of the index, row-major) is out of range for dim 0"),
                  "%s", ov_last_error());
    /* an embedding of a strided device index: position in row-major order of the view */
    int64_t ids[] = {1, 2, 3, 4, 5, 6};
    ovTensor *table = dev(ov_randn(OV_SHAPE(6, 3), 0, 1, &g));
    ovTensor *ix = ov_transpose(dev(ov_from_data(ids, OV_SHAPE(2, 3), OV_I64)), 0, 1); /* rows 1 4 / 2 5 / 3 6 */
    if (OV_TRY(&trap)) {
        ov_embedding(table, ix);
        ov_trap_pop(&trap);
        ck_abort_msg("embedding took an out-of-range device index");
    }
    ck_assert_msg(strstr(ov_last_error(), "index 6 (element 5 of the index, row-major) is out of range for a table"),
                  "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

/* Lines of `n` values from a small set with ties, NaN, infinities and both zeros. */
static ovTensor *tricky(int64_t lines, int64_t n, uint64_t seed) {
    static const float pool[] = {1.5f, -0.0f, 0.0f, -2.0f, NAN, INFINITY, -INFINITY, 3.0f, 1.5f, -7.25f};
    ovGenerator g = ov_generator(seed);
    ovTensor *pick = ov_randint(OV_SHAPE(lines, n), 0, 10, &g);
    ovTensor *x = ov_empty(OV_SHAPE(lines, n), OV_F32);
    for (int64_t i = 0; i < lines * n; i++) ov_set_flat(x, i, pool[(int)ov_get_flat(pick, i)]);
    return x;
}

START_TEST(test_long_line_sort_matches_cpu) {
    ov_scope_begin();
    /* 9000 > the 4096-key shared tile: the global merge steps run; 37 lines of 150: tiles of
     * several lines */
    static const int64_t shapes[][2] = {{3, 9000}, {37, 150}};
    for (int s = 0; s < 2; s++) {
        ovTensor *x = tricky(shapes[s][0], shapes[s][1], 10 + (uint64_t)s), *xd = dev(x);
        for (int desc = 0; desc < 2; desc++) {
            ovTensor *ic, *id;
            ovTensor *vc = ov_sort(x, 1, desc, &ic), *vd = ov_sort(xd, 1, desc, &id);
            expect_same(vd, vc, "sort values");
            expect_same(id, ic, "sort indices");
            expect_same(ov_argsort(ov_transpose(xd, 0, 1), 0, desc), ov_argsort(ov_transpose(x, 0, 1), 0, desc),
                        "argsort of a transposed view");
            for (int sorted = 0; sorted < 2; sorted++) {
                int64_t k = shapes[s][1] / 3 + 1;
                vc = ov_topk(x, k, -1, desc, sorted, &ic);
                vd = ov_topk(xd, k, -1, desc, sorted, &id);
                expect_same(vd, vc, "topk values");
                expect_same(id, ic, "topk indices");
            }
        }
    }
    ov_scope_end();
}
END_TEST

/* index_add through the op table: out = x, out[index[j]] += src[j]. */
static ovTensor *index_add(ovTensor *x, int dim, ovTensor *index, ovTensor *src) {
    ovOpCall c = ov_call(ov_op_find("index_add"));
    c.in[0] = x;
    c.in[1] = index;
    c.in[2] = src;
    c.attr[0].i = dim;
    return ov_apply1(&c);
}

START_TEST(test_index_add_duplicates_match_cpu_bits) {
    ov_scope_begin();
    ovGenerator g = ov_generator(3);
    /* 5000 sources (a sort beyond one tile) into 40 rows, most of them into row 3 */
    ovTensor *x = ov_randn(OV_SHAPE(40, 33), 0, 1, &g), *src = ov_randn(OV_SHAPE(5000, 33), 0, 1, &g);
    ovTensor *index = ov_randint(OV_SHAPE(5000), 0, 40, &g);
    for (int64_t j = 0; j < 5000; j += 2) ov_set_flat(index, j, 3);
    ovTensor *want = index_add(x, 0, index, src);
    ovTensor *a = index_add(dev(x), 0, dev(index), dev(src)), *b = index_add(dev(x), 0, dev(index), dev(src));
    expect_same(a, want, "index_add");
    expect_same(b, want, "index_add, second run");
    /* along the last dim of a transposed x */
    ovTensor *xt = ov_transpose(ov_randn(OV_SHAPE(40, 6), 0, 1, &g), 0, 1);
    ovTensor *s2 = ov_randn(OV_SHAPE(6, 5000), 0, 1, &g);
    expect_same(index_add(ov_transpose(dev(ov_contiguous(ov_transpose(xt, 0, 1))), 0, 1), 1, dev(index), dev(s2)),
                index_add(xt, 1, index, s2), "index_add along dim 1");
    ov_scope_end();
}
END_TEST

START_TEST(test_cat_many_mixed_inputs) {
    ov_scope_begin();
    ovGenerator g = ov_generator(5);
    ovTensor *c[11], *d[11];
    for (int i = 0; i < 11; i++) {
        int64_t w = 1 + i % 4;
        if (i % 3 == 2) { /* a transposed view: its own strided copy */
            c[i] = ov_transpose(ov_randn(OV_SHAPE(w, 5), 0, 1, &g), 0, 1);
            d[i] = ov_transpose(dev(ov_contiguous(ov_transpose(c[i], 0, 1))), 0, 1);
        } else {
            c[i] = i == 4 ? ov_empty(OV_SHAPE(5, 0), OV_F32) : ov_randn(OV_SHAPE(5, w), 0, 1, &g);
            d[i] = dev(c[i]);
        }
    }
    expect_same(ov_cat(11, d, 1), ov_cat(11, c, 1), "cat of 11 along dim 1");
    for (int i = 0; i < 9; i++) { /* equal shapes for stack, every third one transposed */
        c[i] = ov_randn(OV_SHAPE(5, 3), 0, 1, &g);
        d[i] = i % 3 == 1 ? ov_transpose(dev(ov_contiguous(ov_transpose(c[i], 0, 1))), 0, 1) : dev(c[i]);
    }
    expect_same(ov_stack(9, d, 1), ov_stack(9, c, 1), "stack of 9 along dim 1");
    ov_scope_end();
}
END_TEST

START_TEST(test_data_moves_of_every_size) {
    ov_scope_begin();
    ovGenerator g = ov_generator(6);
    static const ovDType types[] = {OV_U8, OV_BF16, OV_F32, OV_I64};
    for (int t = 0; t < 4; t++) {
        ovTensor *x = ov_to(ov_randint(OV_SHAPE(4, 3, 5), 0, 100, &g), types[t]), *xd = dev(x);
        int64_t pads[] = {2, -1, 0, 3}, reps[] = {2, 1, 3}, dims[] = {0, 2};
        expect_same(ov_pad(xd, 4, pads, 7), ov_pad(x, 4, pads, 7), "pad");
        expect_same(ov_repeat(xd, 3, reps), ov_repeat(x, 3, reps), "repeat");
        expect_same(ov_flip(xd, 2, dims), ov_flip(x, 2, dims), "flip");
        ovTensor *ix = ov_randint(OV_SHAPE(4, 3, 2), 0, 5, &g);
        expect_same(ov_gather(xd, 2, dev(ix)), ov_gather(x, 2, ix), "gather");
        ovTensor *two[] = {x, x}, *two_d[] = {xd, xd};
        expect_same(ov_cat(2, two_d, 1), ov_cat(2, two, 1), "cat");
    }
    ov_scope_end();
}
END_TEST

Suite *cuda_index_suite(void) {
    Suite *s = suite_create("cuda_index");
    TCase *tc = tcase_create("device");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bad_device_index_names_it);
    tcase_add_test(tc, test_long_line_sort_matches_cpu);
    tcase_add_test(tc, test_index_add_duplicates_match_cpu_bits);
    tcase_add_test(tc, test_cat_many_mixed_inputs);
    tcase_add_test(tc, test_data_moves_of_every_size);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    if (!ov_test_have_device("cuda_index")) return 0;
    int failed = ov_run_suite(cuda_index_suite());
    ov_cuda_empty_cache();
    return failed ? 1 : 0;
}
