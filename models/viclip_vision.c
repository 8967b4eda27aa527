/* viclip_vision.c: ViCLIP's video encoder (InternVideo `viclip_vision.py::VisionTransformer.forward`,
 * specs/vlm-backbones.md §1.2); see viclip_vision.h. */
#include "models/viclip_vision.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "autograd/ops.h"
#include "nn/init.h"
#include "tensor/error.h"

ovViCLIPVisionCfg ov_viclip_b16_cfg(void) {
    return (ovViCLIPVisionCfg){.width = 768, .layers = 12, .heads = 12, .patch = 16, .image_size = 224, .frames = 8,
                               .output_dim = 512, .tubelet = 1};
}

ovViCLIPVisionCfg ov_viclip_l14_cfg(void) {
    return (ovViCLIPVisionCfg){.width = 1024, .layers = 24, .heads = 16, .patch = 14, .image_size = 224, .frames = 8,
                               .output_dim = 768, .tubelet = 1};
}

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovViCLIPVisionCfg *c = &((const ovViCLIPVision *)m)->cfg;
    snprintf(buf, n, "width=%" PRId64 ", layers=%" PRId64 ", heads=%" PRId64 ", patch=%" PRId64 ", image=%" PRId64
             ", frames=%" PRId64 ", out=%" PRId64 ", drop_path=%g",
             c->width, c->layers, c->heads, c->patch, c->image_size, c->frames, c->output_dim, c->drop_path);
}

ovViCLIPVision *ov_viclip_vision_new(ovModule *parent, const char *name, const ovViCLIPVisionCfg *cfg) {
    ovViCLIPVisionCfg c = *cfg;
    if (!c.tubelet) c.tubelet = 1;
    if (c.width < 1 || c.layers < 0 || c.layers > OV_VISION_MAX_BLOCKS || c.patch < 1 || c.image_size < c.patch ||
        c.frames < 1 || c.output_dim < 0)
        ov_panic("ViCLIP vision '%s': bad configuration (width %" PRId64 ", layers %" PRId64 " of at most %d, patch %" PRId64
                 ", image %" PRId64 ", frames %" PRId64 ", output_dim %" PRId64 ")",
                 name, c.width, c.layers, OV_VISION_MAX_BLOCKS, c.patch, c.image_size, c.frames, c.output_dim);
    ovViCLIPVision *v = ov_module_new(parent, name, sizeof *v, "ViCLIPVisionTransformer");
    v->m.describe = describe;
    v->cfg = c;
    v->grid = c.image_size / c.patch;
    int64_t W = c.width;
    /* registration order of VisionTransformer.__init__ */
    v->conv1 = ov_conv3d_new(&v->m, "conv1", 3, W, &(ovConvCfg){.kernel = {c.tubelet, c.patch, c.patch},
                                                                 .stride = {c.tubelet, c.patch, c.patch},
                                                                 .no_bias = true});
    double scale = 1.0 / sqrt((double)W);
    v->class_embedding = ov_param(&v->m, "class_embedding", OV_SHAPE(W));
    v->positional_embedding = ov_param(&v->m, "positional_embedding", OV_SHAPE(v->grid * v->grid + 1, W));
    ov_init_normal(v->class_embedding, 0, scale, &v->m.init_gen);
    ov_init_normal(v->positional_embedding, 0, scale, &v->m.init_gen);
    v->ln_pre = ov_layer_norm_new(&v->m, "ln_pre", OV_SHAPE(W), 1e-5, true);
    v->temporal_positional_embedding = ov_param(&v->m, "temporal_positional_embedding", OV_SHAPE(1, c.frames, W));
    v->transformer = ov_module_new(&v->m, "transformer", sizeof(ovModule), "Transformer");
    ovModule *blocks = ov_module_new(v->transformer, "resblocks", sizeof(ovModule), "ModuleList");
    for (int64_t i = 0; i < c.layers; i++) {
        char nm[24];
        snprintf(nm, sizeof nm, "%" PRId64, i);
        /* torch.linspace(0, drop_path, layers) */
        double dp = c.layers > 1 ? c.drop_path * (double)i / (double)(c.layers - 1) : 0.0;
        v->resblocks[i] = ov_resblock_new(blocks, nm, W, c.heads, dp, c.dropout);
    }
    v->ln_post = ov_layer_norm_new(&v->m, "ln_post", OV_SHAPE(W), 1e-5, true);
    if (c.output_dim) {
        v->proj = ov_param(&v->m, "proj", OV_SHAPE(W, c.output_dim));
        ov_init_normal(v->proj, 0, scale, &v->m.init_gen);
    }
    v->dropout = ov_dropout_new(&v->m, "dropout", c.dropout);
    return v;
}

