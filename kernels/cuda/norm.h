/* norm.h: CUDA twins of the row kernels of kernels/cpu/softmax.h and kernels/cpu/layernorm.h
 * (softmax, log_softmax and their backward; layer norm and its backward; normalize), with the
 * same arguments and contract; the views point to device memory. */
#ifndef OV_CUDA_NORM_H
#define OV_CUDA_NORM_H

#include <stdbool.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_ksoftmax_cuda(const ovKView *y, const ovKView *x, const ovKView *mask, bool log);
void ov_ksoftmax_backward_cuda(const ovKView *gx, const ovKView *g, const ovKView *y, bool log);

void ov_klayernorm_cuda(const ovKView *y, const ovKView *mean, const ovKView *rstd, const ovKView *x,
                        const ovKView *w, const ovKView *b, float eps);
void ov_klayernorm_backward_cuda(const ovKView *gx, const ovKView *gw, const ovKView *gb, const ovKView *g,
                                 const ovKView *x, const ovKView *w, const ovKView *mean, const ovKView *rstd);

void ov_knormalize_cuda(const ovKView *y, const ovKView *d, const ovKView *x, float eps);

#ifdef __cplusplus
}
#endif

#endif
