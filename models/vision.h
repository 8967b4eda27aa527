/* vision.h: what the video encoders of the model zoo (ViCLIP, CLIP-ViP, OpenAI CLIP per frame)
 * share: the options and outputs of a forward pass, each model's input normalisation, the
 * resizing of learned position tables to other grids and frame counts, the patch feature map
 * [B,C,T,h,w] and patch-text similarity maps (specs/vlm-backbones.md §1-2, openmixer.md §1.2, §1.5).
 *
 * Every encoder takes a batch of clips x [B,3,T,H,W] (the [C,T,H,W] clips of data/transform.h,
 * stacked), already normalised with its model's statistics (ov_vision_normalize), and returns an
 * ovVisionOut. Everything is written with public ops, so it runs on the CPU and on CUDA and
 * differentiates. */
#ifndef OV_MODELS_VISION_H
#define OV_MODELS_VISION_H

#include <stdbool.h>
#include <stdint.h>

#include "data/transform.h"
#include "nn/state.h"
#include "tensor/dict.h"
#include "tensor/tensor.h"

typedef enum {
    OV_VISION_VICLIP = 0, /* ViCLIP: ImageNet mean/std */
    OV_VISION_CLIPVIP,    /* CLIP-ViP: CLIP mean/std */
    OV_VISION_CLIP,       /* OpenAI CLIP image encoder per frame: CLIP mean/std */
} ovVisionArch;

/* The statistics each model was trained with (data/transform.h's ovNorm, no BGR quirk). */
ovNorm ov_vision_norm(ovVisionArch arch);
/* (x - mean[c]) / std[c] on f32 pixels in [0, 1], laid out [C,T,H,W] (or [C,H,W]) or batched
 * [B,C,T,H,W]: channel dim 0 for 3-4 dims, dim 1 for 5. Runs on x's device. */
ovTensor *ov_vision_normalize(ovVisionArch arch, ovTensor *x);

/* Options of a forward pass (NULL: none, an empty patch map request, no block outputs). */
typedef struct {
    bool patch_map;       /* fill out->patch_map */
    bool patch_post_norm; /* the final LayerNorm (ln_post / post_layernorm) on the patch tokens */
    bool patch_project;   /* the output projection on the patch tokens (after the norm when both) */
    bool keep_blocks;     /* fill out->blocks[] with every block's output */
    /* ViCLIP in training mode: drop int(p * N*T) patch tokens per clip before the blocks
     * (InternVideo's mask_tokens). No patch map then. */
    double masking_prob;
} ovVisionOpts;

#define OV_VISION_MAX_BLOCKS 48

/* Results, all in the caller's scope. Token tensors are batch first, [B, L, W] (the CLIP image
 * encoder's are per frame, [B*T, 1+h*w, W]), whatever layout the model computes in. */
typedef struct {
    ovTensor *embed;   /* tokens with class and position embeddings, before the pre-norm */
    ovTensor *pre;     /* after ln_pre / pre_layrnorm: the first block's input */
    int n_blocks;
    ovTensor *blocks[OV_VISION_MAX_BLOCKS]; /* each block's output (opts.keep_blocks) */
    ovTensor *last;    /* the last block's output, before the final norm */
    ovTensor *f_v;     /* [B, D] the video feature: final norm of the class token, projected */
    ovTensor *f_frames; /* CLIP per frame: [B, T, D] per-frame features, f_v is their mean */
    ovTensor *patch_map; /* [B, C, T, h, w] (opts.patch_map), contiguous */
    ovTensor *kept;    /* ViCLIP masking: [B, Lk] i64 indices of the patch tokens kept, ascending */
    int64_t T, h, w;   /* the token grid */
} ovVisionOut;

/* ---- position tables ---- */

/* A square table of g*g rows [g*g, W] (row y*g + x) resized to an h x w grid [h*w, W] with
 * F.interpolate(mode="bicubic", align_corners=False) on its [1, W, g, g] image, as ViCLIP's
 * load_state_dict and OpenMixer's interpolate_pos_embed_online do; the table itself when the grid
 * is g x g. */
ovTensor *ov_pos_table_resize(ovTensor *table, int64_t h, int64_t w);
/* A temporal table [1, n, W] for T frames: itself when T == n; F.interpolate(mode="linear",
 * align_corners=False) along the frames otherwise (CLIP-ViP's rule, and ViCLIP's when it
 * interpolates). */
ovTensor *ov_temporal_table_resize(ovTensor *table, int64_t T);

/* ---- feature maps ---- */

/* [B, L, C] patch tokens in time-major order (index t*h*w + y*w + x: CLIP-ViP, per-frame CLIP
 * after reshaping) or space-major order (index (y*w + x)*T + t: ViCLIP) to the map [B,C,T,h,w],
 * contiguous. */
ovTensor *ov_tokens_to_map(ovTensor *tokens, int64_t T, int64_t h, int64_t w, bool space_major);
/* Cosine similarity of every position of a map [B,D,T,h,w] with K text features [K,D]: both L2
 * normalised along D (F.normalize, eps 1e-12), giving [B,K,T,h,w]. */
ovTensor *ov_patch_text_similarity(ovTensor *map, ovTensor *text);

/* ---- checkpoints ---- */

/* The entries of d whose names start with one of the prefixes, renamed by the first matching
 * (from, to) pair of `renames` (n_renames of them) before the test, with names ending in
 * `drop_suffix` (may be NULL) left out. The tensors are shared, not copied. */
ovTensorDict *ov_dict_select(const ovTensorDict *d, int n_prefixes, const char *const *prefixes, int n_renames,
                             const ovRename *renames, const char *drop_suffix);

#endif
