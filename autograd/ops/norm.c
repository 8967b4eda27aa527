/* norm.c: op-table entries of the normalisation family:
 *   softmax, log_softmax   torch.softmax / log_softmax of x + mask over any dim (the optional
 *                          additive mask, e.g. -inf where attention is not allowed, broadcasts to x);
 *   layer_norm             F.layer_norm over the last `ndims` dims with optional weight and bias;
 *   channel_layer_norm     LayerNorm over dim 1 of [N,C,...] (STMixer's / ConvNeXt's channels-first
 *                          LN: u = x.mean(1); s = (x-u)^2.mean(1); w[:,None..] * (x-u)/sqrt(s+eps) + b);
 *   normalize              F.normalize with p = 2.
 * Every kernel works on rows (kernels/cpu/rows.h): the normalised dim is moved last in the kernel
 * views, so dim 1 and the last dim share one kernel. Softmax and layer norm have fused backward
 * kernels exposed as the internal ops softmax_backward and layer_norm_backward; normalize's
 * backward is composed of other ops. */
#include <math.h>
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/copy.h"
#include "kernels/cpu/layernorm.h"
#include "kernels/cpu/softmax.h"

/* ---------------- row geometry ---------------- */

/* v with dim d moved last (the row dim); a 0-dim view becomes one row of one element. */
static ovKView move_last(ovKView v, int d) {
    if (v.ndim == 0) {
        v.ndim = 1;
        v.shape[0] = 1;
        v.stride[0] = 0;
        return v;
    }
    int64_t s = v.shape[d], st = v.stride[d];
    for (int i = d; i + 1 < v.ndim; i++) {
        v.shape[i] = v.shape[i + 1];
        v.stride[i] = v.stride[i + 1];
    }
    v.shape[v.ndim - 1] = s;
    v.stride[v.ndim - 1] = st;
    return v;
}

/* v with its last k dims merged into one row dim, or false when their strides do not allow it. */
static bool merge_last(ovKView v, int k, ovKView *out) {
    int first = v.ndim - k;
    int64_t n = 1, stride = 1, expect = -1;
    for (int d = first; d < v.ndim; d++) n *= v.shape[d];
    for (int d = v.ndim - 1; d >= first && n > 0; d--) {
        if (v.shape[d] == 1) continue;
        if (expect >= 0 && v.stride[d] != expect) return false;
        if (expect < 0) stride = expect = v.stride[d];
        expect *= v.shape[d];
    }
    *out = v;
    out->ndim = first + 1;
    out->shape[first] = n;
    out->stride[first] = stride;
    return true;
}

static int wrap_dim(const ovOpCall *c, int64_t dim, int ndim) {
    int n = ndim ? ndim : 1;
    if (dim < -n || dim >= n) ov_op_fail(c, "dim %lld out of range for %d dims", (long long)dim, ndim);
    return (int)(dim < 0 ? dim + n : dim);
}

/* A contiguous copy made without autograd (for kernels that need mergeable strides). */
static ovTensor *raw_contiguous(ovTensor *t) {
    if (ov_is_contiguous(t)) return t;
    ovTensor *c = ov_empty(t->ndim, t->shape, t->dtype);
    ovKView d = ov_kview(c), s = ov_kview(t);
    ov_kcopy_fast(&d, &s);
    return c;
}

/* ================= softmax / log_softmax ================= */

enum { SM_DIM };

static void softmax_check(const ovOpCall *c) {
    const ovTensor *x = c->in[0], *m = c->in[1];
    wrap_dim(c, c->attr[SM_DIM].i, x->ndim);
    if (m) {
        int64_t shape[OV_MAX_DIMS];
        int nd = ov_broadcast_inputs(c, 3, shape);
        if (nd != x->ndim || memcmp(shape, x->shape, sizeof(int64_t) * (size_t)nd) != 0)
            ov_op_fail(c, "mask must broadcast to the shape of x");
    }
}

