/* dropout.c: op-table entry of torch.nn.functional.dropout (inverted dropout). The keep mask of
 * element i (row-major index) is ov_philox_uniform_at(seed, 0, i) >= p (kernels/philox.h), so the
 * backward pass is the same dropout applied to the gradient: the mask is regenerated from the
 * seed, never stored, and a CUDA kernel reproduces it bit for bit. train = false or p = 0 is the
 * identity. PyTorch draws its masks differently, so only those cases compare with it. */
#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/dropout.h"
#include "kernels/cuda/dropout.h"

enum { A_P, A_TRAIN, A_SEED };

static void dropout_check(const ovOpCall *c) {
    double p = c->attr[A_P].f;
    if (!(p >= 0 && p <= 1)) ov_op_fail(c, "p must be in [0, 1], got %g", p);
}

/* The probability actually applied: 0 when not training. */
static double active_p(const ovOpCall *c) { return c->attr[A_TRAIN].i ? c->attr[A_P].f : 0.0; }

static int dropout_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    out[0] = ov_empty(x->ndim, x->shape, OV_F32);
    ovKView y = ov_kview(out[0]), xv = ov_kview(x);
    uint64_t seed = (uint64_t)c->attr[A_SEED].i;
    OV_KERNEL(c, ov_kdropout, &y, &xv, active_p(c), seed);
    return 1;
}

static void dropout_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    const ovOpCall *c = &n->call;
    gin[0] = ov_dropout(gout[0], c->attr[A_P].f, c->attr[A_TRAIN].i, (uint64_t)c->attr[A_SEED].i);
}

/* Cases: p = 0.5 and 0.2 in training (contiguous, transposed, strided), p = 0, eval mode, a 0-dim
 * tensor, rows not aligned to Philox's blocks of 4, and a large one for the threads. */
static bool dropout_case(int k, ovOpCall *c) {
    static const int64_t shapes[][3] = {{3, 4, 5}, {6, 7}, {5, 3, 9}, {4, 5}, {4, 5}, {0}, {7, 3}, {40, 1000}};
    static const int nds[] = {3, 2, 3, 2, 2, 0, 2, 2};
    static const double ps[] = {0.5, 0.2, 0.5, 0.0, 0.5, 0.3, 0.7, 0.1};
    if (k >= 8) return false;
    c->in[0] = ov_tg_tensor(nds[k], shapes[k], OV_TG_NORMAL, ov_tg_layout(k), 3000 + (uint64_t)k);
    c->attr[A_P].f = ps[k];
    c->attr[A_TRAIN].i = k != 4;
    c->attr[A_SEED].i = 1234 + k;
    return true;
}

static ovOpDef op_dropout = {
    .name = "dropout",
    .doc = "inverted dropout with a Philox(seed) mask: x * (u_i >= p) / (1 - p) when train, else x",
    .args = {{"x", OV_ARG_FLOAT, 0}},
    .attrs = {{"p", OV_ATTR_FLOAT, "0.5"}, {"train", OV_ATTR_BOOL, "true"}, {"seed", OV_ATTR_INT, "0"}},
    .outputs = "out",
    .flags = OV_OP_RANDOM | OV_OP_CUDA,
    .check = dropout_check,
    .forward = dropout_forward,
    .backward = dropout_backward,
    .make_case = dropout_case,
};

ovOpDef *const ov_ops_dropout[] = {&op_dropout, NULL};

ovTensor *ov_dropout(ovTensor *x, double p, bool train, uint64_t seed) {
    ovOpCall c = ov_call(&op_dropout);
    c.in[0] = x;
    c.attr[A_P].f = p;
    c.attr[A_TRAIN].i = train;
    c.attr[A_SEED].i = (int64_t)seed;
    return ov_apply1(&c);
}
