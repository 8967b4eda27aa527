/* conv.h: CUDA twins of the convolution kernels of kernels/cpu/conv.h (same arguments and
 * contract: 5-D views [N, C, D, H, W], contiguous outputs, b may be NULL; the views point to
 * device memory). Deterministic: every sum runs in a fixed order, without atomics. */
#ifndef OV_CUDA_CONV_H
#define OV_CUDA_CONV_H

#include "kernels/cpu/conv.h"
#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kconv_cuda(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b, const ovConvParams *p);
void ov_kconv_transpose_cuda(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b,
                             const ovConvParams *p);
void ov_kconv_wgrad_cuda(const ovKView *gw, const ovKView *x, const ovKView *gy, const ovConvParams *p);

/* Tests only: cap the column buffer at n columns (n <= 0 restores the automatic size). Below one
 * image's columns a chunk is part of one image; from there on, as many whole images as fit. So
 * small inputs exercise chunk boundaries inside images and batches that leave a remainder. Not
 * thread-safe. */
void ov_kconv_set_chunk_cols_cuda(int64_t n);

#ifdef __cplusplus
}
#endif

#endif
