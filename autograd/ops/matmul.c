/* matmul.c: op-table entries of the matrix-product family: matmul (torch.matmul: 1-D operands,
 * broadcast batch dims), bmm (torch.bmm) and linear (torch.nn.functional.linear, x W^T + b).
 *
 * Every forward turns its operands into kernel views [batch..., rows, cols] without copying: a
 * 1-D operand gets a size-1 dim, a broadcast batch dim stride 0, W^T is W's view with swapped
 * strides; kernels/cpu/matmul.c then maps the views onto ov_sgemm_batched (transpose flags for
 * transposed views). Backwards are composite: products with transposed views, and ov_sum_to over
 * broadcast batch dims (PyTorch's derivatives.yaml: grad_a = g b^T, grad_b = a^T g). */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cuda/elementwise.h"
#include "kernels/cuda/matmul.h"

/* How a product is laid out: batch shape, matrix sizes, and the output tensor's shape. */
typedef struct {
    int nb;                     /* broadcast batch dims */
    int64_t batch[OV_MAX_DIMS]; /* their sizes */
    int64_t M, K, N;
    int out_nd;
    int64_t out_shape[OV_MAX_DIMS];
} Plan;

/* torch.matmul's shape rule: a 1-D a is a row [1,K] (the dim dropped from the result), a 1-D b a
 * column [K,1]; the batch dims (all but the last two) broadcast. */
static Plan plan_matmul(const ovOpCall *c, const ovTensor *a, const ovTensor *b) {
    Plan p = {0};
    if (a->ndim == 0 || b->ndim == 0) ov_op_fail(c, "both arguments need at least one dim");
    p.M = a->ndim == 1 ? 1 : a->shape[a->ndim - 2];
    p.K = a->shape[a->ndim - 1];
    int64_t kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
    p.N = b->ndim == 1 ? 1 : b->shape[b->ndim - 1];
    if (kb != p.K)
        ov_op_fail(c, "inner sizes differ: a has %lld columns, b has %lld rows", (long long)p.K, (long long)kb);
    int na = a->ndim > 2 ? a->ndim - 2 : 0, nbb = b->ndim > 2 ? b->ndim - 2 : 0;
    p.nb = na > nbb ? na : nbb;
    for (int d = 0; d < p.nb; d++) {
        int da = d - (p.nb - na), db = d - (p.nb - nbb);
        int64_t sa = da < 0 ? 1 : a->shape[da], sb = db < 0 ? 1 : b->shape[db];
        if (sa != sb && sa != 1 && sb != 1)
            ov_op_fail(c, "batch dims do not broadcast (batch dim %d: %lld vs %lld)", d, (long long)sa, (long long)sb);
        p.batch[d] = sa == 1 ? sb : sa;
    }
    memcpy(p.out_shape, p.batch, sizeof(int64_t) * (size_t)p.nb);
    p.out_nd = p.nb;
    if (a->ndim > 1) p.out_shape[p.out_nd++] = p.M;
    if (b->ndim > 1) p.out_shape[p.out_nd++] = p.N;
    return p;
}

/* Kernel view [batch..., rows, cols] of t (whose last two dims, or its one dim placed as a row or
 * a column, are the matrix), its batch dims broadcast to the plan's with stride 0. */
static ovKView operand_view(const ovTensor *t, const Plan *p, bool vec_is_row) {
    ovKView v = ov_kview(t);
    int tb = t->ndim > 2 ? t->ndim - 2 : 0;
    v.ndim = p->nb + 2;
    for (int d = 0; d < p->nb; d++) {
        int td = d - (p->nb - tb);
        v.shape[d] = p->batch[d];
        v.stride[d] = td < 0 || t->shape[td] == 1 ? 0 : t->stride[td];
    }
    int r = p->nb, cdim = p->nb + 1;
    if (t->ndim == 1) {
        v.shape[r] = vec_is_row ? 1 : t->shape[0];
        v.shape[cdim] = vec_is_row ? t->shape[0] : 1;
        v.stride[r] = vec_is_row ? 0 : t->stride[0];
        v.stride[cdim] = vec_is_row ? t->stride[0] : 0;
    } else {
        v.shape[r] = t->shape[t->ndim - 2];
        v.shape[cdim] = t->shape[t->ndim - 1];
        v.stride[r] = t->stride[t->ndim - 2];
        v.stride[cdim] = t->stride[t->ndim - 1];
    }
    return v;
}

