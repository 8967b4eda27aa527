/* test_gemm.c: the CPU GEMM (kernels/cpu/gemm.h) against its naive double-precision reference:
 * every micro-kernel the machine can run (forced with ov_gemm_set_isa), all four transpose
 * combinations, sizes that are not multiples of any tile or cache block, leading dimensions larger
 * than the minimum, alpha/beta (beta = 0 must ignore NaN in C), batched products with shared
 * (stride-0) operands, K = 0, and bit-identical results for 1 and 2 threads. */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/gemm.h"
#include "tests/check_util.h"

/* Small deterministic generator: uniform floats in [-1, 1). */
static uint64_t rng_state;
static float urand(void) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng_state >> 40) & 0xFFFFFF) / (float)(1 << 23) - 1.0f;
}

static float *rand_buf(int64_t n) {
    float *p = malloc(sizeof(float) * (size_t)(n ? n : 1));
    for (int64_t i = 0; i < n; i++) p[i] = urand();
    return p;
}

/* Operand geometry: op(A) is M x K; stored [M, lda] or, transposed, [K, lda]. */
typedef struct {
    bool ta, tb;
    int64_t M, N, K, lda, ldb, ldc;
    float alpha, beta;
} Shape;

static int64_t a_elems(const Shape *s) { return (s->ta ? s->K : s->M) * s->lda; }
static int64_t b_elems(const Shape *s) { return (s->tb ? s->N : s->K) * s->ldb; }
static int64_t c_elems(const Shape *s) { return s->M * s->ldc; }

/* Checks C (from ov_sgemm) against R (from ov_sgemm_ref) element by element. The bound is the
 * classical one for a float dot product of length K in any summation order, with or without FMA
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., sec. 3.1):
 *     |fl(sum_k a_k b_k) - sum_k a_k b_k| <= gamma_K sum_k |a_k b_k|,  gamma_K ~ K * FLT_EPSILON,
 * plus a few roundings for the alpha scaling and the beta * C update; the reference is exact up to
 * its final rounding. sum_k |a_k b_k| is bounded by ||a_i||_2 ||b_j||_2 (Cauchy-Schwarz), which
 * costs O(MK + KN) instead of a second O(MNK) pass and is within a small factor of it for random
 * data (K/3 against K/4 for uniform [-1,1) entries). So the tolerance is
 *     (K + 4) * FLT_EPSILON * (|alpha| ||a_i|| ||b_j|| + |beta c_ij|),
 * loose against rounding (real errors grow like sqrt(K) eps), tight against a wrong element, a
 * lost K block or a misapplied alpha/beta, which are off by O(1). Entries of C outside the M x N
 * matrix (the ldc padding) must be untouched. */
static void expect_close(const Shape *s, const float *A, const float *B, const float *C0, const float *C,
                         const float *R, const char *what) {
    double *na = calloc((size_t)s->M + 1, sizeof(double)), *nb = calloc((size_t)s->N + 1, sizeof(double));
    for (int64_t i = 0; i < s->M; i++)
        for (int64_t k = 0; k < s->K; k++) {
            double a = s->ta ? A[k * s->lda + i] : A[i * s->lda + k];
            na[i] += a * a;
        }
    for (int64_t j = 0; j < s->N; j++)
        for (int64_t k = 0; k < s->K; k++) {
            double b = s->tb ? B[j * s->ldb + k] : B[k * s->ldb + j];
            nb[j] += b * b;
        }
    for (int64_t i = 0; i < s->M; i++)
        for (int64_t j = 0; j < s->ldc; j++) {
            int64_t o = i * s->ldc + j;
            if (j >= s->N) {
                ck_assert_msg(memcmp(&C[o], &C0[o], sizeof(float)) == 0, "%s: C padding at (%lld,%lld) was written",
                              what, (long long)i, (long long)j);
                continue;
            }
            double prev = s->beta == 0.0f ? 0.0 : fabs((double)s->beta * C0[o]);
            double tol = (double)(s->K + 4) * FLT_EPSILON * (fabs(s->alpha) * sqrt(na[i] * nb[j]) + prev) + 1e-30;
            ck_assert_msg(isfinite(C[o]) && fabs((double)C[o] - R[o]) <= tol,
                          "%s: ta=%d tb=%d M=%lld N=%lld K=%lld lda=%lld ldb=%lld ldc=%lld alpha=%g beta=%g: "
                          "C(%lld,%lld) = %.9g, reference %.9g, tolerance %.3g",
                          what, s->ta, s->tb, (long long)s->M, (long long)s->N, (long long)s->K, (long long)s->lda,
                          (long long)s->ldb, (long long)s->ldc, s->alpha, s->beta, (long long)i, (long long)j,
                          C[o], R[o], tol);
        }
    free(na);
    free(nb);
}

