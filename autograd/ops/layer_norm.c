/* layer_norm.c: op-table entries of LayerNorm, part of the norm family (the table is in norm.c):
 *   layer_norm           F.layer_norm over the last `ndims` dims with optional weight and bias;
 *   channel_layer_norm   LayerNorm over dim 1 of [N,C,...] (STMixer's / ConvNeXt's channels-first
 *                        LN: u = x.mean(1); s = (x-u)^2.mean(1); w * (x-u)/sqrt(s+eps) + b);
 *   layer_norm_backward  (internal) the fused gradients for x, weight and bias from the mean and
 *                        rstd that the forward saves.
 * One kernel serves both layouts: the last dims are merged into one row dim, or dim 1 is moved
 * last (kernels/cpu/layernorm.h). */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/rowview.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/layernorm.h"
#include "kernels/cuda/norm.h"

/* listed in norm.c's table, ov_ops_norm */
extern ovOpDef ov_op_layer_norm, ov_op_channel_layer_norm, ov_op_layer_norm_backward;

/* layer_norm: ndims, eps; channel_layer_norm: eps; layer_norm_backward: ndims, channel, param_grads */
enum { LN_NDIMS, LN_EPS };
static int eps_attr(const ovOpCall *c) { return c->op->code == 1 ? 0 : LN_EPS; }
enum { LB_NDIMS, LB_CHANNEL, LB_PARAM_GRADS };

typedef struct {
    bool channel; /* rows along dim 1 */
    int k;        /* else: rows over the last k dims */
} LnGeo;

/* Number of normalised elements per row and the shape of weight and bias. */
static int64_t ln_row_shape(const ovTensor *x, LnGeo g, int *nd, int64_t *shape) {
    if (g.channel) {
        *nd = 1;
        shape[0] = x->shape[1];
        return x->shape[1];
    }
    *nd = g.k;
    memcpy(shape, x->shape + x->ndim - g.k, sizeof(int64_t) * (size_t)g.k);
    return ov_numel_shape(g.k, shape);
}

/* The per-row statistics' shape: x's with the normalised dims set to 1. */
static void ln_stat_shape(const ovTensor *x, LnGeo g, int64_t *shape) {
    for (int d = 0; d < x->ndim; d++)
        shape[d] = (g.channel ? d == 1 : d >= x->ndim - g.k) ? 1 : x->shape[d];
}

/* v (with x's shape) as rows; false when the last k dims cannot be merged. */
static bool ln_rows(ovKView v, LnGeo g, ovKView *out) {
    if (g.channel) {
        *out = ov_kview_move_last(v, 1);
        return true;
    }
    return ov_kview_merge_last(v, g.k, out);
}

/* The row view of t (x's shape); copies t first when its strides cannot be merged. */
static ovKView ln_rows_of(ovTensor *t, LnGeo g) {
    ovKView v;
    if (!ln_rows(ov_kview(t), g, &v)) ln_rows(ov_kview(ov_raw_contiguous(t)), g, &v);
    return v;
}

/* Row views of a statistics tensor (stride 0 along the row). */
static ovKView ln_stat_rows(const ovTensor *s, const ovTensor *x, LnGeo g) {
    ovKView v;
    ln_rows(ov_kview_bcast(s, x->ndim, x->shape), g, &v);
    return v;
}

/* A weight or bias as a 1-D view of n elements; `fill` (1 or 0) when absent. */
static ovKView param_1d(ovTensor *p, int64_t n, double fill) {
    if (!p) p = ov_full(1, &n, fill, OV_F32);
    p = ov_raw_contiguous(p);
    ovKView v = ov_kview(p);
    v.ndim = 1;
    v.shape[0] = n;
    v.stride[0] = 1;
    return v;
}

static LnGeo ln_geo(const ovOpCall *c) {
    LnGeo g = {.channel = c->op->code == 1, .k = c->op->code == 1 ? 0 : (int)c->attr[LN_NDIMS].i};
    return g;
}

