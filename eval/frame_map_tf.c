/* frame_map_tf.c: frame-mAP in the TF object-detection protocol of OpenMixer/TubeR/HIT
 * (frame_map.h; OpenMixer evaluation/pascal_wrapper.py STDetectionEvaluaterUCF and
 * pascal_evaluation/{object_detection_evaluation,per_image_evaluation,metrics}.py). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ap.h"
#include "eval/box.h"
#include "eval/frame_map.h"
#include "eval/gt_boxes.h"
#include "eval/util.h"
#include "tensor/error.h"

ovFrameTfOpts ov_frame_tf_defaults(void) { return (ovFrameTfOpts){.iou = 0.5, .min_area = 10, .max_dets = 10000}; }

int ov_np_argmax(const double *v, int n) {
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (isnan(v[i])) return i;
        if (best < 0 || v[i] > v[best]) best = i;
    }
    return best;
}

bool ov_match_best_iou(const double *ious, int ng, double thr, bool *used) {
    int a = ov_np_argmax(ious, ng);
    if (a < 0 || !(ious[a] >= thr) || used[a]) return false;
    used[a] = true;
    return true;
}

int ov_dets_check(const ovGroundTruth *gt, const ovDetections *dets) {
    for (int i = 0; i < dets->n; i++) {
        const ovDetection *d = &dets->d[i];
        if (d->video < 0 || d->video >= gt->nvideos)
            return ov_error("detection %d: video index %d out of range (%d videos)", i, d->video, gt->nvideos);
        if (d->label < 0 || d->label >= gt->nlabels)
            return ov_error("detection %d: class index %d out of range (%d classes)", i, d->label, gt->nlabels);
    }
    return 0;
}

/* OpenMixer drops a box when (y2n - y1n) * H * (x2n - x1n) * W < 10: the coordinates are
 * normalised in float32 (J-HMDB's pickled boxes are float32 arrays divided in place), each
 * difference is a float32 scalar, and numpy multiplies a float32 scalar by a Python int in
 * float64. Written out so that a box of exactly 10 px² falls the same side: [10,20,12,25] in a
 * 320x240 frame comes to 9.999999999999432 and is dropped, [0,0,2,5] to 10.00000044703484. */
static double area_as_openmixer(ovBox b, int w, int h) {
    if (w <= 0 || h <= 0) return ov_box_area(b);
    float fw = (float)w, fh = (float)h;
    float x1 = (float)b.x1 / fw, x2 = (float)b.x2 / fw;
    float y1 = (float)b.y1 / fh, y2 = (float)b.y2 / fh;
    float dy = y2 - y1, dx = x2 - x1;
    return (double)dy * h * (double)dx * w;
}

