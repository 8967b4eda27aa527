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

#include "kernels/kview.h"

void ov_kmatmul_ref(const ovKView *out, const ovKView *a, const ovKView *b);
void ov_kmatmul_fast(const ovKView *out, const ovKView *a, const ovKView *b);

/* out [P, N] += bias [N] on every row (out contiguous rows of N). */
void ov_kadd_rows(const ovKView *out, const ovKView *bias);

#endif
