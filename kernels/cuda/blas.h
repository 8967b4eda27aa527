/* blas.h: matrix products on the device through cuBLAS, with the row-major contract of
 * kernels/cpu/gemm.h (so an op calls the CPU or the device product with the same arguments).
 * f32 throughout; the _ex form takes bf16/f16 operands with f32 accumulation. */
#ifndef OV_CUDA_BLAS_H
#define OV_CUDA_BLAS_H

#include <stdbool.h>
#include <stdint.h>

#include "tensor/dtype.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_sgemm_cuda(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                   const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
void ov_sgemm_batched_cuda(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                           int64_t sa, const float *B, int64_t ldb, int64_t sb, float beta, float *C, int64_t ldc,
                           int64_t sc, int64_t batch);
/* Mixed precision: A, B and C of the given dtypes (F32, BF16, F16), products accumulated in f32. */
void ov_gemm_batched_ex_cuda(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const void *A,
                             ovDType at, int64_t lda, int64_t sa, const void *B, ovDType bt, int64_t ldb, int64_t sb,
                             float beta, void *C, ovDType ct, int64_t ldc, int64_t sc, int64_t batch);

#ifdef __cplusplus
}
#endif

#endif