/* The contiguous output seen as [batch..., M, N]. */
static ovKView out_view(const ovTensor *out, const Plan *p) {
    ovKView v = ov_kview(out);
    v.ndim = p->nb + 2;
    int64_t s = 1;
    v.shape[p->nb] = p->M;
    v.shape[p->nb + 1] = p->N;
    for (int d = p->nb + 1; d >= 0; d--) {
        if (d < p->nb) v.shape[d] = p->batch[d];
        v.stride[d] = s;
        s *= v.shape[d];
    }
    return v;
}

static void run_product(const ovOpCall *c, const ovKView *o, const ovKView *a, const ovKView *b) {
    OV_KERNEL(c, ov_kmatmul, o, a, b);
}

static ovTensor *mT(ovTensor *t) { return ov_transpose(t, -2, -1); }

static ovTensor *flat_rows(ovTensor *t) { /* [..., n] -> [P, n] */
    int64_t s[2] = {-1, t->shape[t->ndim - 1]};
    return ov_reshape(t, 2, s);
}

/* ================= matmul ================= */

static void matmul_check(const ovOpCall *c) { plan_matmul(c, c->in[0], c->in[1]); }

static int matmul_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    Plan p = plan_matmul(c, c->in[0], c->in[1]);
    out[0] = ov_empty(p.out_nd, p.out_shape, OV_F32);
    ovKView o = out_view(out[0], &p), a = operand_view(c->in[0], &p, true), b = operand_view(c->in[1], &p, false);
    run_product(c, &o, &a, &b);
    return 1;
}

static void matmul_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *a = n->call.in[0], *b = n->call.in[1], *g = gout[0];
    ovTensor *ga = NULL, *gb = NULL;
    if (a->ndim == 1 && b->ndim == 1) { /* dot: g is a scalar */
        ga = ov_mul(g, b);
        gb = ov_mul(g, a);
    } else if (a->ndim == 1) { /* [K] x [..., K, N] -> [..., N] */
        if (n->needs_grad[0]) ga = ov_sum_to(ov_squeeze(ov_matmul(b, ov_unsqueeze(g, -1)), -1), a);
        if (n->needs_grad[1]) gb = ov_matmul(ov_unsqueeze(a, -1), ov_unsqueeze(g, -2));
    } else if (b->ndim == 1) { /* [..., M, K] x [K] -> [..., M] */
        if (n->needs_grad[0]) ga = ov_matmul(ov_unsqueeze(g, -1), ov_unsqueeze(b, 0));
        if (n->needs_grad[1]) {
            int64_t all = -1;
            gb = ov_matmul(mT(flat_rows(a)), ov_reshape(g, 1, &all));
        }
    } else {
        if (n->needs_grad[0]) ga = ov_sum_to(ov_matmul(g, mT(b)), a);
        if (n->needs_grad[1]) {
            /* a 2-D b shared by a batch of a (x @ W): one product over the stacked rows rather
             * than a batch of K x N results summed afterwards */
            if (b->ndim == 2 && a->ndim > 2)
                gb = ov_matmul(mT(flat_rows(a)), flat_rows(g));
            else
                gb = ov_sum_to(ov_matmul(mT(a), g), b);
        }
    }
    if (n->needs_grad[0]) gin[0] = ov_sum_to(ga, a);
    if (n->needs_grad[1]) gin[1] = ov_sum_to(gb, b);
}

/* Cases: the 1-D forms, batch broadcasting (size-1 and missing batch dims, a stride-0 expanded
 * batch), transposed and strided views (copied by the kernel: neither orientation is unit
 * stride), sizes off every tile, K = 1, K = 0 (zeros), and one product big enough for the
 * threaded path. */
