/* text.c: the CLIP text transformer (OpenAI CLIP's `CLIP.encode_text`, ViCLIP's CLIP_TEXT, Hugging
 * Face's CLIPTextTransformer + CLIPModel.get_text_features) in its two checkpoint layouts; see
 * text.h for the key names. The forward is
 *     x = token_embedding[ids] + position[:L]
 *     x = x + attn(ln_1(x), causal [+ padding]);  x = x + mlp(ln_2(x))      (each block)
 *     tokens = ln_final(x);  pooled = tokens[b, argmax(ids[b])];  features = pooled @ P
 * and the same parameters give the same numbers in both layouts (HF's q * head_dim^-0.5 and its
 * finfo.min masks equal torch's scaled scores and -inf masks after the softmax). */
#include "models/text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/init.h"
#include "tensor/error.h"

const ovTextCfg OV_TEXT_VICLIP_B16 = {OV_TEXT_OPENAI, 49408, 32, 512, 12, 8, 512, 0, 0};
const ovTextCfg OV_TEXT_CLIP_B16 = {OV_TEXT_OPENAI, 49408, 77, 512, 12, 8, 512, 0, 0};
const ovTextCfg OV_TEXT_CLIPVIP_B16 = {OV_TEXT_HF, 49408, 77, 512, 12, 8, 512, 0, 0};

static double eps_of(const ovTextCfg *c) { return c->eps > 0 ? c->eps : 1e-5; }
static int64_t mlp_of(const ovTextCfg *c) { return c->mlp > 0 ? c->mlp : 4 * c->width; }

/* OpenAI CLIP's initialize_parameters (the block part) or HF CLIPPreTrainedModel._init_weights. */
static void init_block(ovTextBlock *b, const ovTextCfg *c) {
    double W = (double)c->width, L = (double)c->layers;
    double attn_std = 1 / sqrt(W), proj_std = attn_std / sqrt(2 * L), fc_std = 1 / sqrt(2 * W);
    if (c->layout == OV_TEXT_OPENAI) {
        ov_init_normal(b->attn->in_proj_weight, 0, attn_std, &b->attn->m.init_gen);
        ov_init_normal(b->attn->out_proj->weight, 0, proj_std, &b->attn->m.init_gen);
        ov_init_normal(b->mlp->fc1->weight, 0, fc_std, &b->mlp->m.init_gen);
        ov_init_normal(b->mlp->fc2->weight, 0, proj_std, &b->mlp->m.init_gen);
        return;
    }
    ovLinear *qkv[3] = {b->attn->q_proj, b->attn->k_proj, b->attn->v_proj};
    for (int i = 0; i < 3; i++) ov_init_normal(qkv[i]->weight, 0, proj_std, &b->attn->m.init_gen);
    ov_init_normal(b->attn->out_proj->weight, 0, attn_std, &b->attn->m.init_gen);
    ov_init_normal(b->mlp->fc1->weight, 0, fc_std, &b->mlp->m.init_gen);
    ov_init_normal(b->mlp->fc2->weight, 0, proj_std, &b->mlp->m.init_gen);
    ovLinear *all[6] = {qkv[0], qkv[1], qkv[2], b->attn->out_proj, b->mlp->fc1, b->mlp->fc2};
    for (int i = 0; i < 6; i++) ov_init_constant(all[i]->bias, 0); /* HF zeroes every Linear bias */
}

