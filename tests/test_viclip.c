/* test_viclip.c: ViCLIP's video encoder (models/viclip_vision.h) against the PyTorch reference of
 * tools/gen_vision_fixtures.py (tests/fixtures/vision): the small model's every intermediate
 * (embeddings, ln_pre, each block, f_v, the four patch maps, patch-text similarities) and its
 * parameter gradients within 1e-4, with the spatial table resized bicubically, the temporal table
 * resized linearly, truncated, and averaged for one frame; the full ViCLIP-B/16 size with weights
 * rebuilt from the fixture's formula; 8 frames of a real video; the emulated CUDA device; loading
 * errors; token masking and drop path in training; `ovad encode` on a video and on a folder of
 * frames. A missing fixture is a failure; a missing
 * shared video skips its case with the reason. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "data/clip.h"
#include "data/image.h"
#include "data/transform.h"
#include "data/video.h"
#include "models/vision_check.h"
#include "models/vision_model.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"
#include "tests/vision_parity.h"

static const char *cases[] = {"viclip_s_interp", "viclip_s_native", "viclip_s_t1", "viclip_s_truncate"};
#define N_CASES (int)(sizeof cases / sizeof *cases)

/* The small model of a case, from its metadata. */
static ovVisionCfg cfg_of(ovSafetensors *st) {
    ovVisionCfg cfg = {.arch = OV_VISION_VICLIP};
    cfg.viclip = (ovViCLIPVisionCfg){.width = ov_vp_meta_int(st, "width"), .layers = ov_vp_meta_int(st, "layers"),
                                     .heads = ov_vp_meta_int(st, "heads"), .patch = ov_vp_meta_int(st, "patch"),
                                     .image_size = ov_vp_meta_int(st, "image_size"), .frames = ov_vp_meta_int(st, "frames"),
                                     .output_dim = ov_vp_meta_int(st, "output_dim"), .tubelet = 1};
    const char *rule = ov_st_meta(st, "temporal_rule");
    if (rule && !strcmp(rule, "truncate")) cfg.viclip.temporal_rule = OV_TEMPORAL_TRUNCATE;
    return cfg;
}

/* Forward (and backward when the case has gradients) of one small case on dev; the dumps:
 * embed, pre, blocks, f_v, 4 maps, patch_text_sim. */
static void run_case(const char *name, ovDevice dev, const char *weights_ext) {
    ov_vision_parity(name, dev, weights_ext, cfg_of, 8);
}

START_TEST(test_parity) { run_case(cases[_i], OV_DEV_CPU, ".safetensors"); }
END_TEST

START_TEST(test_parity_on_device) { run_case("viclip_s_interp", OV_DEV_CUDA, ".safetensors"); }
END_TEST

/* The torch.save copy ({'model': state_dict, 'epoch': 3}, as ViCLIP's .pth files) through the
 * .pth reader. */
START_TEST(test_pth_checkpoint) { run_case("viclip_s_interp", OV_DEV_CPU, ".pth"); }
END_TEST

/* ---- full size: weights and input from tools/vision_ref.py's formula ---- */

static uint64_t fnv1a64(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

/* offset + scale * (u - 0.5) with u the top 24 bits of splitmix64(fnv1a64(name) + i * golden). */
static void fill(ovTensor *t, const char *name, double offset, double scale) {
    uint64_t h = fnv1a64(name);
    float *p = ov_f32(t);
    int64_t n = ov_numel(t);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) {
        uint64_t z = h + (uint64_t)i * 0x9E3779B97F4A7C15ull + 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        double u = (double)(z >> 40) / 16777216.0;
        p[i] = (float)(offset + scale * (u - 0.5));
    }
}