int ov_frame_map_tf(const ovGroundTruth *gt, const ovDetections *dets, const ovFrameTfOpts *o, ovApResult *res,
                    ovFrameStats *st) {
    ovFrameStats s = {0};
    ov_ap_result_init(res, gt->nlabels);
    if (ov_dets_check(gt, dets)) return -1;
    ovGtBoxes *vb = ov_gt_boxes_by_video(gt);

    /* Keyframes of each video and the image each one became (-1: not evaluated). */
    int **kf = ov_ev_alloc((size_t)(gt->nvideos ? gt->nvideos : 1) * sizeof *kf);
    int *nkf = ov_ev_alloc((size_t)(gt->nvideos ? gt->nvideos : 1) * sizeof *nkf);
    int **img_of = ov_ev_alloc((size_t)(gt->nvideos ? gt->nvideos : 1) * sizeof *img_of);
    /* Per image: the first of its kept boxes in `kept`, and how many. */
    int nimg = 0, cap_img = 0;
    int *img_first = NULL, *img_count = NULL;
    int nkept = 0, cap_kept = 0;
    ovGtBox *kept = NULL;
    for (int v = 0; v < gt->nvideos; v++) {
        const ovGtVideo *vid = &gt->videos[v];
        if (vid->nkeyframes) {
            nkf[v] = vid->nkeyframes;
            kf[v] = ov_ev_alloc((size_t)nkf[v] * sizeof *kf[v]);
            memcpy(kf[v], vid->keyframes, (size_t)nkf[v] * sizeof *kf[v]);
        } else {
            kf[v] = ov_gt_annotated_frames(vid, &nkf[v]);
        }
        img_of[v] = ov_ev_alloc((size_t)(nkf[v] ? nkf[v] : 1) * sizeof *img_of[v]);
        for (int k = 0; k < nkf[v]; k++) {
            img_of[v][k] = -1;
            int f = kf[v][k], cnt, first = ov_gt_boxes_at(&vb[v], f, &cnt);
            if (ov_sorted_has(vid->excluded, vid->nexcluded, f)) {
                s.excluded_frames++;
                continue;
            }
            int start = nkept;
            for (int i = 0; i < cnt; i++) {
                ovGtBox b = vb[v].b[first + i];
                if (o->min_area > 0 && area_as_openmixer(b.box, vid->width, vid->height) < o->min_area) {
                    s.dropped_boxes++;
                    continue;
                }
                OV_EV_GROW(kept, nkept, cap_kept);
                kept[nkept++] = b;
            }
            if (nkept == start) { /* no box left: the frame and its detections are left out */
                s.excluded_frames++;
                continue;
            }
            if (nimg >= cap_img) {
                cap_img = cap_img ? 2 * cap_img : 64;
                img_first = ov_ev_realloc(img_first, (size_t)cap_img * sizeof *img_first);
                img_count = ov_ev_realloc(img_count, (size_t)cap_img * sizeof *img_count);
            }
            img_first[nimg] = start;
            img_count[nimg] = nkept - start;
            img_of[v][k] = nimg++;
        }
    }
    for (int i = 0; i < nkept; i++) res->npos[kept[i].label]++;
    s.images = nimg;
    s.gt_boxes = nkept;

    /* Detections bucketed by image (counting sort keeps file order inside an image). */
    int *det_img = ov_ev_alloc((size_t)(dets->n ? dets->n : 1) * sizeof *det_img);
    int *start = ov_ev_alloc((size_t)(nimg + 1) * sizeof *start);
    for (int i = 0; i < dets->n; i++) {
        const ovDetection *d = &dets->d[i];
        int k = ov_sorted_find(kf[d->video], nkf[d->video], d->frame);
        det_img[i] = k < 0 ? -1 : img_of[d->video][k];
        if (det_img[i] < 0)
            s.ignored++;
        else
            start[det_img[i] + 1]++;
    }
    for (int i = 0; i < nimg; i++) start[i + 1] += start[i];
    int *order = ov_ev_alloc((size_t)(dets->n ? dets->n : 1) * sizeof *order);
    int *fill = ov_ev_alloc((size_t)(nimg + 1) * sizeof *fill);
    memcpy(fill, start, (size_t)(nimg + 1) * sizeof *fill);
    for (int i = 0; i < dets->n; i++)
        if (det_img[i] >= 0) order[fill[det_img[i]]++] = i;

    ovApList *cls = ov_ev_alloc((size_t)(gt->nlabels ? gt->nlabels : 1) * sizeof *cls);
    int maxd = 1;
    for (int i = 0; i < nimg; i++)
        if (start[i + 1] - start[i] > maxd) maxd = start[i + 1] - start[i];
    int *cd = ov_ev_alloc((size_t)maxd * sizeof *cd), *cidx = ov_ev_alloc((size_t)maxd * sizeof *cidx);
    double *cs = ov_ev_alloc((size_t)maxd * sizeof *cs);
    int maxg = 1;
    for (int i = 0; i < nimg; i++)
        if (img_count[i] > maxg) maxg = img_count[i];
    int *gidx = ov_ev_alloc((size_t)maxg * sizeof *gidx);
    bool *used = ov_ev_alloc((size_t)maxg * sizeof *used);
    double *ious = ov_ev_alloc((size_t)maxg * sizeof *ious);
    for (int im = 0; im < nimg; im++) {
        for (int c = 0; c < gt->nlabels; c++) {
            /* this class's valid detections in the image, best first (TF-OD's NMS with IoU 1.0
             * only sorts, drops scores <= -10 and keeps max_dets) */
            int nd = 0;
            for (int j = start[im]; j < start[im + 1]; j++) {
                const ovDetection *d = &dets->d[order[j]];
                if (d->label != c) continue;
                if (!(d->box.x1 < d->box.x2 && d->box.y1 < d->box.y2)) {
                    s.invalid++;
                    continue;
                }
                if (!(d->score > -10.0)) continue;
                cd[nd] = order[j];
                cs[nd++] = d->score;
            }
            if (!nd) continue;
            ov_argsort_rev_asc(cs, nd, cidx); /* sort_by_field: np.argsort(scores)[::-1] */
            if (nd > o->max_dets) nd = o->max_dets;
            int ng = 0;
            for (int g = 0; g < img_count[im]; g++)
                if (kept[img_first[im] + g].label == c) {
                    gidx[ng] = img_first[im] + g;
                    used[ng++] = false;
                }
            for (int j = 0; j < nd; j++) {
                const ovDetection *d = &dets->d[cd[cidx[j]]];
                for (int g = 0; g < ng; g++) ious[g] = ov_iou(d->box, kept[gidx[g]].box);
                bool tp = ov_match_best_iou(ious, ng, o->iou, used);
                ov_ap_list_add(&cls[c], d->score, tp);
                s.scored++;
            }
        }
    }
    ov_ap_lists_voc(cls, gt->nlabels, res); /* metrics.compute_precision_recall */
    ov_ap_result_finish(res);

    free(cls);
    free(cd);
    free(cidx);
    free(cs);
    free(gidx);
    free(used);
    free(ious);
    free(order);
    free(fill);
    free(start);
    free(det_img);
    for (int v = 0; v < gt->nvideos; v++) {
        free(kf[v]);
        free(img_of[v]);
    }
    free(kf);
    free(nkf);
    free(img_of);
    free(img_first);
    free(img_count);
    free(kept);
    ov_gt_boxes_free(vb, gt->nvideos);
    if (st) *st = s;
    return 0;
}