/* One product through ov_sgemm and ov_sgemm_ref; `nan_c` fills C with NaN (only with beta = 0). */
static void check_one(const Shape *s, bool nan_c, const char *what) {
    float *A = rand_buf(a_elems(s)), *B = rand_buf(b_elems(s)), *C0 = rand_buf(c_elems(s));
    if (nan_c)
        for (int64_t i = 0; i < c_elems(s); i++) C0[i] = NAN;
    size_t cb = sizeof(float) * (size_t)(c_elems(s) ? c_elems(s) : 1);
    float *C = malloc(cb), *R = malloc(cb);
    memcpy(C, C0, cb);
    memcpy(R, C0, cb);
    ov_sgemm(s->ta, s->tb, s->M, s->N, s->K, s->alpha, A, s->lda, B, s->ldb, s->beta, C, s->ldc);
    ov_sgemm_ref(s->ta, s->tb, s->M, s->N, s->K, s->alpha, A, s->lda, B, s->ldb, s->beta, R, s->ldc);
    expect_close(s, A, B, C0, C, R, what);
    free(A), free(B), free(C0), free(C), free(R);
}

static Shape shape(bool ta, bool tb, int64_t M, int64_t N, int64_t K, int64_t pad) {
    Shape s = {ta, tb, M, N, K, 0, 0, 0, 1.0f, 0.0f};
    s.lda = (ta ? M : K) + pad;
    s.ldb = (tb ? K : N) + pad;
    s.ldc = N + pad;
    return s;
}

/* The ISAs of this loop test: index _i into this list, skipped when the CPU lacks it. */
static const ovGemmIsa isas[] = {OV_GEMM_SCALAR, OV_GEMM_AVX2, OV_GEMM_AVX512};
#define N_ISAS 3

static bool use_isa(int i) {
    if (!ov_gemm_set_isa(isas[i])) {
        printf("SKIP: this CPU has no %s\n", ov_gemm_isa_label(isas[i]));
        return false;
    }
    ck_assert_str_eq(ov_gemm_isa_name(), ov_gemm_isa_label(isas[i]));
    return true;
}

static const int64_t odd[] = {1, 3, 7, 17, 33, 65, 100, 129};
#define N_ODD 8

/* Odd sizes, every transpose combination, tight and padded leading dimensions. */
START_TEST(test_sizes_and_transposes) {
    if (!use_isa(_i)) return;
    rng_state = 1;
    char what[64];
    snprintf(what, sizeof what, "%s sizes", ov_gemm_isa_name());
    for (int t = 0; t < 4; t++)
        for (int i = 0; i < N_ODD; i++)
            for (int j = 0; j < N_ODD; j++) {
                Shape s = shape(t & 1, t >> 1, odd[i], odd[j], odd[(i + 2 * j + t) % N_ODD], (i + j) % 3 == 0 ? 5 : 0);
                check_one(&s, false, what);
            }
    ov_gemm_set_isa(OV_GEMM_AUTO);
}
END_TEST

/* Sizes past the cache blocks: several K blocks (beta = 1 accumulation inside), several M blocks
 * per thread, more than one N panel, on 1 and 2 threads. */
START_TEST(test_blocked_sizes) {
    if (!use_isa(_i)) return;
    rng_state = 2;
    static const int64_t mnk[][3] = {{530, 20, 260}, {37, 45, 1100}, {3, 4133, 7}, {1100, 19, 33}, {65, 97, 513}};
    for (int c = 0; c < 5; c++)
        for (int t = 0; t < 4; t++) {
            omp_set_num_threads(1 + (c + t) % 2);
            {
                Shape s = shape(t & 1, t >> 1, mnk[c][0], mnk[c][1], mnk[c][2], t == 3 ? 3 : 0);
                s.alpha = 0.75f;
                s.beta = c % 2 ? 0.0f : -0.5f;
                check_one(&s, false, "blocked");
            }
    }
    ov_gemm_set_isa(OV_GEMM_AUTO);
}
END_TEST

