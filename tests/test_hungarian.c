/* test_hungarian.c: nn/hungarian.c against scipy.optimize.linear_sum_assignment (fixtures from
 * tools/gen_loss_fixtures.py: random, tied, constant, tall, wide, very different magnitudes,
 * forbidden pairs, maximization, OpenMixer-like matcher costs): the same row/column pairs exactly,
 * through the f64, f32 and tensor entry points; the same refusals where scipy raises. Also
 * optimality against brute force on small matrices, empty matrices, the error messages, and a
 * cost matrix that lives on the (emulated) CUDA device. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/ops.h"
#include "nn/hungarian.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"
#include "tests/fn_fixtures.h"

#define FIXTURES "tests/fixtures/hungarian"

static const char **paths;
static int n_paths;

/* The case's cost matrix as doubles (malloc'd); *f32 tells whether it was stored as f32. */
static double *load_cost(ovSafetensors *st, const char *path, int64_t *n, int64_t *m, bool *f32) {
    ovTensor *c = ov_st_find(st, "cost") >= 0 ? ov_st_get(st, "cost") : ov_st_get(st, "cost_f64bits");
    ck_assert_msg(c && c->ndim == 2, "%s: no 2-D cost matrix", path);
    *n = c->shape[0];
    *m = c->shape[1];
    *f32 = c->dtype == OV_F32;
    double *w = malloc((size_t)(*n * *m + 1) * sizeof *w);
    if (*f32) {
        const float *p = ov_f32(c);
        for (int64_t i = 0; i < *n * *m; i++) w[i] = p[i];
    } else {
        ck_assert_int_eq(c->dtype, OV_I64);
        memcpy(w, ov_data_ptr(c), (size_t)(*n * *m) * sizeof *w); /* the f64 bits, stored as i64 */
    }
    return w;
}

/* A valid assignment: k pairs, rows increasing, no column twice, no forbidden entry. */
static void check_valid(const char *path, const double *cost, int64_t n, int64_t m, bool maximize, int64_t k,
                        const int64_t *rows, const int64_t *cols) {
    ck_assert_msg(k == (n < m ? n : m), "%s: %lld pairs for a %lldx%lld matrix", path, (long long)k, (long long)n,
                  (long long)m);
    char *used = calloc((size_t)m + 1, 1);
    for (int64_t i = 0; i < k; i++) {
        ck_assert(rows[i] >= 0 && rows[i] < n && cols[i] >= 0 && cols[i] < m);
        ck_assert_msg(i == 0 || rows[i] > rows[i - 1], "%s: rows not increasing", path);
        ck_assert_msg(!used[cols[i]], "%s: column %lld used twice", path, (long long)cols[i]);
        used[cols[i]] = 1;
        ck_assert_msg(isfinite(cost[rows[i] * m + cols[i]]), "%s: a forbidden pair was assigned", path);
    }
    (void)maximize;
    free(used);
}

static void expect_pairs(const char *path, const char *via, int64_t k, const int64_t *rows, const int64_t *cols,
                         const ovTensor *want_r, const ovTensor *want_c) {
    ck_assert_msg(k == ov_numel(want_r), "%s (%s): %lld pairs, scipy has %lld", path, via, (long long)k,
                  (long long)ov_numel(want_r));
    for (int64_t i = 0; i < k; i++)
        ck_assert_msg(rows[i] == (int64_t)ov_get_flat(want_r, i) && cols[i] == (int64_t)ov_get_flat(want_c, i),
                      "%s (%s): pair %lld is (%lld, %lld), scipy's is (%lld, %lld)", path, via, (long long)i,
                      (long long)rows[i], (long long)cols[i], (long long)ov_get_flat(want_r, i),
                      (long long)ov_get_flat(want_c, i));
}

