/* conv.c: op-table entries of the convolution family: torch.nn.functional.conv2d, conv3d,
 * conv_transpose2d, conv_transpose3d, and the internal weight-gradient op conv_backward_weight.
 * One implementation serves 2-D and 3-D: a 2-D op runs the 3-D kernels (kernels/cpu/conv.h, and
 * their device twins in kernels/cuda/conv.h) with depth 1 (autograd/ops/spatial.h). The gradients
 * follow PyTorch's convolution_backward:
 *   conv:            dx = conv_transpose(dy, w) (output_padding fills x's size back),
 *                    dw = conv_backward_weight(dy, x), db = sum of dy over batch and space;
 *   conv_transpose:  dx = conv(dy, w), dw = conv_backward_weight(x, dy) (the roles of input and
 *                    output swap), db = sum of dy. */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/spatial.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/conv.h"
#include "kernels/cuda/conv.h"

enum { A_STRIDE, A_PADDING, A_DILATION, A_GROUPS };                  /* conv2d/3d */
enum { T_STRIDE, T_PADDING, T_OUTPUT_PADDING, T_GROUPS, T_DILATION }; /* conv_transpose2d/3d */
enum { W_KERNEL, W_STRIDE, W_PADDING, W_DILATION, W_GROUPS };        /* conv_backward_weight */

/* A call's geometry, every per-dim value as (d, h, w) (depth neutral for 2-D). */
typedef struct {
    int rank;
    ovConvParams p;
    int64_t opad[3], k[3], in[3], out[3];
    int64_t n, cin, cout;
} Geom;

static int64_t groups_of(const ovOpCall *c, int a) {
    int64_t g = c->attr[a].i;
    if (g < 1) ov_op_fail(c, "groups must be >= 1, got %lld", (long long)g);
    return g;
}

static void read_params(const ovOpCall *c, Geom *G, int a_stride, int a_pad, int a_dil, int a_groups) {
    ov_spatial_attr(c, a_stride, G->rank, 1, 1, G->p.stride);
    ov_spatial_attr(c, a_pad, G->rank, 0, 0, G->p.pad);
    ov_spatial_attr(c, a_dil, G->rank, 1, 1, G->p.dil);
    G->p.groups = groups_of(c, a_groups);
}

static void check_bias(const ovOpCall *c, const ovTensor *b, int64_t cout) {
    if (b && (b->ndim != 1 || b->shape[0] != cout))
        ov_op_fail(c, "bias must have shape [%lld] (one value per output channel)", (long long)cout);
}

static void check_kernel(const ovOpCall *c, const Geom *G) {
    for (int i = 3 - G->rank; i < 3; i++)
        if (G->k[i] < 1) ov_op_fail(c, "weight has an empty kernel (%s size 0)", ov_spatial_dim_name(i));
}

/* Output size of a convolution along dim i, or fails when the padded input is smaller than the
 * dilated kernel. */
static int64_t conv_out(const ovOpCall *c, int i, int64_t in, int64_t k, const ovConvParams *p) {
    int64_t span = p->dil[i] * (k - 1) + 1;
    if (in + 2 * p->pad[i] < span)
        ov_op_fail(c, "the %s of the input with padding (%lld + 2*%lld) is smaller than the dilated kernel (%lld): "
                   "the output would be empty", ov_spatial_dim_name(i), (long long)in, (long long)p->pad[i],
                   (long long)span);
    return (in + 2 * p->pad[i] - span) / p->stride[i] + 1;
}

/* conv2d/conv3d: x [N, Cin, ...], weight [Cout, Cin/groups, k...], bias [Cout]. */
static Geom conv_geom(const ovOpCall *c) {
    Geom G = {.rank = c->op->code};
    const ovTensor *x = c->in[0], *w = c->in[1];
    ov_spatial_want(c, x, "x", G.rank);
    ov_spatial_want(c, w, "weight", G.rank);
    read_params(c, &G, A_STRIDE, A_PADDING, A_DILATION, A_GROUPS);
    int64_t g = G.p.groups;
    G.n = x->shape[0];
    G.cin = x->shape[1];
    G.cout = w->shape[0];
    if (G.cout % g)
        ov_op_fail(c, "weight has %lld output channels, which groups=%lld does not divide", (long long)G.cout, (long long)g);
    if (w->shape[1] * g != G.cin)
        ov_op_fail(c, "x has %lld channels but the weight expects %lld (weight.shape[1]=%lld x groups=%lld)",
                   (long long)G.cin, (long long)(w->shape[1] * g), (long long)w->shape[1], (long long)g);
    check_bias(c, c->in[2], G.cout);
    ov_spatial_sizes(x, G.rank, G.in);
    ov_spatial_sizes(w, G.rank, G.k);
    check_kernel(c, &G);
    for (int i = 0; i < 3; i++) G.out[i] = conv_out(c, i, G.in[i], G.k[i], &G.p);
    return G;
}