static int softmax_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0], *m = c->in[1];
    int d = wrap_dim(c, c->attr[SM_DIM].i, x->ndim);
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovKView yv = move_last(ov_kview(out[0]), d), xv = move_last(ov_kview(x), d), mv;
    if (m) mv = move_last(ov_kview_bcast(m, x->ndim, x->shape), d);
    if (c->impl == OV_IMPL_REF)
        ov_ksoftmax_ref(&yv, &xv, m ? &mv : NULL, c->op->code);
    else
        ov_ksoftmax_fast(&yv, &xv, m ? &mv : NULL, c->op->code);
    return 1;
}

static ovOpDef op_softmax_backward;

static void softmax_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovOpCall b = ov_call(&op_softmax_backward);
    b.in[0] = gout[0];
    b.in[1] = n->out[0];
    b.attr[0].i = n->call.attr[SM_DIM].i;
    b.attr[1].i = n->call.op->code;
    gin[0] = ov_apply1(&b);
}

/* An additive mask: N(0,1) values, and -inf on a diagonal pattern (never a whole row of length >= 3). */
static ovTensor *tg_mask(int nd, const int64_t *shape, bool neg_inf, uint64_t seed) {
    ovTensor *m = ov_tg_tensor(nd, shape, OV_TG_NORMAL, OV_TG_CONTIG, seed);
    if (!neg_inf) return m;
    float *p = ov_f32(m);
    int64_t n = ov_numel(m);
    for (int64_t i = 0; i < n; i++) {
        int64_t r = i, s = 0;
        for (int d = nd - 1; d >= 0; d--) {
            s += r % shape[d];
            r /= shape[d];
        }
        if (s % 3 == 1) p[i] = -INFINITY;
    }
    return m;
}

/* Cases: last dim, dim 0 of a transposed view, dim 1 strided and contiguous (row blocks), large
 * rows and blocks, 0-dim, and masks broadcast in several ways (-inf only for softmax: log_softmax
 * outputs at -inf are constants that finite differences cannot see). */
static bool softmax_case(int k, ovOpCall *c) {
    static const int64_t shapes[][4] = {{3, 4, 5}, {6, 37}, {2, 7, 5, 6}, {2, 7, 5, 6}, {3, 100, 120}, {2, 150, 120},
                                        {0}, {2, 4, 5, 9}, {3, 8, 6}, {3, 8, 6}, {4, 9}};
    static const int nds[] = {3, 2, 4, 4, 3, 3, 0, 4, 3, 3, 2};
    static const int dims[] = {-1, 0, 1, 1, -1, 1, 0, -1, 1, -2, 1};
    static const int64_t mshapes[][3] = {{4, 1, 9}, {1, 8, 6}, {8, 6}, {4, 1}};
    static const int mnds[] = {3, 3, 2, 2};
    if (k >= 11) return false;
    ovTgLayout lay = k == 3 || k == 5 || k == 9 ? OV_TG_CONTIG : ov_tg_layout(k);
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, lay, 600 + (uint64_t)k);
    c->attr[SM_DIM].i = dims[k];
    if (k >= 7) {
        int mi = k - 7;
        bool neg_inf = c->op->code == 0 && mi < 3;
        c->in[1] = tg_mask(mnds[mi], mshapes[mi], neg_inf, 700 + (uint64_t)k);
    }
    return true;
}

#define SOFTMAX_OP(id, nm, logsm, doc_)                                                                   \
    static ovOpDef id = {.name = nm, .doc = doc_,                                                         \
                         .args = {{"x", OV_ARG_FLOAT, 0}, {"mask", OV_ARG_FLOAT, OV_ARG_OPTIONAL | OV_ARG_NO_GRAD}}, \
                         .attrs = {{"dim", OV_ATTR_INT, "-1"}}, .outputs = "out", .code = logsm,           \
                         .check = softmax_check, .forward = softmax_forward, .backward = softmax_backward,  \
                         .make_case = softmax_case, .fast_tol = 32}

SOFTMAX_OP(op_softmax, "softmax", 0, "softmax(x + mask) along dim; mask: optional additive float mask");
SOFTMAX_OP(op_log_softmax, "log_softmax", 1, "log_softmax(x + mask) along dim; mask: optional additive float mask");

