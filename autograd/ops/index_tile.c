/* index_tile.c: torch.Tensor.repeat, F.pad in constant mode and torch.flip (kernels/cpu/tile.c).
 * Their gradients are other ops: repeat's sums the tiles (ov_sum, deterministic), pad's is the pad
 * with negated widths (a crop where it padded, zeros where it cropped), flip's is the same flip. */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/index.h"
#include "kernels/cuda/index.h"

/* ================= repeat ================= */

/* x seen with the repeats' number of dims (leading size-1 dims, as torch does), and the result's
 * shape. */
static ovKView repeat_geometry(const ovOpCall *c, int64_t *shape) {
    const ovTensor *x = c->in[0];
    const ovAttrVal *r = &c->attr[0];
    if (r->n < x->ndim)
        ov_op_fail(c, "repeats has %d entries, fewer than the %d dims of x", r->n, x->ndim);
    if (r->n > OV_MAX_DIMS) ov_op_fail(c, "repeats has %d entries, more than %d dims", r->n, OV_MAX_DIMS);
    ovKView v = ov_kview(x);
    int lead = r->n - x->ndim;
    v.ndim = r->n;
    for (int d = r->n - 1; d >= 0; d--) {
        if (r->v[d] < 0) ov_op_fail(c, "repeats[%d] is negative (%lld)", d, (long long)r->v[d]);
        v.shape[d] = d < lead ? 1 : x->shape[d - lead];
        v.stride[d] = d < lead ? 0 : x->stride[d - lead];
        shape[d] = v.shape[d] * r->v[d];
    }
    return v;
}

static void repeat_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS];
    repeat_geometry(c, shape);
}

static int repeat_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    int64_t shape[OV_MAX_DIMS];
    ovKView xv = repeat_geometry(c, shape);
    out[0] = ov_empty(xv.ndim, shape, c->in[0]->dtype);
    ovKView o = ov_kview(out[0]);
    OV_KERNEL(c, ov_krepeat, &o, &xv);
    return 1;
}

/* Sums the tiles, one repeated dim at a time: [.., r*s, ..] seen as [pre, r, s, post], summed
 * over r. */
static void repeat_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0], *g = ov_index_f32(gout[0]);
    const ovAttrVal *r = &n->call.attr[0];
    int nd = r->n, lead = nd - x->ndim;
    int64_t cur[OV_MAX_DIMS];
    memcpy(cur, g->shape, sizeof cur);
    for (int d = 0; d < nd; d++)
        if (r->v[d] == 0) { /* nothing was copied: no gradient */
            gin[0] = ov_zeros(x->ndim, x->shape, OV_F32);
            return;
        }
    for (int d = 0; d < nd; d++) {
        if (r->v[d] == 1) continue;
        int64_t s = d < lead ? 1 : x->shape[d - lead], pre = 1, post = 1;
        for (int k = 0; k < d; k++) pre *= cur[k];
        for (int k = d + 1; k < nd; k++) post *= cur[k];
        g = ov_sum(ov_reshape(g, 4, (int64_t[]){pre, r->v[d], s, post}), 1, (int64_t[]){1}, false);
        cur[d] = s;
    }
    gin[0] = ov_reshape(g, x->ndim, x->shape);
}

/* Cases: more repeats than dims, a repeat of 1, a 1-D tile, a 0-dim x, a large tile. */
static bool repeat_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{3, 4}, {2, 5, 3}, {7}, {1}, {60, 65}};
    static const int nd[] = {2, 3, 1, 0, 2};
    static const int64_t reps[][4] = {{2, 1, 3}, {1, 3, 1}, {3}, {2, 3}, {3, 1, 3}};
    static const int nr[] = {3, 3, 1, 2, 3};
    if (k >= 5) return false;
    c->in[0] = ov_tg_tensor(nd[k], xs[k], OV_TG_NORMAL, ov_tg_layout(k), 900 + (uint64_t)k);
    c->attr[0].n = nr[k];
    memcpy(c->attr[0].v, reps[k], sizeof reps[k]);
    return true;
}

