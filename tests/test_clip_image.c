/* test_clip_image.c: OpenAI CLIP's image encoder per frame with temporal mean pooling
 * (models/clip_image.h) against the PyTorch reference of tools/gen_vision_fixtures.py: every
 * intermediate, per-frame and pooled features, patch maps, patch-text similarities and parameter
 * gradients within 1e-4 (3 frames of 32x48 with the 3x3 position table resized, and one 48x48
 * image); the emulated device; and the shared pieces of models/vision.h: each model's input
 * normalisation, the token orders of the patch maps, patch-text cosine maps, table resizing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "models/vision_check.h"
#include "models/vision_model.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"
#include "tests/vision_parity.h"

static const char *cases[] = {"clip_s_interp", "clip_s_image"};
#define N_CASES (int)(sizeof cases / sizeof *cases)

static ovVisionCfg cfg_of(ovSafetensors *st) {
    ovVisionCfg cfg = {.arch = OV_VISION_CLIP};
    cfg.clip = (ovCLIPImageCfg){.width = ov_vp_meta_int(st, "width"), .layers = ov_vp_meta_int(st, "layers"),
                                .heads = ov_vp_meta_int(st, "heads"), .patch = ov_vp_meta_int(st, "patch"),
                                .image_size = ov_vp_meta_int(st, "image_size"), .output_dim = ov_vp_meta_int(st, "output_dim")};
    return cfg;
}

/* embed, pre, blocks, f_frames, f_v, 4 maps, patch_text_sim */
static void run_case(const char *name, ovDevice dev) { ov_vision_parity(name, dev, ".safetensors", cfg_of, 9); }

START_TEST(test_parity) { run_case(cases[_i], OV_DEV_CPU); }
END_TEST

START_TEST(test_parity_on_device) { run_case("clip_s_interp", OV_DEV_CUDA); }
END_TEST

/* ---- models/vision.h ---- */