static void check_param(const ovOpCall *c, const ovTensor *p, const char *what, int nd, const int64_t *shape) {
    if (!p) return;
    if (p->ndim != nd || memcmp(p->shape, shape, sizeof(int64_t) * (size_t)nd) != 0) {
        char s[128];
        ov_op_fail(c, "%s must have shape %s", what, ov_shape_str(nd, shape, s, sizeof s));
    }
}

static void ln_check_geo(const ovOpCall *c, LnGeo g, const ovTensor *x, const ovTensor *w, const ovTensor *b) {
    if (g.channel && x->ndim < 2) ov_op_fail(c, "x must be [N,C,...] (at least 2 dims)");
    if (!g.channel && (g.k < 1 || g.k > x->ndim)) ov_op_fail(c, "ndims must be in 1..%d", x->ndim);
    int pnd;
    int64_t ps[OV_MAX_DIMS];
    ln_row_shape(x, g, &pnd, ps);
    check_param(c, w, "weight", pnd, ps);
    check_param(c, b, "bias", pnd, ps);
}

static void ln_check(const ovOpCall *c) { ln_check_geo(c, ln_geo(c), c->in[0], c->in[1], c->in[2]); }

static int ln_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    ovTensor *x = c->in[0];
    LnGeo g = ln_geo(c);
    int pnd;
    int64_t ps[OV_MAX_DIMS], ss[OV_MAX_DIMS];
    int64_t n = ln_row_shape(x, g, &pnd, ps);
    ln_stat_shape(x, g, ss);
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovTensor *mean = ov_empty(x->ndim, ss, OV_F32), *rstd = ov_empty(x->ndim, ss, OV_F32);
    ovKView yv = ln_rows_of(out[0], g), xv = ln_rows_of(x, g);
    ovKView mv = ln_stat_rows(mean, x, g), rv = ln_stat_rows(rstd, x, g);
    ovKView wv = param_1d(c->in[1], n, 1.0), bv = param_1d(c->in[2], n, 0.0);
    float eps = (float)c->attr[eps_attr(c)].f;
    OV_KERNEL(c, ov_klayernorm, &yv, &mv, &rv, &xv, &wv, &bv, eps);
    if (save) {
        save->t[save->n++] = mean;
        save->t[save->n++] = rstd;
    }
    return 1;
}

static void ln_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    LnGeo g = ln_geo(&n->call);
    ovOpCall b = ov_call(&ov_op_layer_norm_backward);
    b.in[0] = gout[0];
    b.in[1] = n->call.in[0];
    b.in[2] = n->call.in[1];
    b.in[3] = n->saved.t[0];
    b.in[4] = n->saved.t[1];
    b.attr[LB_NDIMS].i = g.k;
    b.attr[LB_CHANNEL].i = g.channel;
    b.attr[LB_PARAM_GRADS].i = n->needs_grad[1] || n->needs_grad[2];
    ovTensor *res[OV_MAX_OUTPUTS];
    int nr = ov_apply(&b, res);
    gin[0] = res[0];
    if (nr == 3) {
        if (n->needs_grad[1]) gin[1] = res[1];
        if (n->needs_grad[2]) gin[2] = res[2];
    }
}

/* Cases: one and several last dims (contiguous, transposed = copied, strided), with and without
 * weight and bias, a large one for the threads; channels-first: row blocks, a transposed view
 * (unit-step rows), strided, large, and [N,C] with no spatial dims; for either, rows longer than
 * a warp takes on the device (a block per row). */
