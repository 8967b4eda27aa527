/* gemm.c: the GEMM driver (see gemm.h): instruction-set choice, cache blocking, packing and the
 * OpenMP split, after BLIS's five loops around a micro-kernel (Van Zee & van de Geijn, "BLIS: A
 * Framework for Rapidly Instantiating BLAS Functionality", 2015; Goto & van de Geijn 2008):
 *
 *   for jc in N by NC:
 *     for pc in K by KC:          B panel  KC x NC  packed (L2/L3)
 *       for ic in M by MC:        A block  MC x KC  packed (L2)
 *         for jr in NC by NR:     B sliver KC x NR  stays in L1 while ...
 *           for ir in MC by MR:   ... the A slivers stream past it: micro-kernel, MR x NR of C
 *
 * Threads split C on a tm x tn grid in whole tiles and each packs the parts of A and B it uses
 * (no barriers: on this kind of machine a packed panel read from another core costs about what
 * packing it again from the source does). Each C element is accumulated over one K block inside a
 * micro-kernel (one FMA chain in k order) and then added to C, K blocks in order; the K blocking
 * depends on K alone, so the result does not depend on the number of threads or on the split. */
#include "kernels/cpu/gemm.h"

#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernels/cpu/gemm_kernel.h"

void ov_sgemm_ref(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                  const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double s = 0;
            for (int64_t k = 0; k < K; k++)
                s += (double)(ta ? A[k * lda + i] : A[i * lda + k]) * (double)(tb ? B[j * ldb + k] : B[k * ldb + j]);
            float prev = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = (float)(alpha * s) + prev;
        }
}

/* ---------------- instruction set ---------------- */

static ovGemmIsa forced_isa = OV_GEMM_AUTO;

bool ov_gemm_isa_supported(ovGemmIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    switch (isa) {
    case OV_GEMM_AVX2: return ov_gemm_kernel_avx2.ukr && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case OV_GEMM_AVX512:
        return ov_gemm_kernel_avx512.ukr && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    default: break;
    }
#endif
    return isa == OV_GEMM_AUTO || isa == OV_GEMM_SCALAR;
}

bool ov_gemm_set_isa(ovGemmIsa isa) {
    if (isa < 0 || isa >= OV_GEMM_ISA_COUNT || !ov_gemm_isa_supported(isa)) return false;
    forced_isa = isa;
    return true;
}

ovGemmIsa ov_gemm_isa(void) {
    if (forced_isa != OV_GEMM_AUTO) return forced_isa;
    static ovGemmIsa best = OV_GEMM_AUTO; /* racing first calls store the same value */
    if (best == OV_GEMM_AUTO)
        best = ov_gemm_isa_supported(OV_GEMM_AVX512) ? OV_GEMM_AVX512
               : ov_gemm_isa_supported(OV_GEMM_AVX2) ? OV_GEMM_AVX2
                                                     : OV_GEMM_SCALAR;
    return best;
}

const char *ov_gemm_isa_label(ovGemmIsa isa) {
    static const char *names[] = {"auto", "scalar", "avx2", "avx512"};
    return isa >= 0 && isa < OV_GEMM_ISA_COUNT ? names[isa] : "?";
}

const char *ov_gemm_isa_name(void) { return ov_gemm_isa_label(ov_gemm_isa()); }

static const ovGemmKernel *current_kernel(void) {
    switch (ov_gemm_isa()) {
    case OV_GEMM_AVX512: return &ov_gemm_kernel_avx512;
    case OV_GEMM_AVX2: return &ov_gemm_kernel_avx2;
    default: return &ov_gemm_kernel_scalar;
    }
}

/* ---------------- cache blocking ---------------- */

typedef struct {
    int64_t mc, kc, nc;
} Blocking;

static long l1_bytes, l2_bytes, l3_bytes;

static void read_caches(void) {
    long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE), l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    /* sensible defaults (and clamps: a VM may report its host's L3, or nothing) */
    l1_bytes = l1 >= 16384 && l1 <= (1 << 20) ? l1 : 32768;
    l2_bytes = l2 >= 131072 && l2 <= (16 << 20) ? l2 : 1 << 20;
    l3_bytes = l3 >= (1 << 20) ? (l3 < (32 << 20) ? l3 : 32 << 20) : 8 << 20;
}

static int64_t round_down(int64_t x, int64_t unit) { return x / unit * unit; }
static int64_t round_up(int64_t x, int64_t unit) { return (x + unit - 1) / unit * unit; }
static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

