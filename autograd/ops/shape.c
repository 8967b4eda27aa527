/* shape.c: op-table entries that change how memory is seen rather than what it holds: reshape,
 * permute, slice and expand return views that share storage (torch.Tensor.view/permute/...),
 * clone copies, to_dtype converts. view, transpose, narrow, select, squeeze, unsqueeze, flatten
 * and contiguous are wrappers over these, so each has one implementation and one backward. */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/copy.h"
#include "kernels/cuda/copy.h"

/* ================= reshape ================= */

/* Strides that let (ndim, shape) view x without copying, or false (PyTorch's computeStride). */
static bool view_strides(const ovTensor *x, int ndim, const int64_t *shape, int64_t *stride) {
    int64_t one = 1;
    int od = x->ndim ? x->ndim : 1;
    const int64_t *oshape = x->ndim ? x->shape : &one, *ostride = x->ndim ? x->stride : &one;
    if (ov_numel(x) == 0) { /* any strides do; use contiguous ones */
        int64_t s = 1;
        for (int d = ndim - 1; d >= 0; d--) {
            stride[d] = s;
            s *= shape[d] ? shape[d] : 1;
        }
        return true;
    }
    int view_d = ndim - 1;
    int64_t chunk_base = ostride[od - 1], tensor_numel = 1, view_numel = 1;
    for (int td = od - 1; td >= 0; td--) {
        tensor_numel *= oshape[td];
        if (td == 0 || (oshape[td - 1] != 1 && ostride[td - 1] != tensor_numel * chunk_base)) {
            while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
                stride[view_d] = view_numel * chunk_base;
                view_numel *= shape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel) return false;
            if (td > 0) {
                chunk_base = ostride[td - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

/* Resolves a -1 in the requested shape; panics if the sizes do not match. */
static void infer_shape(const ovOpCall *c, int64_t *shape) {
    const ovAttrVal *s = &c->attr[0];
    int64_t known = 1;
    int infer = -1;
    for (int i = 0; i < s->n; i++) {
        shape[i] = s->v[i];
        if (s->v[i] == -1) {
            if (infer >= 0) ov_op_fail(c, "only one size may be -1");
            infer = i;
        } else if (s->v[i] < 0) {
            ov_op_fail(c, "invalid size %lld", (long long)s->v[i]);
        } else {
            known *= s->v[i];
        }
    }
    int64_t n = ov_numel(c->in[0]);
    if (infer >= 0) {
        if (known == 0 || n % known) ov_op_fail(c, "cannot infer the -1 size: %lld elements", (long long)n);
        shape[infer] = n / known;
    } else if (known != n) {
        char b[128];
        ov_op_fail(c, "shape %s has %lld elements, the input has %lld", ov_shape_str(s->n, shape, b, sizeof b),
                   (long long)known, (long long)n);
    }
}

static void reshape_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS];
    if (c->attr[0].n > OV_MAX_DIMS) ov_op_fail(c, "more than %d dims", OV_MAX_DIMS);
    infer_shape(c, shape);
    int64_t stride[OV_MAX_DIMS];
    if (c->attr[1].i && !view_strides(c->in[0], c->attr[0].n, shape, stride))
        ov_op_fail(c, "view: the strides of the input do not allow this shape; use reshape (copies)");
}

static int reshape_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t shape[OV_MAX_DIMS], stride[OV_MAX_DIMS];
    int nd = c->attr[0].n;
    infer_shape(c, shape);
    if (view_strides(x, nd, shape, stride)) {
        out[0] = ov_view_of(x, nd, shape, stride, x->offset);
        return 1;
    }
    ovTensor *copy = ov_empty(x->ndim, x->shape, x->dtype);
    ovKView d = ov_kview(copy), s = ov_kview(x);
    OV_KERNEL(c, ov_kcopy, &d, &s);
    out[0] = ov_view_of(copy, nd, shape, NULL, 0);
    return 1;
}

static void reshape_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    gin[0] = ov_reshape(gout[0], x->ndim, x->shape);
}