static bool matmul_case(int k, ovOpCall *c) {
    static const int64_t sa[][4] = {{7},        {5},     {6, 5},     {4},     {2, 3, 5},  {13, 17},
                                    {2, 1, 5, 7}, {4, 5, 6}, {5, 6},   {3, 9, 8}, {11, 10}, {97, 130},
                                    {3, 1},     {4, 5, 6},  {3, 0}};
    static const int64_t sb[][4] = {{7},    {5, 9},    {5},       {3, 4, 6}, {5},      {17, 19},
                                    {3, 7, 4}, {6, 3}, {4, 6, 3}, {3, 8, 10}, {10, 12}, {130, 129},
                                    {1, 4},  {6, 7},   {0, 4}};
    static const int na[] = {1, 1, 2, 1, 3, 2, 4, 3, 2, 3, 2, 2, 2, 3, 2}, nbv[] = {1, 2, 1, 3, 1, 2, 3, 2, 3, 3, 2, 2, 2, 2, 2};
    if (k >= 15) return false;
    ovTgLayout la = ov_tg_layout(k), lb = ov_tg_layout(k + 1);
    if (k == 9) la = lb = OV_TG_TRANSPOSED;
    if (k == 10) la = lb = OV_TG_STRIDED;
    c->in[0] = ov_tg_tensor(na[k], sa[k], OV_TG_NORMAL, la, 600 + (uint64_t)k);
    c->in[1] = ov_tg_tensor(nbv[k], sb[k], OV_TG_NORMAL, lb, 700 + (uint64_t)k);
    if (k == 13) { /* a batch that is one matrix expanded (stride 0), times a shared b */
        const int64_t one[] = {1, 5, 6};
        c->in[0] = ov_expand(ov_tg_tensor(3, one, OV_TG_NORMAL, OV_TG_TRANSPOSED, 613), 3, sa[k]);
    }
    return true;
}

static ovOpDef op_matmul = {
    .name = "matmul",
    .doc = "matrix product with torch.matmul's rules (1-D operands, broadcast batch dims)",
    .args = {{"a", OV_ARG_FLOAT, 0}, {"b", OV_ARG_FLOAT, 0}},
    .outputs = "out",
    .check = matmul_check,
    .flags = OV_OP_CUDA,
    .forward = matmul_forward,
    .backward = matmul_backward,
    .make_case = matmul_case,
    .fast_tol = 32,
};

/* ================= bmm ================= */

static void bmm_check(const ovOpCall *c) {
    const ovTensor *a = c->in[0], *b = c->in[1];
    if (a->ndim != 3 || b->ndim != 3) ov_op_fail(c, "both arguments must be 3-D [B,M,K] and [B,K,N]");
    if (a->shape[0] != b->shape[0])
        ov_op_fail(c, "batch sizes differ: %lld vs %lld", (long long)a->shape[0], (long long)b->shape[0]);
    if (a->shape[2] != b->shape[1])
        ov_op_fail(c, "inner sizes differ: a has %lld columns, b has %lld rows", (long long)a->shape[2],
                   (long long)b->shape[1]);
}

static int bmm_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *a = c->in[0], *b = c->in[1];
    const int64_t shape[3] = {a->shape[0], a->shape[1], b->shape[2]};
    out[0] = ov_empty(3, shape, OV_F32);
    ovKView o = ov_kview(out[0]), av = ov_kview(a), bv = ov_kview(b);
    run_product(c, &o, &av, &bv);
    return 1;
}

static void bmm_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *a = n->call.in[0], *b = n->call.in[1], *g = gout[0];
    if (n->needs_grad[0]) gin[0] = ov_bmm(g, mT(b));
    if (n->needs_grad[1]) gin[1] = ov_bmm(mT(a), g);
}

static bool bmm_case(int k, ovOpCall *c) {
    static const int64_t sa[][3] = {{3, 5, 7}, {2, 33, 17}, {4, 6, 1}, {1, 9, 8}, {2, 65, 40}};
    static const int64_t sb[][3] = {{3, 7, 4}, {2, 17, 65}, {4, 1, 5}, {1, 8, 13}, {2, 40, 70}};
    if (k >= 5) return false;
    c->in[0] = ov_tg_tensor(3, sa[k], OV_TG_NORMAL, ov_tg_layout(k), 800 + (uint64_t)k);
    c->in[1] = ov_tg_tensor(3, sb[k], OV_TG_NORMAL, ov_tg_layout(k + 2), 900 + (uint64_t)k);
    return true;
}

static ovOpDef op_bmm = {
    .name = "bmm",
    .doc = "batched matrix product [B,M,K] x [B,K,N] (torch.bmm)",
    .args = {{"a", OV_ARG_FLOAT, 0}, {"b", OV_ARG_FLOAT, 0}},
    .outputs = "out",
    .check = bmm_check,
    .flags = OV_OP_CUDA,
    .forward = bmm_forward,
    .backward = bmm_backward,
    .make_case = bmm_case,
    .fast_tol = 32,
};

/* ================= linear ================= */