/* alpha/beta: general values, beta = 1 accumulation, beta = 0 over NaN, alpha = 0. */
START_TEST(test_alpha_beta) {
    if (!use_isa(_i)) return;
    rng_state = 3;
    static const float ab[][2] = {{1, 0}, {0.5f, -1.5f}, {-2, 1}, {1, 1}, {0, 0.25f}, {3, 0}};
    for (int c = 0; c < 6; c++)
        for (int t = 0; t < 4; t++) {
            Shape s = shape(t & 1, t >> 1, 37, 45, 29, t);
            s.alpha = ab[c][0];
            s.beta = ab[c][1];
            check_one(&s, false, "alpha/beta");
            if (s.beta == 0.0f) check_one(&s, true, "beta=0 over NaN");
        }
    ov_gemm_set_isa(OV_GEMM_AUTO);
}
END_TEST

/* K = 0: C = beta * C, and zeros over NaN when beta = 0. M = 0 or N = 0 touch nothing. */
START_TEST(test_empty) {
    rng_state = 4;
    Shape s = shape(false, false, 5, 6, 0, 2);
    s.lda = 1;
    s.beta = 2.0f;
    check_one(&s, false, "K=0");
    s.beta = 0.0f;
    check_one(&s, true, "K=0 over NaN");
    float c = 7.0f, a = 1.0f;
    ov_sgemm(false, false, 0, 3, 4, 1, &a, 4, &a, 3, 0, &c, 3);
    ov_sgemm(false, false, 3, 0, 4, 1, &a, 4, &a, 1, 0, &c, 1);
    ov_sgemm_batched(false, false, 2, 2, 2, 1, &a, 2, 0, &a, 2, 0, 0, &c, 2, 4, 0);
    ck_assert(c == 7.0f);
}
END_TEST

/* Batched products with stride-0 (shared) operands, for every path of ov_sgemm_batched: small
 * products one per thread, a shared B folded into one tall product, large products in turn. */
START_TEST(test_batched) {
    if (!use_isa(_i)) return;
    rng_state = 5;
    static const int64_t cfg[][5] = {
        /* M, N, K, batch, threads */
        {7, 9, 5, 6, 2}, {33, 17, 65, 5, 2}, {33, 17, 65, 3, 1}, {130, 120, 70, 3, 2}, {3, 3, 3, 1, 2},
    };
    for (int c = 0; c < 5; c++)
        for (int share = 0; share < 4; share++)
            for (int t = 0; t < 4; t++) {
                if (c == 3 && (share == 0 || share == 3)) continue; /* the costly one: shared operands only */
                omp_set_num_threads((int)cfg[c][4]);
                Shape s = shape(t & 1, t >> 1, cfg[c][0], cfg[c][1], cfg[c][2], c == 1 ? 2 : 0);
                s.alpha = 1.25f;
                s.beta = share == 3 ? 0.5f : 0.0f;
                int64_t batch = cfg[c][3];
                int64_t sa = share & 1 ? 0 : a_elems(&s), sb = share & 2 ? 0 : b_elems(&s), sc = c_elems(&s) + 1;
                float *A = rand_buf(sa ? sa * batch : a_elems(&s)), *B = rand_buf(sb ? sb * batch : b_elems(&s));
                float *C0 = rand_buf(sc * batch), *C = malloc(sizeof(float) * (size_t)(sc * batch));
                float *R = malloc(sizeof(float) * (size_t)(sc * batch));
                memcpy(C, C0, sizeof(float) * (size_t)(sc * batch));
                memcpy(R, C0, sizeof(float) * (size_t)(sc * batch));
                ov_sgemm_batched(s.ta, s.tb, s.M, s.N, s.K, s.alpha, A, s.lda, sa, B, s.ldb, sb, s.beta, C, s.ldc, sc,
                                 batch);
                for (int64_t b = 0; b < batch; b++) {
                    ov_sgemm_ref(s.ta, s.tb, s.M, s.N, s.K, s.alpha, A + b * sa, s.lda, B + b * sb, s.ldb, s.beta,
                                 R + b * sc, s.ldc);
                    expect_close(&s, A + b * sa, B + b * sb, C0 + b * sc, C + b * sc, R + b * sc, "batched");
                    /* the gap between matrices (sc is one longer than the matrix) stays untouched */
                    ck_assert(memcmp(&C[b * sc + sc - 1], &C0[b * sc + sc - 1], sizeof(float)) == 0);
                }
                free(A), free(B), free(C0), free(C), free(R);
            }
    /* the fold of a shared B over A's stacked rows (x W^T over leading dims) */
    Shape s = shape(false, true, 19, 23, 31, 0);
    int64_t batch = 4;
    float *A = rand_buf(s.M * s.lda * batch), *B = rand_buf(b_elems(&s));
    float *C = malloc(sizeof(float) * (size_t)(s.M * s.ldc * batch)), *R = malloc(sizeof(float) * (size_t)(s.M * s.ldc * batch));
    ov_sgemm_batched(false, true, s.M, s.N, s.K, 1, A, s.lda, s.M * s.lda, B, s.ldb, 0, 0, C, s.ldc, s.M * s.ldc, batch);
    ov_sgemm_ref(false, true, s.M * batch, s.N, s.K, 1, A, s.lda, B, s.ldb, 0, R, s.ldc);
    Shape tall = s;
    tall.M *= batch;
    expect_close(&tall, A, B, R, C, R, "batched fold");
    free(A), free(B), free(C), free(R);
    ov_gemm_set_isa(OV_GEMM_AUTO);
}
END_TEST

