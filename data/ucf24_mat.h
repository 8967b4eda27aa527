/* ucf24_mat.h: UCF101-24's corrected annotations, finalAnnots.mat (G. Singh et al., shipped with
 * YOWO as cfg/ucf24_finalAnnots.mat), into an ovActionGt. The file is MATLAB v5 with compressed
 * elements, read with libmatio: a struct array `annot` (1 x 3194) with fields
 *     num_imgs   frames in the video
 *     name       "Label/v_Label_gXX_cYY"
 *     tubes      struct array: sf, ef (first and last frame, 1-based inclusive), class (or label;
 *                1-based), boxes (ef - sf + 1) x 4 rows of x, y, w, h
 * Numbers may be stored in any numeric class (the real file mixes uint8 and uint16). A box
 * becomes (x, y, x + w, y + h), as YOWO's video_mAP.py converts it. Class names come from the
 * videos' folder names ("Basketball/..." names class 1 when its tubes say class 1); a class id
 * used under two names is an error. The one split is UCF101's split 1 (groups g01-g07 test,
 * ov_ucf101_split1_is_test); the resolution, absent from the file, is UCF101's 320 x 240. */
#ifndef OV_DATA_UCF24_MAT_H
#define OV_DATA_UCF24_MAT_H

#include "data/action_gt.h"

int ov_ucf24_mat_read(const char *path, ovActionGt *a);

#endif
