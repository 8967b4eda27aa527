/* clip_image.h: OpenAI CLIP's ViT image encoder (`clip/model.py::VisionTransformer`) applied to every
 * frame of a clip, with the per-frame features averaged over time: the image-CLIP baseline of
 * video models. Per frame: conv1 (Conv2d(3, W, p, p), no bias), the class token, the
 * positional_embedding table (resized bicubically for grids other than its own), ln_pre, the
 * residual attention blocks (vision_block.h, sequence first), ln_post of the class token, @ proj.
 *
 * Parameters (under the module named "visual", as in OpenAI's state_dict):
 *     conv1.weight [W,3,p,p], class_embedding [W], positional_embedding [g*g+1, W], ln_pre.*,
 *     transformer.resblocks.i.*, ln_post.*, proj [W, D]
 *
 * Outputs (vision.h): f_frames [B, T, D] per frame, f_v their mean over T; blocks and tokens per
 * frame, [B*T, 1 + h*w, W]; the patch map [B, W, T, h, w] (before ln_post unless asked). */
#ifndef OV_MODELS_CLIP_IMAGE_H
#define OV_MODELS_CLIP_IMAGE_H

#include "models/vision.h"
#include "models/vision_block.h"

typedef struct {
    int64_t width, layers, heads, patch, image_size, output_dim;
} ovCLIPImageCfg;

ovCLIPImageCfg ov_clip_b16_cfg(void); /* ViT-B/16: 768 / 12 / 12, patch 16, 224, 512 */

typedef struct {
    ovModule m; /* "visual" */
    ovCLIPImageCfg cfg;
    int64_t grid;
    ovConv *conv1;
    ovTensor *class_embedding, *positional_embedding, *proj;
    ovLayerNorm *ln_pre, *ln_post;
    ovModule *transformer;
    ovResBlock *resblocks[OV_VISION_MAX_BLOCKS];
} ovCLIPImage;

/* Registers the encoder as `name` ("visual") in parent, initialised like clip/model.py
 * (class and position tables and proj N(0, W^-0.5); blocks as in CLIP.initialize_parameters). */
ovCLIPImage *ov_clip_image_new(ovModule *parent, const char *name, const ovCLIPImageCfg *cfg);

/* x [B,3,T,H,W] normalised with CLIP statistics (T = 1 for still images). */
ovVisionOut ov_clip_image_forward(ovCLIPImage *v, ovTensor *x, const ovVisionOpts *o);
/* The patch map [B, C, T, h, w] of a forward's result, after ln_post when post_norm, @ proj when
 * project. */
ovTensor *ov_clip_image_patch_map(ovCLIPImage *v, const ovVisionOut *out, bool post_norm, bool project);

#endif
