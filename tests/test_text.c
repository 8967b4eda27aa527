/* test_text.c: the CLIP text towers (models/text.h) against the PyTorch references of
 * tools/gen_text_fixtures.py: OpenAI CLIP's layout at the root, ViCLIP's under `text_encoder.`
 * (small, and once at the full ViCLIP-B/16 text size), and Hugging Face's text_model +
 * text_projection with padding masks. Each case loads its state_dict strictly by name (the keys
 * the fixture does not carry, the 49408-row token embedding or every weight of the full-size case,
 * come from the same counter-based generator as in the Python script), runs real token ids and
 * compares the embeddings, every block's output, the final tokens, the pooled and the projected
 * features, and the parameter gradients, within 1e-4; the same weights read from torch.save files
 * (ViCLIP's {'model': ...} .pth, CLIP-ViP's `clipmodel.` .pt); prompt-averaged vocabulary features,
 * the key names and initialisation of each layout, clear errors, and one case on the emulated
 * CUDA device. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "data/image.h"
#include "models/text.h"
#include "models/text_model.h"
#include "models/vision_model.h"
#include "nn/pth.h"
#include "nn/state.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

#define FIX "tests/fixtures/text/"

/* ---------------- the fixtures' deterministic weights (gen_text_fixtures.py: det_weight) ---------------- */
static uint64_t fnv1a64(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static void det_rule(const char *key, const ovTensor *t, double *offset, double *scale) {
    const char *last = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
    bool norm = strstr(key, "ln_") || strstr(key, "layer_norm") || strstr(key, "ln_final") || strstr(key, "final_layer_norm");
    *offset = 0;
    if (strstr(key, "embedding")) *scale = 0.5;
    else if (t->ndim == 1) {
        bool w = norm && !strcmp(last, "weight");
        *offset = w ? 1.0 : 0.0, *scale = w ? 0.2 : 0.1;
    } else if (!strcmp(last, "text_projection"))
        *scale = sqrt(3.0 / (double)t->shape[0]);
    else
        *scale = sqrt(3.0 / (double)t->shape[1]);
}

static ovTensor *det_weight(const char *key, const ovTensor *like, uint64_t seed) {
    ovTensor *t = ov_empty_on(OV_DEV_CPU, like->ndim, like->shape, OV_F32);
    float *p = ov_f32(t);
    int64_t n = ov_numel(t);
    uint64_t k = fnv1a64(key) ^ seed;
    double offset, scale;
    det_rule(key, t, &offset, &scale);
#pragma omp parallel for
    for (int64_t i = 0; i < n; i++) {
        uint64_t z = k + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        double u = (double)(z >> 40) * 0x1p-24;
        p[i] = (float)(offset + scale * (2 * u - 1));
    }
    return t;
}

/* ---------------- building a case ---------------- */
static const char *meta(ovSafetensors *st, const char *key) {
    const char *v = ov_st_meta(st, key);
    ck_assert_msg(v, "%s: no metadata '%s'", ov_st_path(st), key);
    return v;
}

/* Whether `key` is one of the comma-separated names in `list`. */
static bool listed(const char *list, const char *key) {
    size_t n = strlen(key);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, key, n) && (p[n] == ',' || !p[n])) return true;
    return false;
}

typedef struct {
    ovModule *root;
    ovTextEncoder *te;
    ovTextEncoder local; /* when the keys are at the root */
} Built;

/* The model a fixture describes (untrained). */
static void make_model(ovSafetensors *st, Built *b) {
    ovTextCfg cfg = {
        .layout = !strcmp(meta(st, "layout"), "hf") ? OV_TEXT_HF : OV_TEXT_OPENAI,
        .vocab = atoll(meta(st, "vocab")),
        .context = atoll(meta(st, "context")),
        .width = atoll(meta(st, "width")),
        .layers = atoll(meta(st, "layers")),
        .heads = atoll(meta(st, "heads")),
        .embed_dim = atoll(meta(st, "embed_dim")),
    };
    const char *prefix = meta(st, "prefix");
    b->root = ov_module_root(sizeof(ovModule), "Model", 3);
    if (*prefix) {
        b->te = ov_text_new(b->root, prefix, &cfg);
    } else {
        ov_text_build(&b->local, b->root, &cfg);
        b->te = &b->local;
    }
}

/* Loads `ckpt` (keys = the model's keys with `ckpt_prefix` in front) strictly, after adding the
 * weights the fixture generates instead of storing. */
