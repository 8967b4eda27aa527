/* reduce.h: CUDA twins of kernels/cpu/reduce.h (same contract: `out` has x's dims with size 1 on
 * the reduced ones). Deterministic: each output is reduced in a fixed order by one thread or one
 * block (shared-memory tree), never with atomics. */
#ifndef OV_CUDA_REDUCE_H
#define OV_CUDA_REDUCE_H

#include "kernels/cpu/reduce.h" /* ovRedKind */
#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kreduce_cuda(ovRedKind kind, const ovKView *out, const ovKView *idx, const ovKView *x, double param);
void ov_ksum_cuda(const ovKView *out, const ovKView *x);

#ifdef __cplusplus
}
#endif

#endif
