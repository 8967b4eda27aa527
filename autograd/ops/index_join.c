/* index_join.c: torch.cat and torch.stack, which copy (kernels/cpu/join.c), and torch.split and
 * torch.chunk, which return views of their input, one output per piece. stack is its own op (a
 * cat of the inputs seen with a new size-1 dim) so that it is tested against PyTorch like cat. */
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/index.h"
#include "kernels/cuda/index.h"

/* ================= cat ================= */

/* torch.cat skips 1-D empty tensors whatever the other shapes (a rule PyTorch keeps for old code
 * that concatenated onto torch.tensor([])); they add nothing, so they are simply left out. */
static bool legacy_empty(const ovTensor *t) { return t->ndim == 1 && t->shape[0] == 0; }

/* Output shape of cat; returns the wrapped dim. */
static int cat_shape(const ovOpCall *c, int64_t *shape, int *ndim) {
    const ovTensor *ref = NULL;
    for (int i = 0; i < c->n_in && !ref; i++)
        if (!legacy_empty(c->in[i])) ref = c->in[i];
    if (!ref) ref = c->in[0];
    if (ref->ndim == 0) ov_op_fail(c, "a 0-dim tensor cannot be concatenated (unsqueeze it, or use stack)");
    int d = ov_index_wrap_dim(c, c->attr[0].i, ref->ndim);
    *ndim = ref->ndim;
    memcpy(shape, ref->shape, sizeof(int64_t) * (size_t)ref->ndim);
    shape[d] = 0;
    for (int i = 0; i < c->n_in; i++) {
        const ovTensor *t = c->in[i];
        if (t->dtype != ref->dtype)
            ov_op_fail(c, "tensors.%d is %s but the others are %s (convert with ov_to first)", i,
                       ov_dtype_name(t->dtype), ov_dtype_name(ref->dtype));
        if (legacy_empty(t)) continue;
        if (t->ndim != ref->ndim) ov_op_fail(c, "tensors.%d has %d dims, expected %d", i, t->ndim, ref->ndim);
        for (int k = 0; k < t->ndim; k++)
            if (k != d && t->shape[k] != ref->shape[k])
                ov_op_fail(c, "tensors.%d has size %lld at dim %d where the others have %lld (only dim %d may differ)",
                           i, (long long)t->shape[k], k, (long long)ref->shape[k], d);
        shape[d] += t->shape[d];
    }
    return d;
}

static void cat_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS];
    int nd;
    cat_shape(c, shape, &nd);
}

static int cat_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    int64_t shape[OV_MAX_DIMS];
    int nd, n = 0;
    int d = cat_shape(c, shape, &nd);
    out[0] = ov_empty(nd, shape, c->in[0]->dtype);
    ovKView o = ov_kview(out[0]), ins[OV_MAX_INPUTS];
    for (int i = 0; i < c->n_in; i++)
        if (!legacy_empty(c->in[i])) ins[n++] = ov_kview(c->in[i]);
    OV_KERNEL(c, ov_kcat, &o, n, ins, d);
    return 1;
}

/* Each input's gradient is its window of the output gradient (a view). */
static void cat_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    int64_t shape[OV_MAX_DIMS], start = 0;
    int nd;
    int d = cat_shape(&n->call, shape, &nd);
    ovTensor *g = ov_index_f32(gout[0]);
    for (int i = 0; i < n->call.n_in; i++) {
        ovTensor *t = n->call.in[i];
        if (legacy_empty(t)) continue;
        if (n->needs_grad[i]) gin[i] = ov_narrow(g, d, start, t->shape[d]);
        start += t->shape[d];
    }
}

/* Sets the variadic inputs of a case. */
static void set_inputs(ovOpCall *c, int n, ovTensor **t) {
    c->n_in = n;
    for (int i = 0; i < n; i++) c->in[i] = t[i];
}

/* Cases: a middle dim, negative dims, a 1-D cat with a legacy empty tensor, large contiguous
 * (the parallel block copy) and large strided inputs, and an i64 cat (no gradient). */