static ovTextBlock *block_new(ovModule *parent, int i, const ovTextCfg *c) {
    char name[16];
    snprintf(name, sizeof name, "%d", i);
    bool openai = c->layout == OV_TEXT_OPENAI;
    ovTextBlock *b = ov_module_new(parent, name, sizeof *b, openai ? "ResidualAttentionBlock" : "CLIPEncoderLayer");
    int64_t W = c->width;
    ovMLPCfg mc = {.fc1 = openai ? "c_fc" : "fc1", .fc2 = openai ? "c_proj" : "fc2", .act = OV_ACT_QUICK_GELU};
    /* registration order of ResidualAttentionBlock / CLIPEncoderLayer.__init__ */
    b->attn = ov_mha_new(&b->m, openai ? "attn" : "self_attn", W, c->heads, openai ? OV_MHA_PACKED : OV_MHA_SEPARATE, true,
                         0.0);
    b->ln1 = ov_layer_norm_new(&b->m, openai ? "ln_1" : "layer_norm1", OV_SHAPE(W), eps_of(c), true);
    b->mlp = ov_mlp_new(&b->m, "mlp", W, mlp_of(c), W, &mc);
    b->ln2 = ov_layer_norm_new(&b->m, openai ? "ln_2" : "layer_norm2", OV_SHAPE(W), eps_of(c), true);
    init_block(b, c);
    return b;
}

/* Panics (before anything is allocated) on a configuration that does not make sense. */
static void check_cfg(const ovTextCfg *c) {
    if (c->vocab < 1 || c->context < 1 || c->width < 1 || c->layers < 0 || c->embed_dim < 1 || c->heads < 1 ||
        c->width % c->heads || c->layers > OV_TEXT_MAX_LAYERS || (unsigned)c->layout > OV_TEXT_HF)
        ov_panic("text encoder: bad configuration (vocab %" PRId64 ", context %" PRId64 ", width %" PRId64 ", layers %" PRId64
                 ", heads %" PRId64 ", embed_dim %" PRId64 "): sizes must be positive, width divisible by heads, at most %d layers",
                 c->vocab, c->context, c->width, c->layers, c->heads, c->embed_dim, OV_TEXT_MAX_LAYERS);
}

void ov_text_build(ovTextEncoder *te, ovModule *at, const ovTextCfg *cfg) {
    const ovTextCfg *c = cfg;
    check_cfg(c);
    memset(te, 0, sizeof *te);
    te->cfg = *c;
    te->root = at;
    int64_t W = c->width, C = c->context;
    ovModule *body, *stack;
    if (c->layout == OV_TEXT_OPENAI) {
        /* CLIP.__init__ order: transformer, token_embedding, positional_embedding, ln_final, text_projection */
        body = at;
        ovModule *tr = ov_module_new(at, "transformer", sizeof(ovModule), "Transformer");
        stack = ov_module_new(tr, "resblocks", sizeof(ovModule), "Sequential");
    } else {
        body = ov_module_new(at, "text_model", sizeof(ovModule), "CLIPTextTransformer");
        ovModule *emb = ov_module_new(body, "embeddings", sizeof(ovModule), "CLIPTextEmbeddings");
        te->token_embedding = ov_embedding_new(emb, "token_embedding", c->vocab, W);
        te->position_embedding = ov_embedding_new(emb, "position_embedding", C, W);
        ov_init_normal(te->token_embedding->weight, 0, 0.02, &te->token_embedding->m.init_gen);
        ov_init_normal(te->position_embedding->weight, 0, 0.02, &te->position_embedding->m.init_gen);
        ov_scope_begin();
        te->position_ids = ov_buffer(emb, "position_ids", ov_reshape(ov_arange(0, (double)C, 1, OV_I64), OV_SHAPE(1, C)));
        ov_scope_end();
        ovModule *enc = ov_module_new(body, "encoder", sizeof(ovModule), "CLIPEncoder");
        stack = ov_module_new(enc, "layers", sizeof(ovModule), "ModuleList");
    }
    for (int i = 0; i < c->layers; i++) te->blocks[i] = block_new(stack, i, c);
    if (c->layout == OV_TEXT_OPENAI) {
        te->token_embedding = ov_embedding_new(at, "token_embedding", c->vocab, W);
        ov_init_normal(te->token_embedding->weight, 0, 0.02, &te->token_embedding->m.init_gen);
        te->positional_embedding = ov_param(at, "positional_embedding", OV_SHAPE(C, W));
        ov_init_normal(te->positional_embedding, 0, 0.01, &at->init_gen);
        te->ln_final = ov_layer_norm_new(at, "ln_final", OV_SHAPE(W), eps_of(c), true);
        te->text_projection = ov_param(at, "text_projection", OV_SHAPE(W, c->embed_dim));
        ov_init_normal(te->text_projection, 0, 1 / sqrt((double)W), &at->init_gen);
    } else {
        te->ln_final = ov_layer_norm_new(body, "final_layer_norm", OV_SHAPE(W), eps_of(c), true);
        te->projection = ov_linear_new(at, "text_projection", W, c->embed_dim, false);
        ov_init_normal(te->projection->weight, 0, 1 / sqrt((double)W), &te->projection->m.init_gen);
    }
}