/* conv_transpose2d/3d: x [N, Cin, ...], weight [Cin, Cout/groups, k...], bias [Cout]. */
static Geom convt_geom(const ovOpCall *c) {
    Geom G = {.rank = c->op->code};
    const ovTensor *x = c->in[0], *w = c->in[1];
    ov_spatial_want(c, x, "x", G.rank);
    ov_spatial_want(c, w, "weight", G.rank);
    read_params(c, &G, T_STRIDE, T_PADDING, T_DILATION, T_GROUPS);
    ov_spatial_attr(c, T_OUTPUT_PADDING, G.rank, 0, 0, G.opad);
    int64_t g = G.p.groups;
    G.n = x->shape[0];
    G.cin = x->shape[1];
    if (w->shape[0] != G.cin)
        ov_op_fail(c, "x has %lld channels but the weight has %lld input channels (weight.shape[0]; a transposed "
                   "convolution's weight is [Cin, Cout/groups, k...])", (long long)G.cin, (long long)w->shape[0]);
    if (G.cin % g)
        ov_op_fail(c, "x has %lld channels, which groups=%lld does not divide", (long long)G.cin, (long long)g);
    G.cout = w->shape[1] * g;
    check_bias(c, c->in[2], G.cout);
    ov_spatial_sizes(x, G.rank, G.in);
    ov_spatial_sizes(w, G.rank, G.k);
    check_kernel(c, &G);
    for (int i = 3 - G.rank; i < 3; i++) {
        int64_t s = G.p.stride[i], d = G.p.dil[i], op = G.opad[i];
        if (op >= s && op >= d)
            ov_op_fail(c, "output_padding %lld in the %s must be smaller than the stride (%lld) or the dilation (%lld)",
                       (long long)op, ov_spatial_dim_name(i), (long long)s, (long long)d);
    }
    for (int i = 0; i < 3; i++) {
        G.out[i] = (G.in[i] - 1) * G.p.stride[i] - 2 * G.p.pad[i] + G.p.dil[i] * (G.k[i] - 1) + G.opad[i] + 1;
        if (G.out[i] < 1)
            ov_op_fail(c, "the output %s would be %lld: padding %lld is too large for input %lld, stride %lld and "
                       "kernel %lld", ov_spatial_dim_name(i), (long long)G.out[i], (long long)G.p.pad[i],
                       (long long)G.in[i], (long long)G.p.stride[i], (long long)G.k[i]);
    }
    return G;
}

/* conv_backward_weight: grad [N, Cout, ...] of a convolution of x [N, Cin, ...]. grad may be
 * smaller than the convolution's natural output (a transposed convolution with output_padding >=
 * stride leaves the last rows unused). */
static Geom wgrad_geom(const ovOpCall *c) {
    const ovTensor *g = c->in[0], *x = c->in[1];
    if (x->ndim != 4 && x->ndim != 5)
        ov_op_fail(c, "x must have 4 dims [N, C, H, W] or 5 dims [N, C, D, H, W], got %d", x->ndim);
    Geom G = {.rank = x->ndim - 2};
    ov_spatial_want(c, g, "grad", G.rank);
    read_params(c, &G, W_STRIDE, W_PADDING, W_DILATION, W_GROUPS);
    ov_spatial_attr(c, W_KERNEL, G.rank, 1, 1, G.k);
    G.n = x->shape[0];
    G.cin = x->shape[1];
    G.cout = g->shape[1];
    if (g->shape[0] != G.n)
        ov_op_fail(c, "grad and x have different batch sizes (%lld vs %lld)", (long long)g->shape[0], (long long)G.n);
    if (G.cin % G.p.groups || G.cout % G.p.groups)
        ov_op_fail(c, "groups=%lld must divide both x's %lld and grad's %lld channels", (long long)G.p.groups,
                   (long long)G.cin, (long long)G.cout);
    ov_spatial_sizes(x, G.rank, G.in);
    ov_spatial_sizes(g, G.rank, G.out);
    for (int i = 0; i < 3; i++) {
        int64_t full = conv_out(c, i, G.in[i], G.k[i], &G.p);
        if (G.out[i] < 1 || G.out[i] > full)
            ov_op_fail(c, "grad's %s is %lld, the convolution's output has %lld", ov_spatial_dim_name(i),
                       (long long)G.out[i], (long long)full);
    }
    return G;
}

