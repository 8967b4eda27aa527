/* vision_model.c: the three video encoders behind one front (see vision_model.h). */
#include "models/vision_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/ops.h"
#include "nn/pth.h"
#include "tensor/error.h"

/* The sizes a name can change, as pointers into the configuration of its architecture (NULL
 * where that architecture has no such size). */
typedef struct {
    const char *key;
    int64_t *slot;
} Size;

static int sizes_of(ovVisionCfg *c, Size *s) {
    ovViCLIPVisionCfg *v = &c->viclip;
    ovCLIPViPVisionCfg *p = &c->clipvip;
    ovCLIPImageCfg *i = &c->clip;
    int n = 0;
    switch (c->arch) {
    case OV_VISION_VICLIP:
        s[n++] = (Size){"width", &v->width}, s[n++] = (Size){"layers", &v->layers}, s[n++] = (Size){"heads", &v->heads};
        s[n++] = (Size){"patch", &v->patch}, s[n++] = (Size){"image", &v->image_size}, s[n++] = (Size){"out", &v->output_dim};
        s[n++] = (Size){"table_frames", &v->frames};
        break;
    case OV_VISION_CLIPVIP:
        s[n++] = (Size){"width", &p->width}, s[n++] = (Size){"layers", &p->layers}, s[n++] = (Size){"heads", &p->heads};
        s[n++] = (Size){"patch", &p->patch}, s[n++] = (Size){"image", &p->image_size}, s[n++] = (Size){"out", &p->output_dim};
        s[n++] = (Size){"table_frames", &p->temporal_size}, s[n++] = (Size){"add_cls", &p->add_cls};
        s[n++] = (Size){"mlp", &p->mlp};
        break;
    case OV_VISION_CLIP:
        s[n++] = (Size){"width", &i->width}, s[n++] = (Size){"layers", &i->layers}, s[n++] = (Size){"heads", &i->heads};
        s[n++] = (Size){"patch", &i->patch}, s[n++] = (Size){"image", &i->image_size}, s[n++] = (Size){"out", &i->output_dim};
        break;
    }
    return n;
}

static int64_t size_named(ovVisionCfg *c, const char *key) {
    Size s[16];
    int n = sizes_of(c, s);
    for (int k = 0; k < n; k++)
        if (!strcmp(s[k].key, key)) return *s[k].slot;
    return 0;
}

/* "key=value,key=value" over a named base configuration (see vision_model.h). */
static int apply_overrides(ovVisionCfg *cfg, const char *spec, const char *name) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    Size s[16];
    int n = sizes_of(cfg, s);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '='), *end = NULL;
        long long v = eq ? strtoll(eq + 1, &end, 10) : 0;
        if (!eq || end == eq + 1 || *end || v < 0 || v > (1 << 20)) return ov_error("model '%s': '%s' is not key=integer", name, kv);
        *eq = 0;
        int k = 0;
        while (k < n && strcmp(s[k].key, kv)) k++;
        if (k < n) *s[k].slot = v;
        else if (!strcmp(kv, "frames")) cfg->frames = (int)v;
        else if (!strcmp(kv, "input")) cfg->input_h = cfg->input_w = v;
        else
            return ov_error("model '%s': unknown or inapplicable key '%s' (width, layers, heads, patch, image, out, "
                            "table_frames, add_cls, mlp, frames, input)", name, kv);
    }
    return 0;
}