static bool cat_case(int k, ovOpCall *c) {
    static const int64_t sh[][3][3] = {
        {{3, 4, 5}, {3, 2, 5}, {3, 7, 5}}, {{5, 3}, {2, 3}}, {{4, 1}, {4, 6}, {4, 9}}, {{7}, {0}, {5}},
        {{3, 50, 130}, {3, 40, 130}},      {{40, 67}, {40, 100}},   {{4, 5}, {4, 3}},
    };
    static const int nin[] = {3, 2, 3, 3, 2, 2, 2}, nd[] = {3, 2, 2, 1, 3, 2, 2}, dims[] = {1, -2, -1, 0, 1, -1, 1};
    if (k >= 7) return false;
    ovTensor *t[3];
    for (int i = 0; i < nin[k]; i++) {
        ovTgLayout lay = k == 4 ? OV_TG_CONTIG : ov_tg_layout(k + i);
        t[i] = k == 6 ? ov_tg_index(nd[k], sh[k][i], 50, 600 + (uint64_t)i)
                      : ov_tg_tensor(nd[k], sh[k][i], OV_TG_NORMAL, lay, 600 + 10 * (uint64_t)k + (uint64_t)i);
    }
    set_inputs(c, nin[k], t);
    c->attr[0].i = dims[k];
    return true;
}

ovOpDef ov_op_cat = {
    .name = "cat", .doc = "concatenates tensors along dim (torch.cat; 1-D empty tensors are skipped)",
    .args = {{"tensors", OV_ARG_ANY, OV_ARG_VARIADIC}}, .attrs = {{"dim", OV_ATTR_INT, "0"}}, .outputs = "out",
    .flags = OV_OP_CUDA, .check = cat_check, .forward = cat_forward, .backward = cat_backward, .make_case = cat_case,
};

/* ================= stack ================= */

/* Output shape of stack; returns the wrapped dim of the new axis. */
static int stack_shape(const ovOpCall *c, int64_t *shape) {
    const ovTensor *ref = c->in[0];
    if (ref->ndim + 1 > OV_MAX_DIMS) ov_op_fail(c, "the result would have more than %d dims", OV_MAX_DIMS);
    int d = ov_index_wrap_dim(c, c->attr[0].i, ref->ndim + 1);
    for (int i = 1; i < c->n_in; i++) {
        const ovTensor *t = c->in[i];
        if (t->dtype != ref->dtype)
            ov_op_fail(c, "tensors.%d is %s but tensors.0 is %s (convert with ov_to first)", i,
                       ov_dtype_name(t->dtype), ov_dtype_name(ref->dtype));
        if (!ov_same_shape(t, ref))
            ov_op_fail(c, "tensors.%d differs in shape from tensors.0 (stack needs equal shapes)", i);
    }
    for (int k = 0, j = 0; k <= ref->ndim; k++) shape[k] = k == d ? c->n_in : ref->shape[j++];
    return d;
}

static void stack_check(const ovOpCall *c) {
    int64_t shape[OV_MAX_DIMS];
    stack_shape(c, shape);
}

static int stack_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    int64_t shape[OV_MAX_DIMS];
    int d = stack_shape(c, shape), nd = c->in[0]->ndim + 1;
    out[0] = ov_empty(nd, shape, c->in[0]->dtype);
    ovKView o = ov_kview(out[0]), ins[OV_MAX_INPUTS];
    for (int i = 0; i < c->n_in; i++) { /* the input with a size-1 dim at d: a cat along d */
        ovKView v = ov_kview(c->in[i]);
        ins[i] = v;
        ins[i].ndim = nd;
        for (int k = 0, j = 0; k < nd; k++) {
            ins[i].shape[k] = k == d ? 1 : v.shape[j];
            ins[i].stride[k] = k == d ? 0 : v.stride[j++];
        }
    }
    OV_KERNEL(c, ov_kcat, &o, c->n_in, ins, d);
    return 1;
}