/* KC: the B sliver (KC x NR) fills about 2/3 of L1 beside the streaming A slivers and C tile.
 * MC: the packed A block (MC x KC) about half of L2. NC: a thread's B panel (KC x NC) about a
 * quarter of L3. On the Zen 5 development VM (48 KiB L1d, 1 MiB L2) that is KC 256, MC 504,
 * NC 4096 for AVX-512; measured alternatives (KC 192-384, MC 96-504, NC 256-4096, tiles 14x32,
 * 8x48, 6x64) were within the run-to-run noise of +-10%. */
static Blocking blocking_for(const ovGemmKernel *k) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_caches);
    Blocking b;
    b.kc = clamp64(round_down(l1_bytes * 2 / 3 / (k->nr * 4), 16), 64, 512);
    b.mc = clamp64(round_down(l2_bytes / 2 / (b.kc * 4), k->mr), k->mr, 1024 / k->mr * k->mr);
    b.nc = clamp64(round_down(l3_bytes / 4 / (b.kc * 4), k->nr), 8 * k->nr, 4096 / k->nr * k->nr);
    return b;
}

/* Splits n into equal blocks of at most about `max`, each a multiple of `unit`. */
static int64_t even_block(int64_t n, int64_t max, int64_t unit) {
    int64_t nb = (n + max - 1) / max;
    return round_up((n + nb - 1) / nb, unit);
}

/* ---------------- the five loops ---------------- */

typedef struct {
    bool ta, tb;
    int64_t M, N, K;
    float alpha, beta;
    const float *A, *B;
    float *C;
    int64_t lda, ldb, ldc;
    const ovGemmKernel *kr;
    int64_t mc, kc, nc; /* block sizes used for this product */
} Prob;

static Prob make_prob(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                      const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    Prob p = {ta, tb, M, N, K, alpha, beta, A, B, C, lda, ldb, ldc, current_kernel(), 0, 0, 0};
    Blocking bl = blocking_for(p.kr);
    p.kc = even_block(K, bl.kc, 1);
    p.nc = even_block(N, bl.nc, p.kr->nr);
    p.mc = round_up(bl.mc, p.kr->mr); /* per thread: even_block of its rows, at most this */
    return p;
}

/* Floats of packing space per thread: a B panel and an A block (64-byte multiples). */
static size_t b_panel_floats(const Prob *p) { return (size_t)round_up(p->kc * p->nc, 16); }
static size_t a_block_floats(const Prob *p) {
    int64_t m = p->M < p->mc ? round_up(p->M, p->kr->mr) : p->mc;
    return (size_t)round_up(m * p->kc, 16);
}

static float *alloc_floats(size_t n) {
    void *q = NULL;
    if (posix_memalign(&q, 64, (n ? n : 16) * sizeof(float)) != 0) {
        fprintf(stderr, "ov_sgemm: out of memory allocating %zu bytes of packing space\n", n * sizeof(float));
        abort();
    }
    return q;
}

/* Packing one element costs about as much as this many multiply-adds of the micro-kernel (a load
 * and a store at ~0.4 cycle, against 32 FMA lanes per cycle). */
#define PACK_WEIGHT 12

/* tm x tn thread grid (tm * tn = nth) with the least work for the busiest thread: its tiles of C
 * plus the rows of A and columns of B it packs (each thread packs what it uses, so splitting M
 * repacks B in every thread, and splitting N repacks A). */
static int choose_tm(const Prob *p, int nth) {
    const int64_t mr = p->kr->mr, nr = p->kr->nr;
    int64_t mb = (p->M + mr - 1) / mr, nb = (p->nc + nr - 1) / nr;
    int best = 1;
    int64_t best_cost = -1;
    for (int tm = 1; tm <= nth; tm++) {
        if (nth % tm) continue;
        int tn = nth / tm;
        int64_t rows = (mb + tm - 1) / tm * mr, cols = (nb + tn - 1) / tn * nr;
        int64_t cost = rows * cols + PACK_WEIGHT * (rows + cols);
        if (best_cost < 0 || cost < best_cost) {
            best = tm;
            best_cost = cost;
        }
    }
    return best;
}

/* The work of cell (ti, tj) of a tm x tn grid of threads: rows [m0, m1) of C in whole MR tiles,
 * and in every NC panel its share of the NR slivers. The thread packs the A rows and B slivers it
 * uses into its own buffers, so the threads share nothing but read-only A and B and write
 * disjoint tiles of C: no barrier, and no packed data crossing between cores. */