static void conv_check(const ovOpCall *c) { conv_geom(c); }
static void convt_check(const ovOpCall *c) { convt_geom(c); }
static void wgrad_check(const ovOpCall *c) { wgrad_geom(c); }

/* A forward call's new output and the kernel views of output, x, weight and bias (b NULL when
 * there is none). */
typedef struct {
    ovKView y, x, w, bias;
    const ovKView *b;
} Views;

static ovTensor *conv_views(const ovOpCall *c, const Geom *G, Views *v) {
    int64_t shape[5];
    ov_spatial_shape(G->rank, G->n, G->cout, G->out, shape);
    ovTensor *y = ov_empty(G->rank + 2, shape, OV_F32);
    v->y = ov_kview5(y);
    v->x = ov_kview5(c->in[0]);
    v->w = ov_kview5(c->in[1]);
    v->b = NULL;
    if (c->in[2]) {
        v->bias = ov_kview(c->in[2]);
        v->b = &v->bias;
    }
    return y;
}

static int conv_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    Geom G = conv_geom(c);
    Views v;
    out[0] = conv_views(c, &G, &v);
    OV_KERNEL(c, ov_kconv, &v.y, &v.x, &v.w, v.b, &G.p);
    return 1;
}

static int convt_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    Geom G = convt_geom(c);
    Views v;
    out[0] = conv_views(c, &G, &v);
    OV_KERNEL(c, ov_kconv_transpose, &v.y, &v.x, &v.w, v.b, &G.p);
    return 1;
}

static int wgrad_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    Geom G = wgrad_geom(c);
    int64_t shape[5];
    ov_spatial_shape(G.rank, G.cout, G.cin / G.p.groups, G.k, shape);
    out[0] = ov_empty(G.rank + 2, shape, OV_F32);
    ovKView gw = ov_kview5(out[0]), gy = ov_kview5(c->in[0]), xv = ov_kview5(c->in[1]);
    OV_KERNEL(c, ov_kconv_wgrad, &gw, &xv, &gy, &G.p);
    return 1;
}

/* ---- backward ---- */

static ovOpDef op_conv2d, op_conv3d, op_conv_transpose2d, op_conv_transpose3d, op_conv_backward_weight;

/* dw of a convolution that read x and produced (the gradient) gy. */
static ovTensor *weight_grad(ovTensor *gy, ovTensor *x, const Geom *G) {
    ovOpCall c = ov_call(&op_conv_backward_weight);
    c.in[0] = gy;
    c.in[1] = x;
    ov_spatial_set(&c, W_KERNEL, G->rank, G->k);
    ov_spatial_set(&c, W_STRIDE, G->rank, G->p.stride);
    ov_spatial_set(&c, W_PADDING, G->rank, G->p.pad);
    ov_spatial_set(&c, W_DILATION, G->rank, G->p.dil);
    c.attr[W_GROUPS].i = G->p.groups;
    return ov_apply1(&c);
}

static ovTensor *bias_grad(ovTensor *gy, int rank) {
    static const int64_t dims[] = {0, 2, 3, 4};
    return ov_sum(gy, rank + 1, dims, false);
}

static void conv_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    Geom G = conv_geom(&n->call);
    ovTensor *gy = gout[0];
    if (n->needs_grad[0]) {
        ovOpCall t = ov_call(G.rank == 2 ? &op_conv_transpose2d : &op_conv_transpose3d);
        t.in[0] = gy;
        t.in[1] = n->call.in[1];
        t.in[2] = NULL;
        /* the rows that the forward's floor division dropped come back as output_padding (< stride) */
        int64_t opad[3];
        for (int i = 0; i < 3; i++)
            opad[i] = G.in[i] - ((G.out[i] - 1) * G.p.stride[i] - 2 * G.p.pad[i] + G.p.dil[i] * (G.k[i] - 1) + 1);
        ov_spatial_set(&t, T_STRIDE, G.rank, G.p.stride);
        ov_spatial_set(&t, T_PADDING, G.rank, G.p.pad);
        ov_spatial_set(&t, T_OUTPUT_PADDING, G.rank, opad);
        ov_spatial_set(&t, T_DILATION, G.rank, G.p.dil);
        t.attr[T_GROUPS].i = G.p.groups;
        gin[0] = ov_apply1(&t);
    }
    if (n->needs_grad[1]) gin[1] = weight_grad(gy, n->call.in[0], &G);
    if (n->needs_grad[2]) gin[2] = bias_grad(gy, G.rank);
}

