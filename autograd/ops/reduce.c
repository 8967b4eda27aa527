/* reduce.c: op-table entries of the reduction family: torch.sum, mean, var, logsumexp,
 * linalg.vector_norm (L2), amax, amin over a list of dims (empty = all) with keepdim, and
 * torch.max/min (values and indices along one dim), argmax, argmin. The kernel sees the keepdim
 * shape. Backward formulas follow PyTorch's derivatives.yaml and are composed of other ops. */
#include <math.h>
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cuda/reduce.h"

/* attributes: dims (a list, or one optional dim for max/min/argmax/argmin), keepdim, correction */
enum { A_DIMS, A_KEEPDIM, A_CORRECTION };

/* op->code: the kernel's ovRedKind plus which outputs the op has */
enum { WITH_INDEX = 1 << 8, NO_VALUES = 1 << 9 };

static ovRedKind red_kind(const ovOpCall *c) { return (ovRedKind)(c->op->code & 0xff); }

/* The reduced dims of x as a bitmask. */
static unsigned red_mask(const ovOpCall *c) {
    const ovTensor *x = c->in[0];
    if (c->op->attrs[A_DIMS].type == OV_ATTR_INTS) return ov_dims_mask(c, A_DIMS, x->ndim);
    unsigned all = x->ndim ? (1u << x->ndim) - 1 : 0;
    if (!c->attr[A_DIMS].set) return all;
    int64_t d = c->attr[A_DIMS].i, n = x->ndim ? x->ndim : 1;
    if (d < -n || d >= n) ov_op_fail(c, "dim %lld out of range for %d dims", (long long)d, x->ndim);
    return x->ndim ? 1u << (d < 0 ? d + n : d) : 0;
}

/* Output shapes of a reduction: keepdim shape (reduced dims set to 1) and the final shape;
 * *count gets the number of elements reduced into each output. */
static int reduced_shape(const ovOpCall *c, int64_t *keep, int64_t *final, int64_t *count) {
    const ovTensor *x = c->in[0];
    unsigned mask = red_mask(c);
    int n = 0;
    int64_t cnt = 1;
    for (int d = 0; d < x->ndim; d++) {
        bool r = mask >> d & 1;
        keep[d] = r ? 1 : x->shape[d];
        if (r) cnt *= x->shape[d];
        if (!r || c->attr[A_KEEPDIM].i) final[n++] = keep[d];
    }
    if (count) *count = cnt;
    return n;
}

static void reduce_check(const ovOpCall *c) {
    int64_t keep[OV_MAX_DIMS], final[OV_MAX_DIMS], count;
    int nf = reduced_shape(c, keep, final, &count);
    ovRedKind k = red_kind(c);
    if ((k == OV_RED_MAX || k == OV_RED_MIN) && count == 0 && ov_numel_shape(nf, final) > 0)
        ov_op_fail(c, "cannot take the %s of an empty dim", k == OV_RED_MAX ? "max" : "min");
}

/* The kernel view of a fresh output: its memory seen with x's number of dims (keepdim shape). */
static ovKView keep_view(const ovTensor *t, int ndim, const int64_t *keep) {
    ovKView v = ov_kview(t);
    v.ndim = ndim;
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        v.shape[d] = keep[d];
        v.stride[d] = s;
        s *= keep[d];
    }
    return v;
}

static int reduce_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t keep[OV_MAX_DIMS], final[OV_MAX_DIMS];
    int nf = reduced_shape(c, keep, final, NULL);
    int n_out = 0;
    ovTensor *val = NULL, *idx = NULL;
    if (!(c->op->code & NO_VALUES)) val = out[n_out++] = ov_empty(nf, final, OV_F32);
    if (c->op->code & WITH_INDEX) idx = out[n_out++] = ov_empty(nf, final, OV_I64);
    ovKView xv = ov_kview(x), vv, iv;
    if (val) vv = keep_view(val, x->ndim, keep);
    if (idx) iv = keep_view(idx, x->ndim, keep);
    double param = red_kind(c) == OV_RED_VAR ? (double)c->attr[A_CORRECTION].i : 0.0;
    OV_KERNEL(c, ov_kreduce, red_kind(c), val ? &vv : NULL, idx ? &iv : NULL, &xv, param);
    return n_out;
}

/* ---- backward (composite) ---- */