/* vision_ref.init_rule */
static void rule(const char *name, const ovTensor *t, double *offset, double *scale) {
    const char *dot = strrchr(name, '.'), *leaf = dot ? dot + 1 : name;
    size_t nl = strlen(leaf);
    bool norm = strstr(name, "ln_") || strstr(name, "layer_norm") || strstr(name, "layrnorm") || strstr(name, "layernorm");
    *offset = 0;
    if (norm) {
        *offset = !strcmp(leaf, "weight") ? 1.0 : 0.0;
        *scale = 0.4;
    } else if (strstr(name, "embedding") || !strcmp(leaf, "added_cls")) {
        *scale = 1.0;
    } else if (nl >= 4 && !strcmp(leaf + nl - 4, "bias")) {
        *scale = 0.2;
    } else {
        int64_t fan_in = !strcmp(leaf, "proj") ? t->shape[0] : ov_numel(t) / t->shape[0];
        *scale = sqrt(12.0 / (double)fan_in);
    }
}

static void fill_visitor(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    (void)is_buffer, (void)ctx;
    double off, sc;
    rule(name, t, &off, &sc);
    fill(t, name, off, sc);
}

static ovTensor *strided(ovTensor *t, int n, const int64_t *steps) {
    for (int d = 0; d < n; d++) t = ov_slice(t, d + 1, 0, t->shape[d + 1], steps[d]);
    return ov_contiguous(t);
}

static void parse_steps(ovSafetensors *st, const char *key, int64_t s[4]) {
    const char *v = ov_st_meta(st, key);
    ck_assert_msg(v && sscanf(v, "%ld,%ld,%ld,%ld", &s[0], &s[1], &s[2], &s[3]) == 4, "%s: bad metadata %s", ov_st_path(st), key);
}

START_TEST(test_full_b16) {
    ov_scope_begin();
    ovSafetensors *st = ov_vp_open("viclip_b16_full");
    ovVisionModel *vm = ov_vision_model_new_named("viclip-b16", 1);
    ov_module_visit(&vm->m, false, fill_visitor, NULL);
    ovTensor *x = ov_empty(OV_SHAPE(1, 3, 8, 224, 224), OV_F32);
    fill(x, "input", 0.0, 4.0);
    ovTensorDict *want = ov_vp_fixture_dict(st), *got = ov_dict_new();
    /* the formula itself first: a few inputs and weights, exactly */
    ov_dict_set(got, "input_head", ov_contiguous(ov_narrow(ov_select(ov_select(ov_select(x, 0, 0), 1, 0), 1, 0), 1, 0, 8)));
    ov_dict_set(got, "weight_head.conv1", ov_narrow(ov_reshape(vm->viclip->conv1->weight, OV_SHAPE(-1)), 0, 0, 8));
    ovTensor *ip = ov_reshape(vm->viclip->resblocks[5]->attn->in_proj_weight, OV_SHAPE(-1));
    ov_dict_set(got, "weight_head.in_proj", ov_narrow(ip, 0, ov_numel(ip) - 8, 8));
    if (ov_compare_dicts(got, want, 0.0, NULL, NULL) != 0) ov_compare_dicts(got, want, 0.0, stdout, NULL);
    ck_assert_msg(ov_compare_dicts(got, want, 0.0, NULL, NULL) == 0, "the deterministic weights or input differ (table above)");

    ov_no_grad_begin();
    ovVisionOut out = ov_vision_model_forward(vm, x, &(ovVisionOpts){.keep_blocks = true});
    int64_t ts = ov_vp_meta_int(st, "tok_step"), cs = ov_vp_meta_int(st, "ch_step"), ms[4], ps[4];
    parse_steps(st, "map_steps", ms);
    parse_steps(st, "proj_steps", ps);
    ov_dict_set(got, "f_v", out.f_v);
    ov_dict_set(got, "embed", strided(out.embed, 2, (int64_t[]){ts, cs}));
    ov_dict_set(got, "pre", strided(out.pre, 2, (int64_t[]){ts, cs}));
    for (int i = 0; i < out.n_blocks; i++) {
        char k[32];
        snprintf(k, sizeof k, "block.%d", i);
        ov_dict_set(got, k, strided(out.blocks[i], 2, (int64_t[]){ts, cs}));
    }
    ov_dict_set(got, "patch_map", strided(ov_vision_model_patch_map(vm, &out, false, false), 4, ms));
    ov_dict_set(got, "patch_map_proj", strided(ov_vision_model_patch_map(vm, &out, true, true), 4, ps));
    ov_no_grad_end();
    ov_vp_expect_match("viclip_b16_full", got, want, 3 + 3 + 12 + 2);
    ov_st_close(st);
    ov_module_free(&vm->m);
    ov_scope_end();
}
END_TEST