START_TEST(test_matches_scipy) {
    const char *path = paths[_i];
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "missing or unreadable fixture (regenerate with /usr/bin/python3 tools/gen_loss_fixtures.py): %s",
                  ov_last_error());
    const char *expect = ov_st_meta(st, "expect"), *mx = ov_st_meta(st, "maximize");
    ck_assert_msg(expect && mx, "%s: metadata expect/maximize missing", path);
    bool maximize = atoi(mx) != 0, f32;
    int64_t n, m;
    double *cost = load_cost(st, path, &n, &m, &f32);
    int64_t k = n < m ? n : m;
    int64_t *rows = malloc((size_t)(k + 1) * sizeof *rows), *cols = malloc((size_t)(k + 1) * sizeof *cols);
    int64_t got = ov_linear_sum_assignment(cost, n, m, maximize, rows, cols);
    if (!strcmp(expect, "ok")) {
        ck_assert_msg(got >= 0, "%s: %s", path, ov_last_error());
        check_valid(path, cost, n, m, maximize, got, rows, cols);
        ovTensor *want_r = ov_st_get(st, "rows"), *want_c = ov_st_get(st, "cols");
        expect_pairs(path, "f64", got, rows, cols, want_r, want_c);
        if (f32) {
            ovTensor *c = ov_st_get(st, "cost");
            got = ov_linear_sum_assignment_f32(ov_f32(c), n, m, maximize, rows, cols);
            expect_pairs(path, "f32", got, rows, cols, want_r, want_c);
            ovTensor *tr, *tc;
            ck_assert_msg(ov_linear_sum_assignment_tensor(c, maximize, &tr, &tc) == 0, "%s: %s", path, ov_last_error());
            ck_assert(tr->dtype == OV_I64 && tc->dtype == OV_I64 && ov_numel(tr) == k);
            expect_pairs(path, "tensor", k, ov_data_ptr(tr), ov_data_ptr(tc), want_r, want_c);
        }
    } else {
        ck_assert_msg(got == -1, "%s: scipy refuses this matrix (%s), ovad found %lld pairs", path, expect, (long long)got);
        const char *want = !strcmp(expect, "infeasible") ? "the cost matrix is infeasible" : "contains an invalid entry";
        ck_assert_msg(strstr(ov_last_error(), want), "%s: expected '%s' in: %s", path, want, ov_last_error());
    }
    free(rows);
    free(cols);
    free(cost);
    ov_st_close(st);
    ov_scope_end();
}
END_TEST

START_TEST(test_fixture_index_missing) {
    ck_abort_msg(FIXTURES "/index.txt is missing: run /usr/bin/python3 tools/gen_loss_fixtures.py from the project root");
}
END_TEST

/* The best total over every injection of the smaller side into the larger, by enumeration;
 * INFINITY when every complete assignment uses a forbidden pair. */
static double brute(const double *c, int n, int m, int i, unsigned used) {
    if (n > m) { /* enumerate over columns instead: transpose on the fly */
        double t[64];
        for (int r = 0; r < n; r++)
            for (int q = 0; q < m; q++) t[q * n + r] = c[r * m + q];
        return brute(t, m, n, 0, 0);
    }
    if (i == n) return 0;
    double best = INFINITY;
    for (int j = 0; j < m; j++) {
        if (used >> j & 1) continue;
        double rest = brute(c, n, m, i + 1, used | 1u << j);
        double v = c[i * m + j] + rest;
        if (v < best) best = v;
    }
    return best;
}

START_TEST(test_optimal_against_brute_force) {
    ovGenerator g = ov_generator(17);
    ov_scope_begin();
    int shapes[][2] = {{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 5}, {3, 6}, {6, 3}, {6, 6}, {4, 7}, {7, 4}};
    int tried = 0, refused = 0;
    for (int s = 0; s < 10; s++)
        for (int rep = 0; rep < 12; rep++) {
            int n = shapes[s][0], m = shapes[s][1];
            ovTensor *u = ov_rand(OV_SHAPE(n * m), 0, 1, &g), *v = ov_rand(OV_SHAPE(n * m), 0, 1, &g);
            double c[64];
            for (int i = 0; i < n * m; i++) {
                double x = ov_get_flat(u, i);
                c[i] = rep % 3 == 0 ? floor(x * 3) : rep % 3 == 1 ? x : floor(x * 2) * 1e9 + x; /* ties, plain, huge */
                if (rep >= 6 && ov_get_flat(v, i) < 0.35) c[i] = INFINITY; /* forbidden pairs */
            }
            double best = brute(c, n, m, 0, 0);
            int64_t rows[8], cols[8];
            int64_t k = ov_linear_sum_assignment(c, n, m, false, rows, cols);
            tried++;
            if (isinf(best)) {
                ck_assert_msg(k == -1 && strstr(ov_last_error(), "infeasible"), "%dx%d: feasible? %s", n, m, ov_last_error());
                refused++;
                continue;
            }
            ck_assert_msg(k == (n < m ? n : m), "%dx%d rep %d: %s", n, m, rep, ov_last_error());
            check_valid("brute", c, n, m, false, k, rows, cols);
            double total = 0;
            for (int64_t i = 0; i < k; i++) total += c[rows[i] * m + cols[i]];
            ck_assert_msg(fabs(total - best) <= 1e-9 * (fabs(best) + 1), "%dx%d rep %d: total %.17g, best %.17g", n, m, rep,
                          total, best);
            /* maximizing the negated matrix gives the same pairs */
            double neg[64];
            for (int i = 0; i < n * m; i++) neg[i] = -c[i];
            int64_t r2[8], c2[8];
            ck_assert_int_eq(ov_linear_sum_assignment(neg, n, m, true, r2, c2), k);
            ck_assert(!memcmp(rows, r2, (size_t)k * sizeof *rows) && !memcmp(cols, c2, (size_t)k * sizeof *cols));
        }
    ck_assert(tried == 120 && refused > 0 && refused < 60);
    ov_scope_end();
}
END_TEST

