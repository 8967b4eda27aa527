/* clipvip_vision.c: CLIP-ViP's video encoder (XPretrain `CLIP_ViP.py`, OpenMixer's
 * `clipvip_encoder.py`); see clipvip_vision.h. */
#include "models/clipvip_vision.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/init.h"
#include "tensor/error.h"

ovCLIPViPVisionCfg ov_clipvip_b16_cfg(void) {
    return (ovCLIPViPVisionCfg){.width = 768, .layers = 12, .heads = 12, .patch = 16, .image_size = 224, .mlp = 3072,
                                .output_dim = 512, .temporal_size = 12, .add_cls = 3};
}

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovCLIPViPVisionCfg *c = &((const ovCLIPViPVision *)m)->cfg;
    snprintf(buf, n, "width=%" PRId64 ", layers=%" PRId64 ", heads=%" PRId64 ", patch=%" PRId64 ", image=%" PRId64
             ", temporal=%" PRId64 ", proxies=%" PRId64 ", out=%" PRId64,
             c->width, c->layers, c->heads, c->patch, c->image_size, c->temporal_size, 1 + c->add_cls, c->output_dim);
}

ovCLIPViPVision *ov_clipvip_vision_new(ovModule *parent, const ovCLIPViPVisionCfg *cfg) {
    ovCLIPViPVisionCfg c = *cfg;
    if (!c.mlp) c.mlp = 4 * c.width;
    if (c.width < 1 || c.layers < 0 || c.layers > OV_VISION_MAX_BLOCKS || c.patch < 1 || c.image_size < c.patch ||
        c.output_dim < 1 || c.temporal_size < 0 || c.add_cls < 0)
        ov_panic("CLIP-ViP vision: bad configuration (width %" PRId64 ", layers %" PRId64 " of at most %d, patch %" PRId64
                 ", image %" PRId64 ", output_dim %" PRId64 ", temporal %" PRId64 ", add_cls %" PRId64 ")",
                 c.width, c.layers, OV_VISION_MAX_BLOCKS, c.patch, c.image_size, c.output_dim, c.temporal_size, c.add_cls);
    ovCLIPViPVision *v = ov_module_new(parent, "vision_model", sizeof *v, "CLIPVisionTransformer");
    v->m.describe = describe;
    v->cfg = c;
    v->grid = c.image_size / c.patch;
    int64_t W = c.width;
    ovGenerator *gen = &v->m.init_gen;
    double factor = 1.0, range = 0.02; /* config.initializer_factor, initializer_range */

    ovModule *e = v->embeddings = ov_module_new(&v->m, "embeddings", sizeof(ovModule), "CLIPVisionViPEmbeddings");
    if (c.add_cls) {
        v->added_cls = ov_param(e, "added_cls", OV_SHAPE(c.add_cls, W));
        ov_init_normal(v->added_cls, 0, 1, gen); /* torch.randn; _init_weights leaves it */
    }
    v->class_embedding = ov_param(e, "class_embedding", OV_SHAPE(W));
    ov_init_normal(v->class_embedding, 0, pow((double)W, -0.5) * factor, gen);
    v->patch_embedding = ov_conv2d_new(e, "patch_embedding", 3, W,
                                       &(ovConvCfg){.kernel = {c.patch, c.patch}, .stride = {c.patch, c.patch}, .no_bias = true});
    ov_init_normal(v->patch_embedding->weight, 0, range * factor, gen);
    v->position_embedding = ov_embedding_new(e, "position_embedding", v->grid * v->grid + 1, W);
    ov_init_normal(v->position_embedding->weight, 0, range * factor, gen);
    if (c.temporal_size) v->temporal_embedding = ov_param(e, "temporal_embedding", OV_SHAPE(1, c.temporal_size, W));

    v->pre_layrnorm = ov_layer_norm_new(&v->m, "pre_layrnorm", OV_SHAPE(W), 1e-5, true);
    v->encoder = ov_module_new(&v->m, "encoder", sizeof(ovModule), "CLIPEncoder");
    ovModule *layers = ov_module_new(v->encoder, "layers", sizeof(ovModule), "ModuleList");
    double in_std = pow((double)W, -0.5) * pow(2.0 * (double)c.layers, -0.5) * factor;
    for (int64_t i = 0; i < c.layers; i++) {
        char nm[24];
        snprintf(nm, sizeof nm, "%" PRId64, i);
        ovCLIPViPLayer *l = v->layers[i] = ov_module_new(layers, nm, sizeof *l, "CLIPEncoderLayer");
        l->self_attn = ov_mha_new(&l->m, "self_attn", W, c.heads, OV_MHA_SEPARATE, true, 0.0);
        l->layer_norm1 = ov_layer_norm_new(&l->m, "layer_norm1", OV_SHAPE(W), 1e-5, true);
        l->mlp = ov_mlp_new(&l->m, "mlp", W, c.mlp, W, &(ovMLPCfg){.act = OV_ACT_QUICK_GELU});
        l->layer_norm2 = ov_layer_norm_new(&l->m, "layer_norm2", OV_SHAPE(W), 1e-5, true);
        ovMHA *a = l->self_attn;
        ovLinear *lin[6] = {a->q_proj, a->k_proj, a->v_proj, a->out_proj, l->mlp->fc1, l->mlp->fc2};
        double std[6] = {in_std, in_std, in_std, pow((double)W, -0.5) * factor, pow(2.0 * (double)W, -0.5) * factor, in_std};
        for (int k = 0; k < 6; k++) {
            ov_init_normal(lin[k]->weight, 0, std[k], gen);
            ov_init_constant(lin[k]->bias, 0);
        }
    }
    v->post_layernorm = ov_layer_norm_new(&v->m, "post_layernorm", OV_SHAPE(W), 1e-5, true);
    v->visual_projection = ov_linear_new(parent, "visual_projection", W, c.output_dim, false);
    ov_init_normal(v->visual_projection->weight, 0, pow((double)W, -0.5) * factor, gen);
    return v;
}

