/* types.h: the evaluators' in-memory ground truth, detections, tubes and results.
 *
 * Plain arrays, so that any reader (ACT pickles, UCF101-24 MAT files, AVA CSVs, the ovad CSVs of
 * eval/gt_csv.c) can fill them:
 *   - a ground truth holds class names (the label id is the index) and videos; a video holds
 *     tubes, each a class and one box per frame (ascending frame ids, frames numbered as the
 *     dataset numbers them: 1-based for J-HMDB/UCF, the second for AVA), optional keyframes (the
 *     frames the TF/OpenMixer protocol evaluates) and optional excluded frames (AVA);
 *   - a detection is (video index, frame, class, score, box);
 *   - a predicted tube is a class, a score and one box per frame.
 * Boxes are (x1, y1, x2, y2) in pixels of the original frame. Whether x2 is inclusive (the ACT
 * "+1" convention) or exclusive is decided by the protocol, not by the data. */
#ifndef OV_EVAL_TYPES_H
#define OV_EVAL_TYPES_H

#include <stdbool.h>

typedef struct {
    double x1, y1, x2, y2;
} ovBox;

typedef struct {
    int label;
    int n;       /* frames */
    int *frames; /* ascending */
    ovBox *boxes;
} ovGtTube;

typedef struct {
    char *name;
    int nframes;       /* frames in the video, 0 when unknown */
    int width, height; /* pixels, 0 when unknown */
    int ntubes, cap_tubes;
    ovGtTube *tubes;
    int nkeyframes;    /* 0: the protocol's default (every annotated frame, or every rate-th) */
    int *keyframes;    /* ascending */
    int nexcluded;
    int *excluded;     /* ascending; frames left out of every frame-level evaluation */
} ovGtVideo;

typedef struct {
    int nlabels, cap_labels;
    char **labels;
    int nvideos, cap_videos;
    ovGtVideo *videos;
} ovGroundTruth;

typedef struct {
    int video; /* index into ovGroundTruth.videos */
    int frame;
    int label;
    double score;
    ovBox box;
} ovDetection;

typedef struct {
    int n, cap;
    ovDetection *d;
} ovDetections;

/* A predicted tube. frames ascending; frame_scores may be NULL. */
typedef struct {
    int video, label;
    double score;
    int n;
    int *frames;
    ovBox *boxes;
    double *frame_scores;
} ovTube;

typedef struct {
    int n, cap;
    ovTube *t;
} ovTubes;

/* Per-class average precision. ap[c] is a fraction in [0, 1], NaN for a class without ground
 * truth (left out of every mean, as TF-OD's nanmean does). */
typedef struct {
    int nlabels;
    double *ap;
    long *npos; /* ground-truth instances (boxes or tubes) per class */
    long *ndet; /* detections (or tubes) scored per class */
    double mean; /* nanmean of ap; NaN when no class has ground truth */
} ovApResult;

/* ground truth (gt.c) */
void ov_gt_init(ovGroundTruth *gt);
void ov_gt_free(ovGroundTruth *gt);
int ov_gt_add_label(ovGroundTruth *gt, const char *name); /* returns the new label id */
int ov_gt_add_video(ovGroundTruth *gt, const char *name, int nframes, int width, int height);
/* Copies the arrays; frames must be ascending (returns NULL after ov_error otherwise). */
ovGtTube *ov_gt_add_tube(ovGroundTruth *gt, int video, int label, int n, const int *frames, const ovBox *boxes);
void ov_gt_set_keyframes(ovGroundTruth *gt, int video, int n, const int *frames); /* sorted, deduplicated */
void ov_gt_set_excluded(ovGroundTruth *gt, int video, int n, const int *frames);  /* sorted, deduplicated */
int ov_gt_find_label(const ovGroundTruth *gt, const char *name);                   /* -1 when absent */
int ov_gt_find_video(const ovGroundTruth *gt, const char *name);                   /* linear; -1 when absent */
/* Keeps only the videos whose flag is set (in order); frees the others. */
void ov_gt_keep_videos(ovGroundTruth *gt, const bool *keep);
/* Gives every video without keyframes every rate-th of its annotated frames (ascending, the
 * first one included): OpenMixer's UCF101-24 sampling is rate 5, J-HMDB's rate 1. */
void ov_gt_default_keyframes(ovGroundTruth *gt, int rate);
/* The annotated frames of a video (union of its tubes' frames), ascending; *n set. Caller frees. */
int *ov_gt_annotated_frames(const ovGtVideo *v, int *n);
/* Total boxes over all tubes. */
long ov_gt_count_boxes(const ovGroundTruth *gt);

/* detections (gt.c) */
void ov_dets_add(ovDetections *d, ovDetection det);
void ov_dets_free(ovDetections *d);

/* tubes (gt.c) */
ovTube *ov_tubes_add(ovTubes *t, int video, int label, double score, int n); /* arrays allocated */
void ov_tubes_free(ovTubes *t);

/* results (gt.c) */
void ov_ap_result_init(ovApResult *r, int nlabels); /* ap NaN, counts 0 */
void ov_ap_result_free(ovApResult *r);
void ov_ap_result_finish(ovApResult *r);           /* sets mean = nanmean(ap) */

#endif
