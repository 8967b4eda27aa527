/* index_ops.h: what the files of the index family (autograd/ops/index*.c) share: their op-table
 * entries, listed in index.c, and a few helpers. */
#ifndef OV_INDEX_OPS_H
#define OV_INDEX_OPS_H

#include "autograd/op.h"

/* index_join.c */
extern ovOpDef ov_op_cat, ov_op_stack, ov_op_split, ov_op_chunk;
/* index_gather.c */
extern ovOpDef ov_op_index_select, ov_op_index_add, ov_op_gather, ov_op_scatter_add, ov_op_embedding;
/* index_tile.c */
extern ovOpDef ov_op_repeat, ov_op_pad, ov_op_flip;
/* index_sort.c */
extern ovOpDef ov_op_topk, ov_op_sort, ov_op_argsort;

/* dim wrapped into [0, ndim); an out-of-range dim fails the call naming the op and inputs. */
int ov_index_wrap_dim(const ovOpCall *c, int64_t dim, int ndim);
/* A gradient as f32 (gradients of bf16/f16 activations may arrive in their dtype); NULL stays NULL. */
ovTensor *ov_index_f32(ovTensor *g);

#endif
