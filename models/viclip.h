/* viclip.h: the whole ViCLIP model (InternVideo `viclip.py::ViCLIP`, specs/vlm-backbones.md §1):
 * the video encoder, the CLIP text encoder and the temperature, as one module tree under the
 * key names of the released checkpoints (§1.6):
 *
 *     vision_encoder.*   ovViCLIPVision (viclip_vision.h)
 *     text_encoder.*     ovTextEncoder, OpenAI layout, context 32 (text.h)
 *     temp               [] the softmax temperature: logits = cos(f_v, f_t) / temp
 *
 * and the video-text contrastive loss it is trained with (VTC_VTM_Loss.vtc_loss): the symmetric
 * InfoNCE, (CE(video -> text) + CE(text -> video)) / 2 over the B x B logits of a batch, where
 * clips that share a caption index are all positives of each other (upstream's `idx`: the target
 * rows are eq(idx, idx^T) normalised to sum to 1, as ALBEF does).
 *
 *     ovViCLIPCfg cfg;
 *     if (ov_viclip_cfg_named("viclip:width=64,layers=2,heads=4,text_width=64", &cfg)) ...error...
 *     ovViCLIP *vc = ov_viclip_new(&cfg, seed);
 *     ovTensor *fv = ov_viclip_encode_video(vc, ov_vision_normalize(OV_VISION_VICLIP, clips01), NULL);
 *     ovTensor *ft = ov_viclip_encode_text(vc, ids);            // ids: ov_tokenize(.., OV_TOK_VICLIP, ..)
 *     ovTensor *loss = ov_viclip_vtc_loss(ov_viclip_logits(vc, fv, ft), idx);
 *     ov_module_free(&vc->m);
 *
 * The temperature (ViCLIP: a raw Parameter, initialised to config.model.temp = 1/100 and clamped
 * in place to >= temp_min = 1/100 before every forward, `clip_contrastive_temperature`). It is
 * kept as that raw parameter (not CLIP's log scale) so that checkpoints load unchanged; its init
 * and clamp are configuration (temp_init, temp_min), because a model trained from scratch needs
 * another start: at 1/100 the logits of random features already span +-100 and the first steps
 * saturate, so the demo starts at CLIP's 0.07 and clamps at 0.01 (the released models' value). */
#ifndef OV_MODELS_VICLIP_H
#define OV_MODELS_VICLIP_H

#include <stdbool.h>
#include <stdint.h>

#include "models/text.h"
#include "models/tokenizer.h"
#include "models/viclip_vision.h"
#include "nn/state.h"

typedef struct {
    ovViCLIPVisionCfg vision;
    ovTextCfg text;     /* OV_TEXT_OPENAI; embed_dim equals the vision tower's output width */
    int frames;         /* frames a clip gets (8) */
    int64_t input;      /* square input side (224) */
    double temp_init;   /* 1/100 (the released models) */
    double temp_min;    /* clamp after each update, 1/100 */
} ovViCLIPCfg;

/* "viclip-b16", "viclip-l14" ("viclip" is B/16), optionally followed by ":key=value,...": the
 * vision sizes of ov_vision_cfg_named (width, layers, heads, patch, image, out, table_frames,
 * frames, input) and the text sizes text_width, text_layers, text_heads, context, vocab. `out` is
 * the joint embedding width (the vision proj and the text_projection). -1 with ov_last_error() on
 * an unknown name or key, or sizes that do not fit together. */
int ov_viclip_cfg_named(const char *name, ovViCLIPCfg *cfg);
/* The name that gives cfg back through ov_viclip_cfg_named (every size spelled out), e.g. for a
 * checkpoint's metadata. */
void ov_viclip_cfg_string(const ovViCLIPCfg *cfg, char *buf, size_t n);

typedef struct {
    ovModule m; /* the root: the checkpoint's top level */
    ovViCLIPCfg cfg;
    ovViCLIPVision *vision; /* "vision_encoder" */
    ovTextEncoder *text;    /* "text_encoder" */
    ovTensor *temp;         /* "temp", 0-dim */
} ovViCLIP;

/* A new model in training mode; `seed` seeds every initialiser. Panics on a configuration that
 * ov_viclip_cfg_named would refuse. */
ovViCLIP *ov_viclip_new(const ovViCLIPCfg *cfg, uint64_t seed);

/* Loads a full checkpoint (every key of §1.6, a DDP "module." prefix dropped) strictly: the report
 * and ov_last_error() name every missing, unexpected or mis-shaped key. 0 or -1. */
int ov_viclip_load(ovViCLIP *vc, const ovTensorDict *sd, const char *source, ovLoadReport *rep);
/* The same from a file: safetensors or a torch.save archive (ViCLIP's {'model': ...} entry). */
int ov_viclip_load_file(ovViCLIP *vc, const char *path, ovLoadReport *rep);
/* Writes the state_dict as safetensors with metadata `config` (ov_viclip_cfg_string) and
 * `format`, plus n_meta extra pairs. 0 or -1. */
int ov_viclip_save(ovViCLIP *vc, const char *path, int n_meta, const char *const *keys, const char *const *values);
/* A model built from a safetensors checkpoint's `config` metadata and loaded from it (strict).
 * NULL with ov_last_error() when the file has no such metadata or does not match it. */
ovViCLIP *ov_viclip_from_file(const char *path, ovLoadReport *rep);

/* f_v / |f_v| [B, D] of clips x [B,3,T,H,W] normalised with ImageNet statistics (opts: the
 * vision forward's, NULL for none). */
ovTensor *ov_viclip_encode_video(ovViCLIP *vc, ovTensor *x, const ovVisionOpts *opts);
/* f_t / |f_t| [n, D] of token ids i64 [n, L <= context] (ViCLIP framing, pad 0). */
ovTensor *ov_viclip_encode_text(ovViCLIP *vc, ovTensor *ids);
/* The same from texts, tokenized with ViCLIP's cleaning at the model's context; NULL with
 * ov_last_error() when a text is not valid UTF-8. */
ovTensor *ov_viclip_encode_texts(ovViCLIP *vc, ovTokenizer *tok, int n, const char *const *texts);

/* fv @ ft^T / temp [B, K] for normalised features (differentiable in temp too). */
ovTensor *ov_viclip_logits(ovViCLIP *vc, ovTensor *fv, ovTensor *ft);
/* The symmetric InfoNCE over square logits [B, B] (row i: clip i against the texts of the batch).
 * idx [B] gives each pair's caption index (equal indices are positives of each other); NULL means
 * every pair is its own, the plain CLIP loss. */
ovTensor *ov_viclip_vtc_loss(ovTensor *logits, const int64_t *idx);
/* temp = max(temp, temp_min), in place without autograd (after each optimizer step). */
void ov_viclip_clamp_temp(ovViCLIP *vc);
double ov_viclip_temp(const ovViCLIP *vc); /* the current value, read back to the host */

#endif
