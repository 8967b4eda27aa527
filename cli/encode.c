/* encode.c: `ovad encode`: runs a video encoder of the model zoo (models/vision_model.h) on a clip
 * from a video file or a folder of frames and writes its named intermediates to a safetensors
 * file for auditing: the normalised input, the embeddings, every block's output on request, f_v,
 * the patch maps and, given text features, the patch-text similarity maps. Frames are sampled as
 * each model's reference does at test time (ViCLIP's "middle" segments; CLIP-ViP's
 * linspace(0, n-1, T)), resized bilinearly (cv2.resize INTER_LINEAR, as the ViCLIP demo does) and
 * normalised with the model's statistics. --compare checks the dump against a reference dump. */
#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "data/clip.h"
#include "data/image.h"
#include "data/transform.h"
#include "data/video.h"
#include "nn/pth.h"
#include "nn/state.h"
#include "kernels/cuda/device.h"
#include "models/text_model.h"
#include "models/viclip.h"
#include "models/vision_check.h"
#include "models/vision_model.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

static const char *usage_text =
    "usage: ovad encode --model NAME --weights FILE (--video FILE | --frames DIR) --dump OUT.safetensors\n"
    "                   [--blocks] [--text-features F.safetensors] [--text \"...\" ...] [--vocab FILE]\n"
    "                   [--text-heads N] [--num-frames T]\n"
    "                   [--size HxW] [--device cpu|cuda] [--compare REF.safetensors [--tol 1e-4]]\n"
    "\n"
    "--model    viclip-b16, viclip-l14, clipvip-b16 or clip-b16; NAME:key=value,... changes sizes\n"
    "           (width, layers, heads, patch, image, out, table_frames, add_cls, mlp, frames, input).\n"
    "--weights  a checkpoint with the model's own key names (vision_encoder.*, clipmodel.vision_model.*,\n"
    "           visual.*): safetensors or torch .pth/.pt (ViCLIP's {'model': ...} entry found); text\n"
    "           tower keys are read only for --text. random:SEED uses seeded random weights (the text\n"
    "           tower at its released B/16 size, projecting to the vision width).\n"
    "--video    a video file; --frames a folder of PNG/JPEG frames (sorted by name).\n"
    "           T frames (--num-frames; 8 for ViCLIP and CLIP, 12 for CLIP-ViP) are sampled as the\n"
    "           model's reference does and resized to --size (default 224x224).\n"
    "--dump     writes input, embed, pre, block.i (with --blocks), last_hidden, f_v, f_frames (CLIP),\n"
    "           patch_map (before the final norm, [B,C,T,h,w]), patch_map_ln, patch_map_proj (norm +\n"
    "           projection), patch_map_projraw (projection only), ritsm (CLIP-ViP), frame_indices.\n"
    "--text-features  [K,D] features (the tensor `text_features`, or the file's only tensor): adds\n"
    "           patch_text_sim [B,K,T,h,w] and text_logits [B,K] (cosines).\n"
    "--text     a caption (repeat for K of them): encoded by the checkpoint's own text tower\n"
    "           (text_encoder.*, clipmodel.text_model.*, or CLIP's root keys) at the sizes its weights\n"
    "           have, tokenized as the model does; writes text_features [K,D], text.tokens and the\n"
    "           maps above, and prints each caption's cosine and its probability under the softmax of\n"
    "           the checkpoint's logit scale (1/temp, exp(logit_scale); 100 when it has none).\n"
    "--vocab    the BPE merges for --text (default $OVAD_BPE_VOCAB, else\n"
    "           ../shared/data/bpe_simple_vocab_16e6.txt.gz).\n"
    "--text-heads  the text tower's head count when its width is not a multiple of 64 (CLIP's\n"
    "           rule heads = width / 64 gives it otherwise).\n"
    "--compare  compares the dump's tensors (not frame_indices) with those of the same names in a\n"
    "           reference dump and fails above --tol (relative; default 1e-4).\n";

#define MAX_TEXTS 256

typedef struct {
    const char *model, *weights, *video, *frames, *dump, *text_features, *compare, *device, *vocab;
    const char *text[MAX_TEXTS];
    int n_text;
    int64_t text_heads;
    double logit_scale; /* the checkpoint's, for the printed probabilities */
    bool blocks;
    int num_frames;
    int64_t h, w;
    double tol;
} Args;

