/* synth_internal.h: what the files of the synthetic dataset share (synth_plan.c, synth_motion.c,
 * synth_draw.c, synth_write.c); not part of the public API in synth.h. */
#ifndef OV_DATA_SYNTH_INTERNAL_H
#define OV_DATA_SYNTH_INTERNAL_H

#include "data/rng.h"
#include "data/synth.h"

/* Radii of the drawn parts in body heights, and the thinnest line drawn (pixels). */
#define OV_SYNTH_HEAD_R 0.085
#define OV_SYNTH_MIN_R 0.6

/* The actor's figure at frame t in body heights with the root at the origin and no translation:
 * x right, y up (the lowest foot on y = 0 when standing), depth towards the viewer. */
void ov_synth_pose_units(const ovSynthActor *a, int t, double *x, double *y, double *depth);

/* A short English description of each action (vocab.json). */
const char *ov_synth_action_description(int action);

/* For tests: writing clip number ov_synth_test_fail_clip fails as a full disk would (-1: never). */
extern int ov_synth_test_fail_clip;

/* HSV (all in [0,1]) to RGB 0..255. */
void ov_synth_hsv(double h, double s, double v, float rgb[3]);

#endif
