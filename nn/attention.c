/* attention.c: multi-head attention in the two weight layouts of the backbones:
 * torch.nn.MultiheadAttention (packed in_proj_weight [3E, E], rows Wq, Wk, Wv; OpenMixer's Q-Q
 * mixing and ViCLIP's blocks) and Hugging Face CLIPAttention (q_proj, k_proj, v_proj, out_proj;
 * CLIP-ViP). The maths is F.multi_head_attention_forward's (torch 1.13): project, split heads,
 * softmax(q k^T / sqrt(head_dim) + mask) v, merge heads, out_proj; HF's q * head_dim^-0.5 before
 * the product is the same number.
 *
 * The attention itself goes through ov_sdpa (one fused op with its own backward) unless the mask
 * needs a gradient (OpenMixer's learnable per-head IoF bias: sdpa takes masks without gradient) or
 * dropout applies to the weights; then it is written out with matmul and softmax. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/layers.h"
#include "tensor/error.h"

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovMHA *a = (const ovMHA *)m;
    snprintf(buf, n, "embed_dim=%" PRId64 ", heads=%" PRId64 ", %s%s, dropout=%g", a->embed_dim, a->num_heads,
             a->layout == OV_MHA_PACKED ? "packed in_proj" : "q/k/v_proj", a->batch_first ? ", batch_first" : "",
             a->dropout);
}

ovMHA *ov_mha_new(ovModule *parent, const char *name, int64_t embed_dim, int64_t num_heads, ovMHALayout layout,
                  bool batch_first, double dropout) {
    if (num_heads < 1 || embed_dim % num_heads)
        ov_panic("MultiheadAttention '%s': embed_dim %" PRId64 " is not divisible by num_heads %" PRId64, name, embed_dim,
                 num_heads);
    if (!(dropout >= 0 && dropout < 1)) ov_panic("MultiheadAttention '%s': dropout must be in [0, 1), got %g", name, dropout);
    ovMHA *a = ov_module_new(parent, name, sizeof *a, layout == OV_MHA_PACKED ? "MultiheadAttention" : "CLIPAttention");
    a->m.describe = describe;
    a->embed_dim = embed_dim, a->num_heads = num_heads, a->head_dim = embed_dim / num_heads;
    a->layout = layout, a->batch_first = batch_first, a->dropout = dropout;
    int64_t E = embed_dim;
    if (layout == OV_MHA_PACKED) {
        /* MultiheadAttention._reset_parameters: xavier_uniform in_proj, zero in_proj and out_proj
         * biases; out_proj.weight keeps nn.Linear's default */
        a->in_proj_weight = ov_param(&a->m, "in_proj_weight", OV_SHAPE(3 * E, E));
        a->in_proj_bias = ov_param(&a->m, "in_proj_bias", OV_SHAPE(3 * E));
        ov_init_xavier_uniform(a->in_proj_weight, 1.0, &a->m.init_gen);
        a->out_proj = ov_linear_new(&a->m, "out_proj", E, E, true);
        ov_init_constant(a->out_proj->bias, 0.0);
    } else {
        /* registration order of CLIPAttention.__init__ */
        a->k_proj = ov_linear_new(&a->m, "k_proj", E, E, true);
        a->v_proj = ov_linear_new(&a->m, "v_proj", E, E, true);
        a->q_proj = ov_linear_new(&a->m, "q_proj", E, E, true);
        a->out_proj = ov_linear_new(&a->m, "out_proj", E, E, true);
    }
    return a;
}

/* [.., .., E] in the module's layout -> [B, H, L, head_dim] */
static ovTensor *split_heads(const ovMHA *a, ovTensor *p) {
    ovTensor *v = ov_reshape(p, OV_SHAPE(p->shape[0], p->shape[1], a->num_heads, a->head_dim));
    return ov_permute(v, 4, a->batch_first ? (int64_t[]){0, 2, 1, 3} : (int64_t[]){1, 2, 0, 3});
}

/* Projection `which` (0 q, 1 k, 2 v) of x. */
static ovTensor *project(ovMHA *a, ovTensor *x, int which) {
    if (a->layout == OV_MHA_SEPARATE) {
        ovLinear *l = which == 0 ? a->q_proj : which == 1 ? a->k_proj : a->v_proj;
        return ov_linear_forward(l, x);
    }
    int64_t E = a->embed_dim;
    return ov_linear(x, ov_narrow(a->in_proj_weight, 0, which * E, E), ov_narrow(a->in_proj_bias, 0, which * E, E));
}

