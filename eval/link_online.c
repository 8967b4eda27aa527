/* link_online.c: the IoU-aware online linker of ACT and MOC (link.h; ACT.py BuildTubes in the
 * act-detector scripts, MOC-Detector src/ACT_utils/ACT_build.py BuildTubes, and their
 * nms_tubelets in ACT_utils.py). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/box.h"
#include "eval/frame_map.h"
#include "eval/link.h"
#include "eval/util.h"
#include "tensor/error.h"

ovLinkParams ov_link_params_act(int K) {
    return (ovLinkParams){.K = K, .nms_iou = 0.3, .soft_nms = false, .top_k = 10, .link_iou = 0.2,
                          .finish_offset = 5, .min_score = 0.01, .min_length = 15};
}

ovLinkParams ov_link_params_moc(int K) {
    return (ovLinkParams){.K = K, .nms_iou = 0.6, .soft_nms = true, .top_k = 10, .link_iou = 0.5,
                          .finish_offset = K, .min_score = 0.005, .min_length = 15};
}

/* nms_tubelets' overlap: w = max(0, min(x2) - max(x1) + 1) per frame, IoU summed over the K
 * frames (not averaged: the threshold is thr * K). */
static double tubelet_iou_sum(const ovBox *a, const ovBox *b, int K) {
    double s = 0;
    for (int k = 0; k < K; k++) {
        double w = ov_dmax(0.0, ov_dmin(a[k].x2, b[k].x2) - ov_dmax(a[k].x1, b[k].x1) + 1);
        double h = ov_dmax(0.0, ov_dmin(a[k].y2, b[k].y2) - ov_dmax(a[k].y1, b[k].y1) + 1);
        double inter = w * h;
        s += inter / (ov_box_area1(b[k]) + ov_box_area1(a[k]) - inter);
    }
    return s;
}

/* NMS of one start frame's tubelets: writes the kept rows (indices into boxes/scores, best first)
 * and their possibly reweighted scores; returns how many. */
static int nms_tubelets(const ovLinkParams *p, const ovTubeletsAt *at, int *keep, double *score) {
    int n = at->n, K = p->K;
    if (!n) return 0;
    int *I = ov_ev_alloc((size_t)n * sizeof *I);
    int kept = 0;
    if (!p->soft_nms) {
        /* ACT: I = argsort(scores); take the last; keep those with summed IoU <= thr * K */
        ov_argsort_asc(at->scores, n, I);
        int m = n;
        while (m > 0 && kept < p->top_k) {
            int i = I[m - 1];
            keep[kept] = i;
            score[kept++] = at->scores[i];
            int r = 0;
            for (int j = 0; j < m - 1; j++)
                if (tubelet_iou_sum(&at->boxes[(size_t)i * K], &at->boxes[(size_t)I[j] * K], K) <= p->nms_iou * K)
                    I[r++] = I[j];
            m = r;
        }
    } else {
        /* MOC: order = argsort(scores)[::-1]; each suppressed tubelet gets weight 1 - summed IoU,
         * then all are re-sorted by the new scores and the top_k kept */
        double *w = ov_ev_alloc((size_t)n * sizeof *w);
        for (int i = 0; i < n; i++) w[i] = 1;
        ov_argsort_rev_asc(at->scores, n, I);
        int m = n, head = 0;
        while (head < m) {
            int i = I[head], r = head + 1;
            for (int j = head + 1; j < m; j++) {
                double s = tubelet_iou_sum(&at->boxes[(size_t)i * K], &at->boxes[(size_t)I[j] * K], K);
                if (s > p->nms_iou * K)
                    w[I[j]] = 1 - s;
                else
                    I[r++] = I[j];
            }
            m = r;
            head++;
        }
        double *ns = ov_ev_alloc((size_t)n * sizeof *ns);
        for (int i = 0; i < n; i++) ns[i] = at->scores[i] * w[i];
        ov_argsort_rev_asc(ns, n, I);
        for (int i = 0; i < n && kept < p->top_k; i++) {
            keep[kept] = I[i];
            score[kept++] = ns[I[i]];
        }
        free(ns);
        free(w);
    }
    free(I);
    return kept;
}