static bool reshape_case(int k, ovOpCall *c) {
    static const int64_t in[][3] = {{4, 6, 5}, {4, 6, 5}, {3, 8}, {1, 1, 1}};
    static const int nin[] = {3, 3, 2, 0};
    static const int64_t to[][4] = {{24, -1}, {2, 2, 30}, {-1}, {1, 1}};
    static const int nto[] = {2, 3, 1, 2};
    if (k >= 4) return false;
    c->in[0] = ov_tg_tensor(nin[k], in[k], OV_TG_NORMAL, ov_tg_layout(k), 500 + (uint64_t)k);
    c->attr[0].n = nto[k];
    memcpy(c->attr[0].v, to[k], sizeof to[k]);
    return true;
}

static ovOpDef op_reshape = {
    .name = "reshape", .doc = "same elements in a new shape (a view when the strides allow, else a copy)",
    .args = {{"x", OV_ARG_ANY, 0}},
    .attrs = {{"shape", OV_ATTR_INTS, NULL}, {"view_only", OV_ATTR_BOOL, "false"}},
    .outputs = "out", .flags = OV_OP_CUDA, .check = reshape_check, .forward = reshape_forward, .backward = reshape_backward,
    .make_case = reshape_case,
};

/* ================= permute ================= */

static void permute_check(const ovOpCall *c) {
    const ovAttrVal *p = &c->attr[0];
    int nd = c->in[0]->ndim;
    if (p->n != nd) ov_op_fail(c, "dims has %d entries for a tensor with %d dims", p->n, nd);
    unsigned seen = 0;
    for (int i = 0; i < nd; i++) {
        int64_t d = p->v[i] < 0 ? p->v[i] + nd : p->v[i];
        if (d < 0 || d >= nd || (seen >> d & 1)) ov_op_fail(c, "dims is not a permutation of 0..%d", nd - 1);
        seen |= 1u << d;
    }
}

static int permute_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t shape[OV_MAX_DIMS], stride[OV_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) {
        int64_t d = c->attr[0].v[i] < 0 ? c->attr[0].v[i] + x->ndim : c->attr[0].v[i];
        shape[i] = x->shape[d];
        stride[i] = x->stride[d];
    }
    out[0] = ov_view_of(x, x->ndim, shape, stride, x->offset);
    return 1;
}

static void permute_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    int nd = n->call.in[0]->ndim;
    int64_t inv[OV_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        int64_t d = n->call.attr[0].v[i] < 0 ? n->call.attr[0].v[i] + nd : n->call.attr[0].v[i];
        inv[d] = i;
    }
    gin[0] = ov_permute(gout[0], nd, inv);
}

static bool permute_case(int k, ovOpCall *c) {
    if (k >= 3) return false;
    const int64_t s[] = {2, 3, 4, 5};
    c->in[0] = ov_tg_tensor(4, s, OV_TG_NORMAL, ov_tg_layout(k), 510 + (uint64_t)k);
    const int64_t p[][4] = {{0, 2, 1, 3}, {3, 2, 1, 0}, {1, -1, 0, 2}};
    c->attr[0].n = 4;
    memcpy(c->attr[0].v, p[k], sizeof p[k]);
    return true;
}

static ovOpDef op_permute = {
    .name = "permute", .doc = "reorders dims (a view)", .args = {{"x", OV_ARG_ANY, 0}},
    .attrs = {{"dims", OV_ATTR_INTS, NULL}}, .outputs = "out", .flags = OV_OP_VIEW | OV_OP_CUDA,
    .check = permute_check, .forward = permute_forward, .backward = permute_backward, .make_case = permute_case,
};

/* ================= slice ================= */

enum { SL_DIM, SL_START, SL_END, SL_STEP };

