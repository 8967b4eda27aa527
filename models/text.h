/* text.h: the CLIP text transformer in the two checkpoint layouts the model zoo loads, any width,
 * depth, head count and context (spec: ../shared/specs/vlm-backbones.md 1.3, 1.6, 2;
 * ../shared/specs/openmixer.md 1.3):
 *
 *  OV_TEXT_OPENAI  OpenAI CLIP's `encode_text` and ViCLIP's CLIP_TEXT:
 *                    token_embedding.weight [V, W], positional_embedding [C, W],
 *                    transformer.resblocks.i.{ln_1, attn.{in_proj_weight, in_proj_bias, out_proj},
 *                    ln_2, mlp.{c_fc, c_proj}}, ln_final, text_projection [W, E] (x @ P).
 *                  ViCLIP keeps them under `text_encoder.` (context 32), OpenAI CLIP at the root.
 *  OV_TEXT_HF      Hugging Face CLIPTextTransformer + CLIPModel.text_projection (CLIP-ViP under
 *                  `clipmodel.`, OpenMixer):
 *                    text_model.embeddings.{token_embedding.weight, position_embedding.weight,
 *                    position_ids (buffer)}, text_model.encoder.layers.i.{layer_norm1,
 *                    self_attn.{q,k,v,out}_proj, layer_norm2, mlp.{fc1, fc2}},
 *                    text_model.final_layer_norm, text_projection.weight [E, W] (Linear, no bias).
 *
 * Pre-LN blocks with QuickGELU, LayerNorm eps 1e-5, a causal mask (HF: plus the padding mask),
 * the final norm on every token, and the pooled feature taken at argmax(ids) (the first
 * <|endoftext|>, the largest id) and projected. Parameters are initialised like OpenAI CLIP's
 * initialize_parameters / HF's _init_weights (drawn from the module's seeded generator).
 *
 *     ovTextEncoder *te = ov_text_new(&viclip->m, "text_encoder", &cfg);  // text_encoder.* keys
 *     ovTensor *ids = ov_tokenize(tok, n, texts, &OV_TOK_VICLIP, NULL);
 *     ovTensor *f = ov_text_features(te, ids, NULL);                       // [n, E]
 */
#ifndef OV_TEXT_H
#define OV_TEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "models/tokenizer.h"
#include "nn/layers.h"
#include "tensor/dict.h"

typedef enum { OV_TEXT_OPENAI = 0, OV_TEXT_HF } ovTextLayout;

#define OV_TEXT_MAX_LAYERS 64

typedef struct {
    ovTextLayout layout;
    int64_t vocab;     /* 49408 */
    int64_t context;   /* positions: 77 (CLIP, HF), 32 (ViCLIP) */
    int64_t width;     /* 512 (B/16 text) */
    int64_t layers;    /* 12 */
    int64_t heads;     /* 8 */
    int64_t embed_dim; /* projection output: 512 */
    int64_t mlp;       /* hidden width of the MLP; 0 = 4 * width */
    double eps;        /* LayerNorm eps; 0 = 1e-5 */
} ovTextCfg;

/* The B/16 text towers: ViCLIP-B/16 (OpenAI layout, context 32), OpenAI CLIP ViT-B/16 (OpenAI layout,
 * context 77) and Hugging Face openai/clip-vit-base-patch16 as CLIP-ViP uses it (HF layout, 77). */
extern const ovTextCfg OV_TEXT_VICLIP_B16, OV_TEXT_CLIP_B16, OV_TEXT_CLIPVIP_B16;

/* One pre-LN residual block; the OpenAI names are ln_1/attn/ln_2/mlp, the HF ones
 * layer_norm1/self_attn/layer_norm2/mlp. */
typedef struct {
    ovModule m;
    ovLayerNorm *ln1, *ln2;
    ovMHA *attn;
    ovMLP *mlp;
} ovTextBlock;

/* The layers of one text tower. It is not a module itself: ov_text_build registers the layers
 * under any module (so a model whose checkpoint keeps the text keys at its root, like OpenAI CLIP,
 * can embed it), ov_text_new makes a module that holds one. */
