/* attention.c: op-table entries of the attention family: sdpa, scaled dot-product attention like
 * torch.nn.functional.scaled_dot_product_attention (torch 2.x, math path), returning the attention
 * weights as a second output so they can be inspected, dumped and differentiated, and its fused
 * backward as the internal op sdpa_backward. Used by the CLIP/ViCLIP transformers (causal plus
 * padding masks for text) and by OpenMixer's attention with an additive IoF bias.
 * Unlike torch, is_causal and a mask may be given together: both apply. */
#include <math.h>
#include <string.h>

#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/rowview.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/attention.h"
#include "kernels/cuda/attention.h"

enum { A_CAUSAL, A_SCALE };
enum { I_Q, I_K, I_V, I_MASK };

static float resolve_scale(const ovOpCall *c, int64_t E) {
    double s = c->attr[A_SCALE].f;
    return (float)(s > 0 ? s : 1.0 / sqrt((double)(E ? E : 1)));
}

static bool same_batch(const ovTensor *a, const ovTensor *b) {
    if (a->ndim != b->ndim) return false;
    for (int d = 0; d < a->ndim - 2; d++)
        if (a->shape[d] != b->shape[d]) return false;
    return true;
}

/* q [...,L,E], k [...,S,E], v [...,S,Ev] with one batch shape; the shape of the weights [...,L,S]. */
static int check_qkv(const ovOpCall *c, const ovTensor *q, const ovTensor *k, const ovTensor *v, int64_t *pshape) {
    int nd = q->ndim;
    if (nd < 2) ov_op_fail(c, "q, k and v need at least 2 dims ([..., L, E])");
    if (!same_batch(q, k) || !same_batch(q, v)) ov_op_fail(c, "q, k and v must have the same number of dims and batch dims");
    if (k->shape[nd - 1] != q->shape[nd - 1]) ov_op_fail(c, "q and k must have the same last dim (E)");
    if (k->shape[nd - 2] != v->shape[nd - 2]) ov_op_fail(c, "k and v must have the same length (S)");
    memcpy(pshape, q->shape, sizeof(int64_t) * (size_t)nd);
    pshape[nd - 1] = k->shape[nd - 2];
    return nd;
}

static void sdpa_check(const ovOpCall *c) {
    int64_t ps[OV_MAX_DIMS];
    int nd = check_qkv(c, c->in[I_Q], c->in[I_K], c->in[I_V], ps);
    const ovTensor *m = c->in[I_MASK];
    if (!m) return;
    if (m->dtype != OV_F32 && m->dtype != OV_BOOL) ov_op_fail(c, "mask must be f32 (additive) or bool (true = may attend)");
    bool ok = m->ndim <= nd;
    for (int d = 0; ok && d < m->ndim; d++) {
        int64_t s = m->shape[m->ndim - 1 - d];
        ok = s == 1 || s == ps[nd - 1 - d];
    }
    if (!ok) {
        char s[128];
        ov_op_fail(c, "mask must broadcast to the attention weights' shape %s", ov_shape_str(nd, ps, s, sizeof s));
    }
}

/* The mask as an additive f32 tensor (a bool mask becomes 0 where true, -inf where false). */
static ovTensor *additive_mask(ovTensor *m) {
    if (!m || m->dtype == OV_F32) return m;
    ovTensor *b = ov_raw_contiguous(m), *f = ov_empty(m->ndim, m->shape, OV_F32);
    const uint8_t *src = ov_data_ptr(b);
    float *dst = ov_f32(f);
    for (int64_t i = 0; i < ov_numel(f); i++) dst[i] = src[i] ? 0.0f : -INFINITY;
    return f;
}

