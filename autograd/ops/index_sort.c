/* index_sort.c: torch.topk, torch.sort and torch.argsort along one dim (kernels/cpu/sort.c).
 * Sorting is always stable (ties keep their original order) and NaN sorts above every number, as
 * in PyTorch. topk with sorted=false returns the k chosen elements in their original order (one
 * valid choice of PyTorch's "unspecified order", made deterministic). Indices get no gradient;
 * the values' gradient goes back to the positions the indices name (a scatter-add into zeros). */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/index.h"
#include "kernels/cuda/index.h"

enum { TK_K, TK_DIM, TK_LARGEST, TK_SORTED };
enum { SO_DIM, SO_DESCENDING, SO_STABLE };

/* The sorted dim, and k (how many of each line are kept). */
static int sort_geometry(const ovOpCall *c, int64_t *k) {
    const ovTensor *x = c->in[0];
    bool topk = c->op == &ov_op_topk;
    if (x->ndim == 0) ov_op_fail(c, "x must have at least one dim");
    int d = ov_index_wrap_dim(c, c->attr[topk ? TK_DIM : SO_DIM].i, x->ndim);
    int64_t n = x->shape[d];
    if (n > INT32_MAX) ov_op_fail(c, "dim %d has %lld elements; sorting handles at most 2^31-1", d, (long long)n);
    *k = topk ? c->attr[TK_K].i : n;
    if (*k < 0 || *k > n)
        ov_op_fail(c, "k = %lld is out of range for dim %d of size %lld", (long long)*k, d, (long long)n);
    return d;
}

static void sort_check(const ovOpCall *c) {
    int64_t k;
    sort_geometry(c, &k);
}

static int sort_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t k, shape[OV_MAX_DIMS];
    int d = sort_geometry(c, &k);
    bool topk = c->op == &ov_op_topk, argsort = c->op == &ov_op_argsort;
    bool descending = topk ? ov_attr_i(c, TK_LARGEST) : ov_attr_i(c, SO_DESCENDING);
    bool by_index = topk && !ov_attr_i(c, TK_SORTED);
    memcpy(shape, x->shape, sizeof shape);
    shape[d] = k;
    ovTensor *values = argsort ? NULL : ov_empty(x->ndim, shape, OV_F32);
    ovTensor *indices = ov_empty(x->ndim, shape, OV_I64);
    ovKView xv = ov_kview(x), iv = ov_kview(indices), vv;
    if (values) vv = ov_kview(values);
    OV_KERNEL(c, ov_ksort, values ? &vv : NULL, &iv, &xv, d, descending, by_index);
    if (argsort) {
        out[0] = indices;
        return 1;
    }
    out[0] = values;
    out[1] = indices;
    return 2;
}

static void sort_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    int64_t k;
    int d = sort_geometry(&n->call, &k);
    gin[0] = ov_scatter_add(ov_zeros(x->ndim, x->shape, OV_F32), d, n->out[1], ov_index_f32(gout[0]));
}

/* Distinct values so that finite differences never reorder them. */
static ovTensor *sort_input(int k, int nd, const int64_t *shape, uint64_t seed) {
    return ov_tg_tensor(nd, shape, OV_TG_DISTINCT, ov_tg_layout(k), seed);
}

/* Cases: k = 1, k = n, smallest, unsorted, a middle dim, and one long line (the usual use:
 * the best few of many candidates). */
static bool topk_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{4, 9}, {3, 7}, {5, 6, 4}, {6, 11}, {2, 3, 5}, {17, 2000}};
    static const int nd[] = {2, 2, 3, 2, 3, 2}, dims[] = {-1, 1, 1, 1, 0, -1};
    static const int64_t kk[] = {1, 7, 3, 4, 2, 100};
    static const bool largest[] = {true, true, false, true, false, true};
    static const bool sorted[] = {true, true, true, false, false, true};
    if (k >= 6) return false;
    c->in[0] = sort_input(k, nd[k], xs[k], 930 + (uint64_t)k);
    c->attr[TK_K].i = kk[k];
    c->attr[TK_DIM].i = dims[k];
    c->attr[TK_LARGEST].i = largest[k];
    c->attr[TK_SORTED].i = sorted[k];
    return true;
}

