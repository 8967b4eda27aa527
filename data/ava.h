/* ava.h: AVA v2.2's annotation files (datasets-and-eval.md §3) for the evaluators and the loaders.
 *
 *   ava_{train,val}_v2.2.csv            video_id,timestamp,x1,y1,x2,y2,action_id[,person_id], one
 *                                       row per (box, action), box normalised to [0, 1]
 *   ava_action_list_v2.2*.pbtxt         the label map: 80 classes (label { name: ... label_id: ... })
 *                                       or the 60 evaluated ones (item { name: ... id: ... }), read
 *                                       line by line as the official evaluator does
 *   ava_{train,val}_excluded_timestamps_v2.2.csv   video_id,timestamp rows left out everywhere
 *   frame_lists/{train,val}.csv         SlowFast's frame lists (space separated, with a header):
 *                                       original_vido_id video_id frame_id path labels
 *
 * The ground truth follows the official evaluator: classes are the label map's, in its order (the
 * label id is the index into the map); rows of other classes are skipped (counted); each kept row
 * becomes a one-frame tube at frame = the timestamp second, its box left normalised (detections
 * are normalised too, and the AVA IoU has no +1, so the scale does not matter); excluded
 * (video, second) keys are recorded on their videos (ovGtVideo.excluded), which the evaluator
 * skips. The keyframe of a second is frame (sec - 900) * 30 of the 15-minute cut, file
 * <vid>/<vid>_%06d.jpg numbered that index + 1 (ov_ava_keyframe_index in data/clip.h). */
#ifndef OV_DATA_AVA_H
#define OV_DATA_AVA_H

#include <stddef.h>

#include "eval/types.h"

typedef struct {
    int n;
    int *ids;     /* AVA action ids (1..80) */
    char **names;
} ovAvaLabelMap;

int ov_ava_labelmap_parse(const char *text, size_t len, const char *name, ovAvaLabelMap *m);
int ov_ava_labelmap_read(const char *path, ovAvaLabelMap *m);
void ov_ava_labelmap_free(ovAvaLabelMap *m);
int ov_ava_labelmap_index(const ovAvaLabelMap *m, int id); /* -1 when id is not in the map */

/* (video, second) keys: the excluded-timestamps file. */
typedef struct {
    int n, cap;
    char **videos;
    int *secs;
} ovAvaKeys;

int ov_ava_keys_parse(const char *text, size_t len, const char *name, ovAvaKeys *k);
int ov_ava_keys_read(const char *path, ovAvaKeys *k);
void ov_ava_keys_free(ovAvaKeys *k);

typedef struct {
    long rows;          /* data rows read */
    long kept;          /* rows of label-map classes: (box, action) pairs in the ground truth */
    long other_classes; /* rows of classes outside the label map */
    long keyframes;     /* distinct (video, second) keys with a kept row */
    long boxes;         /* distinct (video, second, box) among the kept rows: person boxes */
    long excluded_keys; /* keys of the excluded file that name a video of the ground truth */
} ovAvaGtStats;

/* Fills an empty gt from an annotation CSV's text. excluded may be NULL; st may be NULL. 0, or -1
 * after ov_error naming the file, line and column, gt empty. */
int ov_ava_gt_parse(const char *text, size_t len, const char *name, const ovAvaLabelMap *lm, const ovAvaKeys *excluded,
                    ovGroundTruth *gt, ovAvaGtStats *st);
int ov_ava_gt_read(const char *csv, const char *labelmap, const char *excluded, ovGroundTruth *gt, ovAvaGtStats *st);
/* From an annotation CSV, or a folder holding ava_val_v2.2.csv, with the label map and excluded
 * timestamps found beside it: the 60-class ava_action_list_v2.2_for_activitynet_2019.pbtxt (or
 * v2.1's 2018 list, or the 80-class ava_action_list_v2.2.pbtxt) and ava_<set>_excluded_timestamps_
 * v2.2.csv for ava_<set>_v2.2.csv. A missing label map is an error; a missing excluded file is not. */
int ov_ava_gt_load(const char *path, ovGroundTruth *gt, ovAvaGtStats *st);

/* SlowFast's frame list: per video, its frame count; every row's path must be
 * <vid>/<vid>_%06d.jpg numbered frame_id + 1, frame ids counting up from 0. */
typedef struct {
    int n, cap;
    char **videos;  /* original_vido_id */
    int *nframes;
} ovAvaFrameList;

int ov_ava_frame_list_parse(const char *text, size_t len, const char *name, ovAvaFrameList *f);
int ov_ava_frame_list_read(const char *path, ovAvaFrameList *f);
void ov_ava_frame_list_free(ovAvaFrameList *f);

/* FRAMES/<vid>/<vid>_%06d.jpg of the keyframe of second sec. -1 after ov_error for a second
 * outside AVA's 902..1798 or a path that does not fit. */
int ov_ava_keyframe_path(char *buf, size_t cap, const char *frames_dir, const char *video, int sec);

#endif
