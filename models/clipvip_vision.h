/* clipvip_vision.h: CLIP-ViP's video encoder (XPretrain `CLIP_ViP.py`: CLIPVisionViPEmbeddings,
 * CLIPAttention.forward2, the Hugging Face CLIP vision transformer around them) as OpenMixer uses
 * it (specs/vlm-backbones.md §2, openmixer.md §1.2, §1.5).
 *
 * Each frame goes through a Conv2d(3, W, p, p, no bias) patch embedding; patch (t, l) gets
 * temporal_embedding[t] (the [1, 12, W] table resized linearly to T frames) and
 * position_embedding[1 + l] (the 14 x 14 table resized bicubically to the h x w grid, OpenMixer's
 * interpolate_pos_embed_online); the class token and the `add_cls` added_cls proxies all get
 * position_embedding[0]. The sequence is [class, proxies, frame 0 patches, frame 1 patches, ...],
 * then pre_layrnorm and the encoder layers (layer_norm1, attention, residual, layer_norm2,
 * fc1 -> QuickGELU -> fc2, residual), whose attention is the video-proxy pattern: patch tokens of
 * frame t attend to [the M proxies ∥ the patches of frame t], the M proxies attend to every token.
 * It is computed block by block (one softmax over M + h*w keys per frame, one over all keys for
 * the proxies), never as a dense mask over all tokens.
 *
 * Outputs (vision.h): f_v = visual_projection(post_layernorm(last[:, 0])); the patch map is
 * last[:, M:] as [B, W, T, h, w] before post_layernorm (OpenMixer's V), with post_norm/project on
 * request; ov_clipvip_ritsm_map gives the normalised projected map of the RITSM prior boxes.
 *
 * Parameters (a checkpoint's `clipmodel.` level is the parent):
 *     vision_model.embeddings.{class_embedding [W], added_cls [M-1, W], temporal_embedding [1,12,W],
 *       patch_embedding.weight [W,3,p,p], position_embedding.weight [g*g+1, W]}
 *     vision_model.{pre_layrnorm,post_layernorm}.{weight,bias}
 *     vision_model.encoder.layers.i.{self_attn.{q,k,v,out}_proj, layer_norm1, mlp.fc1, mlp.fc2, layer_norm2}
 *     visual_projection.weight [D, W]   (a sibling of vision_model in the parent)
 * position_ids (an arange buffer in the checkpoints) is not kept; loaders drop it. */
#ifndef OV_MODELS_CLIPVIP_VISION_H
#define OV_MODELS_CLIPVIP_VISION_H

#include "models/vision.h"
#include "nn/layers.h"

typedef struct {
    int64_t width, layers, heads, patch;
    int64_t image_size;    /* the position table covers (image_size / patch)^2 patches */
    int64_t mlp;           /* hidden size of the MLP (0: 4 * width) */
    int64_t output_dim;    /* visual_projection rows */
    int64_t temporal_size; /* rows of temporal_embedding; 0: none (if_use_temporal_embed 0) */
    int64_t add_cls;       /* proxies besides the class token (3: M = 4) */
} ovCLIPViPVisionCfg;

ovCLIPViPVisionCfg ov_clipvip_b16_cfg(void); /* 768 / 12 / 12, patch 16, 224, MLP 3072, 512, 12 frames, 3 */

typedef struct {
    ovModule m;
    ovMHA *self_attn;
    ovLayerNorm *layer_norm1, *layer_norm2;
    ovMLP *mlp;
} ovCLIPViPLayer;

typedef struct {
    ovModule m; /* "vision_model" */
    ovCLIPViPVisionCfg cfg;
    int64_t grid;
    ovModule *embeddings;
    ovTensor *class_embedding, *added_cls, *temporal_embedding;
    ovConv *patch_embedding;
    ovEmbedding *position_embedding;
    ovLayerNorm *pre_layrnorm, *post_layernorm;
    ovModule *encoder;
    ovCLIPViPLayer *layers[OV_VISION_MAX_BLOCKS];
    ovLinear *visual_projection; /* registered in the parent */
} ovCLIPViPVision;

/* Registers "vision_model" and "visual_projection" in parent (the checkpoints' `clipmodel`),
 * initialised like Hugging Face's CLIPPreTrainedModel._init_weights. */
ovCLIPViPVision *ov_clipvip_vision_new(ovModule *parent, const ovCLIPViPVisionCfg *cfg);

/* x [B,3,T,H,W] normalised with CLIP statistics; H and W multiples of the patch size. */
ovVisionOut ov_clipvip_vision_forward(ovCLIPViPVision *v, ovTensor *x, const ovVisionOpts *o);

/* The attention of one layer on h [B, M + T*L, W] (after layer_norm1), M proxies, T frames of L
 * patches: the out_proj'd result, same shape. */
ovTensor *ov_clipvip_attention(ovMHA *a, ovTensor *h, int64_t M, int64_t T, int64_t L);

/* The patch map [B, C, T, h, w] of a forward's result (last[:, M:]), after post_layernorm when
 * post_norm, through visual_projection when project (C = output_dim, else width). */
ovTensor *ov_clipvip_patch_map(ovCLIPViPVision *v, const ovVisionOut *out, bool post_norm, bool project);

/* RITSM's patch features (get_ritsm): normalize(visual_projection(post_layernorm(V))) as a map
 * [B, D, T, h, w] from the forward's result (its `last` tokens). */
ovTensor *ov_clipvip_ritsm_map(ovCLIPViPVision *v, const ovVisionOut *out);

#endif
