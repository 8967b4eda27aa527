/* elementwise.c: op-table entries of the elementwise family: unary functions (with one shared
 * forward and a fused backward kernel exposed as the internal op `unary_backward`), broadcasting
 * binary functions, comparisons and logical ops, where and masked_fill.
 * Derivatives follow PyTorch's tools/autograd/derivatives.yaml. */
#include <math.h>
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cuda/elementwise.h"

/* ================= unary ================= */

/* Domain of the test inputs for each unary function. */
static ovTgDomain unary_domain(ovUnaryFn f) {
    switch (f) {
    case OV_U_LOG: case OV_U_SQRT: case OV_U_RSQRT: case OV_U_POW_SCALAR: return OV_TG_POSITIVE;
    case OV_U_ABS: case OV_U_RELU: case OV_U_CLAMP: case OV_U_FLOOR: case OV_U_ROUND: return OV_TG_AWAY0;
    default: return OV_TG_NORMAL;
    }
}

/* The function's parameters from the call's attributes. */
static void unary_params(const ovOpCall *c, ovUnaryFn f, float *p1, float *p2) {
    *p1 = *p2 = 0;
    switch (f) {
    case OV_U_SOFTPLUS: *p1 = (float)c->attr[0].f; *p2 = (float)c->attr[1].f; break;
    case OV_U_POW_SCALAR: case OV_U_ADD_SCALAR: case OV_U_MUL_SCALAR: *p1 = (float)c->attr[0].f; break;
    case OV_U_CLAMP:
        *p1 = c->attr[0].set ? (float)c->attr[0].f : -INFINITY;
        *p2 = c->attr[1].set ? (float)c->attr[1].f : INFINITY;
        break;
    default: break;
    }
}

static ovUnaryFn unary_fn(const ovOpCall *c) {
    /* gelu picks its form from the `approximate` attribute */
    if (c->op->code == OV_U_GELU && c->attr[0].i == 1) return OV_U_GELU_TANH;
    return (ovUnaryFn)c->op->code;
}

static int unary_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    ovUnaryFn f = unary_fn(c);
    float p1, p2;
    unary_params(c, f, &p1, &p2);
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x);
    OV_KERNEL(c, ov_kunary, f, &o, &xv, p1, p2);
    return 1;
}

static ovOpDef op_unary_backward;

static void unary_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovOpCall b = ov_call(&op_unary_backward);
    b.in[0] = gout[0];
    b.in[1] = n->call.in[0];
    b.in[2] = n->out[0];
    ovUnaryFn f = unary_fn(&n->call);
    float p1, p2;
    unary_params(&n->call, f, &p1, &p2);
    b.attr[0].i = f;
    b.attr[1].f = p1;
    b.attr[2].f = p2;
    gin[0] = ov_apply1(&b);
}

static bool unary_case(int k, ovOpCall *c) {
    static const int64_t shapes[][3] = {{2, 3, 5}, {7, 9, 1}, {1, 1, 1}, {4, 130, 129}};
    static const int ndims[] = {3, 2, 0, 3};
    if (k >= 4) return false;
    ovUnaryFn f = (ovUnaryFn)c->op->code;
    c->in[0] = ov_tg_tensor(ndims[k], shapes[k], unary_domain(f), ov_tg_layout(k), 100 + (uint64_t)k);
    if (f == OV_U_GELU) c->attr[0].i = k % 2; /* both forms */
    if (f == OV_U_CLAMP) {
        c->attr[0].set = k != 1;
        c->attr[0].f = -0.5;
        c->attr[1].set = k != 2;
        c->attr[1].f = 0.7;
    }
    return true;
}

#define UNARY(id, opname, fn, flags_, ...)                                                           \
    static ovOpDef id = {.name = opname, .args = {{"x", OV_ARG_FLOAT, 0}}, .outputs = "out",          \
                         .flags = (flags_) | OV_OP_CUDA, .code = fn, .forward = unary_forward,                     \
                         .backward = (flags_) & OV_OP_NO_GRAD ? NULL : unary_backward,               \
                         .make_case = unary_case, __VA_ARGS__}

