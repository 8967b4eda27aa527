/* gemm_pack.c: packing of GEMM operands into the micro-kernels' sliver layout (gemm_kernel.h).
 * The transposes are absorbed here: whichever way A and B are stored, the micro-kernel reads one
 * contiguous stream, so the four (ta, tb) combinations run the same inner loop. Every copy reads
 * the source along its contiguous direction; the strided side is the write into the small packed
 * sliver, which stays in L1. */
#include "kernels/cpu/gemm_kernel.h"

#include <string.h>

/* One sliver of `r` rows of op(A) (r <= mr), padded with zero rows up to mr. */
static void pack_a_sliver(bool ta, const float *A, int64_t lda, int64_t i0, int r, int64_t k0, int64_t kc, int mr,
                          float *dst) {
    if (ta) {
        /* A is stored [K,M]: for each k the sliver's rows are contiguous */
        for (int64_t k = 0; k < kc; k++) {
            const float *src = A + (k0 + k) * lda + i0;
            float *d = dst + k * mr;
            for (int i = 0; i < r; i++) d[i] = src[i];
            for (int i = r; i < mr; i++) d[i] = 0.0f;
        }
        return;
    }
    for (int i = 0; i < r; i++) {
        const float *src = A + (i0 + i) * lda + k0;
        for (int64_t k = 0; k < kc; k++) dst[k * mr + i] = src[k];
    }
    for (int i = r; i < mr; i++)
        for (int64_t k = 0; k < kc; k++) dst[k * mr + i] = 0.0f;
}

void ov_gemm_pack_a(bool ta, const float *A, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc, int mr,
                    float *dst) {
    for (int64_t s = 0; s * mr < mc; s++) {
        int64_t r = mc - s * mr;
        pack_a_sliver(ta, A, lda, i0 + s * mr, r < mr ? (int)r : mr, k0, kc, mr, dst + s * mr * kc);
    }
}

/* One sliver of `w` columns of op(B) (w <= nr), padded with zero columns up to nr. */
static void pack_b_sliver(bool tb, const float *B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int w, int nr,
                          float *dst) {
    if (!tb) {
        /* B is stored [K,N]: each k row of the sliver is contiguous */
        for (int64_t k = 0; k < kc; k++) {
            const float *src = B + (k0 + k) * ldb + j0;
            float *d = dst + k * nr;
            if (w == nr) {
                memcpy(d, src, sizeof(float) * (size_t)nr);
            } else {
                for (int j = 0; j < w; j++) d[j] = src[j];
                for (int j = w; j < nr; j++) d[j] = 0.0f;
            }
        }
        return;
    }
    /* B is stored [N,K]: each column of op(B) is contiguous */
    for (int j = 0; j < w; j++) {
        const float *src = B + (j0 + j) * ldb + k0;
        for (int64_t k = 0; k < kc; k++) dst[k * nr + j] = src[k];
    }
    for (int j = w; j < nr; j++)
        for (int64_t k = 0; k < kc; k++) dst[k * nr + j] = 0.0f;
}

void ov_gemm_pack_b(bool tb, const float *B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
                    int64_t s0, int64_t s1, float *dst) {
    for (int64_t s = s0; s < s1; s++) {
        int64_t w = nc - s * nr;
        pack_b_sliver(tb, B, ldb, k0, kc, j0 + s * nr, w < nr ? (int)w : nr, nr, dst + s * kc * nr);
    }
}