/* t (an output or its gradient) reshaped to the keepdim shape, so that it broadcasts against x. */
static ovTensor *as_keep(ovNode *n, ovTensor *t) {
    int64_t keep[OV_MAX_DIMS], final[OV_MAX_DIMS];
    reduced_shape(&n->call, keep, final, NULL);
    return ov_reshape(t, n->call.in[0]->ndim, keep);
}

static int64_t reduced_count(ovNode *n) {
    int64_t keep[OV_MAX_DIMS], final[OV_MAX_DIMS], count;
    reduced_shape(&n->call, keep, final, &count);
    return count;
}

/* The reduced dims as a list (for ov_sum / ov_mean). */
static int reduced_dims(ovNode *n, int64_t *dims) {
    unsigned mask = red_mask(&n->call);
    int k = 0;
    for (int d = 0; d < n->call.in[0]->ndim; d++)
        if (mask >> d & 1) dims[k++] = d;
    return k;
}

static ovTensor *expand_back(ovNode *n, ovTensor *g) {
    ovTensor *x = n->call.in[0];
    return ov_contiguous(ov_expand(as_keep(n, g), x->ndim, x->shape));
}

static void reduce_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0], *g = as_keep(n, gout[0]), *y = as_keep(n, n->out[0]);
    int64_t N = reduced_count(n), dims[OV_MAX_DIMS];
    int nd = reduced_dims(n, dims);
    switch (red_kind(&n->call)) {
    case OV_RED_SUM: gin[0] = expand_back(n, gout[0]); break;
    case OV_RED_MEAN: gin[0] = ov_mul_scalar(expand_back(n, gout[0]), 1.0 / (double)N); break;
    case OV_RED_VAR: {
        /* 2 (x - mean) / (N - correction) */
        double k = 2.0 / ((double)N - (double)n->call.attr[A_CORRECTION].i);
        gin[0] = ov_mul(ov_sub(x, ov_mean(x, nd, dims, true)), ov_mul_scalar(g, k));
        break;
    }
    case OV_RED_LSE: gin[0] = ov_mul(g, ov_exp(ov_sub(x, y))); break;
    case OV_RED_NORM: {
        /* x g / ||x||, and 0 for an all-zero slice (torch) */
        ovTensor *s = ov_masked_fill(ov_div(g, y), ov_eq(y, ov_scalar(0.0, OV_F32)), 0.0);
        gin[0] = ov_mul(x, s);
        break;
    }
    case OV_RED_MAX:
    case OV_RED_MIN:
        if (n->call.op->code & WITH_INDEX) {
            /* to the chosen index only: a one-hot of the indices along the dim */
            int d = nd ? (int)dims[0] : 0;
            ovTensor *pos = x->ndim ? ov_arange(0, (double)x->shape[d], 1, OV_F32) : ov_scalar(0.0, OV_F32);
            int64_t shape[OV_MAX_DIMS];
            for (int i = 0; i < x->ndim; i++) shape[i] = i == d ? x->shape[d] : 1;
            pos = ov_reshape(pos, x->ndim, shape);
            ovTensor *hit = ov_eq(pos, ov_to(as_keep(n, n->out[1]), OV_F32));
            gin[0] = ov_where(hit, ov_expand(g, x->ndim, x->shape), ov_scalar(0.0, OV_F32));
        } else {
            /* split evenly among the tied extremes (torch.amax) */
            ovTensor *hit = ov_to(ov_eq(x, y), OV_F32);
            gin[0] = ov_mul(hit, ov_div(g, ov_sum(hit, nd, dims, true)));
        }
        break;
    }
}

/* ---- test cases ---- */

/* Cases: all dims, one inner dim, leading dims, several dims of a strided view, a large one for
 * the threads (rows and columns), a kept strided last dim, a 0-dim tensor, size-1 dims. */
