/* frame_dataset.h: J-HMDB-21 and UCF101-24 as loader datasets (data/loader.h), the way OpenMixer's
 * jhmdb_dataset.py / ucf24_dataset.py serve them: one sample per annotated keyframe of the train
 * (or test) videos of a split, each a clip of T frames around the keyframe read from the frame
 * folders, with every ground-truth box of that frame moved by the clip transform.
 *
 *   - keyframes: every anno_rate-th annotated frame of a video (its frames with a box, ascending,
 *     the first one included): OpenMixer takes every frame of J-HMDB (rate 1) and every 5th of
 *     UCF101-24 (rate 5);
 *   - frames: FRAMES/<video>/%05d.<ext>, J-HMDB's PNG and UCF101-24's JPEG, frame f in file f;
 *   - the clip: ov_clip_openmixer (16 x 1, padded at the ends as get_sequence pads). OpenMixer
 *     centres it on index f, one frame after the annotated one (datasets-and-eval.md §5);
 *     openmixer_center reproduces that, otherwise the annotated frame sits at position T/2;
 *   - the sample: video = the transformed clip [3,T,H,W], boxes f32 [N,4] in its pixels, labels
 *     i64 [N] (label ids of the ground truth), id "video,%05d" of the keyframe. With keep_label,
 *     boxes of other classes are dropped and keyframes left without boxes are skipped (training
 *     on the base classes of an open-vocabulary split). */
#ifndef OV_DATA_FRAME_DATASET_H
#define OV_DATA_FRAME_DATASET_H

#include <stdbool.h>
#include <stdint.h>

#include "data/action_gt.h"
#include "data/loader.h"
#include "data/transform.h"

typedef struct {
    const char *frames_dir;
    const char *ext;      /* "png" or "jpg" */
    int split;            /* 1-based; 0: every video */
    bool train;           /* the split's training videos (else its test videos) */
    int anno_rate;        /* >= 1 */
    int T, stride;        /* clip length and frame stride */
    bool openmixer_center;
    const bool *keep_label; /* [nlabels] or NULL */
    ovClipTransform tf;
} ovFrameDatasetOptions;

/* OpenMixer's settings: J-HMDB (png, rate 1) or UCF101-24 (jpg, rate 5), 16 x 1, its train or test
 * transform, OpenMixer's centring. frames_dir and split are left for the caller. */
ovFrameDatasetOptions ov_frame_dataset_openmixer(bool jhmdb, bool train);

typedef struct ovFrameDataset ovFrameDataset;

/* gt must outlive the dataset. NULL after ov_error for a split that does not exist or options out
 * of range. */
ovFrameDataset *ov_frame_dataset_new(const ovActionGt *gt, const ovFrameDatasetOptions *o);
void ov_frame_dataset_free(ovFrameDataset *d);
ovDataset ov_frame_dataset(ovFrameDataset *d);
int64_t ov_frame_dataset_size(const ovFrameDataset *d);
/* Sample i's video index and keyframe number. */
void ov_frame_dataset_sample(const ovFrameDataset *d, int64_t i, int *video, int *frame);

#endif
