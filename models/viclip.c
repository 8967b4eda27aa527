/* viclip.c: the whole ViCLIP model (InternVideo viclip.py::ViCLIP and criterions.py::vtc_loss);
 * see viclip.h. */
#include "models/viclip.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "models/vision_model.h"
#include "nn/init.h"
#include "nn/loss.h"
#include "nn/pth.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

/* The text sizes a name can change (the vision ones go to ov_vision_cfg_named). */
static int64_t *text_slot(ovTextCfg *t, const char *key) {
    if (!strcmp(key, "text_width")) return &t->width;
    if (!strcmp(key, "text_layers")) return &t->layers;
    if (!strcmp(key, "text_heads")) return &t->heads;
    if (!strcmp(key, "context")) return &t->context;
    if (!strcmp(key, "vocab")) return &t->vocab;
    return NULL;
}

int ov_viclip_cfg_named(const char *name, ovViCLIPCfg *cfg) {
    memset(cfg, 0, sizeof *cfg);
    const char *colon = strchr(name, ':');
    char base[64], vision[512], spec[512];
    snprintf(base, sizeof base, "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
    if (strcmp(base, "viclip") && strcmp(base, "viclip-b16") && strcmp(base, "viclip-l14"))
        return ov_error("unknown ViCLIP model '%s' (known: viclip-b16, viclip-l14, each optionally followed by "
                        ":key=value,... to change its sizes)", name);
    bool large = !strcmp(base, "viclip-l14");
    /* ViCLIP-B/16: text 512 / 12 / 8; L/14: 768 / 12 / 12 (specs/vlm-backbones.md §1.1) */
    cfg->text = OV_TEXT_VICLIP_B16;
    if (large) cfg->text.width = 768, cfg->text.heads = 12;
    /* the text keys are taken out here, the rest goes to the vision parser */
    int nv = snprintf(vision, sizeof vision, "%s", base);
    snprintf(spec, sizeof spec, "%s", colon ? colon + 1 : "");
    char sep = ':';
    for (char *save = NULL, *kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '='), *end = NULL;
        if (eq) *eq = 0;
        int64_t *slot = eq ? text_slot(&cfg->text, kv) : NULL;
        if (!slot) {
            if (eq) *eq = '=';
            nv += snprintf(vision + nv, sizeof vision - (size_t)nv, "%c%s", sep, kv);
            sep = ',';
            continue;
        }
        long long v = strtoll(eq + 1, &end, 10);
        if (end == eq + 1 || *end || v < 1 || v > (1 << 20)) return ov_error("model '%s': '%s' wants a positive integer", name, kv);
        *slot = v;
    }
    ovVisionCfg vc;
    if (ov_vision_cfg_named(vision, &vc) != 0) return -1;
    cfg->vision = vc.viclip;
    cfg->frames = vc.frames;
    cfg->input = vc.input_h;
    cfg->text.embed_dim = cfg->vision.output_dim ? cfg->vision.output_dim : cfg->vision.width;
    cfg->temp_init = cfg->temp_min = 0.01;
    const ovTextCfg *t = &cfg->text;
    if (t->width % t->heads || t->layers > OV_TEXT_MAX_LAYERS || cfg->input % cfg->vision.patch)
        return ov_error("model '%s': text_width %" PRId64 " must be a multiple of text_heads %" PRId64 ", text_layers at "
                        "most %d, input %" PRId64 " a multiple of the patch %" PRId64,
                        name, t->width, t->heads, OV_TEXT_MAX_LAYERS, cfg->input, cfg->vision.patch);
    return 0;
}

void ov_viclip_cfg_string(const ovViCLIPCfg *c, char *buf, size_t n) {
    const ovViCLIPVisionCfg *v = &c->vision;
    const ovTextCfg *t = &c->text;
    snprintf(buf, n,
             "viclip:width=%" PRId64 ",layers=%" PRId64 ",heads=%" PRId64 ",patch=%" PRId64 ",image=%" PRId64
             ",table_frames=%" PRId64 ",out=%" PRId64 ",frames=%d,input=%" PRId64 ",text_width=%" PRId64
             ",text_layers=%" PRId64 ",text_heads=%" PRId64 ",context=%" PRId64 ",vocab=%" PRId64,
             v->width, v->layers, v->heads, v->patch, v->image_size, v->frames, v->output_dim, c->frames, c->input,
             t->width, t->layers, t->heads, t->context, t->vocab);
}

static void describe(const ovModule *m, char *buf, size_t n) {
    ov_viclip_cfg_string(&((const ovViCLIP *)m)->cfg, buf, n);
}

ovViCLIP *ov_viclip_new(const ovViCLIPCfg *cfg, uint64_t seed) {
    ovViCLIP *vc = ov_module_root(sizeof *vc, "ViCLIP", seed);
    vc->m.describe = describe;
    vc->cfg = *cfg;
    vc->cfg.text.layout = OV_TEXT_OPENAI;
    vc->cfg.text.embed_dim = cfg->vision.output_dim ? cfg->vision.output_dim : cfg->vision.width;
    /* registration order of ViCLIP.__init__: vision_encoder, text_encoder, temp */
    vc->vision = ov_viclip_vision_new(&vc->m, "vision_encoder", &vc->cfg.vision);
    vc->text = ov_text_new(&vc->m, "text_encoder", &vc->cfg.text);
    vc->temp = ov_param(&vc->m, "temp", 0, (int64_t[]){1});
    ov_init_constant(vc->temp, cfg->temp_init);
    return vc;
}