static bool reduce_case(int k, ovOpCall *c) {
    static const int64_t shapes[][4] = {{3, 4, 5}, {6, 37}, {9, 5, 131}, {4, 3, 5, 6}, {90, 400},
                                        {7, 1, 300}, {0}, {1, 5, 1}, {120, 3, 100}};
    static const int nds[] = {3, 2, 3, 4, 2, 3, 0, 3, 3};
    static const int64_t dims[][3] = {{0}, {-1}, {0, 1}, {1, 3}, {1}, {0, 1}, {0}, {0, -1}, {0, 2}};
    static const int ndims[] = {0, 1, 2, 2, 1, 2, 0, 2, 2};
    if (k >= 9) return false;
    ovRedKind kind = red_kind(c);
    ovTgDomain dom = kind == OV_RED_MAX || kind == OV_RED_MIN ? OV_TG_DISTINCT : OV_TG_NORMAL;
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], dom, ov_tg_layout(k), 400 + (uint64_t)k);
    c->attr[A_DIMS].n = ndims[k];
    memcpy(c->attr[A_DIMS].v, dims[k], sizeof dims[k]);
    c->attr[A_KEEPDIM].i = k % 2;
    if (kind == OV_RED_VAR) c->attr[A_CORRECTION].i = k % 3 == 2 ? 0 : 1;
    if (kind == OV_RED_VAR && (k == 6 || k == 7)) c->attr[A_CORRECTION].i = 0; /* one element: n - 1 = 0 */
    return true;
}

/* Cases of the one-dim ops: inner, outer, negative, size-1 and 0-dim, large rows and columns. */
static bool dim_case(int k, ovOpCall *c) {
    static const int64_t shapes[][3] = {{3, 4, 5}, {6, 37}, {9, 5, 131}, {1, 7}, {0}, {90, 400}, {300, 130}, {4, 6}};
    static const int nds[] = {3, 2, 3, 2, 0, 2, 2, 2};
    static const int dim[] = {1, -1, 0, 0, 0, 1, 0, -2};
    if (k >= 8) return false;
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_DISTINCT, ov_tg_layout(k), 500 + (uint64_t)k);
    c->attr[A_DIMS].set = true;
    c->attr[A_DIMS].i = dim[k];
    if (k == 7 && (c->op->code & NO_VALUES)) c->attr[A_DIMS].set = false; /* argmax over everything */
    c->attr[A_KEEPDIM].i = k % 2;
    return true;
}

#define REDUCE_ATTRS {"dims", OV_ATTR_INTS, ""}, {"keepdim", OV_ATTR_BOOL, "false"}
#define REDUCE_OP(id, nm, kind, doc_, ...)                                                          \
    static ovOpDef id = {.name = nm, .doc = doc_, .args = {{"x", OV_ARG_FLOAT, 0}},                 \
                         .attrs = {REDUCE_ATTRS __VA_ARGS__}, .outputs = "out", .flags = OV_OP_CUDA, \
                         .code = kind,                                                               \
                         .check = reduce_check, .forward = reduce_forward, .backward = reduce_backward, \
                         .make_case = reduce_case, .fast_tol = 64}

REDUCE_OP(op_sum, "sum", OV_RED_SUM, "sum over dims (all when empty)");
REDUCE_OP(op_mean, "mean", OV_RED_MEAN, "mean over dims (all when empty)");
REDUCE_OP(op_var, "var", OV_RED_VAR, "variance over dims, divided by n - correction (torch.var)",
          , {"correction", OV_ATTR_INT, "1"});
REDUCE_OP(op_logsumexp, "logsumexp", OV_RED_LSE, "log(sum(exp(x))) over dims, computed stably");
REDUCE_OP(op_norm, "norm", OV_RED_NORM, "L2 norm over dims (torch.linalg.vector_norm)");
REDUCE_OP(op_amax, "amax", OV_RED_MAX, "max over dims; the gradient splits among ties (torch.amax)");
REDUCE_OP(op_amin, "amin", OV_RED_MIN, "min over dims; the gradient splits among ties (torch.amin)");

#define DIM_OP(id, nm, code_, outs, flags_, def, doc_)                                                     \
    static ovOpDef id = {.name = nm, .doc = doc_, .args = {{"x", OV_ARG_FLOAT, 0}},                        \
                         .attrs = {{"dim", OV_ATTR_INT, def}, {"keepdim", OV_ATTR_BOOL, "false"}},           \
                         .outputs = outs, .flags = (flags_) | OV_OP_CUDA, .code = code_,                    \
                         .check = reduce_check,                                                             \
                         .forward = reduce_forward, .backward = (flags_) ? NULL : reduce_backward,          \
                         .make_case = dim_case}

DIM_OP(op_max, "max", OV_RED_MAX | WITH_INDEX, "values,indices", 0, NULL,
       "largest values along dim and their indices (first on ties)");
