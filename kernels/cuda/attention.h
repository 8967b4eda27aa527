/* attention.h: CUDA twins of kernels/cpu/attention.h (scaled dot-product attention and its
 * backward), with the same arguments and contract; the views point to device memory. One
 * difference: the forward's mask may also be a bool view (true = may attend), which the device
 * applies as it reads the scores instead of converting it to an additive mask first. */
#ifndef OV_CUDA_ATTENTION_H
#define OV_CUDA_ATTENTION_H

#include <stdbool.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_ksdpa_cuda(const ovKView *out, const ovKView *p, const ovKView *q, const ovKView *k, const ovKView *v,
                   const ovKView *mask, bool causal, float scale);
void ov_ksdpa_backward_cuda(const ovKView *dq, const ovKView *dk, const ovKView *dv, const ovKView *dout,
                            const ovKView *dp, const ovKView *q, const ovKView *k, const ovKView *v, const ovKView *p,
                            float scale);

#ifdef __cplusplus
}
#endif

#endif
