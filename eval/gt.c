/* gt.c: building and freeing the evaluators' ground truth, detections, tubes and results
 * (types.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/types.h"
#include "eval/util.h"
#include "tensor/error.h"

void ov_gt_init(ovGroundTruth *gt) { memset(gt, 0, sizeof *gt); }

static void free_video(ovGtVideo *v) {
    for (int t = 0; t < v->ntubes; t++) {
        free(v->tubes[t].frames);
        free(v->tubes[t].boxes);
    }
    free(v->tubes);
    free(v->keyframes);
    free(v->excluded);
    free(v->name);
}

void ov_gt_free(ovGroundTruth *gt) {
    for (int i = 0; i < gt->nlabels; i++) free(gt->labels[i]);
    free(gt->labels);
    for (int i = 0; i < gt->nvideos; i++) free_video(&gt->videos[i]);
    free(gt->videos);
    memset(gt, 0, sizeof *gt);
}

int ov_gt_add_label(ovGroundTruth *gt, const char *name) {
    OV_EV_GROW(gt->labels, gt->nlabels, gt->cap_labels);
    gt->labels[gt->nlabels] = ov_ev_strdup(name);
    return gt->nlabels++;
}

int ov_gt_add_video(ovGroundTruth *gt, const char *name, int nframes, int width, int height) {
    OV_EV_GROW(gt->videos, gt->nvideos, gt->cap_videos);
    ovGtVideo *v = &gt->videos[gt->nvideos];
    memset(v, 0, sizeof *v);
    v->name = ov_ev_strdup(name);
    v->nframes = nframes;
    v->width = width;
    v->height = height;
    return gt->nvideos++;
}

ovGtTube *ov_gt_add_tube(ovGroundTruth *gt, int video, int label, int n, const int *frames, const ovBox *boxes) {
    ovGtVideo *v = &gt->videos[video];
    for (int i = 1; i < n; i++)
        if (frames[i] <= frames[i - 1]) {
            ov_error("video %s: a tube of class %s has frame %d after frame %d (frames must be ascending)",
                     v->name, gt->labels[label], frames[i], frames[i - 1]);
            return NULL;
        }
    OV_EV_GROW(v->tubes, v->ntubes, v->cap_tubes);
    ovGtTube *t = &v->tubes[v->ntubes++];
    t->label = label;
    t->n = n;
    t->frames = ov_ev_alloc((size_t)n * sizeof *t->frames);
    t->boxes = ov_ev_alloc((size_t)n * sizeof *t->boxes);
    if (n) {
        memcpy(t->frames, frames, (size_t)n * sizeof *frames);
        memcpy(t->boxes, boxes, (size_t)n * sizeof *boxes);
    }
    return t;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Sorted, deduplicated copy; returns its length. */
static int sorted_unique(const int *in, int n, int **out) {
    int *a = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *a);
    if (n) memcpy(a, in, (size_t)n * sizeof *a);
    qsort(a, (size_t)n, sizeof *a, cmp_int);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (!m || a[m - 1] != a[i]) a[m++] = a[i];
    *out = a;
    return m;
}

void ov_gt_set_keyframes(ovGroundTruth *gt, int video, int n, const int *frames) {
    ovGtVideo *v = &gt->videos[video];
    free(v->keyframes);
    v->nkeyframes = sorted_unique(frames, n, &v->keyframes);
}

void ov_gt_set_excluded(ovGroundTruth *gt, int video, int n, const int *frames) {
    ovGtVideo *v = &gt->videos[video];
    free(v->excluded);
    v->nexcluded = sorted_unique(frames, n, &v->excluded);
}

int ov_gt_find_label(const ovGroundTruth *gt, const char *name) {
    for (int i = 0; i < gt->nlabels; i++)
        if (!strcmp(gt->labels[i], name)) return i;
    return -1;
}

