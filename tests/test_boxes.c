/* test_boxes.c: nn/boxes.c against torchvision/mmdet/OpenMixer references (fixtures from
 * tools/gen_loss_fixtures.py: values and gradients in float64, within 1e-5 relative), on the CPU
 * and on the emulated CUDA device; plus hand-computed overlaps with and without the +1 pixel
 * convention, round trips between formats, and the errors for malformed boxes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "autograd/ops.h"
#include "nn/boxes.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"
#include "tests/fn_fixtures.h"

#define FIXTURES "tests/fixtures/boxes"
#define TOL 1e-5

static bool legacy(const ovFnCase *c) { return ov_fn_num(c, "legacy") != 0; }

static ovBoxFormat format(const ovFnCase *c, const char *key) {
    ovBoxFormat f;
    ck_assert_msg(ov_box_format_parse(ov_fn_meta(c, key), &f) == 0, "%s", ov_last_error());
    return f;
}

static ovTensor *run_convert(const ovFnCase *c) {
    return ov_box_convert(ov_fn_in(c, "boxes"), format(c, "from"), format(c, "to"));
}
static ovTensor *run_clip(const ovFnCase *c) {
    return ov_box_clip(ov_fn_in(c, "boxes"), ov_fn_num(c, "x_max"), ov_fn_num(c, "y_max"));
}
static ovTensor *run_clip_to(const ovFnCase *c) { return ov_box_clip_to(ov_fn_in(c, "boxes"), ov_fn_in(c, "bounds")); }
static ovTensor *run_area(const ovFnCase *c) { return ov_box_area(ov_fn_in(c, "boxes"), legacy(c)); }
static ovTensor *run_iou(const ovFnCase *c) { return ov_box_iou(ov_fn_in(c, "a"), ov_fn_in(c, "b"), legacy(c)); }
static ovTensor *run_iof(const ovFnCase *c) {
    return ov_box_iof(ov_fn_in(c, "a"), ov_fn_in(c, "b"), ov_fn_num(c, "eps"), legacy(c));
}
static ovTensor *run_giou(const ovFnCase *c) { return ov_box_giou(ov_fn_in(c, "a"), ov_fn_in(c, "b"), legacy(c)); }
static ovTensor *run_iou_aligned(const ovFnCase *c) {
    return ov_box_iou_aligned(ov_fn_in(c, "a"), ov_fn_in(c, "b"), ov_fn_num(c, "eps"), legacy(c));
}
static ovTensor *run_giou_aligned(const ovFnCase *c) {
    return ov_box_giou_aligned(ov_fn_in(c, "a"), ov_fn_in(c, "b"), ov_fn_num(c, "eps"), legacy(c));
}
static ovTensor *run_cdist(const ovFnCase *c) { return ov_box_l1_cdist(ov_fn_in(c, "a"), ov_fn_in(c, "b")); }

static const ovFnEntry table[] = {
    {"box_convert", run_convert},         {"box_clip", run_clip},
    {"box_clip_to", run_clip_to},         {"box_area", run_area},
    {"box_iou", run_iou},                 {"box_iof", run_iof},
    {"box_giou", run_giou},               {"box_iou_aligned", run_iou_aligned},
    {"box_giou_aligned", run_giou_aligned}, {"box_l1_cdist", run_cdist},
    {NULL, NULL},
};

/* The emulated device runs every CUDA thread as a fiber, which is slow: a few cases cover the
 * xyzr decoding and OpenMixer's IoF, batched GIoU with the +1 convention, and tensor bounds. */
static const char *const device_cases[] = {"convert_xyzr_xyxy", "iof_xyzr_self", "giou_batched_legacy", "clip_to"};
#define N_DEVICE_CASES (int)(sizeof device_cases / sizeof *device_cases)

static ovTensor *boxes(int n, const float *v) { return ov_from_data(v, OV_SHAPE(n, 4), OV_F32); }

/* Two 10x10-pixel boxes overlapping by 5 pixels each way: continuous coordinates see 9x9 boxes
 * overlapping 4x4, the +1 convention 10x10 boxes overlapping 5x5. */
