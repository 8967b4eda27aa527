/* spatial.h: what the N-d convolution and pooling ops share. A 2-D op runs the 3-D kernel with a
 * depth of 1: tensors [N, C, H, W] are seen as [N, C, 1, H, W] and per-dim attributes (h, w) as
 * (neutral, h, w). */
#ifndef OV_OPS_SPATIAL_H
#define OV_OPS_SPATIAL_H

#include "autograd/op.h"
#include "kernels/kview.h"

/* 5-D kernel view of a [N, C, H, W] or [N, C, D, H, W] tensor (depth 1 inserted for 4-D). */
ovKView ov_kview5(const ovTensor *t);

/* Fails unless t has rank + 2 dims; `what` names it in the message ("x", "weight"). */
void ov_spatial_want(const ovOpCall *c, const ovTensor *t, const char *what, int rank);

/* Int-list attribute `a` for `rank` spatial dims, as three values (d, h, w): one value applies
 * to every dim; a 2-D op's depth gets `neutral`. Fails if the list has another length or a value
 * is below `min`. */
void ov_spatial_attr(const ovOpCall *c, int a, int rank, int64_t neutral, int64_t min, int64_t out[3]);

/* Sets int-list attribute `a` to the last `rank` of the three values v (for building calls). */
void ov_spatial_set(ovOpCall *c, int a, int rank, const int64_t v[3]);

/* Spatial sizes of a [N, C, ...] tensor as three (d, h, w); depth 1 for rank 2. */
void ov_spatial_sizes(const ovTensor *t, int rank, int64_t out[3]);

/* Output shape [N, C, sizes] for rank spatial dims, sizes given as three (d, h, w). */
void ov_spatial_shape(int rank, int64_t n, int64_t ch, const int64_t sizes[3], int64_t *shape);

/* Name of spatial dim i (0..2) of a rank-`rank` op: "depth", "height", "width". */
const char *ov_spatial_dim_name(int i);

#endif