static void convt_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    Geom G = convt_geom(&n->call);
    ovTensor *gy = gout[0];
    if (n->needs_grad[0]) {
        ovOpCall t = ov_call(G.rank == 2 ? &op_conv2d : &op_conv3d);
        t.in[0] = gy;
        t.in[1] = n->call.in[1];
        t.in[2] = NULL;
        ov_spatial_set(&t, A_STRIDE, G.rank, G.p.stride);
        ov_spatial_set(&t, A_PADDING, G.rank, G.p.pad);
        ov_spatial_set(&t, A_DILATION, G.rank, G.p.dil);
        t.attr[A_GROUPS].i = G.p.groups;
        ovTensor *gx = ov_apply1(&t);
        /* output_padding >= stride (allowed when < dilation) adds rows no input reached */
        for (int i = 0; i < G.rank; i++)
            if (gx->shape[2 + i] != n->call.in[0]->shape[2 + i])
                gx = ov_narrow(gx, 2 + i, 0, n->call.in[0]->shape[2 + i]);
        gin[0] = ov_contiguous(gx);
    }
    /* the transpose is a convolution from y to x: its weight gradient pairs dy (input) with x (grad) */
    if (n->needs_grad[1]) gin[1] = weight_grad(n->call.in[0], gy, &G);
    if (n->needs_grad[2]) gin[2] = bias_grad(gy, G.rank);
}

/* ---- test cases ---- */

/* Per-dim values are (d, h, w); 2-D cases ignore d. For transposed cases cin/cout are the
 * transposed op's own channels and `in` its input size. */
typedef struct {
    int64_t n, cin, cout, in[3], k[3], s[3], p[3], d[3], op[3], groups;
    bool bias;
} ConvCase;