/* ---- a real video: ovad's decoder and sampling give PyTorch's frames (to within the colour
 * conversion: PyAV converts with swscale's fast path), and the model matches on them ---- */
START_TEST(test_real_video) {
    const char *dir = ov_shared_data("internvid_example1.mp4");
    if (!dir) return;
    ov_scope_begin();
    ovSafetensors *st = ov_vp_open("viclip_real");
    char path[1200];
    snprintf(path, sizeof path, "%s/internvid_example1.mp4", dir);
    ovVideo *v = ov_video_open(path);
    ck_assert_msg(v, "%s", ov_last_error());
    int64_t idx[8];
    ck_assert_int_eq(ov_clip_viclip_middle(ov_video_frames(v), 8, idx), 0);
    char list[128] = "";
    for (int i = 0; i < 8; i++) snprintf(list + strlen(list), sizeof list - strlen(list), "%s%ld", i ? "," : "", (long)idx[i]);
    ck_assert_str_eq(list, ov_st_meta(st, "indices"));
    ovClip clip;
    ck_assert_int_eq(ov_clip_init(&clip, ov_video_read_frames(v, 8, idx), NULL), 0);
    ck_assert_int_eq(ov_clip_resize(&clip, 64, 64), 0);
    ov_video_close(v);
    ovTensor *ref = ov_st_get(st, "frames");
    ck_assert(ov_same_shape(clip.frames, ref));
    const uint8_t *a = ov_data_ptr(clip.frames), *b = ov_data_ptr(ref);
    int64_t n = ov_numel(ref), worst = 0;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t dlt = labs((long)a[i] - (long)b[i]);
        worst = dlt > worst ? dlt : worst;
        sum += (double)dlt;
    }
    printf("test_viclip: ovad's frames vs PyAV's: mean %.3f, max %ld levels\n", sum / (double)n, (long)worst);
    ck_assert_msg(sum / (double)n < 1.5 && worst <= 24, "decoded frames differ: mean %.3f, max %ld", sum / (double)n, (long)worst);

    /* the model on the reference's frames: [T,H,W,3] u8 -> [1,3,T,H,W] */
    ovVisionModel *vm = ov_vp_model(cfg_of(st), st, ".safetensors");
    ovTensor *u8 = ov_unsqueeze(ov_permute(ref, 4, (int64_t[]){3, 0, 1, 2}), 0);
    ovTensorDict *want = ov_vp_fixture_dict(st), *got = ov_dict_new();
    ovVisionOut out = ov_vision_model_forward(vm, ov_vp_input(OV_VISION_VICLIP, u8, OV_DEV_CPU), &(ovVisionOpts){.keep_blocks = true});
    ov_vision_model_dump(vm, &out, ov_st_get(st, "text"), got);
    ov_vp_expect_match("viclip_real", got, want, 6 + out.n_blocks + 2);
    /* and on ovad's own frames, through the data pipeline's [C,T,H,W] clip */
    ovTensor *x01 = ov_clip_normalize(&clip, &(ovNorm){{0, 0, 0}, {1, 1, 1}, false}, 0);
    ovVisionOut own = ov_vision_model_forward(vm, ov_unsqueeze(ov_vision_normalize(OV_VISION_VICLIP, x01), 0), NULL);
    ovTensor *cosv = ov_sum(ov_mul(ov_normalize(own.f_v, 1, 1e-12), ov_normalize(out.f_v, 1, 1e-12)), 0, NULL, false);
    printf("test_viclip: f_v from ovad's frames vs PyAV's: cosine %.6f\n", ov_get_flat(cosv, 0));
    ck_assert(ov_get_flat(cosv, 0) > 0.99);
    ov_st_close(st);
    ov_module_free(&vm->m);
    ov_scope_end();
}
END_TEST

/* ---- `ovad encode` on the same video: its dump is what the library computes on ovad's frames;
 * a folder of those frames as PNG gives the same; --compare; errors ---- */

