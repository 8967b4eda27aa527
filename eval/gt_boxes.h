/* gt_boxes.h: the ground truth seen frame by frame: for each video, every box of every tube as
 * (frame, class, tube, box), ordered by frame and, within a frame, by tube (the order in which
 * the reference evaluators list a frame's boxes, which decides ties of the max-IoU match). */
#ifndef OV_EVAL_GT_BOXES_H
#define OV_EVAL_GT_BOXES_H

#include <stdbool.h>

#include "eval/types.h"

typedef struct {
    int frame, label, tube;
    ovBox box;
} ovGtBox;

typedef struct {
    int n;
    ovGtBox *b;
} ovGtBoxes;

/* One entry per video of gt; free with ov_gt_boxes_free. */
ovGtBoxes *ov_gt_boxes_by_video(const ovGroundTruth *gt);
void ov_gt_boxes_free(ovGtBoxes *vb, int nvideos);
/* Index of the first box at `frame` in one video's list (binary search), or -1; *count boxes. */
int ov_gt_boxes_at(const ovGtBoxes *vb, int frame, int *count);

/* Whether an ascending int array holds x. */
bool ov_sorted_has(const int *a, int n, int x);
/* Position of x in an ascending int array, or -1. */
int ov_sorted_find(const int *a, int n, int x);

#endif
