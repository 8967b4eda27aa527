/* loss.c: cross-entropy (class indices and soft targets), BCE with logits, sigmoid focal loss,
 * L1, smooth L1 and GIoU losses (see loss.h), written with the public ops so that autograd
 * derives the backward and the same code runs on CUDA tensors. Formulas follow ATen's
 * (aten/src/ATen/native/Loss.cpp, LossNLL.cpp) and torchvision.ops.focal_loss; the reductions
 * follow torch's apply_loss_reduction. */
#include "nn/loss.h"

#include <math.h>
#include <string.h>

#include "autograd/ops.h"
#include "nn/boxes.h"
#include "tensor/create.h"
#include "tensor/error.h"

static const char *const reduction_names[] = {"mean", "sum", "none"};

const char *ov_reduction_name(ovReduction r) { return (unsigned)r < 3 ? reduction_names[r] : "?"; }

int ov_reduction_parse(const char *name, ovReduction *out) {
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, reduction_names[i])) {
            *out = (ovReduction)i;
            return 0;
        }
    return ov_error("unknown reduction '%s' (expected mean, sum or none)", name);
}

static ovTensor *reduce(ovTensor *loss, ovReduction r) {
    switch (r) {
    case OV_REDUCTION_NONE: return loss;
    case OV_REDUCTION_SUM: return ov_sum(loss, 0, NULL, false);
    case OV_REDUCTION_MEAN: return ov_mean(loss, 0, NULL, false);
    default: ov_panic("loss: unknown reduction %d", (int)r);
    }
}

/* A 0-dim f32 constant on t's device (ops refuse to mix devices). */
static ovTensor *scalar_like(const ovTensor *t, double v) {
    ovTensor *s = ov_empty_on(ov_device(t), 0, NULL, OV_F32);
    ov_fill_(s, v);
    return s;
}

static void need_f32(const char *fn, const char *arg, const ovTensor *t) {
    char d[160];
    if (!t) ov_panic("%s: %s is missing", fn, arg);
    if (t->dtype != OV_F32) ov_panic("%s: %s must be f32, got %s", fn, arg, ov_describe(t, d, sizeof d));
}

static void need_same_shape(const char *fn, const ovTensor *a, const ovTensor *b) {
    char da[160], db[160];
    if (!ov_same_shape(a, b))
        ov_panic("%s: target must have the shape of the input: input %s, target %s", fn, ov_describe(a, da, sizeof da),
                 ov_describe(b, db, sizeof db));
}

/* The class dim of logits: 1 for [N, C, ...], 0 for an unbatched [C]. */
static int class_dim(const ovTensor *logits) { return logits->ndim >= 2 ? 1 : 0; }

static void need_class_weight(const char *fn, const ovTensor *weight, int64_t classes) {
    char d[160];
    if (weight && (weight->dtype != OV_F32 || weight->ndim != 1 || weight->shape[0] != classes))
        ov_panic("%s: weight must be f32 [%lld] (one per class), got %s", fn, (long long)classes,
                 ov_describe(weight, d, sizeof d));
}

/* ---------------- cross-entropy ---------------- */

ovTensor *ov_cross_entropy(ovTensor *logits, ovTensor *target, ovTensor *weight, int64_t ignore_index,
                           ovReduction reduction) {
    static const char *fn = "cross_entropy";
    need_f32(fn, "logits", logits);
    char dl[160], dt[160];
    if (logits->ndim == 0) ov_panic("%s: logits must be [N, C, ...] or [C], got 0-dim %s", fn, ov_describe(logits, dl, sizeof dl));
    int cd = class_dim(logits);
    bool ok = target && target->dtype == OV_I64 && target->ndim == logits->ndim - 1;
    for (int k = 0; ok && k < target->ndim; k++) ok = target->shape[k] == logits->shape[k < cd ? k : k + 1];
    if (!ok)
        ov_panic("%s: target must be i64 class indices shaped like the logits without the class dim %d: logits %s, "
                 "target %s (for probabilities use cross_entropy_soft)",
                 fn, cd, ov_describe(logits, dl, sizeof dl), target ? ov_describe(target, dt, sizeof dt) : "none");
    need_class_weight(fn, weight, logits->shape[cd]);

    ovTensor *logp = ov_log_softmax(logits, cd, NULL);
    /* ignored targets pick class 0 (any valid index) and are then zeroed by `valid` */
    ovTensor *index = target, *valid = NULL;
    if (ignore_index != OV_IGNORE_NONE) {
        ovTensor *tf = ov_to(target, OV_F32);
        ovTensor *ignored = ov_eq(tf, scalar_like(tf, (double)ignore_index));
        valid = ov_to(ov_logical_not(ignored), OV_F32);
        index = ov_to(ov_masked_fill(tf, ignored, 0.0), OV_I64);
    }
    ovTensor *picked = ov_squeeze(ov_gather(logp, cd, ov_unsqueeze(index, cd)), cd);
    ovTensor *w = NULL; /* per-element weight: weight[t], 0 where ignored */
    if (weight) {
        int64_t flat = -1;
        w = ov_reshape(ov_index_select(weight, 0, ov_reshape(index, 1, &flat)), target->ndim, target->shape);
    }
    if (valid) w = w ? ov_mul(w, valid) : valid;
    ovTensor *loss = ov_neg(picked);
    if (w) loss = ov_mul(loss, w);
    if (reduction == OV_REDUCTION_MEAN && w) return ov_div(ov_sum(loss, 0, NULL, false), ov_sum(w, 0, NULL, false));
    return reduce(loss, reduction);
}

