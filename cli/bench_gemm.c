/* bench_gemm.c: `ovad bench gemm`: GFLOP/s of ov_sgemm on square products and on the linear
 * layers of a ViT-B/16 (width 768, MLP 3072) for one image (197 tokens) and for 8 frames
 * (8 x 196 + 1 = 1569 tokens), laid out as ov_linear calls them (x [tokens, in] times W^T, W
 * stored [out, in]). Each line also times, at the same size and thread count, the loop that was
 * ov_sgemm before the packed kernel (i-k-j over row-major A and B, OpenMP over rows), and prints
 * the ratio: that ratio, not the raw GFLOP/s, is what carries over between machines. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "kernels/cpu/gemm.h"

typedef struct {
    bool tb;
    int64_t M, N, K;
    const float *A, *B;
    float *C;
} Job;

/* The baseline: C = A B, rows of C split among threads, each row accumulated k by k so that the
 * inner loop runs over contiguous rows of B and C (it vectorises). */
static void baseline_ikj(int64_t M, int64_t N, int64_t K, const float *A, const float *B, float *C) {
#pragma omp parallel for schedule(static) if (M * N * K > (1 << 18))
    for (int64_t i = 0; i < M; i++) {
        float *c = C + i * N;
        for (int64_t j = 0; j < N; j++) c[j] = 0.0f;
        for (int64_t k = 0; k < K; k++) {
            float a = A[i * K + k];
            const float *b = B + k * N;
            for (int64_t j = 0; j < N; j++) c[j] += a * b[j];
        }
    }
}

static void run_fast(void *p) {
    const Job *j = p;
    ov_sgemm(false, j->tb, j->M, j->N, j->K, 1.0f, j->A, j->K, j->B, j->tb ? j->K : j->N, 0.0f, j->C, j->N);
}

static void run_baseline(void *p) {
    const Job *j = p;
    baseline_ikj(j->M, j->N, j->K, j->A, j->B, j->C);
}

static float *random_floats(int64_t n, uint64_t seed) {
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, sizeof(float) * (size_t)n) != 0) return NULL;
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (float)((seed >> 40) & 0xFFFFFF) / (float)(1 << 23) - 1.0f;
    }
    return p;
}

static const struct {
    const char *name;
    int64_t M, N, K;
    bool tb;
} shapes[] = {
    {"square 256", 256, 256, 256, false},       {"square 512", 512, 512, 512, false},
    {"square 1024", 1024, 1024, 1024, false},   {"square 2048", 2048, 2048, 2048, false},
    {"vit 1 img 768>768", 197, 768, 768, true}, {"vit 1 img 768>3072", 197, 3072, 768, true},
    {"vit 1 img 3072>768", 197, 768, 3072, true}, {"vit 8 frm 768>768", 1569, 768, 768, true},
    {"vit 8 frm 768>3072", 1569, 3072, 768, true}, {"vit 8 frm 3072>768", 1569, 768, 3072, true},
};

int ov_bench_gemm(const ovBenchOpts *o) {
    ovGemmIsa isa = OV_GEMM_AUTO;
    if (o->isa) {
        while (isa < OV_GEMM_ISA_COUNT && strcmp(ov_gemm_isa_label(isa), o->isa)) isa++;
        if (isa == OV_GEMM_ISA_COUNT || !ov_gemm_set_isa(isa)) {
            fprintf(stderr, "ovad bench gemm: --isa %s is %s\n", o->isa,
                    isa == OV_GEMM_ISA_COUNT ? "not one of auto, scalar, avx2, avx512" : "not supported by this CPU");
            return 1;
        }
    }
    printf("gemm: fp32 C[M,N] = A[M,K] op(B), micro-kernel %s, %d CPUs; best of %d after a warmup.\n"
           "op(B) = B^T (W [N,K] as in ov_linear) on the vit lines. baseline: the i-k-j loop of the\n"
           "previous ov_sgemm (row-major A and B), same size and threads; ratio = GFLOP/s / baseline.\n\n",
           ov_gemm_isa_name(), omp_get_num_procs(), o->reps);
    printf("%-20s %5s %5s %5s %3s %8s %9s %7s\n", "shape", "M", "N", "K", "thr", "GFLOP/s", "baseline", "ratio");
    int64_t most = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t m = shapes[s].M * shapes[s].K > shapes[s].K * shapes[s].N ? shapes[s].M * shapes[s].K
                                                                          : shapes[s].K * shapes[s].N;
        m = m > shapes[s].M * shapes[s].N ? m : shapes[s].M * shapes[s].N;
        most = m > most ? m : most;
    }
    float *A = random_floats(most, 1), *B = random_floats(most, 2), *C = random_floats(most, 3);
    if (!A || !B || !C) {
        fprintf(stderr, "ovad bench gemm: out of memory\n");
        free(A), free(B), free(C);
        return 1;
    }
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        Job j = {shapes[s].tb, shapes[s].M, shapes[s].N, shapes[s].K, A, B, C};
        double flop = 2.0 * (double)j.M * (double)j.N * (double)j.K;
        for (int t = 0; t < o->n_threads; t++) {
            omp_set_num_threads(o->threads[t]);
            double fast = ov_bench_time(run_fast, &j, o->reps, 3.0);
            double base = ov_bench_time(run_baseline, &j, o->reps < 3 ? o->reps : 3, 2.0);
            printf("%-20s %5lld %5lld %5lld %3d %8.1f %9.1f %6.1fx\n", shapes[s].name, (long long)j.M,
                   (long long)j.N, (long long)j.K, o->threads[t], flop / fast * 1e-9, flop / base * 1e-9,
                   base / fast);
            fflush(stdout);
        }
    }
    free(A), free(B), free(C);
    ov_gemm_set_isa(OV_GEMM_AUTO);
    return 0;
}