static bool ln_case(int k, ovOpCall *c) {
    static const int64_t shapes[][5] = {{4, 7}, {3, 5, 6}, {2, 3, 37}, {5, 300}, {60, 768}, {2, 3, 4, 5}, {3, 1300}};
    static const int nds[] = {2, 3, 3, 2, 2, 4, 2}, ks[] = {1, 2, 1, 1, 1, 3, 1};
    static const int64_t cshapes[][5] = {{2, 5, 3, 4}, {2, 6, 7}, {3, 8, 5, 9}, {2, 40, 8, 8, 8}, {4, 16}, {2, 1100, 3}};
    static const int cnds[] = {4, 3, 4, 5, 2, 3};
    static const bool has_w[] = {true, true, true, false, true, false, true},
                      has_b[] = {true, true, false, false, true, true, true};
    bool channel = c->op->code == 1;
    if (k >= (channel ? 6 : 7)) return false;
    const int64_t *shape = channel ? cshapes[k] : shapes[k];
    int nd = channel ? cnds[k] : nds[k];
    ovTgLayout lay = channel && k == 3 ? OV_TG_CONTIG : ov_tg_layout(k);
    c->in[0] = ov_tg_tensor(nd, shape, OV_TG_NORMAL, lay, 1000 + (uint64_t)k);
    if (!channel) c->attr[LN_NDIMS].i = ks[k];
    LnGeo g = ln_geo(c);
    int pnd;
    int64_t ps[OV_MAX_DIMS];
    ln_row_shape(c->in[0], g, &pnd, ps);
    if (has_w[k]) c->in[1] = ov_tg_tensor(pnd, ps, OV_TG_POSITIVE, ov_tg_layout(k + 1), 1100 + (uint64_t)k);
    if (has_b[k]) c->in[2] = ov_tg_tensor(pnd, ps, OV_TG_NORMAL, OV_TG_CONTIG, 1200 + (uint64_t)k);
    return true;
}

#define LN_ARGS {{"x", OV_ARG_FLOAT, 0}, {"weight", OV_ARG_FLOAT, OV_ARG_OPTIONAL}, {"bias", OV_ARG_FLOAT, OV_ARG_OPTIONAL}}

ovOpDef ov_op_layer_norm = {
    .name = "layer_norm", .doc = "LayerNorm over the last ndims dims with optional weight and bias (F.layer_norm)",
    .args = LN_ARGS, .attrs = {{"ndims", OV_ATTR_INT, "1"}, {"eps", OV_ATTR_FLOAT, "1e-5"}}, .outputs = "out",
    .flags = OV_OP_CUDA, .code = 0, .check = ln_check, .forward = ln_forward, .backward = ln_backward, .make_case = ln_case, .fast_tol = 64,
};

ovOpDef ov_op_channel_layer_norm = {
    .name = "channel_layer_norm", .doc = "LayerNorm over dim 1 of [N,C,...] with weight and bias [C] (STMixer)",
    .args = LN_ARGS, .attrs = {{"eps", OV_ATTR_FLOAT, "1e-6"}}, .outputs = "out",
    .flags = OV_OP_CUDA, .code = 1, .check = ln_check, .forward = ln_forward, .backward = ln_backward, .make_case = ln_case, .fast_tol = 64,
};

/* ---- layer_norm_backward (internal) ---- */

static LnGeo lb_geo(const ovOpCall *c) {
    LnGeo g = {.channel = c->attr[LB_CHANNEL].i != 0, .k = (int)c->attr[LB_NDIMS].i};
    return g;
}

static void lb_check(const ovOpCall *c) {
    const ovTensor *gr = c->in[0], *x = c->in[1];
    LnGeo g = lb_geo(c);
    if (!ov_same_shape(gr, x)) ov_op_fail(c, "grad and x must have the same shape");
    ln_check_geo(c, g, x, c->in[2], NULL);
    int64_t ss[OV_MAX_DIMS];
    ln_stat_shape(x, g, ss);
    for (int i = 3; i < 5; i++)
        if (c->in[i]->ndim != x->ndim || memcmp(c->in[i]->shape, ss, sizeof(int64_t) * (size_t)x->ndim) != 0) {
            char s[128];
            ov_op_fail(c, "mean and rstd must have shape %s", ov_shape_str(x->ndim, ss, s, sizeof s));
        }
}

