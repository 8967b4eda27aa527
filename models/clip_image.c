/* clip_image.c: OpenAI CLIP's image encoder per frame with temporal mean pooling (see clip_image.h). */
#include "models/clip_image.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "autograd/ops.h"
#include "nn/init.h"
#include "tensor/error.h"

ovCLIPImageCfg ov_clip_b16_cfg(void) {
    return (ovCLIPImageCfg){.width = 768, .layers = 12, .heads = 12, .patch = 16, .image_size = 224, .output_dim = 512};
}

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovCLIPImageCfg *c = &((const ovCLIPImage *)m)->cfg;
    snprintf(buf, n, "width=%" PRId64 ", layers=%" PRId64 ", heads=%" PRId64 ", patch=%" PRId64 ", image=%" PRId64
             ", out=%" PRId64,
             c->width, c->layers, c->heads, c->patch, c->image_size, c->output_dim);
}

ovCLIPImage *ov_clip_image_new(ovModule *parent, const char *name, const ovCLIPImageCfg *cfg) {
    ovCLIPImageCfg c = *cfg;
    if (c.width < 1 || c.layers < 0 || c.layers > OV_VISION_MAX_BLOCKS || c.patch < 1 || c.image_size < c.patch ||
        c.output_dim < 1)
        ov_panic("CLIP image encoder '%s': bad configuration (width %" PRId64 ", layers %" PRId64 " of at most %d, patch %" PRId64
                 ", image %" PRId64 ", output_dim %" PRId64 ")",
                 name, c.width, c.layers, OV_VISION_MAX_BLOCKS, c.patch, c.image_size, c.output_dim);
    ovCLIPImage *v = ov_module_new(parent, name, sizeof *v, "VisionTransformer");
    v->m.describe = describe;
    v->cfg = c;
    v->grid = c.image_size / c.patch;
    int64_t W = c.width;
    double scale = pow((double)W, -0.5);
    ovGenerator *gen = &v->m.init_gen;
    v->conv1 = ov_conv2d_new(&v->m, "conv1", 3, W,
                             &(ovConvCfg){.kernel = {c.patch, c.patch}, .stride = {c.patch, c.patch}, .no_bias = true});
    v->class_embedding = ov_param(&v->m, "class_embedding", OV_SHAPE(W));
    v->positional_embedding = ov_param(&v->m, "positional_embedding", OV_SHAPE(v->grid * v->grid + 1, W));
    ov_init_normal(v->class_embedding, 0, scale, gen);
    ov_init_normal(v->positional_embedding, 0, scale, gen);
    v->ln_pre = ov_layer_norm_new(&v->m, "ln_pre", OV_SHAPE(W), 1e-5, true);
    v->transformer = ov_module_new(&v->m, "transformer", sizeof(ovModule), "Transformer");
    ovModule *blocks = ov_module_new(v->transformer, "resblocks", sizeof(ovModule), "Sequential");
    /* CLIP.initialize_parameters' stds for the blocks */
    double proj_std = scale * pow(2.0 * (double)c.layers, -0.5), attn_std = scale, fc_std = pow(2.0 * (double)W, -0.5);
    for (int64_t i = 0; i < c.layers; i++) {
        char nm[24];
        snprintf(nm, sizeof nm, "%" PRId64, i);
        ovResBlock *b = v->resblocks[i] = ov_resblock_new(blocks, nm, W, c.heads, 0.0, 0.0);
        ov_init_normal(b->attn->in_proj_weight, 0, attn_std, gen);
        ov_init_normal(b->attn->out_proj->weight, 0, proj_std, gen);
        ov_init_normal(b->mlp->fc1->weight, 0, fc_std, gen);
        ov_init_normal(b->mlp->fc2->weight, 0, proj_std, gen);
    }
    v->ln_post = ov_layer_norm_new(&v->m, "ln_post", OV_SHAPE(W), 1e-5, true);
    v->proj = ov_param(&v->m, "proj", OV_SHAPE(W, c.output_dim));
    ov_init_normal(v->proj, 0, scale, gen);
    return v;
}

ovVisionOut ov_clip_image_forward(ovCLIPImage *v, ovTensor *x, const ovVisionOpts *o) {
    static const ovVisionOpts none = {0};
    if (!o) o = &none;
    ovVisionOut out = {0};
    const ovCLIPImageCfg *c = &v->cfg;
    ov_module_enter(&v->m);
    char d[160];
    if (x->ndim != 5 || x->shape[1] != 3 || x->shape[3] % c->patch || x->shape[4] % c->patch)
        ov_panic("CLIP image encoder: input must be [B,3,T,H,W] with H, W multiples of the patch size %" PRId64 ", got %s",
                 c->patch, ov_describe(x, d, sizeof d));
    int64_t B = x->shape[0], T = x->shape[2], W = c->width, g = v->grid, BT = B * T;
    ovTensor *frames = ov_reshape(ov_permute(x, 5, (int64_t[]){0, 2, 1, 3, 4}), OV_SHAPE(BT, 3, x->shape[3], x->shape[4]));
    ovTensor *f = ov_conv_forward(v->conv1, frames); /* [BT, W, h, w] */
    int64_t h = f->shape[2], w = f->shape[3], L = h * w;
    out.T = T, out.h = h, out.w = w;
    ovTensor *p = ov_transpose(ov_reshape(f, OV_SHAPE(BT, W, L)), 1, 2); /* [BT, L, W] */
    ovTensor *cls = ov_expand(ov_reshape(v->class_embedding, OV_SHAPE(1, 1, W)), OV_SHAPE(BT, 1, W));
    ovTensor *pos = v->positional_embedding;
    pos = ov_cat(2, (ovTensor *[]){ov_narrow(pos, 0, 0, 1), ov_pos_table_resize(ov_narrow(pos, 0, 1, g * g), h, w)}, 0);
    out.embed = ov_add(ov_cat(2, (ovTensor *[]){cls, p}, 1), pos);
    out.pre = ov_layer_norm_forward(v->ln_pre, out.embed);

    ovTensor *s = ov_transpose(out.pre, 0, 1); /* NLD -> LND, as clip/model.py */
    out.n_blocks = (int)c->layers;
    for (int64_t i = 0; i < c->layers; i++) {
        s = ov_resblock_forward(v->resblocks[i], s);
        if (o->keep_blocks) out.blocks[i] = ov_transpose(s, 0, 1);
    }
    out.last = ov_transpose(s, 0, 1); /* [BT, 1 + L, W] */
    ovTensor *ff = ov_matmul(ov_layer_norm_forward(v->ln_post, ov_select(out.last, 1, 0)), v->proj);
    out.f_frames = ov_reshape(ff, OV_SHAPE(B, T, c->output_dim));
    out.f_v = ov_mean(out.f_frames, 1, (int64_t[]){1}, false);
    if (o->patch_map) out.patch_map = ov_clip_image_patch_map(v, &out, o->patch_post_norm, o->patch_project);
    ov_module_leave(&v->m);
    return out;
}

ovTensor *ov_clip_image_patch_map(ovCLIPImage *v, const ovVisionOut *out, bool post_norm, bool project) {
    int64_t L = out->h * out->w, B = out->last->shape[0] / out->T;
    ovTensor *t = ov_narrow(out->last, 1, 1, L);
    if (post_norm) t = ov_layer_norm_forward(v->ln_post, t);
    if (project) t = ov_matmul(t, v->proj);
    return ov_tokens_to_map(ov_reshape(t, OV_SHAPE(B, out->T * L, t->shape[2])), out->T, out->h, out->w, false);
}