static int sdpa_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *q = ov_raw_contiguous(c->in[I_Q]), *k = ov_raw_contiguous(c->in[I_K]), *v = ov_raw_contiguous(c->in[I_V]);
    int64_t ps[OV_MAX_DIMS], os[OV_MAX_DIMS];
    int nd = check_qkv(c, q, k, v, ps);
    memcpy(os, q->shape, sizeof os);
    os[nd - 1] = v->shape[nd - 1];
    out[0] = ov_empty(nd, os, OV_F32);
    out[1] = ov_empty(nd, ps, OV_F32);
    /* the device applies a bool mask as it reads the scores */
    ovTensor *m = c->impl == OV_IMPL_CUDA ? c->in[I_MASK] : additive_mask(c->in[I_MASK]);
    ovKView ov = ov_kview(out[0]), pv = ov_kview(out[1]), qv = ov_kview(q), kv = ov_kview(k), vv = ov_kview(v), mv;
    if (m) mv = ov_kview_bcast(m, nd, ps);
    float scale = resolve_scale(c, q->shape[nd - 1]);
    bool causal = c->attr[A_CAUSAL].i;
    OV_KERNEL(c, ov_ksdpa, &ov, &pv, &qv, &kv, &vv, m ? &mv : NULL, causal, scale);
    return 2;
}

static ovOpDef op_sdpa_backward;

static void sdpa_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovOpCall b = ov_call(&op_sdpa_backward);
    b.in[0] = gout[0];
    b.in[1] = gout[1];
    b.in[2] = n->call.in[I_Q];
    b.in[3] = n->call.in[I_K];
    b.in[4] = n->call.in[I_V];
    b.in[5] = n->out[1];
    const ovTensor *q = n->call.in[I_Q];
    b.attr[0].f = resolve_scale(&n->call, q->shape[q->ndim - 1]);
    ovTensor *res[OV_MAX_OUTPUTS];
    ov_apply(&b, res);
    for (int i = 0; i < 3; i++)
        if (n->needs_grad[i]) gin[i] = res[i];
}

/* A mask for the tests: f32 N(0,1) (with -inf on a diagonal pattern when neg_inf) or bool with
 * the same pattern as false; the pattern never covers a whole row of length >= 3. */
static ovTensor *tg_attn_mask(int nd, const int64_t *shape, int kind, uint64_t seed) {
    ovTensor *m = ov_tg_tensor(nd, shape, OV_TG_NORMAL, OV_TG_CONTIG, seed);
    float *p = ov_f32(m);
    int64_t n = ov_numel(m);
    for (int64_t i = 0; i < n && kind; i++) {
        int64_t r = i, s = 0;
        for (int d = nd - 1; d >= 0; d--) {
            s += r % shape[d];
            r /= shape[d];
        }
        p[i] = s % 3 == 1 ? (kind == 2 ? 0.0f : -INFINITY) : (kind == 2 ? 1.0f : p[i]);
    }
    if (kind != 2) return m;
    ovTensor *b = ov_empty(nd, shape, OV_BOOL);
    ov_copy_(b, m);
    return b;
}

/* Cases: no mask with L != S and E != Ev; a float -inf mask and a bool padding mask broadcast over
 * batch dims; causal with a custom scale; causal plus a finite float mask; a large one; 2-D; keys
 * longer than a warp takes on the device, with a bool mask. */