ovTensor *ov_clipvip_attention(ovMHA *a, ovTensor *h, int64_t M, int64_t T, int64_t L) {
    ovTensor *q, *k, *v;
    ov_mha_qkv(a, h, h, h, &q, &k, &v); /* [B, H, M + T*L, hd] */
    int64_t B = q->shape[0], H = q->shape[1], hd = q->shape[3];
    /* frames: queries of frame t against [proxies ∥ frame t], as [B, H, T, ., hd] batches */
    ovTensor *kv[2] = {k, v}, *frame_kv[2];
    for (int i = 0; i < 2; i++) {
        ovTensor *prox = ov_expand(ov_unsqueeze(ov_narrow(kv[i], 2, 0, M), 2), OV_SHAPE(B, H, T, M, hd));
        ovTensor *own = ov_reshape(ov_narrow(kv[i], 2, M, T * L), OV_SHAPE(B, H, T, L, hd));
        frame_kv[i] = ov_cat(2, (ovTensor *[]){prox, own}, 3);
    }
    ovTensor *qf = ov_reshape(ov_narrow(q, 2, M, T * L), OV_SHAPE(B, H, T, L, hd));
    ovTensor *ctx_f = ov_sdpa(qf, frame_kv[0], frame_kv[1], NULL, false, 0.0, NULL);
    /* proxies: against every token */
    ovTensor *ctx_p = ov_sdpa(ov_narrow(q, 2, 0, M), k, v, NULL, false, 0.0, NULL);
    ovTensor *ctx = ov_cat(2, (ovTensor *[]){ctx_p, ov_reshape(ctx_f, OV_SHAPE(B, H, T * L, hd))}, 2);
    return ov_mha_out(a, ctx);
}

/* One encoder layer; each half in its own scope (see vision_block.c). */
static ovTensor *layer_forward(ovCLIPViPLayer *l, ovTensor *x, int64_t M, int64_t T, int64_t L) {
    ov_module_enter(&l->m);
    ov_scope_begin();
    ovTensor *h = ov_layer_norm_forward(l->layer_norm1, x);
    ov_module_enter(&l->self_attn->m);
    h = ov_clipvip_attention(l->self_attn, h, M, T, L);
    ov_module_leave(&l->self_attn->m);
    x = ov_keep(ov_add(x, h));
    ov_scope_end();
    ov_scope_begin();
    x = ov_keep(ov_add(x, ov_mlp_forward(l->mlp, ov_layer_norm_forward(l->layer_norm2, x))));
    ov_scope_end();
    ov_module_leave(&l->m);
    return x;
}

