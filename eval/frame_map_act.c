/* frame_map_act.c: frame-mAP in the ACT/MOC protocol (frame_map.h; ACT.py frameAP, the same
 * code in MOC-Detector src/ACT.py): every frame of every video counts, IoU with +1,
 * delete-on-match, trapezoid AP over float32 precision/recall. */
#include <stdlib.h>
#include <string.h>

#include "eval/ap.h"
#include "eval/box.h"
#include "eval/frame_map.h"
#include "eval/gt_boxes.h"
#include "eval/util.h"

int ov_frame_map_act(const ovGroundTruth *gt, const ovDetections *dets, double iou, ovApResult *res,
                     ovFrameStats *st) {
    ovFrameStats s = {0};
    ov_ap_result_init(res, gt->nlabels);
    if (ov_dets_check(gt, dets)) return -1;
    ovGtBoxes *vb = ov_gt_boxes_by_video(gt);
    bool **deleted = ov_ev_alloc((size_t)(gt->nvideos ? gt->nvideos : 1) * sizeof *deleted);
    int maxg = 1;
    for (int v = 0; v < gt->nvideos; v++) {
        deleted[v] = ov_ev_alloc((size_t)(vb[v].n ? vb[v].n : 1) * sizeof *deleted[v]);
        for (int i = 0; i < vb[v].n; i++) res->npos[vb[v].b[i].label]++;
        s.gt_boxes += vb[v].n;
    }
    for (int v = 0; v < gt->nvideos; v++) {
        int nf = gt->videos[v].nframes;
        s.images += nf;
        for (int i = 0; i < vb[v].n;) { /* the largest number of boxes on one frame */
            int cnt;
            ov_gt_boxes_at(&vb[v], vb[v].b[i].frame, &cnt);
            if (cnt > maxg) maxg = cnt;
            i += cnt;
        }
    }
    double *ious = ov_ev_alloc((size_t)maxg * sizeof *ious);
    int *gi = ov_ev_alloc((size_t)maxg * sizeof *gi);

    /* detections of each class, in file order */
    int *count = ov_ev_alloc((size_t)(gt->nlabels + 1) * sizeof *count);
    for (int i = 0; i < dets->n; i++) count[dets->d[i].label + 1]++;
    for (int c = 0; c < gt->nlabels; c++) count[c + 1] += count[c];
    int *bycls = ov_ev_alloc((size_t)(dets->n ? dets->n : 1) * sizeof *bycls);
    int *fill = ov_ev_alloc((size_t)(gt->nlabels + 1) * sizeof *fill);
    memcpy(fill, count, (size_t)(gt->nlabels + 1) * sizeof *fill);
    for (int i = 0; i < dets->n; i++) bycls[fill[dets->d[i].label]++] = i;

    for (int c = 0; c < gt->nlabels; c++) {
        int n = count[c + 1] - count[c];
        res->ndet[c] = n;
        s.scored += n;
        double *score = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *score);
        int *idx = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *idx);
        bool *tp = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *tp);
        for (int j = 0; j < n; j++) score[j] = dets->d[bycls[count[c] + j]].score;
        ov_argsort_desc(score, n, idx); /* np.argsort(-score) */
        for (int j = 0; j < n; j++) {
            const ovDetection *d = &dets->d[bycls[count[c] + idx[j]]];
            int cnt, first = ov_gt_boxes_at(&vb[d->video], d->frame, &cnt);
            int ng = 0;
            for (int g = 0; g < cnt; g++) {
                const ovGtBox *b = &vb[d->video].b[first + g];
                if (b->label != c || deleted[d->video][first + g]) continue;
                gi[ng] = first + g;
                ious[ng++] = ov_iou1(b->box, d->box);
            }
            if (!ng) continue; /* no (remaining) box of this class on that frame: false positive */
            int a = ov_np_argmax(ious, ng);
            if (ious[a] >= iou) {
                tp[j] = true;
                deleted[d->video][gi[a]] = true;
            }
        }
        if (res->npos[c] > 0) res->ap[c] = ov_ap_act(tp, n, res->npos[c]);
        free(score);
        free(idx);
        free(tp);
    }
    ov_ap_result_finish(res);
    free(count);
    free(bycls);
    free(fill);
    free(ious);
    free(gi);
    for (int v = 0; v < gt->nvideos; v++) free(deleted[v]);
    free(deleted);
    ov_gt_boxes_free(vb, gt->nvideos);
    if (st) *st = s;
    return 0;
}