UNARY(op_neg, "neg", OV_U_NEG, 0, .doc = "-x");
UNARY(op_abs, "abs", OV_U_ABS, 0, .doc = "|x|");
UNARY(op_exp, "exp", OV_U_EXP, 0, .doc = "e^x", .fast_tol = 8);
UNARY(op_log, "log", OV_U_LOG, 0, .doc = "natural logarithm");
UNARY(op_sqrt, "sqrt", OV_U_SQRT, 0, .doc = "square root");
UNARY(op_rsqrt, "rsqrt", OV_U_RSQRT, 0, .doc = "1/sqrt(x)");
UNARY(op_sigmoid, "sigmoid", OV_U_SIGMOID, 0, .doc = "1/(1+e^-x)", .fast_tol = 8);
UNARY(op_tanh, "tanh", OV_U_TANH, 0, .doc = "hyperbolic tangent", .fast_tol = 8);
UNARY(op_relu, "relu", OV_U_RELU, 0, .doc = "max(x, 0)");
UNARY(op_gelu, "gelu", OV_U_GELU, 0, .doc = "x*Phi(x) (erf) or its tanh approximation",
      .attrs = {{"approximate", OV_ATTR_ENUM, "none", "none|tanh"}}, .fast_tol = 8);
UNARY(op_quick_gelu, "quick_gelu", OV_U_QUICK_GELU, 0, .doc = "x*sigmoid(1.702x) (CLIP)", .fast_tol = 8);
UNARY(op_silu, "silu", OV_U_SILU, 0, .doc = "x*sigmoid(x)", .fast_tol = 8);
UNARY(op_softplus, "softplus", OV_U_SOFTPLUS, 0, .doc = "log(1+e^(beta x))/beta, linear above threshold",
      .attrs = {{"beta", OV_ATTR_FLOAT, "1"}, {"threshold", OV_ATTR_FLOAT, "20"}});
UNARY(op_sin, "sin", OV_U_SIN, 0, .doc = "sine");
UNARY(op_cos, "cos", OV_U_COS, 0, .doc = "cosine");
UNARY(op_pow_scalar, "pow_scalar", OV_U_POW_SCALAR, 0, .doc = "x^exponent",
      .attrs = {{"exponent", OV_ATTR_FLOAT, "2"}});
UNARY(op_clamp, "clamp", OV_U_CLAMP, 0, .doc = "min(max(x, min), max); either bound may be none",
      .attrs = {{"min", OV_ATTR_FLOAT, "none"}, {"max", OV_ATTR_FLOAT, "none"}});
UNARY(op_add_scalar, "add_scalar", OV_U_ADD_SCALAR, 0, .doc = "x + value",
      .attrs = {{"value", OV_ATTR_FLOAT, "1"}});
UNARY(op_mul_scalar, "mul_scalar", OV_U_MUL_SCALAR, 0, .doc = "x * value",
      .attrs = {{"value", OV_ATTR_FLOAT, "1"}});
UNARY(op_floor, "floor", OV_U_FLOOR, OV_OP_NO_GRAD, .doc = "round down");
UNARY(op_round, "round", OV_U_ROUND, OV_OP_NO_GRAD, .doc = "round half to even");

/* ---- unary_backward: grad * f'(x) in one pass (internal) ---- */

static int unary_backward_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *g = c->in[0];
    out[0] = ov_empty(g->ndim, g->shape, OV_F32);
    ovKView gi = ov_kview(out[0]), gv = ov_kview(g), xv = ov_kview(c->in[1]), yv = ov_kview(c->in[2]);
    ovUnaryFn f = (ovUnaryFn)c->attr[0].i;
    float p1 = (float)c->attr[1].f, p2 = (float)c->attr[2].f;
    OV_KERNEL(c, ov_kunary_backward, f, &gi, &gv, &xv, &yv, p1, p2);
    return 1;
}