static bool sdpa_case(int k, ovOpCall *c) {
    static const int64_t L[] = {5, 6, 5, 9, 5, 96, 4, 3}, S[] = {7, 6, 7, 9, 5, 100, 5, 1100},
                         E[] = {8, 4, 8, 6, 3, 32, 3, 4}, Ev[] = {6, 4, 8, 5, 7, 24, 2, 3};
    static const int nbatch[] = {1, 2, 2, 1, 2, 2, 0, 1};
    static const int64_t batch[][2] = {{2}, {2, 3}, {2, 3}, {3}, {2, 2}, {2, 2}, {0}, {2}};
    if (k >= 8) return false;
    int nd = nbatch[k] + 2;
    int64_t qs[4], ks[4], vs[4];
    for (int i = 0; i < nbatch[k]; i++) qs[i] = ks[i] = vs[i] = batch[k][i];
    qs[nd - 2] = L[k], qs[nd - 1] = E[k];
    ks[nd - 2] = S[k], ks[nd - 1] = E[k];
    vs[nd - 2] = S[k], vs[nd - 1] = Ev[k];
    c->in[I_Q] = ov_tg_tensor(nd, qs, OV_TG_NORMAL, ov_tg_layout(k), 2000 + (uint64_t)k);
    c->in[I_K] = ov_tg_tensor(nd, ks, OV_TG_NORMAL, ov_tg_layout(k + 1), 2100 + (uint64_t)k);
    c->in[I_V] = ov_tg_tensor(nd, vs, OV_TG_NORMAL, ov_tg_layout(k + 2), 2200 + (uint64_t)k);
    if (k == 1) c->in[I_MASK] = tg_attn_mask(2, (int64_t[]){L[k], S[k]}, 1, 2300);
    if (k == 2) c->in[I_MASK] = tg_attn_mask(4, (int64_t[]){2, 1, 1, S[k]}, 2, 2301);
    if (k == 4) c->in[I_MASK] = tg_attn_mask(3, (int64_t[]){2, L[k], S[k]}, 0, 2302);
    if (k == 7) c->in[I_MASK] = tg_attn_mask(2, (int64_t[]){1, S[k]}, 2, 2303);
    c->attr[A_CAUSAL].i = k == 3 || k == 4;
    if (k == 3 || k == 6) c->attr[A_SCALE].f = 0.3;
    return true;
}

static ovOpDef op_sdpa = {
    .name = "sdpa",
    .doc = "softmax(q k^T * scale + mask) v and the weights; mask f32 additive or bool (true = attend)",
    .args = {{"q", OV_ARG_FLOAT, 0}, {"k", OV_ARG_FLOAT, 0}, {"v", OV_ARG_FLOAT, 0},
             {"mask", OV_ARG_ANY, OV_ARG_OPTIONAL | OV_ARG_NO_GRAD}},
    .attrs = {{"is_causal", OV_ATTR_BOOL, "false"}, {"scale", OV_ATTR_FLOAT, "0"}},
    .outputs = "out,weights",
    .flags = OV_OP_CUDA,
    .check = sdpa_check,
    .forward = sdpa_forward,
    .backward = sdpa_backward,
    .make_case = sdpa_case,
    .fast_tol = 64,
};

/* ---- sdpa_backward (internal) ---- */

static void sdpa_backward_check(const ovOpCall *c) {
    int64_t ps[OV_MAX_DIMS];
    const ovTensor *q = c->in[2], *v = c->in[4], *go = c->in[0], *gp = c->in[1], *p = c->in[5];
    int nd = check_qkv(c, q, c->in[3], v, ps);
    if (p->ndim != nd || memcmp(p->shape, ps, sizeof(int64_t) * (size_t)nd)) ov_op_fail(c, "weights must be [..., L, S]");
    if (gp && !ov_same_shape(gp, p)) ov_op_fail(c, "grad_weights must have the weights' shape");
    if (go && (go->ndim != nd || !same_batch(go, q) || go->shape[nd - 2] != q->shape[nd - 2] ||
               go->shape[nd - 1] != v->shape[nd - 1]))
        ov_op_fail(c, "grad_out must be [..., L, Ev]");
    if (!go && !gp) ov_op_fail(c, "needs grad_out or grad_weights");
}

static int sdpa_backward_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *go = ov_raw_contiguous(c->in[0]), *gp = ov_raw_contiguous(c->in[1]), *q = ov_raw_contiguous(c->in[2]),
             *k = ov_raw_contiguous(c->in[3]), *v = ov_raw_contiguous(c->in[4]), *p = ov_raw_contiguous(c->in[5]);
    out[0] = ov_empty(q->ndim, q->shape, OV_F32);
    out[1] = ov_empty(k->ndim, k->shape, OV_F32);
    out[2] = ov_empty(v->ndim, v->shape, OV_F32);
    ovKView dq = ov_kview(out[0]), dk = ov_kview(out[1]), dv = ov_kview(out[2]), qv = ov_kview(q), kv = ov_kview(k),
            vv = ov_kview(v), pv = ov_kview(p), gov, gpv;
    if (go) gov = ov_kview(go);
    if (gp) gpv = ov_kview(gp);
    float scale = (float)c->attr[0].f;
    OV_KERNEL(c, ov_ksdpa_backward, &dq, &dk, &dv, go ? &gov : NULL, gp ? &gpv : NULL, &qv, &kv, &vv, &pv, scale);
    return 3;
}