static const ConvCase cases3[] = {
    {2, 4, 6, {5, 6, 7}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0}, 1, true},  /* OpenMixer Conv3x3x3 pad 1 */
    {1, 4, 6, {6, 7, 5}, {2, 3, 1}, {2, 1, 2}, {0, 1, 0}, {1, 2, 1}, {0}, 2, false}, /* groups, dilation, asym */
    {2, 8, 5, {3, 4, 5}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {1, 1, 1}, {0}, 1, false}, /* 1x1x1: a plain GEMM */
    {2, 3, 5, {2, 17, 16}, {1, 8, 8}, {1, 8, 8}, {0, 0, 0}, {1, 1, 1}, {0}, 1, false}, /* ViCLIP patchify, odd H */
    {1, 6, 6, {4, 5, 6}, {3, 1, 2}, {1, 2, 1}, {1, 0, 1}, {1, 1, 1}, {0}, 6, true},  /* depthwise */
    {1, 16, 2, {6, 12, 14}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0}, 1, true}, /* larger: threads */
};
static const ConvCase cases2[] = {
    {2, 3, 4, {1, 7, 9}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1}, {0}, 1, true},
    {1, 6, 6, {1, 9, 8}, {1, 3, 2}, {1, 2, 1}, {0, 2, 0}, {1, 2, 1}, {0}, 3, true},    /* groups, dilation, asym */
    {2, 3, 5, {1, 33, 32}, {1, 16, 16}, {1, 16, 16}, {0}, {1, 1, 1}, {0}, 1, false},   /* CLIP patch 16, stride 16 */
    {3, 5, 4, {1, 4, 6}, {1, 1, 1}, {1, 1, 1}, {0}, {1, 1, 1}, {0}, 1, true},          /* 1x1 */
    {2, 8, 8, {1, 20, 24}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}, {0}, 2, true},  /* stride 2, larger */
    {1, 4, 4, {1, 5, 5}, {1, 5, 5}, {1, 1, 1}, {0, 2, 2}, {1, 1, 1}, {0}, 4, false},   /* depthwise 5x5 */
    {1, 2, 3, {1, 6, 5}, {1, 2, 2}, {1, 3, 2}, {0, 1, 0}, {1, 1, 1}, {0}, 1, true},    /* stride > kernel */
};
static const ConvCase casesT3[] = {
    {2, 6, 4, {2, 3, 4}, {1, 2, 2}, {1, 2, 2}, {0}, {1, 1, 1}, {0}, 1, true},          /* OpenMixer ConvT k=s=(1,2,2) */
    {1, 4, 3, {3, 4, 5}, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 1, true}, /* output_padding */
    {2, 4, 6, {3, 3, 4}, {2, 3, 2}, {1, 2, 1}, {0, 1, 1}, {2, 1, 2}, {0, 1, 0}, 2, false}, /* groups, dilation */
    {2, 5, 6, {3, 4, 2}, {1, 1, 1}, {1, 1, 1}, {0}, {1, 1, 1}, {0}, 1, true},          /* 1x1x1 */
    {1, 3, 2, {3, 4, 4}, {2, 2, 2}, {1, 1, 1}, {0}, {2, 2, 2}, {1, 1, 1}, 1, true},    /* output_padding < dilation */
    {1, 16, 4, {4, 9, 10}, {3, 3, 3}, {1, 2, 2}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, 1, true}, /* larger */
};
static const ConvCase casesT2[] = {
    {2, 6, 4, {1, 3, 4}, {1, 2, 2}, {1, 2, 2}, {0}, {1, 1, 1}, {0}, 1, true},           /* k = s = 2 */
    {1, 4, 3, {1, 4, 5}, {1, 3, 3}, {1, 2, 3}, {0, 1, 2}, {1, 1, 1}, {0, 1, 2}, 1, true}, /* asym, output_padding */
    {2, 6, 4, {1, 5, 4}, {1, 3, 2}, {1, 1, 2}, {0, 2, 0}, {1, 2, 1}, {0, 0, 1}, 2, false}, /* groups, dilation */
    {1, 4, 8, {1, 6, 7}, {1, 4, 4}, {1, 1, 1}, {0}, {1, 1, 1}, {0}, 4, true},           /* grouped 4x4 */
    {2, 16, 8, {1, 12, 14}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}, {0, 1, 1}, 1, true}, /* larger */
};

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* [n, ch, sizes] in the case's rank. */
static ovTensor *case_tensor(int rank, int64_t n, int64_t ch, const int64_t *sizes3, ovTgLayout layout, uint64_t seed) {
    int64_t shape[5];
    ov_spatial_shape(rank, n, ch, sizes3, shape);
    return ov_tg_tensor(rank + 2, shape, OV_TG_NORMAL, layout, seed);
}

static void case_attrs(ovOpCall *c, const ConvCase *cc, int rank, int a_stride, int a_pad, int a_dil, int a_groups) {
    ov_spatial_set(c, a_stride, rank, cc->s);
    ov_spatial_set(c, a_pad, rank, cc->p);
    ov_spatial_set(c, a_dil, rank, cc->d);
    c->attr[a_groups].i = cc->groups;
}

static bool conv_case(int k, ovOpCall *c) {
    int rank = c->op->code;
    const ConvCase *cases = rank == 3 ? cases3 : cases2;
    if (k >= (rank == 3 ? NCASES(cases3) : NCASES(cases2))) return false;
    const ConvCase *cc = &cases[k];
    c->in[0] = case_tensor(rank, cc->n, cc->cin, cc->in, ov_tg_layout(k), 900 + (uint64_t)k);
    c->in[1] = case_tensor(rank, cc->cout, cc->cin / cc->groups, cc->k, ov_tg_layout(k + 1), 920 + (uint64_t)k);
    c->in[2] = cc->bias ? ov_tg_tensor(1, (int64_t[]){cc->cout}, OV_TG_NORMAL, ov_tg_layout(k + 2), 940 + (uint64_t)k)
                        : NULL;
    case_attrs(c, cc, rank, A_STRIDE, A_PADDING, A_DILATION, A_GROUPS);
    return true;
}