static void load_weights(ovSafetensors *st, Built *b, ovTensorDict *ckpt, const char *ckpt_prefix, const char *source) {
    uint64_t seed = strtoull(meta(st, "seed"), NULL, 10);
    bool all = !strcmp(meta(st, "generated"), "all");
    ovTensorDict *want = ov_module_state(b->root, true);
    for (int i = 0; i < want->n; i++) {
        char k[256];
        snprintf(k, sizeof k, "%s%s", ckpt_prefix, want->names[i]);
        if (ov_dict_find(ckpt, k) < 0 && (all || listed(meta(st, "generated"), want->names[i])))
            ov_dict_set(ckpt, k, det_weight(want->names[i], want->tensors[i], seed));
    }
    ovRename rn = {ckpt_prefix, ""};
    ovLoadReport rep;
    ovLoadOpts o = {.strict = true, .renames = &rn, .n_renames = *ckpt_prefix ? 1 : 0};
    ck_assert_msg(ov_module_load(b->root, ckpt, &o, source, &rep) == 0, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, want->n);
}

/* The model of a fixture, its weights (those in the file, the rest generated) loaded strictly. */
static void build(ovSafetensors *st, Built *b) {
    make_model(st, b);
    ovTensorDict *ckpt = ov_dict_new(), *want = ov_module_state(b->root, true);
    for (int i = 0; i < want->n; i++)
        if (ov_st_find(st, want->names[i]) >= 0) ov_dict_set(ckpt, want->names[i], ov_st_get(st, want->names[i]));
    load_weights(st, b, ckpt, "", ov_st_path(st));
}

static double max_abs(const ovTensor *t) {
    double m = 0;
    for (int64_t i = 0; i < ov_numel(t); i++) m = fmax(m, fabs(ov_get_flat(t, i)));
    return m;
}

static void compare(const char *path, const char *what, ovTensor *got, ovTensor *want, double tol) {
    char a[160], b[160];
    ck_assert_msg(got, "%s: ovad gave no '%s'", path, what);
    got = ov_to_device(got, OV_DEV_CPU);
    ck_assert_msg(ov_same_shape(got, want), "%s: '%s' is %s in ovad, %s in PyTorch", path, what, ov_describe(got, a, sizeof a),
                  ov_describe(want, b, sizeof b));
    if (max_abs(want) < 1e-9) { /* a gradient that is zero in exact arithmetic (k_proj.bias: softmax is shift-invariant) */
        ck_assert_msg(max_abs(got) < 1e-5, "%s: '%s' should be zero, ovad has %g", path, what, max_abs(got));
        return;
    }
    int64_t where;
    double d = ov_rel_diff(ov_contiguous(got), want, &where);
    ck_assert_msg(d >= 0 && d <= tol, "%s: '%s' differs from PyTorch: %.3g > %.3g at %lld (%.7g vs %.7g)", path, what, d, tol,
                  (long long)where, ov_get_flat(got, where), ov_get_flat(want, where));
}

/* ovad's output named like the fixture's output.<name> (cut to `keep` positions when set). */
static ovTensor *output(const ovTextOut *o, const char *name, int64_t keep) {
    ovTensor *t = NULL;
    if (!strcmp(name, "embeddings")) t = o->embeddings;
    else if (!strcmp(name, "tokens")) t = o->tokens;
    else if (!strcmp(name, "pooled")) t = o->pooled;
    else if (!strcmp(name, "features")) t = o->features;
    else if (!strncmp(name, "blocks.", 7)) t = o->blocks[atoi(name + 7)];
    if (t && keep && t->ndim == 3) t = ov_narrow(t, 1, 0, keep);
    return t;
}

static const char *cases[] = {"openai_small", "viclip_small", "hf_small", "viclip_b16"};
#define N_CASES 4

