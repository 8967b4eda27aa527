/* link.h: tubes from per-frame detections (or K-frame tubelets), for video-mAP.
 *
 * OpenMixer (evaluation/evaluate_map.py prediction_to_tubes, after HIT make_video_detection.py):
 *   per class, frames in order; a detection joins the FIRST tube of its video whose last frame +
 *   anno_rate equals its frame (no IoU test: in effect detections are linked by rank), that tube
 *   moves to the end of the list; otherwise it starts a tube. Boxes are rounded to integers
 *   (Python round: half to even); the tube score is the mean of its frame scores.
 *
 * Online, IoU-aware (ACT.py / MOC ACT_build.py BuildTubes), per video and class: at each start
 *   frame the tubelets go through NMS and keep the top_k; current tubes, best mean score first,
 *   each take the best-scoring tubelet whose mean IoU (+1 convention) over the frames they share
 *   (or last box vs first box when they do not overlap) reaches link_iou; a tube not extended for
 *   finish_offset frames is finished; leftover tubelets start tubes. Tubes with a mean tubelet
 *   score under min_score or fewer than min_length frames are dropped; each frame's box and score
 *   is the mean over the tubelets covering it (float32, as ACT stores them). Per-frame
 *   detections are tubelets with K = 1. */
#ifndef OV_EVAL_LINK_H
#define OV_EVAL_LINK_H

#include <stdbool.h>

#include "eval/types.h"

/* Returns 0, or -1 after ov_error (a detection naming a video or class that does not exist). */
int ov_link_openmixer(const ovGroundTruth *gt, const ovDetections *dets, int anno_rate, bool round_boxes,
                      ovTubes *out);

typedef struct {
    int K;             /* frames per tubelet (1 for per-frame detections) */
    double nms_iou;    /* tubelets whose IoU summed over the K frames exceeds nms_iou * K ... */
    bool soft_nms;     /* ... are dropped (ACT), or kept with score * (1 - summed IoU) (MOC) */
    int top_k;         /* tubelets kept per start frame */
    double link_iou;   /* ACT 0.2, MOC 0.5 */
    int finish_offset; /* ACT 5, MOC K */
    double min_score;  /* ACT 0.01, MOC 0.005 */
    int min_length;    /* 15 frames in both */
} ovLinkParams;

ovLinkParams ov_link_params_act(int K);
ovLinkParams ov_link_params_moc(int K);

/* The tubelets of one video and class that start at one frame: n rows of K boxes and a score. */
typedef struct {
    int n;
    const ovBox *boxes; /* n * K, row-major */
    const double *scores;
} ovTubeletsAt;

/* Links one video's tubelets of one class: at[s - 1] holds those starting at frame s, for
 * s = 1 .. nframes - K + 1. Tubes are appended to out. Where a tube skipped frames (possible
 * when finish_offset > K), the missing boxes and scores are filled linearly between their
 * neighbours, as ACT's K = 1 tube builder (fillmissing) does; ACT's BuildTubes would leave NaN. */
void ov_link_online(const ovLinkParams *p, int video, int label, int nframes, const ovTubeletsAt *at, ovTubes *out);

/* Per-frame detections of every video and class linked with ov_link_online (p->K must be 1).
 * A video's frame count is its nframes, or when unknown (0) its last annotated or detected frame;
 * detections outside 1..nframes are ignored. Returns 0, or -1 after ov_error. */
int ov_link_online_dets(const ovGroundTruth *gt, const ovDetections *dets, const ovLinkParams *p, ovTubes *out);

#endif
