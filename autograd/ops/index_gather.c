/* index_gather.c: torch.index_select, torch.gather, out-of-place torch.scatter_add and
 * F.embedding, plus index_add (torch.index_add), the internal op that is the gradient of
 * index_select and embedding. All run on the two kernels of kernels/cpu/gather.c: a gather, and
 * a scatter-add whose work is split by output line, so that gradients that land on the same row
 * several times (duplicate indices) are summed in index order, the same bits for any number of
 * threads. Indices are checked before any kernel runs; a bad one fails the call by position (on
 * the device by a checking kernel whose verdict is copied back: one synchronisation per call). */
#include <stdio.h>
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/copy.h"
#include "kernels/cpu/index.h"
#include "kernels/cuda/copy.h"
#include "kernels/cuda/index.h"

enum { A_DIM = 0 };

/* Fails the call if an index is outside [0, n), naming the first bad one; `dim` < 0 means the
 * rows of an embedding table. */
static void check_range(const ovOpCall *c, const ovTensor *index, int64_t n, int dim) {
    ovKView iv = ov_kview(index);
    int64_t value = 0, p;
    if (ov_device(index) == OV_DEV_CUDA) {
        p = ov_kindex_find_bad_cuda(&iv, n, &value);
    } else {
        p = ov_kindex_find_bad(&iv, n);
        if (p >= 0) value = (int64_t)ov_get_flat(index, p);
    }
    if (p < 0) return;
    char where[48];
    if (dim >= 0)
        snprintf(where, sizeof where, "dim %d of x, of size %lld", dim, (long long)n);
    else
        snprintf(where, sizeof where, "a table of %lld rows", (long long)n);
    ov_op_fail(c, "index %lld (element %lld of the index, row-major) is out of range for %s",
               (long long)value, (long long)p, where);
}

/* index seen with `shape` (ndim dims): its one dim, or its only element, along `dim`; stride 0
 * on every other dim. */
static ovKView index_along(const ovTensor *index, int ndim, const int64_t *shape, int dim) {
    ovKView v = ov_kview(index);
    v.ndim = ndim;
    for (int d = 0; d < ndim; d++) {
        v.shape[d] = shape[d];
        v.stride[d] = d == dim && index->ndim ? index->stride[0] : 0;
    }
    return v;
}

/* ================= index_add (internal: the gradient of index_select and embedding) ================= */

/* out = x, then out.select(dim, index[j]) += src.select(dim, j). */
static int index_add_dim(const ovOpCall *c) {
    const ovTensor *x = c->in[0], *index = c->in[1], *src = c->in[2];
    if (x->ndim == 0) ov_op_fail(c, "x must have at least one dim");
    if (index->ndim > 1) ov_op_fail(c, "index must be 1-D");
    int d = ov_index_wrap_dim(c, c->attr[A_DIM].i, x->ndim);
    bool ok = src->ndim == x->ndim && src->shape[d] == ov_numel(index);
    for (int k = 0; k < x->ndim && ok; k++) ok = k == d || src->shape[k] == x->shape[k];
    if (!ok) ov_op_fail(c, "src must have x's shape with dim %d the length of index", d);
    return d;
}

static void index_add_check(const ovOpCall *c) {
    int d = index_add_dim(c);
    check_range(c, c->in[1], c->in[0]->shape[d], d);
}

static int index_add_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0], *src = c->in[2];
    int d = index_add_dim(c);
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x), sv = ov_kview(src);
    ovKView iv = index_along(c->in[1], src->ndim, src->shape, d);
    OV_KERNEL(c, ov_kscatter_add, &o, &xv, &iv, &sv, d);
    return 1;
}

static void index_add_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *g = ov_index_f32(gout[0]);
    int d = index_add_dim(&n->call);
    if (n->needs_grad[0]) gin[0] = g;
    if (n->needs_grad[2]) gin[2] = ov_index_select(g, d, n->call.in[1]);
}

static ovTensor *index_add(ovTensor *x, int dim, ovTensor *index, ovTensor *src) {
    ovOpCall c = ov_call(&ov_op_index_add);
    c.in[0] = x;
    c.in[1] = index;
    c.in[2] = src;
    c.attr[A_DIM].i = dim;
    return ov_apply1(&c);
}

