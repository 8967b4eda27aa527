/* im2col.h: the column lowering of the device convolutions (kernels/cuda/conv.cu): the CUDA twins
 * of kernels/cpu/im2col.h, with the same geometry (ovColGeom: one image of g->C channels, any
 * strides) and the same column layouts, for nb images at once: image i is img + i*ns and its
 * columns are block i of the buffer (rows * m floats each). Columns [j0, j0 + m) of every image.
 *
 *   im2col:        col[i][r][jj]  = tap (r, j0 + jj) of image i (zero in the padding)
 *   col2im_add:    image i        += the adjoint of im2col applied to col[i], computed as a gather:
 *                  each image element's thread sums the (r, jj) that read it, so no two threads
 *                  write one element and no atomics are needed (deterministic)
 *   patch_gather:  colT[i][jj][r] = tap (r, j0 + jj) of image i (ov_col_is_patch geometry)
 *   patch_add:     image i        += the adjoint of patch_gather; patches do not overlap, so every
 *                  element receives at most one value and each thread owns its element */
#ifndef OV_CUDA_IM2COL_H
#define OV_CUDA_IM2COL_H

#include "kernels/cpu/im2col.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_im2col_cuda(float *col, const float *img, int64_t ns, const ovColGeom *g, int64_t nb, int64_t j0, int64_t m);
void ov_col2im_add_cuda(float *img, int64_t ns, const float *col, const ovColGeom *g, int64_t nb, int64_t j0,
                        int64_t m);
void ov_patch_gather_cuda(float *colT, const float *img, int64_t ns, const ovColGeom *g, int64_t nb, int64_t j0,
                          int64_t m);
void ov_patch_add_cuda(float *img, int64_t ns, const float *colT, const ovColGeom *g, int64_t nb, int64_t j0,
                       int64_t m);

#ifdef __cplusplus
}
#endif

#endif