#define SMALL_MODEL "viclip:width=32,layers=2,heads=4,image=48,table_frames=4,out=24,input=64"


START_TEST(test_encode_command) {
    const char *dir = ov_shared_data("internvid_example1.mp4");
    if (!dir) return;
    ov_scope_begin();
    char tmp[] = "/tmp/ovad-encode-XXXXXX", args[4096], out[16384], path[1200];
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(path, sizeof path, "%s/internvid_example1.mp4", dir);
    /* text features: the fixture's */
    ovSafetensors *st = ov_vp_open("viclip_real");
    char tf[300];
    snprintf(tf, sizeof tf, "%s/text.safetensors", tmp);
    ovTensorDict *td = ov_dict_new();
    ov_dict_set(td, "text_features", ov_st_get(st, "text"));
    ck_assert_int_eq(ov_dict_save_safetensors(td, tf, 0, NULL, NULL), 0);
    snprintf(args, sizeof args,
             "encode --model " SMALL_MODEL " --weights " OV_VP_DIR "/viclip_s.safetensors --video %s --blocks --text-features %s "
             "--dump %s/video.safetensors",
             path, tf, tmp);
    ck_assert_msg(ov_run_ovad(args, out, sizeof out) == 0, "%s", out);
    ck_assert_msg(strstr(out, "8 frames [2 7 12 17 22 27 32 37]"), "%s", out);

    /* the library on ovad's own frames */
    ovVisionModel *vm = ov_vp_model(cfg_of(st), st, ".safetensors");
    ovVideo *v = ov_video_open(path);
    int64_t idx[8];
    ck_assert_int_eq(ov_clip_viclip_middle(ov_video_frames(v), 8, idx), 0);
    ovTensor *frames = ov_video_read_frames(v, 8, idx);
    ov_video_close(v);
    ovClip clip;
    ck_assert_int_eq(ov_clip_init(&clip, frames, NULL), 0);
    ck_assert_int_eq(ov_clip_resize(&clip, 64, 64), 0);
    ovTensor *x01 = ov_clip_normalize(&clip, &(ovNorm){{0, 0, 0}, {1, 1, 1}, false}, 0);
    ovVisionOut o = ov_vision_model_forward(vm, ov_unsqueeze(ov_vision_normalize(OV_VISION_VICLIP, x01), 0),
                                            &(ovVisionOpts){.keep_blocks = true});
    ovTensorDict *want = ov_dict_new();
    ov_vision_model_dump(vm, &o, ov_st_get(st, "text"), want);
    snprintf(args, sizeof args, "%s/video.safetensors", tmp);
    ovTensorDict *dump = ov_dict_load_safetensors(args);
    ck_assert_msg(dump, "%s", ov_last_error());
    int n;
    if (ov_compare_dicts(dump, want, 1e-6, NULL, &n) != 0) ov_compare_dicts(dump, want, 1e-6, stdout, &n);
    ck_assert_int_eq(ov_compare_dicts(dump, want, 1e-6, NULL, &n), 0);
    ck_assert_int_eq(n, want->n); /* embed, pre, blocks, last_hidden, f_v, 4 maps, similarities, logits */
    ck_assert_ptr_nonnull(ov_dict_get(dump, "input"));
    ck_assert_ptr_nonnull(ov_dict_get(dump, "frame_indices"));

    /* the same frames as a folder of PNGs */
    for (int i = 0; i < 8; i++) {
        char f[300];
        snprintf(f, sizeof f, "%s/frame_%02d.png", tmp, i);
        ck_assert_int_eq(ov_image_write_png(f, ov_select(frames, 0, i)), 0);
    }
    snprintf(args, sizeof args,
             "encode --model " SMALL_MODEL " --weights " OV_VP_DIR "/viclip_s.safetensors --frames %s --dump %s/folder.safetensors "
             "--compare %s/video.safetensors --tol 1e-6",
             tmp, tmp, tmp);
    ck_assert_msg(ov_run_ovad(args, out, sizeof out) == 0 && strstr(out, "tensors match"), "%s", out);

    /* errors: a missing option, an unknown model, another model's weights, a size that is no
     * multiple of the patch (a shape error inside the model, reported, not an abort) */
    ck_assert_int_eq(ov_run_ovad("encode --model viclip-b16 --video x.mp4 --dump y", out, sizeof out), 2);
    ck_assert_int_eq(ov_run_ovad("encode --model viclip-b16 --weights w --video x.mp4 --dump y --text a --text-features f", out,
                                 sizeof out), 2);
    ck_assert_msg(strstr(out, "--text and --text-features"), "%s", out);
    ck_assert_msg(strstr(out, "--weights"), "%s", out);
    snprintf(args, sizeof args, "encode --model viclip-b99 --weights w --video %s --dump %s/x.safetensors", path, tmp);
    ck_assert_int_eq(ov_run_ovad(args, out, sizeof out), 1);
    ck_assert_msg(strstr(out, "unknown vision model"), "%s", out);
    snprintf(args, sizeof args, "encode --model " SMALL_MODEL " --weights " OV_VP_DIR "/clip_s.safetensors --video %s --dump %s/x.safetensors",
             path, tmp);
    ck_assert_int_eq(ov_run_ovad(args, out, sizeof out), 1);
    ck_assert_msg(strstr(out, "no key starts with vision_encoder."), "%s", out);
    snprintf(args, sizeof args,
             "encode --model " SMALL_MODEL " --weights " OV_VP_DIR "/viclip_s.safetensors --video %s --size 60x64 --dump %s/x.safetensors",
             path, tmp);
    ck_assert_int_eq(ov_run_ovad(args, out, sizeof out), 1);
    ck_assert_msg(strstr(out, "multiples of the patch size"), "%s", out);
    snprintf(args, sizeof args, "rm -rf %s", tmp);
    ck_assert_int_eq(system(args), 0);
    ov_st_close(st);
    ov_module_free(&vm->m);
    ov_scope_end();
}
END_TEST

