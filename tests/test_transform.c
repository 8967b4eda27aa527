/* test_transform.c: the clip transforms against PyTorch/torchvision fixtures (bilinear resize
 * up and down: F.interpolate(align_corners=False); brightness, contrast, saturation and hue in
 * several orders: torchvision.transforms.functional), OpenMixer's size rule (320x240 -> 341x256
 * and 427x320), boxes that follow the pixels through resize, flip (both conventions), crop and
 * pad, seeded jitter, the normalisations (CLIP, ImageNet, OpenMixer's BGR quirk) and the whole
 * OpenMixer test pipeline giving [3,16,256,352]. Fixtures: tools/gen_media_fixtures.py. */
#include <math.h>
#include <string.h>

#include "data/transform.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

static ovSafetensors *open_fixture(const char *file) {
    char p[256];
    snprintf(p, sizeof p, "tests/fixtures/media/%s", file);
    ovSafetensors *st = ov_st_open(p);
    ck_assert_msg(st, "missing fixture (run tools/gen_media_fixtures.py): %s", ov_last_error());
    return st;
}

/* u8 result against a float reference: only the final rounding may differ. */
static void expect_rounded(const ovTensor *got, const ovTensor *want, const char *what) {
    ck_assert_msg(ov_numel(got) == ov_numel(want), "%s: sizes differ", what);
    const uint8_t *g = ov_data_ptr(got);
    const float *w = ov_data_ptr(want);
    for (int64_t i = 0; i < ov_numel(got); i++)
        ck_assert_msg(fabsf((float)g[i] - w[i]) <= 0.5f + 2e-3f, "%s: element %lld is %d, reference %.4f", what,
                      (long long)i, g[i], w[i]);
}

START_TEST(test_size_rule) {
    int64_t h, w;
    ov_resize_short_size(240, 320, 256, 1333, &h, &w);
    ck_assert(h == 256 && w == 341);
    ov_resize_short_size(240, 320, 320, 1333, &h, &w);
    ck_assert(h == 320 && w == 427);
    ov_resize_short_size(320, 240, 256, 0, &h, &w);
    ck_assert(h == 341 && w == 256);
    ov_resize_short_size(256, 300, 256, 1333, &h, &w);
    ck_assert(h == 256 && w == 300);
    ov_resize_short_size(100, 1000, 256, 1333, &h, &w); /* capped: short side 133 */
    ck_assert_msg(h == 133 && w == 1330, "%lldx%lld", (long long)h, (long long)w);
}
END_TEST

START_TEST(test_resize_matches_pytorch) {
    ov_scope_begin();
    ovSafetensors *st = open_fixture("resize.safetensors");
    ovTensor *in = ov_st_get(st, "input");
    int checked = 0;
    for (int i = 0; i < ov_st_count(st); i++) {
        const char *name = ov_st_name(st, i);
        int oh, ow;
        if (sscanf(name, "out_%dx%d", &oh, &ow) != 2) continue;
        ovClip c;
        ck_assert_int_eq(ov_clip_init(&c, in, ov_from_data((float[]){1, 2, 11, 16}, OV_SHAPE(1, 4), OV_F32)), 0);
        ck_assert_int_eq(ov_clip_resize(&c, oh, ow), 0);
        ck_assert(c.frames->shape[1] == oh && c.frames->shape[2] == ow && c.h == oh && c.w == ow);
        expect_rounded(c.frames, ov_st_tensor(st, i), name);
        const float *b = ov_data_ptr(c.boxes);
        ck_assert_float_eq_tol(b[0], 1.0f * ow / 23, 1e-5);
        ck_assert_float_eq_tol(b[1], 2.0f * oh / 17, 1e-5);
        ck_assert_float_eq_tol(b[2], 11.0f * ow / 23, 1e-5);
        ck_assert_float_eq_tol(b[3], 16.0f * oh / 17, 1e-5);
        checked++;
    }
    ck_assert_int_eq(checked, 7);
    ov_st_close(st);
    ov_scope_end();
}
END_TEST