int ov_vision_cfg_named(const char *name, ovVisionCfg *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->input_h = cfg->input_w = 224;
    cfg->frames = 8;
    char base[64];
    const char *colon = strchr(name, ':');
    snprintf(base, sizeof base, "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
    if (!strcmp(base, "viclip-b16") || !strcmp(base, "viclip-l14") || !strcmp(base, "viclip")) {
        cfg->arch = OV_VISION_VICLIP;
        cfg->viclip = strcmp(base, "viclip-l14") ? ov_viclip_b16_cfg() : ov_viclip_l14_cfg();
    } else if (!strcmp(base, "clipvip-b16") || !strcmp(base, "clipvip")) {
        cfg->arch = OV_VISION_CLIPVIP;
        cfg->clipvip = ov_clipvip_b16_cfg();
        cfg->frames = 12;
    } else if (!strcmp(base, "clip-b16") || !strcmp(base, "clip")) {
        cfg->arch = OV_VISION_CLIP;
        cfg->clip = ov_clip_b16_cfg();
    } else {
        return ov_error("unknown vision model '%s' (known: viclip-b16, viclip-l14, clipvip-b16, clip-b16, each optionally "
                        "followed by :key=value,... to change its sizes)", name);
    }
    if (colon && apply_overrides(cfg, colon + 1, name) != 0) return -1;
    int64_t w = size_named(cfg, "width"), h = size_named(cfg, "heads"), p = size_named(cfg, "patch");
    int64_t img = size_named(cfg, "image"), layers = size_named(cfg, "layers");
    if (w < 1 || h < 1 || w % h || p < 1 || img < p || cfg->frames < 1 || cfg->input_h < p || layers > OV_VISION_MAX_BLOCKS)
        return ov_error("model '%s': width %lld must be a multiple of heads %lld, image %lld and input %lld at least the "
                        "patch %lld, layers at most %d",
                        name, (long long)w, (long long)h, (long long)img, (long long)cfg->input_h, (long long)p,
                        OV_VISION_MAX_BLOCKS);
    return 0;
}

ovVisionModel *ov_vision_model_new(const ovVisionCfg *cfg, uint64_t seed) {
    ovVisionModel *vm = ov_module_root(sizeof *vm, "VisionModel", seed);
    vm->arch = cfg->arch;
    vm->cfg = *cfg;
    switch (cfg->arch) {
    case OV_VISION_VICLIP: vm->viclip = ov_viclip_vision_new(&vm->m, "vision_encoder", &cfg->viclip); break;
    case OV_VISION_CLIPVIP: {
        ovModule *clipmodel = ov_module_new(&vm->m, "clipmodel", sizeof(ovModule), "CLIPModel");
        vm->clipvip = ov_clipvip_vision_new(clipmodel, &cfg->clipvip);
        break;
    }
    case OV_VISION_CLIP: vm->clip = ov_clip_image_new(&vm->m, "visual", &cfg->clip); break;
    }
    return vm;
}

ovVisionModel *ov_vision_model_new_named(const char *name, uint64_t seed) {
    ovVisionCfg cfg;
    return ov_vision_cfg_named(name, &cfg) == 0 ? ov_vision_model_new(&cfg, seed) : NULL;
}

static const char *const viclip_prefixes[] = {"vision_encoder."};
static const char *const clipvip_prefixes[] = {"clipmodel.vision_model.", "clipmodel.visual_projection."};
static const char *const clip_prefixes[] = {"visual."};

int ov_vision_model_prefixes(const ovVisionModel *vm, const char *const **prefixes) {
    switch (vm->arch) {
    case OV_VISION_VICLIP: *prefixes = viclip_prefixes; return 1;
    case OV_VISION_CLIPVIP: *prefixes = clipvip_prefixes; return 2;
    default: *prefixes = clip_prefixes; return 1;
    }
}

int ov_vision_model_load(ovVisionModel *vm, const ovTensorDict *sd, const char *source, ovLoadReport *rep) {
    static const ovRename renames[] = {
        {"module.", ""}, /* saved from DistributedDataParallel */
        {"vision_model.", "clipmodel.vision_model."},           /* Hugging Face CLIP names */
        {"visual_projection.", "clipmodel.visual_projection."},
    };
    const char *const *prefixes;
    int np = ov_vision_model_prefixes(vm, &prefixes);
    int nr = vm->arch == OV_VISION_CLIPVIP ? 3 : 1;
    ov_scope_begin();
    ovTensorDict *sel = ov_dict_select(sd, np, prefixes, nr, renames, "position_ids");
    int rc = 0;
    if (sel->n == 0) {
        ov_error("%s: no key starts with %s%s (its first key is '%s'): not a checkpoint of this model", source, prefixes[0],
                 np > 1 ? " or the other vision prefixes" : "", sd->n ? sd->names[0] : "(none: the file is empty)");
        rc = -1;
    } else {
        ovLoadReport local;
        rc = ov_module_load(&vm->m, sel, &(ovLoadOpts){.strict = true}, source, rep ? rep : &local);
    }
    ov_scope_end();
    return rc;
}

int ov_vision_model_load_file(ovVisionModel *vm, const char *path, ovLoadReport *rep) {
    ov_scope_begin();
    ovTensorDict *sd = ov_weights_load(path, NULL, NULL); /* safetensors or torch.save; ViCLIP's 'model' entry */
    int rc = sd ? ov_vision_model_load(vm, sd, path, rep) : -1;
    ov_scope_end();
    return rc;
}

ovVisionOut ov_vision_model_forward(ovVisionModel *vm, ovTensor *x, const ovVisionOpts *o) {
    switch (vm->arch) {
    case OV_VISION_VICLIP: return ov_viclip_vision_forward(vm->viclip, x, o);
    case OV_VISION_CLIPVIP: return ov_clipvip_vision_forward(vm->clipvip, x, o);
    default: return ov_clip_image_forward(vm->clip, x, o);
    }
}

int64_t ov_vision_model_dim(const ovVisionModel *vm) {
    switch (vm->arch) {
    case OV_VISION_VICLIP: return vm->cfg.viclip.output_dim ? vm->cfg.viclip.output_dim : vm->cfg.viclip.width;
    case OV_VISION_CLIPVIP: return vm->cfg.clipvip.output_dim;
    default: return vm->cfg.clip.output_dim;
    }
}

ovTensor *ov_vision_model_patch_map(ovVisionModel *vm, const ovVisionOut *out, bool post_norm, bool project) {
    switch (vm->arch) {
    case OV_VISION_VICLIP: return ov_viclip_patch_map(vm->viclip, out, post_norm, project);
    case OV_VISION_CLIPVIP: return ov_clipvip_patch_map(vm->clipvip, out, post_norm, project);
    default: return ov_clip_image_patch_map(vm->clip, out, post_norm, project);
    }
}

void ov_vision_model_dump(ovVisionModel *vm, const ovVisionOut *out, ovTensor *text, ovTensorDict *d) {
    ov_dict_set(d, "embed", ov_contiguous(out->embed));
    ov_dict_set(d, "pre", ov_contiguous(out->pre));
    for (int i = 0; i < out->n_blocks; i++) {
        if (!out->blocks[i]) continue;
        char name[32];
        snprintf(name, sizeof name, "block.%d", i);
        ov_dict_set(d, name, ov_contiguous(out->blocks[i]));
    }
    ov_dict_set(d, "last_hidden", ov_contiguous(out->last));
    ov_dict_set(d, "f_v", out->f_v);
    if (out->f_frames) ov_dict_set(d, "f_frames", out->f_frames);
    if (out->kept) {
        ov_dict_set(d, "kept", out->kept);
        return; /* masked tokens make no map */
    }
    ovTensor *proj = ov_vision_model_patch_map(vm, out, true, true);
    ov_dict_set(d, "patch_map", ov_vision_model_patch_map(vm, out, false, false));
    ov_dict_set(d, "patch_map_ln", ov_vision_model_patch_map(vm, out, true, false));
    ov_dict_set(d, "patch_map_proj", proj);
    ov_dict_set(d, "patch_map_projraw", ov_vision_model_patch_map(vm, out, false, true));
    if (vm->arch == OV_VISION_CLIPVIP) ov_dict_set(d, "ritsm", ov_clipvip_ritsm_map(vm->clipvip, out));
    if (text) {
        ov_dict_set(d, "patch_text_sim", ov_patch_text_similarity(proj, text));
        ovTensor *v = ov_normalize(out->f_v, 1, 1e-12), *t = ov_normalize(text, 1, 1e-12);
        ov_dict_set(d, "text_logits", ov_matmul(v, ov_transpose(t, 0, 1)));
    }
}
