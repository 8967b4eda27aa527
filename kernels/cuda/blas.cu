/* blas.cu: row-major GEMMs on cuBLAS (see blas.h). cuBLAS is column-major, and a row-major matrix
 * read column-major is its transpose, so the row-major C = op(A) op(B) is computed as the
 * column-major C^T = op(B)^T op(A)^T: the operands swap places and keep their transpose flags. */
#include "kernels/cuda/blas.h"
#include "kernels/cuda/common.cuh"

#if defined(OV_CUDA_EMULATED)
#include "kernels/emu/cublas_emu.h"
#else
#include <cublas_v2.h>
#endif

#include <pthread.h>

static cublasHandle_t handle(void) {
    static cublasHandle_t h;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    if (!h) {
        cublasStatus_t s = cublasCreate(&h);
        if (s != CUBLAS_STATUS_SUCCESS) {
            pthread_mutex_unlock(&lock);
            ov_panic("cublasCreate failed: %s", cublasGetStatusString(s));
        }
    }
    pthread_mutex_unlock(&lock);
    return h;
}

static void check(cublasStatus_t s, const char *what, int64_t M, int64_t N, int64_t K) {
    if (s != CUBLAS_STATUS_SUCCESS)
        ov_panic("%s (M=%lld N=%lld K=%lld) failed: %s", what, (long long)M, (long long)N, (long long)K,
                 cublasGetStatusString(s));
}

static void require_int(int64_t v, const char *what) {
    if (v > 2147483647) ov_panic("cuBLAS call with %s = %lld, beyond its 32-bit int arguments", what, (long long)v);
}

static cudaDataType cuda_type(ovDType t) {
    switch (t) {
    case OV_F32: return CUDA_R_32F;
    case OV_BF16: return CUDA_R_16BF;
    case OV_F16: return CUDA_R_16F;
    default: ov_panic("GEMM operands must be f32, bf16 or f16, got %s", ov_dtype_name(t));
    }
}

extern "C" void ov_sgemm_batched_cuda(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                                      int64_t lda, int64_t sa, const float *B, int64_t ldb, int64_t sb, float beta,
                                      float *C, int64_t ldc, int64_t sc, int64_t batch) {
    if (M == 0 || N == 0 || batch == 0) return;
    require_int(M, "M"), require_int(N, "N"), require_int(K, "K"), require_int(batch, "batch");
    require_int(lda, "lda"), require_int(ldb, "ldb"), require_int(ldc, "ldc");
    check(cublasSgemmStridedBatched(handle(), tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, (int)N,
                                    (int)M, (int)K, &alpha, B, (int)ldb, sb, A, (int)lda, sa, &beta, C, (int)ldc, sc,
                                    (int)batch),
          "cublasSgemmStridedBatched", M, N, K);
}

extern "C" void ov_sgemm_cuda(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                              int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    ov_sgemm_batched_cuda(ta, tb, M, N, K, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

extern "C" void ov_gemm_batched_ex_cuda(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const void *A,
                                        ovDType at, int64_t lda, int64_t sa, const void *B, ovDType bt, int64_t ldb,
                                        int64_t sb, float beta, void *C, ovDType ct, int64_t ldc, int64_t sc,
                                        int64_t batch) {
    if (M == 0 || N == 0 || batch == 0) return;
    require_int(M, "M"), require_int(N, "N"), require_int(K, "K"), require_int(batch, "batch");
    check(cublasGemmStridedBatchedEx(handle(), tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, (int)N,
                                     (int)M, (int)K, &alpha, B, cuda_type(bt), (int)ldb, sb, A, cuda_type(at), (int)lda,
                                     sa, &beta, C, cuda_type(ct), (int)ldc, sc, (int)batch, CUBLAS_COMPUTE_32F,
                                     CUBLAS_GEMM_DEFAULT),
          "cublasGemmStridedBatchedEx", M, N, K);
}
