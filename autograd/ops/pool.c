/* pool.c: op-table entries of the pooling family: torch.nn.functional.max_pool2d, max_pool3d,
 * avg_pool2d, avg_pool3d, and their internal input-gradient ops max_pool_backward and
 * avg_pool_backward. 2-D pooling runs the 3-D kernels (kernels/cpu/pool.h, and their device twins
 * in kernels/cuda/pool.h) with depth 1. Output sizes follow ATen's pooling_output_shape: floor or
 * ceil of (in + 2p - d(k-1) - 1)/s + 1, and in ceil mode the last window must start inside the
 * input or its left padding. Max pooling saves the argmax of every window (the first maximum, as
 * PyTorch) for its backward. */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/spatial.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/pool.h"
#include "kernels/cuda/pool.h"

/* Attributes, shared by position: the fifth is dilation (max) or count_include_pad (avg); the
 * backward ops repeat the forward's and add input_size. */
enum { P_KERNEL, P_STRIDE, P_PADDING, P_CEIL, P_EXTRA, P_INPUT_SIZE };

typedef struct {
    int rank;
    ovPoolParams p;
    int64_t in[3], out[3];
    bool ceil;
} PGeom;

/* ATen's pooling_output_shape. */
static int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
    int64_t num = in + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
    int64_t out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
    if (ceil && (out - 1) * s >= in + p) out--;
    return out;
}

/* Parameters of a pooling call whose input has spatial sizes in[] (as (d, h, w)). */
static PGeom pool_geom(const ovOpCall *c, int rank, const int64_t in[3], bool is_max) {
    PGeom G = {.rank = rank, .ceil = c->attr[P_CEIL].i != 0};
    memcpy(G.in, in, sizeof G.in);
    ov_spatial_attr(c, P_KERNEL, rank, 1, 1, G.p.k);
    if (c->attr[P_STRIDE].set)
        ov_spatial_attr(c, P_STRIDE, rank, 1, 1, G.p.s);
    else
        memcpy(G.p.s, G.p.k, sizeof G.p.s); /* PyTorch: stride defaults to the kernel size */
    ov_spatial_attr(c, P_PADDING, rank, 0, 0, G.p.p);
    if (is_max) {
        ov_spatial_attr(c, P_EXTRA, rank, 1, 1, G.p.d);
    } else {
        G.p.d[0] = G.p.d[1] = G.p.d[2] = 1;
        G.p.count_include_pad = c->attr[P_EXTRA].i != 0;
    }
    for (int i = 3 - rank; i < 3; i++) {
        int64_t span = G.p.d[i] * (G.p.k[i] - 1) + 1, half = (is_max ? span : G.p.k[i]) / 2;
        if (G.p.p[i] > half)
            ov_op_fail(c, "padding %lld in the %s must be at most half the %skernel (%lld)", (long long)G.p.p[i],
                       ov_spatial_dim_name(i), is_max ? "dilated " : "", (long long)half);
    }
    for (int i = 0; i < 3; i++) {
        G.out[i] = pool_out(in[i], G.p.k[i], G.p.s[i], G.p.p[i], G.p.d[i], G.ceil);
        if (G.out[i] < 1)
            ov_op_fail(c, "the output %s would be %lld: input %lld is smaller than the %skernel (%lld) with padding %lld",
                       ov_spatial_dim_name(i), (long long)G.out[i], (long long)in[i], is_max ? "dilated " : "",
                       (long long)(G.p.d[i] * (G.p.k[i] - 1) + 1), (long long)G.p.p[i]);
    }
    return G;
}

/* Public ops: x [N, C, (D,) H, W]. */
static PGeom fwd_geom(const ovOpCall *c, bool is_max) {
    int rank = c->op->code;
    ov_spatial_want(c, c->in[0], "x", rank);
    int64_t in[3];
    ov_spatial_sizes(c->in[0], rank, in);
    return pool_geom(c, rank, in, is_max);
}

/* Backward ops: grad [N, C, out...], the forward's attributes and input_size. */
static PGeom bwd_geom(const ovOpCall *c, bool is_max) {
    const ovTensor *g = c->in[0];
    if (g->ndim != 4 && g->ndim != 5)
        ov_op_fail(c, "grad must have 4 dims [N, C, H, W] or 5 dims [N, C, D, H, W], got %d", g->ndim);
    int rank = g->ndim - 2;
    int64_t in[3];
    if (c->attr[P_INPUT_SIZE].n != rank)
        ov_op_fail(c, "input_size takes %d values for a %d-dim grad, got %d", rank, g->ndim, c->attr[P_INPUT_SIZE].n);
    ov_spatial_attr(c, P_INPUT_SIZE, rank, 1, 1, in);
    PGeom G = pool_geom(c, rank, in, is_max);
    for (int i = 3 - rank; i < 3; i++)
        if (g->shape[2 + i - (3 - rank)] != G.out[i])
            ov_op_fail(c, "grad's %s is %lld but pooling an input of %lld gives %lld", ov_spatial_dim_name(i),
                       (long long)g->shape[2 + i - (3 - rank)], (long long)in[i], (long long)G.out[i]);
    return G;
}