/* The sum order does not depend on the thread count: 1 and 2 threads give identical bits. */
START_TEST(test_thread_count_invariance) {
    if (!use_isa(_i)) return;
    rng_state = 6;
    for (int t = 0; t < 4; t++) {
        Shape s = shape(t & 1, t >> 1, 203, 150, 600, 1);
        float *A = rand_buf(a_elems(&s)), *B = rand_buf(b_elems(&s)), *C1 = rand_buf(c_elems(&s));
        float *C2 = malloc(sizeof(float) * (size_t)c_elems(&s));
        memcpy(C2, C1, sizeof(float) * (size_t)c_elems(&s));
        omp_set_num_threads(1);
        ov_sgemm(s.ta, s.tb, s.M, s.N, s.K, 1, A, s.lda, B, s.ldb, 0.5f, C1, s.ldc);
        omp_set_num_threads(2);
        ov_sgemm(s.ta, s.tb, s.M, s.N, s.K, 1, A, s.lda, B, s.ldb, 0.5f, C2, s.ldc);
        ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)c_elems(&s)) == 0,
                      "%s ta=%d tb=%d: 1 and 2 threads differ", ov_gemm_isa_name(), s.ta, s.tb);
        free(A), free(B), free(C1), free(C2);
    }
    ov_gemm_set_isa(OV_GEMM_AUTO);
}
END_TEST

START_TEST(test_isa_control) {
    ck_assert(ov_gemm_set_isa(OV_GEMM_SCALAR));
    ck_assert_str_eq(ov_gemm_isa_name(), "scalar");
    ck_assert(!ov_gemm_set_isa(OV_GEMM_ISA_COUNT));
    ck_assert_str_eq(ov_gemm_isa_name(), "scalar"); /* a refused request changes nothing */
    ck_assert(ov_gemm_set_isa(OV_GEMM_AUTO));
    ck_assert(ov_gemm_isa() != OV_GEMM_AUTO);
    printf("gemm: auto picks %s\n", ov_gemm_isa_name());
}
END_TEST

Suite *gemm_suite(void) {
    Suite *s = suite_create("gemm");
    TCase *tc = tcase_create("gemm");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_isa_control);
    tcase_add_test(tc, test_empty);
    tcase_add_loop_test(tc, test_sizes_and_transposes, 0, N_ISAS);
    tcase_add_loop_test(tc, test_blocked_sizes, 0, N_ISAS);
    tcase_add_loop_test(tc, test_alpha_beta, 0, N_ISAS);
    tcase_add_loop_test(tc, test_batched, 0, N_ISAS);
    tcase_add_loop_test(tc, test_thread_count_invariance, 0, N_ISAS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ov_run_suite(gemm_suite()) ? 1 : 0; }
