/* emu_cublas.cpp: cuBLAS for the emulated backend (see cublas_emu.h). A column-major matrix read
 * as row-major is its transpose, so the column-major product C = op(A) op(B) is the row-major
 * product C^T = op(B)^T op(A)^T, which the CPU GEMM computes. Half-precision inputs are widened
 * to f32 first (cuBLAS's CUBLAS_COMPUTE_32F), and the f32 result rounded to C's type. */
#include "kernels/emu/cublas_emu.h"

#include <stdlib.h>

extern "C" {
#include "kernels/cpu/gemm.h"
}
#include "kernels/half.h"

struct ov_emu_cublas {
    int unused;
};

cublasStatus_t cublasCreate(cublasHandle_t *h) {
    *h = (cublasHandle_t)calloc(1, sizeof(struct ov_emu_cublas));
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t h) {
    free(h);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s) {
    (void)h;
    (void)s;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const float *alpha, const float *A, int lda, long long sa,
                                         const float *B, int ldb, long long sb, const float *beta, float *C, int ldc,
                                         long long sc, int batch) {
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (m < 0 || n < 0 || k < 0 || batch < 0) return CUBLAS_STATUS_INVALID_VALUE;
    ov_sgemm_batched(tb == CUBLAS_OP_T, ta == CUBLAS_OP_T, n, m, k, *alpha, B, ldb, sb, A, lda, sa, *beta, C, ldc, sc,
                     batch);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta,
                           float *C, int ldc) {
    return cublasSgemmStridedBatched(h, ta, tb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

/* A column-major (rows x cols, ld) operand of any type as a packed f32 column-major copy. */
static float *widen(const void *p, cudaDataType t, int rows, int cols, int ld) {
    float *out = (float *)malloc(sizeof(float) * (size_t)(rows > 0 ? rows : 1) * (size_t)(cols > 0 ? cols : 1));
    for (int c = 0; c < cols; c++)
        for (int r = 0; r < rows; r++) {
            size_t i = (size_t)c * (size_t)ld + (size_t)r;
            float v = t == CUDA_R_32F ? ((const float *)p)[i]
                      : t == CUDA_R_16BF ? ov_bf16_to_f32(((const uint16_t *)p)[i])
                                         : ov_f16_to_f32(((const uint16_t *)p)[i]);
            out[(size_t)c * (size_t)rows + (size_t)r] = v;
        }
    return out;
}

cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                          int k, const void *alpha, const void *A, cudaDataType at, int lda,
                                          long long sa, const void *B, cudaDataType bt, int ldb, long long sb,
                                          const void *beta, void *C, cudaDataType ct, int ldc, long long sc, int batch,
                                          cublasComputeType_t compute, cublasGemmAlgo_t algo) {
    (void)algo;
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (compute != CUBLAS_COMPUTE_32F || m < 0 || n < 0 || k < 0) return CUBLAS_STATUS_INVALID_VALUE;
    size_t ez_a = at == CUDA_R_32F ? 4 : 2, ez_b = bt == CUDA_R_32F ? 4 : 2, ez_c = ct == CUDA_R_32F ? 4 : 2;
    int ar = ta == CUBLAS_OP_N ? m : k, ac = ta == CUBLAS_OP_N ? k : m;
    int br = tb == CUBLAS_OP_N ? k : n, bc = tb == CUBLAS_OP_N ? n : k;
    float *c32 = (float *)malloc(sizeof(float) * (size_t)(m > 0 ? m : 1) * (size_t)(n > 0 ? n : 1));
    for (int b = 0; b < batch; b++) {
        float *a32 = widen((const char *)A + (size_t)b * (size_t)sa * ez_a, at, ar, ac, lda);
        float *b32 = widen((const char *)B + (size_t)b * (size_t)sb * ez_b, bt, br, bc, ldb);
        char *cb = (char *)C + (size_t)b * (size_t)sc * ez_c;
        float *cin = widen(cb, ct, m, n, ldc);
        const float one = 1.0f, zero = 0.0f;
        float bet = *(const float *)beta;
        for (int i = 0; i < m * n; i++) c32[i] = bet == 0.0f ? 0.0f : bet * cin[i];
        cublasSgemm(h, ta, tb, m, n, k, (const float *)alpha, a32, ar, b32, br, bet == 0.0f ? &zero : &one, c32, m);
        for (int c = 0; c < n; c++)
            for (int r = 0; r < m; r++) {
                float v = c32[(size_t)c * (size_t)m + (size_t)r];
                size_t i = (size_t)c * (size_t)ldc + (size_t)r;
                if (ct == CUDA_R_32F) ((float *)cb)[i] = v;
                else if (ct == CUDA_R_16BF) ((uint16_t *)cb)[i] = ov_f32_to_bf16(v);
                else ((uint16_t *)cb)[i] = ov_f32_to_f16(v);
            }
        free(a32);
        free(b32);
        free(cin);
    }
    free(c32);
    return CUBLAS_STATUS_SUCCESS;
}

const char *cublasGetStatusString(cublasStatus_t s) {
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}
