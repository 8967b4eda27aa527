/* box.h: box areas and IoU in the two conventions the reference evaluators use.
 *   - no +1 (TF object-detection API, AVA, OpenMixer's *_voc functions, TubeDETR):
 *       area = (x2-x1)(y2-y1), a box [0,0,9,9] has area 81;
 *   - +1, pixel-inclusive coordinates (ACT/MOC ACT_utils.py):
 *       area = (x2-x1+1)(y2-y1+1), the same box has area 100.
 * The operations are written in the order of the Python code, so that double-precision inputs
 * give bit-identical IoUs. `a` is the ground truth and `b` the detection where it matters. */
#ifndef OV_EVAL_BOX_H
#define OV_EVAL_BOX_H

#include "eval/types.h"

static inline double ov_box_area(ovBox b) { return (b.x2 - b.x1) * (b.y2 - b.y1); }

static inline double ov_dmax(double a, double b) { return a > b ? a : b; }
static inline double ov_dmin(double a, double b) { return a < b ? a : b; }

/* np_box_ops.iou / iou2d_voc: intersection clamped at 0, union = area(a) + area(b) - inter.
 * (Degenerate boxes give 0/0 = NaN as numpy does; callers treat NaN as "no match".) */
static inline double ov_iou(ovBox a, ovBox b) {
    double w = ov_dmax(0.0, ov_dmin(a.x2, b.x2) - ov_dmax(a.x1, b.x1));
    double h = ov_dmax(0.0, ov_dmin(a.y2, b.y2) - ov_dmax(a.y1, b.y1));
    double inter = w * h;
    return inter / (ov_box_area(a) + ov_box_area(b) - inter);
}

static inline double ov_box_area1(ovBox b) { return (b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1); }

/* ACT_utils.iou2d: overlap2d takes min(x2a + 1, x2b + 1) - max(x1a, x1b). */
static inline double ov_iou1(ovBox a, ovBox b) {
    double w = ov_dmax(0.0, ov_dmin(a.x2 + 1, b.x2 + 1) - ov_dmax(a.x1, b.x1));
    double h = ov_dmax(0.0, ov_dmin(a.y2 + 1, b.y2 + 1) - ov_dmax(a.y1, b.y1));
    double inter = w * h;
    return inter / (ov_box_area1(a) + ov_box_area1(b) - inter);
}

#endif
