/* grounding.h: spatio-temporal video grounding metrics for HC-STVG and VidSTG, as TubeDETR's
 * evaluators compute them (datasets/hcstvg_eval.py, vidstg_eval.py; datasets-and-eval.md §4.3).
 *
 * Per sample, with segments [begin, end) (end exclusive) and the evaluated frames (TubeDETR
 * samples 5 fps, at most 200 per video; the official HC-STVG script uses every frame):
 *   tIoU = |P ∩ G| / |P ∪ G| over the segments,
 *   vIoU = (1 / |S_u|) Σ_{f ∈ S_i} IoU(pred_f, gt_f), S_i / S_u the evaluated frames inside the
 *          intersection / union of the two segments (IoU without +1; |S_u| taken as 1 when 0),
 *   gt_vIoU = the mean IoU over the evaluated frames of the ground-truth segment (the box
 *          quality alone, ignoring the predicted segment).
 * Reported: m_tIoU, m_vIoU and vIoU@R, the fraction of samples with vIoU > R (R = 0.3, 0.5). */
#ifndef OV_EVAL_GROUNDING_H
#define OV_EVAL_GROUNDING_H

#include "eval/types.h"

typedef struct {
    int gt_begin, gt_end;     /* ground-truth segment [begin, end) */
    int pred_begin, pred_end; /* predicted segment [begin, end) */
    int n;                    /* evaluated frames, ascending */
    const int *frames;
    const ovBox *gt_boxes;   /* per evaluated frame; read where the frame is in the GT segment */
    const ovBox *pred_boxes; /* per evaluated frame; read where the frame is in both segments */
} ovGroundingSample;

typedef struct {
    double tiou, viou, gt_viou;
} ovGroundingScore;

typedef struct {
    int n;
    double m_tiou, m_viou, viou_03, viou_05, m_gt_viou, gt_viou_03, gt_viou_05;
} ovGroundingResult;

ovGroundingScore ov_grounding_score(const ovGroundingSample *s);
/* per may be NULL; otherwise it receives each sample's scores. */
ovGroundingResult ov_grounding_eval(const ovGroundingSample *s, int n, ovGroundingScore *per);

#endif
