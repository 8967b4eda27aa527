/* test_loss.c: nn/loss.c against torch.nn.functional and torchvision.ops (fixtures from
 * tools/gen_loss_fixtures.py: values and gradients in float64, within 1e-5 relative), on the CPU
 * and on the emulated CUDA device; plus torch's edge rules (every target ignored gives NaN, the
 * weighted mean of OpenMixer's person loss by hand) and clear errors for wrong targets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/loss.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"
#include "tests/fn_fixtures.h"

#define FIXTURES "tests/fixtures/loss"
#define TOL 1e-5

static ovReduction reduction(const ovFnCase *c) {
    ovReduction r;
    ck_assert_msg(ov_reduction_parse(ov_fn_meta(c, "reduction"), &r) == 0, "%s", ov_last_error());
    return r;
}

static ovTensor *run_ce(const ovFnCase *c) {
    const char *ig = ov_fn_meta(c, "ignore_index");
    int64_t ignore = strcmp(ig, "none") ? atoll(ig) : OV_IGNORE_NONE;
    return ov_cross_entropy(ov_fn_in(c, "logits"), ov_fn_in(c, "target"), ov_fn_in(c, "weight"), ignore, reduction(c));
}
static ovTensor *run_ce_soft(const ovFnCase *c) {
    return ov_cross_entropy_soft(ov_fn_in(c, "logits"), ov_fn_in(c, "target"), ov_fn_in(c, "weight"), reduction(c));
}
static ovTensor *run_bce(const ovFnCase *c) {
    return ov_bce_with_logits(ov_fn_in(c, "logits"), ov_fn_in(c, "target"), ov_fn_in(c, "weight"),
                              ov_fn_in(c, "pos_weight"), reduction(c));
}
static ovTensor *run_focal(const ovFnCase *c) {
    return ov_sigmoid_focal_loss(ov_fn_in(c, "logits"), ov_fn_in(c, "target"), ov_fn_num(c, "alpha"),
                                 ov_fn_num(c, "gamma"), reduction(c));
}
static ovTensor *run_l1(const ovFnCase *c) { return ov_l1_loss(ov_fn_in(c, "input"), ov_fn_in(c, "target"), reduction(c)); }
static ovTensor *run_smooth_l1(const ovFnCase *c) {
    return ov_smooth_l1_loss(ov_fn_in(c, "input"), ov_fn_in(c, "target"), ov_fn_num(c, "beta"), reduction(c));
}
static ovTensor *run_giou(const ovFnCase *c) {
    return ov_giou_loss(ov_fn_in(c, "boxes1"), ov_fn_in(c, "boxes2"), ov_fn_num(c, "eps"), ov_fn_num(c, "legacy") != 0,
                        reduction(c));
}

static const ovFnEntry table[] = {
    {"cross_entropy", run_ce},        {"cross_entropy_soft", run_ce_soft}, {"bce_with_logits", run_bce},
    {"sigmoid_focal_loss", run_focal}, {"l1_loss", run_l1},                 {"smooth_l1_loss", run_smooth_l1},
    {"giou_loss", run_giou},          {NULL, NULL},
};

/* The emulated device runs every CUDA thread as a fiber, which is slow: a few cases cover the
 * index-picking cross-entropy (ignored targets, class weights), the soft one, the binary losses
 * and smooth L1 (the GIoU loss is the boxes' GIoU, run on the device in test_boxes). */
static const char *const device_cases[] = {"ce_ignore_mean", "ce_soft_weighted_mean", "bce_weights_mean",
                                           "focal_a0.25_g2_sum", "smooth_l1_beta0.3_mean"};
#define N_DEVICE_CASES (int)(sizeof device_cases / sizeof *device_cases)

/* OpenMixer's person loss: 2-way cross-entropy, class weights [1, 0.1], weighted mean
 * sum_i w[t_i] l_i / sum_i w[t_i], checked by hand; and NaN when every target is ignored. */