static void gemm_thread(const Prob *p, int ti, int tm, int tj, int tn, float *bpack, float *apack) {
    const int mr = p->kr->mr, nr = p->kr->nr;
    const ovGemmUkr ukr = p->kr->ukr;
    int64_t mb = (p->M + mr - 1) / mr;
    int64_t m0 = mb * ti / tm * mr, m1 = mb * (ti + 1) / tm * mr;
    if (m1 > p->M) m1 = p->M;
    if (m1 <= m0) return;
    int64_t mc_blk = even_block(m1 - m0, p->mc, mr);
    for (int64_t jc = 0; jc < p->N; jc += p->nc) {
        int64_t nc = p->N - jc < p->nc ? p->N - jc : p->nc;
        int64_t nb = (nc + nr - 1) / nr, s0 = nb * tj / tn, s1 = nb * (tj + 1) / tn;
        if (s1 <= s0) continue;
        for (int64_t pc = 0; pc < p->K; pc += p->kc) {
            int64_t kc = p->K - pc < p->kc ? p->K - pc : p->kc;
            ov_gemm_pack_b(p->tb, p->B, p->ldb, pc, kc, jc, nc, nr, s0, s1, bpack);
            float beta = pc == 0 ? p->beta : 1.0f; /* later K blocks add to what the first wrote */
            for (int64_t ic = m0; ic < m1; ic += mc_blk) {
                int64_t mc = m1 - ic < mc_blk ? m1 - ic : mc_blk;
                ov_gemm_pack_a(p->ta, p->A, p->lda, ic, mc, pc, kc, mr, apack);
                for (int64_t s = s0; s < s1; s++) {
                    int64_t j = jc + s * nr;
                    int w = p->N - j < nr ? (int)(p->N - j) : nr;
                    const float *bs = bpack + (s - s0) * kc * nr;
                    for (int64_t ir = 0; ir < mc; ir += mr) {
                        int h = mc - ir < mr ? (int)(mc - ir) : mr;
                        ukr(kc, apack + ir * kc, bs, p->C + (ic + ir) * p->ldc + j, p->ldc, p->alpha, beta, h, w);
                    }
                }
            }
        }
    }
}

/* C = beta * C (K = 0: the product is empty). */
static void scale_c(int64_t M, int64_t N, float beta, float *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
}

/* Products smaller than this many multiply-adds run on one thread: a parallel region costs a few
 * microseconds, as much as ~64^3 FMAs. */
#define PARALLEL_MIN_WORK (1 << 18)

static int threads_for(int64_t work) {
    if (work < PARALLEL_MIN_WORK || omp_in_parallel()) return 1;
    return omp_get_max_threads();
}

static void run_prob(const Prob *p, int want) {
    size_t stride = b_panel_floats(p) + a_block_floats(p);
    float *buf = alloc_floats(stride * (size_t)want);
#pragma omp parallel num_threads(want) if (want > 1)
    {
        int nth = omp_get_num_threads(), tid = omp_get_thread_num();
        int tm = choose_tm(p, nth), tn = nth / tm;
        float *mine = buf + stride * (size_t)tid;
        gemm_thread(p, tid / tn, tm, tid % tn, tn, mine, mine + b_panel_floats(p));
    }
    free(buf);
}

void ov_sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
              const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    Prob p = make_prob(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    run_prob(&p, threads_for(M * N * K));
}

void ov_sgemm_batched(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                      int64_t sa, const float *B, int64_t ldb, int64_t sb, float beta, float *C, int64_t ldc,
                      int64_t sc, int64_t batch) {
    if (batch <= 0 || M <= 0 || N <= 0) return;
    /* one shared B and A's matrices stacked row after row (x W^T over leading dims): a single
     * taller product, which packs B once */
    if (batch == 1 || (sb == 0 && !ta && sa == M * lda && sc == M * ldc)) {
        ov_sgemm(ta, tb, M * batch, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    int nth = threads_for(M * N * (K > 0 ? K : 1) * batch);
    int64_t per = M * N * K;
    /* whole products per thread when there are enough of them to balance, or they are small;
     * otherwise all threads on each product in turn */
    if (nth > 1 && batch >= nth && (batch % nth == 0 || batch >= 4 * nth || per < (1 << 20))) {
        if (K <= 0) {
#pragma omp parallel for num_threads(nth) schedule(static)
            for (int64_t b = 0; b < batch; b++) scale_c(M, N, beta, C + b * sc, ldc);
            return;
        }
        Prob p0 = make_prob(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        size_t bsz = b_panel_floats(&p0), asz = a_block_floats(&p0);
#pragma omp parallel num_threads(nth)
        {
            float *bpack = alloc_floats(bsz + asz), *apack = bpack + bsz;
#pragma omp for schedule(static)
            for (int64_t b = 0; b < batch; b++) {
                Prob p = p0;
                p.A = A + b * sa;
                p.B = B + b * sb;
                p.C = C + b * sc;
                gemm_thread(&p, 0, 1, 0, 1, bpack, apack);
            }
            free(bpack);
        }
        return;
    }
    for (int64_t b = 0; b < batch; b++)
        ov_sgemm(ta, tb, M, N, K, alpha, A + b * sa, lda, B + b * sb, ldb, beta, C + b * sc, ldc);
}
