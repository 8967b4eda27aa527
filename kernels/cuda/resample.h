/* resample.h: CUDA twins of the resampling kernels of kernels/cpu/resample.h (same arguments and
 * contract; the views point to device memory): interpolate, grid_sample and roi_align with their
 * backward passes. They use the CPU's coordinate rules (kernels/resample_math.h), so the device
 * samples the same indices with the same weights. Every backward is a gather (each input-gradient
 * element sums, in a fixed order, what the outputs that read it send back): deterministic, with no
 * float atomics. */
#ifndef OV_CUDA_RESAMPLE_H
#define OV_CUDA_RESAMPLE_H

#include "kernels/kview.h"
#include "kernels/resample_math.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kinterp_cuda(const ovKInterp *p, const ovKView *out, const ovKView *x);
void ov_kinterp_backward_cuda(const ovKInterp *p, const ovKView *gx, const ovKView *g);

void ov_kgrid_sample_cuda(bool align_corners, const ovKView *out, const ovKView *x, const ovKView *grid);
void ov_kgrid_sample_backward_cuda(bool align_corners, const ovKView *gx, const ovKView *ggrid, const ovKView *g,
                                   const ovKView *x, const ovKView *grid);

void ov_kroi_align_cuda(const ovKRoi *p, const ovKView *out, const ovKView *x, const ovKView *boxes);
void ov_kroi_align_backward_cuda(const ovKRoi *p, const ovKView *gx, const ovKView *g, const ovKView *boxes);

#ifdef __cplusplus
}
#endif

#endif