ovTensor *ov_cross_entropy_soft(ovTensor *logits, ovTensor *target, ovTensor *weight, ovReduction reduction) {
    static const char *fn = "cross_entropy_soft";
    need_f32(fn, "logits", logits);
    need_f32(fn, "target", target);
    need_same_shape(fn, logits, target);
    char dl[160];
    if (logits->ndim == 0) ov_panic("%s: logits must be [N, C, ...] or [C], got 0-dim %s", fn, ov_describe(logits, dl, sizeof dl));
    int64_t cd = class_dim(logits);
    need_class_weight(fn, weight, logits->shape[cd]);
    ovTensor *prod = ov_mul(ov_log_softmax(logits, (int)cd, NULL), target);
    if (weight) {
        /* weight [C] seen as [C, 1, ..., 1] against the dims after the class dim */
        int64_t shape[OV_MAX_DIMS];
        int nd = logits->ndim - (int)cd;
        shape[0] = logits->shape[cd];
        for (int k = 1; k < nd; k++) shape[k] = 1;
        prod = ov_mul(prod, ov_reshape(weight, nd, shape));
    }
    return reduce(ov_neg(ov_sum(prod, 1, &cd, false)), reduction);
}

/* ---------------- binary losses ---------------- */

ovTensor *ov_bce_with_logits(ovTensor *logits, ovTensor *target, ovTensor *weight, ovTensor *pos_weight,
                             ovReduction reduction) {
    static const char *fn = "bce_with_logits";
    need_f32(fn, "logits", logits);
    need_f32(fn, "target", target);
    need_same_shape(fn, logits, target);
    if (weight) need_f32(fn, "weight", weight);
    if (pos_weight) need_f32(fn, "pos_weight", pos_weight);
    /* log(1 + e^-x) = m + log(e^-m + e^(-x-m)) with m = max(-x, 0): no exp overflows (ATen's form) */
    ovTensor *m = ov_relu(ov_neg(logits));
    ovTensor *softplus_neg = ov_add(ov_log(ov_add(ov_exp(ov_neg(m)), ov_exp(ov_sub(ov_neg(logits), m)))), m);
    ovTensor *loss = ov_mul(ov_add_scalar(ov_neg(target), 1.0), logits);
    if (pos_weight) {
        ovTensor *log_weight = ov_add_scalar(ov_mul(ov_add_scalar(pos_weight, -1.0), target), 1.0);
        loss = ov_add(loss, ov_mul(log_weight, softplus_neg));
    } else {
        loss = ov_add(loss, softplus_neg);
    }
    if (weight) loss = ov_mul(loss, weight);
    return reduce(loss, reduction);
}

ovTensor *ov_sigmoid_focal_loss(ovTensor *logits, ovTensor *target, double alpha, double gamma,
                                ovReduction reduction) {
    ovTensor *ce = ov_bce_with_logits(logits, target, NULL, NULL, OV_REDUCTION_NONE);
    ovTensor *p = ov_sigmoid(logits);
    ovTensor *not_t = ov_add_scalar(ov_neg(target), 1.0);
    /* p_t = p t + (1 - p)(1 - t): the probability given to the true label */
    ovTensor *p_t = ov_add(ov_mul(p, target), ov_mul(ov_add_scalar(ov_neg(p), 1.0), not_t));
    ovTensor *loss = ce;
    /* (1 - p_t)^0 = 1 with a zero gradient (torch's pow rule), so gamma 0 leaves ce alone */
    if (gamma != 0) loss = ov_mul(ce, ov_pow_scalar(ov_add_scalar(ov_neg(p_t), 1.0), gamma));
    if (alpha >= 0) {
        ovTensor *alpha_t = ov_add(ov_mul_scalar(target, alpha), ov_mul_scalar(not_t, 1.0 - alpha));
        loss = ov_mul(alpha_t, loss);
    }
    return reduce(loss, reduction);
}

/* ---------------- regression losses ---------------- */

ovTensor *ov_l1_loss(ovTensor *input, ovTensor *target, ovReduction reduction) {
    need_f32("l1_loss", "input", input);
    need_f32("l1_loss", "target", target);
    return reduce(ov_abs(ov_sub(input, target)), reduction);
}

ovTensor *ov_smooth_l1_loss(ovTensor *input, ovTensor *target, double beta, ovReduction reduction) {
    need_f32("smooth_l1_loss", "input", input);
    need_f32("smooth_l1_loss", "target", target);
    if (beta < 0) ov_panic("smooth_l1_loss: beta must be >= 0, got %g", beta);
    ovTensor *d = ov_abs(ov_sub(input, target));
    if (beta == 0) return reduce(d, reduction);
    ovTensor *quad = ov_mul_scalar(ov_mul(d, d), 0.5 / beta);
    ovTensor *lin = ov_add_scalar(d, -0.5 * beta);
    return reduce(ov_where(ov_lt(d, scalar_like(d, beta)), quad, lin), reduction);
}

ovTensor *ov_giou_loss(ovTensor *boxes1, ovTensor *boxes2, double eps, bool legacy, ovReduction reduction) {
    ovTensor *giou = ov_box_giou_aligned(boxes1, boxes2, eps, legacy);
    return reduce(ov_add_scalar(ov_neg(giou), 1.0), reduction);
}
