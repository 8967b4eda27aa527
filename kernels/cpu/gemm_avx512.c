/* gemm_avx512.c: the AVX-512 GEMM micro-kernel (gemm_kernel.h), compiled for AVX-512 through a
 * target attribute so the rest of the build stays generic x86-64; gemm.c calls it only when
 * __builtin_cpu_supports("avx512f").
 *
 * Tile 12 x 32: 24 zmm accumulators (12 rows x 2 vectors of 16 floats), 2 for the B row, and the
 * A values arrive as broadcast memory operands of the FMAs. Per k that is 24 FMAs for 2 vector
 * loads and 12 broadcasts, enough independent chains to keep both FMA pipes of a Zen 4/5 or
 * Skylake-X core busy (latency 4 x 2 pipes = 8 chains needed). */
#include "kernels/cpu/gemm_kernel.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define MR 12
#define NR 32
#define AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))

AVX512 static void ukr_avx512(int64_t kc, const float *restrict a, const float *restrict b, float *restrict c,
                              int64_t ldc, float alpha, float beta, int mr, int nr) {
    __m512 acc[MR][2];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; k++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
        for (int i = 0; i < MR; i++) {
            __m512 ai = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
        a += MR;
        b += NR;
    }
    /* masked stores clip the tile at the right edge of C; rows past mr are skipped */
    __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
        if (i >= mr) break;
        float *ci = c + i * ldc;
        __m512 r0, r1;
        if (beta == 0.0f) {
            r0 = _mm512_mul_ps(va, acc[i][0]);
            r1 = _mm512_mul_ps(va, acc[i][1]);
        } else {
            r0 = _mm512_fmadd_ps(va, acc[i][0], _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m0, ci)));
            r1 = _mm512_fmadd_ps(va, acc[i][1], _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m1, ci + 16)));
        }
        _mm512_mask_storeu_ps(ci, m0, r0);
        _mm512_mask_storeu_ps(ci + 16, m1, r1);
    }
}

const ovGemmKernel ov_gemm_kernel_avx512 = {"avx512", MR, NR, ukr_avx512};

#else
const ovGemmKernel ov_gemm_kernel_avx512 = {"avx512", 0, 0, 0};
#endif
