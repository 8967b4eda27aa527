/* norm.c: op-table entries of the normalisation family:
 *   softmax, log_softmax   torch.softmax / log_softmax of x + mask over any dim (the optional
 *                          additive mask, e.g. -inf where attention is not allowed, broadcasts to x);
 *   normalize              F.normalize with p = 2;
 *   layer_norm, channel_layer_norm and layer_norm_backward, defined in layer_norm.c.
 * Every kernel works on rows (kernels/cpu/rowwise.h): the normalised dim is moved last in the kernel
 * views, so dim 1 and the last dim share one kernel. Softmax has a fused backward kernel exposed as
 * the internal op softmax_backward; normalize's backward is composed of other ops. */
#include <math.h>
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/rowview.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/layernorm.h"
#include "kernels/cpu/softmax.h"
#include "kernels/cuda/norm.h"

/* layer_norm.c */
extern ovOpDef ov_op_layer_norm, ov_op_channel_layer_norm, ov_op_layer_norm_backward;

/* ================= softmax / log_softmax ================= */

enum { SM_DIM };

static void softmax_check(const ovOpCall *c) {
    const ovTensor *x = c->in[0], *m = c->in[1];
    ov_op_wrap_dim(c, c->attr[SM_DIM].i, x->ndim);
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
    int d = ov_op_wrap_dim(c, c->attr[SM_DIM].i, x->ndim);
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovKView yv = ov_kview_move_last(ov_kview(out[0]), d), xv = ov_kview_move_last(ov_kview(x), d), mv;
    if (m) mv = ov_kview_move_last(ov_kview_bcast(m, x->ndim, x->shape), d);
    OV_KERNEL(c, ov_ksoftmax, &yv, &xv, m ? &mv : NULL, c->op->code);
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
 * rows and blocks, 0-dim, masks broadcast in several ways (-inf only for softmax: log_softmax
 * outputs at -inf are constants that finite differences cannot see), and rows longer than a
 * warp takes on the device (a block per row), strided and with a mask. */
static bool softmax_case(int k, ovOpCall *c) {
    static const int64_t shapes[][4] = {{3, 4, 5}, {6, 37}, {2, 7, 5, 6}, {2, 7, 5, 6}, {3, 100, 120}, {2, 150, 120},
                                        {0}, {2, 4, 5, 9}, {3, 8, 6}, {3, 8, 6}, {4, 9}, {2, 1500}};
    static const int nds[] = {3, 2, 4, 4, 3, 3, 0, 4, 3, 3, 2, 2};
    static const int dims[] = {-1, 0, 1, 1, -1, 1, 0, -1, 1, -2, 1, -1};
    static const int64_t mshapes[][3] = {{4, 1, 9}, {1, 8, 6}, {8, 6}, {4, 1}, {1500}};
    static const int mnds[] = {3, 3, 2, 2, 1};
    if (k >= 12) return false;
    ovTgLayout lay = k == 3 || k == 5 || k == 9 ? OV_TG_CONTIG : ov_tg_layout(k);
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, lay, 600 + (uint64_t)k);
    c->attr[SM_DIM].i = dims[k];
    if (k >= 7) {
        int mi = k - 7;
        bool neg_inf = c->op->code == 0 && mi != 3;
        c->in[1] = tg_mask(mnds[mi], mshapes[mi], neg_inf, 700 + (uint64_t)k);
    }
    return true;
}

#define SOFTMAX_OP(id, nm, logsm, doc_)                                                                   \
    static ovOpDef id = {.name = nm, .doc = doc_,                                                         \
                         .args = {{"x", OV_ARG_FLOAT, 0}, {"mask", OV_ARG_FLOAT, OV_ARG_OPTIONAL | OV_ARG_NO_GRAD}}, \
                         .attrs = {{"dim", OV_ATTR_INT, "-1"}}, .outputs = "out", .code = logsm,           \
                         .check = softmax_check, .forward = softmax_forward, .backward = softmax_backward,  \
                         .flags = OV_OP_CUDA, .make_case = softmax_case, .fast_tol = 32}

SOFTMAX_OP(op_softmax, "softmax", 0, "softmax(x + mask) along dim; mask: optional additive float mask");
SOFTMAX_OP(op_log_softmax, "log_softmax", 1, "log_softmax(x + mask) along dim; mask: optional additive float mask");

/* ---- softmax_backward (internal) ---- */

static void softmax_backward_check(const ovOpCall *c) {
    if (!ov_same_shape(c->in[0], c->in[1])) ov_op_fail(c, "grad and y must have the same shape");
    ov_op_wrap_dim(c, c->attr[0].i, c->in[1]->ndim);
}