typedef struct {
    ovModule m;
    ovTextEncoder te;
} TextModule;

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovTextCfg *c = &((const TextModule *)m)->te.cfg;
    snprintf(buf, n, "%s layout, vocab=%" PRId64 ", context=%" PRId64 ", width=%" PRId64 ", layers=%" PRId64
             ", heads=%" PRId64 ", embed_dim=%" PRId64, c->layout == OV_TEXT_OPENAI ? "OpenAI" : "HF", c->vocab, c->context,
             c->width, c->layers, c->heads, c->embed_dim);
}

ovTextEncoder *ov_text_new(ovModule *parent, const char *name, const ovTextCfg *cfg) {
    check_cfg(cfg);
    TextModule *t = ov_module_new(parent, name, sizeof *t, "TextTransformer");
    t->m.describe = describe;
    ov_text_build(&t->te, &t->m, cfg);
    return &t->te;
}

ovTextEncoder *ov_text_root(const ovTextCfg *cfg, uint64_t seed) {
    check_cfg(cfg);
    TextModule *t = ov_module_root(sizeof *t, "TextTransformer", seed);
    t->m.describe = describe;
    ov_text_build(&t->te, &t->m, cfg);
    return &t->te;
}

ovModule *ov_text_module(ovTextEncoder *te) { return te->root; }

/* ---------------- forward ---------------- */
static ovDevice dev_of(const ovTextEncoder *te) { return ov_device(te->token_embedding->weight); }

static void check_ids(const ovTextEncoder *te, const ovTensor *ids, const ovTensor *mask) {
    char d[160], e[160];
    if (ids->ndim != 2 || (ids->dtype != OV_I64 && ids->dtype != OV_I32) || ids->shape[1] < 1 ||
        ids->shape[1] > te->cfg.context)
        ov_panic("text encoder: ids must be i64 [B, L] with 1 <= L <= context %" PRId64 ", got %s", te->cfg.context,
                 ov_describe(ids, d, sizeof d));
    if (mask && (mask->ndim != 2 || mask->shape[0] != ids->shape[0] || mask->shape[1] != ids->shape[1]))
        ov_panic("text encoder: attention_mask must have the shape of ids, got %s for ids %s", ov_describe(mask, d, sizeof d),
                 ov_describe(ids, e, sizeof e));
}

/* The row index b * L + argmax(ids[b]) of every sequence's EOT (torch.argmax: first maximum), as
 * an i64 [B] tensor on the encoder's device; *last gets the largest argmax. */
static ovTensor *eot_rows(const ovTextEncoder *te, ovTensor *ids, int64_t *last) {
    ovTensor *h = ov_to_device(ids, OV_DEV_CPU);
    int64_t B = ids->shape[0], L = ids->shape[1];
    int64_t *rows = malloc((size_t)B * sizeof *rows);
    *last = 0;
    for (int64_t b = 0; b < B; b++) {
        int64_t best = 0;
        double top = ov_get_flat(h, b * L);
        for (int64_t j = 1; j < L; j++) {
            double v = ov_get_flat(h, b * L + j);
            if (v > top) top = v, best = j;
        }
        rows[b] = b * L + best;
        if (best > *last) *last = best;
    }
    ovTensor *r = ov_to_device(ov_from_data(rows, OV_SHAPE(B), OV_I64), dev_of(te));
    free(rows);
    return r;
}