static void stack_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    int64_t shape[OV_MAX_DIMS];
    int d = stack_shape(&n->call, shape);
    ovTensor *g = ov_index_f32(gout[0]);
    for (int i = 0; i < n->call.n_in; i++)
        if (n->needs_grad[i]) gin[i] = ov_select(g, d, i);
}

/* Cases: new first, last and middle dims, 0-dim inputs, and a large case. */
static bool stack_case(int k, ovOpCall *c) {
    static const int64_t sh[][2] = {{3, 4}, {5, 7}, {2, 9}, {1, 1}, {130, 130}};
    static const int nin[] = {3, 2, 4, 3, 2}, nd[] = {2, 2, 2, 0, 2}, dims[] = {0, -1, 1, 0, 1};
    if (k >= 5) return false;
    ovTensor *t[4];
    for (int i = 0; i < nin[k]; i++)
        t[i] = ov_tg_tensor(nd[k], sh[k], OV_TG_NORMAL, ov_tg_layout(k + i), 650 + 10 * (uint64_t)k + (uint64_t)i);
    set_inputs(c, nin[k], t);
    c->attr[0].i = dims[k];
    return true;
}

ovOpDef ov_op_stack = {
    .name = "stack", .doc = "stacks equal-shape tensors along a new dim (torch.stack)",
    .args = {{"tensors", OV_ARG_ANY, OV_ARG_VARIADIC}}, .attrs = {{"dim", OV_ATTR_INT, "0"}}, .outputs = "out",
    .flags = OV_OP_CUDA, .check = stack_check, .forward = stack_forward, .backward = stack_backward,
    .make_case = stack_case,
};

/* ================= split and chunk ================= */

enum { SP_SIZES = 0, CH_CHUNKS = 0, SP_DIM = 1 };

/* Lengths of the pieces along dim (len has room for OV_MAX_OUTPUTS); returns how many. */
static int split_pieces(const ovOpCall *c, int *dim, int64_t *len) {
    const ovTensor *x = c->in[0];
    if (x->ndim == 0) ov_op_fail(c, "cannot split a 0-dim tensor");
    int d = *dim = ov_index_wrap_dim(c, c->attr[SP_DIM].i, x->ndim);
    int64_t n = x->shape[d], count, size;
    if (c->op == &ov_op_chunk) { /* torch.chunk: pieces of ceil(n / chunks), so maybe fewer pieces */
        int64_t chunks = c->attr[CH_CHUNKS].i;
        if (chunks < 1) ov_op_fail(c, "chunks must be >= 1, got %lld", (long long)chunks);
        size = n ? (n + chunks - 1) / chunks : 0;
        count = n ? (n + size - 1) / size : chunks;
    } else {
        const ovAttrVal *s = &c->attr[SP_SIZES];
        if (s->n == 0) ov_op_fail(c, "sizes is empty");
        if (s->n == 1) { /* one entry: the size of every piece but the last, like torch.split(x, int) */
            size = s->v[0];
            if (size < 1) ov_op_fail(c, "split size must be >= 1, got %lld", (long long)size);
            count = n ? (n + size - 1) / size : 1;
        } else {
            int64_t sum = 0;
            for (int i = 0; i < s->n; i++) {
                if (s->v[i] < 0) ov_op_fail(c, "sizes[%d] is negative (%lld)", i, (long long)s->v[i]);
                sum += s->v[i];
            }
            if (sum != n)
                ov_op_fail(c, "sizes add up to %lld but dim %d has size %lld", (long long)sum, d, (long long)n);
            for (int i = 0; i < s->n; i++) len[i] = s->v[i];
            return s->n;
        }
    }
    if (count > OV_MAX_OUTPUTS)
        ov_op_fail(c, "%lld pieces, more than the %d outputs an op can have (ov_split/ov_chunk handle this)",
                   (long long)count, OV_MAX_OUTPUTS);
    for (int64_t i = 0; i < count; i++) len[i] = n - i * size < size ? n - i * size : size;
    return (int)count;
}