START_TEST(test_weighted_mean_by_hand) {
    ov_scope_begin();
    const float lv[] = {2.0f, -1.0f, 0.5f, 0.25f, -3.0f, 1.0f};
    ovTensor *logits = ov_from_data(lv, OV_SHAPE(3, 2), OV_F32);
    ovTensor *target = ov_from_data((int64_t[]){0, 1, 1}, OV_SHAPE(3), OV_I64);
    ovTensor *weight = ov_from_data((float[]){1.0f, 0.1f}, OV_SHAPE(2), OV_F32);
    double num = 0, den = 0;
    for (int i = 0; i < 3; i++) {
        double a = lv[2 * i], b = lv[2 * i + 1], lse = log(exp(a) + exp(b));
        int t = i == 0 ? 0 : 1;
        double w = t ? 0.1 : 1.0;
        num += w * (lse - (t ? b : a));
        den += w;
    }
    ovTensor *l = ov_cross_entropy(logits, target, weight, -100, OV_REDUCTION_MEAN);
    ck_assert_int_eq(l->ndim, 0);
    ck_assert_double_eq_tol(ov_get_flat(l, 0), num / den, 1e-6);
    ovTensor *all_ignored = ov_from_data((int64_t[]){-100, -100, -100}, OV_SHAPE(3), OV_I64);
    ck_assert(isnan(ov_get_flat(ov_cross_entropy(logits, all_ignored, weight, -100, OV_REDUCTION_MEAN), 0)));
    ck_assert_double_eq(ov_get_flat(ov_cross_entropy(logits, all_ignored, NULL, -100, OV_REDUCTION_SUM), 0), 0);
    ovReduction r;
    ck_assert_int_eq(ov_reduction_parse("batchmean", &r), -1);
    ck_assert_msg(strstr(ov_last_error(), "unknown reduction 'batchmean'"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

static void expect_error(void (*fn)(void), const char *what) {
    ovTrap trap;
    if (OV_TRY(&trap)) {
        fn();
        ov_trap_pop(&trap);
        ck_abort_msg("no error for: %s", what);
    }
    ck_assert_msg(strstr(ov_last_error(), what), "expected '%s' in: %s", what, ov_last_error());
}

static void float_target(void) {
    ov_cross_entropy(ov_zeros(OV_SHAPE(4, 3), OV_F32), ov_zeros(OV_SHAPE(4, 3), OV_F32), NULL, -100, OV_REDUCTION_MEAN);
}
static void out_of_range_target(void) {
    ovTensor *t = ov_from_data((int64_t[]){0, 3, 1, 2}, OV_SHAPE(4), OV_I64);
    ov_cross_entropy(ov_zeros(OV_SHAPE(4, 3), OV_F32), t, NULL, -100, OV_REDUCTION_MEAN);
}
static void bad_weight(void) {
    ovTensor *t = ov_from_data((int64_t[]){0, 1, 1, 2}, OV_SHAPE(4), OV_I64);
    ov_cross_entropy(ov_zeros(OV_SHAPE(4, 3), OV_F32), t, ov_ones(OV_SHAPE(2), OV_F32), -100, OV_REDUCTION_MEAN);
}
static void bce_shape(void) {
    ov_bce_with_logits(ov_zeros(OV_SHAPE(4, 3), OV_F32), ov_zeros(OV_SHAPE(4, 1), OV_F32), NULL, NULL, OV_REDUCTION_MEAN);
}

START_TEST(test_wrong_targets_are_clear_errors) {
    ov_scope_begin();
    expect_error(float_target, "cross_entropy: target must be i64 class indices");
    expect_error(out_of_range_target, "index 3 (element 1 of the index, row-major) is out of range");
    expect_error(bad_weight, "cross_entropy: weight must be f32 [3] (one per class)");
    expect_error(bce_shape, "bce_with_logits: target must have the shape of the input");
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("loss");
    TCase *tc = ov_fn_add_cases(s, "loss", FIXTURES, table, TOL, device_cases, N_DEVICE_CASES);
    tcase_add_test(tc, test_weighted_mean_by_hand);
    tcase_add_test(tc, test_wrong_targets_are_clear_errors);
    return ov_run_suite(s) ? 1 : 0;
}
