/* optim.h: fused optimizer updates over contiguous f32 buffers of n parameters (CPU). _ref walks
 * the elements one by one; _fast splits them among OpenMP threads in vectorisable chunks. The
 * formulas are kernels/optim_math.h's, so both give the same bits. */
#ifndef OV_KOPTIM_H
#define OV_KOPTIM_H

#include "kernels/optim_math.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_ksgd_ref(const ovSgdHyper *h, float *p, const float *g, float *buf, int64_t n);
void ov_ksgd_fast(const ovSgdHyper *h, float *p, const float *g, float *buf, int64_t n);
void ov_kadamw_ref(const ovAdamwHyper *h, float *p, const float *g, float *m, float *v, int64_t n);
void ov_kadamw_fast(const ovAdamwHyper *h, float *p, const float *g, float *m, float *v, int64_t n);

#ifdef __cplusplus
}
#endif

#endif