START_TEST(test_empty_and_error_messages) {
    int64_t r[4], c[4];
    double one = 1;
    ck_assert_int_eq(ov_linear_sum_assignment(&one, 0, 5, false, r, c), 0);
    ck_assert_int_eq(ov_linear_sum_assignment(&one, 5, 0, false, r, c), 0);
    /* rows 0..2 share columns 0 and 1 */
    double hall[3 * 4];
    for (int i = 0; i < 12; i++) hall[i] = i % 4 < 2 ? 1.0 + i : INFINITY;
    ck_assert_int_eq(ov_linear_sum_assignment(hall, 3, 4, false, r, c), -1);
    ck_assert_msg(strstr(ov_last_error(), "the 3 rows {0, 1, 2} have finite costs only in the 2 columns {0, 1}"), "%s",
                  ov_last_error());
    /* the same, tall (solved transposed): named in the caller's orientation */
    double tall[4 * 3];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) tall[i * 3 + j] = hall[j * 4 + i];
    ck_assert_int_eq(ov_linear_sum_assignment(tall, 4, 3, false, r, c), -1);
    ck_assert_msg(strstr(ov_last_error(), "the 3 columns {0, 1, 2} have finite costs only in the 2 rows {0, 1}"), "%s",
                  ov_last_error());
    double nan_at[4] = {1, 2, NAN, 4};
    ck_assert_int_eq(ov_linear_sum_assignment(nan_at, 2, 2, false, r, c), -1);
    ck_assert_msg(strstr(ov_last_error(), "invalid entry: nan at [1, 0]"), "%s", ov_last_error());
    double pinf[4] = {1, INFINITY, 3, 4};
    ck_assert_int_eq(ov_linear_sum_assignment(pinf, 2, 2, true, r, c), -1);
    ck_assert_msg(strstr(ov_last_error(), "invalid entry: inf at [0, 1]"), "%s", ov_last_error());
    ck_assert_int_eq(ov_linear_sum_assignment(pinf, 2, 2, false, r, c), 2); /* a forbidden pair when minimizing */
    ck_assert(r[0] == 0 && c[0] == 0 && r[1] == 1 && c[1] == 1);
}
END_TEST

/* OpenMixer's matcher computes its cost on the device; the solver copies it to the host. */
START_TEST(test_cost_on_device) {
    ov_scope_begin();
    ovGenerator g = ov_generator(5);
    ovTensor *cost = ov_rand(OV_SHAPE(100, 3), -1, 1, &g);
    ovTensor *r0, *c0, *r1, *c1;
    ck_assert_int_eq(ov_linear_sum_assignment_tensor(cost, false, &r0, &c0), 0);
    ck_assert_int_eq(ov_linear_sum_assignment_tensor(ov_to_device(ov_transpose(cost, 0, 1), OV_DEV_CUDA), false, &r1, &c1), 0);
    ck_assert(ov_device(r1) == OV_DEV_CPU && ov_numel(r1) == 3);
    /* transposing the matrix swaps the roles: the same pairs, sorted by the other index */
    for (int i = 0; i < 3; i++) {
        int64_t q = (int64_t)ov_get_flat(r1, i), p = (int64_t)ov_get_flat(c1, i);
        bool found = false;
        for (int j = 0; j < 3; j++) found = found || (ov_get_flat(r0, j) == p && ov_get_flat(c0, j) == q);
        ck_assert(found);
    }
    ov_scope_end();
}
END_TEST

int main(void) {
    n_paths = ov_fn_index(FIXTURES, &paths);
    Suite *s = suite_create("hungarian");
    TCase *tc = tcase_create("assignment");
    ov_tcase_leak_check(tc);
    if (n_paths <= 0)
        tcase_add_test(tc, test_fixture_index_missing);
    else
        tcase_add_loop_test(tc, test_matches_scipy, 0, n_paths);
    tcase_add_test(tc, test_optimal_against_brute_force);
    tcase_add_test(tc, test_empty_and_error_messages);
    suite_add_tcase(s, tc);
    tcase_add_test(ov_device_tcase(s, "hungarian", "device"), test_cost_on_device);
    return ov_run_suite(s) ? 1 : 0;
}
