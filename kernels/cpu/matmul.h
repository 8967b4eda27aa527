/* matmul.h: CPU kernels of the matmul family over kernel views: a batch of matrix products with
 * broadcast batch dims (torch.matmul after its 1-D operands were given a size-1 dim), and the
 * bias rows of nn.Linear.
 *
 * out [..., M, N] = a [..., M, K] @ b [..., K, N]: the three views have the same ndim >= 2 and the
 * same batch shape; a broadcast batch dim has stride 0 in a or b. out is written whole (its rows
 * contiguous: stride 1 along N, or N = 1). _ref copies each matrix out element by element and
 * runs ov_sgemm_ref (double accumulation); _fast hands the views to ov_sgemm_batched without copies
 * whenever one orientation of each operand has unit stride (a transposed view becomes a transpose
 * flag, a stride-0 batch dim a stride-0 batch), and copies an operand only when neither has. */
#ifndef OV_KMATMUL_H
#define OV_KMATMUL_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kmatmul_ref(const ovKView *out, const ovKView *a, const ovKView *b);
void ov_kmatmul_fast(const ovKView *out, const ovKView *a, const ovKView *b);

/* The mapping of views onto batched GEMMs, shared by the CPU (ov_kmatmul_fast) and the device
 * (ov_kmatmul_cuda): a backend gives the batched GEMM, the strided copy for operands that need
 * compacting, and their buffer allocation. */
typedef struct {
    void (*gemm)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                 int64_t sa, const float *B, int64_t ldb, int64_t sb, float beta, float *C, int64_t ldc, int64_t sc,
                 int64_t batch);
    void (*copy)(const ovKView *dst, const ovKView *src);
    void *(*alloc)(size_t bytes);
    void (*release)(void *p, size_t bytes);
} ovMatmulBackend;
void ov_kmatmul_with(const ovMatmulBackend *be, const ovKView *out, const ovKView *a, const ovKView *b);

#ifdef __cplusplus
}
#endif

#endif