DIM_OP(op_min, "min", OV_RED_MIN | WITH_INDEX, "values,indices", 0, NULL,
       "smallest values along dim and their indices (first on ties)");
DIM_OP(op_argmax, "argmax", OV_RED_MAX | WITH_INDEX | NO_VALUES, "out", OV_OP_NO_GRAD, "none",
       "index of the largest value along dim (of the flattened tensor when dim is none)");
DIM_OP(op_argmin, "argmin", OV_RED_MIN | WITH_INDEX | NO_VALUES, "out", OV_OP_NO_GRAD, "none",
       "index of the smallest value along dim (of the flattened tensor when dim is none)");

ovOpDef *const ov_ops_reduce[] = {&op_sum, &op_mean, &op_var, &op_logsumexp, &op_norm, &op_amax, &op_amin,
                                  &op_max, &op_min, &op_argmax, &op_argmin, NULL};

/* ---- public API ---- */

static ovTensor *reduce(ovOpDef *op, ovTensor *x, int ndims, const int64_t *dims, bool keepdim) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    if (ndims > OV_MAX_INTS) ov_op_fail(&c, "too many dims (%d)", ndims);
    c.attr[A_DIMS].n = ndims;
    for (int i = 0; i < ndims; i++) c.attr[A_DIMS].v[i] = dims[i];
    c.attr[A_KEEPDIM].i = keepdim;
    return ov_apply1(&c);
}

ovTensor *ov_sum(ovTensor *x, int ndims, const int64_t *dims, bool keepdim) { return reduce(&op_sum, x, ndims, dims, keepdim); }
ovTensor *ov_mean(ovTensor *x, int ndims, const int64_t *dims, bool keepdim) { return reduce(&op_mean, x, ndims, dims, keepdim); }
ovTensor *ov_logsumexp(ovTensor *x, int ndims, const int64_t *dims, bool keepdim) {
    return reduce(&op_logsumexp, x, ndims, dims, keepdim);
}
ovTensor *ov_norm(ovTensor *x, int ndims, const int64_t *dims, bool keepdim) { return reduce(&op_norm, x, ndims, dims, keepdim); }
ovTensor *ov_amax(ovTensor *x, int ndims, const int64_t *dims, bool keepdim) { return reduce(&op_amax, x, ndims, dims, keepdim); }
ovTensor *ov_amin(ovTensor *x, int ndims, const int64_t *dims, bool keepdim) { return reduce(&op_amin, x, ndims, dims, keepdim); }

ovTensor *ov_var(ovTensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim) {
    ovOpCall c = ov_call(&op_var);
    c.in[0] = x;
    if (ndims > OV_MAX_INTS) ov_op_fail(&c, "too many dims (%d)", ndims);
    c.attr[A_DIMS].n = ndims;
    for (int i = 0; i < ndims; i++) c.attr[A_DIMS].v[i] = dims[i];
    c.attr[A_KEEPDIM].i = keepdim;
    c.attr[A_CORRECTION].i = correction;
    return ov_apply1(&c);
}

/* max/min/argmax/argmin along one dim; returns the first output, the second in *second. */
static ovTensor *reduce_dim(ovOpDef *op, ovTensor *x, int dim, bool keepdim, ovTensor **second) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    c.attr[A_DIMS].set = true;
    c.attr[A_DIMS].i = dim;
    c.attr[A_KEEPDIM].i = keepdim;
    ovTensor *out[OV_MAX_OUTPUTS];
    int n = ov_apply(&c, out);
    if (second) *second = n > 1 ? out[1] : NULL;
    return out[0];
}

ovTensor *ov_max(ovTensor *x, int dim, bool keepdim, ovTensor **indices) { return reduce_dim(&op_max, x, dim, keepdim, indices); }
ovTensor *ov_min(ovTensor *x, int dim, bool keepdim, ovTensor **indices) { return reduce_dim(&op_min, x, dim, keepdim, indices); }
ovTensor *ov_argmax(ovTensor *x, int dim, bool keepdim) { return reduce_dim(&op_argmax, x, dim, keepdim, NULL); }
ovTensor *ov_argmin(ovTensor *x, int dim, bool keepdim) { return reduce_dim(&op_argmin, x, dim, keepdim, NULL); }
