/* video_map.c: spatio-temporal IoU, 3D NMS and video-mAP (video_map.h; OpenMixer
 * evaluation/evaluate_map.py, ACT.py / MOC src/ACT.py and ACT_utils.py). */
#include "eval/video_map.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ap.h"
#include "eval/box.h"
#include "eval/frame_map.h"
#include "eval/util.h"
#include "tensor/error.h"

ovVideoMapOpts ov_video_map_defaults(ovVideoProtocol protocol) {
    return protocol == OV_VIDEO_ACT ? (ovVideoMapOpts){OV_VIDEO_ACT, 1, 0.3} : (ovVideoMapOpts){OV_VIDEO_OPENMIXER, 1, 0};
}

void ov_video_thresholds(double thr[OV_VIDEO_NTHR]) {
    thr[0] = 0.2;
    thr[1] = 0.5;
    thr[2] = 0.75;
    for (int i = 0; i < 10; i++) thr[3 + i] = 0.5 + 0.05 * i;
}

/* mean per-frame IoU over frames tmin..tmax, a frame missing from either tube counting 0 */
static double spatial_mean(int n1, const int *f1, const ovBox *b1, int n2, const int *f2, const ovBox *b2, int tmin,
                           int tmax, int plus1) {
    int i = 0, j = 0;
    while (i < n1 && f1[i] < tmin) i++;
    while (j < n2 && f2[j] < tmin) j++;
    int len = tmax - tmin + 1;
    double *v = ov_ev_alloc((size_t)len * sizeof *v);
    for (int t = tmin; t <= tmax; t++) {
        while (i < n1 && f1[i] < t) i++;
        while (j < n2 && f2[j] < t) j++;
        bool both = i < n1 && j < n2 && f1[i] == t && f2[j] == t;
        v[t - tmin] = !both ? 0.0 : plus1 ? ov_iou1(b1[i], b2[j]) : ov_iou(b1[i], b2[j]);
    }
    double m = ov_np_sum_f64(v, len) / len;
    free(v);
    return m;
}

double ov_tube_iou_act(int n1, const int *f1, const ovBox *b1, int n2, const int *f2, const ovBox *b2) {
    if (!n1 || !n2) return 0;
    int tmin = f1[0] > f2[0] ? f1[0] : f2[0], tmax = f1[n1 - 1] < f2[n2 - 1] ? f1[n1 - 1] : f2[n2 - 1];
    if (tmax < tmin) return 0;
    int lo = f1[0] < f2[0] ? f1[0] : f2[0], hi = f1[n1 - 1] > f2[n2 - 1] ? f1[n1 - 1] : f2[n2 - 1];
    double tiou = (double)(tmax - tmin + 1) / (double)(hi - lo + 1);
    return spatial_mean(n1, f1, b1, n2, f2, b2, tmin, tmax, 1) * tiou;
}

double ov_tube_iou_voc(int n1, const int *f1, const ovBox *b1, int n2, const int *f2, const ovBox *b2) {
    if (!n1 || !n2) return 0;
    int tmin = f1[0] > f2[0] ? f1[0] : f2[0], tmax = f1[n1 - 1] < f2[n2 - 1] ? f1[n1 - 1] : f2[n2 - 1];
    if (tmax < tmin) return 0;
    int lo = f1[0] < f2[0] ? f1[0] : f2[0], hi = f1[n1 - 1] > f2[n2 - 1] ? f1[n1 - 1] : f2[n2 - 1];
    double tiou = hi > lo ? (double)(tmax - tmin) / (double)(hi - lo) : 1.0;
    return spatial_mean(n1, f1, b1, n2, f2, b2, tmin, tmax, 0) * tiou;
}

/* a + t * (b - a) with every operation rounded to float32 (numpy float32 arrays times a Python
 * float); the volatile keeps a compiler from fusing the multiply and add */
static double lerp_f32(double a, double b, float t) {
    float fa = (float)a, d = (float)b - fa;
    volatile float p = t * d;
    return (double)(fa + p);
}

