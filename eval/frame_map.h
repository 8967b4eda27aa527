/* frame_map.h: frame-level mean average precision for J-HMDB / UCF101-24 style ground truth, in
 * the two protocols whose numbers papers compare (datasets-and-eval.md §2):
 *
 * TF (TubeR, HIT, STMixer, OpenMixer: evaluation/pascal_wrapper.py over the TF object-detection
 *   API's PascalDetectionEvaluator): the images are the annotated keyframes only; ground-truth
 *   boxes under 10 px² are dropped and a keyframe left without boxes is not evaluated (its
 *   detections are ignored); IoU without +1; per image and class the detections, best first,
 *   each take the max-IoU ground truth, a true positive when IoU >= thr and that box is still
 *   unused; VOC every-point AP; classes without ground truth are NaN and left out of the mean.
 *
 * ACT (ACT.py / MOC frameAP): every frame of every video; IoU with +1; per class the
 *   detections, best first, take the max-IoU remaining box of their frame and DELETE it when
 *   IoU >= thr (a later detection can still match another box); ACT's trapezoid AP. */
#ifndef OV_EVAL_FRAME_MAP_H
#define OV_EVAL_FRAME_MAP_H

#include "eval/types.h"

typedef struct {
    double iou;      /* matching threshold; OpenMixer uses 0.5 (its UCF config passes 0.2) */
    double min_area; /* ground-truth boxes under this area (px²) are dropped; 10, 0 keeps all */
    int max_dets;    /* detections kept per image and class, best first (TF-OD's NMS cap, 10000) */
} ovFrameTfOpts;

ovFrameTfOpts ov_frame_tf_defaults(void);

typedef struct {
    long images;          /* evaluated frames (TF: keyframes with boxes) */
    long excluded_frames; /* TF keyframes left out (every box too small, or listed as excluded) */
    long dropped_boxes;   /* TF ground-truth boxes under min_area */
    long gt_boxes;        /* ground-truth boxes that count */
    long scored;          /* detections that entered an AP */
    long ignored;         /* detections on frames the protocol does not evaluate */
    long invalid;         /* TF: detections with x2 <= x1 or y2 <= y1, dropped as TF-OD does */
} ovFrameStats;

/* Both return 0, or -1 after ov_error when a detection names a video or class that does not exist.
 * res is initialised here (free with ov_ap_result_free); st may be NULL. */
int ov_frame_map_tf(const ovGroundTruth *gt, const ovDetections *dets, const ovFrameTfOpts *o, ovApResult *res,
                    ovFrameStats *st);
int ov_frame_map_act(const ovGroundTruth *gt, const ovDetections *dets, double iou, ovApResult *res,
                     ovFrameStats *st);

/* numpy's argmax: the first NaN if there is one, else the first maximum; -1 when n == 0. */
int ov_np_argmax(const double *v, int n);

/* TF-OD's matching of one detection against the ng ground-truth boxes of its image and class
 * (the AVA evaluator's too): the box of highest IoU (ov_np_argmax) is a hit when its IoU reaches
 * thr and no better-ranked detection took it, and is then taken (used[a] = true). */
bool ov_match_best_iou(const double *ious, int ng, double thr, bool *used);

/* Checks that every detection names an existing video and class (ov_error otherwise). */
int ov_dets_check(const ovGroundTruth *gt, const ovDetections *dets);

#endif
