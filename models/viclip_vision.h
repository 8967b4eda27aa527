/* viclip_vision.h: ViCLIP's video encoder (InternVideo `viclip_vision.py::VisionTransformer`,
 * specs/vlm-backbones.md §1.2): a Conv3d tubelet embedding with kernel = stride = (1,p,p) and no
 * bias, a class token, a spatial position table for (image/p)^2 patches plus the class token and a
 * temporal table of `frames` rows, patch tokens in the spatial-major, time-minor order
 * '(b n) t m -> b (n t) m' (patch n of frame t at sequence index 1 + n*T + t), ln_pre, `layers`
 * residual attention blocks with joint space-time attention and no mask, ln_post, and the video
 * feature f_v = ln_post(cls) @ proj.
 *
 * Parameters (under the module named "vision_encoder", as in the checkpoints, §1.6):
 *     class_embedding [W], positional_embedding [g*g+1, W], temporal_positional_embedding
 *     [1, frames, W], conv1.weight [W, 3, 1, p, p], ln_pre.*, transformer.resblocks.i.* (see
 *     vision_block.h), ln_post.*, proj [W, D] (y = x @ proj; absent when output_dim is 0).
 *
 * Other sizes: an h x w grid other than g x g uses the spatial table resized bicubically; T frames
 * other than `frames` use the temporal table resized linearly (or InternVideo's
 * load_temp_embed_with_mismatch rule, see temporal_rule), and T == 1 adds the mean of the temporal
 * table, as upstream does. */
#ifndef OV_MODELS_VICLIP_VISION_H
#define OV_MODELS_VICLIP_VISION_H

#include "models/vision.h"
#include "models/vision_block.h"

typedef enum {
    OV_TEMPORAL_LINEAR = 0, /* F.interpolate(mode="linear", align_corners=False) to T rows */
    /* interpolate_pos_embed_vit at load: the first T rows when T < frames, linear when T > frames */
    OV_TEMPORAL_TRUNCATE,
} ovTemporalRule;

typedef struct {
    int64_t width, layers, heads, patch;
    int64_t image_size; /* the spatial table covers (image_size / patch)^2 patches */
    int64_t frames;     /* rows of the temporal table */
    int64_t output_dim; /* proj columns; 0: no proj (f_v is ln_post(cls)) */
    int64_t tubelet;    /* temporal kernel of conv1 (1 in every released model) */
    double drop_path;   /* stochastic depth, linspace(0, drop_path, layers) over the blocks */
    double dropout;     /* attention, MLP and final dropout (0 in the released configs) */
    ovTemporalRule temporal_rule;
} ovViCLIPVisionCfg;

ovViCLIPVisionCfg ov_viclip_b16_cfg(void); /* 768 / 12 / 12, patch 16, 224, 8 frames, 512 */
ovViCLIPVisionCfg ov_viclip_l14_cfg(void); /* 1024 / 24 / 16, patch 14, 224, 8 frames, 768 */

typedef struct {
    ovModule m;
    ovViCLIPVisionCfg cfg;
    int64_t grid; /* g */
    ovTensor *class_embedding, *positional_embedding, *temporal_positional_embedding, *proj;
    ovConv *conv1;
    ovLayerNorm *ln_pre, *ln_post;
    ovModule *transformer;
    ovResBlock *resblocks[OV_VISION_MAX_BLOCKS];
    ovDropout *dropout; /* before proj */
} ovViCLIPVision;

/* Registers the encoder as `name` (the checkpoints use "vision_encoder") in parent. Parameters are
 * initialised like upstream (class and position tables N(0, W^-0.5), temporal table zeros,
 * proj N(0, W^-0.5) in place of its torch.empty, layers as nn.Module defaults). */
ovViCLIPVision *ov_viclip_vision_new(ovModule *parent, const char *name, const ovViCLIPVisionCfg *cfg);

/* x [B,3,T,H,W] normalised with ImageNet statistics; H and W multiples of the patch size. */
ovVisionOut ov_viclip_vision_forward(ovViCLIPVision *v, ovTensor *x, const ovVisionOpts *o);
/* The patch map [B, C, T, h, w] of a forward's result: its patch tokens (sequence index 1 + n*T + t),
 * after ln_post when post_norm, @ proj when project (C = output_dim, else width). */
ovTensor *ov_viclip_patch_map(ovViCLIPVision *v, const ovVisionOut *out, bool post_norm, bool project);

#endif