static void split_check(const ovOpCall *c) {
    int64_t len[OV_MAX_OUTPUTS];
    int d;
    split_pieces(c, &d, len);
}

static int split_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t len[OV_MAX_OUTPUTS], shape[OV_MAX_DIMS], start = 0;
    int d, count = split_pieces(c, &d, len);
    memcpy(shape, x->shape, sizeof shape);
    for (int k = 0; k < count; k++) {
        shape[d] = len[k];
        out[k] = ov_view_of(x, x->ndim, shape, x->stride, x->offset + start * x->stride[d]);
        start += len[k];
    }
    return count;
}

/* The pieces' gradients laid back end to end; zeros for pieces that got none. */
static void split_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0], *parts[OV_MAX_OUTPUTS];
    int64_t len[OV_MAX_OUTPUTS], shape[OV_MAX_DIMS];
    int d, count = split_pieces(&n->call, &d, len);
    memcpy(shape, x->shape, sizeof shape);
    for (int k = 0; k < count; k++) {
        shape[d] = len[k];
        parts[k] = gout[k] ? ov_index_f32(gout[k]) : ov_zeros(x->ndim, shape, OV_F32);
    }
    gin[0] = ov_cat(count, parts, d);
}

/* Cases: explicit sizes, a split size with a short last piece, a zero-length piece, a large input. */
static bool split_case(int k, ovOpCall *c) {
    static const int64_t sh[][3] = {{7, 6, 5}, {5, 9}, {4, 10, 3}, {130, 300}};
    static const int nd[] = {3, 2, 3, 2}, dims[] = {0, -1, 1, 1}, ns[] = {3, 1, 3, 1};
    static const int64_t sizes[][3] = {{2, 4, 1}, {4}, {3, 0, 7}, {100}};
    if (k >= 4) return false;
    c->in[0] = ov_tg_tensor(nd[k], sh[k], OV_TG_NORMAL, ov_tg_layout(k), 700 + (uint64_t)k);
    c->attr[SP_SIZES].n = ns[k];
    memcpy(c->attr[SP_SIZES].v, sizes[k], sizeof sizes[k]);
    c->attr[SP_DIM].i = dims[k];
    return true;
}

/* Cases: 7 in 3 (3,3,1), 6 in 4 (only 3 pieces of 2), a negative dim, more chunks than elements. */
static bool chunk_case(int k, ovOpCall *c) {
    static const int64_t sh[][2] = {{7, 5}, {6, 4}, {5, 9}, {3, 2}};
    static const int chunks[] = {3, 4, 2, 5}, dims[] = {0, 0, -1, 1};
    if (k >= 4) return false;
    c->in[0] = ov_tg_tensor(2, sh[k], OV_TG_NORMAL, ov_tg_layout(k), 710 + (uint64_t)k);
    c->attr[CH_CHUNKS].i = chunks[k];
    c->attr[SP_DIM].i = dims[k];
    return true;
}

ovOpDef ov_op_split = {
    .name = "split",
    .doc = "views of consecutive pieces along dim (torch.split): sizes = one split size, or every piece's size",
    .args = {{"x", OV_ARG_ANY, 0}}, .attrs = {{"sizes", OV_ATTR_INTS, NULL}, {"dim", OV_ATTR_INT, "0"}},
    .outputs = "outs...", .flags = OV_OP_VIEW | OV_OP_CUDA, .check = split_check, .forward = split_forward,
    .backward = split_backward, .make_case = split_case,
};

ovOpDef ov_op_chunk = {
    .name = "chunk", .doc = "views of `chunks` near-equal pieces along dim (torch.chunk; may give fewer)",
    .args = {{"x", OV_ARG_ANY, 0}}, .attrs = {{"chunks", OV_ATTR_INT, NULL}, {"dim", OV_ATTR_INT, "0"}},
    .outputs = "outs...", .flags = OV_OP_VIEW | OV_OP_CUDA, .check = split_check, .forward = split_forward,
    .backward = split_backward, .make_case = chunk_case,
};