static void unary_backward_check(const ovOpCall *c) {
    if (!ov_same_shape(c->in[0], c->in[1]) || !ov_same_shape(c->in[0], c->in[2]))
        ov_op_fail(c, "grad, x and y must have the same shape");
}

static bool unary_backward_case(int k, ovOpCall *c) {
    if (k >= OV_U_FLOOR * 2) return false; /* every differentiable function, small and large */
    ovUnaryFn f = (ovUnaryFn)(k / 2);
    const int64_t small[] = {5, 7}, big[] = {3, 131, 67};
    int nd = k % 2 ? 3 : 2;
    const int64_t *shape = k % 2 ? big : small;
    c->in[0] = ov_tg_tensor(nd, shape, OV_TG_NORMAL, ov_tg_layout(k), 7 + (uint64_t)k);
    c->in[1] = ov_tg_tensor(nd, shape, unary_domain(f), ov_tg_layout(k + 1), 8 + (uint64_t)k);
    c->in[2] = ov_tg_tensor(nd, shape, OV_TG_POSITIVE, OV_TG_CONTIG, 9 + (uint64_t)k);
    c->attr[0].i = f;
    c->attr[1].f = f == OV_U_SOFTPLUS ? 1.0 : f == OV_U_CLAMP ? -0.5 : 1.5;
    c->attr[2].f = f == OV_U_SOFTPLUS ? 20.0 : f == OV_U_CLAMP ? 0.7 : 2.0;
    return true;
}

static ovOpDef op_unary_backward = {
    .name = "unary_backward",
    .doc = "grad * f'(x) for the unary function fn (y = f(x) is passed for functions that use it)",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"x", OV_ARG_FLOAT, 0}, {"y", OV_ARG_FLOAT, 0}},
    .attrs = {{"fn", OV_ATTR_INT, "0"}, {"p1", OV_ATTR_FLOAT, "0"}, {"p2", OV_ATTR_FLOAT, "0"}},
    .outputs = "grad_x",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA,
    .check = unary_backward_check,
    .forward = unary_backward_forward,
    .make_case = unary_backward_case,
    .fast_tol = 16,
};

/* ================= binary (broadcasting) ================= */

static int binary_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    int64_t shape[OV_MAX_DIMS];
    int nd = ov_broadcast_inputs(c, 3, shape);
    out[0] = ov_empty(nd, shape, OV_F32);
    ovKView o = ov_kview(out[0]), a = ov_kview_bcast(c->in[0], nd, shape), b = ov_kview_bcast(c->in[1], nd, shape);
    OV_KERNEL(c, ov_kbinary, (ovBinaryFn)c->op->code, &o, &a, &b);
    return 1;
}

static void binary_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS];
    ov_broadcast_inputs(c, 3, shape);
}

