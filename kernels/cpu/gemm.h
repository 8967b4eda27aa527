/* gemm.h: single-precision matrix products on the CPU, row-major (C-order) like the tensors:
 *     C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
 * op(A) = A (lda >= K) or A^T when ta (A stored [K,M], lda >= M); same for B. beta = 0 ignores C's
 * contents (NaN included). _ref is the textbook triple loop in double; ov_sgemm is the fast one. */
#ifndef OV_GEMM_H
#define OV_GEMM_H

#include <stdbool.h>
#include <stdint.h>

void ov_sgemm_ref(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                  const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
void ov_sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
              const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
/* `batch` independent products; matrix b starts at A + b*sa, B + b*sb, C + b*sc (sa or sb may be 0
 * to reuse one operand). */
void ov_sgemm_batched(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                      int64_t sa, const float *B, int64_t ldb, int64_t sb, float beta, float *C, int64_t ldc,
                      int64_t sc, int64_t batch);

#endif