static int lb_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *gr = c->in[0], *x = c->in[1];
    LnGeo g = lb_geo(c);
    int pnd;
    int64_t ps[OV_MAX_DIMS];
    int64_t n = ln_row_shape(x, g, &pnd, ps);
    bool pg = c->attr[LB_PARAM_GRADS].i;
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovKView gxv = ln_rows_of(out[0], g), gv = ln_rows_of(gr, g), xv = ln_rows_of(x, g);
    ovKView mv = ln_stat_rows(c->in[3], x, g), rv = ln_stat_rows(c->in[4], x, g), wv = param_1d(c->in[2], n, 1.0);
    ovKView gwv, gbv;
    if (pg) {
        out[1] = ov_empty(pnd, ps, OV_F32);
        out[2] = ov_empty(pnd, ps, OV_F32);
        gwv = param_1d(out[1], n, 0);
        gbv = param_1d(out[2], n, 0);
    }
    OV_KERNEL(c, ov_klayernorm_backward, &gxv, pg ? &gwv : NULL, pg ? &gbv : NULL, &gv, &xv, &wv, &mv, &rv);
    return pg ? 3 : 1;
}

static bool lb_case(int k, ovOpCall *c) {
    static const int64_t shapes[][5] = {{4, 7},   {3, 5, 6},         {2, 5, 3, 4}, {3, 8, 5, 9},
                                        {60, 768}, {2, 40, 8, 8, 8}, {4, 1300},    {2, 1100, 3}};
    static const int nds[] = {2, 3, 4, 4, 2, 5, 2, 3}, ks[] = {1, 2, 0, 0, 1, 0, 1, 0};
    if (k >= 8) return false;
    LnGeo g = {.channel = ks[k] == 0, .k = ks[k]};
    ovTgLayout lay = k == 2 || k == 5 ? OV_TG_CONTIG : ov_tg_layout(k);
    ovTensor *x = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, lay, 1300 + (uint64_t)k);
    int pnd;
    int64_t ps[OV_MAX_DIMS], ss[OV_MAX_DIMS];
    ln_row_shape(x, g, &pnd, ps);
    ln_stat_shape(x, g, ss);
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, ov_tg_layout(k + 1), 1400 + (uint64_t)k);
    c->in[1] = x;
    c->in[2] = k % 3 == 1 ? NULL : ov_tg_tensor(pnd, ps, OV_TG_NORMAL, OV_TG_CONTIG, 1500 + (uint64_t)k);
    c->in[3] = ov_tg_tensor(nds[k], ss, OV_TG_UNIT, OV_TG_CONTIG, 1600 + (uint64_t)k);
    c->in[4] = ov_tg_tensor(nds[k], ss, OV_TG_POSITIVE, OV_TG_CONTIG, 1700 + (uint64_t)k);
    c->attr[LB_NDIMS].i = g.k;
    c->attr[LB_CHANNEL].i = g.channel;
    c->attr[LB_PARAM_GRADS].i = k != 3;
    return true;
}

ovOpDef ov_op_layer_norm_backward = {
    .name = "layer_norm_backward",
    .doc = "gradients of layer norm for x, and (param_grads) weight and bias, from mean and rstd",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"x", OV_ARG_FLOAT, 0}, {"weight", OV_ARG_FLOAT, OV_ARG_OPTIONAL},
             {"mean", OV_ARG_FLOAT, 0}, {"rstd", OV_ARG_FLOAT, 0}},
    .attrs = {{"ndims", OV_ATTR_INT, "1"}, {"channel", OV_ATTR_BOOL, "false"}, {"param_grads", OV_ATTR_BOOL, "true"}},
    .outputs = "grad_x,grad_weight,grad_bias",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA,
    .check = lb_check,
    .forward = lb_forward,
    .make_case = lb_case,
    .fast_tol = 64,
};

/* ---- public API ---- */

ovTensor *ov_layer_norm(ovTensor *x, int ndims, ovTensor *weight, ovTensor *bias, double eps) {
    ovOpCall c = ov_call(&ov_op_layer_norm);
    c.in[0] = x;
    c.in[1] = weight;
    c.in[2] = bias;
    c.attr[LN_NDIMS].i = ndims;
    c.attr[LN_EPS].f = eps;
    return ov_apply1(&c);
}

ovTensor *ov_channel_layer_norm(ovTensor *x, ovTensor *weight, ovTensor *bias, double eps) {
    ovOpCall c = ov_call(&ov_op_channel_layer_norm);
    c.in[0] = x;
    c.in[1] = weight;
    c.in[2] = bias;
    c.attr[eps_attr(&c)].f = eps;
    return ov_apply1(&c);
}