int ov_viclip_load(ovViCLIP *vc, const ovTensorDict *sd, const char *source, ovLoadReport *rep) {
    static const ovRename renames[] = {{"module.", ""}}; /* saved from DistributedDataParallel */
    ovLoadReport local;
    return ov_module_load(&vc->m, sd, &(ovLoadOpts){.strict = true, .renames = renames, .n_renames = 1}, source,
                          rep ? rep : &local);
}

int ov_viclip_load_file(ovViCLIP *vc, const char *path, ovLoadReport *rep) {
    ov_scope_begin();
    ovTensorDict *sd = ov_weights_load(path, NULL, NULL);
    int rc = sd ? ov_viclip_load(vc, sd, path, rep) : -1;
    ov_scope_end();
    return rc;
}

int ov_viclip_save(ovViCLIP *vc, const char *path, int n_meta, const char *const *keys, const char *const *values) {
    char config[512];
    ov_viclip_cfg_string(&vc->cfg, config, sizeof config);
    const char **k = malloc(sizeof *k * (size_t)(n_meta + 2)), **v = malloc(sizeof *v * (size_t)(n_meta + 2));
    k[0] = "format", v[0] = "ViCLIP state_dict (ovad)";
    k[1] = "config", v[1] = config;
    for (int i = 0; i < n_meta; i++) k[i + 2] = keys[i], v[i + 2] = values[i];
    ov_scope_begin();
    int rc = ov_dict_save_safetensors(ov_module_state(&vc->m, true), path, n_meta + 2, k, v);
    ov_scope_end();
    free(k), free(v);
    return rc;
}

ovViCLIP *ov_viclip_from_file(const char *path, ovLoadReport *rep) {
    ovSafetensors *st = ov_st_open(path);
    if (!st) return NULL;
    ovViCLIPCfg cfg;
    const char *config = ov_st_meta(st, "config");
    int rc = config ? ov_viclip_cfg_named(config, &cfg)
                    : ov_error("%s: no 'config' metadata (not written by ov_viclip_save); build the model by name and "
                               "use ov_viclip_load_file", path);
    ov_st_close(st);
    if (rc) return NULL;
    ovViCLIP *vc = ov_viclip_new(&cfg, 0);
    if (ov_viclip_load_file(vc, path, rep) == 0) return vc;
    ov_module_free(&vc->m);
    return NULL;
}

ovTensor *ov_viclip_encode_video(ovViCLIP *vc, ovTensor *x, const ovVisionOpts *opts) {
    return ov_normalize(ov_viclip_vision_forward(vc->vision, x, opts).f_v, -1, 1e-12);
}

ovTensor *ov_viclip_encode_text(ovViCLIP *vc, ovTensor *ids) {
    return ov_normalize(ov_text_features(vc->text, ids, NULL), -1, 1e-12);
}

ovTensor *ov_viclip_encode_texts(ovViCLIP *vc, ovTokenizer *tok, int n, const char *const *texts) {
    ovTokCfg tc = OV_TOK_VICLIP;
    tc.context = (int)vc->cfg.text.context;
    ovTensor *ids = ov_tokenize(tok, n, texts, &tc, NULL);
    return ids ? ov_viclip_encode_text(vc, ids) : NULL;
}

ovTensor *ov_viclip_logits(ovViCLIP *vc, ovTensor *fv, ovTensor *ft) {
    return ov_div(ov_matmul(fv, ov_transpose(ft, 0, 1)), vc->temp);
}

ovTensor *ov_viclip_vtc_loss(ovTensor *logits, const int64_t *idx) {
    char d[160];
    if (logits->ndim != 2 || logits->shape[0] != logits->shape[1])
        ov_panic("ViCLIP vtc loss: logits must be square [B, B], got %s", ov_describe(logits, d, sizeof d));
    int64_t B = logits->shape[0];
    /* targets[i][j] = [idx_i == idx_j] / #{k: idx_k == idx_i}: symmetric, so one matrix serves
     * both directions (upstream's get_mask(normalize=True), sim_t2v_targets = sim_v2t_targets) */
    float *tg = calloc((size_t)(B * B), sizeof *tg);
    for (int64_t i = 0; i < B; i++) {
        int64_t same = 0;
        for (int64_t j = 0; j < B; j++) same += idx ? idx[i] == idx[j] : i == j;
        for (int64_t j = 0; j < B; j++)
            if (idx ? idx[i] == idx[j] : i == j) tg[i * B + j] = 1.0f / (float)same;
    }
    ovTensor *targets = ov_to_device(ov_from_data(tg, OV_SHAPE(B, B), OV_F32), ov_device(logits));
    free(tg);
    ovTensor *v2t = ov_cross_entropy_soft(logits, targets, NULL, OV_REDUCTION_MEAN);
    ovTensor *t2v = ov_cross_entropy_soft(ov_transpose(logits, 0, 1), targets, NULL, OV_REDUCTION_MEAN);
    return ov_mul_scalar(ov_add(v2t, t2v), 0.5);
}

void ov_viclip_clamp_temp(ovViCLIP *vc) {
    ov_no_grad_begin();
    ov_scope_begin();
    ov_copy_(vc->temp, ov_clamp(vc->temp, vc->cfg.temp_min, INFINITY));
    ov_scope_end();
    ov_no_grad_end();
}

double ov_viclip_temp(const ovViCLIP *vc) {
    ov_scope_begin();
    double t = ov_get_flat(ov_to_device((ovTensor *)vc->temp, OV_DEV_CPU), 0);
    ov_scope_end();
    return t;
}
