/* boxes.h: box utilities on tensors [..., 4]: format conversions, clipping, areas, and IoU, IoF
 * and GIoU, pairwise as matrices and elementwise for matched pairs.
 *
 * Mirrors torchvision.ops (box_convert, clip_boxes_to_image, box_area, box_iou,
 * generalized_box_iou, the pairwise part of generalized_box_iou_loss), mmdet's
 * bbox_overlaps(mode='iof') and AdaMixer/OpenMixer's log-scale "xyzr" parametrisation
 * (stm_decoder/util/box_ops.py: bbox_xyxy_to_xyzr and decode_box; specs/openmixer.md 1.5, 1.7).
 * Everything is composed from the public ops, so it runs on the CPU and on CUDA tensors, and
 * gradients flow wherever PyTorch's do (clamps pass the gradient inside their bounds, min/max
 * split it on exact ties, like torch.maximum/minimum).
 *
 * `legacy` selects the old pixel convention of VOC/ACT evaluation and mmdet's offset=1: a box
 * [x1, x2] covers x2 - x1 + 1 pixels, so widths, heights, intersections and enclosing boxes all
 * get the +1. It applies to areas and overlaps, not to the format conversions. */
#ifndef OV_BOXES_H
#define OV_BOXES_H

#include <stdbool.h>

#include "tensor/tensor.h"

typedef enum {
    OV_BOX_XYXY,   /* x1, y1, x2, y2 (corners) */
    OV_BOX_XYWH,   /* x1, y1, w, h */
    OV_BOX_CXCYWH, /* centre x, centre y, w, h (DETR) */
    OV_BOX_XYZR,   /* centre x, centre y, z = log2(sqrt(w h)), r = log2(h / w) (AdaMixer/OpenMixer) */
} ovBoxFormat;

const char *ov_box_format_name(ovBoxFormat f); /* "xyxy", "xywh", "cxcywh", "xyzr" */
/* Parses a name; returns 0, or -1 with ov_last_error(). */
int ov_box_format_parse(const char *name, ovBoxFormat *out);

/* torchvision.ops.box_convert, plus xyzr: w = 2^(z - r/2), h = 2^(z + r/2). */
ovTensor *ov_box_convert(ovTensor *boxes, ovBoxFormat from, ovBoxFormat to);

/* torchvision.ops.clip_boxes_to_image on xyxy boxes: x clamped to [0, x_max], y to [0, y_max]
 * (pass W and H like torchvision, or W - 1 and H - 1 for the legacy pixel convention). */
ovTensor *ov_box_clip(ovTensor *boxes, double x_max, double y_max);
/* Same with per-box upper bounds: min(max(boxes, 0), bounds), bounds broadcast to boxes (e.g. a
 * [B, 1, 4] whwh); gradients as torch.clamp(boxes, min=0, max=bounds). */
ovTensor *ov_box_clip_to(ovTensor *boxes, ovTensor *bounds);

/* (x2 - x1) * (y2 - y1) of xyxy boxes [..., 4] -> [...] (+1 on each side when legacy). */
ovTensor *ov_box_area(ovTensor *boxes, bool legacy);

/* Pairwise, on xyxy boxes a [..., N, 4] and b [..., M, 4] (leading dims broadcast) -> [..., N, M]:
 * box_iou:  inter / union (torchvision; no eps, so two empty boxes give NaN like torchvision).
 * box_iof:  inter / max(area(a), eps) (mmdet bbox_overlaps mode 'iof'; OpenMixer uses eps 1e-6).
 * box_giou: iou - (enclosing - union) / enclosing (torchvision generalized_box_iou). */
ovTensor *ov_box_iou(ovTensor *a, ovTensor *b, bool legacy);
ovTensor *ov_box_iof(ovTensor *a, ovTensor *b, double eps, bool legacy);
ovTensor *ov_box_giou(ovTensor *a, ovTensor *b, bool legacy);

/* Elementwise for matched pairs, a and b [..., 4] broadcast -> [...]:
 * iou = inter / (union + eps), giou = iou - (enclosing - union) / (enclosing + eps).
 * eps 0 gives the diagonal of box_iou / box_giou (DETR's and OpenMixer's GIoU loss); eps 1e-7
 * gives torchvision.ops.generalized_box_iou_loss. */
ovTensor *ov_box_iou_aligned(ovTensor *a, ovTensor *b, double eps, bool legacy);
ovTensor *ov_box_giou_aligned(ovTensor *a, ovTensor *b, double eps, bool legacy);

/* Pairwise L1 distance sum_k |a_ik - b_jk| of a [..., N, 4] and b [..., M, 4] -> [..., N, M]
 * (torch.cdist(a, b, p=1), the box term of DETR-style matcher costs). Any last dim works. */
ovTensor *ov_box_l1_cdist(ovTensor *a, ovTensor *b);

#endif