/* d out / d a and d out / d b as tensors of the output's shape (before reduction to the inputs). */
static void binary_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *g = gout[0], *a = n->call.in[0], *b = n->call.in[1], *y = n->out[0];
    ovTensor *ga = NULL, *gb = NULL;
    switch ((ovBinaryFn)n->call.op->code) {
    case OV_B_ADD: ga = g; gb = g; break;
    case OV_B_SUB: ga = g; gb = ov_neg(g); break;
    case OV_B_MUL: ga = ov_mul(g, b); gb = ov_mul(g, a); break;
    case OV_B_DIV:
        ga = ov_div(g, b);
        gb = ov_neg(ov_mul(g, ov_div(y, b)));
        break;
    case OV_B_POW: {
        /* d/da = b a^(b-1); d/db = a^b log a, taken as 0 where a == 0 and b >= 0 (PyTorch) */
        ga = ov_mul(g, ov_mul(b, ov_pow(a, ov_add_scalar(b, -1.0))));
        if (n->needs_grad[1]) {
            ovTensor *zero = ov_scalar(0.0, OV_F32);
            ovTensor *mask = ov_logical_and(ov_eq(a, zero), ov_ge(b, zero));
            gb = ov_masked_fill(ov_mul(g, ov_mul(y, ov_log(a))), mask, 0.0);
        }
        break;
    }
    case OV_B_MINIMUM:
    case OV_B_MAXIMUM: {
        /* the gradient goes to the chosen side; ties split it in half */
        bool is_min = n->call.op->code == OV_B_MINIMUM;
        ovTensor *wins = ov_to(is_min ? ov_lt(a, b) : ov_gt(a, b), OV_F32);
        ovTensor *ties = ov_mul_scalar(ov_to(ov_eq(a, b), OV_F32), 0.5);
        ovTensor *wa = ov_add(wins, ties);
        ga = ov_mul(g, wa);
        gb = ov_sub(g, ga);
        break;
    }
    default: break;
    }
    if (n->needs_grad[0]) gin[0] = ov_sum_to(ga, a);
    if (n->needs_grad[1] && gb) gin[1] = ov_sum_to(gb, b);
}

/* Cases: same shape, broadcasting both ways, a scalar, and a size above one OpenMP chunk. */
static bool binary_case(int k, ovOpCall *c) {
    static const int64_t sa[][3] = {{3, 5}, {4, 1, 6}, {1, 1, 1}, {130, 131}, {6, 1}};
    static const int64_t sb[][3] = {{3, 5}, {5, 1}, {2, 3}, {130, 131}, {1, 7}};
    static const int na[] = {2, 3, 0, 2, 2}, nb[] = {2, 2, 2, 2, 2};
    if (k >= 5) return false;
    ovBinaryFn f = (ovBinaryFn)c->op->code;
    ovTgDomain da = f == OV_B_POW ? OV_TG_POSITIVE : OV_TG_NORMAL;
    ovTgDomain db = f == OV_B_DIV ? OV_TG_AWAY0 : f == OV_B_POW ? OV_TG_UNIT : OV_TG_NORMAL;
    if (f == OV_B_MINIMUM || f == OV_B_MAXIMUM) da = db = OV_TG_DISTINCT;
    c->in[0] = ov_tg_tensor(na[k], sa[k], da, ov_tg_layout(k), 200 + (uint64_t)k);
    c->in[1] = ov_tg_tensor(nb[k], sb[k], db, ov_tg_layout(k + 1), 300 + (uint64_t)k);
    if ((f == OV_B_MINIMUM || f == OV_B_MAXIMUM) && k == 0) {
        /* shift b by half a step so the two inputs interleave without ties */
        ov_copy_(c->in[1], ov_add_scalar(c->in[1], 0.05));
    }
    return true;
}

#define BINARY(id, opname, fn, doc_)                                                              \
    static ovOpDef id = {.name = opname, .doc = doc_,                                            \
                         .args = {{"a", OV_ARG_FLOAT, 0}, {"b", OV_ARG_FLOAT, 0}},                \
                         .outputs = "out", .flags = OV_OP_CUDA, .code = fn, .check = binary_check, \
                         .forward = binary_forward, .backward = binary_backward,                  \
                         .make_case = binary_case}

BINARY(op_add, "add", OV_B_ADD, "a + b (broadcasting)");
BINARY(op_sub, "sub", OV_B_SUB, "a - b (broadcasting)");
BINARY(op_mul, "mul", OV_B_MUL, "a * b (broadcasting)");
BINARY(op_div, "div", OV_B_DIV, "a / b (broadcasting)");
BINARY(op_pow, "pow", OV_B_POW, "a ^ b (broadcasting)");
BINARY(op_minimum, "minimum", OV_B_MINIMUM, "elementwise min (NaN propagates)");
BINARY(op_maximum, "maximum", OV_B_MAXIMUM, "elementwise max (NaN propagates)");

/* ================= comparisons and logical ops (no gradient) ================= */