/* ---- loading ---- */

START_TEST(test_load_errors) {
    ov_scope_begin();
    ovVisionCfg cfg = {.arch = OV_VISION_VICLIP};
    cfg.viclip = (ovViCLIPVisionCfg){.width = 32, .layers = 2, .heads = 4, .patch = 16, .image_size = 48, .frames = 4,
                                     .output_dim = 24};
    ovVisionModel *vm = ov_vision_model_new(&cfg, 1);
    /* another model's checkpoint */
    ck_assert_int_eq(ov_vision_model_load_file(vm, OV_VP_DIR "/clip_s.safetensors", NULL), -1);
    ck_assert_msg(strstr(ov_last_error(), "vision_encoder."), "%s", ov_last_error());
    /* one key missing, one mis-shaped, one unexpected: all named, nothing loaded */
    ovTensorDict *sd = ov_dict_load_safetensors(OV_VP_DIR "/viclip_s.safetensors"), *bad = ov_dict_new();
    ck_assert_ptr_nonnull(sd);
    for (int i = 0; i < sd->n; i++) {
        const char *k = sd->names[i];
        if (!strcmp(k, "vision_encoder.ln_post.bias")) continue;
        ov_dict_set(bad, k, !strcmp(k, "vision_encoder.proj") ? ov_zeros(OV_SHAPE(32, 25), OV_F32) : sd->tensors[i]);
    }
    ov_dict_set(bad, "vision_encoder.transformer.resblocks.2.ln_1.weight", ov_ones(OV_SHAPE(32), OV_F32));
    ovLoadReport rep;
    ck_assert_int_eq(ov_vision_model_load(vm, bad, "bad.safetensors", &rep), -1);
    ck_assert_int_eq(rep.n_missing, 1);
    ck_assert_int_eq(rep.n_mismatched, 1);
    ck_assert_int_eq(rep.n_unexpected, 1);
    const char *e = ov_last_error();
    ck_assert_msg(strstr(e, "ln_post.bias") && strstr(e, "vision_encoder.proj") && strstr(e, "resblocks.2"), "%s", e);
    /* a DDP 'module.' prefix is dropped; text keys and temp are ignored */
    ovTensorDict *ddp = ov_dict_new();
    for (int i = 0; i < sd->n; i++) {
        char k[256];
        snprintf(k, sizeof k, "module.%s", sd->names[i]);
        ov_dict_set(ddp, k, sd->tensors[i]);
    }
    ck_assert_msg(ov_vision_model_load(vm, ddp, "ddp", &rep) == 0, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, ov_module_count(&vm->m, false));
    ov_module_free(&vm->m);
    ov_scope_end();
}
END_TEST