/* The temporal table for T frames: the mean row for T == 1 (upstream's workaround), else the
 * table, resized when T differs from its length. */
static ovTensor *temporal_table(const ovViCLIPVision *v, int64_t T) {
    ovTensor *t = v->temporal_positional_embedding;
    int64_t n = t->shape[1];
    if (T == 1) return ov_mean(t, 1, (int64_t[]){1}, true);
    if (T < n && v->cfg.temporal_rule == OV_TEMPORAL_TRUNCATE) return ov_narrow(t, 1, 0, T);
    return ov_temporal_table_resize(t, T);
}

typedef struct {
    float key;
    int64_t i;
} Draw;

static int cmp_draw(const void *a, const void *b) {
    const Draw *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->i > y->i) - (x->i < y->i);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
    return (i > j) - (i < j);
}

/* InternVideo's mask_tokens: per clip, the Lm = int(p * L) tokens with the smallest of L uniform
 * draws are dropped and the others kept in their order. Returns the kept tokens [B, L - Lm, W]
 * and their indices [B, L - Lm] (i64, on x's device). The draws come from the module's generator,
 * on the host (B*L numbers), so every device keeps the same tokens. */
static ovTensor *mask_tokens(ovViCLIPVision *v, ovTensor *x, double p, ovTensor **kept) {
    int64_t B = x->shape[0], L = x->shape[1], W = x->shape[2];
    int64_t Lm = (int64_t)(p * (double)L), Lk = L - Lm;
    ovGenerator g = ov_generator(ov_draw_seed(&v->m.init_gen));
    ovDevice prev = ov_set_default_device(OV_DEV_CPU);
    ovTensor *r = ov_rand(OV_SHAPE(B, L), 0.0, 1.0, &g);
    ovTensor *idx = ov_empty(OV_SHAPE(B, Lk), OV_I64), *flat = ov_empty(OV_SHAPE(B * Lk), OV_I64);
    ov_set_default_device(prev);
    Draw *dr = malloc(sizeof *dr * (size_t)(L > 0 ? L : 1));
    int64_t *ki = ov_data_ptr(idx), *fi = ov_data_ptr(flat);
    const float *key = ov_f32(r);
    for (int64_t b = 0; b < B; b++) {
        for (int64_t i = 0; i < L; i++) dr[i] = (Draw){key[b * L + i], i};
        qsort(dr, (size_t)L, sizeof *dr, cmp_draw); /* argsort of the draws: the first Lm go */
        int64_t *k = ki + b * Lk;
        for (int64_t i = 0; i < Lk; i++) k[i] = dr[Lm + i].i;
        qsort(k, (size_t)Lk, sizeof *k, cmp_i64); /* the survivors in their order */
        for (int64_t i = 0; i < Lk; i++) fi[b * Lk + i] = b * L + k[i];
    }
    free(dr);
    *kept = ov_to_device(idx, ov_device(x));
    ovTensor *rows = ov_index_select(ov_reshape(x, OV_SHAPE(B * L, W)), 0, ov_to_device(flat, ov_device(x)));
    return ov_reshape(rows, OV_SHAPE(B, Lk, W));
}