static int compare_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    int64_t shape[OV_MAX_DIMS];
    int nd = ov_broadcast_inputs(c, 3, shape);
    out[0] = ov_empty(nd, shape, OV_BOOL);
    /* logical_not is logical_xor with true (a bool scalar on the op's device) */
    ovTensor *rhs = c->n_in > 1 ? c->in[1] : ov_scalar(1, OV_BOOL);
    ovKView o = ov_kview(out[0]), a = ov_kview_bcast(c->in[0], nd, shape), b = ov_kview_bcast(rhs, nd, shape);
    OV_KERNEL(c, ov_kcompare, (ovCompareFn)c->op->code, &o, &a, &b);
    return 1;
}

static bool compare_case(int k, ovOpCall *c) {
    if (k >= 3) return false;
    const int64_t s1[] = {4, 1, 6}, s2[] = {5, 6};
    bool logical = c->op->args[0].kind == OV_ARG_BOOL;
    if (logical) {
        c->in[0] = ov_tg_mask(3, s1, 11 + (uint64_t)k);
        if (c->n_in > 1) c->in[1] = ov_tg_mask(2, s2, 12 + (uint64_t)k);
    } else {
        /* small integers so that equal values occur */
        c->in[0] = ov_round(ov_tg_tensor(3, s1, OV_TG_NORMAL, ov_tg_layout(k), 13 + (uint64_t)k));
        c->in[1] = ov_round(ov_tg_tensor(2, s2, OV_TG_NORMAL, ov_tg_layout(k + 1), 14 + (uint64_t)k));
    }
    return true;
}

#define COMPARE(id, opname, fn, kind, doc_)                                                        \
    static ovOpDef id = {.name = opname, .doc = doc_, .args = {{"a", kind, 0}, {"b", kind, 0}},     \
                         .outputs = "out", .flags = OV_OP_NO_GRAD | OV_OP_CUDA, .code = fn,        \
                         .check = binary_check, .forward = compare_forward,                        \
                         .make_case = compare_case}

COMPARE(op_eq, "eq", OV_C_EQ, OV_ARG_FLOAT, "a == b (bool)");
COMPARE(op_ne, "ne", OV_C_NE, OV_ARG_FLOAT, "a != b (bool)");
COMPARE(op_lt, "lt", OV_C_LT, OV_ARG_FLOAT, "a < b (bool)");
COMPARE(op_le, "le", OV_C_LE, OV_ARG_FLOAT, "a <= b (bool)");
COMPARE(op_gt, "gt", OV_C_GT, OV_ARG_FLOAT, "a > b (bool)");
COMPARE(op_ge, "ge", OV_C_GE, OV_ARG_FLOAT, "a >= b (bool)");
COMPARE(op_logical_and, "logical_and", OV_C_AND, OV_ARG_BOOL, "a and b");
COMPARE(op_logical_or, "logical_or", OV_C_OR, OV_ARG_BOOL, "a or b");
COMPARE(op_logical_xor, "logical_xor", OV_C_XOR, OV_ARG_BOOL, "a xor b");

static ovOpDef op_logical_not = {
    .name = "logical_not", .doc = "not a", .args = {{"a", OV_ARG_BOOL, 0}}, .outputs = "out",
    .flags = OV_OP_NO_GRAD | OV_OP_CUDA, .code = OV_C_XOR, .forward = compare_forward, .make_case = compare_case,
};

/* ================= where and masked_fill ================= */

static void where_run(const ovOpCall *c, ovTensor *out, const ovKView *cv, const ovKView *av, const ovKView *bv) {
    ovKView o = ov_kview(out);
    OV_KERNEL(c, ov_kwhere, &o, cv, av, bv);
}

