/* load.h: from a dataset name and an annotation file to the evaluators' ground truth. */
#ifndef OV_EVAL_LOAD_H
#define OV_EVAL_LOAD_H

#include <stdbool.h>

#include "eval/types.h"

/* What a dataset changes in the evaluation. */
typedef struct {
    const char *name;
    int anno_rate; /* keyframe stride of the TF protocol and OpenMixer's linking (UCF101-24: 5) */
    bool ava;      /* frame-mAP is the official AVA evaluator */
} ovEvalDataset;

/* jhmdb, ucf24, ava, or generic (rate 1); NULL for an unknown name. */
const ovEvalDataset *ov_eval_dataset(const char *name);

/* Reads the ground truth of `dataset` from `path` (test videos of `split` when split > 0): ovad's
 * ground-truth CSV (eval/csv.h), or the dataset's own files: an ACT pickle, finalAnnots.mat or a
 * YOWO folder for J-HMDB/UCF101-24, the annotation CSV (or its folder) for AVA (see load.c).
 * Returns 0, or -1 after ov_error with gt empty. */
int ov_eval_load_gt(const ovEvalDataset *dataset, const char *path, int split, ovGroundTruth *gt);

#endif