int ov_tube_interpolate(int n, const int *frames, const ovBox *boxes, int **out_frames, ovBox **out_boxes) {
    int m = n ? frames[n - 1] - frames[0] + 1 : 0;
    if (m < n) m = n; /* frames not ascending: keep them as they are */
    int *f = ov_ev_alloc((size_t)(m ? m : 1) * sizeof *f);
    ovBox *b = ov_ev_alloc((size_t)(m ? m : 1) * sizeof *b);
    int k = 0;
    for (int i = 0; i + 1 < n; i++) {
        ovBox a = boxes[i], c = boxes[i + 1];
        int gap = frames[i + 1] - frames[i];
        f[k] = frames[i];
        b[k++] = (ovBox){(float)a.x1, (float)a.y1, (float)a.x2, (float)a.y2};
        for (int s = 1; s < gap; s++) {
            float t = (float)((double)s / (double)gap);
            f[k] = frames[i] + s;
            b[k++] = (ovBox){lerp_f32(a.x1, c.x1, t), lerp_f32(a.y1, c.y1, t), lerp_f32(a.x2, c.x2, t),
                             lerp_f32(a.y2, c.y2, t)};
        }
    }
    if (n) {
        ovBox a = boxes[n - 1];
        f[k] = frames[n - 1];
        b[k++] = (ovBox){(float)a.x1, (float)a.y1, (float)a.x2, (float)a.y2};
    }
    *out_frames = f;
    *out_boxes = b;
    return k;
}

int ov_nms3dt(const ovTubes *tubes, const int *idx, int n, double thr, int *kept) {
    if (!n) return 0;
    double *score = ov_ev_alloc((size_t)n * sizeof *score);
    int *I = ov_ev_alloc((size_t)n * sizeof *I);
    for (int i = 0; i < n; i++) score[i] = tubes->t[idx[i]].score;
    ov_argsort_asc(score, n, I); /* np.argsort(scores): the best is taken from the end */
    /* np.where(ious <= overlap) compares a float32 array, so in float32 */
    int m = n, nk = 0;
    while (m > 0) {
        const ovTube *a = &tubes->t[idx[I[m - 1]]];
        kept[nk++] = idx[I[m - 1]];
        int r = 0;
        for (int j = 0; j < m - 1; j++) {
            const ovTube *b = &tubes->t[idx[I[j]]];
            if ((float)ov_tube_iou_act(b->n, b->frames, b->boxes, a->n, a->frames, a->boxes) <= (float)thr) I[r++] = I[j];
        }
        m = r;
    }
    free(score);
    free(I);
    return nk;
}

/* The reference evaluators hold tubes in float32 arrays, so their tube IoU is a float32 value,
 * which Python then compares with the (double) threshold: round ours to float32 likewise. An
 * IoU of exactly 4/5 becomes 0.800000011920929 and passes the threshold 0.5 + 0.05 * 6 =
 * 0.8000000000000002 of the 0.5:0.95 sweep; 13/20 becomes 0.64999998 and fails 0.65. */
static bool ge_f32(double iou, double thr) { return (double)(float)iou >= thr; }

static int before_vc(int a, int b, const void *ctx) {
    const ovTube *x = &((const ovTube *)ctx)[a], *y = &((const ovTube *)ctx)[b];
    return x->video != y->video ? x->video < y->video : x->label < y->label;
}