/* Python slicing bounds of x[start:end:step] along the dim. */
static void slice_bounds(const ovOpCall *c, int *dim, int64_t *start, int64_t *len) {
    const ovTensor *x = c->in[0];
    if (x->ndim == 0) ov_op_fail(c, "cannot slice a 0-dim tensor");
    *dim = ov_wrap_dim((int)c->attr[SL_DIM].i, x->ndim, c->op->name);
    int64_t n = x->shape[*dim], s = c->attr[SL_START].i, e = c->attr[SL_END].i, step = c->attr[SL_STEP].i;
    if (step < 1) ov_op_fail(c, "step must be >= 1, got %lld", (long long)step);
    if (s < 0) s += n;
    if (e < 0) e += n;
    s = s < 0 ? 0 : s > n ? n : s;
    e = e < s ? s : e > n ? n : e;
    *start = s;
    *len = (e - s + step - 1) / step;
}

static void slice_check(const ovOpCall *c) {
    int dim;
    int64_t s, l;
    slice_bounds(c, &dim, &s, &l);
}

static int slice_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int dim;
    int64_t start, len, shape[OV_MAX_DIMS], stride[OV_MAX_DIMS];
    slice_bounds(c, &dim, &start, &len);
    memcpy(shape, x->shape, sizeof shape);
    memcpy(stride, x->stride, sizeof stride);
    shape[dim] = len;
    stride[dim] = x->stride[dim] * c->attr[SL_STEP].i;
    out[0] = ov_view_of(x, x->ndim, shape, stride, x->offset + start * x->stride[dim]);
    return 1;
}

static void slice_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    ovTensor *g = ov_zeros(x->ndim, x->shape, OV_F32);
    ovOpCall c = n->call;
    c.in[0] = g;
    ovTensor *part[1];
    slice_forward(&c, part, NULL); /* the same window of the zero gradient */
    ov_copy_(part[0], gout[0]);
    gin[0] = g;
}

static bool slice_case(int k, ovOpCall *c) {
    static const int64_t a[][4] = {{1, 1, 5, 1}, {-1, 2, -1, 2}, {0, -3, 100, 1}, {2, 0, 6, 3}};
    if (k >= 4) return false;
    const int64_t s[] = {7, 6, 9};
    c->in[0] = ov_tg_tensor(3, s, OV_TG_NORMAL, ov_tg_layout(k), 520 + (uint64_t)k);
    for (int i = 0; i < 4; i++) c->attr[i].i = a[k][i];
    return true;
}

static ovOpDef op_slice = {
    .name = "slice", .doc = "x[start:end:step] along dim (a view; Python bounds)", .args = {{"x", OV_ARG_ANY, 0}},
    .attrs = {{"dim", OV_ATTR_INT, "0"}, {"start", OV_ATTR_INT, "0"}, {"end", OV_ATTR_INT, "9223372036854775807"},
              {"step", OV_ATTR_INT, "1"}},
    .outputs = "out", .flags = OV_OP_VIEW | OV_OP_CUDA, .check = slice_check, .forward = slice_forward,
    .backward = slice_backward, .make_case = slice_case,
};

/* ================= expand ================= */

static void expand_shape(const ovOpCall *c, int64_t *shape, int64_t *stride) {
    const ovTensor *x = c->in[0];
    const ovAttrVal *s = &c->attr[0];
    if (s->n < x->ndim) ov_op_fail(c, "expand to %d dims from %d dims", s->n, x->ndim);
    if (s->n > OV_MAX_DIMS) ov_op_fail(c, "more than %d dims", OV_MAX_DIMS);
    int lead = s->n - x->ndim;
    for (int d = 0; d < s->n; d++) {
        int xd = d - lead;
        int64_t want = s->v[d];
        if (xd < 0) {
            if (want < 0) ov_op_fail(c, "-1 is not allowed for a new leading dim");
            shape[d] = want;
            stride[d] = 0;
        } else if (want == -1 || want == x->shape[xd]) {
            shape[d] = x->shape[xd];
            stride[d] = x->stride[xd];
        } else if (x->shape[xd] == 1) {
            shape[d] = want;
            stride[d] = 0;
        } else {
            ov_op_fail(c, "cannot expand dim %d of size %lld to %lld", xd, (long long)x->shape[xd], (long long)want);
        }
    }
}

