/* video_map.h: video-mAP over tubes (datasets-and-eval.md §2.4 and §2.6, openmixer.md §5).
 *
 * OpenMixer (evaluation/evaluate_map.py videoAP with iou3dt_voc): predicted tubes at a frame
 *   stride anno_rate > 1 (UCF101-24: 5) are first interpolated linearly to every frame (in
 *   float32, as the reference); the spatio-temporal IoU is (tmax - tmin) / (max end - min start),
 *   frame ids without +1, times the mean per-frame IoU without +1 over the shared frames; per
 *   class the tubes, best first, take the max-IoU ground-truth tube of their video, a true
 *   positive when IoU >= thr and that tube is unused; VOC every-point AP.
 *
 * ACT (ACT.py / MOC videoAP): per video and class the tubes first go through 3D NMS (0.3); the
 *   spatio-temporal IoU counts frames and pixels with +1; a match DELETES the ground-truth tube;
 *   ACT's trapezoid AP.
 *
 * Both: tube IoUs are rounded to float32 before the comparison with the threshold, as the
 * references compute them on float32 arrays (an IoU of exactly 0.8 passes 0.5 + 0.05 * 6 =
 * 0.8000000000000002); a class without ground-truth tubes is NaN (left out of the mean). Two
 * tubes meeting on a
 * single frame have a temporal union of 0 without +1; OpenMixer then divides 0 by 0 and the
 * match fails, here the temporal factor is 1 (a one-frame tube can match itself). Frames missing
 * from one tube inside the shared span (a tube with a gap) count as IoU 0. */
#ifndef OV_EVAL_VIDEO_MAP_H
#define OV_EVAL_VIDEO_MAP_H

#include "eval/types.h"

typedef enum { OV_VIDEO_OPENMIXER, OV_VIDEO_ACT } ovVideoProtocol;

typedef struct {
    ovVideoProtocol protocol;
    int anno_rate; /* OpenMixer: interpolate predicted tubes when > 1 */
    double nms3d;  /* ACT: 3D NMS threshold per video and class (0.3); <= 0 for none */
} ovVideoMapOpts;

ovVideoMapOpts ov_video_map_defaults(ovVideoProtocol protocol);

/* Spatio-temporal IoU of two tubes (frames ascending), ACT's iou3dt (+1) or OpenMixer's
 * iou3dt_voc (no +1, no interpolation: see ov_tube_interpolate). */
double ov_tube_iou_act(int n1, const int *f1, const ovBox *b1, int n2, const int *f2, const ovBox *b2);
double ov_tube_iou_voc(int n1, const int *f1, const ovBox *b1, int n2, const int *f2, const ovBox *b2);

/* OpenMixer's interpolate_boxes: a tube with every frame between its first and last, the new
 * boxes a + i/n * (b - a) computed in float32. Returns the new frame count; caller frees. */
int ov_tube_interpolate(int n, const int *frames, const ovBox *boxes, int **out_frames, ovBox **out_boxes);

/* ACT's nms3dt over tube indices (all of one video and class): greedy by score, drops those
 * with ACT IoU > thr to a kept one. Writes kept indices (best first) and returns their number. */
int ov_nms3dt(const ovTubes *tubes, const int *idx, int n, double thr, int *kept);

/* Scores the tubes at each of nthr thresholds: res[i] is initialised here (free each with
 * ov_ap_result_free). Returns 0, or -1 after ov_error (a tube naming a missing video or class). */
int ov_video_map(const ovGroundTruth *gt, const ovTubes *tubes, const ovVideoMapOpts *o, int nthr, const double *thr,
                 ovApResult *res);

/* The thresholds papers report: 0.2, 0.5, 0.75 and the ten of 0.5:0.95 (0.5 + 0.05 i). */
#define OV_VIDEO_NTHR 13
void ov_video_thresholds(double thr[OV_VIDEO_NTHR]);

#endif