static int where_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    int64_t shape[OV_MAX_DIMS];
    int nd = ov_broadcast_inputs(c, 7, shape);
    out[0] = ov_empty(nd, shape, OV_F32);
    ovKView cv = ov_kview_bcast(c->in[0], nd, shape), av = ov_kview_bcast(c->in[1], nd, shape),
            bv = ov_kview_bcast(c->in[2], nd, shape);
    where_run(c, out[0], &cv, &av, &bv);
    return 1;
}

static void where_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS];
    ov_broadcast_inputs(c, 7, shape);
}

static void where_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *cond = n->call.in[0], *g = gout[0];
    ovTensor *zero = ov_scalar(0.0, OV_F32);
    if (n->needs_grad[1]) gin[1] = ov_sum_to(ov_where(cond, g, zero), n->call.in[1]);
    if (n->needs_grad[2]) gin[2] = ov_sum_to(ov_where(cond, zero, g), n->call.in[2]);
}

static bool where_case(int k, ovOpCall *c) {
    if (k >= 3) return false;
    const int64_t sc[] = {4, 1, 6}, sa[] = {5, 6}, sb[] = {4, 5, 1};
    c->in[0] = ov_tg_mask(3, sc, 21 + (uint64_t)k);
    c->in[1] = ov_tg_tensor(k == 2 ? 0 : 2, sa, OV_TG_NORMAL, ov_tg_layout(k), 22 + (uint64_t)k);
    c->in[2] = ov_tg_tensor(3, sb, OV_TG_NORMAL, ov_tg_layout(k + 1), 23 + (uint64_t)k);
    return true;
}

static ovOpDef op_where = {
    .name = "where", .doc = "cond ? a : b (broadcasting)",
    .args = {{"cond", OV_ARG_BOOL, 0}, {"a", OV_ARG_FLOAT, 0}, {"b", OV_ARG_FLOAT, 0}},
    .outputs = "out", .flags = OV_OP_CUDA, .check = where_check, .forward = where_forward, .backward = where_backward,
    .make_case = where_case,
};

static void masked_fill_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS];
    int nd = ov_broadcast_inputs(c, 3, shape);
    if (nd != c->in[0]->ndim || memcmp(shape, c->in[0]->shape, sizeof(int64_t) * (size_t)nd) != 0)
        ov_op_fail(c, "mask must broadcast to the shape of x");
}

static int masked_fill_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovTensor *value = ov_scalar(c->attr[0].f, OV_F32); /* on the op's device, broadcast with stride 0 */
    ovKView cv = ov_kview_bcast(c->in[1], x->ndim, x->shape), xv = ov_kview(x);
    ovKView fill = ov_kview_bcast(value, x->ndim, x->shape);
    where_run(c, out[0], &cv, &fill, &xv);
    return 1;
}

static void masked_fill_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    gin[0] = ov_masked_fill(gout[0], n->call.in[1], 0.0);
}

static bool masked_fill_case(int k, ovOpCall *c) {
    if (k >= 3) return false;
    const int64_t sx[] = {4, 5, 6}, sm[] = {5, 1};
    c->in[0] = ov_tg_tensor(3, sx, OV_TG_NORMAL, ov_tg_layout(k), 31 + (uint64_t)k);
    c->in[1] = ov_tg_mask(k == 0 ? 3 : 2, k == 0 ? sx : sm, 32 + (uint64_t)k);
    c->attr[0].f = k == 2 ? -INFINITY : -1.5;
    return true;
}

static ovOpDef op_masked_fill = {
    .name = "masked_fill", .doc = "x with value where mask is true (mask broadcasts to x)",
    .args = {{"x", OV_ARG_FLOAT, 0}, {"mask", OV_ARG_BOOL, 0}},
    .attrs = {{"value", OV_ATTR_FLOAT, "0"}},
    .outputs = "out", .flags = OV_OP_CUDA, .check = masked_fill_check, .forward = masked_fill_forward,
    .backward = masked_fill_backward, .make_case = masked_fill_case,
};

/* ================= table and public API ================= */

