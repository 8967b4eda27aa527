/* loss.h: the training losses of the detectors, with torch.nn.functional's semantics: the same
 * formulas, the same reductions (mean, sum, none) and the same weighted-mean rules, composed from
 * the public ops so that they run on any device and carry gradients to every float argument.
 *
 * Who uses what (specs/openmixer.md 2, specs/vlm-backbones.md 3.2): OpenMixer's person head takes
 * a 2-way cross-entropy with class weights [1, 0.1], its action head a cross-entropy with soft
 * (one-hot float) targets, its box head L1 and GIoU losses; STMixer takes BCE with logits; the
 * region-text detector a sigmoid focal loss. */
#ifndef OV_LOSS_H
#define OV_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "tensor/tensor.h"

typedef enum {
    OV_REDUCTION_MEAN = 0, /* torch's default */
    OV_REDUCTION_SUM,
    OV_REDUCTION_NONE,
} ovReduction;

const char *ov_reduction_name(ovReduction r); /* "mean", "sum", "none" */
/* Parses a name; returns 0, or -1 with ov_last_error(). */
int ov_reduction_parse(const char *name, ovReduction *out);

/* ignore_index for ov_cross_entropy when no target is to be ignored (torch's default -100 also
 * works; this one skips the masking). */
#define OV_IGNORE_NONE INT64_MIN

/* F.cross_entropy with class indices. logits [N, C] or [N, C, d1, ...] (or [C] with a 0-dim
 * target); target i64 [N] or [N, d1, ...] with values in [0, C) or ignore_index; weight [C] or
 * NULL. Per element: -weight[t] * log_softmax(logits)[t], 0 where t == ignore_index. Mean divides
 * by the sum of the weights of the targets that are not ignored (torch's weighted mean; NaN when
 * every target is ignored, as in torch). An out-of-range target is a clear error. */
ovTensor *ov_cross_entropy(ovTensor *logits, ovTensor *target, ovTensor *weight, int64_t ignore_index,
                           ovReduction reduction);

/* F.cross_entropy with class probabilities: target has the logits' shape (soft or one-hot float
 * labels). Per element: -sum_c weight[c] * target[c] * log_softmax(logits)[c]; mean divides by
 * the number of elements (N * d1 * ...), not by the weights, as in torch. weight may be NULL. */
ovTensor *ov_cross_entropy_soft(ovTensor *logits, ovTensor *target, ovTensor *weight, ovReduction reduction);

/* F.binary_cross_entropy_with_logits: (1 - t) x + (1 + (pos_weight - 1) t) log(1 + e^-x), in
 * torch's overflow-free form; weight and pos_weight (may be NULL) broadcast to the logits. */
ovTensor *ov_bce_with_logits(ovTensor *logits, ovTensor *target, ovTensor *weight, ovTensor *pos_weight,
                             ovReduction reduction);

/* torchvision.ops.sigmoid_focal_loss: bce_with_logits * (1 - p_t)^gamma, times
 * alpha_t = alpha t + (1 - alpha)(1 - t) when alpha >= 0 (torchvision: alpha 0.25, gamma 2,
 * reduction none). */
ovTensor *ov_sigmoid_focal_loss(ovTensor *logits, ovTensor *target, double alpha, double gamma,
                                ovReduction reduction);

/* F.l1_loss and F.smooth_l1_loss (|d| < beta ? 0.5 d^2 / beta : |d| - 0.5 beta; beta 0 is L1).
 * input and target broadcast. */
ovTensor *ov_l1_loss(ovTensor *input, ovTensor *target, ovReduction reduction);
ovTensor *ov_smooth_l1_loss(ovTensor *input, ovTensor *target, double beta, ovReduction reduction);

/* 1 - GIoU of matched xyxy boxes [..., 4] (ov_box_giou_aligned): eps 0 is DETR's and OpenMixer's
 * 1 - diag(generalized_box_iou), eps 1e-7 torchvision.ops.generalized_box_iou_loss. */
ovTensor *ov_giou_loss(ovTensor *boxes1, ovTensor *boxes2, double eps, bool legacy, ovReduction reduction);

#endif