/* Cases: duplicate indices on rows, on the last dim, a 0-dim index, an embedding-sized gradient. */
static bool index_add_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{6, 5}, {4, 3, 7}, {5, 4}, {200, 130}};
    static const int nd[] = {2, 3, 2, 2}, dims[] = {0, -1, 1, 0};
    static const int64_t m[] = {9, 12, 1, 260};
    if (k >= 4) return false;
    int d = dims[k] < 0 ? dims[k] + nd[k] : dims[k];
    int64_t ss[3];
    memcpy(ss, xs[k], sizeof ss);
    ss[d] = m[k];
    c->in[0] = ov_tg_tensor(nd[k], xs[k], OV_TG_NORMAL, ov_tg_layout(k), 800 + (uint64_t)k);
    c->in[1] = k == 2 ? ov_scalar(3, OV_I64) : ov_tg_index(1, &m[k], xs[k][d], 810 + (uint64_t)k);
    c->in[2] = ov_tg_tensor(nd[k], ss, OV_TG_NORMAL, ov_tg_layout(k + 1), 820 + (uint64_t)k);
    c->attr[A_DIM].i = dims[k];
    return true;
}

ovOpDef ov_op_index_add = {
    .name = "index_add", .doc = "x with src.select(dim, j) added to x.select(dim, index[j]) (torch.index_add)",
    .args = {{"x", OV_ARG_FLOAT, 0}, {"index", OV_ARG_INDEX, 0}, {"src", OV_ARG_FLOAT, 0}},
    .attrs = {{"dim", OV_ATTR_INT, "0"}}, .outputs = "out", .flags = OV_OP_INTERNAL | OV_OP_CUDA,
    .check = index_add_check, .forward = index_add_forward, .backward = index_add_backward,
    .make_case = index_add_case, .fast_tol = 16,
};

/* ================= index_select ================= */

static int index_select_dim(const ovOpCall *c) {
    const ovTensor *x = c->in[0], *index = c->in[1];
    if (x->ndim == 0) ov_op_fail(c, "x must have at least one dim");
    if (index->ndim > 1) ov_op_fail(c, "index must be 1-D (it has %d dims)", index->ndim);
    return ov_index_wrap_dim(c, c->attr[A_DIM].i, x->ndim);
}

static void index_select_check(const ovOpCall *c) {
    int d = index_select_dim(c);
    check_range(c, c->in[1], c->in[0]->shape[d], d);
}

static int index_select_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int d = index_select_dim(c);
    int64_t shape[OV_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[d] = ov_numel(c->in[1]);
    out[0] = ov_empty(x->ndim, shape, x->dtype);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x), iv = index_along(c->in[1], x->ndim, shape, d);
    OV_KERNEL(c, ov_kgather, &o, &xv, &iv, d);
    return 1;
}

static void index_select_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    int d = index_select_dim(&n->call);
    gin[0] = index_add(ov_zeros(x->ndim, x->shape, OV_F32), d, n->call.in[1], ov_index_f32(gout[0]));
}

/* Cases: duplicate rows, the first dim of a transposed 3-D view (rows that are not one span), the
 * last dim with a 0-dim index, a large row gather, i64 data (no gradient), a middle dim. */
static bool index_select_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{6, 5}, {4, 3, 7}, {5, 4, 3}, {120, 150}, {7, 6}, {5, 4, 3}};
    static const int nd[] = {2, 3, 3, 2, 2, 3}, dims[] = {0, 0, -1, 0, 1, -2};
    static const int64_t m[] = {11, 9, 1, 230, 8, 6};
    if (k >= 6) return false;
    int d = dims[k] < 0 ? dims[k] + nd[k] : dims[k];
    c->in[0] = k == 4 ? ov_tg_index(nd[k], xs[k], 1000, 830)
                      : ov_tg_tensor(nd[k], xs[k], OV_TG_NORMAL, ov_tg_layout(k), 830 + (uint64_t)k);
    c->in[1] = k == 2 ? ov_scalar(2, OV_I64) : ov_tg_index(1, &m[k], xs[k][d], 840 + (uint64_t)k);
    c->attr[A_DIM].i = dims[k];
    return true;
}