typedef struct {
    int frame, row; /* start frame, row in the tubelet store */
} Member;

typedef struct {
    int n, cap;
    Member *m;
} Tube;

static void tube_add(Tube *t, int frame, int row) {
    OV_EV_GROW(t->m, t->n, t->cap);
    t->m[t->n++] = (Member){frame, row};
}

/* np.mean of the member tubelets' scores */
static double tube_score(const Tube *t, const double *store_score, double *tmp) {
    for (int i = 0; i < t->n; i++) tmp[i] = store_score[t->m[i].row];
    return ov_np_sum_f64(tmp, t->n) / t->n;
}

void ov_link_online(const ovLinkParams *p, int video, int label, int nframes, const ovTubeletsAt *at, ovTubes *out) {
    int K = p->K, nstart = nframes - K + 1;
    if (nstart < 1) return;
    /* the kept tubelets of every start frame, with their (possibly reweighted) scores */
    long total = 0;
    for (int s = 0; s < nstart; s++) total += at[s].n < p->top_k ? at[s].n : p->top_k;
    ovBox *sbox = ov_ev_alloc((size_t)(total ? total : 1) * K * sizeof *sbox);
    double *sscore = ov_ev_alloc((size_t)(total ? total : 1) * sizeof *sscore);
    Tube *cur = NULL, *fin = NULL;
    int ncur = 0, cap_cur = 0, nfin = 0, cap_fin = 0;
    int maxn = 1;
    for (int s = 0; s < nstart; s++)
        if (at[s].n > maxn) maxn = at[s].n;
    int *keep = ov_ev_alloc((size_t)maxn * sizeof *keep), *rows = ov_ev_alloc((size_t)maxn * sizeof *rows);
    double *kscore = ov_ev_alloc((size_t)maxn * sizeof *kscore), *ious = ov_ev_alloc((size_t)maxn * sizeof *ious);
    double *tmp = ov_ev_alloc((size_t)(total ? total : 1) * sizeof *tmp);
    long nstore = 0;
    for (int frame = 1; frame <= nstart; frame++) {
        const ovTubeletsAt *a = &at[frame - 1];
        int nt = nms_tubelets(p, a, keep, kscore);
        for (int i = 0; i < nt; i++) { /* store them; rows[] is the list ltubelets in its order */
            memcpy(&sbox[nstore * K], &a->boxes[(size_t)keep[i] * K], (size_t)K * sizeof *sbox);
            sscore[nstore] = kscore[i];
            rows[i] = (int)nstore++;
        }
        if (frame == 1) {
            for (int i = 0; i < nt; i++) {
                OV_EV_GROW(cur, ncur, cap_cur);
                memset(&cur[ncur], 0, sizeof cur[ncur]);
                tube_add(&cur[ncur++], 1, rows[i]);
            }
            continue;
        }
        /* current tubes by mean score, best first: np.argsort(-avgscore) */
        if (ncur > 1) {
            double *avg = ov_ev_alloc((size_t)ncur * sizeof *avg);
            int *o = ov_ev_alloc((size_t)ncur * sizeof *o);
            for (int t = 0; t < ncur; t++) avg[t] = tube_score(&cur[t], sscore, tmp);
            ov_argsort_desc(avg, ncur, o);
            Tube *sorted = ov_ev_alloc((size_t)ncur * sizeof *sorted);
            for (int t = 0; t < ncur; t++) sorted[t] = cur[o[t]];
            memcpy(cur, sorted, (size_t)ncur * sizeof *cur);
            free(sorted);
            free(o);
            free(avg);
        }
        bool *finished = ov_ev_alloc((size_t)(ncur ? ncur : 1) * sizeof *finished);
        for (int t = 0; t < ncur; t++) {
            Member last = cur[t].m[cur[t].n - 1];
            const ovBox *lt = &sbox[(size_t)last.row * K];
            int offset = frame - last.frame;
            for (int j = 0; j < nt; j++) {
                const ovBox *tb = &sbox[(size_t)rows[j] * K];
                if (offset < K) { /* mean IoU over the frames both cover */
                    int nov = K - offset;
                    double s = 0;
                    for (int q = 0; q < nov; q++) s += ov_iou1(tb[q], lt[q + offset]);
                    ious[j] = s / (double)nov;
                } else {
                    ious[j] = ov_iou1(tb[0], lt[K - 1]);
                }
            }
            int best = -1; /* valid[np.argmax(scores[valid])] */
            for (int j = 0; j < nt; j++)
                if (ious[j] >= p->link_iou && (best < 0 || sscore[rows[j]] > sscore[rows[best]])) best = j;
            if (best >= 0) {
                tube_add(&cur[t], frame, rows[best]);
                memmove(&rows[best], &rows[best + 1], (size_t)(nt - best - 1) * sizeof *rows);
                nt--;
            } else if (offset >= p->finish_offset) {
                finished[t] = true;
            }
        }
        /* `for it in finished[::-1]: FINISHED.append(CURRENT[it])`: the last finished first */
        for (int t = ncur - 1; t >= 0; t--)
            if (finished[t]) {
                OV_EV_GROW(fin, nfin, cap_fin);
                fin[nfin++] = cur[t];
            }
        int r = 0;
        for (int t = 0; t < ncur; t++)
            if (!finished[t]) cur[r++] = cur[t];
        ncur = r;
        free(finished);
        for (int i = 0; i < nt; i++) {
            OV_EV_GROW(cur, ncur, cap_cur);
            memset(&cur[ncur], 0, sizeof cur[ncur]);
            tube_add(&cur[ncur++], frame, rows[i]);
        }
    }
    for (int t = 0; t < ncur; t++) {
        OV_EV_GROW(fin, nfin, cap_fin);
        fin[nfin++] = cur[t];
    }

    for (int t = 0; t < nfin; t++) {
        Tube *u = &fin[t];
        double score = tube_score(u, sscore, tmp);
        int begin = u->m[0].frame, end = u->m[u->n - 1].frame + K - 1, len = end - begin + 1;
        if (score < p->min_score || len < p->min_length) continue;
        /* out = np.zeros((len, 6), np.float32); out[...] += tubelet; out[:, 1:] /= n_per_frame */
        float (*acc)[5] = ov_ev_alloc((size_t)len * sizeof *acc);
        int *cnt = ov_ev_alloc((size_t)len * sizeof *cnt);
        for (int i = 0; i < u->n; i++) {
            const ovBox *tb = &sbox[(size_t)u->m[i].row * K];
            for (int k = 0; k < K; k++) {
                float *o = acc[u->m[i].frame - begin + k];
                o[0] = (float)((double)o[0] + tb[k].x1);
                o[1] = (float)((double)o[1] + tb[k].y1);
                o[2] = (float)((double)o[2] + tb[k].x2);
                o[3] = (float)((double)o[3] + tb[k].y2);
                o[4] = (float)((double)o[4] + sscore[u->m[i].row]);
                cnt[u->m[i].frame - begin + k]++;
            }
        }
        ovTube *o = ov_tubes_add(out, video, label, score, len);
        for (int f = 0; f < len; f++) {
            o->frames[f] = begin + f;
            if (cnt[f]) {
                float m[5];
                for (int q = 0; q < 5; q++) m[q] = (float)((double)acc[f][q] / (double)cnt[f]);
                o->boxes[f] = (ovBox){m[0], m[1], m[2], m[3]};
                o->frame_scores[f] = m[4];
            }
        }
        /* fill frames no tubelet covered (only possible when finish_offset > K) linearly */
        for (int f = 0; f < len;) {
            if (cnt[f]) {
                f++;
                continue;
            }
            int g = f;
            while (g < len && !cnt[g]) g++; /* f-1 and g are covered: the first and last frames are */
            int numb = g - f;
            for (int b = 0; b < numb; b++) {
                double w1 = (double)(numb - b) / (numb + 1), w2 = 1 - w1;
                ovBox pb = o->boxes[f - 1], nb = o->boxes[g];
                o->boxes[f + b] = (ovBox){w1 * pb.x1 + w2 * nb.x1, w1 * pb.y1 + w2 * nb.y1, w1 * pb.x2 + w2 * nb.x2,
                                          w1 * pb.y2 + w2 * nb.y2};
                o->frame_scores[f + b] = w1 * o->frame_scores[f - 1] + w2 * o->frame_scores[g];
            }
            f = g;
        }
        free(acc);
        free(cnt);
    }
    for (int t = 0; t < nfin; t++) free(fin[t].m);
    free(fin);
    free(cur);
    free(sbox);
    free(sscore);
    free(keep);
    free(rows);
    free(kscore);
    free(ious);
    free(tmp);
}