static void run_case(const char *name, ovDevice dev) {
    char path[256];
    snprintf(path, sizeof path, FIX "%s.safetensors", name);
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "missing fixture (regenerate with tools/gen_text_fixtures.py): %s", ov_last_error());
    Built b;
    build(st, &b);
    if (dev != OV_DEV_CPU) ov_module_to_device(b.root, dev);
    int64_t keep = atoll(meta(st, "keep"));
    /* ViCLIP-B/16's text half: 149,603,841 parameters in all (spec 1.1) less the vision tower's
     * 86,198,784 and `temp` */
    if (!strcmp(name, "viclip_b16")) ck_assert_int_eq(ov_module_numel(b.root, false), 63405056);
    ovTensor *ids = ov_st_get(st, "input.ids"), *mask = ov_st_get(st, "input.mask");
    ovTensor *blocks[OV_TEXT_MAX_LAYERS];
    ovTextOut o = {.blocks = blocks};
    bool grads = ov_st_find(st, "grad_features") >= 0;
    if (!grads) ov_no_grad_begin();
    ov_text_forward(b.te, ids, mask, &o);
    int compared = 0;
    for (int i = 0; i < ov_st_count(st); i++)
        if (!strncmp(ov_st_name(st, i), "output.", 7)) {
            compare(path, ov_st_name(st, i), output(&o, ov_st_name(st, i) + 7, keep), ov_st_tensor(st, i), 1e-4);
            compared++;
        }
    ck_assert_int_eq(compared, 4 + (int)b.te->cfg.layers);
    /* the features alone (run only up to the last EOT) are the same numbers */
    compare(path, "ov_text_features", ov_text_features(b.te, ids, mask), ov_st_get(st, "output.features"), 1e-4);
    if (grads) {
        ovTensor *g = ov_to_device(ov_st_get(st, "grad_features"), dev);
        ov_backward(ov_sum(ov_mul(o.features, g), 0, NULL, false));
        ovTensorDict *params = ov_module_state(b.root, false);
        int n = 0;
        for (int i = 0; i < ov_st_count(st); i++) {
            const char *k = ov_st_name(st, i);
            if (strncmp(k, "grad.", 5)) continue;
            ovTensor *p = ov_dict_get(params, k + 5);
            ck_assert_msg(p && p->grad, "%s: no gradient for '%s'", path, k + 5);
            compare(path, k, p->grad, ov_st_tensor(st, i), 1e-4);
            n++;
        }
        ck_assert_int_gt(n, 10);
    } else {
        ov_no_grad_end();
    }
    ov_st_close(st);
    ov_module_free(b.root);
    ov_scope_end();
}

START_TEST(test_matches_pytorch) { run_case(cases[_i], OV_DEV_CPU); }
END_TEST

START_TEST(test_on_device) { run_case(_i ? "hf_small" : "openai_small", OV_DEV_CUDA); }
END_TEST

/* ---------------- the same weights from torch.save files ---------------- */
/* ViCLIP's .pth ({'model': state_dict, 'epoch', 'config'}) and CLIP-ViP's .pt (a state_dict whose
 * keys start with `clipmodel.`), read by the .pth reader, give the fixtures' outputs. */
START_TEST(test_torch_save_checkpoints) {
    static const struct {
        const char *fixture, *file, *entry, *prefix;
    } c[] = {{"viclip_small", "viclip_small.pth", "model", ""}, {"hf_small", "clipvip_small.pt", NULL, "clipmodel."}};
    for (int i = 0; i < 2; i++) {
        char path[256], pth[256];
        snprintf(path, sizeof path, FIX "%s.safetensors", c[i].fixture);
        snprintf(pth, sizeof pth, FIX "%s", c[i].file);
        ov_scope_begin();
        ovSafetensors *st = ov_st_open(path);
        ck_assert_msg(st, "missing fixture (regenerate with tools/gen_text_fixtures.py): %s", ov_last_error());
        ovTensorDict *ckpt = ov_pth_load(pth, c[i].entry);
        ck_assert_msg(ckpt, "missing or unreadable fixture (regenerate with tools/gen_text_fixtures.py): %s", ov_last_error());
        ck_assert_int_eq(ov_ckpt_is_torch(pth), 1);
        Built b;
        make_model(st, &b);
        load_weights(st, &b, ckpt, c[i].prefix, pth);
        ov_no_grad_begin();
        ovTensor *f = ov_text_features(b.te, ov_st_get(st, "input.ids"), ov_st_get(st, "input.mask"));
        ov_no_grad_end();
        compare(pth, "features", f, ov_st_get(st, "output.features"), 1e-4);
        ov_st_close(st);
        ov_module_free(b.root);
        ov_scope_end();
    }
}
END_TEST

