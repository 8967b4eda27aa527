/* layernorm.h: row normalisations over the last dim of the views (walked with rowwise.h, so the
 * last-dim LayerNorm of torch.nn.functional.layer_norm and the channels-first LayerNorm over dim 1
 * of STMixer/ConvNeXt share the kernels):
 *   layer norm:  y = (x - mean) * rstd * w + b,  rstd = 1/sqrt(var + eps), var biased;
 *                backward (xhat = (x - mean) * rstd, h = g * w, averages over the row):
 *                gx = rstd * (h - mean(h) - xhat * mean(h * xhat)),
 *                gw = sum over rows of g * xhat, gb = sum over rows of g;
 *   normalize:   y = x / max(||x||_2, eps)   (F.normalize with p = 2).
 * Per-row statistics (mean, rstd, the normalize divisor d) are views with x's shape and stride 0
 * along the row. w and b are 1-D views of the row length (the op passes ones / zeros when a module
 * has no affine parameters). gw and gb may be NULL. */
#ifndef OV_KLAYERNORM_H
#define OV_KLAYERNORM_H

#include "kernels/kview.h"

void ov_klayernorm_ref(const ovKView *y, const ovKView *mean, const ovKView *rstd, const ovKView *x,
                       const ovKView *w, const ovKView *b, float eps);
void ov_klayernorm_fast(const ovKView *y, const ovKView *mean, const ovKView *rstd, const ovKView *x,
                        const ovKView *w, const ovKView *b, float eps);

void ov_klayernorm_backward_ref(const ovKView *gx, const ovKView *gw, const ovKView *gb, const ovKView *g,
                                const ovKView *x, const ovKView *w, const ovKView *mean, const ovKView *rstd);
void ov_klayernorm_backward_fast(const ovKView *gx, const ovKView *gw, const ovKView *gb, const ovKView *g,
                                 const ovKView *x, const ovKView *w, const ovKView *mean, const ovKView *rstd);

void ov_knormalize_ref(const ovKView *y, const ovKView *d, const ovKView *x, float eps);
void ov_knormalize_fast(const ovKView *y, const ovKView *d, const ovKView *x, float eps);

#endif