static void expand_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS], stride[OV_MAX_DIMS];
    expand_shape(c, shape, stride);
}

static int expand_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    int64_t shape[OV_MAX_DIMS], stride[OV_MAX_DIMS];
    expand_shape(c, shape, stride);
    out[0] = ov_view_of(c->in[0], c->attr[0].n, shape, stride, c->in[0]->offset);
    return 1;
}

static void expand_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    gin[0] = ov_contiguous(ov_sum_to(gout[0], n->call.in[0]));
}

static bool expand_case(int k, ovOpCall *c) {
    if (k >= 3) return false;
    const int64_t s[][3] = {{3, 1, 5}, {1, 4}, {2, 1, 1}};
    const int nd[] = {3, 2, 3};
    const int64_t to[][4] = {{3, 4, 5}, {2, 3, 4, 4}, {-1, 3, 5}};
    const int nto[] = {3, 4, 3};
    c->in[0] = ov_tg_tensor(nd[k], s[k], OV_TG_NORMAL, ov_tg_layout(k), 530 + (uint64_t)k);
    c->attr[0].n = nto[k];
    memcpy(c->attr[0].v, to[k], sizeof to[k]);
    return true;
}

static ovOpDef op_expand = {
    .name = "expand", .doc = "broadcast size-1 dims to a larger shape (a view with stride 0)",
    .args = {{"x", OV_ARG_ANY, 0}}, .attrs = {{"shape", OV_ATTR_INTS, NULL}}, .outputs = "out",
    .flags = OV_OP_VIEW | OV_OP_CUDA, .check = expand_check, .forward = expand_forward, .backward = expand_backward,
    .make_case = expand_case,
};

/* ================= clone and to_dtype ================= */

static int copy_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    ovDType dt = c->op->attrs[0].name ? (ovDType)c->attr[0].i : x->dtype;
    out[0] = ov_empty(x->ndim, x->shape, dt);
    ovKView d = ov_kview(out[0]), s = ov_kview(x);
    OV_KERNEL(c, ov_kcopy, &d, &s);
    return 1;
}

static void copy_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    gin[0] = gout[0]->dtype == x->dtype ? gout[0] : ov_to(gout[0], x->dtype);
}

static bool clone_case(int k, ovOpCall *c) {
    if (k >= 3) return false;
    const int64_t s[] = {5, 130, 129};
    c->in[0] = ov_tg_tensor(k == 2 ? 3 : 2, s, OV_TG_NORMAL, ov_tg_layout(k), 540 + (uint64_t)k);
    return true;
}

static ovOpDef op_clone = {
    .name = "clone", .doc = "a contiguous copy", .args = {{"x", OV_ARG_ANY, 0}}, .outputs = "out", .flags = OV_OP_CUDA,
    .forward = copy_forward, .backward = copy_backward, .make_case = clone_case,
};

static bool to_dtype_case(int k, ovOpCall *c) {
    static const ovDType to[] = {OV_BF16, OV_F16, OV_I64, OV_F32, OV_BOOL};
    if (k >= 5) return false;
    const int64_t s[] = {6, 35};
    c->in[0] = ov_mul_scalar(ov_tg_tensor(2, s, OV_TG_NORMAL, ov_tg_layout(k), 550 + (uint64_t)k), 3.0);
    c->attr[0].i = to[k];
    return true;
}

