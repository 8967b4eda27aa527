/* index.c: the joining, indexing and sorting family: torch.cat/stack/split/chunk (index_join.c),
 * index_select/gather/scatter_add/embedding (index_gather.c), repeat/F.pad/flip (index_tile.c) and
 * sort/topk/argsort (index_sort.c). This file lists their op-table entries and holds the helpers
 * they share. Kernels: kernels/cpu/index.h, and their device twins in kernels/cuda/index.h. */
#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/index_ops.h"

ovOpDef *const ov_ops_index[] = {
    /* index_join.c */
    &ov_op_cat, &ov_op_stack, &ov_op_split, &ov_op_chunk,
    /* index_gather.c */
    &ov_op_index_select, &ov_op_index_add, &ov_op_gather, &ov_op_scatter_add, &ov_op_embedding,
    /* index_tile.c */
    &ov_op_repeat, &ov_op_pad, &ov_op_flip,
    /* index_sort.c */
    &ov_op_topk, &ov_op_sort, &ov_op_argsort,
    NULL,
};

int ov_index_wrap_dim(const ovOpCall *c, int64_t dim, int ndim) {
    int n = ndim ? ndim : 1;
    if (dim < -n || dim >= n)
        ov_op_fail(c, "dim %lld is out of range for a tensor with %d dims (expected %d..%d)", (long long)dim, ndim, -n,
                   n - 1);
    return (int)(dim < 0 ? dim + n : dim);
}

ovTensor *ov_index_f32(ovTensor *g) { return g ? ov_to(g, OV_F32) : NULL; }