static int softmax_backward_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *g = c->in[0], *y = c->in[1];
    int d = ov_op_wrap_dim(c, c->attr[0].i, y->ndim);
    out[0] = ov_empty(y->ndim, y->shape, OV_F32);
    ovKView ov = ov_kview_move_last(ov_kview(out[0]), d), gv = ov_kview_move_last(ov_kview(g), d), yv = ov_kview_move_last(ov_kview(y), d);
    OV_KERNEL(c, ov_ksoftmax_backward, &ov, &gv, &yv, c->attr[1].i);
    return 1;
}

static bool softmax_backward_case(int k, ovOpCall *c) {
    static const int64_t shapes[][3] = {{3, 4, 5}, {6, 37}, {2, 7, 30}, {2, 7, 30}, {3, 100, 120}, {0}, {2, 1300}};
    static const int nds[] = {3, 2, 3, 3, 3, 0, 2};
    static const int dims[] = {-1, 0, 1, 1, 2, 0, -1};
    if (k >= 14) return false;
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
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA,
    .check = softmax_backward_check,
    .forward = softmax_backward_forward,
    .make_case = softmax_backward_case,
    .fast_tol = 32,
};

/* ================= layer norm (last dims and channels-first) ================= */

/* ================= normalize ================= */

enum { NZ_DIM, NZ_EPS };

static void normalize_check(const ovOpCall *c) { ov_op_wrap_dim(c, c->attr[NZ_DIM].i, c->in[0]->ndim); }

static int normalize_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    ovTensor *x = c->in[0];
    int d = ov_op_wrap_dim(c, c->attr[NZ_DIM].i, x->ndim);
    int64_t ss[OV_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) ss[i] = i == d ? 1 : x->shape[i];
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovTensor *div = ov_empty(x->ndim, ss, OV_F32);
    ovKView yv = ov_kview_move_last(ov_kview(out[0]), d), xv = ov_kview_move_last(ov_kview(x), d);
    ovKView dv = ov_kview_move_last(ov_kview_bcast(div, x->ndim, x->shape), d);
    float eps = (float)c->attr[NZ_EPS].f;
    OV_KERNEL(c, ov_knormalize, &yv, &dv, &xv, eps);
    if (save) save->t[save->n++] = div;
    return 1;
}

/* y = x / d with d = max(||x||, eps): gx = (g - y * sum(g * y)) / d where ||x|| > eps, else g / eps */
static void normalize_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *g = gout[0], *y = n->out[0], *d = n->saved.t[0];
    int64_t dim = ov_op_wrap_dim(&n->call, n->call.attr[NZ_DIM].i, y->ndim);
    ovTensor *s = ov_sum(ov_mul(g, y), 1, &dim, true);
    ovTensor *above = ov_to(ov_gt(d, ov_scalar((float)n->call.attr[NZ_EPS].f, OV_F32)), OV_F32);
    gin[0] = ov_div(ov_sub(g, ov_mul(y, ov_mul(s, above))), d);
}

/* Cases: dim 1 (row blocks), the last dim of a transposed view, dim 0 strided, large rows, 0-dim,
 * rows whose norm is below eps (the divisor is clamped), and a few long rows along dim 0. */
static bool normalize_case(int k, ovOpCall *c) {
    static const int64_t shapes[][3] = {{3, 4, 5}, {6, 37}, {2, 7, 5}, {40, 1000}, {0}, {4, 9}, {1200, 5}};
    static const int nds[] = {3, 2, 3, 2, 0, 2, 2};
    static const int dims[] = {1, -1, 0, -1, 0, 1, 0};
    if (k >= 7) return false;
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, k == 0 ? OV_TG_CONTIG : ov_tg_layout(k), 1800 + (uint64_t)k);
    c->attr[NZ_DIM].i = dims[k];
    if (k == 5) c->attr[NZ_EPS].f = 10.0;
    return true;
}

static ovOpDef op_normalize = {
    .name = "normalize", .doc = "x / max(||x||_2, eps) along dim (F.normalize, p = 2)",
    .args = {{"x", OV_ARG_FLOAT, 0}}, .attrs = {{"dim", OV_ATTR_INT, "1"}, {"eps", OV_ATTR_FLOAT, "1e-12"}},
    .outputs = "out", .flags = OV_OP_CUDA, .check = normalize_check, .forward = normalize_forward, .backward = normalize_backward,
    .make_case = normalize_case, .fast_tol = 16,
};

ovOpDef *const ov_ops_norm[] = {&op_softmax, &op_log_softmax, &op_softmax_backward, &ov_op_layer_norm,
                                &ov_op_channel_layer_norm, &ov_op_layer_norm_backward, &op_normalize, NULL};

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

ovTensor *ov_normalize(ovTensor *x, int dim, double eps) {
    ovOpCall c = ov_call(&op_normalize);
    c.in[0] = x;
    c.attr[NZ_DIM].i = dim;
    c.attr[NZ_EPS].f = eps;
    return ov_apply1(&c);
}
