/* gemm_kernel.h: what the GEMM driver (gemm.c) needs from a micro-kernel file (gemm_avx512.c,
 * gemm_avx2.c, gemm_scalar.c). Internal to kernels/cpu.
 *
 * A micro-kernel multiplies one packed MR x kc sliver of A by one packed kc x NR sliver of B and
 * writes the MR x NR tile of C:  C = alpha * acc + beta * C  (beta == 0: C is not read).
 * Packed layouts (gemm_pack.c): the A sliver holds a[k*MR + i], the B sliver b[k*NR + j], both
 * zero-padded to full MR/NR, 64-byte aligned. Only the top-left mr x nr corner of the tile is
 * stored (edge tiles). */
#ifndef OV_GEMM_KERNEL_H
#define OV_GEMM_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*ovGemmUkr)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, float alpha,
                          float beta, int mr, int nr);

typedef struct {
    const char *name;
    int mr, nr; /* tile shape; nr is a multiple of the vector width */
    ovGemmUkr ukr;
} ovGemmKernel;

extern const ovGemmKernel ov_gemm_kernel_scalar;
extern const ovGemmKernel ov_gemm_kernel_avx2;
extern const ovGemmKernel ov_gemm_kernel_avx512;

/* Packs rows [i0, i0+mc) x cols [k0, k0+kc) of op(A) into ceil(mc/mr) slivers of mr x kc. */
void ov_gemm_pack_a(bool ta, const float *A, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc, int mr,
                    float *dst);
/* Packs slivers [s0, s1) (of nr columns each, counted from column j0) of rows [k0, k0+kc) of
 * op(B), columns clipped to [j0, j0+nc), into dst (sliver s at dst + (s-s0)*kc*nr). */
void ov_gemm_pack_b(bool tb, const float *B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
                    int64_t s0, int64_t s1, float *dst);

#endif
