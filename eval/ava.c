/* ava.c: the official AVA frame-AP (ava.h; ActivityNet get_ava_performance.py read_csv and
 * run_evaluation, ava/object_detection_evaluation.py, per_image_evaluation.py, metrics.py). */
#include "eval/ava.h"

#include <stdlib.h>
#include <string.h>

#include "eval/ap.h"
#include "eval/box.h"
#include "eval/frame_map.h"
#include "eval/gt_boxes.h"
#include "eval/util.h"

ovAvaOpts ov_ava_defaults(void) { return (ovAvaOpts){.iou = 0.5, .top_k = 50, .ignore_unknown_keys = false}; }

/* The heap's order: Python compares the tuples (score, action_id, y1, x1, y2, x2). */
static int tuple_less(const ovDetection *a, const ovDetection *b) {
    if (a->score != b->score) return a->score < b->score;
    if (a->label != b->label) return a->label < b->label;
    if (a->box.y1 != b->box.y1) return a->box.y1 < b->box.y1;
    if (a->box.x1 != b->box.x1) return a->box.x1 < b->box.x1;
    if (a->box.y2 != b->box.y2) return a->box.y2 < b->box.y2;
    return a->box.x2 < b->box.x2;
}

static int before_key(int a, int b, const void *ctx) {
    const ovDetection *x = &((const ovDetection *)ctx)[a], *y = &((const ovDetection *)ctx)[b];
    return x->video != y->video ? x->video < y->video : x->frame < y->frame;
}

int ov_ava_frame_ap(const ovGroundTruth *gt, const ovDetections *dets, const ovAvaOpts *o, ovApResult *res,
                    ovAvaStats *st) {
    ovAvaStats s = {0};
    ov_ap_result_init(res, gt->nlabels);
    if (ov_dets_check(gt, dets)) return -1;
    ovGtBoxes *vb = ov_gt_boxes_by_video(gt);
    /* ground truth: every box not on an excluded key */
    for (int v = 0; v < gt->nvideos; v++)
        for (int i = 0; i < vb[v].n;) {
            int cnt;
            ov_gt_boxes_at(&vb[v], vb[v].b[i].frame, &cnt);
            if (!ov_sorted_has(gt->videos[v].excluded, gt->videos[v].nexcluded, vb[v].b[i].frame)) {
                s.images++;
                s.gt_boxes += cnt;
                for (int g = 0; g < cnt; g++) res->npos[vb[v].b[i + g].label]++;
            }
            i += cnt;
        }

    /* detections grouped by key; the keys in order of first appearance would only change ties */
    int n = dets->n;
    int *ord = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *ord);
    ov_argsort_by(n, ord, before_key, dets->d);
    ovApList *cls = ov_ev_alloc((size_t)(gt->nlabels ? gt->nlabels : 1) * sizeof *cls);
    int *heap = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *heap);
    double *hs = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *hs);
    int *hord = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *hord);
    double *ious = NULL;
    int *gidx = NULL;
    bool *used = NULL;
    int cap_g = 0;
    for (int i = 0; i < n;) {
        const ovDetection *d0 = &dets->d[ord[i]];
        int v = d0->video, f = d0->frame, j = i;
        while (j < n && dets->d[ord[j]].video == v && dets->d[ord[j]].frame == f) j++;
        if (ov_sorted_has(gt->videos[v].excluded, gt->videos[v].nexcluded, f)) {
            s.ignored += j - i;
            i = j;
            continue;
        }
        int cnt, first = ov_gt_boxes_at(&vb[v], f, &cnt);
        if (first < 0 && o->ignore_unknown_keys) {
            s.ignored += j - i;
            i = j;
            continue;
        }
        /* the top_k by the min-heap rule: the set kept only depends on which tuple is smallest */
        int nh = 0;
        for (int k = i; k < j; k++) {
            const ovDetection *d = &dets->d[ord[k]];
            if (o->top_k < 1 || nh < o->top_k) {
                heap[nh++] = ord[k];
                continue;
            }
            int m = 0;
            for (int q = 1; q < nh; q++)
                if (tuple_less(&dets->d[heap[q]], &dets->d[heap[m]])) m = q;
            if (d->score > dets->d[heap[m]].score) heap[m] = ord[k];
            s.capped++;
        }
        /* sorted(key=-score); the invalid boxes leave after the cap */
        for (int q = 0; q < nh; q++) hs[q] = dets->d[heap[q]].score;
        ov_argsort_desc(hs, nh, hord);
        if (cnt > cap_g) {
            cap_g = cnt;
            ious = ov_ev_realloc(ious, (size_t)cap_g * sizeof *ious);
            gidx = ov_ev_realloc(gidx, (size_t)cap_g * sizeof *gidx);
            used = ov_ev_realloc(used, (size_t)cap_g * sizeof *used);
        }
        for (int c = 0; c < gt->nlabels; c++) {
            int ng = 0;
            for (int g = 0; g < cnt; g++)
                if (vb[v].b[first + g].label == c) {
                    gidx[ng] = first + g;
                    used[ng++] = false;
                }
            for (int q = 0; q < nh; q++) {
                const ovDetection *d = &dets->d[heap[hord[q]]];
                if (d->label != c) continue;
                if (!(d->box.y1 < d->box.y2 && d->box.x1 < d->box.x2)) {
                    s.invalid++;
                    continue;
                }
                for (int g = 0; g < ng; g++) ious[g] = ov_iou(d->box, vb[v].b[gidx[g]].box);
                bool tp = ov_match_best_iou(ious, ng, o->iou, used);
                ov_ap_list_add(&cls[c], d->score, tp);
                s.scored++;
            }
        }
        i = j;
    }
    ov_ap_lists_voc(cls, gt->nlabels, res);
    ov_ap_result_finish(res);
    free(cls);
    free(heap);
    free(hs);
    free(hord);
    free(ious);
    free(gidx);
    free(used);
    free(ord);
    ov_gt_boxes_free(vb, gt->nvideos);
    if (st) *st = s;
    return 0;
}
