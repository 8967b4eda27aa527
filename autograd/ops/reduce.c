/* reduce.c: op-table entries of the reduction family (torch.sum, ...). Every reduction takes a
 * list of dims (empty = all) and keepdim; the kernel sees the keepdim shape. */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cuda/reduce.h"

enum { A_DIMS, A_KEEPDIM };

/* Output shapes of a reduction: keepdim shape (reduced dims set to 1) and the final shape. */
static int reduced_shape(const ovOpCall *c, int64_t *keep, int64_t *final) {
    const ovTensor *x = c->in[0];
    unsigned mask = ov_dims_mask(c, A_DIMS, x->ndim);
    int n = 0;
    for (int d = 0; d < x->ndim; d++) {
        bool r = mask >> d & 1;
        keep[d] = r ? 1 : x->shape[d];
        if (!r || c->attr[A_KEEPDIM].i) final[n++] = keep[d];
    }
    return n;
}

static void reduce_check(const ovOpCall *c) {
    int64_t keep[OV_MAX_DIMS], final[OV_MAX_DIMS];
    reduced_shape(c, keep, final);
}

static int sum_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t keep[OV_MAX_DIMS], final[OV_MAX_DIMS];
    int nf = reduced_shape(c, keep, final);
    out[0] = ov_empty(nf, final, OV_F32);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x);
    o.ndim = x->ndim; /* the same memory seen with the keepdim shape */
    int64_t s = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        o.shape[d] = keep[d];
        o.stride[d] = s;
        s *= keep[d];
    }
    OV_KERNEL(c, ov_ksum, &o, &xv);
    return 1;
}

/* The gradient of a reduction output, reshaped to the keepdim shape and expanded to x's shape. */
static ovTensor *expand_back(ovNode *n, ovTensor *g) {
    int64_t keep[OV_MAX_DIMS], final[OV_MAX_DIMS];
    ovTensor *x = n->call.in[0];
    reduced_shape(&n->call, keep, final);
    return ov_expand(ov_reshape(g, x->ndim, keep), x->ndim, x->shape);
}

static void sum_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    gin[0] = ov_contiguous(expand_back(n, gout[0]));
}

/* Cases: all dims, one inner dim, leading dims (last kept), several dims of a strided view. */
static bool reduce_case(int k, ovOpCall *c) {
    static const int64_t shapes[][4] = {{3, 4, 5}, {6, 37}, {9, 5, 131}, {4, 3, 5, 6}, {70, 300}};
    static const int nds[] = {3, 2, 3, 4, 2};
    static const int64_t dims[][3] = {{0}, {-1}, {0, 1}, {1, 3}, {1}};
    static const int ndims[] = {0, 1, 2, 2, 1};
    if (k >= 5) return false;
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, ov_tg_layout(k), 400 + (uint64_t)k);
    c->attr[A_DIMS].n = ndims[k];
    memcpy(c->attr[A_DIMS].v, dims[k], sizeof dims[k]);
    c->attr[A_KEEPDIM].i = k % 2;
    return true;
}

#define REDUCE_ATTRS .attrs = {{"dims", OV_ATTR_INTS, ""}, {"keepdim", OV_ATTR_BOOL, "false"}}

static ovOpDef op_sum = {
    .name = "sum", .doc = "sum over dims (all when empty)", .args = {{"x", OV_ARG_FLOAT, 0}}, REDUCE_ATTRS,
    .outputs = "out", .flags = OV_OP_CUDA, .check = reduce_check, .forward = sum_forward, .backward = sum_backward,
    .make_case = reduce_case, .fast_tol = 64,
};

ovOpDef *const ov_ops_reduce[] = {&op_sum, NULL};

static void set_dims(ovOpCall *c, int ndims, const int64_t *dims, bool keepdim) {
    if (ndims > OV_MAX_INTS) ov_op_fail(c, "too many dims (%d)", ndims);
    c->attr[A_DIMS].n = ndims;
    for (int i = 0; i < ndims; i++) c->attr[A_DIMS].v[i] = dims[i];
    c->attr[A_KEEPDIM].i = keepdim;
}

ovTensor *ov_sum(ovTensor *x, int ndims, const int64_t *dims, bool keepdim) {
    ovOpCall c = ov_call(&op_sum);
    c.in[0] = x;
    set_dims(&c, ndims, dims, keepdim);
    return ov_apply1(&c);
}
