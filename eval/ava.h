/* ava.h: AVA frame-AP exactly as the official evaluator of the v2.2 challenge (ActivityNet
 * Evaluation/get_ava_performance.py with the excluded-timestamps file, over the TF
 * object-detection API's PascalDetectionEvaluator; datasets-and-eval.md §3.3):
 *   - an image is a (video, second) with at least one ground-truth box of an evaluated class,
 *     not listed as excluded; the evaluated classes are the ground truth's labels (the 60 of the
 *     label map; rows of other classes must be left out by the reader, as its whitelist does);
 *   - detections on excluded keys are skipped; each key keeps its 50 best detections (a min-heap
 *     of capacity 50 on (score, class, box), replaced only by a strictly higher score);
 *     detections with x2 <= x1 or y2 <= y1 are then dropped;
 *   - per image and class, best first, each detection takes the max-IoU box (no +1): a true
 *     positive when IoU >= 0.5 and the box is unused; on a key without ground truth every
 *     detection is a false positive (the newer evaluator ignores such keys: ignore_unknown_keys);
 *   - VOC every-point AP per class, NaN without ground truth, mAP = nanmean. */
#ifndef OV_EVAL_AVA_H
#define OV_EVAL_AVA_H

#include <stdbool.h>

#include "eval/types.h"

typedef struct {
    double iou;               /* 0.5 */
    int top_k;                /* 50 detections per key; 0 for no cap (SlowFast's copy) */
    bool ignore_unknown_keys; /* detections on keys without ground truth: ignored instead of FP */
} ovAvaOpts;

ovAvaOpts ov_ava_defaults(void);

typedef struct {
    long images, gt_boxes, scored, ignored, capped, invalid;
} ovAvaStats;

/* res is initialised here (free with ov_ap_result_free); st may be NULL. 0, or -1 after ov_error. */
int ov_ava_frame_ap(const ovGroundTruth *gt, const ovDetections *dets, const ovAvaOpts *o, ovApResult *res,
                    ovAvaStats *st);

#endif
