/* conv.h: CPU kernels of N-d convolution (torch.nn.functional.conv2d/conv3d, conv_transpose2d/3d).
 * Every view is 5-D, [N, C, D, H, W]: a 2-D convolution is the 3-D one with depth 1, so these
 * kernels serve both. Output sizes come from the output views (the op layer computes them), so a
 * kernel never assumes PyTorch's size formula; taps that fall outside the input read zeros.
 *
 *   conv:       y[n,co,o]  = b[co] + sum_{ci in group(co), k} x[n,ci,o*s-p+k*d] w[co,ci',k]
 *   transpose:  the adjoint of conv in x: y[n,co,j] = b[co] + sum_{i*s-p+k*d = j} x[n,ci,i] w[ci,co',k]
 *               (weight [Cin, Cout/groups, k...] like PyTorch)
 *   wgrad:      gw[co,ci',k] = sum_{n,o} gy[n,co,o] x[n,ci,o*s-p+k*d]   (the weight gradient of conv)
 *
 * The input gradient of conv is a transposed convolution and that of a transposed convolution is a
 * convolution, so these three kernels cover both ops' forwards and backwards.
 * _ref: direct loops in double, one output element at a time. _fast: im2col/vol2col + GEMM
 * (kernels/cpu/gemm.h), col2im for the transpose, and plain GEMMs without im2col for 1x1x1
 * kernels and for non-overlapping patch embeddings (kernel == stride). Outputs must be contiguous;
 * b may be NULL (no bias). The device twins (_cuda) are in kernels/cuda/conv.h. */
#ifndef OV_KCONV_H
#define OV_KCONV_H

#include <stdint.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int64_t stride[3], pad[3], dil[3]; /* (d, h, w) */
    int64_t groups;
} ovConvParams;

void ov_kconv_ref(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b, const ovConvParams *p);
void ov_kconv_fast(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b, const ovConvParams *p);
void ov_kconv_transpose_ref(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b,
                            const ovConvParams *p);
void ov_kconv_transpose_fast(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b,
                             const ovConvParams *p);
/* gw [Cout, Cin/groups, kd, kh, kw] from the conv input x [N, Cin, ...] and output gradient gy. */
void ov_kconv_wgrad_ref(const ovKView *gw, const ovKView *x, const ovKView *gy, const ovConvParams *p);
void ov_kconv_wgrad_fast(const ovKView *gw, const ovKView *x, const ovKView *gy, const ovConvParams *p);

/* Tests only: cap the columns per im2col/patch chunk (n <= 0 restores the automatic size), so
 * that chunk boundaries are exercised on small inputs. Not thread-safe. */
void ov_kconv_set_chunk_cols(int64_t n);

#ifdef __cplusplus
}
#endif

#endif
