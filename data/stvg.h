/* stvg.h: video region-text pairs from the spatio-temporal video grounding datasets, the way the
 * ViCLIP region-text paper builds its alignment data (ov-stad-region-text §3.3, datasets-and-eval.md
 * §4):
 *
 *   HC-STVG 2.0 (trainv2.json, valv2.json; v1's train.json/test.json too): one dict keyed by
 *     video file name, {"img_num", "img_size": [h, w], "st_frame" (1-based), "bbox": [[x, y, w, h]
 *     per frame from st_frame], "st_time", "ed_time", "English"} (v1: "caption", "width",
 *     "height"). The description of a series of actions is split into one-action sentences
 *     (ov_stvg_split_sentences) and the tube into as many consecutive sub-tubes of near-equal
 *     length, paired in order: sentence k describes the k-th part of the tube.
 *   VidSTG ({train,val,test}_annotations.json): a list of {"vid", "frame_count", "fps", "width",
 *     "height", "subject/objects": [{"tid", "category"}], "temporal_gt": {"begin_fid",
 *     "end_fid"} (0-based, end exclusive), "captions": [{"description", "target_id", ...}],
 *     "questions": [...]}, with the boxes in VidOR's per-video JSON (trajectories: per frame a list
 *     of {"tid", "bbox": {"xmin", "ymin", "xmax", "ymax"}}), found by video id anywhere under
 *     vidor_dir (VidOR's annotation/{training,validation}/NNNN/<vid>.json). Only the declarative
 *     captions whose target is a person (VidOR categories adult, child, baby) are kept, and each
 *     keeps the whole target tube over temporal_gt, every box paired with the same sentence.
 *     Questions (interrogative sentences) are left out, as in the paper.
 *
 * Frames are numbered from 1 in both (VidSTG's 0-based frame f is 1-based f + 1), so that frame
 * f is the f-th decoded frame of the video (ov_video_read_frame index f - 1). Boxes are x1, y1,
 * x2, y2 pixels (HC-STVG's x, y, w, h becomes x, y, x + w, y + h). A frame of the temporal span
 * without a box of the target is left out of the tube. */
#ifndef OV_DATA_STVG_H
#define OV_DATA_STVG_H

#include <stdbool.h>
#include <stddef.h>

#include "eval/types.h"

typedef enum { OV_STVG_HCSTVG = 1, OV_STVG_VIDSTG = 2 } ovStvgSource;

typedef struct {
    char *video;  /* HC-STVG: the file name ("xyz.mp4"); VidSTG: the VidOR video id */
    char *text;   /* one sentence */
    int sample;   /* index of the annotation it came from, in the file's order */
    int part, nparts; /* which sentence of the description (HC-STVG), 0 of 1 for VidSTG */
    int nframes, width, height;
    double fps;   /* 0 when the file does not say */
    int n;        /* boxes of the (sub-)tube */
    int *frames;  /* ascending, 1-based */
    ovBox *boxes;
} ovRegionText;

typedef struct {
    int n, cap;
    ovRegionText *p;
    /* what was read and left out */
    long annotations;     /* HC-STVG videos / VidSTG entries */
    long sentences;       /* declarative captions seen (VidSTG) or sentences after splitting (HC-STVG) */
    long not_human;       /* VidSTG captions about a non-person target */
    long questions;       /* VidSTG interrogative sentences left out */
    long empty;           /* pairs with no box left (a sentence beyond the tube's length, a target
                             without boxes in its span) */
} ovRegionTexts;

void ov_region_texts_free(ovRegionTexts *r);
long ov_region_texts_boxes(const ovRegionTexts *r);
/* Distinct sentence texts. */
long ov_region_texts_unique(const ovRegionTexts *r);

int ov_hcstvg_read(const char *json, ovRegionTexts *out);
int ov_hcstvg_parse(const char *text, size_t len, const char *name, ovRegionTexts *out);

/* VidOR files are looked up by video id under vidor_dir. */
int ov_vidstg_read(const char *json, const char *vidor_dir, ovRegionTexts *out);
/* The annotation text with a callback that returns the VidOR JSON text of a video (malloc'd, *n
 * set; NULL after ov_error when missing); for tests and fuzzing. */
typedef char *(*ovVidorFetch)(void *ctx, const char *vid, size_t *n);
int ov_vidstg_parse(const char *text, size_t len, const char *name, ovVidorFetch fetch, void *ctx, ovRegionTexts *out);

/* The heuristic that splits an HC-STVG description into one-action sentences (the paper's
 * appendix is not public; this is ovad's rule, documented in stvg_text.c): sentences end at
 * . ! ? ; and within a sentence a new clause starts at ", then", " then", " and then", ", and"
 * + verb, " and" + verb or "," + verb, where a verb is a lower-case word ending in "s" that is not
 * a known noun or function word ("walks", "turns" but not "clothes", "glasses", "his"). Every
 * clause after the first gets the first clause's subject (its words before its first verb), so
 * "The man in black walks to the door, opens it and leaves." gives "The man in black walks to the
 * door.", "The man in black opens it.", "The man in black leaves.". Returns the count; *out is a
 * malloc'd array of malloc'd strings (free each and the array). */
int ov_stvg_split_sentences(const char *text, char ***out);

#endif