static void linear_check(const ovOpCall *c) {
    const ovTensor *x = c->in[0], *w = c->in[1], *b = c->in[2];
    if (x->ndim < 1) ov_op_fail(c, "x needs at least one dim [..., in]");
    if (w->ndim != 2) ov_op_fail(c, "weight must be 2-D [out, in]");
    if (x->shape[x->ndim - 1] != w->shape[1])
        ov_op_fail(c, "x has %lld features, weight expects %lld", (long long)x->shape[x->ndim - 1],
                   (long long)w->shape[1]);
    if (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))
        ov_op_fail(c, "bias must be 1-D of size %lld (out)", (long long)w->shape[0]);
}

static int linear_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0], *w = c->in[1], *bias = c->in[2];
    /* x @ W^T with W^T a view: the plan of matmul(x, W^T), then the bias on every row */
    ovTensor *wt = ov_view_of(w, 2, (int64_t[]){w->shape[1], w->shape[0]}, (int64_t[]){w->stride[1], w->stride[0]},
                              w->offset);
    Plan p = plan_matmul(c, x, wt);
    out[0] = ov_empty(p.out_nd, p.out_shape, OV_F32);
    ovKView o = out_view(out[0], &p), a = operand_view(x, &p, true), b = operand_view(wt, &p, false);
    run_product(c, &o, &a, &b);
    if (bias) { /* out += bias on every row, in place */
        ovKView ov = ov_kview(out[0]), bv = ov_kview_bcast(bias, out[0]->ndim, out[0]->shape);
        OV_KERNEL(c, ov_kbinary, OV_B_ADD, &ov, &ov, &bv);
    }
    return 1;
}

static void linear_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0], *w = n->call.in[1], *g = gout[0];
    if (n->needs_grad[0]) gin[0] = ov_matmul(g, w);
    if (n->needs_grad[1]) gin[1] = ov_matmul(mT(flat_rows(g)), flat_rows(x));
    if (n->needs_grad[2]) gin[2] = ov_sum_to(g, n->call.in[2]);
}

static bool linear_case(int k, ovOpCall *c) {
    static const int64_t sx[][3] = {{5, 7}, {7}, {2, 3, 7}, {4, 9}, {97, 130}, {3, 1}};
    static const int nx[] = {2, 1, 3, 2, 2, 2};
    static const int64_t sw[][2] = {{3, 7}, {4, 7}, {5, 7}, {6, 9}, {129, 130}, {17, 1}};
    if (k >= 6) return false;
    c->in[0] = ov_tg_tensor(nx[k], sx[k], OV_TG_NORMAL, ov_tg_layout(k), 1000 + (uint64_t)k);
    c->in[1] = ov_tg_tensor(2, sw[k], OV_TG_NORMAL, ov_tg_layout(k + 1), 1100 + (uint64_t)k);
    c->in[2] = k == 1 ? NULL : ov_tg_tensor(1, &sw[k][0], OV_TG_NORMAL, ov_tg_layout(k + 2), 1200 + (uint64_t)k);
    return true;
}

static ovOpDef op_linear = {
    .name = "linear",
    .doc = "x W^T + b over the last dim of x (torch.nn.functional.linear); W [out,in], b [out] optional",
    .args = {{"x", OV_ARG_FLOAT, 0}, {"weight", OV_ARG_FLOAT, 0}, {"bias", OV_ARG_FLOAT, OV_ARG_OPTIONAL}},
    .outputs = "out",
    .check = linear_check,
    .flags = OV_OP_CUDA,
    .forward = linear_forward,
    .backward = linear_backward,
    .make_case = linear_case,
    .fast_tol = 32,
};

ovOpDef *const ov_ops_matmul[] = {&op_matmul, &op_bmm, &op_linear, NULL};

/* ================= public functions ================= */

ovTensor *ov_matmul(ovTensor *a, ovTensor *b) {
    ovOpCall c = ov_call(&op_matmul);
    c.in[0] = a;
    c.in[1] = b;
    return ov_apply1(&c);
}

ovTensor *ov_bmm(ovTensor *a, ovTensor *b) {
    ovOpCall c = ov_call(&op_bmm);
    c.in[0] = a;
    c.in[1] = b;
    return ov_apply1(&c);
}

ovTensor *ov_linear(ovTensor *x, ovTensor *w, ovTensor *b) {
    ovOpCall c = ov_call(&op_linear);
    c.in[0] = x;
    c.in[1] = w;
    c.in[2] = b;
    return ov_apply1(&c);
}