ovOpDef ov_op_index_select = {
    .name = "index_select", .doc = "the slices x.select(dim, index[j]) stacked along dim (torch.index_select)",
    .args = {{"x", OV_ARG_ANY, 0}, {"index", OV_ARG_INDEX, 0}}, .attrs = {{"dim", OV_ATTR_INT, "0"}},
    .outputs = "out", .flags = OV_OP_CUDA, .check = index_select_check, .forward = index_select_forward,
    .backward = index_select_backward, .make_case = index_select_case,
};

/* ================= gather ================= */

static int gather_dim(const ovOpCall *c, const ovTensor *x, const ovTensor *index) {
    if (x->ndim == 0) ov_op_fail(c, "x must have at least one dim");
    if (index->ndim != x->ndim)
        ov_op_fail(c, "index must have as many dims as x (%d), it has %d", x->ndim, index->ndim);
    int d = ov_index_wrap_dim(c, c->attr[A_DIM].i, x->ndim);
    for (int k = 0; k < x->ndim; k++)
        if (k != d && index->shape[k] > x->shape[k])
            ov_op_fail(c, "index has size %lld at dim %d, larger than x's %lld", (long long)index->shape[k], k,
                       (long long)x->shape[k]);
    return d;
}

static void gather_check(const ovOpCall *c) {
    int d = gather_dim(c, c->in[0], c->in[1]);
    check_range(c, c->in[1], c->in[0]->shape[d], d);
}

static int gather_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0], *index = c->in[1];
    int d = gather_dim(c, x, index);
    out[0] = ov_empty(index->ndim, index->shape, x->dtype);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x), iv = ov_kview(index);
    OV_KERNEL(c, ov_kgather, &o, &xv, &iv, d);
    return 1;
}

static void gather_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    int d = gather_dim(&n->call, x, n->call.in[1]);
    gin[0] = ov_scatter_add(ov_zeros(x->ndim, x->shape, OV_F32), d, n->call.in[1], ov_index_f32(gout[0]));
}

/* Cases: more index rows than x has (repeats), the first dim of a transposed 3-D view, a strided
 * index on the last dim, one element per row (the usual use), a large case. */
static bool gather_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{6, 5}, {4, 6, 7}, {5, 4, 3}, {8, 3}, {200, 130}};
    static const int64_t is[][3] = {{9, 4}, {6, 6, 5}, {5, 2, 3}, {8, 1}, {200, 170}};
    static const int nd[] = {2, 3, 3, 2, 2}, dims[] = {0, 0, -1, 1, 1};
    if (k >= 5) return false;
    int d = dims[k] < 0 ? dims[k] + nd[k] : dims[k];
    c->in[0] = ov_tg_tensor(nd[k], xs[k], OV_TG_NORMAL, ov_tg_layout(k), 850 + (uint64_t)k);
    ovTensor *index = ov_tg_index(nd[k], is[k], xs[k][d], 860 + (uint64_t)k);
    if (k == 2) index = ov_transpose(ov_contiguous(ov_transpose(index, 0, 2)), 0, 2); /* a strided index */
    c->in[1] = index;
    c->attr[A_DIM].i = dims[k];
    return true;
}

ovOpDef ov_op_gather = {
    .name = "gather", .doc = "out[p] = x[p with p[dim] = index[p]] (torch.gather)",
    .args = {{"x", OV_ARG_ANY, 0}, {"index", OV_ARG_INDEX, 0}}, .attrs = {{"dim", OV_ATTR_INT, "0"}},
    .outputs = "out", .flags = OV_OP_CUDA, .check = gather_check, .forward = gather_forward,
    .backward = gather_backward, .make_case = gather_case,
};

/* ================= scatter_add ================= */

static int scatter_dim(const ovOpCall *c) {
    const ovTensor *x = c->in[0], *index = c->in[1], *src = c->in[2];
    if (x->ndim == 0) ov_op_fail(c, "x must have at least one dim");
    if (index->ndim != x->ndim || src->ndim != x->ndim)
        ov_op_fail(c, "x, index and src must have the same number of dims");
    int d = ov_index_wrap_dim(c, c->attr[A_DIM].i, x->ndim);
    for (int k = 0; k < x->ndim; k++) {
        if (index->shape[k] > src->shape[k])
            ov_op_fail(c, "index has size %lld at dim %d, larger than src's %lld", (long long)index->shape[k], k,
                       (long long)src->shape[k]);
        if (k != d && index->shape[k] > x->shape[k])
            ov_op_fail(c, "index has size %lld at dim %d, larger than x's %lld", (long long)index->shape[k], k,
                       (long long)x->shape[k]);
    }
    return d;
}