static bool convt_case(int k, ovOpCall *c) {
    int rank = c->op->code;
    const ConvCase *cases = rank == 3 ? casesT3 : casesT2;
    if (k >= (rank == 3 ? NCASES(casesT3) : NCASES(casesT2))) return false;
    const ConvCase *cc = &cases[k];
    c->in[0] = case_tensor(rank, cc->n, cc->cin, cc->in, ov_tg_layout(k), 960 + (uint64_t)k);
    c->in[1] = case_tensor(rank, cc->cin, cc->cout / cc->groups, cc->k, ov_tg_layout(k + 1), 980 + (uint64_t)k);
    c->in[2] = cc->bias ? ov_tg_tensor(1, (int64_t[]){cc->cout}, OV_TG_NORMAL, ov_tg_layout(k + 2), 1000 + (uint64_t)k)
                        : NULL;
    case_attrs(c, cc, rank, T_STRIDE, T_PADDING, T_DILATION, T_GROUPS);
    ov_spatial_set(c, T_OUTPUT_PADDING, rank, cc->op);
    return true;
}

/* The weight gradient of every forward convolution case, 3-D then 2-D, and one grad that is
 * smaller than the natural output (from a transpose with output_padding >= stride). */
static bool wgrad_case(int k, ovOpCall *c) {
    int n3 = NCASES(cases3), n2 = NCASES(cases2);
    if (k > n3 + n2) return false;
    int rank = k < n3 ? 3 : 2;
    const ConvCase *cc = k < n3 ? &cases3[k] : k < n3 + n2 ? &cases2[k - n3] : &cases3[0];
    int64_t out[3];
    for (int i = 0; i < 3; i++) {
        out[i] = (cc->in[i] + 2 * cc->p[i] - cc->d[i] * (cc->k[i] - 1) - 1) / cc->s[i] + 1;
        if (k == n3 + n2) out[i] -= 1; /* cropped grad */
    }
    c->in[0] = case_tensor(rank, cc->n, cc->cout, out, ov_tg_layout(k + 1), 1020 + (uint64_t)k);
    c->in[1] = case_tensor(rank, cc->n, cc->cin, cc->in, ov_tg_layout(k), 1040 + (uint64_t)k);
    ov_spatial_set(c, W_KERNEL, rank, cc->k);
    case_attrs(c, cc, rank, W_STRIDE, W_PADDING, W_DILATION, W_GROUPS);
    return true;
}

/* ---- table ---- */

#define CONV_ATTRS(ones, zeros)                                                                     \
    .attrs = {{"stride", OV_ATTR_INTS, ones}, {"padding", OV_ATTR_INTS, zeros},                     \
              {"dilation", OV_ATTR_INTS, ones}, {"groups", OV_ATTR_INT, "1"}}
#define CONVT_ATTRS(ones, zeros)                                                                    \
    .attrs = {{"stride", OV_ATTR_INTS, ones}, {"padding", OV_ATTR_INTS, zeros},                     \
              {"output_padding", OV_ATTR_INTS, zeros}, {"groups", OV_ATTR_INT, "1"},                \
              {"dilation", OV_ATTR_INTS, ones}}
#define CONV_ARGS .args = {{"x", OV_ARG_FLOAT, 0}, {"weight", OV_ARG_FLOAT, 0}, {"bias", OV_ARG_FLOAT, OV_ARG_OPTIONAL}}

/* Linear in every argument: finite differences are exact up to rounding, so a wide step is safe. */
#define CONV_TOLS .fast_tol = 64, .grad_eps = 0.05, .torch_tol = 2e-4

