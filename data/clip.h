/* clip.h: which frames make a clip, as pure functions from (keyframe, video length) to 0-based
 * frame indices, one per method of the papers the project follows (specs/datasets-and-eval.md §5,
 * openmixer.md §1.1, vlm-backbones.md §1.5). Every function writes exactly T indices, all inside
 * [0, nframes), and returns 0, or -1 with ov_last_error() for arguments out of range. Frame files
 * numbered from 1 (J-HMDB %05d.png, UCF101-24 %05d.jpg, AVA _%06d.jpg) hold index + 1. */
#ifndef OV_DATA_CLIP_H
#define OV_DATA_CLIP_H

#include <stdint.h>

#include "data/rng.h"

/* OpenMixer / TubeR (jhmdb_dataset.py get_sequence): L = T*rate, ids = range(max(c - L/2, 0),
 * min(c + L - L/2, nframes - 1), rate); when that holds fewer than T ids, (T - len)/2 copies of
 * frame 0 go in front and the rest are copies of the range's end (min(c + L - L/2, nframes - 1)),
 * whichever side was short. Away from the ends of the video the clip is c - L/2 ... c + L/2 - rate,
 * so frame c sits at position T/2. OpenMixer passes the 1-based number of the annotated frame as
 * `center`, which puts the annotated frame (index center - 1) at position 7 of its 16x1 clip: to
 * reproduce it, pass the 1-based number; a loader that wants the annotated frame at the centre
 * passes its 0-based index. */
int ov_clip_openmixer(int64_t center, int64_t nframes, int T, int rate, int64_t *out);

/* SlowFast / STMixer (AVA, ava_helper get_sequence): range(c - L/2, c + L/2, rate) with
 * L = T*rate, each index clamped to [0, nframes - 1]; also the general T x stride clip centred on
 * frame c. */
int ov_clip_centered(int64_t center, int64_t nframes, int T, int stride, int64_t *out);

/* YOWO: the causal clip c - (T-1)*stride ... c, clamped to [0, nframes - 1]. */
int ov_clip_causal(int64_t center, int64_t nframes, int T, int stride, int64_t *out);

/* AVA keyframe of a timestamp (integer second, 902..1798 in v2.2): 0-based index (sec - 900) * 30
 * into the frames of the 15-minute cut (file _%06d.jpg numbered index + 1); -1 with an error for a
 * second outside [902, 1798]. */
int64_t ov_ava_keyframe_index(int64_t sec);

/* ViCLIP / InternVideo get_frame_indices(T, vlen, "middle"): the video is split into
 * n = min(T, vlen) segments at floor(linspace(0, vlen, n + 1)) and frame (lo + hi - 1) // 2 of each
 * segment [lo, hi) is taken; short videos repeat the last frame up to T. */
int ov_clip_viclip_middle(int64_t vlen, int T, int64_t *out);
/* The training variant ("rand"): one uniform draw per segment from [lo, hi - 2] (the reference's
 * random.choice(range(lo, hi - 1)) never picks a segment's last frame); when a segment holds a
 * single frame the reference falls back to a sorted random choice of n distinct frames, and so
 * does this. Draws come from rng. */
int ov_clip_viclip_rand(int64_t vlen, int T, ovDataRng *rng, int64_t *out);

#endif
