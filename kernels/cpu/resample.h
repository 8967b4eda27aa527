/* resample.h: CPU kernels of the resampling family: F.interpolate (nearest, linear, bilinear,
 * bicubic, trilinear), F.grid_sample (2-D, bilinear, zero padding) and torchvision.ops.roi_align,
 * with their backward passes.
 *
 * The coordinate rules (kernels/resample_math.h) are the definition shared by the reference, the
 * fast and the CUDA kernels. _ref kernels accumulate in double, one output element at a time;
 * _fast kernels use precomputed tables, float accumulation and OpenMP over independent planes or
 * rows. Every backward scatters without atomics: each thread owns whole gradient planes, so the
 * results are deterministic for a given thread count. */
#ifndef OV_KRESAMPLE_H
#define OV_KRESAMPLE_H

#include "kernels/kview.h"
#include "kernels/resample_math.h"

/* ================= interpolate ================= */

/* x [N,C,in...] -> out [N,C,out...] with 1, 2 or 3 spatial dims. */
void ov_kinterp_ref(const ovKInterp *p, const ovKView *out, const ovKView *x);
void ov_kinterp_fast(const ovKInterp *p, const ovKView *out, const ovKView *x);
/* The adjoint: gx [N,C,in...] = sum of g [N,C,out...] scattered with the forward's weights. */
void ov_kinterp_backward_ref(const ovKInterp *p, const ovKView *gx, const ovKView *g);
void ov_kinterp_backward_fast(const ovKInterp *p, const ovKView *gx, const ovKView *g);

/* ================= grid_sample ================= */

/* x [N,C,H,W], grid [N,Ho,Wo,2] (x, y) -> out [N,C,Ho,Wo]. */
void ov_kgrid_sample_ref(bool align_corners, const ovKView *out, const ovKView *x, const ovKView *grid);
void ov_kgrid_sample_fast(bool align_corners, const ovKView *out, const ovKView *x, const ovKView *grid);
/* gx [N,C,H,W] and ggrid [N,Ho,Wo,2] from g [N,C,Ho,Wo]. */
void ov_kgrid_sample_backward_ref(bool align_corners, const ovKView *gx, const ovKView *ggrid, const ovKView *g,
                                  const ovKView *x, const ovKView *grid);
void ov_kgrid_sample_backward_fast(bool align_corners, const ovKView *gx, const ovKView *ggrid, const ovKView *g,
                                   const ovKView *x, const ovKView *grid);

/* ================= roi_align ================= */

/* x [N,C,H,W], boxes [K,5] -> out [K,C,out_h,out_w]. Rois whose batch index is outside [0,N) give
 * zeros (the op layer rejects them before). */
void ov_kroi_align_ref(const ovKRoi *p, const ovKView *out, const ovKView *x, const ovKView *boxes);
void ov_kroi_align_fast(const ovKRoi *p, const ovKView *out, const ovKView *x, const ovKView *boxes);
/* gx [N,C,H,W] from g [K,C,out_h,out_w]. */
void ov_kroi_align_backward_ref(const ovKRoi *p, const ovKView *gx, const ovKView *g, const ovKView *boxes);
void ov_kroi_align_backward_fast(const ovKRoi *p, const ovKView *gx, const ovKView *g, const ovKView *boxes);

#endif