/* ---- softmax_backward (internal) ---- */

static void softmax_backward_check(const ovOpCall *c) {
    if (!ov_same_shape(c->in[0], c->in[1])) ov_op_fail(c, "grad and y must have the same shape");
    wrap_dim(c, c->attr[0].i, c->in[1]->ndim);
}

static int softmax_backward_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *g = c->in[0], *y = c->in[1];
    int d = wrap_dim(c, c->attr[0].i, y->ndim);
    out[0] = ov_empty(y->ndim, y->shape, OV_F32);
    ovKView ov = move_last(ov_kview(out[0]), d), gv = move_last(ov_kview(g), d), yv = move_last(ov_kview(y), d);
    if (c->impl == OV_IMPL_REF)
        ov_ksoftmax_backward_ref(&ov, &gv, &yv, c->attr[1].i);
    else
        ov_ksoftmax_backward_fast(&ov, &gv, &yv, c->attr[1].i);
    return 1;
}

static bool softmax_backward_case(int k, ovOpCall *c) {
    static const int64_t shapes[][3] = {{3, 4, 5}, {6, 37}, {2, 7, 30}, {2, 7, 30}, {3, 100, 120}, {0}};
    static const int nds[] = {3, 2, 3, 3, 3, 0};
    static const int dims[] = {-1, 0, 1, 1, 2, 0};
    if (k >= 12) return false;
    int i = k / 2;
    ovTgLayout lay = i == 3 ? OV_TG_CONTIG : ov_tg_layout(i);
    c->in[0] = ov_tg_tensor(nds[i], shapes[i], OV_TG_NORMAL, lay, 800 + (uint64_t)k);
    c->in[1] = ov_tg_tensor(nds[i], shapes[i], k % 2 ? OV_TG_NORMAL : OV_TG_POSITIVE, lay, 900 + (uint64_t)k);
    c->attr[0].i = dims[i];
    c->attr[1].i = k % 2;
    return true;
}

static ovOpDef op_softmax_backward = {
    .name = "softmax_backward",
    .doc = "gradient of softmax (y*(g - sum(g*y))) or log_softmax (g - exp(y)*sum(g)) along dim",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"y", OV_ARG_FLOAT, 0}},
    .attrs = {{"dim", OV_ATTR_INT, "-1"}, {"log", OV_ATTR_BOOL, "false"}},
    .outputs = "grad_x",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL,
    .check = softmax_backward_check,
    .forward = softmax_backward_forward,
    .make_case = softmax_backward_case,
    .fast_tol = 32,
};

/* ================= layer norm (last dims and channels-first) ================= */

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
        *out = move_last(v, 1);
        return true;
    }
    return merge_last(v, g.k, out);
}

/* The row view of t (x's shape); copies t first when its strides cannot be merged. */
static ovKView ln_rows_of(ovTensor *t, LnGeo g) {
    ovKView v;
    if (!ln_rows(ov_kview(t), g, &v)) ln_rows(ov_kview(raw_contiguous(t)), g, &v);
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
    p = raw_contiguous(p);
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
    if (c->impl == OV_IMPL_REF)
        ov_klayernorm_ref(&yv, &mv, &rv, &xv, &wv, &bv, eps);
    else
        ov_klayernorm_fast(&yv, &mv, &rv, &xv, &wv, &bv, eps);
    if (save) {
        save->t[save->n++] = mean;
        save->t[save->n++] = rstd;
    }
    return 1;
}

static ovOpDef op_layer_norm_backward;

static void ln_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    LnGeo g = ln_geo(&n->call);
    ovOpCall b = ov_call(&op_layer_norm_backward);
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
 * (unit-step rows), strided, large, and [N,C] with no spatial dims. */
