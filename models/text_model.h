/* text_model.h: the text tower that goes with each video encoder of the zoo, taken out of the
 * model's own checkpoint: where its keys live, its layout and tokenizer, and its sizes read off
 * the checkpoint's shapes (so reduced test models and released ones load the same way).
 *
 *   viclip   `text_encoder.*`, OpenAI layout, context 32, ViCLIP's tokenizer framing
 *   clip     the root keys of OpenAI CLIP (token_embedding, positional_embedding, transformer.*,
 *            ln_final, text_projection), context 77
 *   clipvip  `clipmodel.text_model.*` + `clipmodel.text_projection.*` (or the same names without
 *            `clipmodel.`, as Hugging Face CLIP saves them), HF layout, context 77, padding mask
 *
 * The tower is a root module whose keys are the checkpoint's with the prefix removed
 * (ov_text_module(te) is what to free). `ovad encode --text` is written with it. */
#ifndef OV_MODELS_TEXT_MODEL_H
#define OV_MODELS_TEXT_MODEL_H

#include "models/text.h"
#include "models/vision.h"

/* The layout, prefix and tokenizer framing of arch's text tower. */
ovTextLayout ov_text_layout_of(ovVisionArch arch);
const ovTokCfg *ov_text_tok_cfg_of(ovVisionArch arch);

/* A tower's sizes from its weights (names relative to the tower, as the module has them):
 * vocab and width from the token embedding, context from the position table, layers from the
 * block count, MLP width and output width from their matrices. Weights do not say the head count:
 * `heads` gives it, or 0 for CLIP's rule width / 64 (every released tower follows it), which
 * fails when width is not a multiple of 64. 0, or -1 with ov_last_error() naming `source` and the
 * missing or inconsistent key. */
int ov_text_cfg_from_state(const ovTensorDict *sd, ovTextLayout layout, int64_t heads, const char *source, ovTextCfg *cfg);

/* The text tower of arch in a full checkpoint (vision keys and the rest are ignored; a DDP
 * `module.` prefix is dropped), built at the checkpoint's sizes and loaded strictly. NULL with
 * ov_last_error() when the checkpoint has no text tower or it does not load (every mismatched key
 * is in the message). */
ovTextEncoder *ov_text_model_load(ovVisionArch arch, const ovTensorDict *sd, int64_t heads, const char *source);

/* The released B/16 tower of arch with seeded random weights and an output width of embed_dim. */
ovTextEncoder *ov_text_model_random(ovVisionArch arch, int64_t embed_dim, uint64_t seed);

#endif