START_TEST(test_plus_one_convention) {
    ov_scope_begin();
    ovTensor *a = boxes(1, (float[]){0, 0, 9, 9}), *b = boxes(2, (float[]){5, 5, 14, 14, 20, 0, 29, 9});
    ovTensor *iou = ov_box_iou(a, b, false), *iou1 = ov_box_iou(a, b, true);
    ck_assert_int_eq(iou->ndim, 2);
    ck_assert(iou->shape[0] == 1 && iou->shape[1] == 2);
    ck_assert_double_eq_tol(ov_get_flat(iou, 0), 16.0 / (81 + 81 - 16), 1e-7);
    ck_assert_double_eq_tol(ov_get_flat(iou1, 0), 25.0 / (100 + 100 - 25), 1e-7);
    ck_assert_double_eq(ov_get_flat(iou, 1), 0);
    ck_assert_double_eq_tol(ov_get_flat(ov_box_iof(a, b, 1e-6, true), 0), 0.25, 1e-7);
    ck_assert_double_eq(ov_get_flat(ov_box_area(a, true), 0), 100);
    /* GIoU of the disjoint pair: enclosing box 29x9 (30x10), union 162 (200) */
    ck_assert_double_eq_tol(ov_get_flat(ov_box_giou(a, b, false), 1), -(29.0 * 9 - 162) / (29.0 * 9), 1e-6);
    ck_assert_double_eq_tol(ov_get_flat(ov_box_giou(a, b, true), 1), -(300.0 - 200) / 300, 1e-6);
    /* the aligned forms are the diagonal of the pairwise ones */
    ovTensor *a2 = boxes(2, (float[]){0, 0, 9, 9, 1, 2, 7, 8});
    ovTensor *g = ov_box_giou(a2, b, true), *gd = ov_box_giou_aligned(a2, b, 0, true);
    ck_assert_double_eq_tol(ov_get_flat(gd, 0), ov_get_flat(g, 0), 1e-7);
    ck_assert_double_eq_tol(ov_get_flat(gd, 1), ov_get_flat(g, 3), 1e-7);
    ov_scope_end();
}
END_TEST

START_TEST(test_round_trips) {
    ov_scope_begin();
    ovGenerator gen = ov_generator(3);
    ovTensor *xy = ov_rand(OV_SHAPE(2, 5, 2), 0, 100, &gen), *wh = ov_rand(OV_SHAPE(2, 5, 2), 1, 50, &gen);
    ovTensor *parts[2] = {xy, ov_add(xy, wh)};
    ovTensor *b = ov_cat(2, parts, -1);
    for (int f = 0; f < 4; f++)
        for (int h = 0; h < 4; h++) {
            ovTensor *back = ov_box_convert(ov_box_convert(ov_box_convert(b, OV_BOX_XYXY, (ovBoxFormat)f), (ovBoxFormat)f,
                                                           (ovBoxFormat)h),
                                            (ovBoxFormat)h, OV_BOX_XYXY);
            double d = ov_rel_diff(back, b, NULL);
            ck_assert_msg(d >= 0 && d < 1e-6, "xyxy -> %s -> %s -> xyxy: %g", ov_box_format_name((ovBoxFormat)f),
                          ov_box_format_name((ovBoxFormat)h), d);
        }
    /* xyzr of a 16x4 box at (10, 20): z = log2(8) = 3, r = log2(1/4) = -2 */
    ovTensor *z = ov_box_convert(boxes(1, (float[]){2, 18, 18, 22}), OV_BOX_XYXY, OV_BOX_XYZR);
    const double want[4] = {10, 20, 3, -2};
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(ov_get_flat(z, i), want[i], 1e-6);
    ovBoxFormat f;
    ck_assert_int_eq(ov_box_format_parse("xywh", &f), 0);
    ck_assert_int_eq(f, OV_BOX_XYWH);
    ck_assert_int_eq(ov_box_format_parse("ltrb", &f), -1);
    ck_assert(strstr(ov_last_error(), "unknown box format 'ltrb'"));
    ov_scope_end();
}
END_TEST

START_TEST(test_malformed_boxes_are_clear_errors) {
    ov_scope_begin();
    ovTensor *bad = ov_named(ov_zeros(OV_SHAPE(3, 5), OV_F32), "props");
    ovTensor *ok = ov_zeros(OV_SHAPE(2, 4), OV_F32);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_box_iou(ok, bad, false);
        ov_trap_pop(&trap);
        ck_abort_msg("boxes [3,5] were accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "box_iou: b must be f32 boxes [..., 4], got 'props' [3,5] f32"), "%s",
                  ov_last_error());
    if (OV_TRY(&trap)) {
        ov_box_giou(ov_zeros(OV_SHAPE(4), OV_F32), ok, false);
        ov_trap_pop(&trap);
        ck_abort_msg("a single box was accepted for a pairwise GIoU");
    }
    ck_assert_msg(strstr(ov_last_error(), "pairwise overlaps take a [..., N, 4]"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("boxes");
    TCase *tc = ov_fn_add_cases(s, "boxes", FIXTURES, table, TOL, device_cases, N_DEVICE_CASES);
    tcase_add_test(tc, test_plus_one_convention);
    tcase_add_test(tc, test_round_trips);
    tcase_add_test(tc, test_malformed_boxes_are_clear_errors);
    return ov_run_suite(s) ? 1 : 0;
}
