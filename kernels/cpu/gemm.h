/* gemm.h: single-precision matrix products on the CPU, row-major (C-order) like the tensors:
 *     C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
 * op(A) = A (lda >= K) or A^T when ta (A stored [K,M], lda >= M); same for B. beta = 0 ignores C's
 * contents (NaN included). _ref is the textbook triple loop in double; ov_sgemm is the fast one:
 * a packed, cache-blocked product in the style of BLIS (Van Zee & van de Geijn 2015) with SIMD
 * micro-kernels picked at run time (AVX-512, AVX2+FMA, or portable C) and OpenMP threads.
 * Results are deterministic: every element of C is summed over k in the same order whatever the
 * number of threads (only the K blocking, which depends on K alone, splits the sum). */
#ifndef OV_GEMM_H
#define OV_GEMM_H

#include <stdbool.h>
#include <stdint.h>

void ov_sgemm_ref(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                  const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
void ov_sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
              const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
/* `batch` independent products; matrix b starts at A + b*sa, B + b*sb, C + b*sc (sa or sb may be 0
 * to reuse one operand). Small products run one per thread; large ones use all threads each. */
void ov_sgemm_batched(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                      int64_t sa, const float *B, int64_t ldb, int64_t sb, float beta, float *C, int64_t ldc,
                      int64_t sc, int64_t batch);

/* Which micro-kernel ov_sgemm uses. AUTO (the default) picks the widest the CPU supports. */
typedef enum { OV_GEMM_AUTO = 0, OV_GEMM_SCALAR, OV_GEMM_AVX2, OV_GEMM_AVX512, OV_GEMM_ISA_COUNT } ovGemmIsa;

bool ov_gemm_isa_supported(ovGemmIsa isa); /* AUTO and SCALAR always are */
/* Forces one instruction set (for tests and benchmarks); returns false and changes nothing when the
 * CPU lacks it. Not thread-safe against products running at the same time. */
bool ov_gemm_set_isa(ovGemmIsa isa);
ovGemmIsa ov_gemm_isa(void);           /* the one in use, AUTO resolved */
const char *ov_gemm_isa_name(void);    /* "avx512", "avx2" or "scalar" */
const char *ov_gemm_isa_label(ovGemmIsa isa); /* name of any value, "auto" included */

#endif