START_TEST(test_normalize) {
    ov_scope_begin();
    struct {
        ovVisionArch arch;
        float mean[3], std[3];
    } want[] = {{OV_VISION_VICLIP, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}},
                {OV_VISION_CLIPVIP, {0.48145466f, 0.4578275f, 0.40821073f}, {0.26862954f, 0.26130258f, 0.27577711f}},
                {OV_VISION_CLIP, {0.48145466f, 0.4578275f, 0.40821073f}, {0.26862954f, 0.26130258f, 0.27577711f}}};
    ovGenerator g = ov_generator(2);
    for (int k = 0; k < 3; k++) {
        ovTensor *x = ov_rand(OV_SHAPE(3, 2, 4, 5), 0, 1, &g); /* [C,T,H,W] as data/transform.h makes */
        ovTensor *y = ov_vision_normalize(want[k].arch, x), *yb = ov_vision_normalize(want[k].arch, ov_unsqueeze(x, 0));
        ck_assert(ov_same_shape(y, x) && yb->ndim == 5);
        for (int64_t i = 0; i < ov_numel(x); i++) {
            int c = (int)(i / 40);
            double e = (ov_get_flat(x, i) - want[k].mean[c]) / want[k].std[c];
            ck_assert_msg(fabs(ov_get_flat(y, i) - e) < 1e-5 && ov_get_flat(yb, i) == ov_get_flat(y, i), "arch %d element %lld", k,
                          (long long)i);
        }
        ovNorm n = ov_vision_norm(want[k].arch);
        ck_assert(n.mean[2] == want[k].mean[2] && n.std[0] == want[k].std[0] && !n.bgr_quirk);
    }
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_vision_normalize(OV_VISION_CLIP, ov_zeros(OV_SHAPE(2, 4, 4, 3), OV_F32));
        ov_trap_pop(&trap);
        ck_abort_msg("a [T,H,W,C] clip was accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "[3,T,H,W]"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

/* Token k of a [1, T*h*w, 1] ramp lands where each order puts it. */
START_TEST(test_token_orders) {
    ov_scope_begin();
    int64_t T = 2, h = 3, w = 4;
    ovTensor *tok = ov_reshape(ov_arange(0, (double)(T * h * w), 1, OV_F32), OV_SHAPE(1, T * h * w, 1));
    ovTensor *sm = ov_tokens_to_map(tok, T, h, w, true), *tm = ov_tokens_to_map(tok, T, h, w, false);
    ck_assert(sm->ndim == 5 && sm->shape[1] == 1 && sm->shape[2] == T && sm->shape[3] == h && sm->shape[4] == w);
    for (int64_t t = 0; t < T; t++)
        for (int64_t y = 0; y < h; y++)
            for (int64_t x = 0; x < w; x++) {
                int64_t at[5] = {0, 0, t, y, x};
                ck_assert_double_eq(ov_get(sm, at), (double)((y * w + x) * T + t)); /* ViCLIP: space major */
                ck_assert_double_eq(ov_get(tm, at), (double)(t * h * w + y * w + x)); /* CLIP-ViP: time major */
            }
    ov_scope_end();
}
END_TEST

START_TEST(test_patch_text_similarity) {
    ov_scope_begin();
    /* D = 2: position (t, y, x) holds (cos a, sin a) * r; text 0 is (1, 0), text 1 is (0, 3) */
    int64_t T = 2, h = 2, w = 3, n = T * h * w;
    ovTensor *map = ov_empty(OV_SHAPE(1, 2, T, h, w), OV_F32);
    float *p = ov_f32(map);
    for (int64_t i = 0; i < n; i++) {
        double a = 0.3 * (double)i, r = 1.0 + (double)i;
        p[i] = (float)(r * cos(a)), p[n + i] = (float)(r * sin(a));
    }
    ovTensor *text = ov_from_data((float[]){1, 0, 0, 3}, OV_SHAPE(2, 2), OV_F32);
    ovTensor *s = ov_patch_text_similarity(map, text);
    ck_assert(s->ndim == 5 && s->shape[1] == 2 && s->shape[2] == T && s->shape[3] == h && s->shape[4] == w);
    for (int64_t i = 0; i < n; i++) {
        ck_assert(fabs(ov_get_flat(s, i) - cos(0.3 * (double)i)) < 1e-6);
        ck_assert(fabs(ov_get_flat(s, n + i) - sin(0.3 * (double)i)) < 1e-6);
    }
    ov_scope_end();
}
END_TEST

START_TEST(test_table_resize) {
    ov_scope_begin();
    ovGenerator g = ov_generator(3);
    ovTensor *tab = ov_randn(OV_SHAPE(9, 4), 0, 1, &g), *temp = ov_randn(OV_SHAPE(1, 4, 4), 0, 1, &g);
    ck_assert_ptr_eq(ov_pos_table_resize(tab, 3, 3), tab);
    ck_assert_ptr_eq(ov_temporal_table_resize(temp, 4), temp);
    ovTensor *r = ov_pos_table_resize(tab, 2, 5), *t = ov_temporal_table_resize(temp, 8);
    ck_assert(r->ndim == 2 && r->shape[0] == 10 && r->shape[1] == 4);
    ck_assert(t->ndim == 3 && t->shape[1] == 8 && t->shape[2] == 4);
    /* linear, align_corners=False, 4 -> 8: output 0 and 1 both sit on input 0 (clamped), 2 is 0.75/0.25 */
    for (int c = 0; c < 4; c++) {
        double a = ov_get_flat(temp, c), b = ov_get_flat(temp, 4 + c);
        ck_assert(fabs(ov_get_flat(t, c) - a) < 1e-6 && fabs(ov_get_flat(t, 4 + c) - (0.75 * a + 0.25 * b)) < 1e-6);
    }
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("clip_image");
    TCase *tc = tcase_create("parity");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_parity, 0, N_CASES);
    suite_add_tcase(s, tc);
    tc = tcase_create("shared");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_normalize);
    tcase_add_test(tc, test_token_orders);
    tcase_add_test(tc, test_patch_text_similarity);
    tcase_add_test(tc, test_table_resize);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "clip_image", "device");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_parity_on_device);
    return ov_run_suite(s) ? 1 : 0;
}