/* Cases: both gradients, only grad_out, only grad_weights; batch dims, strided inputs, a large one,
 * and long key rows. */
static bool sdpa_backward_case(int k, ovOpCall *c) {
    static const int64_t L[] = {5, 6, 7, 64, 3}, S[] = {7, 6, 3, 80, 1100}, E[] = {8, 4, 5, 32, 4},
                         Ev[] = {6, 4, 9, 16, 3};
    if (k >= 5) return false;
    int64_t qs[] = {2, 3, L[k], E[k]}, ks[] = {2, 3, S[k], E[k]}, vs[] = {2, 3, S[k], Ev[k]};
    int64_t os[] = {2, 3, L[k], Ev[k]}, ps[] = {2, 3, L[k], S[k]};
    c->in[0] = k == 2 ? NULL : ov_tg_tensor(4, os, OV_TG_NORMAL, ov_tg_layout(k), 2400 + (uint64_t)k);
    c->in[1] = k == 1 ? NULL : ov_tg_tensor(4, ps, OV_TG_NORMAL, ov_tg_layout(k + 1), 2500 + (uint64_t)k);
    c->in[2] = ov_tg_tensor(4, qs, OV_TG_NORMAL, ov_tg_layout(k + 2), 2600 + (uint64_t)k);
    c->in[3] = ov_tg_tensor(4, ks, OV_TG_NORMAL, OV_TG_CONTIG, 2700 + (uint64_t)k);
    c->in[4] = ov_tg_tensor(4, vs, OV_TG_NORMAL, ov_tg_layout(k), 2800 + (uint64_t)k);
    c->in[5] = ov_softmax(ov_tg_tensor(4, ps, OV_TG_NORMAL, OV_TG_CONTIG, 2900 + (uint64_t)k), -1, NULL);
    c->attr[0].f = 0.25 + 0.1 * k;
    return true;
}

static ovOpDef op_sdpa_backward = {
    .name = "sdpa_backward",
    .doc = "gradients of sdpa for q, k, v from grad_out and/or grad_weights and the weights",
    .args = {{"grad_out", OV_ARG_FLOAT, OV_ARG_OPTIONAL}, {"grad_weights", OV_ARG_FLOAT, OV_ARG_OPTIONAL},
             {"q", OV_ARG_FLOAT, 0}, {"k", OV_ARG_FLOAT, 0}, {"v", OV_ARG_FLOAT, 0}, {"weights", OV_ARG_FLOAT, 0}},
    .attrs = {{"scale", OV_ATTR_FLOAT, "1"}},
    .outputs = "grad_q,grad_k,grad_v",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA,
    .check = sdpa_backward_check,
    .forward = sdpa_backward_forward,
    .make_case = sdpa_backward_case,
    .fast_tol = 64,
};

ovOpDef *const ov_ops_attention[] = {&op_sdpa, &op_sdpa_backward, NULL};

ovTensor *ov_sdpa(ovTensor *q, ovTensor *k, ovTensor *v, ovTensor *mask, bool is_causal, double scale,
                  ovTensor **weights) {
    ovOpCall c = ov_call(&op_sdpa);
    c.in[I_Q] = q;
    c.in[I_K] = k;
    c.in[I_V] = v;
    c.in[I_MASK] = mask;
    c.attr[A_CAUSAL].i = is_causal;
    c.attr[A_SCALE].f = scale;
    ovTensor *out[OV_MAX_OUTPUTS];
    ov_apply(&c, out);
    if (weights) *weights = out[1];
    return out[0];
}