static void check_inputs(const ovMHA *a, const ovTensor *q, const ovTensor *k, const ovTensor *v) {
    char d0[160], d1[160], d2[160];
    int bd = a->batch_first ? 0 : 1;
    bool ok = q->ndim == 3 && k->ndim == 3 && v->ndim == 3;
    ok = ok && q->shape[2] == a->embed_dim && k->shape[2] == a->embed_dim && v->shape[2] == a->embed_dim;
    ok = ok && k->shape[bd] == q->shape[bd] && v->shape[bd] == q->shape[bd] && k->shape[1 - bd] == v->shape[1 - bd];
    if (!ok)
        ov_panic("%s: query, key and value must be %s with E = %" PRId64 " and matching batch and key lengths; got "
                 "query %s, key %s, value %s",
                 a->m.type, a->batch_first ? "[B, L, E]" : "[L, B, E]", a->embed_dim, ov_describe(q, d0, sizeof d0),
                 ov_describe(k, d1, sizeof d1), ov_describe(v, d2, sizeof d2));
}

void ov_mha_qkv(ovMHA *a, ovTensor *query, ovTensor *key, ovTensor *value, ovTensor **q, ovTensor **k, ovTensor **v) {
    check_inputs(a, query, key, value);
    if (a->layout == OV_MHA_PACKED && query == key && key == value) {
        /* self-attention: one GEMM against the packed weight, split afterwards */
        ovTensor *p = ov_linear(query, a->in_proj_weight, a->in_proj_bias), *parts[3];
        ov_split(p, 1, (int64_t[]){a->embed_dim}, -1, parts);
        *q = split_heads(a, parts[0]), *k = split_heads(a, parts[1]), *v = split_heads(a, parts[2]);
        return;
    }
    *q = split_heads(a, project(a, query, 0));
    *k = split_heads(a, project(a, key, 1));
    *v = split_heads(a, project(a, value, 2));
}

ovTensor *ov_mha_out(ovMHA *a, ovTensor *ctx) {
    ovTensor *t = ov_permute(ctx, 4, a->batch_first ? (int64_t[]){0, 2, 1, 3} : (int64_t[]){2, 0, 1, 3});
    t = ov_reshape(t, OV_SHAPE(t->shape[0], t->shape[1], a->embed_dim));
    return ov_linear_forward(a->out_proj, t);
}

/* 0 where allowed, -inf where `blocked` (bool) is true, on the mask's device. */
static ovTensor *additive(ovTensor *blocked) {
    ovTensor *z = ov_empty_on(ov_device(blocked), blocked->ndim, blocked->shape, OV_F32);
    ov_fill_(z, 0.0);
    return ov_masked_fill(z, blocked, -INFINITY);
}

/* nn.MultiheadAttention's attn_mask as [B, H or 1, L, S] (or [L, S]) with its meaning unchanged. */
static ovTensor *attn_mask_4d(const ovMHA *a, ovTensor *m, int64_t B, int64_t L, int64_t S) {
    char d[160];
    if (m->dtype != OV_F32 && m->dtype != OV_BOOL)
        ov_panic("%s: attn_mask must be f32 (added) or bool (true = not allowed), got %s", a->m.type, ov_describe(m, d, sizeof d));
    int64_t H = a->num_heads;
    if (m->ndim == 2 && m->shape[0] == L && m->shape[1] == S) return m;
    if (m->ndim == 3 && m->shape[0] == B * H && m->shape[1] == L && m->shape[2] == S) return ov_reshape(m, OV_SHAPE(B, H, L, S));
    if (m->ndim == 4 && m->shape[0] == B && (m->shape[1] == H || m->shape[1] == 1) && m->shape[2] == L && m->shape[3] == S)
        return m;
    ov_panic("%s: attn_mask must be [L, S] = [%" PRId64 ", %" PRId64 "], [B*H, L, S] or [B, H or 1, L, S], got %s",
             a->m.type, L, S, ov_describe(m, d, sizeof d));
}

static ovTensor *padding_mask_4d(const ovMHA *a, ovTensor *m, int64_t B, int64_t S) {
    char d[160];
    if ((m->dtype != OV_F32 && m->dtype != OV_BOOL) || m->ndim != 2 || m->shape[0] != B || m->shape[1] != S)
        ov_panic("%s: key_padding_mask must be [B, S] = [%" PRId64 ", %" PRId64 "], bool (true = ignore) or f32, got %s",
                 a->m.type, B, S, ov_describe(m, d, sizeof d));
    return ov_reshape(m, OV_SHAPE(B, 1, 1, S));
}

