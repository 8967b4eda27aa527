/* grounding.c: m_tIoU, m_vIoU, vIoU@0.3/0.5 (grounding.h; TubeDETR datasets/hcstvg_eval.py). */
#include "eval/grounding.h"

#include "eval/box.h"

ovGroundingScore ov_grounding_score(const ovGroundingSample *s) {
    ovGroundingScore r = {0, 0, 0};
    int max_start = s->gt_begin > s->pred_begin ? s->gt_begin : s->pred_begin;
    int min_end = s->gt_end < s->pred_end ? s->gt_end : s->pred_end;
    int min_start = s->gt_begin < s->pred_begin ? s->gt_begin : s->pred_begin;
    int max_end = s->gt_end > s->pred_end ? s->gt_end : s->pred_end;
    if (min_end > max_start) {
        double inter = min_end - max_start;
        double uni = (double)(s->gt_end - s->gt_begin) + (double)(s->pred_end - s->pred_begin) - inter;
        r.tiou = inter / uni;
    }
    int n_union = 0, n_gt = 0;
    double sum = 0, gt_sum = 0;
    for (int i = 0; i < s->n; i++) {
        int f = s->frames[i];
        if (f >= min_start && f < max_end) n_union++;
        if (f < s->gt_begin || f >= s->gt_end) continue;
        double iou = ov_iou(s->pred_boxes[i], s->gt_boxes[i]);
        n_gt++;
        gt_sum += iou;
        if (f >= max_start && f < min_end) sum += iou;
    }
    r.viou = sum / (n_union > 1 ? n_union : 1);
    r.gt_viou = gt_sum / (n_gt > 1 ? n_gt : 1);
    return r;
}

ovGroundingResult ov_grounding_eval(const ovGroundingSample *s, int n, ovGroundingScore *per) {
    ovGroundingResult r = {0};
    r.n = n;
    for (int i = 0; i < n; i++) {
        ovGroundingScore g = ov_grounding_score(&s[i]);
        if (per) per[i] = g;
        r.m_tiou += g.tiou;
        r.m_viou += g.viou;
        r.m_gt_viou += g.gt_viou;
        r.viou_03 += g.viou > 0.3;
        r.viou_05 += g.viou > 0.5;
        r.gt_viou_03 += g.gt_viou > 0.3;
        r.gt_viou_05 += g.gt_viou > 0.5;
    }
    if (n) {
        r.m_tiou /= n;
        r.m_viou /= n;
        r.m_gt_viou /= n;
        r.viou_03 /= n;
        r.viou_05 /= n;
        r.gt_viou_03 /= n;
        r.gt_viou_05 /= n;
    }
    return r;
}