static int parse_args(int argc, char **argv, Args *a) {
    *a = (Args){.device = "cpu", .tol = 1e-4, .logit_scale = 100};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--help") || !strcmp(k, "-h")) return 1;
        if (!strcmp(k, "--blocks")) {
            a->blocks = true;
            continue;
        }
        if (i + 1 >= argc) return ov_error("%s needs a value", k);
        const char *v = argv[++i];
        if (!strcmp(k, "--model")) a->model = v;
        else if (!strcmp(k, "--weights")) a->weights = v;
        else if (!strcmp(k, "--video")) a->video = v;
        else if (!strcmp(k, "--frames")) a->frames = v;
        else if (!strcmp(k, "--dump")) a->dump = v;
        else if (!strcmp(k, "--text-features")) a->text_features = v;
        else if (!strcmp(k, "--text")) {
            if (a->n_text == MAX_TEXTS) return ov_error("at most %d --text captions", MAX_TEXTS);
            a->text[a->n_text++] = v;
        } else if (!strcmp(k, "--vocab")) a->vocab = v;
        else if (!strcmp(k, "--text-heads")) {
            long h;
            if (ov_arg_long(k, v, 1, 4096, &h)) return -1;
            a->text_heads = h;
        }
        else if (!strcmp(k, "--compare")) a->compare = v;
        else if (!strcmp(k, "--device")) a->device = v;
        else if (!strcmp(k, "--tol")) {
            if (ov_arg_double(k, v, 0, 1e30, &a->tol)) return -1;
        }
        else if (!strcmp(k, "--num-frames")) {
            long t;
            if (ov_arg_long(k, v, 1, 1024, &t)) return -1;
            a->num_frames = (int)t;
        } else if (!strcmp(k, "--size")) {
            long long h, w;
            char x;
            if (sscanf(v, "%lld%c%lld", &h, &x, &w) != 3 || x != 'x' || h < 1 || w < 1 || h > 8192 || w > 8192)
                return ov_error("--size takes HxW, e.g. 224x224, got '%s'", v);
            a->h = h, a->w = w;
        } else return ov_error("unknown option '%s'", k);
    }
    if (!a->weights || !a->dump || (!a->video == !a->frames))
        return ov_error("--weights, --dump and one of --video / --frames are required (and --model, unless the weights "
                        "are an ovad checkpoint that names its configuration)");
    if (strcmp(a->device, "cpu") && strcmp(a->device, "cuda")) return ov_error("--device is cpu or cuda, got '%s'", a->device);
    if (a->n_text && a->text_features) return ov_error("--text and --text-features both give text features: pass one");
    return 0;
}

/* CLIP-ViP's test sampling (XPretrain): floor(linspace(0, n-1, T)). */
static void linspace_indices(int64_t n, int T, int64_t *out) {
    for (int i = 0; i < T; i++) out[i] = T > 1 ? (int64_t)floor((double)i * (double)(n - 1) / (double)(T - 1)) : 0;
}

