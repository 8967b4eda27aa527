/* action_gt.h: the annotations of a spatio-temporal action detection dataset (J-HMDB-21,
 * UCF101-24) as one struct, whichever file they came from:
 *   - ACT's ground-truth pickles JHMDB-GT.pkl / UCF101v2-GT.pkl (act_gt.c),
 *   - UCF101-24's finalAnnots.mat (ucf24_mat.c),
 *   - the YOWO layout labels/<class>/<video>/%05d.txt plus list files (yowo.c).
 * It is the evaluators' ground truth (eval/types.h: class names, videos with frame count and
 * resolution, tubes of one class with one box per frame) plus the train/test video lists of each
 * split. Conventions are ACT's (datasets-and-eval.md §1): label ids 0-based, frames 1-based
 * (frame f is image file %05d of f), boxes (x1, y1, x2, y2) in pixels of the original frame,
 * x2/y2 inclusive in ACT's "+1" sense (the protocol decides, not the data).
 *
 *     ovActionGt a;
 *     if (ov_action_gt_load("JHMDB-GT.pkl", NULL, &a)) fail(ov_last_error());
 *     ... a.gt.videos[a.splits[0].test[i]] ...
 *     ov_action_gt_free(&a);
 */
#ifndef OV_DATA_ACTION_GT_H
#define OV_DATA_ACTION_GT_H

#include <stdbool.h>

#include "eval/types.h"

typedef struct {
    int ntrain, ntest;
    int *train, *test; /* indices into gt.videos, in the file's order */
} ovVideoSplit;

typedef struct {
    ovGroundTruth gt;
    int nsplits;        /* J-HMDB 3, UCF101-24 1; 0 when the file has no split lists */
    ovVideoSplit *splits;
    const char *format; /* "act-pickle", "ucf24-mat" or "yowo" */
} ovActionGt;

void ov_action_gt_init(ovActionGt *a);
void ov_action_gt_free(ovActionGt *a);
/* Appends a split; the lists are copied. Returns its 0-based index. */
int ov_action_gt_add_split(ovActionGt *a, int ntrain, const int *train, int ntest, const int *test);

/* Reads any of the three formats, told apart by content: a pickle (first byte '(' or PROTO), a
 * MAT file ("MATLAB 5.0" header) or a directory holding labels/ (YOWO). `frames_dir`, optional,
 * is where the frame folders are (YOWO: frame counts and resolution come from the images; the
 * other formats carry them). 0, or -1 after ov_error naming the file and the fault, a empty. */
int ov_action_gt_load(const char *path, const char *frames_dir, ovActionGt *a);

/* Moves the ground truth out, keeping the test videos of split (1-based; 0 keeps every video),
 * and empties a. -1 after ov_error when the split does not exist. */
int ov_action_gt_take_test(ovActionGt *a, int split, ovGroundTruth *out);

/* Checks the invariants every reader promises: tube frames ascending within [1, nframes] when
 * nframes is known, labels in range, split indices in range, train and test disjoint. -1 after
 * ov_error naming `name` and the first violation. */
int ov_action_gt_validate(const ovActionGt *a, const char *name);

/* Frames with at least one box, summed over the videos listed (all videos when list is NULL). */
long ov_action_gt_annotated_frames(const ovActionGt *a, const int *list, int n);
long ov_action_gt_boxes(const ovActionGt *a, const int *list, int n);

/* UCF101's official split 1 (testlist01): a video of group g01-g07 ("v_Class_gNN_cMM") is a test
 * video, g08-g25 a training one. -1 when the name has no group. */
int ov_ucf101_split1_is_test(const char *video);

#endif