/* HF's padding mask as key_padding_mask (bool, true = ignore), or NULL when nothing is padded. */
static ovTensor *padding(const ovTextEncoder *te, ovTensor *mask) {
    if (!mask || te->cfg.layout != OV_TEXT_HF) return NULL;
    ovTensor *h = ov_to_device(mask, OV_DEV_CPU);
    int64_t n = ov_numel(h);
    uint8_t *ignore = malloc((size_t)n);
    bool any = false;
    for (int64_t i = 0; i < n; i++) any |= (ignore[i] = ov_get_flat(h, i) == 0);
    ovTensor *kp = any ? ov_to_device(ov_from_data(ignore, 2, mask->shape, OV_BOOL), dev_of(te)) : NULL;
    free(ignore);
    return kp;
}

ovTensor *ov_text_embed_tokens(ovTextEncoder *te, ovTensor *ids) {
    check_ids(te, ids, NULL);
    ov_module_enter(te->root);
    ovTensor *x = ov_embedding_forward(te->token_embedding, ov_to_device(ov_to(ids, OV_I64), dev_of(te)));
    ov_module_leave(te->root);
    return x;
}

void ov_text_forward_embeds(ovTextEncoder *te, ovTensor *tok, ovTensor *ids, ovTensor *mask, ovTextOut *out) {
    check_ids(te, ids, mask);
    int64_t B = ids->shape[0], L = ids->shape[1], W = te->cfg.width;
    char d[160];
    if (tok->ndim != 3 || tok->shape[0] != B || tok->shape[1] != L || tok->shape[2] != W)
        ov_panic("text encoder: token embeddings must be [B, L, W] = [%" PRId64 ", %" PRId64 ", %" PRId64 "], got %s", B, L,
                 W, ov_describe(tok, d, sizeof d));
    ov_module_enter(te->root);
    ovTensor *pos;
    if (te->cfg.layout == OV_TEXT_OPENAI)
        pos = ov_narrow(te->positional_embedding, 0, 0, L);
    else
        pos = ov_embedding_forward(te->position_embedding, ov_narrow(te->position_ids, 1, 0, L));
    ovTensor *x = ov_named(ov_add(tok, pos), "text.embeddings");
    out->embeddings = x;
    ovMHAOpts o = {.is_causal = true, .key_padding_mask = padding(te, mask)};
    for (int i = 0; i < te->cfg.layers; i++) {
        ovTextBlock *b = te->blocks[i];
        ov_module_enter(&b->m);
        ovTensor *h = ov_layer_norm_forward(b->ln1, x);
        x = ov_add(x, ov_mha_forward(b->attn, h, h, h, &o));
        x = ov_add(x, ov_mlp_forward(b->mlp, ov_layer_norm_forward(b->ln2, x)));
        ov_module_leave(&b->m);
        if (out->blocks) out->blocks[i] = ov_named(x, "text.blocks.%d", i);
    }
    out->tokens = ov_named(ov_layer_norm_forward(te->ln_final, x), "text.tokens");
    int64_t last;
    ovTensor *rows = eot_rows(te, ids, &last);
    out->pooled = ov_named(ov_index_select(ov_reshape(out->tokens, OV_SHAPE(B * L, W)), 0, rows), "text.pooled");
    ovTensor *f = te->cfg.layout == OV_TEXT_OPENAI ? ov_matmul(out->pooled, te->text_projection)
                                                   : ov_linear_forward(te->projection, out->pooled);
    out->features = ov_named(f, "text.features");
    ov_module_leave(te->root);
}

void ov_text_forward(ovTextEncoder *te, ovTensor *ids, ovTensor *mask, ovTextOut *out) {
    ov_text_forward_embeds(te, ov_text_embed_tokens(te, ids), ids, mask, out);
}

ovTensor *ov_text_features(ovTextEncoder *te, ovTensor *ids, ovTensor *mask) {
    check_ids(te, ids, mask);
    int64_t last;
    eot_rows(te, ids, &last);
    if (last + 1 < ids->shape[1]) { /* later columns cannot reach any EOT through the causal mask */
        ids = ov_narrow(ids, 1, 0, last + 1);
        if (mask) mask = ov_narrow(mask, 1, 0, last + 1);
    }
    ovTextOut out = {0};
    ov_text_forward(te, ids, mask, &out);
    return out.features;
}