ovVisionOut ov_viclip_vision_forward(ovViCLIPVision *v, ovTensor *x, const ovVisionOpts *o) {
    static const ovVisionOpts none = {0};
    if (!o) o = &none;
    ovVisionOut out = {0};
    const ovViCLIPVisionCfg *c = &v->cfg;
    ov_module_enter(&v->m);
    char d[160];
    if (x->ndim != 5 || x->shape[1] != 3 || x->shape[2] % c->tubelet || x->shape[3] % c->patch || x->shape[4] % c->patch)
        ov_panic("ViCLIP vision: input must be [B,3,T,H,W] with T a multiple of %" PRId64 " and H, W multiples of the patch "
                 "size %" PRId64 ", got %s",
                 c->tubelet, c->patch, ov_describe(x, d, sizeof d));
    int64_t B = x->shape[0], W = c->width, g = v->grid;
    ovTensor *f = ov_conv_forward(v->conv1, x); /* [B, W, T, h, w] */
    int64_t T = f->shape[2], h = f->shape[3], w = f->shape[4], N = h * w;
    out.T = T, out.h = h, out.w = w;

    /* '(b t) n m': patches of each frame, + positional_embedding[1:] (resized to h x w) */
    ovTensor *pos = v->positional_embedding;
    ovTensor *p = ov_reshape(ov_permute(f, 5, (int64_t[]){0, 3, 4, 2, 1}), OV_SHAPE(B, N, T, W)); /* [B, n, t, W] */
    p = ov_add(p, ov_reshape(ov_pos_table_resize(ov_narrow(pos, 0, 1, g * g), h, w), OV_SHAPE(1, N, 1, W)));
    /* '(b n) t m': + temporal_positional_embedding[t]; then '(b n) t m -> b (n t) m' */
    p = ov_add(p, ov_reshape(temporal_table(v, T), OV_SHAPE(1, 1, T, W)));
    p = ov_reshape(p, OV_SHAPE(B, N * T, W));
    if (v->m.training && o->masking_prob > 0) p = mask_tokens(v, p, o->masking_prob, &out.kept);
    ovTensor *cls = ov_add(v->class_embedding, ov_select(pos, 0, 0)); /* every frame's class token is the same */
    cls = ov_expand(ov_reshape(cls, OV_SHAPE(1, 1, W)), OV_SHAPE(B, 1, W));
    out.embed = ov_cat(2, (ovTensor *[]){cls, p}, 1);
    out.pre = ov_layer_norm_forward(v->ln_pre, out.embed);

    /* the blocks run sequence first, [L, B, W], like upstream's x.permute(1, 0, 2) */
    ovTensor *s = ov_transpose(out.pre, 0, 1);
    out.n_blocks = (int)c->layers;
    for (int64_t i = 0; i < c->layers; i++) {
        s = ov_resblock_forward(v->resblocks[i], s);
        if (o->keep_blocks) out.blocks[i] = ov_transpose(s, 0, 1);
    }
    out.last = ov_transpose(s, 0, 1);

    /* ln_post acts on every token; the class token gives f_v, the others the patch map */
    ovTensor *fv = ov_dropout_forward(v->dropout, ov_layer_norm_forward(v->ln_post, ov_select(out.last, 1, 0)));
    out.f_v = v->proj ? ov_matmul(fv, v->proj) : fv;
    if (o->patch_map && !out.kept) out.patch_map = ov_viclip_patch_map(v, &out, o->patch_post_norm, o->patch_project);
    ov_module_leave(&v->m);
    return out;
}

ovTensor *ov_viclip_patch_map(ovViCLIPVision *v, const ovVisionOut *out, bool post_norm, bool project) {
    if (out->kept) ov_panic("ViCLIP vision: no patch map after token masking");
    ovTensor *t = ov_narrow(out->last, 1, 1, out->T * out->h * out->w);
    if (post_norm) t = ov_layer_norm_forward(v->ln_post, t);
    if (project && v->proj) t = ov_matmul(t, v->proj);
    return ov_tokens_to_map(t, out->T, out->h, out->w, true);
}