ovOpDef *const ov_ops_elementwise[] = {
    &op_neg, &op_abs, &op_exp, &op_log, &op_sqrt, &op_rsqrt, &op_sigmoid, &op_tanh, &op_relu, &op_gelu,
    &op_quick_gelu, &op_silu, &op_softplus, &op_sin, &op_cos, &op_pow_scalar, &op_clamp, &op_add_scalar,
    &op_mul_scalar, &op_floor, &op_round, &op_unary_backward, &op_add, &op_sub, &op_mul, &op_div, &op_pow,
    &op_minimum, &op_maximum, &op_eq, &op_ne, &op_lt, &op_le, &op_gt, &op_ge, &op_logical_and,
    &op_logical_or, &op_logical_xor, &op_logical_not, &op_where, &op_masked_fill, NULL,
};

static ovTensor *call1(ovOpDef *op, ovTensor *x) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    return ov_apply1(&c);
}

static ovTensor *call2(ovOpDef *op, ovTensor *a, ovTensor *b) {
    ovOpCall c = ov_call(op);
    c.in[0] = a;
    c.in[1] = b;
    return ov_apply1(&c);
}

static ovTensor *call1f(ovOpDef *op, ovTensor *x, double v) {
    ovOpCall c = ov_call(op);
    c.in[0] = x;
    c.attr[0].f = v;
    c.attr[0].set = true;
    return ov_apply1(&c);
}

ovTensor *ov_add(ovTensor *a, ovTensor *b) { return call2(&op_add, a, b); }
ovTensor *ov_sub(ovTensor *a, ovTensor *b) { return call2(&op_sub, a, b); }
ovTensor *ov_mul(ovTensor *a, ovTensor *b) { return call2(&op_mul, a, b); }
ovTensor *ov_div(ovTensor *a, ovTensor *b) { return call2(&op_div, a, b); }
ovTensor *ov_pow(ovTensor *a, ovTensor *b) { return call2(&op_pow, a, b); }
ovTensor *ov_minimum(ovTensor *a, ovTensor *b) { return call2(&op_minimum, a, b); }
ovTensor *ov_maximum(ovTensor *a, ovTensor *b) { return call2(&op_maximum, a, b); }
ovTensor *ov_add_scalar(ovTensor *x, double v) { return call1f(&op_add_scalar, x, v); }
ovTensor *ov_mul_scalar(ovTensor *x, double v) { return call1f(&op_mul_scalar, x, v); }
ovTensor *ov_pow_scalar(ovTensor *x, double e) { return call1f(&op_pow_scalar, x, e); }
ovTensor *ov_neg(ovTensor *x) { return call1(&op_neg, x); }
ovTensor *ov_abs(ovTensor *x) { return call1(&op_abs, x); }
ovTensor *ov_exp(ovTensor *x) { return call1(&op_exp, x); }
ovTensor *ov_log(ovTensor *x) { return call1(&op_log, x); }
ovTensor *ov_sqrt(ovTensor *x) { return call1(&op_sqrt, x); }
ovTensor *ov_rsqrt(ovTensor *x) { return call1(&op_rsqrt, x); }
ovTensor *ov_sigmoid(ovTensor *x) { return call1(&op_sigmoid, x); }
ovTensor *ov_tanh(ovTensor *x) { return call1(&op_tanh, x); }
ovTensor *ov_relu(ovTensor *x) { return call1(&op_relu, x); }
ovTensor *ov_quick_gelu(ovTensor *x) { return call1(&op_quick_gelu, x); }
ovTensor *ov_silu(ovTensor *x) { return call1(&op_silu, x); }
ovTensor *ov_sin(ovTensor *x) { return call1(&op_sin, x); }
ovTensor *ov_cos(ovTensor *x) { return call1(&op_cos, x); }
ovTensor *ov_floor(ovTensor *x) { return call1(&op_floor, x); }
ovTensor *ov_round(ovTensor *x) { return call1(&op_round, x); }