/* ---------------- vocabularies ---------------- */
ovTensor *ov_text_vocab_features(ovTextEncoder *te, ovTokenizer *tok, const ovTokCfg *tok_cfg, int n_classes,
                                 const int *n_captions, const char *const *captions, const ovTextVocabOpts *opts) {
    static const ovTextVocabOpts defaults = {0};
    if (!opts) opts = &defaults;
    int batch = opts->batch > 0 ? opts->batch : 256;
    /* the captions that count, and which class each belongs to */
    if (n_classes < 0) ov_panic("text vocabulary: %d classes", n_classes);
    size_t total = 0, K = (size_t)n_classes + 1;
    for (int k = 0; k < n_classes; k++) {
        if (n_captions[k] < 1) {
            ov_error("text vocabulary: class %d has no caption", k);
            return NULL;
        }
        total += (size_t)n_captions[k];
    }
    const char **texts = malloc((total + 1) * sizeof *texts);
    int64_t *first = malloc(K * sizeof *first), *count = malloc(K * sizeof *count);
    int n = 0;
    for (int k = 0, off = 0; k < n_classes; off += n_captions[k], k++) {
        int use = opts->first_only ? 1 : n_captions[k];
        first[k] = n, count[k] = use;
        for (int j = 0; j < use; j++) texts[n++] = captions[off + j];
    }
    ov_no_grad_begin();
    ov_scope_begin();
    int n_chunks = (n + batch - 1) / batch;
    ovTensor **chunks = malloc(((size_t)n_chunks + 1) * sizeof *chunks);
    ovTensor *result = NULL;
    bool failed = false;
    for (int c = 0; c < n_chunks && !failed; c++) {
        int lo = c * batch, m = n - lo < batch ? n - lo : batch;
        ovTensor *mask, *ids = ov_tokenize(tok, m, texts + lo, tok_cfg, &mask);
        if (!ids) {
            char why[OV_ERRMSG_MAX];
            snprintf(why, sizeof why, "%s", ov_last_error());
            ov_error("text vocabulary: caption %d: %s", lo, why);
            failed = true;
            break;
        }
        chunks[c] = ov_text_features(te, ids, te->cfg.layout == OV_TEXT_HF ? mask : NULL);
    }
    if (!failed && n_classes > 0) {
        ovTensor *all = n_chunks == 1 ? chunks[0] : ov_cat(n_chunks, chunks, 0);
        ovTensor **cls = malloc(K * sizeof *cls);
        for (int k = 0; k < n_classes; k++)
            cls[k] = ov_mean(ov_narrow(all, 0, first[k], count[k]), 1, (int64_t[]){0}, false);
        result = ov_stack(n_classes, cls, 0);
        if (opts->normalize) result = ov_normalize(result, -1, 1e-12);
        free(cls);
        ov_keep(result);
    }
    ov_scope_end();
    ov_no_grad_end();
    if (!failed && n_classes == 0) result = ov_empty_on(dev_of(te), OV_SHAPE(0, te->cfg.embed_dim), OV_F32);
    free(chunks), free(texts), free(first), free(count);
    return result;
}

void ov_text_dump(const ovTextEncoder *te, const ovTextOut *out, ovTensorDict *d, const char *prefix) {
    char k[160];
#define PUT(name, t)                                          \
    do {                                                      \
        if (t) {                                              \
            snprintf(k, sizeof k, "%s%s", prefix, name);      \
            ov_dict_set(d, k, t);                             \
        }                                                     \
    } while (0)
    PUT("embeddings", out->embeddings);
    for (int i = 0; out->blocks && i < te->cfg.layers; i++) {
        char b[32];
        snprintf(b, sizeof b, "blocks.%d", i);
        PUT(b, out->blocks[i]);
    }
    PUT("tokens", out->tokens);
    PUT("pooled", out->pooled);
    PUT("features", out->features);
#undef PUT
}