START_TEST(test_color_matches_torchvision) {
    ov_scope_begin();
    ovSafetensors *st = open_fixture("color.safetensors");
    ovTensor *in = ov_st_get(st, "input");
    for (int k = 0;; k++) {
        char name[32];
        snprintf(name, sizeof name, "out%d", k);
        if (ov_st_find(st, name) < 0) {
            ck_assert_int_eq(k, 7);
            break;
        }
        ovTensor *p = ov_st_get(st, (snprintf(name, sizeof name, "params%d", k), name));
        ovTensor *o = ov_st_get(st, (snprintf(name, sizeof name, "order%d", k), name));
        ovColorAdjust a = {ov_get_flat(p, 0), ov_get_flat(p, 1), ov_get_flat(p, 2), ov_get_flat(p, 3), {0}, (int)o->shape[0]};
        for (int j = 0; j < a.n_order; j++) a.order[j] = (int)ov_get_flat(o, j);
        ovClip c;
        ck_assert_int_eq(ov_clip_init(&c, in, NULL), 0);
        ck_assert_int_eq(ov_clip_color(&c, &a), 0);
        snprintf(name, sizeof name, "out%d", k);
        expect_rounded(c.frames, ov_st_get(st, name), name);
    }
    ov_st_close(st);
    ov_scope_end();
}
END_TEST

/* A black clip with a white rectangle covering pixels [x1, x2) x [y1, y2): its box is exactly
 * (x1, y1, x2, y2) in continuous coordinates. */
static void rect_clip(ovClip *c, int T, int h, int w, int x1, int y1, int x2, int y2) {
    ovTensor *f = ov_zeros(OV_SHAPE(T, h, w, 3), OV_U8);
    uint8_t *p = ov_data_ptr(f);
    for (int t = 0; t < T; t++)
        for (int y = y1; y < y2; y++)
            for (int x = x1; x < x2; x++) memset(p + (((size_t)t * h + y) * w + x) * 3, 255, 3);
    ck_assert_int_eq(ov_clip_init(c, f, ov_from_data((float[]){x1, y1, x2, y2}, OV_SHAPE(1, 4), OV_F32)), 0);
}

/* The bright region's extent in frame t, as a continuous box (first lit pixel, one past the last). */
static void lit_extent(const ovClip *c, int t, float *e) {
    int64_t h = c->frames->shape[1], w = c->frames->shape[2];
    const uint8_t *p = (const uint8_t *)ov_data_ptr(c->frames) + (size_t)t * h * w * 3;
    e[0] = e[1] = 1e9f;
    e[2] = e[3] = -1;
    for (int64_t y = 0; y < h; y++)
        for (int64_t x = 0; x < w; x++)
            if (p[(y * w + x) * 3] > 127) {
                e[0] = fminf(e[0], (float)x), e[1] = fminf(e[1], (float)y);
                e[2] = fmaxf(e[2], (float)x + 1), e[3] = fmaxf(e[3], (float)y + 1);
            }
}

static void expect_box_on_pixels(const ovClip *c, float tol, const char *what) {
    float e[4];
    lit_extent(c, 0, e);
    const float *b = ov_data_ptr(c->boxes);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabsf(e[k] - b[k]) <= tol, "%s: box %.2f %.2f %.2f %.2f but the pixels span %.0f %.0f %.0f %.0f", what,
                      b[0], b[1], b[2], b[3], e[0], e[1], e[2], e[3]);
}

