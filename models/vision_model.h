/* vision_model.h: one front for the three video encoders, by name ("viclip-b16", "viclip-l14",
 * "clipvip-b16", "clip-b16") or by configuration: building the module tree under the names of
 * its checkpoints, loading a checkpoint file (safetensors or torch .pth/.pt, nn/pth.h) with only
 * the vision keys selected, normalising clips and running the forward.
 * `ovad encode` and `ovad bench encode` are written with it.
 *
 *     ovVisionModel *vm = ov_vision_model_new_named("viclip-b16", 0);
 *     if (!vm || ov_vision_model_load_file(vm, "ViCLIP-B-16.safetensors", &rep) != 0) ...error...
 *     ovVisionOut o = ov_vision_model_forward(vm, ov_vision_normalize(vm->arch, clip01), &opts);
 *     ov_module_free(&vm->m); */
#ifndef OV_MODELS_VISION_MODEL_H
#define OV_MODELS_VISION_MODEL_H

#include "models/clip_image.h"
#include "models/clipvip_vision.h"
#include "models/viclip_vision.h"
#include "models/vision.h"

typedef struct {
    ovVisionArch arch;
    ovViCLIPVisionCfg viclip;
    ovCLIPViPVisionCfg clipvip;
    ovCLIPImageCfg clip;
    int frames;              /* frames a clip gets by default (8 ViCLIP and CLIP, 12 CLIP-ViP) */
    int64_t input_h, input_w; /* the default input size (224 x 224) */
} ovVisionCfg;

/* The configuration of a released model ("viclip-b16", "viclip-l14", "clipvip-b16", "clip-b16";
 * "viclip", "clipvip", "clip" name the B/16 ones), optionally followed by ":key=value,..." that
 * changes sizes: width, layers, heads, patch, image (the position table's image size), out
 * (projection width), table_frames (ViCLIP's / CLIP-ViP's temporal table), add_cls, mlp
 * (CLIP-ViP), frames (frames a clip gets), input (square input size), e.g.
 * "viclip:width=32,layers=2,heads=4,image=48,table_frames=4,out=24". -1 with ov_last_error(). */
int ov_vision_cfg_named(const char *name, ovVisionCfg *cfg);

typedef struct {
    ovModule m; /* the root: the checkpoint's top level */
    ovVisionArch arch;
    ovVisionCfg cfg;
    ovViCLIPVision *viclip;   /* "vision_encoder" */
    ovCLIPViPVision *clipvip; /* "clipmodel.vision_model" (+ "clipmodel.visual_projection") */
    ovCLIPImage *clip;        /* "visual" */
} ovVisionModel;

/* A new model in training mode, like a torch module (ov_module_train(&vm->m, false) for inference). */
ovVisionModel *ov_vision_model_new(const ovVisionCfg *cfg, uint64_t seed);
ovVisionModel *ov_vision_model_new_named(const char *name, uint64_t seed); /* NULL + ov_last_error() */

/* The checkpoint keys this model reads (after the renames below), e.g. "vision_encoder.". */
int ov_vision_model_prefixes(const ovVisionModel *vm, const char *const **prefixes);

/* Loads the vision weights of a full checkpoint: keys under the model's prefixes are kept (a DDP
 * "module." prefix is dropped; CLIP-ViP also takes Hugging Face CLIP names without `clipmodel.`),
 * position_ids buffers are skipped, and everything else (text tower, temperature) is ignored. The
 * selected keys must match the model exactly (strict): the report and ov_last_error() name every
 * missing, unexpected or mis-shaped one. 0 or -1. */
int ov_vision_model_load(ovVisionModel *vm, const ovTensorDict *sd, const char *source, ovLoadReport *rep);
/* The same from a file: safetensors or a torch.save archive (ov_weights_load: ViCLIP's
 * {'model': state_dict} entry is found by itself). */
int ov_vision_model_load_file(ovVisionModel *vm, const char *path, ovLoadReport *rep);

ovVisionOut ov_vision_model_forward(ovVisionModel *vm, ovTensor *x, const ovVisionOpts *o);

/* The patch map [B, C, T, h, w] of a forward's result, after the final norm when post_norm,
 * projected when project. */
ovTensor *ov_vision_model_patch_map(ovVisionModel *vm, const ovVisionOut *out, bool post_norm, bool project);

/* Puts a forward's intermediates into d under the names the dumps and fixtures use: embed, pre,
 * block.i (when kept), last_hidden, f_v, f_frames (CLIP), and the patch maps patch_map (before the
 * final norm), patch_map_ln, patch_map_proj (norm, projection), patch_map_projraw (projection
 * only), ritsm (CLIP-ViP); with text features [K, D] also patch_text_sim [B, K, T, h, w] (cosine
 * with patch_map_proj) and text_logits [B, K] (cosine with f_v). Block and token tensors are put
 * as contiguous copies. */
void ov_vision_model_dump(ovVisionModel *vm, const ovVisionOut *out, ovTensor *text, ovTensorDict *d);

/* The output projection's width D (f_v's size). */
int64_t ov_vision_model_dim(const ovVisionModel *vm);

#endif