static void max_check(const ovOpCall *c) { fwd_geom(c, true); }
static void avg_check(const ovOpCall *c) { fwd_geom(c, false); }
static void avg_bwd_check(const ovOpCall *c) { bwd_geom(c, false); }

static void max_bwd_check(const ovOpCall *c) {
    PGeom G = bwd_geom(c, true);
    const ovTensor *g = c->in[0], *idx = c->in[1];
    if (!ov_same_shape(g, idx)) ov_op_fail(c, "grad and indices must have the same shape");
    /* Indices come from outside when the op is run by name. Each must be a tap of its own window
     * (what the forward saves): the CPU kernels would scatter anything inside the plane, but the
     * CUDA kernel gathers over the windows that contain each input and would drop the rest. */
    int64_t n = ov_numel(idx), Vo = G.out[0] * G.out[1] * G.out[2];
    if (ov_device(idx) != OV_DEV_CPU) return;
    const int64_t *p = ov_is_contiguous(idx) ? (const int64_t *)ov_data_ptr(idx) : NULL;
    for (int64_t i = 0; i < n; i++) {
        int64_t v = p ? p[i] : (int64_t)ov_get_flat(idx, i);
        if (v == -1) continue; /* no input (an empty window) */
        int64_t o[3] = {i % Vo / (G.out[1] * G.out[2]), i % (G.out[1] * G.out[2]) / G.out[2], i % G.out[2]};
        int64_t x[3] = {v / (G.in[1] * G.in[2]), v / G.in[2] % G.in[1], v % G.in[2]};
        bool ok = v >= 0 && v < G.in[0] * G.in[1] * G.in[2];
        for (int d = 0; d < 3 && ok; d++) {
            int64_t rel = x[d] - (o[d] * G.p.s[d] - G.p.p[d]);
            ok = rel >= 0 && rel % G.p.d[d] == 0 && rel / G.p.d[d] < G.p.k[d];
        }
        if (!ok)
            ov_op_fail(c, "index %lld at element %lld is not a position of its pooling window (input plane of %lld; "
                       "-1 = no input)", (long long)v, (long long)i, (long long)(G.in[0] * G.in[1] * G.in[2]));
    }
}

static ovTensor *new_out(const PGeom *G, const ovTensor *like, const int64_t sizes[3], ovDType dt) {
    int64_t shape[5];
    ov_spatial_shape(G->rank, like->shape[0], like->shape[1], sizes, shape);
    return ov_empty(G->rank + 2, shape, dt);
}

static int max_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    PGeom G = fwd_geom(c, true);
    out[0] = new_out(&G, c->in[0], G.out, OV_F32);
    ovTensor *idx = save ? new_out(&G, c->in[0], G.out, OV_I64) : NULL;
    ovKView y = ov_kview5(out[0]), x = ov_kview5(c->in[0]), iv;
    if (idx) iv = ov_kview5(idx);
    OV_KERNEL(c, ov_kmax_pool, &y, idx ? &iv : NULL, &x, &G.p);
    if (save) save->t[save->n++] = idx;
    return 1;
}

static int avg_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    PGeom G = fwd_geom(c, false);
    out[0] = new_out(&G, c->in[0], G.out, OV_F32);
    ovKView y = ov_kview5(out[0]), x = ov_kview5(c->in[0]);
    OV_KERNEL(c, ov_kavg_pool, &y, &x, &G.p);
    return 1;
}

static int max_bwd_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    PGeom G = bwd_geom(c, true);
    out[0] = new_out(&G, c->in[0], G.in, OV_F32);
    ovKView gx = ov_kview5(out[0]), gy = ov_kview5(c->in[0]), iv = ov_kview5(c->in[1]);
    OV_KERNEL(c, ov_kmax_pool_backward, &gx, &gy, &iv, &G.p);
    return 1;
}

static int avg_bwd_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    PGeom G = bwd_geom(c, false);
    out[0] = new_out(&G, c->in[0], G.in, OV_F32);
    ovKView gx = ov_kview5(out[0]), gy = ov_kview5(c->in[0]);
    OV_KERNEL(c, ov_kavg_pool_backward, &gx, &gy, &G.p);
    return 1;
}

