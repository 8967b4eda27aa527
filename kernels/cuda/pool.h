/* pool.h: CUDA twins of the pooling kernels of kernels/cpu/pool.h (same arguments and contract;
 * the views point to device memory, outputs are contiguous). The input gradients gather: one
 * thread per input element sums over the windows that contain it, so no two threads write the
 * same element and no atomics are needed (deterministic). */
#ifndef OV_CUDA_POOL_H
#define OV_CUDA_POOL_H

#include "kernels/cpu/pool.h"
#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kmax_pool_cuda(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p);
void ov_kmax_pool_backward_cuda(const ovKView *gx, const ovKView *gy, const ovKView *idx, const ovPoolParams *p);
void ov_kavg_pool_cuda(const ovKView *y, const ovKView *x, const ovPoolParams *p);
void ov_kavg_pool_backward_cuda(const ovKView *gx, const ovKView *gy, const ovPoolParams *p);

#ifdef __cplusplus
}
#endif

#endif