static ovOpDef op_to_dtype = {
    .name = "to_dtype", .doc = "converts the dtype (round to nearest even for bf16/f16, truncation for ints)",
    .args = {{"x", OV_ARG_ANY, 0}}, .attrs = {{"dtype", OV_ATTR_DTYPE, "f32"}}, .outputs = "out",
    .flags = OV_OP_CUDA, .forward = copy_forward, .backward = copy_backward, .make_case = to_dtype_case,
};

/* ================= to_device ================= */

static int to_device_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    out[0] = ov_empty_on((ovDevice)c->attr[0].i, x->ndim, x->shape, x->dtype);
    ov_copy_(out[0], x);
    return 1;
}

static void to_device_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    gin[0] = ov_to_device(gout[0], ov_device(n->call.in[0]));
}

static bool to_device_case(int k, ovOpCall *c) {
    if (k >= 2) return false;
    const int64_t s[] = {4, 9};
    c->in[0] = ov_tg_tensor(2, s, OV_TG_NORMAL, ov_tg_layout(k + 1), 560 + (uint64_t)k);
    c->attr[0].i = OV_DEV_CPU;
    return true;
}

static ovOpDef op_to_device = {
    .name = "to_device", .doc = "copies the tensor to another device (contiguous on arrival)",
    .args = {{"x", OV_ARG_ANY, 0}}, .attrs = {{"device", OV_ATTR_ENUM, "cpu", "cpu|cuda"}}, .outputs = "out",
    .flags = OV_OP_CUDA, .forward = to_device_forward, .backward = to_device_backward, .make_case = to_device_case,
};

ovOpDef *const ov_ops_shape[] = {&op_reshape, &op_permute, &op_slice,     &op_expand,
                                 &op_clone,   &op_to_dtype, &op_to_device, NULL};

/* ================= public API ================= */

static ovTensor *reshape_call(ovTensor *x, int ndim, const int64_t *shape, bool view_only) {
    ovOpCall c = ov_call(&op_reshape);
    c.in[0] = x;
    if (ndim > OV_MAX_DIMS) ov_op_fail(&c, "more than %d dims", OV_MAX_DIMS);
    c.attr[0].n = ndim;
    c.attr[0].set = true;
    for (int i = 0; i < ndim; i++) c.attr[0].v[i] = shape[i];
    c.attr[1].i = view_only;
    return ov_apply1(&c);
}

ovTensor *ov_reshape(ovTensor *x, int ndim, const int64_t *shape) { return reshape_call(x, ndim, shape, false); }
ovTensor *ov_view(ovTensor *x, int ndim, const int64_t *shape) { return reshape_call(x, ndim, shape, true); }

ovTensor *ov_permute(ovTensor *x, int ndim, const int64_t *dims) {
    ovOpCall c = ov_call(&op_permute);
    c.in[0] = x;
    if (ndim > OV_MAX_DIMS) ov_op_fail(&c, "more than %d dims", OV_MAX_DIMS);
    c.attr[0].n = ndim;
    c.attr[0].set = true;
    for (int i = 0; i < ndim; i++) c.attr[0].v[i] = dims[i];
    return ov_apply1(&c);
}

ovTensor *ov_transpose(ovTensor *x, int d0, int d1) {
    int nd = x->ndim;
    d0 = ov_wrap_dim(d0, nd, "transpose");
    d1 = ov_wrap_dim(d1, nd, "transpose");
    if (nd == 0) return x;
    int64_t p[OV_MAX_DIMS];
    for (int i = 0; i < nd; i++) p[i] = i;
    p[d0] = d1;
    p[d1] = d0;
    return ov_permute(x, nd, p);
}

ovTensor *ov_slice(ovTensor *x, int dim, int64_t start, int64_t end, int64_t step) {
    ovOpCall c = ov_call(&op_slice);
    c.in[0] = x;
    c.attr[SL_DIM].i = dim;
    c.attr[SL_START].i = start;
    c.attr[SL_END].i = end;
    c.attr[SL_STEP].i = step;
    return ov_apply1(&c);
}