/* ---- backward ---- */

static ovOpDef op_max_pool_backward, op_avg_pool_backward;

static void set_input_size(ovOpCall *b, int a, const ovTensor *x) {
    b->attr[a].set = true;
    b->attr[a].n = x->ndim - 2;
    for (int i = 2; i < x->ndim; i++) b->attr[a].v[i - 2] = x->shape[i];
}

static void max_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovOpCall b = ov_call(&op_max_pool_backward);
    for (int a = P_KERNEL; a <= P_EXTRA; a++) b.attr[a] = n->call.attr[a];
    b.in[0] = gout[0];
    b.in[1] = n->saved.t[0];
    set_input_size(&b, P_INPUT_SIZE, n->call.in[0]);
    gin[0] = ov_apply1(&b);
}

static void avg_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovOpCall b = ov_call(&op_avg_pool_backward);
    for (int a = P_KERNEL; a <= P_EXTRA; a++) b.attr[a] = n->call.attr[a];
    b.in[0] = gout[0];
    set_input_size(&b, P_INPUT_SIZE, n->call.in[0]);
    gin[0] = ov_apply1(&b);
}

/* ---- test cases ---- */

/* Per-dim values (d, h, w); 2-D cases ignore d. s[0] == 0 leaves stride unset (= kernel). extra:
 * dilation for max pooling (d), count_include_pad for average pooling (include). */
typedef struct {
    int64_t n, c, in[3], k[3], s[3], p[3], d[3];
    bool ceil, include;
} PoolCase;

static const PoolCase pool3[] = {
    {2, 3, {4, 6, 6}, {1, 2, 2}, {0}, {0, 0, 0}, {1, 1, 1}, false, true},      /* OpenMixer MaxPool3d((1,2,2)) */
    {1, 2, {5, 7, 6}, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, true, false}, /* ceil_mode, padding, odd */
    {2, 2, {4, 7, 9}, {2, 3, 2}, {1, 2, 2}, {0, 1, 1}, {1, 1, 2}, false, true}, /* asym; dilation (max) */
    {1, 2, {3, 5, 4}, {1, 2, 2}, {1, 3, 3}, {0, 1, 1}, {1, 1, 1}, true, false}, /* ceil drops a window */
    {2, 16, {8, 16, 18}, {2, 2, 2}, {2, 2, 2}, {0, 0, 0}, {1, 1, 1}, true, true}, /* larger (threads) */
    {1, 1, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {1, 1, 1}, false, true}, /* size 1 */
};
static const PoolCase pool2[] = {
    {2, 3, {1, 6, 6}, {1, 2, 2}, {0}, {0, 0, 0}, {1, 1, 1}, false, true},
    {1, 2, {1, 7, 6}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}, true, false},
    {2, 2, {1, 7, 9}, {1, 3, 2}, {1, 2, 1}, {0, 1, 1}, {1, 2, 2}, true, true},
    {1, 2, {1, 5, 4}, {1, 2, 3}, {1, 3, 1}, {0, 1, 1}, {1, 1, 1}, true, false},
    {4, 16, {1, 24, 22}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}, false, false}, /* larger (threads) */
};

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const PoolCase *pool_case_at(int rank, int k) {
    if (rank == 3) return k < NCASES(pool3) ? &pool3[k] : NULL;
    return k < NCASES(pool2) ? &pool2[k] : NULL;
}

static void case_attrs(ovOpCall *c, const PoolCase *pc, int rank, bool is_max) {
    ov_spatial_set(c, P_KERNEL, rank, pc->k);
    if (pc->s[0]) ov_spatial_set(c, P_STRIDE, rank, pc->s);
    ov_spatial_set(c, P_PADDING, rank, pc->p);
    c->attr[P_CEIL].i = pc->ceil;
    if (is_max)
        ov_spatial_set(c, P_EXTRA, rank, pc->d);
    else
        c->attr[P_EXTRA].i = pc->include;
}

static ovTensor *case_tensor(int rank, const PoolCase *pc, const int64_t sizes[3], ovTgDomain dom, ovTgLayout l,
                             uint64_t seed) {
    int64_t shape[5];
    ov_spatial_shape(rank, pc->n, pc->c, sizes, shape);
    return ov_tg_tensor(rank + 2, shape, dom, l, seed);
}