ovOpDef ov_op_repeat = {
    .name = "repeat", .doc = "tiles x repeats[d] times along each dim, new leading dims too (torch.Tensor.repeat)",
    .args = {{"x", OV_ARG_ANY, 0}}, .attrs = {{"repeats", OV_ATTR_INTS, NULL}}, .outputs = "out",
    .flags = OV_OP_CUDA, .check = repeat_check, .forward = repeat_forward, .backward = repeat_backward,
    .make_case = repeat_case,
};

/* ================= pad ================= */

enum { P_PADS, P_VALUE };

/* Low padding per dim (negative crops) and the result's shape, from F.pad's
 * (last_lo, last_hi, prev_lo, prev_hi, ...) order. */
static void pad_geometry(const ovOpCall *c, int64_t *lo, int64_t *shape) {
    const ovTensor *x = c->in[0];
    const ovAttrVal *p = &c->attr[P_PADS];
    if (p->n % 2) ov_op_fail(c, "pads must have an even number of entries (lo, hi per dim), got %d", p->n);
    if (p->n > 2 * x->ndim) ov_op_fail(c, "pads has %d entries, more than 2 per dim of x", p->n);
    for (int d = 0; d < x->ndim; d++) {
        lo[d] = 0;
        shape[d] = x->shape[d];
    }
    for (int i = 0; i < p->n / 2; i++) {
        int d = x->ndim - 1 - i;
        lo[d] = p->v[2 * i];
        shape[d] += p->v[2 * i] + p->v[2 * i + 1];
        if (shape[d] < 0)
            ov_op_fail(c, "dim %d of size %lld would have size %lld after padding (%lld, %lld)", d,
                       (long long)x->shape[d], (long long)shape[d], (long long)p->v[2 * i], (long long)p->v[2 * i + 1]);
    }
}

static void pad_check(const ovOpCall *c) {
    int64_t lo[OV_MAX_DIMS], shape[OV_MAX_DIMS];
    pad_geometry(c, lo, shape);
}

static int pad_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t lo[OV_MAX_DIMS], shape[OV_MAX_DIMS];
    pad_geometry(c, lo, shape);
    out[0] = ov_empty(x->ndim, shape, x->dtype);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x);
    OV_KERNEL(c, ov_kpad, &o, &xv, lo, ov_attr_f(c, P_VALUE));
    return 1;
}

static void pad_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    const ovAttrVal *p = &n->call.attr[P_PADS];
    int64_t neg[OV_MAX_INTS];
    for (int i = 0; i < p->n; i++) neg[i] = -p->v[i];
    gin[0] = ov_pad(ov_index_f32(gout[0]), p->n, neg, 0.0);
}

/* Cases: the last two dims, crops mixed with pads, one dim of a 3-D view, all dims of a 1-D
 * tensor, a large padded image. */
static bool pad_case(int k, ovOpCall *c) {
    static const int64_t xs[][4] = {{3, 4, 5}, {5, 7}, {2, 6, 4}, {9}, {2, 3, 70, 80}};
    static const int nd[] = {3, 2, 3, 1, 4};
    static const int64_t pads[][4] = {{1, 2, 3, 0}, {-1, 2, 1, -3}, {2, 2}, {-2, 4}, {3, 5, 1, 1}};
    static const int np[] = {4, 4, 2, 2, 4};
    static const double value[] = {0, -1.5, 2.0, 0.25, 0};
    if (k >= 5) return false;
    c->in[0] = ov_tg_tensor(nd[k], xs[k], OV_TG_NORMAL, ov_tg_layout(k), 910 + (uint64_t)k);
    c->attr[P_PADS].n = np[k];
    memcpy(c->attr[P_PADS].v, pads[k], sizeof pads[k]);
    c->attr[P_VALUE].f = value[k];
    return true;
}