static ovOpDef op_conv2d = {
    .name = "conv2d", .doc = "2-D convolution (F.conv2d): x [N,Cin,H,W], weight [Cout,Cin/groups,kh,kw]",
    CONV_ARGS, CONV_ATTRS("1,1", "0,0"), .outputs = "out", .flags = OV_OP_CUDA, .code = 2, .check = conv_check,
    .forward = conv_forward, .backward = conv_backward, .make_case = conv_case, CONV_TOLS,
};
static ovOpDef op_conv3d = {
    .name = "conv3d", .doc = "3-D convolution (F.conv3d): x [N,Cin,D,H,W], weight [Cout,Cin/groups,kd,kh,kw]",
    CONV_ARGS, CONV_ATTRS("1,1,1", "0,0,0"), .outputs = "out", .flags = OV_OP_CUDA, .code = 3, .check = conv_check,
    .forward = conv_forward, .backward = conv_backward, .make_case = conv_case, CONV_TOLS,
};
static ovOpDef op_conv_transpose2d = {
    .name = "conv_transpose2d",
    .doc = "2-D transposed convolution (F.conv_transpose2d): x [N,Cin,H,W], weight [Cin,Cout/groups,kh,kw]",
    CONV_ARGS, CONVT_ATTRS("1,1", "0,0"), .outputs = "out", .flags = OV_OP_CUDA, .code = 2, .check = convt_check,
    .forward = convt_forward, .backward = convt_backward, .make_case = convt_case, CONV_TOLS,
};
static ovOpDef op_conv_transpose3d = {
    .name = "conv_transpose3d",
    .doc = "3-D transposed convolution (F.conv_transpose3d): x [N,Cin,D,H,W], weight [Cin,Cout/groups,kd,kh,kw]",
    CONV_ARGS, CONVT_ATTRS("1,1,1", "0,0,0"), .outputs = "out", .flags = OV_OP_CUDA, .code = 3, .check = convt_check,
    .forward = convt_forward, .backward = convt_backward, .make_case = convt_case, CONV_TOLS,
};
static ovOpDef op_conv_backward_weight = {
    .name = "conv_backward_weight",
    .doc = "weight gradient of conv2d/conv3d from grad [N,Cout,...] and x [N,Cin,...] (rank from x)",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"x", OV_ARG_FLOAT, 0}},
    .attrs = {{"kernel_size", OV_ATTR_INTS, NULL}, {"stride", OV_ATTR_INTS, "1"}, {"padding", OV_ATTR_INTS, "0"},
              {"dilation", OV_ATTR_INTS, "1"}, {"groups", OV_ATTR_INT, "1"}},
    .outputs = "grad_weight", .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA, .check = wgrad_check,
    .forward = wgrad_forward, .make_case = wgrad_case, .fast_tol = 64,
};

ovOpDef *const ov_ops_conv[] = {&op_conv2d, &op_conv3d, &op_conv_transpose2d, &op_conv_transpose3d,
                                &op_conv_backward_weight, NULL};

/* ---- public functions ---- */

/* Sets int-list attribute a from a user array of n values (NULL keeps the default). */
static void set_ints(ovOpCall *c, int a, int n, const int64_t *v) {
    if (!v) return;
    c->attr[a].set = true;
    c->attr[a].n = n;
    for (int i = 0; i < n; i++) c->attr[a].v[i] = v[i];
}

static ovTensor *conv(ovOpDef *op, ovTensor *x, ovTensor *w, ovTensor *b, const int64_t *stride,
                      const int64_t *padding, const int64_t *dilation, int64_t groups) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    c.in[1] = w;
    c.in[2] = b;
    set_ints(&c, A_STRIDE, op->code, stride);
    set_ints(&c, A_PADDING, op->code, padding);
    set_ints(&c, A_DILATION, op->code, dilation);
    c.attr[A_GROUPS].i = groups;
    return ov_apply1(&c);
}

static ovTensor *convt(ovOpDef *op, ovTensor *x, ovTensor *w, ovTensor *b, const int64_t *stride,
                       const int64_t *padding, const int64_t *output_padding, const int64_t *dilation, int64_t groups) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    c.in[1] = w;
    c.in[2] = b;
    set_ints(&c, T_STRIDE, op->code, stride);
    set_ints(&c, T_PADDING, op->code, padding);
    set_ints(&c, T_OUTPUT_PADDING, op->code, output_padding);
    set_ints(&c, T_DILATION, op->code, dilation);
    c.attr[T_GROUPS].i = groups;
    return ov_apply1(&c);
}

ovTensor *ov_conv2d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[2], const int64_t padding[2],
                    const int64_t dilation[2], int64_t groups) {
    return conv(&op_conv2d, x, w, b, stride, padding, dilation, groups);
}

ovTensor *ov_conv3d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[3], const int64_t padding[3],
                    const int64_t dilation[3], int64_t groups) {
    return conv(&op_conv3d, x, w, b, stride, padding, dilation, groups);
}

ovTensor *ov_conv_transpose2d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[2],
                              const int64_t padding[2], const int64_t output_padding[2], const int64_t dilation[2],
                              int64_t groups) {
    return convt(&op_conv_transpose2d, x, w, b, stride, padding, output_padding, dilation, groups);
}

ovTensor *ov_conv_transpose3d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[3],
                              const int64_t padding[3], const int64_t output_padding[3], const int64_t dilation[3],
                              int64_t groups) {
    return convt(&op_conv_transpose3d, x, w, b, stride, padding, output_padding, dilation, groups);
}