static void scatter_check(const ovOpCall *c) {
    int d = scatter_dim(c);
    check_range(c, c->in[1], c->in[0]->shape[d], d);
}

static int scatter_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0], *index = c->in[1];
    int d = scatter_dim(c);
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x), iv = ov_kview(index), sv = ov_kview(c->in[2]);
    memcpy(sv.shape, index->shape, sizeof(int64_t) * (size_t)index->ndim); /* only that part of src is read */
    OV_KERNEL(c, ov_kscatter_add, &o, &xv, &iv, &sv, d);
    return 1;
}

/* x's gradient passes through; src's is the output gradient gathered back, zero where src was not
 * read (src may be larger than index). */
static void scatter_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *g = ov_index_f32(gout[0]), *index = n->call.in[1], *src = n->call.in[2];
    int d = scatter_dim(&n->call);
    if (n->needs_grad[0]) gin[0] = g;
    if (!n->needs_grad[2]) return;
    ovTensor *gs = ov_gather(g, d, index);
    if (!ov_same_shape(gs, src)) {
        int64_t pads[2 * OV_MAX_DIMS];
        for (int i = 0; i < src->ndim; i++) {
            int k = src->ndim - 1 - i;
            pads[2 * i] = 0;
            pads[2 * i + 1] = src->shape[k] - index->shape[k];
        }
        gs = ov_pad(gs, 2 * src->ndim, pads, 0.0);
    }
    gin[2] = gs;
}

/* Cases: many sources per target row, the last dim, src larger than index, a large case, the
 * first dim of 3-D tensors with a transposed src (rows that are not one span). */
static bool scatter_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{5, 6}, {4, 3, 5}, {6, 7}, {100, 300}, {5, 4, 6}};
    static const int64_t is[][3] = {{12, 6}, {4, 3, 9}, {4, 5}, {120, 300}, {7, 4, 3}};
    static const int64_t ss[][3] = {{12, 6}, {4, 3, 9}, {6, 8}, {120, 300}, {7, 4, 6}};
    static const int nd[] = {2, 3, 2, 2, 3}, dims[] = {0, -1, 1, 0, 0};
    if (k >= 5) return false;
    int d = dims[k] < 0 ? dims[k] + nd[k] : dims[k];
    ovTgLayout src_layout = k == 4 ? OV_TG_TRANSPOSED : ov_tg_layout(k + 1);
    c->in[0] = ov_tg_tensor(nd[k], xs[k], OV_TG_NORMAL, ov_tg_layout(k), 870 + (uint64_t)k);
    c->in[1] = ov_tg_index(nd[k], is[k], xs[k][d], 875 + (uint64_t)k);
    c->in[2] = ov_tg_tensor(nd[k], ss[k], OV_TG_NORMAL, src_layout, 880 + (uint64_t)k);
    c->attr[A_DIM].i = dims[k];
    return true;
}

ovOpDef ov_op_scatter_add = {
    .name = "scatter_add", .doc = "x with src[p] added at p with p[dim] = index[p] (out-of-place torch.scatter_add)",
    .args = {{"x", OV_ARG_FLOAT, 0}, {"index", OV_ARG_INDEX, 0}, {"src", OV_ARG_FLOAT, 0}},
    .attrs = {{"dim", OV_ATTR_INT, "0"}}, .outputs = "out", .flags = OV_OP_CUDA, .check = scatter_check,
    .forward = scatter_forward, .backward = scatter_backward, .make_case = scatter_case, .fast_tol = 16,
};

/* ================= embedding ================= */

static void embedding_check(const ovOpCall *c) {
    const ovTensor *w = c->in[0], *idx = c->in[1];
    if (w->ndim != 2) ov_op_fail(c, "weight must be 2-D [num_embeddings, dim]");
    if (idx->ndim + 1 > OV_MAX_DIMS) ov_op_fail(c, "indices have too many dims for a %d-dim result", OV_MAX_DIMS);
    check_range(c, idx, w->shape[0], -1);
}