ovOpDef ov_op_pad = {
    .name = "pad", .doc = "constant pad, pads = (last_lo, last_hi, prev_lo, ...) like F.pad; negative crops",
    .args = {{"x", OV_ARG_ANY, 0}}, .attrs = {{"pads", OV_ATTR_INTS, NULL}, {"value", OV_ATTR_FLOAT, "0"}},
    .outputs = "out", .flags = OV_OP_CUDA, .check = pad_check, .forward = pad_forward, .backward = pad_backward,
    .make_case = pad_case,
};

/* ================= flip ================= */

static unsigned flip_mask(const ovOpCall *c) {
    const ovAttrVal *v = &c->attr[0];
    int nd = c->in[0]->ndim;
    unsigned mask = 0;
    for (int i = 0; i < v->n; i++) {
        int d = ov_index_wrap_dim(c, v->v[i], nd);
        if (mask >> d & 1) ov_op_fail(c, "dim %d appears twice in dims", d);
        if (nd) mask |= 1u << d;
    }
    return mask;
}

static void flip_check(const ovOpCall *c) { flip_mask(c); }

static int flip_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    unsigned mask = flip_mask(c);
    out[0] = ov_empty(x->ndim, x->shape, x->dtype);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x);
    OV_KERNEL(c, ov_kflip, &o, &xv, mask);
    return 1;
}

static void flip_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    const ovAttrVal *v = &n->call.attr[0];
    gin[0] = ov_flip(ov_index_f32(gout[0]), v->n, v->v);
}

/* Cases: the last dim, several dims with a negative one, the first dim, no dims, a large image. */
static bool flip_case(int k, ovOpCall *c) {
    static const int64_t xs[][3] = {{4, 7}, {3, 4, 5}, {6, 5}, {3, 4}, {3, 100, 115}};
    static const int nd[] = {2, 3, 2, 2, 3};
    static const int64_t dims[][3] = {{1}, {0, -1}, {0}, {0}, {1, 2}};
    static const int ndims[] = {1, 2, 1, 0, 2};
    if (k >= 5) return false;
    c->in[0] = ov_tg_tensor(nd[k], xs[k], OV_TG_NORMAL, ov_tg_layout(k), 920 + (uint64_t)k);
    c->attr[0].n = ndims[k];
    memcpy(c->attr[0].v, dims[k], sizeof dims[k]);
    return true;
}

ovOpDef ov_op_flip = {
    .name = "flip", .doc = "reverses the order of elements along dims (torch.flip)", .args = {{"x", OV_ARG_ANY, 0}},
    .attrs = {{"dims", OV_ATTR_INTS, NULL}}, .outputs = "out", .flags = OV_OP_CUDA, .check = flip_check,
    .forward = flip_forward, .backward = flip_backward, .make_case = flip_case,
};

/* ================= public API ================= */

static void set_ints(ovOpCall *c, int attr, int n, const int64_t *v) {
    if (n > OV_MAX_INTS) ov_op_fail(c, "%s has %d entries, more than %d", c->op->attrs[attr].name, n, OV_MAX_INTS);
    c->attr[attr].n = n;
    c->attr[attr].set = true;
    for (int i = 0; i < n; i++) c->attr[attr].v[i] = v[i];
}

ovTensor *ov_repeat(ovTensor *x, int n, const int64_t *repeats) {
    ovOpCall c = ov_call(&ov_op_repeat);
    c.in[0] = x;
    set_ints(&c, 0, n, repeats);
    return ov_apply1(&c);
}

ovTensor *ov_pad(ovTensor *x, int n_pads, const int64_t *pads, double value) {
    ovOpCall c = ov_call(&ov_op_pad);
    c.in[0] = x;
    set_ints(&c, P_PADS, n_pads, pads);
    c.attr[P_VALUE].f = value;
    return ov_apply1(&c);
}

ovTensor *ov_flip(ovTensor *x, int n, const int64_t *dims) {
    ovOpCall c = ov_call(&ov_op_flip);
    c.in[0] = x;
    set_ints(&c, 0, n, dims);
    return ov_apply1(&c);
}