int ov_video_map(const ovGroundTruth *gt, const ovTubes *tubes, const ovVideoMapOpts *o, int nthr, const double *thr,
                 ovApResult *res) {
    for (int i = 0; i < nthr; i++) ov_ap_result_init(&res[i], gt->nlabels);
    for (int i = 0; i < tubes->n; i++) {
        const ovTube *t = &tubes->t[i];
        if (t->video < 0 || t->video >= gt->nvideos)
            return ov_error("tube %d: video index %d out of range (%d videos)", i, t->video, gt->nvideos);
        if (t->label < 0 || t->label >= gt->nlabels)
            return ov_error("tube %d: class index %d out of range (%d classes)", i, t->label, gt->nlabels);
    }
    bool act = o->protocol == OV_VIDEO_ACT;
    /* the tubes that compete: ACT keeps the 3D-NMS survivors of each video and class, in video
     * order; OpenMixer all of them in list order */
    int *cand = ov_ev_alloc((size_t)(tubes->n ? tubes->n : 1) * sizeof *cand), ncand = 0;
    if (act && o->nms3d > 0) {
        int *ord = ov_ev_alloc((size_t)(tubes->n ? tubes->n : 1) * sizeof *ord);
        ov_argsort_by(tubes->n, ord, before_vc, tubes->t); /* runs of one video and class, list order */
        for (int i = 0; i < tubes->n;) {
            int j = i;
            while (j < tubes->n && tubes->t[ord[j]].video == tubes->t[ord[i]].video &&
                   tubes->t[ord[j]].label == tubes->t[ord[i]].label)
                j++;
            ncand += ov_nms3dt(tubes, ord + i, j - i, o->nms3d, cand + ncand);
            i = j;
        }
        free(ord);
    } else {
        for (int i = 0; i < tubes->n; i++) cand[ncand++] = i;
    }

    for (int c = 0; c < gt->nlabels; c++) {
        /* this class's tubes, best first (np.argsort(-scores)) */
        int n = 0;
        for (int i = 0; i < ncand; i++) n += tubes->t[cand[i]].label == c;
        int *mine = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *mine), *ord = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *ord);
        double *score = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *score);
        n = 0;
        for (int i = 0; i < ncand; i++)
            if (tubes->t[cand[i]].label == c) {
                mine[n] = cand[i];
                score[n++] = tubes->t[cand[i]].score;
            }
        ov_argsort_desc(score, n, ord);
        long npos = 0;
        int maxg = 1;
        for (int v = 0; v < gt->nvideos; v++) {
            int g = 0;
            for (int t = 0; t < gt->videos[v].ntubes; t++) g += gt->videos[v].tubes[t].label == c;
            npos += g;
            if (g > maxg) maxg = g;
        }
        /* IoU of each tube with the ground-truth tubes of its video and class, in their order */
        double *iou = ov_ev_alloc((size_t)(n ? n : 1) * maxg * sizeof *iou);
        int *ng = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *ng);
        for (int k = 0; k < n; k++) {
            const ovTube *d = &tubes->t[mine[ord[k]]];
            int nf = d->n, *f = d->frames;
            ovBox *b = d->boxes;
            if (!act && o->anno_rate > 1) nf = ov_tube_interpolate(d->n, d->frames, d->boxes, &f, &b);
            const ovGtVideo *vid = &gt->videos[d->video];
            for (int t = 0; t < vid->ntubes; t++) {
                const ovGtTube *g = &vid->tubes[t];
                if (g->label != c) continue;
                iou[(size_t)k * maxg + ng[k]++] = act ? ov_tube_iou_act(g->n, g->frames, g->boxes, nf, f, b)
                                                      : ov_tube_iou_voc(g->n, g->frames, g->boxes, nf, f, b);
            }
            if (f != d->frames) {
                free(f);
                free(b);
            }
        }
        bool *tp = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *tp);
        bool *gone = ov_ev_alloc((size_t)maxg * (size_t)gt->nvideos + 1);
        double *cur = ov_ev_alloc((size_t)maxg * sizeof *cur);
        int *map = ov_ev_alloc((size_t)maxg * sizeof *map);
        for (int th = 0; th < nthr; th++) {
            memset(gone, 0, (size_t)maxg * (size_t)gt->nvideos + 1);
            for (int k = 0; k < n; k++) {
                int v = tubes->t[mine[ord[k]]].video;
                bool *used = &gone[(size_t)v * maxg];
                tp[k] = false;
                if (act) { /* argmax over the remaining tubes; a match deletes it */
                    int m = 0;
                    for (int g = 0; g < ng[k]; g++)
                        if (!used[g]) {
                            map[m] = g;
                            cur[m++] = iou[(size_t)k * maxg + g];
                        }
                    if (!m) continue;
                    int a = ov_np_argmax(cur, m);
                    if (ge_f32(cur[a], thr[th])) {
                        tp[k] = true;
                        used[map[a]] = true;
                    }
                } else { /* argmax over all; a match needs that tube unused */
                    if (!ng[k]) continue;
                    int a = ov_np_argmax(&iou[(size_t)k * maxg], ng[k]);
                    if (ge_f32(iou[(size_t)k * maxg + a], thr[th]) && !used[a]) {
                        tp[k] = true;
                        used[a] = true;
                    }
                }
            }
            res[th].npos[c] = npos;
            res[th].ndet[c] = n;
            if (npos > 0) res[th].ap[c] = act ? ov_ap_act(tp, n, npos) : ov_ap_voc(tp, n, npos);
        }
        free(tp);
        free(gone);
        free(cur);
        free(map);
        free(iou);
        free(ng);
        free(mine);
        free(ord);
        free(score);
    }
    for (int th = 0; th < nthr; th++) ov_ap_result_finish(&res[th]);
    free(cand);
    return 0;
}
