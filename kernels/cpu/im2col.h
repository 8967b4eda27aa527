/* im2col.h: the lowering of N-d convolution to GEMM (Caffe's im2col, vol2col in 3-D), used by the
 * fast kernels of conv.c. One group of one image [C, D, H, W] (any strides) becomes the matrix
 * col[r, j] with rows r = (c, kd, kh, kw) and columns j = (od, oh, ow), the value of the tap that
 * output j reads through kernel offset r (zero where it falls in the padding). col2im is its
 * adjoint (scatter-add back into the image). The patch variants handle kernel == stride without
 * padding, where windows do not overlap: there the transposed layout colT[j, r] copies whole runs
 * of kw contiguous pixels. Column ranges [j0, j1) let callers bound the buffer (chunking). */
#ifndef OV_IM2COL_H
#define OV_IM2COL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/cpu/conv.h" /* ovConvParams */
#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int64_t C;        /* channels of the group */
    int64_t in[3];    /* image sizes (d, h, w) */
    int64_t cs;       /* image channel stride */
    int64_t is[3];    /* image strides (d, h, w) */
    int64_t k[3];     /* kernel sizes */
    int64_t out[3];   /* output sizes: the columns */
    int64_t s[3], p[3], d[3];
} ovColGeom;

static inline int64_t ov_col_rows(const ovColGeom *g) { return g->C * g->k[0] * g->k[1] * g->k[2]; }
static inline int64_t ov_col_cols(const ovColGeom *g) { return g->out[0] * g->out[1] * g->out[2]; }

/* col[r * ld + (j - j0)] for j in [j0, j1). */
void ov_im2col(float *col, int64_t ld, const float *img, const ovColGeom *g, int64_t j0, int64_t j1);
/* img[tap of (r, j)] += col[r * ld + (j - j0)] for j in [j0, j1). */
void ov_col2im_add(float *img, const float *col, int64_t ld, const ovColGeom *g, int64_t j0, int64_t j1);

/* True when windows tile without overlap: k == s, no padding, no dilation where k > 1, and every
 * window inside the image. */
bool ov_col_is_patch(const ovColGeom *g);

/* Geometry of the C channels of image view img (5-D, [N,C,T,H,W]) for output sizes `out`. */
ovColGeom ov_col_geom(const ovKView *img, int64_t C, const int64_t *k, const int64_t *out, const ovConvParams *p);
/* Geometry of a contiguous image of C channels and sizes `in` (a transposed conv's output). */
ovColGeom ov_col_geom_contig(int64_t C, const int64_t *in, const int64_t *k, const int64_t *out,
                             const ovConvParams *p);
/* Whether v's dims from `lead` on are contiguous (what a GEMM operand's rows need). */
bool ov_kv_tail_contiguous(const ovKView *v, int lead);
/* colT[(j - j0) * rows + r] for columns j in [j0, j1) (patch geometry only). */
void ov_patch_gather(float *colT, const float *img, const ovColGeom *g, int64_t j0, int64_t j1);
/* img[tap of (r, j)] += colT[(j - j0) * rows + r] for j in [j0, j1) (patch geometry only). */
void ov_patch_scatter_add(float *img, const float *colT, const ovColGeom *g, int64_t j0, int64_t j1);

#ifdef __cplusplus
}
#endif

#endif
