/* gemm_avx2.c: the AVX2+FMA GEMM micro-kernel (gemm_kernel.h), compiled for AVX2 through a target
 * attribute; gemm.c calls it only when the CPU has avx2 and fma.
 *
 * Tile 6 x 16 (the classic Haswell shape): 12 ymm accumulators, 2 for the B row, 1 for the
 * broadcast A value, out of 16 registers. Edge tiles use masked loads and stores. */
#include "kernels/cpu/gemm_kernel.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define MR 6
#define NR 16
#define AVX2 __attribute__((target("avx2,fma")))

/* Lane mask selecting the first n (clamped to 0..8) of 8 floats. */
AVX2 static __m256i first_lanes(int n) {
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

AVX2 static void ukr_avx2(int64_t kc, const float *restrict a, const float *restrict b, float *restrict c,
                          int64_t ldc, float alpha, float beta, int mr, int nr) {
    __m256 acc[MR][2];
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int64_t k = 0; k < kc; k++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
        for (int i = 0; i < MR; i++) {
            __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
        a += MR;
        b += NR;
    }
    __m256i m0 = first_lanes(nr), m1 = first_lanes(nr - 8);
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
        if (i >= mr) break;
        float *ci = c + i * ldc;
        __m256 r0, r1;
        if (beta == 0.0f) {
            r0 = _mm256_mul_ps(va, acc[i][0]);
            r1 = _mm256_mul_ps(va, acc[i][1]);
        } else {
            r0 = _mm256_fmadd_ps(va, acc[i][0], _mm256_mul_ps(vb, _mm256_maskload_ps(ci, m0)));
            r1 = _mm256_fmadd_ps(va, acc[i][1], _mm256_mul_ps(vb, _mm256_maskload_ps(ci + 8, m1)));
        }
        _mm256_maskstore_ps(ci, m0, r0);
        _mm256_maskstore_ps(ci + 8, m1, r1);
    }
}

const ovGemmKernel ov_gemm_kernel_avx2 = {"avx2", MR, NR, ukr_avx2};

#else
const ovGemmKernel ov_gemm_kernel_avx2 = {"avx2", 0, 0, 0};
#endif
