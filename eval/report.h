/* report.h: what `ovad eval` prints: a per-class AP table and the means over all, base and
 * novel classes (OpenMixer reports the three; base/novel are class-name lists). */
#ifndef OV_EVAL_REPORT_H
#define OV_EVAL_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "eval/types.h"

typedef struct {
    int n;
    int *ids;
} ovClassSet;

/* "a,b,c" (names), or "@FILE" with one name per line ('#' comments). Unknown names are an error
 * (ov_error). An empty spec gives an empty set. */
int ov_class_set_parse(const ovGroundTruth *gt, const char *spec, ovClassSet *out);
/* Every class not in s. */
void ov_class_set_complement(const ovGroundTruth *gt, const ovClassSet *s, ovClassSet *out);
void ov_class_set_free(ovClassSet *s);
/* nanmean of ap over the set (NaN when no member has ground truth). */
double ov_ap_mean_of(const ovApResult *r, const ovClassSet *s);

/* The table: class, AP in percent (or "-" without ground truth), ground-truth count, detections. */
void ov_report_table(FILE *f, const ovGroundTruth *gt, const ovApResult *r);
/* `NAME: x`, then `NAME base: x` and `NAME novel: x` when those sets are non-empty (percent). */
void ov_report_means(FILE *f, const char *name, const ovApResult *r, const ovClassSet *base, const ovClassSet *novel);

#endif
