/* text_model.c: the text tower of a ViCLIP / CLIP / CLIP-ViP checkpoint (text_model.h): key
 * selection, sizes from shapes, strict loading. The key names are those of the spec's tables
 * (../shared/specs/vlm-backbones.md 1.3, 1.6, 2). */
#include "models/text_model.h"

#include <stdio.h>
#include <string.h>

#include "nn/state.h"
#include "tensor/error.h"
#include "tensor/scope.h"

ovTextLayout ov_text_layout_of(ovVisionArch arch) { return arch == OV_VISION_CLIPVIP ? OV_TEXT_HF : OV_TEXT_OPENAI; }

const ovTokCfg *ov_text_tok_cfg_of(ovVisionArch arch) {
    switch (arch) {
    case OV_VISION_VICLIP: return &OV_TOK_VICLIP;
    case OV_VISION_CLIPVIP: return &OV_TOK_CLIPVIP;
    default: return &OV_TOK_CLIP;
    }
}

/* The shape of sd[name] when it is a matrix-like tensor of `ndim` dims, else NULL. */
static const int64_t *shape_of(const ovTensorDict *sd, const char *name, int ndim) {
    const ovTensor *t = ov_dict_get(sd, name);
    return t && t->ndim == ndim ? t->shape : NULL;
}

int ov_text_cfg_from_state(const ovTensorDict *sd, ovTextLayout layout, int64_t heads, const char *source, ovTextCfg *cfg) {
    bool openai = layout == OV_TEXT_OPENAI;
    const char *tok = openai ? "token_embedding.weight" : "text_model.embeddings.token_embedding.weight";
    const char *pos = openai ? "positional_embedding" : "text_model.embeddings.position_embedding.weight";
    const char *proj = openai ? "text_projection" : "text_projection.weight";
    const char *block = openai ? "transformer.resblocks.%d.ln_1.weight" : "text_model.encoder.layers.%d.layer_norm1.weight";
    const char *fc = openai ? "transformer.resblocks.0.mlp.c_fc.weight" : "text_model.encoder.layers.0.mlp.fc1.weight";
    const int64_t *t = shape_of(sd, tok, 2), *p = shape_of(sd, pos, 2), *pr = shape_of(sd, proj, 2);
    const char *missing = !t ? tok : !p ? pos : !pr ? proj : NULL;
    if (missing) return ov_error("%s: the text tower needs a 2-d '%s' and has %s", source, missing,
                                 ov_dict_get(sd, missing) ? "one of another rank" : "none");
    int64_t W = t[1], E = openai ? pr[1] : pr[0], projW = openai ? pr[0] : pr[1];
    if (p[1] != W || projW != W)
        return ov_error("%s: the text tower's widths disagree: token embedding %lld, position table %lld, projection input %lld",
                        source, (long long)W, (long long)p[1], (long long)projW);
    int layers = 0;
    for (char k[160]; layers <= OV_TEXT_MAX_LAYERS; layers++) {
        snprintf(k, sizeof k, block, layers);
        if (!ov_dict_get(sd, k)) break;
    }
    if (layers > OV_TEXT_MAX_LAYERS) return ov_error("%s: the text tower has more than %d blocks", source, OV_TEXT_MAX_LAYERS);
    const int64_t *f = layers ? shape_of(sd, fc, 2) : NULL;
    if (layers && !f) return ov_error("%s: the text tower's first block has no 2-d '%s'", source, fc);
    if (heads <= 0) {
        if (W % 64) return ov_error("%s: the text width %lld is not a multiple of 64, so CLIP's rule (heads = width / 64) "
                                    "does not give the head count: pass it (--text-heads)", source, (long long)W);
        heads = W / 64;
    }
    if (W % heads) return ov_error("%s: the text width %lld is not divisible by %lld heads", source, (long long)W, (long long)heads);
    *cfg = (ovTextCfg){layout, t[0], p[0], W, layers, heads, E, f && f[0] != 4 * W ? f[0] : 0, 0};
    return 0;
}

/* The tower's keys of a full checkpoint, renamed relative to the tower. */
static ovTensorDict *select_text(ovVisionArch arch, const ovTensorDict *sd) {
    static const ovRename ddp[] = {{"module.", ""}};
    static const char *const openai_root[] = {"token_embedding.", "positional_embedding", "transformer.", "ln_final.",
                                              "text_projection"};
    static const char *const hf[] = {"text_model.", "text_projection."};
    static const char *const all[] = {""};
    ovTensorDict *d = ov_dict_select(sd, 1, all, 1, ddp, NULL);
    switch (arch) {
    case OV_VISION_VICLIP: {
        static const char *const pre[] = {"text_encoder."};
        static const ovRename strip[] = {{"text_encoder.", ""}};
        return ov_dict_select(ov_dict_select(d, 1, pre, 0, NULL, NULL), 1, all, 1, strip, NULL);
    }
    case OV_VISION_CLIPVIP: {
        static const ovRename strip[] = {{"clipmodel.", ""}};
        return ov_dict_select(d, 2, hf, 1, strip, NULL);
    }
    default: return ov_dict_select(d, 5, openai_root, 0, NULL, NULL);
    }
}

ovTextEncoder *ov_text_model_load(ovVisionArch arch, const ovTensorDict *sd, int64_t heads, const char *source) {
    ovTextCfg cfg;
    ovTextEncoder *te = NULL;
    ov_scope_begin();
    ovTensorDict *sel = select_text(arch, sd);
    if (sel->n == 0) {
        ov_error("%s: no text tower in the checkpoint (no key under %s)", source,
                 arch == OV_VISION_VICLIP ? "text_encoder." : arch == OV_VISION_CLIPVIP ? "clipmodel.text_model." : "transformer.");
    } else if (ov_text_cfg_from_state(sel, ov_text_layout_of(arch), heads, source, &cfg) == 0) {
        te = ov_text_root(&cfg, 0);
        /* position_ids is a buffer Hugging Face stopped saving; the module's own is the same arange */
        if (te->position_ids && !ov_dict_get(sel, "text_model.embeddings.position_ids"))
            ov_dict_set(sel, "text_model.embeddings.position_ids", te->position_ids);
        ovLoadReport rep;
        if (ov_module_load(ov_text_module(te), sel, &(ovLoadOpts){.strict = true}, source, &rep) != 0) {
            ov_module_free(ov_text_module(te));
            te = NULL;
        } else {
            ov_module_train(ov_text_module(te), false);
        }
    }
    ov_scope_end();
    return te;
}

ovTextEncoder *ov_text_model_random(ovVisionArch arch, int64_t embed_dim, uint64_t seed) {
    ovTextCfg cfg = arch == OV_VISION_VICLIP ? OV_TEXT_VICLIP_B16 : arch == OV_VISION_CLIPVIP ? OV_TEXT_CLIPVIP_B16 : OV_TEXT_CLIP_B16;
    cfg.embed_dim = embed_dim;
    ovTextEncoder *te = ov_text_root(&cfg, seed);
    ov_module_train(ov_text_module(te), false);
    return te;
}