static bool ln_case(int k, ovOpCall *c) {
    static const int64_t shapes[][5] = {{4, 7}, {3, 5, 6}, {2, 3, 37}, {5, 300}, {60, 768}, {2, 3, 4, 5}};
    static const int nds[] = {2, 3, 3, 2, 2, 4}, ks[] = {1, 2, 1, 1, 1, 3};
    static const int64_t cshapes[][5] = {{2, 5, 3, 4}, {2, 6, 7}, {3, 8, 5, 9}, {2, 40, 8, 8, 8}, {4, 16}};
    static const int cnds[] = {4, 3, 4, 5, 2};
    static const bool has_w[] = {true, true, true, false, true, false}, has_b[] = {true, true, false, false, true, true};
    bool channel = c->op->code == 1;
    if (k >= (channel ? 5 : 6)) return false;
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

static ovOpDef op_layer_norm = {
    .name = "layer_norm", .doc = "LayerNorm over the last ndims dims with optional weight and bias (F.layer_norm)",
    .args = LN_ARGS, .attrs = {{"ndims", OV_ATTR_INT, "1"}, {"eps", OV_ATTR_FLOAT, "1e-5"}}, .outputs = "out",
    .code = 0, .check = ln_check, .forward = ln_forward, .backward = ln_backward, .make_case = ln_case, .fast_tol = 64,
};

static ovOpDef op_channel_layer_norm = {
    .name = "channel_layer_norm", .doc = "LayerNorm over dim 1 of [N,C,...] with weight and bias [C] (STMixer)",
    .args = LN_ARGS, .attrs = {{"eps", OV_ATTR_FLOAT, "1e-6"}}, .outputs = "out",
    .code = 1, .check = ln_check, .forward = ln_forward, .backward = ln_backward, .make_case = ln_case, .fast_tol = 64,
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
    if (c->impl == OV_IMPL_REF)
        ov_klayernorm_backward_ref(&gxv, pg ? &gwv : NULL, pg ? &gbv : NULL, &gv, &xv, &wv, &mv, &rv);
    else
        ov_klayernorm_backward_fast(&gxv, pg ? &gwv : NULL, pg ? &gbv : NULL, &gv, &xv, &wv, &mv, &rv);
    return pg ? 3 : 1;
}

static bool lb_case(int k, ovOpCall *c) {
    static const int64_t shapes[][5] = {{4, 7}, {3, 5, 6}, {2, 5, 3, 4}, {3, 8, 5, 9}, {60, 768}, {2, 40, 8, 8, 8}};
    static const int nds[] = {2, 3, 4, 4, 2, 5}, ks[] = {1, 2, 0, 0, 1, 0};
    if (k >= 6) return false;
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

static ovOpDef op_layer_norm_backward = {
    .name = "layer_norm_backward",
    .doc = "gradients of layer norm for x, and (param_grads) weight and bias, from mean and rstd",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"x", OV_ARG_FLOAT, 0}, {"weight", OV_ARG_FLOAT, OV_ARG_OPTIONAL},
             {"mean", OV_ARG_FLOAT, 0}, {"rstd", OV_ARG_FLOAT, 0}},
    .attrs = {{"ndims", OV_ATTR_INT, "1"}, {"channel", OV_ATTR_BOOL, "false"}, {"param_grads", OV_ATTR_BOOL, "true"}},
    .outputs = "grad_x,grad_weight,grad_bias",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL,
    .check = lb_check,
    .forward = lb_forward,
    .make_case = lb_case,
    .fast_tol = 64,
};

/* ================= normalize ================= */

enum { NZ_DIM, NZ_EPS };

static void normalize_check(const ovOpCall *c) { wrap_dim(c, c->attr[NZ_DIM].i, c->in[0]->ndim); }

static int normalize_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    ovTensor *x = c->in[0];
    int d = wrap_dim(c, c->attr[NZ_DIM].i, x->ndim);
    int64_t ss[OV_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) ss[i] = i == d ? 1 : x->shape[i];
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovTensor *div = ov_empty(x->ndim, ss, OV_F32);
    ovKView yv = move_last(ov_kview(out[0]), d), xv = move_last(ov_kview(x), d);
    ovKView dv = move_last(ov_kview_bcast(div, x->ndim, x->shape), d);
    float eps = (float)c->attr[NZ_EPS].f;
    if (c->impl == OV_IMPL_REF)
        ov_knormalize_ref(&yv, &dv, &xv, eps);
    else
        ov_knormalize_fast(&yv, &dv, &xv, eps);
    if (save) save->t[save->n++] = div;
    return 1;
}