static bool pool_case(int k, ovOpCall *c) {
    int rank = c->op->code;
    bool is_max = c->op->forward == max_forward;
    const PoolCase *pc = pool_case_at(rank, k);
    if (!pc) return false;
    /* distinct values: the argmax never flips under finite-difference steps */
    c->in[0] = case_tensor(rank, pc, pc->in, is_max ? OV_TG_DISTINCT : OV_TG_NORMAL, ov_tg_layout(k), 1100 + (uint64_t)k);
    case_attrs(c, pc, rank, is_max);
    return true;
}

/* Output sizes of case pc (what its forward gives). */
static void case_out(const PoolCase *pc, int64_t out[3], bool is_max) {
    for (int i = 0; i < 3; i++)
        out[i] = pool_out(pc->in[i], pc->k[i], pc->s[0] ? pc->s[i] : pc->k[i], pc->p[i], is_max ? pc->d[i] : 1,
                          pc->ceil);
}

/* The forward cases of both ranks, 3-D first. */
static bool bwd_case_at(int k, const PoolCase **pc, int *rank) {
    *rank = k < NCASES(pool3) ? 3 : 2;
    *pc = pool_case_at(*rank, *rank == 3 ? k : k - NCASES(pool3));
    return *pc != NULL;
}

static bool max_bwd_case(int k, ovOpCall *c) {
    const PoolCase *pc;
    int rank;
    if (!bwd_case_at(k, &pc, &rank)) return false;
    int64_t out[3], shape[5], xshape[5];
    case_out(pc, out, true);
    c->in[0] = case_tensor(rank, pc, out, OV_TG_NORMAL, ov_tg_layout(k), 1200 + (uint64_t)k);
    case_attrs(c, pc, rank, true);
    ov_spatial_set(c, P_INPUT_SIZE, rank, pc->in);
    /* the argmaxes of a random input, as the forward saves them: where windows overlap, one input
     * can win several, and the kernels must add every gradient that lands on it */
    PGeom G = bwd_geom(c, true);
    ov_spatial_shape(rank, pc->n, pc->c, out, shape);
    ov_spatial_shape(rank, pc->n, pc->c, pc->in, xshape);
    ovTensor *x = ov_tg_tensor(rank + 2, xshape, OV_TG_NORMAL, OV_TG_CONTIG, 1300 + (uint64_t)k);
    ovTensor *y = ov_empty(rank + 2, shape, OV_F32), *idx = ov_empty(rank + 2, shape, OV_I64);
    ovKView yv = ov_kview5(y), iv = ov_kview5(idx), xv = ov_kview5(x);
    ov_kmax_pool_ref(&yv, &iv, &xv, &G.p);
    if (k % 2) /* the same indices stored with the last two dims swapped */
        idx = ov_transpose(ov_contiguous(ov_transpose(idx, rank, rank + 1)), rank, rank + 1);
    c->in[1] = idx;
    return true;
}

static bool avg_bwd_case(int k, ovOpCall *c) {
    const PoolCase *pc;
    int rank;
    if (!bwd_case_at(k, &pc, &rank)) return false;
    int64_t out[3];
    case_out(pc, out, false);
    c->in[0] = case_tensor(rank, pc, out, OV_TG_NORMAL, ov_tg_layout(k), 1400 + (uint64_t)k);
    case_attrs(c, pc, rank, false);
    ov_spatial_set(c, P_INPUT_SIZE, rank, pc->in);
    return true;
}

/* ---- table ---- */

#define MAX_ATTRS(ones, zeros)                                                                         \
    {"kernel_size", OV_ATTR_INTS, NULL}, {"stride", OV_ATTR_INTS, "none"}, {"padding", OV_ATTR_INTS, zeros}, \
        {"ceil_mode", OV_ATTR_BOOL, "false"}, {"dilation", OV_ATTR_INTS, ones}
#define AVG_ATTRS(zeros)                                                                               \
    {"kernel_size", OV_ATTR_INTS, NULL}, {"stride", OV_ATTR_INTS, "none"}, {"padding", OV_ATTR_INTS, zeros}, \
        {"ceil_mode", OV_ATTR_BOOL, "false"}, {"count_include_pad", OV_ATTR_BOOL, "true"}