/* ---- training options ---- */

static ovVisionModel *tiny(double drop_path) {
    ovVisionCfg cfg = {.arch = OV_VISION_VICLIP};
    cfg.viclip = (ovViCLIPVisionCfg){.width = 16, .layers = 2, .heads = 2, .patch = 8, .image_size = 16, .frames = 4,
                                     .output_dim = 8, .drop_path = drop_path};
    ovVisionModel *vm = ov_vision_model_new(&cfg, 3);
    ov_module_train(&vm->m, false); /* modules start in training mode, as in torch */
    return vm;
}

START_TEST(test_masking) {
    ov_scope_begin();
    ovVisionModel *vm = tiny(0);
    ovGenerator g = ov_generator(5);
    ovTensor *x = ov_randn(OV_SHAPE(2, 3, 4, 16, 24), 0, 1, &g); /* 2x3 patches, L = 24 */
    ovVisionOut eval = ov_vision_model_forward(vm, x, NULL);
    ov_module_train(&vm->m, true);
    ovVisionOut t0 = ov_vision_model_forward(vm, x, &(ovVisionOpts){.masking_prob = 0});
    ck_assert_double_eq(ov_tensor_rel_error(t0.f_v, eval.f_v, &(int64_t){0}), 0);
    ovVisionOut m = ov_vision_model_forward(vm, x, &(ovVisionOpts){.masking_prob = 0.9, .patch_map = true});
    /* int(0.9 * 24) = 21 dropped, 3 kept, ascending and distinct, no map */
    ck_assert(m.kept && m.kept->ndim == 2 && m.kept->shape[0] == 2 && m.kept->shape[1] == 3);
    ck_assert_int_eq(m.last->shape[1], 1 + 3);
    ck_assert_ptr_null(m.patch_map);
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < 3; i++) {
            double k = ov_get_flat(m.kept, b * 3 + i);
            ck_assert(k >= 0 && k < 24 && (i == 0 || k > ov_get_flat(m.kept, b * 3 + i - 1)));
        }
    /* the kept tokens are the embedded patches at those indices */
    for (int i = 0; i < 3; i++) {
        int64_t k = (int64_t)ov_get_flat(m.kept, 3 + i);
        ovTensor *a = ov_select(ov_select(m.embed, 0, 1), 0, 1 + i), *b = ov_select(ov_select(eval.embed, 0, 1), 0, 1 + k);
        ck_assert_double_eq(ov_tensor_rel_error(a, b, &(int64_t){0}), 0);
    }
    ck_assert(ov_tensor_rel_error(m.f_v, eval.f_v, &(int64_t){0}) > 1e-3);
    ov_backward(ov_sum(m.f_v, 0, NULL, false));
    ck_assert_ptr_nonnull(vm->viclip->conv1->weight->grad);
    /* a new draw every call, reproducible from the root seed */
    ovVisionOut m2 = ov_vision_model_forward(vm, x, &(ovVisionOpts){.masking_prob = 0.5});
    ovVisionModel *vm2 = tiny(0);
    ov_module_train(&vm2->m, true);
    ovVisionOut r1 = ov_vision_model_forward(vm2, x, &(ovVisionOpts){.masking_prob = 0.9});
    ovVisionOut r2 = ov_vision_model_forward(vm2, x, &(ovVisionOpts){.masking_prob = 0.5});
    ck_assert_double_eq(ov_tensor_rel_error(r1.kept, m.kept, &(int64_t){0}), 0);
    ck_assert_double_eq(ov_tensor_rel_error(r2.kept, m2.kept, &(int64_t){0}), 0);
    ck_assert_int_eq(m2.kept->shape[1], 12);
    ov_module_free(&vm->m);
    ov_module_free(&vm2->m);
    ov_scope_end();
}
END_TEST

