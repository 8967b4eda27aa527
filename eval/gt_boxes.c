/* gt_boxes.c: see gt_boxes.h. */
#include "eval/gt_boxes.h"

#include <stdlib.h>

#include "eval/util.h"

ovGtBoxes *ov_gt_boxes_by_video(const ovGroundTruth *gt) {
    ovGtBoxes *out = ov_ev_alloc((size_t)(gt->nvideos ? gt->nvideos : 1) * sizeof *out);
    for (int v = 0; v < gt->nvideos; v++) {
        const ovGtVideo *vid = &gt->videos[v];
        int n = 0;
        for (int t = 0; t < vid->ntubes; t++) n += vid->tubes[t].n;
        ovGtBox *tmp = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *tmp);
        double *key = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *key);
        int k = 0;
        for (int t = 0; t < vid->ntubes; t++)
            for (int i = 0; i < vid->tubes[t].n; i++) {
                tmp[k] = (ovGtBox){vid->tubes[t].frames[i], vid->tubes[t].label, t, vid->tubes[t].boxes[i]};
                key[k] = vid->tubes[t].frames[i];
                k++;
            }
        int *idx = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *idx);
        ov_argsort_asc(key, n, idx); /* stable: tube order within a frame */
        out[v].n = n;
        out[v].b = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *out[v].b);
        for (int i = 0; i < n; i++) out[v].b[i] = tmp[idx[i]];
        free(idx);
        free(key);
        free(tmp);
    }
    return out;
}

void ov_gt_boxes_free(ovGtBoxes *vb, int nvideos) {
    if (!vb) return;
    for (int v = 0; v < nvideos; v++) free(vb[v].b);
    free(vb);
}

int ov_gt_boxes_at(const ovGtBoxes *vb, int frame, int *count) {
    int lo = 0, hi = vb->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (vb->b[mid].frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    int end = lo;
    while (end < vb->n && vb->b[end].frame == frame) end++;
    *count = end - lo;
    return end > lo ? lo : -1;
}

int ov_sorted_find(const int *a, int n, int x) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == x ? lo : -1;
}

bool ov_sorted_has(const int *a, int n, int x) { return ov_sorted_find(a, n, x) >= 0; }