static ovOpDef op_max_pool2d = {
    .name = "max_pool2d", .doc = "2-D max pooling (F.max_pool2d) of x [N,C,H,W]; stride defaults to kernel_size",
    .args = {{"x", OV_ARG_FLOAT, 0}}, .attrs = {MAX_ATTRS("1,1", "0,0")}, .outputs = "out", .flags = OV_OP_CUDA,
    .code = 2, .check = max_check, .forward = max_forward, .backward = max_backward, .make_case = pool_case,
};
static ovOpDef op_max_pool3d = {
    .name = "max_pool3d", .doc = "3-D max pooling (F.max_pool3d) of x [N,C,D,H,W]; stride defaults to kernel_size",
    .args = {{"x", OV_ARG_FLOAT, 0}}, .attrs = {MAX_ATTRS("1,1,1", "0,0,0")}, .outputs = "out", .flags = OV_OP_CUDA,
    .code = 3, .check = max_check, .forward = max_forward, .backward = max_backward, .make_case = pool_case,
};
static ovOpDef op_avg_pool2d = {
    .name = "avg_pool2d", .doc = "2-D average pooling (F.avg_pool2d) of x [N,C,H,W]; stride defaults to kernel_size",
    .args = {{"x", OV_ARG_FLOAT, 0}}, .attrs = {AVG_ATTRS("0,0")}, .outputs = "out", .flags = OV_OP_CUDA,
    .code = 2, .check = avg_check, .forward = avg_forward, .backward = avg_backward, .make_case = pool_case,
    .fast_tol = 16, .grad_eps = 0.05,
};
static ovOpDef op_avg_pool3d = {
    .name = "avg_pool3d", .doc = "3-D average pooling (F.avg_pool3d) of x [N,C,D,H,W]; stride defaults to kernel_size",
    .args = {{"x", OV_ARG_FLOAT, 0}}, .attrs = {AVG_ATTRS("0,0,0")}, .outputs = "out", .flags = OV_OP_CUDA,
    .code = 3, .check = avg_check, .forward = avg_forward, .backward = avg_backward, .make_case = pool_case,
    .fast_tol = 16, .grad_eps = 0.05,
};
static ovOpDef op_max_pool_backward = {
    .name = "max_pool_backward",
    .doc = "input gradient of max pooling: grad added at the saved argmax positions, which lie in the windows "
           "of the forward's attributes (rank from grad)",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"indices", OV_ARG_INDEX, 0}},
    .attrs = {MAX_ATTRS("1", "0"), {"input_size", OV_ATTR_INTS, NULL}}, .outputs = "grad_x",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA, .check = max_bwd_check, .forward = max_bwd_forward,
    .make_case = max_bwd_case,
};
static ovOpDef op_avg_pool_backward = {
    .name = "avg_pool_backward",
    .doc = "input gradient of average pooling for an input of input_size (rank from grad)",
    .args = {{"grad", OV_ARG_FLOAT, 0}},
    .attrs = {AVG_ATTRS("0"), {"input_size", OV_ATTR_INTS, NULL}}, .outputs = "grad_x",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA, .check = avg_bwd_check, .forward = avg_bwd_forward,
    .make_case = avg_bwd_case, .fast_tol = 16,
};

ovOpDef *const ov_ops_pool[] = {&op_max_pool2d, &op_max_pool3d, &op_avg_pool2d, &op_avg_pool3d,
                                &op_max_pool_backward, &op_avg_pool_backward, NULL};

/* ---- public functions ---- */

static void set_ints(ovOpCall *c, int a, int n, const int64_t *v) {
    if (!v) return;
    c->attr[a].set = true;
    c->attr[a].n = n;
    for (int i = 0; i < n; i++) c->attr[a].v[i] = v[i];
}

static ovTensor *pool(ovOpDef *op, ovTensor *x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                      bool ceil_mode, int extra) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    set_ints(&c, P_KERNEL, op->code, kernel);
    set_ints(&c, P_STRIDE, op->code, stride);
    set_ints(&c, P_PADDING, op->code, padding);
    c.attr[P_CEIL].i = ceil_mode;
    if (extra >= 0) c.attr[P_EXTRA].i = extra;
    return ov_apply1(&c);
}

ovTensor *ov_max_pool2d(ovTensor *x, const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                        bool ceil_mode) {
    return pool(&op_max_pool2d, x, kernel, stride, padding, ceil_mode, -1);
}

ovTensor *ov_max_pool3d(ovTensor *x, const int64_t kernel[3], const int64_t stride[3], const int64_t padding[3],
                        bool ceil_mode) {
    return pool(&op_max_pool3d, x, kernel, stride, padding, ceil_mode, -1);
}

ovTensor *ov_avg_pool2d(ovTensor *x, const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                        bool ceil_mode, bool count_include_pad) {
    return pool(&op_avg_pool2d, x, kernel, stride, padding, ceil_mode, count_include_pad);
}

ovTensor *ov_avg_pool3d(ovTensor *x, const int64_t kernel[3], const int64_t stride[3], const int64_t padding[3],
                        bool ceil_mode, bool count_include_pad) {
    return pool(&op_avg_pool3d, x, kernel, stride, padding, ceil_mode, count_include_pad);
}
