/* copy.h: CUDA strided copy with dtype conversion, and fill (the device twins of
 * kernels/cpu/copy.h; same contract: dst and src share a shape, src may broadcast with stride 0). */
#ifndef OV_CUDA_COPY_H
#define OV_CUDA_COPY_H

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kcopy_cuda(const ovKView *dst, const ovKView *src);
void ov_kfill_cuda(const ovKView *dst, double value);

#ifdef __cplusplus
}
#endif

#endif
