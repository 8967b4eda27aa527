/* optim.h: the fused SGD and AdamW updates on the device (twins of kernels/cpu/optim.h; pointers
 * to device memory). */
#ifndef OV_CUDA_OPTIM_H
#define OV_CUDA_OPTIM_H

#include "kernels/optim_math.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_ksgd_cuda(const ovSgdHyper *h, float *p, const float *g, float *buf, int64_t n);
void ov_kadamw_cuda(const ovAdamwHyper *h, float *p, const float *g, float *m, float *v, int64_t n);

#ifdef __cplusplus
}
#endif

#endif