static int before_vcf(int a, int b, const void *ctx) {
    const ovDetection *x = &((const ovDetection *)ctx)[a], *y = &((const ovDetection *)ctx)[b];
    if (x->video != y->video) return x->video < y->video;
    if (x->label != y->label) return x->label < y->label;
    return x->frame < y->frame;
}

int ov_link_online_dets(const ovGroundTruth *gt, const ovDetections *dets, const ovLinkParams *p, ovTubes *out) {
    if (ov_dets_check(gt, dets)) return -1;
    if (p->K != 1) return ov_error("linking per-frame detections needs K = 1 (got K = %d)", p->K);
    int n = dets->n;
    /* detections by (video, class, frame), file order within */
    int *order = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *order);
    ov_argsort_by(n, order, before_vcf, dets->d);
    ovBox *boxes = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *boxes);
    double *scores = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *scores);
    for (int i = 0; i < n; i++) {
        boxes[i] = dets->d[order[i]].box;
        scores[i] = dets->d[order[i]].score;
    }
    for (int v = 0; v < gt->nvideos; v++) {
        int nframes = gt->videos[v].nframes;
        if (nframes <= 0) {
            int na, *af = ov_gt_annotated_frames(&gt->videos[v], &na);
            nframes = na ? af[na - 1] : 0;
            free(af);
            for (int i = 0; i < n; i++)
                if (dets->d[i].video == v && dets->d[i].frame > nframes) nframes = dets->d[i].frame;
        }
        if (nframes < 1) continue;
        ovTubeletsAt *at = ov_ev_alloc((size_t)nframes * sizeof *at);
        for (int c = 0; c < gt->nlabels; c++) {
            memset(at, 0, (size_t)nframes * sizeof *at);
            /* the run of this (video, class) in the sorted order */
            int lo = 0, hi = n;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                const ovDetection *d = &dets->d[order[mid]];
                if (d->video < v || (d->video == v && d->label < c))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            bool any = false;
            for (int i = lo; i < n && dets->d[order[i]].video == v && dets->d[order[i]].label == c;) {
                int f = dets->d[order[i]].frame, j = i;
                while (j < n && dets->d[order[j]].video == v && dets->d[order[j]].label == c &&
                       dets->d[order[j]].frame == f)
                    j++;
                if (f >= 1 && f <= nframes) {
                    at[f - 1] = (ovTubeletsAt){j - i, &boxes[i], &scores[i]};
                    any = true;
                }
                i = j;
            }
            if (any) ov_link_online(p, v, c, nframes, at, out);
        }
        free(at);
    }
    free(boxes);
    free(scores);
    free(order);
    return 0;
}