int ov_gt_find_video(const ovGroundTruth *gt, const char *name) {
    for (int i = 0; i < gt->nvideos; i++)
        if (!strcmp(gt->videos[i].name, name)) return i;
    return -1;
}

void ov_gt_keep_videos(ovGroundTruth *gt, const bool *keep) {
    int m = 0;
    for (int i = 0; i < gt->nvideos; i++) {
        if (keep[i])
            gt->videos[m++] = gt->videos[i];
        else
            free_video(&gt->videos[i]);
    }
    gt->nvideos = m;
}

int *ov_gt_annotated_frames(const ovGtVideo *v, int *n) {
    long total = 0;
    for (int t = 0; t < v->ntubes; t++) total += v->tubes[t].n;
    int *all = ov_ev_alloc((size_t)(total ? total : 1) * sizeof *all);
    long k = 0;
    for (int t = 0; t < v->ntubes; t++)
        for (int i = 0; i < v->tubes[t].n; i++) all[k++] = v->tubes[t].frames[i];
    int *out;
    *n = sorted_unique(all, (int)total, &out);
    free(all);
    return out;
}

void ov_gt_default_keyframes(ovGroundTruth *gt, int rate) {
    if (rate < 1) rate = 1;
    for (int i = 0; i < gt->nvideos; i++) {
        ovGtVideo *v = &gt->videos[i];
        if (v->nkeyframes) continue;
        int n, *f = ov_gt_annotated_frames(v, &n);
        int m = 0;
        for (int j = 0; j < n; j += rate) f[m++] = f[j];
        free(v->keyframes);
        v->keyframes = f;
        v->nkeyframes = m;
    }
}

long ov_gt_count_boxes(const ovGroundTruth *gt) {
    long n = 0;
    for (int i = 0; i < gt->nvideos; i++)
        for (int t = 0; t < gt->videos[i].ntubes; t++) n += gt->videos[i].tubes[t].n;
    return n;
}

void ov_dets_add(ovDetections *d, ovDetection det) {
    OV_EV_GROW(d->d, d->n, d->cap);
    d->d[d->n++] = det;
}

void ov_dets_free(ovDetections *d) {
    free(d->d);
    memset(d, 0, sizeof *d);
}

ovTube *ov_tubes_add(ovTubes *t, int video, int label, double score, int n) {
    OV_EV_GROW(t->t, t->n, t->cap);
    ovTube *u = &t->t[t->n++];
    u->video = video;
    u->label = label;
    u->score = score;
    u->n = n;
    u->frames = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *u->frames);
    u->boxes = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *u->boxes);
    u->frame_scores = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *u->frame_scores);
    return u;
}

void ov_tubes_free(ovTubes *t) {
    for (int i = 0; i < t->n; i++) {
        free(t->t[i].frames);
        free(t->t[i].boxes);
        free(t->t[i].frame_scores);
    }
    free(t->t);
    memset(t, 0, sizeof *t);
}

void ov_ap_result_init(ovApResult *r, int nlabels) {
    r->nlabels = nlabels;
    r->ap = ov_ev_alloc((size_t)(nlabels ? nlabels : 1) * sizeof *r->ap);
    r->npos = ov_ev_alloc((size_t)(nlabels ? nlabels : 1) * sizeof *r->npos);
    r->ndet = ov_ev_alloc((size_t)(nlabels ? nlabels : 1) * sizeof *r->ndet);
    for (int c = 0; c < nlabels; c++) r->ap[c] = NAN;
    r->mean = NAN;
}

void ov_ap_result_free(ovApResult *r) {
    free(r->ap);
    free(r->npos);
    free(r->ndet);
    memset(r, 0, sizeof *r);
}

void ov_ap_result_finish(ovApResult *r) {
    double s = 0;
    int n = 0;
    for (int c = 0; c < r->nlabels; c++)
        if (!isnan(r->ap[c])) {
            s += r->ap[c];
            n++;
        }
    r->mean = n ? s / n : NAN;
}