ovVisionOut ov_clipvip_vision_forward(ovCLIPViPVision *v, ovTensor *x, const ovVisionOpts *o) {
    static const ovVisionOpts none = {0};
    if (!o) o = &none;
    ovVisionOut out = {0};
    const ovCLIPViPVisionCfg *c = &v->cfg;
    ov_module_enter(&v->m);
    char d[160];
    if (x->ndim != 5 || x->shape[1] != 3 || x->shape[3] % c->patch || x->shape[4] % c->patch)
        ov_panic("CLIP-ViP vision: input must be [B,3,T,H,W] with H, W multiples of the patch size %" PRId64 ", got %s",
                 c->patch, ov_describe(x, d, sizeof d));
    int64_t B = x->shape[0], T = x->shape[2], W = c->width, g = v->grid, M = 1 + c->add_cls;
    /* per frame: [B,3,T,H,W] -> [B*T,3,H,W] -> conv -> [B*T, W, h, w] */
    ovTensor *frames = ov_reshape(ov_permute(x, 5, (int64_t[]){0, 2, 1, 3, 4}), OV_SHAPE(B * T, 3, x->shape[3], x->shape[4]));
    ovTensor *f = ov_conv_forward(v->patch_embedding, frames);
    int64_t h = f->shape[2], w = f->shape[3], L = h * w;
    out.T = T, out.h = h, out.w = w;
    ovTensor *p = ov_reshape(ov_permute(ov_reshape(f, OV_SHAPE(B, T, W, L)), 4, (int64_t[]){0, 1, 3, 2}), OV_SHAPE(B, T, L, W));
    if (v->temporal_embedding) {
        ovTensor *te = ov_temporal_table_resize(v->temporal_embedding, T); /* [1, T, W] */
        p = ov_add(p, ov_unsqueeze(te, 2));
    }
    ovTensor *pos = v->position_embedding->weight;
    p = ov_add(p, ov_reshape(ov_pos_table_resize(ov_narrow(pos, 0, 1, g * g), h, w), OV_SHAPE(1, 1, L, W)));
    /* the class token and the proxies, each + position_embedding[0] */
    ovTensor *pos0 = ov_narrow(pos, 0, 0, 1);
    ovTensor *prox = ov_add(ov_reshape(v->class_embedding, OV_SHAPE(1, W)), pos0);
    if (v->added_cls) prox = ov_cat(2, (ovTensor *[]){prox, ov_add(v->added_cls, pos0)}, 0);
    prox = ov_expand(ov_unsqueeze(prox, 0), OV_SHAPE(B, M, W));
    out.embed = ov_cat(2, (ovTensor *[]){prox, ov_reshape(p, OV_SHAPE(B, T * L, W))}, 1);
    out.pre = ov_layer_norm_forward(v->pre_layrnorm, out.embed);

    ovTensor *s = out.pre;
    out.n_blocks = (int)c->layers;
    for (int64_t i = 0; i < c->layers; i++) {
        s = layer_forward(v->layers[i], s, M, T, L);
        if (o->keep_blocks) out.blocks[i] = s;
    }
    out.last = s;
    out.f_v = ov_linear_forward(v->visual_projection, ov_layer_norm_forward(v->post_layernorm, ov_select(s, 1, 0)));
    if (o->patch_map) out.patch_map = ov_clipvip_patch_map(v, &out, o->patch_post_norm, o->patch_project);
    ov_module_leave(&v->m);
    return out;
}

/* The patch tokens last[:, M:], through post_layernorm and visual_projection on request. */
static ovTensor *patch_tokens(ovCLIPViPVision *v, const ovVisionOut *out, bool post_norm, bool project) {
    ovTensor *t = ov_narrow(out->last, 1, 1 + v->cfg.add_cls, out->T * out->h * out->w);
    if (post_norm) t = ov_layer_norm_forward(v->post_layernorm, t);
    if (project) t = ov_linear_forward(v->visual_projection, t);
    return t;
}

ovTensor *ov_clipvip_patch_map(ovCLIPViPVision *v, const ovVisionOut *out, bool post_norm, bool project) {
    return ov_tokens_to_map(patch_tokens(v, out, post_norm, project), out->T, out->h, out->w, false);
}

ovTensor *ov_clipvip_ritsm_map(ovCLIPViPVision *v, const ovVisionOut *out) {
    ovTensor *t = ov_normalize(patch_tokens(v, out, true, true), -1, 1e-12);
    return ov_tokens_to_map(t, out->T, out->h, out->w, false);
}