ovTensor *ov_gelu(ovTensor *x, bool tanh_approx) {
    ovOpCall c = ov_call(&op_gelu);
    c.in[0] = x;
    c.attr[0].i = tanh_approx;
    return ov_apply1(&c);
}

ovTensor *ov_softplus(ovTensor *x, double beta, double threshold) {
    ovOpCall c = ov_call(&op_softplus);
    c.in[0] = x;
    c.attr[0].f = beta;
    c.attr[1].f = threshold;
    return ov_apply1(&c);
}

ovTensor *ov_clamp(ovTensor *x, double lo, double hi) {
    ovOpCall c = ov_call(&op_clamp);
    c.in[0] = x;
    c.attr[0].set = lo > -INFINITY;
    c.attr[0].f = lo;
    c.attr[1].set = hi < INFINITY;
    c.attr[1].f = hi;
    return ov_apply1(&c);
}

ovTensor *ov_eq(ovTensor *a, ovTensor *b) { return call2(&op_eq, a, b); }
ovTensor *ov_ne(ovTensor *a, ovTensor *b) { return call2(&op_ne, a, b); }
ovTensor *ov_lt(ovTensor *a, ovTensor *b) { return call2(&op_lt, a, b); }
ovTensor *ov_le(ovTensor *a, ovTensor *b) { return call2(&op_le, a, b); }
ovTensor *ov_gt(ovTensor *a, ovTensor *b) { return call2(&op_gt, a, b); }
ovTensor *ov_ge(ovTensor *a, ovTensor *b) { return call2(&op_ge, a, b); }
ovTensor *ov_logical_and(ovTensor *a, ovTensor *b) { return call2(&op_logical_and, a, b); }
ovTensor *ov_logical_or(ovTensor *a, ovTensor *b) { return call2(&op_logical_or, a, b); }
ovTensor *ov_logical_xor(ovTensor *a, ovTensor *b) { return call2(&op_logical_xor, a, b); }
ovTensor *ov_logical_not(ovTensor *a) { return call1(&op_logical_not, a); }

ovTensor *ov_where(ovTensor *cond, ovTensor *a, ovTensor *b) {
    ovOpCall c = ov_call(&op_where);
    c.in[0] = cond;
    c.in[1] = a;
    c.in[2] = b;
    return ov_apply1(&c);
}

ovTensor *ov_masked_fill(ovTensor *x, ovTensor *mask, double value) {
    ovOpCall c = ov_call(&op_masked_fill);
    c.in[0] = x;
    c.in[1] = mask;
    c.attr[0].f = value;
    return ov_apply1(&c);
}

void ov_acc_(ovTensor *dst, ovTensor *src) {
    char a[160], b[160];
    if (dst->dtype != OV_F32 || src->dtype != OV_F32)
        ov_panic("acc_: both tensors must be f32 (%s += %s)", ov_describe(dst, a, sizeof a), ov_describe(src, b, sizeof b));
    ovKView d = ov_kview(dst), s = ov_kview_bcast(src, dst->ndim, dst->shape);
    if (src->ndim > dst->ndim) ov_panic("acc_: %s does not broadcast to %s", ov_describe(src, b, sizeof b), ov_describe(dst, a, sizeof a));
    for (int i = 0; i < src->ndim; i++) {
        int64_t ss = src->shape[i], ds = dst->shape[i + dst->ndim - src->ndim];
        if (ss != ds && ss != 1) ov_panic("acc_: %s does not broadcast to %s", ov_describe(src, b, sizeof b), ov_describe(dst, a, sizeof a));
    }
    if (ov_device(dst) != ov_device(src))
        ov_panic("acc_: %s and %s are on different devices", ov_describe(dst, a, sizeof a), ov_describe(src, b, sizeof b));
    if (ov_device(dst) == OV_DEV_CUDA)
        ov_kbinary_cuda(OV_B_ADD, &d, &d, &s);
    else
        ov_kbinary_fast(OV_B_ADD, &d, &d, &s);
    ov_bump_version(dst);
}