/* The attention mask and the key padding mask as one mask for the scores: bool with sdpa's
 * meaning (true = may attend) when both are bool, else additive f32. NULL when there is none. */
static ovTensor *joint_mask(const ovMHA *a, const ovMHAOpts *o, int64_t B, int64_t L, int64_t S) {
    ovTensor *am = o->attn_mask ? attn_mask_4d(a, o->attn_mask, B, L, S) : NULL;
    ovTensor *kp = o->key_padding_mask ? padding_mask_4d(a, o->key_padding_mask, B, S) : NULL;
    if (!am && !kp) return NULL;
    if ((!am || am->dtype == OV_BOOL) && (!kp || kp->dtype == OV_BOOL)) {
        ovTensor *blocked = am && kp ? ov_logical_or(am, kp) : am ? am : kp;
        return ov_logical_not(blocked);
    }
    if (am && am->dtype == OV_BOOL) am = additive(am);
    if (kp && kp->dtype == OV_BOOL) kp = additive(kp);
    return am && kp ? ov_add(am, kp) : am ? am : kp;
}

/* softmax(q k^T / sqrt(d) + mask) with dropout on the weights, written out so the mask gets its
 * gradient. */
static ovTensor *explicit_attention(ovMHA *a, ovTensor *q, ovTensor *k, ovTensor *v, ovTensor *mask, bool causal,
                                    ovTensor **weights) {
    int64_t L = q->shape[2], S = k->shape[2];
    ovTensor *s = ov_matmul(ov_mul_scalar(q, 1.0 / sqrt((double)a->head_dim)), ov_transpose(k, -2, -1));
    if (mask) s = mask->dtype == OV_BOOL ? ov_masked_fill(s, ov_logical_not(mask), -INFINITY) : ov_add(s, mask);
    if (causal) { /* a host [L, S] pattern, copied to the scores' device */
        ovTensor *c = ov_empty_on(OV_DEV_CPU, OV_SHAPE(L, S), OV_BOOL);
        uint8_t *p = ov_data_ptr(c);
        for (int64_t i = 0; i < L; i++)
            for (int64_t j = 0; j < S; j++) p[i * S + j] = j > i;
        s = ov_masked_fill(s, ov_to_device(c, ov_device(s)), -INFINITY);
    }
    ovTensor *p = ov_softmax(s, -1, NULL);
    if (a->m.training && a->dropout > 0) p = ov_dropout(p, a->dropout, true, ov_draw_seed(&a->m.init_gen));
    if (weights) *weights = p;
    return ov_matmul(p, v);
}

ovTensor *ov_mha_forward(ovMHA *a, ovTensor *query, ovTensor *key, ovTensor *value, const ovMHAOpts *o) {
    static const ovMHAOpts none = {0};
    if (!o) o = &none;
    ov_module_enter(&a->m);
    bool unbatched = query->ndim == 2;
    int bd = a->batch_first ? 0 : 1;
    if (unbatched) { /* torch: unsqueeze a batch of one, squeeze it off the results */
        bool self = query == key && key == value;
        query = ov_unsqueeze(query, bd);
        key = self ? query : ov_unsqueeze(key, bd);
        value = self ? query : ov_unsqueeze(value, bd);
    }
    ovTensor *q, *k, *v;
    ov_mha_qkv(a, query, key, value, &q, &k, &v);
    int64_t B = q->shape[0], L = q->shape[2], S = k->shape[2];
    ovMHAOpts oo = *o;
    if (unbatched && oo.key_padding_mask && oo.key_padding_mask->ndim == 1) oo.key_padding_mask = ov_unsqueeze(oo.key_padding_mask, 0);
    ovTensor *mask = joint_mask(a, &oo, B, L, S), *w = NULL, *ctx;
    bool explicit = (a->m.training && a->dropout > 0) || (mask && mask->requires_grad);
    if (explicit)
        ctx = explicit_attention(a, q, k, v, mask, o->is_causal, o->weights ? &w : NULL);
    else
        ctx = ov_sdpa(q, k, v, mask, o->is_causal, 0.0, o->weights ? &w : NULL);
    ovTensor *out = ov_mha_out(a, ctx);
    if (o->weights) {
        if (!o->per_head_weights) w = ov_mean(w, 1, (int64_t[]){1}, false);
        *o->weights = unbatched ? ov_squeeze(w, 0) : w;
    }
    if (unbatched) out = ov_squeeze(out, bd);
    ov_module_leave(&a->m);
    return out;
}