/* Cases: the last dim both ways, a middle dim, a size-1 dim, a large batch of long lines. */
static bool sort_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{4, 9}, {3, 40}, {5, 6, 4}, {6, 1}, {48, 700}};
    static const int nd[] = {2, 2, 3, 2, 2}, dims[] = {-1, 1, 1, 1, -1};
    static const bool desc[] = {false, true, false, true, true};
    if (k >= 5) return false;
    c->in[0] = sort_input(k, nd[k], xs[k], 940 + (uint64_t)k);
    c->attr[SO_DIM].i = dims[k];
    c->attr[SO_DESCENDING].i = desc[k];
    return true;
}

ovOpDef ov_op_topk = {
    .name = "topk", .doc = "the k largest (or smallest) along dim and their indices (torch.topk)",
    .args = {{"x", OV_ARG_FLOAT, 0}},
    .attrs = {{"k", OV_ATTR_INT, NULL}, {"dim", OV_ATTR_INT, "-1"}, {"largest", OV_ATTR_BOOL, "true"},
              {"sorted", OV_ATTR_BOOL, "true"}},
    .outputs = "values,indices", .flags = OV_OP_CUDA, .check = sort_check, .forward = sort_forward,
    .backward = sort_backward, .make_case = topk_case,
};

ovOpDef ov_op_sort = {
    .name = "sort", .doc = "values sorted along dim and their indices (torch.sort; always stable)",
    .args = {{"x", OV_ARG_FLOAT, 0}},
    .attrs = {{"dim", OV_ATTR_INT, "-1"}, {"descending", OV_ATTR_BOOL, "false"}, {"stable", OV_ATTR_BOOL, "false"}},
    .outputs = "values,indices", .flags = OV_OP_CUDA, .check = sort_check, .forward = sort_forward,
    .backward = sort_backward, .make_case = sort_case,
};

ovOpDef ov_op_argsort = {
    .name = "argsort", .doc = "indices that sort x along dim (torch.argsort; always stable)",
    .args = {{"x", OV_ARG_FLOAT, 0}},
    .attrs = {{"dim", OV_ATTR_INT, "-1"}, {"descending", OV_ATTR_BOOL, "false"}, {"stable", OV_ATTR_BOOL, "false"}},
    .outputs = "indices", .flags = OV_OP_NO_GRAD | OV_OP_CUDA, .check = sort_check, .forward = sort_forward,
    .make_case = sort_case,
};

/* ================= public API ================= */

ovTensor *ov_topk(ovTensor *x, int64_t k, int dim, bool largest, bool sorted, ovTensor **indices) {
    ovOpCall c = ov_call(&ov_op_topk);
    c.in[0] = x;
    c.attr[TK_K].i = k;
    c.attr[TK_DIM].i = dim;
    c.attr[TK_LARGEST].i = largest;
    c.attr[TK_SORTED].i = sorted;
    ovTensor *out[OV_MAX_OUTPUTS];
    ov_apply(&c, out);
    if (indices) *indices = out[1];
    return out[0];
}

ovTensor *ov_sort(ovTensor *x, int dim, bool descending, ovTensor **indices) {
    ovOpCall c = ov_call(&ov_op_sort);
    c.in[0] = x;
    c.attr[SO_DIM].i = dim;
    c.attr[SO_DESCENDING].i = descending;
    c.attr[SO_STABLE].i = true;
    ovTensor *out[OV_MAX_OUTPUTS];
    ov_apply(&c, out);
    if (indices) *indices = out[1];
    return out[0];
}

ovTensor *ov_argsort(ovTensor *x, int dim, bool descending) {
    ovOpCall c = ov_call(&ov_op_argsort);
    c.in[0] = x;
    c.attr[SO_DIM].i = dim;
    c.attr[SO_DESCENDING].i = descending;
    c.attr[SO_STABLE].i = true;
    return ov_apply1(&c);
}