START_TEST(test_drop_path) {
    ov_scope_begin();
    ovVisionModel *a = tiny(0.5), *b = tiny(0);
    ck_assert_int_eq(ov_module_count(&a->m, false), ov_module_count(&b->m, false));
    ck_assert_ptr_null(a->viclip->resblocks[0]->drop_path1); /* linspace(0, 0.5, 2): 0 then 0.5 */
    ck_assert_ptr_nonnull(a->viclip->resblocks[1]->drop_path1);
    ovGenerator g = ov_generator(6);
    ovTensor *x = ov_randn(OV_SHAPE(1, 3, 2, 16, 16), 0, 1, &g);
    ck_assert_double_eq(ov_tensor_rel_error(ov_vision_model_forward(a, x, NULL).f_v, ov_vision_model_forward(b, x, NULL).f_v,
                                            &(int64_t){0}),
                        0);
    ov_module_train(&a->m, true);
    bool differs = false;
    for (int i = 0; i < 4 && !differs; i++)
        differs = ov_tensor_rel_error(ov_vision_model_forward(a, x, NULL).f_v, ov_vision_model_forward(b, x, NULL).f_v,
                                      &(int64_t){0}) > 1e-6;
    ck_assert_msg(differs, "drop path never dropped anything in training");
    ov_module_free(&a->m);
    ov_module_free(&b->m);
    ov_scope_end();
}
END_TEST

START_TEST(test_errors_are_clear) {
    ov_scope_begin();
    ovVisionModel *vm = tiny(0);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_vision_model_forward(vm, ov_zeros(OV_SHAPE(1, 3, 2, 20, 16), OV_F32), NULL);
        ov_trap_pop(&trap);
        ck_abort_msg("a 20-pixel-high input was accepted with patch 8");
    }
    ck_assert_msg(strstr(ov_last_error(), "multiples of the patch size 8"), "%s", ov_last_error());
    ovVisionCfg cfg;
    ck_assert_int_eq(ov_vision_cfg_named("viclip-b32", &cfg), -1);
    ck_assert_msg(strstr(ov_last_error(), "viclip-b16"), "%s", ov_last_error());
    /* sizes by name */
    ck_assert_int_eq(ov_vision_cfg_named("viclip-l14", &cfg), 0);
    ck_assert(cfg.viclip.width == 1024 && cfg.viclip.patch == 14 && cfg.viclip.output_dim == 768);
    ck_assert_int_eq(ov_vision_cfg_named("viclip:width=32,heads=4,table_frames=3,frames=5,input=64", &cfg), 0);
    ck_assert(cfg.viclip.width == 32 && cfg.viclip.heads == 4 && cfg.viclip.frames == 3 && cfg.viclip.layers == 12);
    ck_assert(cfg.frames == 5 && cfg.input_h == 64 && cfg.input_w == 64);
    ck_assert_int_eq(ov_vision_cfg_named("clipvip:width=32,heads=3", &cfg), -1);
    ck_assert_msg(strstr(ov_last_error(), "multiple of heads 3"), "%s", ov_last_error());
    ck_assert_int_eq(ov_vision_cfg_named("clip:table_frames=3", &cfg), -1);
    ck_assert_msg(strstr(ov_last_error(), "inapplicable key 'table_frames'"), "%s", ov_last_error());
    ck_assert_int_eq(ov_vision_cfg_named("clipvip:add_cls=x", &cfg), -1);
    ov_module_free(&vm->m);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("viclip");
    TCase *tc = tcase_create("parity");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_parity, 0, N_CASES);
    tcase_add_test(tc, test_pth_checkpoint);
    tcase_add_test(tc, test_real_video);
    tcase_add_test(tc, test_full_b16);
    tcase_add_test(tc, test_encode_command);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_masking);
    tcase_add_test(tc, test_drop_path);
    tcase_add_test(tc, test_errors_are_clear);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "viclip", "device");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_parity_on_device);
    return ov_run_suite(s) ? 1 : 0;
}
