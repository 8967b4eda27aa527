/* link_openmixer.c: OpenMixer's tube building (link.h; evaluate_map.py prediction_to_tubes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/frame_map.h"
#include "eval/link.h"
#include "eval/util.h"

typedef struct {
    int label;
    int n, cap;
    int *frames;
    ovBox *boxes;
    double *scores;
    double sum, score; /* the running mean OpenMixer stores */
} Building;

static void building_add(Building *b, int frame, ovBox box, double score) {
    if (b->n >= b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->frames = ov_ev_realloc(b->frames, (size_t)b->cap * sizeof *b->frames);
        b->boxes = ov_ev_realloc(b->boxes, (size_t)b->cap * sizeof *b->boxes);
        b->scores = ov_ev_realloc(b->scores, (size_t)b->cap * sizeof *b->scores);
    }
    b->frames[b->n] = frame;
    b->boxes[b->n] = box;
    b->scores[b->n++] = score;
    /* score_cnt adds the frame scores in order from 0, then divides: a running sum is the same */
    b->sum += score;
    b->score = b->sum / b->n;
}

static int before_vf(int a, int b, const void *ctx) {
    const ovDetection *x = &((const ovDetection *)ctx)[a], *y = &((const ovDetection *)ctx)[b];
    return x->video != y->video ? x->video < y->video : x->frame < y->frame;
}

int ov_link_openmixer(const ovGroundTruth *gt, const ovDetections *dets, int anno_rate, bool round_boxes,
                      ovTubes *out) {
    if (ov_dets_check(gt, dets)) return -1;
    /* detections by video then frame, file order within a frame (the order of OpenMixer's
     * per-keyframe dictionary when its samples come in frame order) */
    int n = dets->n;
    int *order = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *order);
    ov_argsort_by(n, order, before_vf, dets->d);

    Building *b = NULL;
    int nb = 0, cap_b = 0;
    /* per class, the video's tubes in list order (indices into b) */
    int *list_n = ov_ev_alloc((size_t)(gt->nlabels ? gt->nlabels : 1) * sizeof *list_n);
    int *list_cap = ov_ev_alloc((size_t)(gt->nlabels ? gt->nlabels : 1) * sizeof *list_cap);
    int **list = ov_ev_alloc((size_t)(gt->nlabels ? gt->nlabels : 1) * sizeof *list);
    for (int i = 0; i < n;) {
        int v = dets->d[order[i]].video, j = i;
        while (j < n && dets->d[order[j]].video == v) j++;
        for (int c = 0; c < gt->nlabels; c++) list_n[c] = 0;
        nb = 0;
        for (int k = i; k < j; k++) {
            const ovDetection *d = &dets->d[order[k]];
            ovBox box = d->box;
            if (round_boxes) box = (ovBox){nearbyint(box.x1), nearbyint(box.y1), nearbyint(box.x2), nearbyint(box.y2)};
            int c = d->label, *l = list[c], found = -1;
            for (int t = 0; t < list_n[c]; t++) {
                Building *u = &b[l[t]];
                if (u->frames[u->n - 1] + anno_rate == d->frame) {
                    found = t;
                    break;
                }
            }
            if (found >= 0) { /* extend it and move it to the end of the list */
                int id = l[found];
                building_add(&b[id], d->frame, box, d->score);
                memmove(&l[found], &l[found + 1], (size_t)(list_n[c] - found - 1) * sizeof *l);
                l[list_n[c] - 1] = id;
            } else {
                OV_EV_GROW(b, nb, cap_b);
                memset(&b[nb], 0, sizeof b[nb]);
                b[nb].label = c;
                building_add(&b[nb], d->frame, box, d->score);
                OV_EV_GROW(list[c], list_n[c], list_cap[c]);
                list[c][list_n[c]++] = nb++;
            }
        }
        for (int c = 0; c < gt->nlabels; c++)
            for (int t = 0; t < list_n[c]; t++) {
                Building *u = &b[list[c][t]];
                ovTube *o = ov_tubes_add(out, v, c, u->score, u->n);
                memcpy(o->frames, u->frames, (size_t)u->n * sizeof *o->frames);
                memcpy(o->boxes, u->boxes, (size_t)u->n * sizeof *o->boxes);
                memcpy(o->frame_scores, u->scores, (size_t)u->n * sizeof *o->frame_scores);
            }
        for (int t = 0; t < nb; t++) {
            free(b[t].frames);
            free(b[t].boxes);
            free(b[t].scores);
        }
        i = j;
    }
    for (int c = 0; c < gt->nlabels; c++) free(list[c]);
    free(list);
    free(list_n);
    free(list_cap);
    free(b);
    free(order);
    return 0;
}