/* ---------------- vocabulary features with prompt averaging ---------------- */
START_TEST(test_vocab_features) {
    const char *dir = ov_shared_data("bpe_simple_vocab_16e6.txt.gz");
    if (!dir) return;
    char vp[1024];
    snprintf(vp, sizeof vp, "%s/bpe_simple_vocab_16e6.txt.gz", dir);
    ovTokenizer *tok = ov_tokenizer_load(vp);
    ck_assert_msg(tok, "%s", ov_last_error());
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(FIX "hf_small.safetensors");
    ck_assert_msg(st, "missing fixture (regenerate with tools/gen_text_fixtures.py): %s", ov_last_error());
    Built b;
    build(st, &b);
    const char *caps[] = {"a person golfing", "somebody swings a golf club", "a golfer on the green", "a dog running",
                          "a person riding a bike", "cycling down a hill"};
    int n[] = {3, 1, 2};
    ovTextVocabOpts o = {.batch = 2}; /* several chunks */
    compare("vocab", "mean", ov_text_vocab_features(b.te, tok, &OV_TOK_OPENMIXER, 3, n, caps, &o), ov_st_get(st, "vocab.mean"),
            1e-4);
    o.normalize = true;
    ovTensor *v = ov_text_vocab_features(b.te, tok, &OV_TOK_OPENMIXER, 3, n, caps, &o);
    compare("vocab", "normalized", v, ov_st_get(st, "vocab.normalized"), 1e-4);
    ck_assert(!v->requires_grad);
    o = (ovTextVocabOpts){.first_only = true};
    compare("vocab", "first", ov_text_vocab_features(b.te, tok, &OV_TOK_OPENMIXER, 3, n, caps, &o),
            ov_st_get(st, "vocab.first"), 1e-4);
    /* a class without captions, and a caption that is not UTF-8 */
    ck_assert_ptr_null(ov_text_vocab_features(b.te, tok, &OV_TOK_OPENMIXER, 2, (int[]){1, 0}, caps, NULL));
    ck_assert_msg(strstr(ov_last_error(), "class 1 has no caption"), "%s", ov_last_error());
    const char *bad[] = {"fine", "caf\xc3"};
    ck_assert_ptr_null(ov_text_vocab_features(b.te, tok, &OV_TOK_OPENMIXER, 1, (int[]){2}, bad, NULL));
    ck_assert_msg(strstr(ov_last_error(), "not valid UTF-8"), "%s", ov_last_error());
    ovTensor *none = ov_text_vocab_features(b.te, tok, &OV_TOK_OPENMIXER, 0, n, caps, NULL);
    ck_assert_int_eq(none->shape[0], 0);
    ck_assert_int_eq(none->shape[1], 16);
    ov_st_close(st);
    ov_module_free(b.root);
    ov_scope_end();
    ov_tokenizer_free(tok);
}
END_TEST

/* ---------------- key names, sizes and initialisation ---------------- */
static bool has_key(ovTensorDict *d, const char *k) { return ov_dict_find(d, k) >= 0; }

