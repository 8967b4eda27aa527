/* rowwise.h: the rows that the row-wise kernels (softmax, layer norm, normalize, attention) walk.
 * All views have one shape; a row is the last dim (any stride), and there is one row for every
 * position of the other dims. Normalising over dim 1 of a channels-first tensor gives rows whose
 * elements are far apart while neighbouring rows are neighbours in memory; then rows are handed out
 * in blocks of up to OV_ROWS_BLOCK neighbours, so that the kernel vectorises across the block
 * instead of along the row. Either way a kernel sees: row r, element k of view v at
 *     base_v + r * rstep[v] + k * kstep[v]     (0 <= r < width, 0 <= k < n).
 * The CUDA kernels (kernels/cuda/rowwise.cuh) take one row per work item and choose how threads
 * share rows themselves. */
#ifndef OV_KROWWISE_H
#define OV_KROWWISE_H

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OV_ROWS_BLOCK 64
#define OV_ROWS_MAXV 6

typedef struct {
    int nv, ndim;               /* ndim: dims left after merging, the row dim last */
    int64_t shape[OV_KMAX_DIMS];
    int64_t stride[OV_ROWS_MAXV][OV_KMAX_DIMS];
    int64_t n;                  /* row length */
    int64_t kstep[OV_ROWS_MAXV], rstep[OV_ROWS_MAXV];
    int64_t width;              /* rows per block: OV_ROWS_BLOCK when blocking, else 1 */
    int64_t per_line, items;    /* blocks along the dim before the row dim; work items in all */
} ovRows;

/* views[v] may be NULL (strides 0). Blocks are used when every view in `unit` (bit v = view v)
 * has unit stride on the dim before the row dim and a non-unit stride along the row. */
void ov_rows_init(ovRows *r, int nv, const ovKView *const *views, unsigned unit);
/* The same walk with one row per work item (width 1): item i is row i in row-major order of the
 * other dims, and rstep still gives the step between neighbouring rows of the last merged dim. */
void ov_rows_init_single(ovRows *r, int nv, const ovKView *const *views);
/* Work item i (0 <= i < items): element offsets of its first row in each view; returns its width. */
int64_t ov_rows_at(const ovRows *r, int64_t i, int64_t *off);

#ifdef __cplusplus
}
#endif

#endif