START_TEST(test_boxes_follow_pixels) {
    ov_scope_begin();
    ovClip c;
    rect_clip(&c, 2, 240, 320, 100, 40, 180, 200);
    expect_box_on_pixels(&c, 0, "as made");
    ck_assert_int_eq(ov_clip_resize_short(&c, 256, 1333), 0);
    ck_assert(c.h == 256 && c.w == 341);
    expect_box_on_pixels(&c, 1.0f, "resized to 341x256");
    ck_assert_int_eq(ov_clip_flip(&c, OV_FLIP_BOXES_EXACT), 0);
    expect_box_on_pixels(&c, 1.0f, "flipped");
    ck_assert_int_eq(ov_clip_crop(&c, 10, 20, 200, 300), 0);
    expect_box_on_pixels(&c, 1.0f, "cropped");
    ck_assert_int_eq(ov_clip_resize(&c, 77, 95), 0);
    expect_box_on_pixels(&c, 1.0f, "shrunk");
    /* OpenMixer's flip is one pixel further left than the mirror */
    ovClip d;
    rect_clip(&d, 1, 10, 20, 2, 3, 7, 9);
    ck_assert_int_eq(ov_clip_flip(&d, OV_FLIP_BOXES_OPENMIXER), 0);
    const float *b = ov_data_ptr(d.boxes);
    ck_assert(b[0] == 20 - 7 - 1 && b[1] == 3 && b[2] == 20 - 2 - 1 && b[3] == 9);
    /* flipping twice restores pixels and (exact) boxes */
    ovClip e;
    rect_clip(&e, 2, 9, 13, 1, 2, 5, 8);
    ovTensor *f0 = e.frames;
    ck_assert_int_eq(ov_clip_flip(&e, OV_FLIP_BOXES_EXACT), 0);
    ck_assert(ov_rel_diff(e.frames, f0, NULL) != 0);
    ck_assert_int_eq(ov_clip_flip(&e, OV_FLIP_BOXES_EXACT), 0);
    ck_assert(ov_rel_diff(e.frames, f0, NULL) == 0);
    b = ov_data_ptr(e.boxes);
    ck_assert(b[0] == 1 && b[1] == 2 && b[2] == 5 && b[3] == 8);
    /* crop clips boxes to the window */
    ck_assert_int_eq(ov_clip_crop(&e, 3, 2, 4, 6), 0);
    b = ov_data_ptr(e.boxes);
    ck_assert(b[0] == 0 && b[1] == 0 && b[2] == 3 && b[3] == 4);
    ck_assert_int_eq(ov_clip_crop(&e, 0, 0, 5, 7), -1);
    ck_assert_msg(strstr(ov_last_error(), "does not fit"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

START_TEST(test_pad_and_normalize) {
    ov_scope_begin();
    ovClip c;
    rect_clip(&c, 3, 40, 50, 5, 6, 20, 30);
    ovTensor *orig = c.frames;
    ck_assert_int_eq(ov_clip_pad(&c, 32), 0);
    ck_assert(c.frames->shape[1] == 64 && c.frames->shape[2] == 64 && c.h == 40 && c.w == 50);
    for (int t = 0; t < 3; t++)
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                for (int k = 0; k < 3; k++) {
                    double got = ov_get(c.frames, (int64_t[]){t, y, x, k});
                    double want = (y < 40 && x < 50) ? ov_get(orig, (int64_t[]){t, y, x, k}) : 0;
                    ck_assert(got == want);
                }
    ck_assert_int_eq(ov_clip_resize(&c, 10, 10), -1); /* geometry after padding is refused */
    ck_assert_msg(strstr(ov_last_error(), "padded"), "%s", ov_last_error());

    /* normalisation: values, the BGR quirk, zero padding after normalising */
    ovTensor *px = ov_from_data((uint8_t[]){10, 128, 250, 0, 255, 77}, OV_SHAPE(1, 1, 2, 3), OV_U8);
    ovClip d;
    ck_assert_int_eq(ov_clip_init(&d, px, NULL), 0);
    ovNorm norms[3] = {ov_norm_clip(), ov_norm_imagenet(), ov_norm_openmixer()};
    for (int n = 0; n < 3; n++) {
        ovTensor *out = ov_clip_normalize(&d, &norms[n], 4);
        ck_assert(out->ndim == 4 && out->shape[0] == 3 && out->shape[1] == 1 && out->shape[2] == 4 && out->shape[3] == 4);
        for (int k = 0; k < 3; k++) {
            int s = n == 2 ? 2 - k : k; /* R normalised with B's statistics and B with R's */
            for (int x = 0; x < 4; x++)
                for (int y = 0; y < 4; y++) {
                    double got = ov_get(out, (int64_t[]){k, 0, y, x});
                    double want = (y == 0 && x < 2)
                                      ? (ov_get(px, (int64_t[]){0, 0, x, k}) / 255.0 - norms[n].mean[s]) / norms[n].std[s]
                                      : 0;
                    ck_assert_msg(fabs(got - want) < 1e-5, "norm %d channel %d (%d,%d): %g vs %g", n, k, y, x, got, want);
                }
        }
    }
    ck_assert_float_eq_tol(norms[2].mean[0], 0.48145466f, 1e-8);
    ov_scope_end();
}
END_TEST

START_TEST(test_jitter_and_pipeline) {
    ov_scope_begin();
    ovGenerator g = ov_generator(4);
    ovTensor *raw = ov_randint(OV_SHAPE(16, 240, 320, 3), 0, 256, &g), *frames = ov_empty(4, raw->shape, OV_U8);
    ov_copy_(frames, raw);
    ovTensor *boxes = ov_from_data((float[]){10, 20, 200, 230}, OV_SHAPE(1, 4), OV_F32);
    /* OpenMixer's test transform */
    ovClipTransform tt = ov_clip_transform_openmixer(false);
    ovClip c;
    ck_assert_int_eq(ov_clip_init(&c, frames, boxes), 0);
    ovDataRng r = ov_data_rng(1);
    ovTensor *x = ov_clip_transform(&tt, &c, &r, NULL);
    ck_assert_msg(x, "%s", ov_last_error());
    ck_assert(x->ndim == 4 && x->shape[0] == 3 && x->shape[1] == 16 && x->shape[2] == 256 && x->shape[3] == 352);
    ck_assert(c.h == 256 && c.w == 341);
    ck_assert(ov_get(x, (int64_t[]){1, 3, 100, 345}) == 0); /* padded columns */
    /* training: both scales and both flips occur; the same stream gives the same sample */
    ovClipTransform tr = ov_clip_transform_openmixer(true);
    tr.jitter = (ovColorJitter){0.4, 0.4, 0.4, 0.1};
    int seen320 = 0, seen256 = 0, flips = 0;
    ovTensor *first = NULL;
    for (uint64_t s = 0; s < 12; s++) {
        ovClip k;
        ck_assert_int_eq(ov_clip_init(&k, ov_view_of(frames, 4, (int64_t[]){2, 240, 320, 3}, frames->stride, 0), boxes), 0);
        ovDataRng rs = ov_data_rng_for(7, 0, s);
        bool flipped;
        ovTensor *y = ov_clip_transform(&tr, &k, &rs, &flipped);
        ck_assert_msg(y, "%s", ov_last_error());
        seen256 |= k.h == 256;
        seen320 |= k.h == 320;
        flips += flipped;
        const float *b = ov_data_ptr(k.boxes);
        float sx = (float)k.w / 320;
        ck_assert_float_eq_tol(b[0], flipped ? k.w - 200 * sx - 1 : 10 * sx, 1e-3);
        if (s == 0) first = y;
    }
    ck_assert(seen256 && seen320 && flips > 0 && flips < 12);
    ovClip k;
    ck_assert_int_eq(ov_clip_init(&k, ov_view_of(frames, 4, (int64_t[]){2, 240, 320, 3}, frames->stride, 0), boxes), 0);
    ovDataRng rs = ov_data_rng_for(7, 0, 0);
    ovTensor *again = ov_clip_transform(&tr, &k, &rs, NULL);
    ck_assert(ov_rel_diff(again, first, NULL) == 0);
    /* jitter: the drawn factors lie in torchvision's ranges; all frames of a clip change alike */
    ovColorJitter j = {0.4, 0.3, 0.2, 0.1};
    for (uint64_t s = 0; s < 50; s++) {
        ovDataRng q = ov_data_rng_for(2, 0, s);
        ovColorAdjust a = ov_color_jitter_draw(&j, &q);
        ck_assert(a.brightness >= 0.6 && a.brightness <= 1.4 && a.contrast >= 0.7 && a.contrast <= 1.3);
        ck_assert(a.saturation >= 0.8 && a.saturation <= 1.2 && fabs(a.hue) <= 0.1 && a.n_order == 4);
    }
    ovTensor *same = ov_empty(OV_SHAPE(2, 8, 8, 3), OV_U8);
    ov_copy_(ov_view_of(same, 4, (int64_t[]){1, 8, 8, 3}, same->stride, 0),
             ov_view_of(frames, 4, (int64_t[]){1, 8, 8, 3}, frames->stride, 0));
    ov_copy_(ov_view_of(same, 4, (int64_t[]){1, 8, 8, 3}, same->stride, 192),
             ov_view_of(frames, 4, (int64_t[]){1, 8, 8, 3}, frames->stride, 0));
    ovClip jc;
    ck_assert_int_eq(ov_clip_init(&jc, same, NULL), 0);
    ovDataRng q = ov_data_rng(3);
    ck_assert_int_eq(ov_clip_color_jitter(&jc, &j, &q), 0);
    ck_assert(memcmp(ov_data_ptr(jc.frames), (uint8_t *)ov_data_ptr(jc.frames) + 192, 192) == 0);
    ck_assert(memcmp(ov_data_ptr(jc.frames), ov_data_ptr(same), 192) != 0);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("transform");
    TCase *tc = tcase_create("transform");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_size_rule);
    tcase_add_test(tc, test_resize_matches_pytorch);
    tcase_add_test(tc, test_color_matches_torchvision);
    tcase_add_test(tc, test_boxes_follow_pixels);
    tcase_add_test(tc, test_pad_and_normalize);
    tcase_add_test(tc, test_jitter_and_pipeline);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