START_TEST(test_layout_keys) {
    ov_scope_begin();
    ovTextCfg c = {OV_TEXT_OPENAI, 1000, 32, 64, 2, 4, 48, 0, 0};
    ovModule *root = ov_module_root(sizeof(ovModule), "ViCLIP", 5);
    ovTextEncoder *te = ov_text_new(root, "text_encoder", &c);
    ovTensorDict *sd = ov_module_state(root, true);
    const char *keys[] = {"text_encoder.token_embedding.weight", "text_encoder.positional_embedding",
                          "text_encoder.transformer.resblocks.1.attn.in_proj_weight",
                          "text_encoder.transformer.resblocks.1.attn.in_proj_bias",
                          "text_encoder.transformer.resblocks.0.attn.out_proj.weight",
                          "text_encoder.transformer.resblocks.0.ln_1.weight", "text_encoder.transformer.resblocks.0.ln_2.bias",
                          "text_encoder.transformer.resblocks.0.mlp.c_fc.weight",
                          "text_encoder.transformer.resblocks.0.mlp.c_proj.bias", "text_encoder.ln_final.weight",
                          "text_encoder.text_projection"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) ck_assert_msg(has_key(sd, keys[i]), "no key %s", keys[i]);
    ck_assert_int_eq(sd->n, 2 * 12 + 5);
    ck_assert_int_eq(te->text_projection->shape[0], 64);
    ck_assert_int_eq(te->text_projection->shape[1], 48);
    ck_assert_int_eq(te->blocks[0]->mlp->fc1->out, 256);
    /* OpenAI CLIP's initialize_parameters: std 0.02 tokens, 0.01 positions, width^-0.5 attention */
    double s = ov_get_flat(ov_sqrt(ov_mean(ov_mul(te->token_embedding->weight, te->token_embedding->weight), 0, NULL, false)), 0);
    ck_assert_msg(fabs(s - 0.02) < 0.002, "token_embedding std %g", s);
    ovTensor *w = te->blocks[1]->attn->in_proj_weight;
    s = ov_get_flat(ov_sqrt(ov_mean(ov_mul(w, w), 0, NULL, false)), 0);
    ck_assert_msg(fabs(s - 0.125) < 0.01, "in_proj std %g", s);
    ov_module_free(root);

    c.layout = OV_TEXT_HF;
    ovTextEncoder *hf = ov_text_root(&c, 9);
    sd = ov_module_state(ov_text_module(hf), true);
    const char *hkeys[] = {"text_model.embeddings.token_embedding.weight", "text_model.embeddings.position_embedding.weight",
                           "text_model.embeddings.position_ids", "text_model.encoder.layers.1.self_attn.q_proj.weight",
                           "text_model.encoder.layers.1.self_attn.k_proj.bias", "text_model.encoder.layers.0.self_attn.out_proj.weight",
                           "text_model.encoder.layers.0.layer_norm1.weight", "text_model.encoder.layers.0.mlp.fc1.weight",
                           "text_model.encoder.layers.0.mlp.fc2.bias", "text_model.encoder.layers.1.layer_norm2.bias",
                           "text_model.final_layer_norm.weight", "text_projection.weight"};
    for (size_t i = 0; i < sizeof hkeys / sizeof hkeys[0]; i++) ck_assert_msg(has_key(sd, hkeys[i]), "no key %s", hkeys[i]);
    ck_assert_int_eq(sd->n, 2 * 16 + 6);
    ck_assert_int_eq(hf->projection->weight->shape[0], 48);
    ck_assert_int_eq(ov_get_flat(hf->position_ids, 31), 31);
    ck_assert_double_eq(ov_get_flat(hf->blocks[0]->attn->q_proj->bias, 3), 0); /* HF zeroes Linear biases */
    ov_module_free(ov_text_module(hf));
    ck_assert_int_eq(OV_TEXT_VICLIP_B16.context, 32);
    ck_assert_int_eq(OV_TEXT_CLIPVIP_B16.layout, OV_TEXT_HF);
    ov_scope_end();
}
END_TEST