/* ================= public API ================= */

ovTensor *ov_cat(int n, ovTensor **ts, int dim) {
    if (n < 1) ov_panic("cat: no tensors to concatenate");
    if (n > OV_MAX_INPUTS) { /* more tensors than one call takes: concatenate the halves */
        int h = n / 2;
        ovTensor *two[2] = {ov_cat(h, ts, dim), ov_cat(n - h, ts + h, dim)};
        return ov_cat(2, two, dim);
    }
    ovOpCall c = ov_call(&ov_op_cat);
    set_inputs(&c, n, ts);
    c.attr[0].i = dim;
    return ov_apply1(&c);
}

ovTensor *ov_stack(int n, ovTensor **ts, int dim) {
    if (n < 1) ov_panic("stack: no tensors to stack");
    if (n > OV_MAX_INPUTS) { /* stack the halves, then join them along the new dim */
        int h = n / 2;
        ovTensor *two[2] = {ov_stack(h, ts, dim), ov_stack(n - h, ts + h, dim)};
        return ov_cat(2, two, dim);
    }
    ovOpCall c = ov_call(&ov_op_stack);
    set_inputs(&c, n, ts);
    c.attr[0].i = dim;
    return ov_apply1(&c);
}

/* Pieces as separate narrow views, for more pieces than one op call can return. */
static int split_by_narrow(ovTensor *x, int dim, int count, const int64_t *len, ovTensor **out) {
    int64_t start = 0;
    for (int k = 0; k < count; k++) {
        out[k] = ov_narrow(x, dim, start, len[k]);
        start += len[k];
    }
    return count;
}

int ov_split(ovTensor *x, int n_sizes, const int64_t *sizes, int dim, ovTensor **out) {
    int d = ov_wrap_dim(dim, x->ndim, "split");
    int64_t n = x->ndim ? x->shape[d] : 0;
    if (n_sizes > OV_MAX_INTS) {
        int64_t sum = 0;
        for (int i = 0; i < n_sizes; i++) sum += sizes[i];
        if (sum != n) ov_panic("split: sizes add up to %lld but dim %d has size %lld", (long long)sum, d, (long long)n);
        return split_by_narrow(x, d, n_sizes, sizes, out);
    }
    if (n_sizes == 1 && sizes[0] >= 1 && (n + sizes[0] - 1) / sizes[0] > OV_MAX_OUTPUTS) {
        int count = (int)((n + sizes[0] - 1) / sizes[0]);
        for (int k = 0; k < count; k++) {
            int64_t l = n - k * sizes[0] < sizes[0] ? n - k * sizes[0] : sizes[0];
            out[k] = ov_narrow(x, d, k * sizes[0], l);
        }
        return count;
    }
    ovOpCall c = ov_call(&ov_op_split);
    c.in[0] = x;
    c.attr[SP_SIZES].n = n_sizes;
    c.attr[SP_SIZES].set = true;
    for (int i = 0; i < n_sizes; i++) c.attr[SP_SIZES].v[i] = sizes[i];
    c.attr[SP_DIM].i = dim;
    return ov_apply(&c, out);
}

int ov_chunk(ovTensor *x, int chunks, int dim, ovTensor **out) {
    int d = ov_wrap_dim(dim, x->ndim, "chunk");
    int64_t n = x->ndim ? x->shape[d] : 0;
    if (chunks > OV_MAX_OUTPUTS && n > 0) {
        int64_t size = (n + chunks - 1) / chunks;
        if ((n + size - 1) / size > OV_MAX_OUTPUTS) return ov_split(x, 1, &size, d, out);
    }
    ovOpCall c = ov_call(&ov_op_chunk);
    c.in[0] = x;
    c.attr[CH_CHUNKS].i = chunks;
    c.attr[SP_DIM].i = dim;
    return ov_apply(&c, out);
}
