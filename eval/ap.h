/* ap.h: average precision from a ranked list of true/false positives, in the two forms the
 * reference evaluators use:
 *   - VOC every-point (TF-OD metrics.compute_average_precision, OpenMixer pr_to_ap_voc, YOWO):
 *     precision made monotone from the right, then the sum of (R_i - R_{i-1}) P_i over the points
 *     where recall changes, with (R, P) = (0, 0) prepended and (1, 0) appended;
 *   - ACT trapezoid (ACT_utils.pr_to_ap): the raw PR points with (P, R) = (1, 0) prepended,
 *     AP = sum (R_i - R_{i-1}) (P_i + P_{i-1}) / 2, with no envelope. ACT keeps the PR table in a
 *     float32 array and sums with np.sum; ov_ap_act reproduces that arithmetic exactly. */
#ifndef OV_EVAL_AP_H
#define OV_EVAL_AP_H

#include <stdbool.h>

#include "eval/types.h"

/* tp[i] for the detections in ranked order (best first); npos > 0 ground-truth instances. */
double ov_ap_voc(const bool *tp, long n, long npos);
double ov_ap_act(const bool *tp, long n, long npos);

/* The VOC AP of explicit precision/recall arrays (recall non-decreasing). */
double ov_ap_voc_pr(const double *precision, const double *recall, long n);

/* One class's scored detections, true or false positive, gathered in any order. */
typedef struct {
    int n, cap;
    double *score;
    bool *tp;
} ovApList;

void ov_ap_list_add(ovApList *l, double score, bool tp);

/* For every class c < nlabels: res->ndet[c] = lists[c].n and, where res->npos[c] > 0, the VOC AP
 * of lists[c] ranked as np.argsort(scores)[::-1] (TF-OD metrics.compute_precision_recall and the
 * AVA evaluator). Frees the lists' arrays (not `lists`). */
void ov_ap_lists_voc(ovApList *lists, int nlabels, ovApResult *res);

#endif