/* y = x / d with d = max(||x||, eps): gx = (g - y * sum(g * y)) / d where ||x|| > eps, else g / eps */
static void normalize_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *g = gout[0], *y = n->out[0], *d = n->saved.t[0];
    int64_t dim = wrap_dim(&n->call, n->call.attr[NZ_DIM].i, y->ndim);
    ovTensor *s = ov_sum(ov_mul(g, y), 1, &dim, true);
    ovTensor *above = ov_to(ov_gt(d, ov_scalar((float)n->call.attr[NZ_EPS].f, OV_F32)), OV_F32);
    gin[0] = ov_div(ov_sub(g, ov_mul(y, ov_mul(s, above))), d);
}

/* Cases: dim 1 (row blocks), the last dim of a transposed view, dim 0 strided, large rows, 0-dim,
 * and rows whose norm is below eps (the divisor is clamped). */
static bool normalize_case(int k, ovOpCall *c) {
    static const int64_t shapes[][3] = {{3, 4, 5}, {6, 37}, {2, 7, 5}, {40, 1000}, {0}, {4, 9}};
    static const int nds[] = {3, 2, 3, 2, 0, 2};
    static const int dims[] = {1, -1, 0, -1, 0, 1};
    if (k >= 6) return false;
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, k == 0 ? OV_TG_CONTIG : ov_tg_layout(k), 1800 + (uint64_t)k);
    c->attr[NZ_DIM].i = dims[k];
    if (k == 5) c->attr[NZ_EPS].f = 10.0;
    return true;
}

static ovOpDef op_normalize = {
    .name = "normalize", .doc = "x / max(||x||_2, eps) along dim (F.normalize, p = 2)",
    .args = {{"x", OV_ARG_FLOAT, 0}}, .attrs = {{"dim", OV_ATTR_INT, "1"}, {"eps", OV_ATTR_FLOAT, "1e-12"}},
    .outputs = "out", .check = normalize_check, .forward = normalize_forward, .backward = normalize_backward,
    .make_case = normalize_case, .fast_tol = 16,
};

ovOpDef *const ov_ops_norm[] = {&op_softmax, &op_log_softmax, &op_softmax_backward, &op_layer_norm,
                                &op_channel_layer_norm, &op_layer_norm_backward, &op_normalize, NULL};

/* ================= public API ================= */

static ovTensor *softmax_call(ovOpDef *op, ovTensor *x, int dim, ovTensor *mask) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    c.in[1] = mask;
    c.attr[SM_DIM].i = dim;
    return ov_apply1(&c);
}

ovTensor *ov_softmax(ovTensor *x, int dim, ovTensor *mask) { return softmax_call(&op_softmax, x, dim, mask); }
ovTensor *ov_log_softmax(ovTensor *x, int dim, ovTensor *mask) { return softmax_call(&op_log_softmax, x, dim, mask); }

ovTensor *ov_layer_norm(ovTensor *x, int ndims, ovTensor *weight, ovTensor *bias, double eps) {
    ovOpCall c = ov_call(&op_layer_norm);
    c.in[0] = x;
    c.in[1] = weight;
    c.in[2] = bias;
    c.attr[LN_NDIMS].i = ndims;
    c.attr[LN_EPS].f = eps;
    return ov_apply1(&c);
}

ovTensor *ov_channel_layer_norm(ovTensor *x, ovTensor *weight, ovTensor *bias, double eps) {
    ovOpCall c = ov_call(&op_channel_layer_norm);
    c.in[0] = x;
    c.in[1] = weight;
    c.in[2] = bias;
    c.attr[eps_attr(&c)].f = eps;
    return ov_apply1(&c);
}

ovTensor *ov_normalize(ovTensor *x, int dim, double eps) {
    ovOpCall c = ov_call(&op_normalize);
    c.in[0] = x;
    c.attr[NZ_DIM].i = dim;
    c.attr[NZ_EPS].f = eps;
    return ov_apply1(&c);
}