START_TEST(test_errors) {
    ov_scope_begin();
    ovTextCfg c = {OV_TEXT_OPENAI, 100, 8, 16, 1, 4, 8, 0, 0};
    ovTextEncoder *te = ov_text_root(&c, 1);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_text_features(te, ov_zeros(OV_SHAPE(2, 9), OV_I64), NULL);
        ov_trap_pop(&trap);
        ck_abort_msg("ids longer than the context were accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "1 <= L <= context 8"), "%s", ov_last_error());
    if (OV_TRY(&trap)) {
        ov_text_features(te, ov_zeros(OV_SHAPE(2, 4), OV_I64), ov_ones(OV_SHAPE(2, 5), OV_I64));
        ov_trap_pop(&trap);
        ck_abort_msg("a mask of the wrong shape was accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "attention_mask must have the shape of ids"), "%s", ov_last_error());
    ov_module_free(ov_text_module(te));
    c.heads = 3;
    if (OV_TRY(&trap)) {
        ov_text_root(&c, 1);
        ov_trap_pop(&trap);
        ck_abort_msg("width 16 with 3 heads was accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "width divisible by heads"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

/* ---- `ovad encode --text`: the text tower taken out of a full ViCLIP checkpoint at the sizes its
 * weights have (models/text_model.h), tokenized the ViCLIP way, gives PyTorch's features; the
 * logits are the cosines with f_v ---- */
#define ENC_MODEL "viclip:width=32,layers=1,heads=4,image=32,table_frames=4,out=40,input=32,frames=4"

START_TEST(test_encode_text) {
    if (!ov_shared_data("bpe_simple_vocab_16e6.txt.gz")) return;
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(FIX "viclip_small.safetensors");
    ck_assert_msg(st, "missing fixture (regenerate with tools/gen_text_fixtures.py): %s", ov_last_error());
    Built b;
    build(st, &b);
    ovVisionModel *vm = ov_vision_model_new_named(ENC_MODEL, 5);
    ck_assert_msg(vm, "%s", ov_last_error());
    ovTensorDict *full = ov_dict_new(), *text = ov_module_state(b.root, true), *vision = ov_module_state(&vm->m, false);
    for (int i = 0; i < vision->n; i++) ov_dict_set(full, vision->names[i], vision->tensors[i]);
    for (int i = 0; i < text->n; i++) ov_dict_set(full, text->names[i], text->tensors[i]);
    char tmp[] = "/tmp/ovad-text-XXXXXX", path[256], args[2048], out[16384];
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(path, sizeof path, "%s/frames", tmp);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    for (int f = 0; f < 4; f++) {
        snprintf(path, sizeof path, "%s/frames/%05d.png", tmp, f + 1);
        ovGenerator g = ov_generator(40 + (uint64_t)f);
        ovTensor *img = ov_to(ov_rand(OV_SHAPE(32, 32, 3), 0, 255, &g), OV_U8);
        ck_assert_int_eq(ov_image_write_png(path, img), 0);
    }
    snprintf(path, sizeof path, "%s/full.safetensors", tmp);
    ck_assert_int_eq(ov_dict_save_safetensors(full, path, 0, NULL, NULL), 0);
    const char *captions = "--text 'a person riding a bike' --text 'hello world!'";
    /* width 48 is not a multiple of 64: CLIP's head rule does not apply and the command says so */
    snprintf(args, sizeof args, "encode --model " ENC_MODEL " --weights %s --frames %s/frames --dump %s/d.safetensors %s",
             path, tmp, tmp, captions);
    ck_assert_msg(ov_run_ovad(args, out, sizeof out) == 1 && strstr(out, "--text-heads"), "%s", out);
    snprintf(args, sizeof args,
             "encode --model " ENC_MODEL " --weights %s --frames %s/frames --dump %s/d.safetensors %s --text-heads 6", path,
             tmp, tmp, captions);
    ck_assert_msg(ov_run_ovad(args, out, sizeof out) == 0 && strstr(out, "hello world!") && strstr(out, "6 heads"), "%s", out);
    snprintf(path, sizeof path, "%s/d.safetensors", tmp);
    ovTensorDict *d = ov_dict_load_safetensors(path);
    ck_assert_msg(d, "%s", ov_last_error());
    /* the fixture's texts 0 and 2, their ids and PyTorch features */
    ovTensor *rows = ov_from_data((int64_t[]){0, 2}, OV_SHAPE(2), OV_I64);
    ovTensor *want_ids = ov_index_select(ov_st_get(st, "input.ids"), 0, rows);
    ovTensor *want = ov_index_select(ov_st_get(st, "output.features"), 0, rows);
    ck_assert_double_eq(ov_rel_diff(ov_dict_get(d, "text.tokens"), want_ids, NULL), 0);
    compare(path, "text_features", ov_dict_get(d, "text_features"), want, 1e-4);
    ovTensor *fv = ov_normalize(ov_dict_get(d, "f_v"), -1, 1e-12);
    ovTensor *ft = ov_normalize(ov_dict_get(d, "text_features"), -1, 1e-12);
    compare(path, "text_logits", ov_dict_get(d, "text_logits"), ov_matmul(fv, ov_transpose(ft, 0, 1)), 1e-5);
    /* a checkpoint without the text tower: said so */
    snprintf(path, sizeof path, "%s/vision.safetensors", tmp);
    ck_assert_int_eq(ov_dict_save_safetensors(vision, path, 0, NULL, NULL), 0);
    snprintf(args, sizeof args, "encode --model " ENC_MODEL " --weights %s --frames %s/frames --dump %s/e.safetensors %s",
             path, tmp, tmp, captions);
    ck_assert_msg(ov_run_ovad(args, out, sizeof out) == 1 && strstr(out, "no text tower"), "%s", out);
    snprintf(args, sizeof args, "rm -rf %s", tmp);
    ck_assert_int_eq(system(args), 0);
    ov_st_close(st);
    ov_module_free(b.root);
    ov_module_free(&vm->m);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, test_matches_pytorch, 0, N_CASES);
    tcase_add_test(tc, test_torch_save_checkpoints);
    tcase_add_test(tc, test_vocab_features);
    tcase_add_test(tc, test_layout_keys);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_encode_text);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "text", "device");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, test_on_device, 0, 2);
    return ov_run_suite(s) ? 1 : 0;
}
