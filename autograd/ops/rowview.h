/* rowview.h: kernel views for the row-wise families (norm, layer norm, attention): the normalised
 * dim moved last or the last dims merged into one row dim (kernels/cpu/rowwise.h walks the rest), and
 * a contiguous copy made without autograd for kernels that need mergeable strides. */
#ifndef OV_OPS_ROWVIEW_H
#define OV_OPS_ROWVIEW_H

#include "autograd/op.h"
#include "kernels/kview.h"

/* v with dim d moved last (the row dim); a 0-dim view becomes one row of one element. */
ovKView ov_kview_move_last(ovKView v, int d);
/* v with its last k dims merged into one row dim, or false when their strides do not allow it. */
bool ov_kview_merge_last(ovKView v, int k, ovKView *out);
/* dim wrapped into [0, ndim) (a 0-dim tensor takes 0 and -1); fails the op when out of range. */
int ov_op_wrap_dim(const ovOpCall *c, int64_t dim, int ndim);
/* t when contiguous (or NULL), else a contiguous copy on t's device that records no autograd node. */
ovTensor *ov_raw_contiguous(ovTensor *t);

#endif