typedef struct {
    ovTextCfg cfg;
    ovEmbedding *token_embedding;
    ovTensor *positional_embedding; /* OPENAI: [C, W] parameter */
    ovEmbedding *position_embedding; /* HF: [C, W] */
    ovTensor *position_ids;         /* HF: i64 buffer [1, C] */
    ovTextBlock *blocks[OV_TEXT_MAX_LAYERS];
    ovLayerNorm *ln_final;          /* ln_final / final_layer_norm */
    ovTensor *text_projection;      /* OPENAI: [W, E], x @ P */
    ovLinear *projection;           /* HF: Linear(W, E, no bias) */
    ovModule *root;                 /* the module the keys are relative to */
} ovTextEncoder;

/* Registers the tower's layers under `at` (OPENAI: token_embedding, positional_embedding,
 * transformer, ln_final, text_projection directly in `at`; HF: children text_model and
 * text_projection of `at`). Panics on a configuration that does not make sense. */
void ov_text_build(ovTextEncoder *te, ovModule *at, const ovTextCfg *cfg);

/* A module named `name` in parent holding one tower (parent NULL: a root module seeded by
 * `seed`, whose keys have no prefix). Free a root with ov_module_free(ov_text_module(te)). */
ovTextEncoder *ov_text_new(ovModule *parent, const char *name, const ovTextCfg *cfg);
ovTextEncoder *ov_text_root(const ovTextCfg *cfg, uint64_t seed);
ovModule *ov_text_module(ovTextEncoder *te);

/* What a forward pass gives. Set `blocks` to an array of cfg.layers pointers to receive each
 * block's output. */
typedef struct {
    ovTensor *embeddings; /* [B, L, W] token + position embeddings (the first block's input) */
    ovTensor **blocks;    /* optional: [B, L, W] output of block i (before the final norm) */
    ovTensor *tokens;     /* [B, L, W] every token after the final LayerNorm */
    ovTensor *pooled;     /* [B, W] the final-norm state at argmax(ids) */
    ovTensor *features;   /* [B, E] pooled @ projection (not normalised) */
} ovTextOut;

/* ids: i64 [B, L] with L <= context (on any device; the EOT positions are read on the host).
 * attention_mask: i64/bool [B, L], 1 on real tokens, or NULL (HF layout only: OpenAI CLIP has no
 * padding mask, and the causal mask makes padding after EOT irrelevant to the pooled feature). */
void ov_text_forward(ovTextEncoder *te, ovTensor *ids, ovTensor *attention_mask, ovTextOut *out);
/* The same from token embeddings [B, L, W] (ov_text_embed_tokens, possibly edited, e.g.
 * OpenMixer's soft prompt) and the ids that locate the EOT. */
ovTensor *ov_text_embed_tokens(ovTextEncoder *te, ovTensor *ids);
void ov_text_forward_embeds(ovTextEncoder *te, ovTensor *tok_embeds, ovTensor *ids, ovTensor *attention_mask,
                            ovTextOut *out);
/* Just the projected pooled features [B, E]. Only the columns up to the last EOT are run (exact:
 * the causal mask keeps later positions out of the pooled token). */
ovTensor *ov_text_features(ovTextEncoder *te, ovTensor *ids, ovTensor *attention_mask);

/* Text features of a vocabulary with prompt averaging (OpenMixer's AMStage): class k has
 * n_captions[k] captions, captions[] lists them class after class. Each class's feature is the
 * plain mean of its captions' unnormalised features, L2-normalised when `normalize`; with
 * `first_only` only the first caption counts (OpenMixer's RITSM). Texts are tokenized with
 * `tok_cfg` and encoded `batch` at a time (0: 256) without recording gradients. Returns [K, E]
 * in the current scope, or NULL with ov_last_error() when a caption is not valid UTF-8. */
typedef struct {
    bool normalize;
    bool first_only;
    int batch;
} ovTextVocabOpts;

ovTensor *ov_text_vocab_features(ovTextEncoder *te, ovTokenizer *tok, const ovTokCfg *tok_cfg, int n_classes,
                                 const int *n_captions, const char *const *captions, const ovTextVocabOpts *opts);

/* Adds the outputs under "<prefix>embeddings", "<prefix>blocks.<i>", "<prefix>tokens",
 * "<prefix>pooled", "<prefix>features" (for `ovad encode --dump`). */
void ov_text_dump(const ovTextEncoder *te, const ovTextOut *out, ovTensorDict *d, const char *prefix);

#endif
