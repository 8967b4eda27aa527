/* gemm_scalar.c: the portable GEMM micro-kernel (gemm_kernel.h) in plain C, for CPUs without
 * AVX2 and for testing the driver apart from the SIMD kernels. A 4 x 8 tile of accumulators in a
 * local array; the compiler may vectorise it with whatever the base target offers (SSE2). */
#include "kernels/cpu/gemm_kernel.h"

#define MR 4
#define NR 8

static void ukr_scalar(int64_t kc, const float *restrict a, const float *restrict b, float *restrict c, int64_t ldc,
                       float alpha, float beta, int mr, int nr) {
    float acc[MR][NR] = {{0}};
    for (int64_t k = 0; k < kc; k++) {
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) acc[i][j] += a[i] * b[j];
        a += MR;
        b += NR;
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            float *cij = c + i * ldc + j;
            *cij = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *cij;
        }
}

const ovGemmKernel ov_gemm_kernel_scalar = {"scalar", MR, NR, ukr_scalar};