static int sample(ovVisionArch arch, int64_t n, int T, int64_t *idx) {
    if (n < 1) return ov_error("no frames to sample from");
    if (arch == OV_VISION_CLIPVIP) {
        linspace_indices(n, T, idx);
        return 0;
    }
    return ov_clip_viclip_middle(n, T, idx);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool is_image_name(const char *s) {
    const char *dot = strrchr(s, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

/* The sampled frames of a folder, u8 [T,H,W,3]. */
static ovTensor *read_folder(const char *dir, ovVisionArch arch, int T, int64_t *idx) {
    DIR *d = opendir(dir);
    if (!d) {
        ov_error("%s: cannot open the frames folder", dir);
        return NULL;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_image_name(e->d_name)) continue;
        if (n == cap) names = realloc(names, sizeof *names * (size_t)(cap = cap ? 2 * cap : 64));
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    ovTensor *out = NULL, *frames[1024];
    if (n == 0) ov_error("%s: no .png/.jpg frames", dir);
    else if (sample(arch, n, T, idx) == 0) {
        int ok = 1;
        for (int i = 0; i < T && ok; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, names[idx[i]]);
            frames[i] = ov_image_read(path);
            ok = frames[i] && (i == 0 || ov_same_shape(frames[i], frames[0]));
            if (frames[i] && !ok) ov_error("%s: %lldx%lld, the first frame is %lldx%lld", path, (long long)frames[i]->shape[1],
                                           (long long)frames[i]->shape[0], (long long)frames[0]->shape[1],
                                           (long long)frames[0]->shape[0]);
        }
        if (ok) out = ov_stack(T, frames, 0);
    }
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return out;
}

static ovTensor *read_video(const char *path, ovVisionArch arch, int T, int64_t *idx) {
    ovVideo *v = ov_video_open(path);
    if (!v) return NULL;
    ovTensor *out = sample(arch, ov_video_frames(v), T, idx) == 0 ? ov_video_read_frames(v, T, idx) : NULL;
    ov_video_close(v);
    return out;
}

static ovTensor *load_text_features(const char *path) {
    ovTensorDict *d = ov_dict_load_safetensors(path);
    if (!d) return NULL;
    ovTensor *t = ov_dict_get(d, "text_features");
    if (!t && d->n == 1) t = d->tensors[0];
    if (!t || t->ndim != 2 || !ov_dtype_is_float(t->dtype)) {
        ov_error("%s: needs a [K, D] float tensor named text_features (or a single tensor)", path);
        return NULL;
    }
    return ov_to(t, OV_F32);
}

/* Each caption's cosine with f_v and its probability under softmax(scale cos). */
static void print_text_scores(const Args *a, const ovTensor *logits) {
    double mx = -1e30, z = 0, scale = a->logit_scale;
    for (int k = 0; k < a->n_text; k++) mx = fmax(mx, scale * ov_get_flat(logits, k));
    for (int k = 0; k < a->n_text; k++) z += exp(scale * ov_get_flat(logits, k) - mx);
    printf("%-8s %-8s caption (p: softmax of %.4g x cosine)\n", "cosine", "p", scale);
    for (int k = 0; k < a->n_text; k++) {
        double c = ov_get_flat(logits, k);
        printf("%-8.4f %-8.4f %s\n", c, exp(scale * c - mx) / z, a->text[k]);
    }
}

/* The captions' features [K, D] by the model's text tower (te), tokenized as the model does; the
 * token ids go into extra as text.tokens. NULL with ov_last_error(). */
static ovTensor *encode_texts(const Args *a, ovVisionArch arch, ovTextEncoder *te, ovTensorDict *extra) {
    ovTokenizer *tok = ov_tokenizer_load(a->vocab ? a->vocab : ov_tokenizer_default_path());
    if (!tok) return NULL;
    ovTensor *mask = NULL, *ids = ov_tokenize(tok, a->n_text, a->text, ov_text_tok_cfg_of(arch), &mask);
    ov_tokenizer_free(tok);
    if (!ids) return NULL;
    if (ids->shape[1] > te->cfg.context) {
        ov_error("the tokenizer frames %lld tokens, the text tower's position table has %lld", (long long)ids->shape[1],
                 (long long)te->cfg.context);
        return NULL;
    }
    ov_dict_set(extra, "text.tokens", ids);
    ov_no_grad_begin();
    ovTensor *f = ov_text_features(te, ids, ov_text_layout_of(arch) == OV_TEXT_HF ? mask : NULL);
    ov_no_grad_end();
    ov_dict_set(extra, "text_features", f);
    return f;
}

/* The forward, the dump and the comparison; 0 or -1. */
static int encode(ovVisionModel *vm, const Args *a, ovClip *clip, ovTensor *text, ovTensorDict *extra, ovDevice dev,
                  const int64_t *idx, int T) {
    /* [T,H,W,3] u8 -> [3,T,H,W] in [0,1] -> the model's normalisation -> [1,3,T,H,W] */
    ovTensor *x01 = ov_clip_normalize(clip, &(ovNorm){{0, 0, 0}, {1, 1, 1}, false}, 0);
    ovTensor *x = ov_unsqueeze(ov_vision_normalize(vm->arch, ov_to_device(x01, dev)), 0);
    ov_no_grad_begin();
    double t0 = omp_get_wtime();
    ovVisionOut out = ov_vision_model_forward(vm, x, &(ovVisionOpts){.keep_blocks = a->blocks});
    ovTensorDict *d = ov_dict_new();
    ov_dict_set(d, "input", x);
    ov_vision_model_dump(vm, &out, text ? ov_to_device(text, dev) : NULL, d);
    ovTensor *fv = ov_to_device(out.f_v, OV_DEV_CPU); /* waits for the device */
    double dt = omp_get_wtime() - t0;
    ov_no_grad_end();
    ov_dict_set(d, "frame_indices", ov_from_data(idx, OV_SHAPE(T), OV_I64));
    for (int i = 0; extra && i < extra->n; i++) ov_dict_set(d, extra->names[i], extra->tensors[i]);
    for (int i = 0; i < d->n; i++) d->tensors[i] = ov_contiguous(ov_to_device(d->tensors[i], OV_DEV_CPU));

    printf("model: %s, %s, %d frames [", a->model, a->device, T);
    for (int i = 0; i < T; i++) printf("%s%lld", i ? " " : "", (long long)idx[i]);
    printf("] of %s, %lldx%lld\n", a->video ? a->video : a->frames, (long long)clip->h, (long long)clip->w);
    printf("f_v: [1, %lld], |f_v| = %.6g; patch grid %lldx%lldx%lld; forward %.3f s\n", (long long)fv->shape[1],
           ov_get_flat(ov_norm(fv, 0, NULL, false), 0), (long long)out.T, (long long)out.h, (long long)out.w, dt);
    if (a->n_text) print_text_scores(a, ov_dict_get(d, "text_logits"));
    const char *keys[] = {"model", "source"}, *vals[] = {a->model, a->video ? a->video : a->frames};
    if (ov_dict_save_safetensors(d, a->dump, 2, keys, vals) != 0) return -1;
    printf("wrote %d tensors to %s\n", d->n, a->dump);
    if (!a->compare) return 0;
    ovTensorDict *ref = ov_dict_load_safetensors(a->compare), *model_out = ov_dict_new();
    int n = 0;
    if (!ref) return -1;
    for (int i = 0; i < d->n; i++) /* the model's tensors, not the bookkeeping */
        if (strcmp(d->names[i], "frame_indices")) ov_dict_set(model_out, d->names[i], d->tensors[i]);
    if (ov_compare_dicts(model_out, ref, a->tol, stdout, &n) != 0 || n == 0)
        return ov_error("%s: %s", a->compare, n ? "the dump differs (table above)" : "no tensor in common with the dump");
    printf("%d tensors match %s within %g\n", n, a->compare, a->tol);
    return 0;
}
/* encode() with shape errors inside the model turned into an error message instead of an abort. */
static int encode_trapped(ovVisionModel *vm, const Args *a, ovClip *clip, ovTensor *text, ovTensorDict *extra, ovDevice dev,
                          const int64_t *idx, int T) {
    ovTrap trap;
    if (!OV_TRY(&trap)) return -1;
    int rc = encode(vm, a, clip, text, extra, dev, idx, T);
    ov_trap_pop(&trap);
    return rc;
}

/* The logit scale a checkpoint was trained with: ViCLIP's 1/temp, CLIP's and CLIP-ViP's
 * exp(logit_scale); CLIP's zero-shot 100 when it has none. */
static double logit_scale_of(const ovTensorDict *sd) {
    const ovTensor *t = ov_dict_get(sd, "temp"), *l = ov_dict_get(sd, "logit_scale");
    if (!l) l = ov_dict_get(sd, "clipmodel.logit_scale");
    if (t && ov_numel(t) == 1 && ov_get_flat(t, 0) > 0) return 1 / ov_get_flat(t, 0);
    if (l && ov_numel(l) == 1) return exp(ov_get_flat(l, 0));
    return 100;
}

static int run(Args *a) {
    ovVisionModel *vm = ov_vision_model_new_named(a->model, 0);
    if (!vm) return -1;
    ov_module_train(&vm->m, false);
    ovDevice dev = strcmp(a->device, "cuda") ? OV_DEV_CPU : OV_DEV_CUDA;
    ovTextEncoder *te = NULL;
    int rc = -1;
    ov_scope_begin();
    if (!strncmp(a->weights, "random:", 7)) {
        uint64_t seed = strtoull(a->weights + 7, NULL, 10);
        ovVisionModel *r = ov_vision_model_new_named(a->model, seed);
        ovTensorDict *sd = ov_module_state(&r->m, false);
        rc = ov_vision_model_load(vm, sd, a->weights, NULL);
        ov_module_free(&r->m);
        if (rc == 0 && a->n_text) te = ov_text_model_random(vm->arch, ov_vision_model_dim(vm), seed + 1);
    } else {
        ovLoadReport rep = {0};
        ovTensorDict *sd = ov_weights_load(a->weights, NULL, NULL); /* ViCLIP's {'model': ...} entry found */
        rc = sd ? ov_vision_model_load(vm, sd, a->weights, &rep) : -1;
        if (rc == 0) printf("weights: %s, %d vision tensors\n", a->weights, rep.loaded);
        else if (rep.n_missing + rep.n_unexpected + rep.n_mismatched) { /* every key, one a line */
            ov_load_report_print(&rep, stderr);
            ov_error("%s does not match %s (keys above)", a->weights, a->model);
        }
        if (rc == 0 && a->n_text && !(te = ov_text_model_load(vm->arch, sd, a->text_heads, a->weights))) rc = -1;
        if (sd) a->logit_scale = logit_scale_of(sd);
    }
    if (rc != 0) goto done;
    rc = -1;
    if (te) {
        const ovTextCfg *c = &te->cfg;
        printf("text tower: width %lld, %lld layers, %lld heads, context %lld, output %lld\n", (long long)c->width,
               (long long)c->layers, (long long)c->heads, (long long)c->context, (long long)c->embed_dim);
    }
    if (dev == OV_DEV_CUDA) {
        if (ov_cuda_device_count() < 1) {
            ov_error("--device cuda: %s", ov_cuda_unavailable_reason());
            goto done;
        }
        ov_module_to_device(&vm->m, dev);
        if (te) ov_module_to_device(ov_text_module(te), dev);
    }
    int T = a->num_frames ? a->num_frames : vm->cfg.frames;
    int64_t idx[1024];
    ovTensor *frames = a->video ? read_video(a->video, vm->arch, T, idx) : read_folder(a->frames, vm->arch, T, idx);
    if (!frames) goto done;
    ovClip clip;
    int64_t H = a->h ? a->h : vm->cfg.input_h, W = a->w ? a->w : vm->cfg.input_w;
    if (ov_clip_init(&clip, frames, NULL) != 0 || ov_clip_resize(&clip, H, W) != 0) goto done;
    ovTensorDict *extra = ov_dict_new();
    ovTensor *text = NULL;
    if (a->text_features && !(text = load_text_features(a->text_features))) goto done;
    if (te && !(text = encode_texts(a, vm->arch, te, extra))) goto done;
    if (text && text->shape[1] != ov_vision_model_dim(vm)) {
        ov_error("%s: text features are %lld wide, the model's projection %lld", te ? a->weights : a->text_features,
                 (long long)text->shape[1], (long long)ov_vision_model_dim(vm));
        goto done;
    }

    rc = encode_trapped(vm, a, &clip, text, extra, dev, idx, T);
done:
    ov_scope_end();
    if (te) ov_module_free(ov_text_module(te));
    ov_module_free(&vm->m);
    return rc;
}

/* A checkpoint ovad wrote (ovad demo, ov_viclip_save) names its configuration in the metadata
 * `config`: its vision part is the model when --model is not given, and its text head count (which
 * the weights do not show) is the default of --text-heads. 0, or -1 when there is no model. */
static int config_from_weights(Args *a, char *model, size_t n) {
    size_t wl = strlen(a->weights);
    bool st_file = wl > 12 && !strcmp(a->weights + wl - 12, ".safetensors");
    ovSafetensors *st = st_file ? ov_st_open(a->weights) : NULL;
    const char *cfg = st ? ov_st_meta(st, "config") : NULL, *keys = cfg ? strchr(cfg, ':') : NULL;
    ovViCLIPCfg vc;
    if (keys && ov_viclip_cfg_named(cfg, &vc) == 0) {
        if (!a->text_heads) a->text_heads = vc.text.heads;
        if (!a->model) { /* the name and the vision keys of the config */
            size_t k = (size_t)snprintf(model, n, "%.*s:", (int)(keys - cfg), cfg);
            for (const char *p = keys + 1; *p && k < n; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
                int len = (int)strcspn(p, ",");
                bool text = !strncmp(p, "text_", 5) || !strncmp(p, "context=", 8) || !strncmp(p, "vocab=", 6);
                if (!text) k += (size_t)snprintf(model + k, n - k, "%s%.*s", model[k - 1] == ':' ? "" : ",", len, p);
            }
            a->model = model;
        }
    }
    if (st) ov_st_close(st);
    return a->model ? 0 : ov_error("--model is required: %s names no configuration of its own", a->weights);
}

int cmd_encode(int argc, char **argv) {
    Args a;
    char model[512];
    int p = parse_args(argc, argv, &a);
    if (p == 0) p = config_from_weights(&a, model, sizeof model);
    if (p == 1) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (p != 0) {
        fprintf(stderr, "ovad encode: %s\n\n%s", ov_last_error(), usage_text);
        return 2;
    }
    if (run(&a) != 0) {
        fprintf(stderr, "ovad encode: %s\n", ov_last_error());
        return 1;
    }
    return 0;
}
