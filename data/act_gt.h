/* act_gt.h: ACT's ground-truth pickles (JHMDB-GT.pkl, UCF101v2-GT.pkl; datasets-and-eval.md §1)
 * into an ovActionGt. The pickle is a dict with
 *     labels        [str]                              class names, the index is the label id
 *     gttubes       {video: {label: [array (n, 5)]}}   rows [frame, x1, y1, x2, y2]
 *     nframes       {video: int}
 *     train_videos  [[video]] one list per split; test_videos likewise
 *     resolution    {video: (h, w)}
 * in any protocol (J-HMDB's is a Python-2 protocol-0 text pickle), the arrays read by the numpy
 * hooks (data/numpy.h); a tube may also be a plain list of 5-number rows. Videos come in the order of `nframes`; each array row becomes one box of
 * a tube (frames ascending). A row whose frame lies beyond the video's nframes is dropped and
 * counted (ACT's evaluators guard against such rows); any other inconsistency (a video without
 * nframes, a label out of range, a split naming an unknown video, a non-integral frame) fails
 * with the file, the video and the fault. */
#ifndef OV_DATA_ACT_GT_H
#define OV_DATA_ACT_GT_H

#include <stddef.h>

#include "data/action_gt.h"

int ov_act_gt_read(const char *path, ovActionGt *a);
/* The same from memory; name is used in messages. *dropped (may be NULL) gets the rows dropped. */
int ov_act_gt_parse(const void *data, size_t n, const char *name, ovActionGt *a, long *dropped);

#endif