ovTensor *ov_narrow(ovTensor *x, int dim, int64_t start, int64_t length) {
    int d = ov_wrap_dim(dim, x->ndim, "narrow");
    int64_t n = x->ndim ? x->shape[d] : 1;
    if (start < 0) start += n;
    if (start < 0 || length < 0 || start + length > n) {
        char b[160];
        ov_panic("narrow: start %lld length %lld out of range for dim %d of %s", (long long)start,
                 (long long)length, d, ov_describe(x, b, sizeof b));
    }
    return ov_slice(x, d, start, start + length, 1);
}

ovTensor *ov_select(ovTensor *x, int dim, int64_t index) {
    int d = ov_wrap_dim(dim, x->ndim, "select");
    if (index < 0) index += x->shape[d];
    return ov_squeeze(ov_narrow(x, d, index, 1), d);
}

ovTensor *ov_expand(ovTensor *x, int ndim, const int64_t *shape) {
    ovOpCall c = ov_call(&op_expand);
    c.in[0] = x;
    if (ndim > OV_MAX_DIMS) ov_op_fail(&c, "more than %d dims", OV_MAX_DIMS);
    c.attr[0].n = ndim;
    c.attr[0].set = true;
    for (int i = 0; i < ndim; i++) c.attr[0].v[i] = shape[i];
    return ov_apply1(&c);
}

ovTensor *ov_squeeze(ovTensor *x, int dim) {
    if (x->ndim == 0) return x;
    int d = ov_wrap_dim(dim, x->ndim, "squeeze");
    if (x->shape[d] != 1) return x; /* like torch.squeeze(dim): a no-op on a dim that is not 1 */
    int64_t shape[OV_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < x->ndim; i++)
        if (i != d) shape[n++] = x->shape[i];
    return ov_reshape(x, n, shape);
}

ovTensor *ov_unsqueeze(ovTensor *x, int dim) {
    int d = ov_wrap_dim(dim, x->ndim + 1, "unsqueeze");
    int64_t shape[OV_MAX_DIMS];
    int n = 0;
    for (int i = 0; i <= x->ndim; i++) {
        if (i == d) shape[n++] = 1;
        if (i < x->ndim) shape[n++] = x->shape[i];
    }
    return ov_reshape(x, n, shape);
}

ovTensor *ov_flatten(ovTensor *x, int start_dim, int end_dim) {
    if (x->ndim == 0) return ov_reshape(x, 1, (int64_t[]){1});
    int s = ov_wrap_dim(start_dim, x->ndim, "flatten"), e = ov_wrap_dim(end_dim, x->ndim, "flatten");
    if (s > e) ov_panic("flatten: start_dim %d comes after end_dim %d", s, e);
    int64_t shape[OV_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < s; i++) shape[n++] = x->shape[i];
    int64_t m = 1;
    for (int i = s; i <= e; i++) m *= x->shape[i];
    shape[n++] = m;
    for (int i = e + 1; i < x->ndim; i++) shape[n++] = x->shape[i];
    return ov_reshape(x, n, shape);
}

ovTensor *ov_contiguous_copy(ovTensor *x) {
    ovOpCall c = ov_call(&op_clone);
    c.in[0] = x;
    return ov_apply1(&c);
}

ovTensor *ov_contiguous(ovTensor *x) { return ov_is_contiguous(x) ? x : ov_contiguous_copy(x); }

ovTensor *ov_to_device(ovTensor *x, ovDevice dev) {
    if (ov_device(x) == dev) return x;
    ovOpCall c = ov_call(&op_to_device);
    c.in[0] = x;
    c.attr[0].i = dev;
    return ov_apply1(&c);
}

ovTensor *ov_to(ovTensor *x, ovDType dtype) {
    if (x->dtype == dtype) return x; /* like torch's .to(): no copy when nothing changes */
    ovOpCall c = ov_call(&op_to_dtype);
    c.in[0] = x;
    c.attr[0].i = dtype;
    return ov_apply1(&c);
}
