/* yowo.h: the YOWO annotation layout of UCF101-24 and J-HMDB-21 (also what OpenMixer's
 * preprocess/openworld_split_ucf24.py reads) into an ovActionGt:
 *     ROOT/labels/<class>/<video>/%05d.txt   one line per box: "cls x1 y1 x2 y2", cls 1-based,
 *                                           absolute pixels, frame = the file's number
 *     ROOT/trainlist.txt, ROOT/testlist.txt  split 1: lines naming label files, frame files or
 *                                           videos ("labels/Basketball/v_..._c01/00009.txt",
 *                                           "Basketball/v_..._c01", UCF101's "X/v_X.avi 1")
 *     or ROOT/splitfiles/{train,test}list0N.txt for split N (OpenMixer's names)
 * Classes are the folder names under labels/, sorted (the label id is the index) and a box's cls
 * must be its folder's index + 1, as OpenMixer asserts. Per-frame boxes become tubes the way
 * OpenMixer's gt_to_tubes rebuilds them: per class, a box extends the first tube that ended on
 * the previous frame, or starts a new one. Without list files, UCF101's split 1 is taken from the
 * group numbers when every video has one; otherwise there are no splits.
 * Frame counts and resolution come from FRAMES/<class>/<video>/ (the number of frame files
 * %05d.jpg or .png, the size of the first one), FRAMES being frames_dir or ROOT/rgb-images;
 * without frames a video's count is its last annotated frame and its size unknown (0). */
#ifndef OV_DATA_YOWO_H
#define OV_DATA_YOWO_H

#include <stddef.h>

#include "data/action_gt.h"

int ov_yowo_read(const char *root, const char *frames_dir, ovActionGt *a);

/* One label file's text: appends its boxes (class ids 1-based as written) to the arrays *cls and
 * *boxes (*n entries, grown with realloc). 0, or -1 after ov_error naming `name` and the line. */
int ov_yowo_parse_labels(const char *text, size_t len, const char *name, int **cls, ovBox **boxes, int *n);

#endif