static int embedding_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *w = c->in[0], *idx = c->in[1];
    int64_t shape[OV_MAX_DIMS], N = ov_numel(idx), D = w->shape[1];
    memcpy(shape, idx->shape, sizeof(int64_t) * (size_t)idx->ndim);
    shape[idx->ndim] = D;
    out[0] = ov_empty(idx->ndim + 1, shape, OV_F32);
    /* the indices in row-major order: a gather of rows into an [N, D] view of the output */
    ovTensor *flat = idx;
    if (!ov_is_contiguous(idx)) {
        flat = ov_empty(idx->ndim, idx->shape, OV_I64);
        ovKView fv = ov_kview(flat), iv0 = ov_kview(idx);
        OV_KERNEL(c, ov_kcopy, &fv, &iv0);
    }
    ovKView iv = {.data = ov_data_ptr(flat), .dtype = OV_I64, .ndim = 2, .shape = {N, D}, .stride = {1, 0}};
    ovKView o = {.data = ov_data_ptr(out[0]), .dtype = OV_F32, .ndim = 2, .shape = {N, D}, .stride = {D, 1}};
    ovKView wv = ov_kview(w);
    OV_KERNEL(c, ov_kgather, &o, &wv, &iv, 0);
    return 1;
}

static void embedding_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *w = n->call.in[0], *idx = n->call.in[1];
    int64_t N = ov_numel(idx), D = w->shape[1];
    ovTensor *g = ov_reshape(ov_index_f32(gout[0]), 2, (int64_t[]){N, D});
    gin[0] = index_add(ov_zeros(2, w->shape, OV_F32), 0, ov_reshape(idx, 1, &N), g);
}

/* Cases: a batch of token ids with repeats, a 0-dim id, a transposed index, a large vocabulary. */
static bool embedding_case(int k, ovOpCall *c) {
    static const int64_t ws[][2] = {{10, 7}, {6, 5}, {9, 4}, {500, 130}};
    static const int64_t is[][3] = {{3, 8}, {1}, {5, 6}, {3, 90}};
    static const int nd[] = {2, 0, 2, 2};
    if (k >= 4) return false;
    c->in[0] = ov_tg_tensor(2, ws[k], OV_TG_NORMAL, ov_tg_layout(k), 890 + (uint64_t)k);
    ovTensor *idx = ov_tg_index(nd[k], is[k], ws[k][0], 895 + (uint64_t)k);
    c->in[1] = k == 2 ? ov_transpose(idx, 0, 1) : idx;
    return true;
}

ovOpDef ov_op_embedding = {
    .name = "embedding", .doc = "rows of weight [V, D] picked by indices of any shape: [..., D] (F.embedding)",
    .args = {{"weight", OV_ARG_FLOAT, 0}, {"indices", OV_ARG_INDEX, 0}}, .outputs = "out",
    .flags = OV_OP_CUDA, .check = embedding_check, .forward = embedding_forward, .backward = embedding_backward,
    .make_case = embedding_case,
};

/* ================= public API ================= */

static ovTensor *call2(ovOpDef *op, ovTensor *x, int dim, ovTensor *index) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    c.in[1] = index;
    c.attr[A_DIM].i = dim;
    return ov_apply1(&c);
}

ovTensor *ov_index_select(ovTensor *x, int dim, ovTensor *index) { return call2(&ov_op_index_select, x, dim, index); }

ovTensor *ov_gather(ovTensor *x, int dim, ovTensor *index) { return call2(&ov_op_gather, x, dim, index); }

ovTensor *ov_scatter_add(ovTensor *x, int dim, ovTensor *index, ovTensor *src) {
    ovOpCall c = ov_call(&ov_op_scatter_add);
    c.in[0] = x;
    c.in[1] = index;
    c.in[2] = src;
    c.attr[A_DIM].i = dim;
    return ov_apply1(&c);
}

ovTensor *ov_embedding(ovTensor *weight, ovTensor *indices) {
    ovOpCall c = ov_call(&ov_op_embedding);
    c.in[0] = weight;
    c.in[1] = indices;
    return ov_apply1(&c);
}
