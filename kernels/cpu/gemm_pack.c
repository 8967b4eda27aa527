/* gemm_pack.c: packing of GEMM operands into the micro-kernels' sliver layout (gemm_kernel.h).
 * The transposes are absorbed here: whichever way A and B are stored, the micro-kernel reads one
 * contiguous stream, so the four (ta, tb) combinations run the same inner loop. Packing A is the
 * same operation as packing B^T (a sliver's elements for one k lie across source rows: a
 * transpose), and packing A^T the same as packing B (a straight copy per k). */
#include "kernels/cpu/gemm_kernel.h"

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

/* dst[k*w + i] = src[k*lds + i] for i < r (r <= w), zeros for r <= i < w: the sliver's elements
 * for one k are contiguous in the source (A^T, or B as stored). */
static void pack_copy(const float *src, int64_t lds, int r, int64_t kc, int w, float *dst) {
    for (int64_t k = 0; k < kc; k++) {
        const float *s = src + k * lds;
        float *d = dst + k * w;
        int i = 0;
#if defined(__SSE2__)
        for (; i + 4 <= r; i += 4) _mm_storeu_ps(d + i, _mm_loadu_ps(s + i));
#endif
        for (; i < r; i++) d[i] = s[i];
        for (; i < w; i++) d[i] = 0.0f;
    }
}

/* dst[k*w + i] = src[i*lds + k] for i < r, zeros for r <= i < w: the sliver's elements for one k
 * are strided in the source (A as stored, or B^T). Groups of 4 rows by 4 k are transposed in SSE
 * registers (baseline x86-64), so both the reads and the writes are 16-byte vectors. */
static void pack_transpose(const float *src, int64_t lds, int r, int64_t kc, int w, float *dst) {
    int i = 0;
#if defined(__SSE2__)
    for (; i + 4 <= r; i += 4) {
        const float *s0 = src + i * lds, *s1 = s0 + lds, *s2 = s1 + lds, *s3 = s2 + lds;
        int64_t k = 0;
        for (; k + 4 <= kc; k += 4) {
            __m128 r0 = _mm_loadu_ps(s0 + k), r1 = _mm_loadu_ps(s1 + k), r2 = _mm_loadu_ps(s2 + k),
                   r3 = _mm_loadu_ps(s3 + k);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            _mm_storeu_ps(dst + k * w + i, r0);
            _mm_storeu_ps(dst + (k + 1) * w + i, r1);
            _mm_storeu_ps(dst + (k + 2) * w + i, r2);
            _mm_storeu_ps(dst + (k + 3) * w + i, r3);
        }
        for (; k < kc; k++) {
            float *d = dst + k * w + i;
            d[0] = s0[k], d[1] = s1[k], d[2] = s2[k], d[3] = s3[k];
        }
    }
#endif
    for (; i < r; i++) {
        const float *s = src + i * lds;
        for (int64_t k = 0; k < kc; k++) dst[k * w + i] = s[k];
    }
    for (; i < w; i++)
        for (int64_t k = 0; k < kc; k++) dst[k * w + i] = 0.0f;
}

void ov_gemm_pack_a(bool ta, const float *A, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc, int mr,
                    float *dst) {
    for (int64_t s = 0; s * mr < mc; s++) {
        int64_t i = i0 + s * mr, left = mc - s * mr;
        int r = left < mr ? (int)left : mr;
        float *d = dst + s * mr * kc;
        if (ta) /* A stored [K,M] */
            pack_copy(A + k0 * lda + i, lda, r, kc, mr, d);
        else
            pack_transpose(A + i * lda + k0, lda, r, kc, mr, d);
    }
}

void ov_gemm_pack_b(bool tb, const float *B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
                    int64_t s0, int64_t s1, float *dst) {
    for (int64_t s = s0; s < s1; s++) {
        int64_t j = j0 + s * nr, left = nc - s * nr;
        int w = left < nr ? (int)left : nr;
        float *d = dst + (s - s0) * kc * nr;
        if (tb) /* B stored [N,K] */
            pack_transpose(B + j * ldb + k0, ldb, w, kc, nr, d);
        else
            pack_copy(B + k0 * ldb + j, ldb, w, kc, nr, d);
    }
}
