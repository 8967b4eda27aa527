/* test_eval.c: the evaluators on small hand-made cases whose AP is worked out in the comments,
 * and on ground truth fed back as detections (every protocol must give exactly 100%):
 * IoU conventions, VOC and ACT average precision, TF vs ACT frame-mAP (used-flag vs
 * delete-on-match, the 10 px² rule), OpenMixer's and the online linker, tube interpolation and
 * spatio-temporal IoU, video-mAP, the AVA rules (top 50, excluded keys, keys without ground
 * truth), grounding metrics and the base/novel report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/ap.h"
#include "eval/ava.h"
#include "eval/box.h"
#include "eval/csv.h"
#include "eval/frame_map.h"
#include "eval/grounding.h"
#include "eval/link.h"
#include "eval/report.h"
#include "eval/util.h"
#include "eval/video_map.h"
#include "tensor/error.h"
#include "tests/check_util.h"

#define NEAR(a, b, tol) ck_assert_msg(fabs((a) - (b)) <= (tol), "%s = %.17g, expected %.17g", #a, (double)(a), (double)(b))

static ovBox B(double x1, double y1, double x2, double y2) { return (ovBox){x1, y1, x2, y2}; }

static void det(ovDetections *d, int video, int frame, int label, double score, ovBox box) {
    ov_dets_add(d, (ovDetection){video, frame, label, score, box});
}

START_TEST(test_iou_conventions) {
    /* [0,0,9,9] vs [5,0,14,9]: no +1: inter 4*9 = 36, areas 81 -> 36/126; +1: 5*10 = 50, areas 100 -> 50/150 */
    NEAR(ov_iou(B(0, 0, 9, 9), B(5, 0, 14, 9)), 36.0 / 126, 1e-15);
    NEAR(ov_iou1(B(0, 0, 9, 9), B(5, 0, 14, 9)), 50.0 / 150, 1e-15);
    NEAR(ov_iou(B(0, 0, 10, 10), B(20, 20, 30, 30)), 0, 0);
    NEAR(ov_iou1(B(0, 0, 9, 9), B(10, 0, 19, 9)), 0, 0); /* touching pixel columns do not overlap */
    NEAR(ov_iou1(B(0, 0, 9, 9), B(9, 0, 18, 9)), 10.0 / 190, 1e-15);
}
END_TEST

START_TEST(test_ap_formulas) {
    /* ranked TP FP TP FP FP, 3 positives: P = 1, 1/2, 2/3, 1/2, 2/5; R = 1/3, 1/3, 2/3, 2/3, 2/3.
     * VOC: the envelope is 1 up to R = 1/3 and 2/3 up to R = 2/3, so AP = 1/3 * 1 + 1/3 * 2/3 = 5/9.
     * ACT trapezoid from (P, R) = (1, 0): 1/3 * (1 + 1)/2 + 1/3 * (1/2 + 2/3)/2 = 1/3 + 7/36 = 19/36. */
    const bool tp[] = {true, false, true, false, false};
    NEAR(ov_ap_voc(tp, 5, 3), 5.0 / 9, 1e-15);
    NEAR(ov_ap_act(tp, 5, 3), 19.0 / 36, 1e-7); /* float32 arithmetic, as ACT */
    /* no detections: 0; all true positives: 1 */
    NEAR(ov_ap_voc(tp, 0, 3), 0, 0);
    NEAR(ov_ap_act(tp, 0, 3), 0, 0);
    const bool all[] = {true, true};
    NEAR(ov_ap_voc(all, 2, 2), 1, 0);
    NEAR(ov_ap_act(all, 2, 2), 1, 0);
}
END_TEST

START_TEST(test_numpy_sum_order) {
    /* np.float32 sums: 1 + 8192 ones of 2^-24 in chunks: each 8192-chunk sums exactly, then adding
     * 2^-11 to 1 is exact too; a sequential float sum would lose every 2^-24 term */
    int n = 8193;
    float *a = malloc(n * sizeof *a);
    a[0] = 1;
    for (int i = 1; i < n; i++) a[i] = 1.0f / 16777216.0f;
    float s = ov_np_sum_f32(a, n);
    float seq = 0;
    for (int i = 0; i < n; i++) seq += a[i];
    ck_assert(seq == 1.0f);
    ck_assert_msg(s > 1.0f, "pairwise sum %.9g", s);
    free(a);
}
END_TEST

/* Ground truth of the frame-mAP hand case (class A = 0, B = 1):
 *   video v (nframes 2, 320x240): frame 1 g1 = [0,0,10,10], g2 = [2,0,12,10]; frame 2 g3 = [0,0,10,10]
 *   video w: frame 1 one box [0,0,2,3] (6 px², under 10: TF leaves the frame out)
 * Detections of A: d1 f1 [0,0,10,10] .9; d2 f1 [0.5,0,10.5,10] .8; d3 f2 [0,0,10,10] .7;
 *   d4 f1 [2,0,12,10] .6; on w: dt [0,0,2,3] .95. One detection of B (no ground truth). */
static void frame_case(ovGroundTruth *gt, ovDetections *d) {
    ov_gt_init(gt);
    ov_gt_add_label(gt, "A");
    ov_gt_add_label(gt, "B");
    int v = ov_gt_add_video(gt, "v", 2, 320, 240), w = ov_gt_add_video(gt, "w", 1, 320, 240);
    int f12[] = {1, 2}, f1[] = {1};
    ovBox t1[] = {B(0, 0, 10, 10), B(0, 0, 10, 10)}, t2[] = {B(2, 0, 12, 10)}, t3[] = {B(0, 0, 2, 3)};
    ck_assert(ov_gt_add_tube(gt, v, 0, 2, f12, t1));
    ck_assert(ov_gt_add_tube(gt, v, 0, 1, f1, t2));
    ck_assert(ov_gt_add_tube(gt, w, 0, 1, f1, t3));
    memset(d, 0, sizeof *d);
    det(d, v, 1, 0, 0.9, B(0, 0, 10, 10));
    det(d, v, 1, 0, 0.8, B(0.5, 0, 10.5, 10));
    det(d, v, 2, 0, 0.7, B(0, 0, 10, 10));
    det(d, v, 1, 0, 0.6, B(2, 0, 12, 10));
    det(d, w, 1, 0, 0.95, B(0, 0, 2, 3));
    det(d, v, 2, 1, 0.5, B(0, 0, 10, 10));
}

START_TEST(test_frame_map_tf_vs_act) {
    ovGroundTruth gt;
    ovDetections d;
    frame_case(&gt, &d);
    ovApResult r;
    ovFrameStats s;
    /* TF: w's only box is 6 px² -> frame dropped, dt ignored; 3 positives.
     * d1 TP (g1); d2 best IoU g1 (95/105 vs g2 85/115) but g1 is used -> FP; d3 TP (g3);
     * d4 best g2 (IoU 1) -> TP. Ranked TP FP TP TP: P 1, 1/2, 2/3, 3/4; R 1/3, 1/3, 2/3, 1;
     * envelope 1, 3/4, 3/4 -> AP = 1/3 + 1/3 * 3/4 + 1/3 * 3/4 = 5/6. B has no ground truth: NaN. */
    ovFrameTfOpts o = ov_frame_tf_defaults();
    ck_assert(ov_frame_map_tf(&gt, &d, &o, &r, &s) == 0);
    NEAR(r.ap[0], 5.0 / 6, 1e-15);
    ck_assert(isnan(r.ap[1]));
    NEAR(r.mean, 5.0 / 6, 1e-15);
    ck_assert_int_eq(r.npos[0], 3);
    ck_assert_int_eq(s.images, 2);
    ck_assert_int_eq(s.excluded_frames, 1);
    ck_assert_int_eq(s.dropped_boxes, 1);
    ck_assert_int_eq(s.ignored, 1);
    ov_ap_result_free(&r);
    /* min_area 0 keeps w: dt (.95) ranks first and matches: TP TP FP TP TP of 4:
     * P 1, 1, 2/3, 3/4, 4/5; envelope 1 to R = 1/2, then 4/5 -> AP = 1/2 + 1/2 * 4/5 = 9/10 */
    o.min_area = 0;
    ck_assert(ov_frame_map_tf(&gt, &d, &o, &r, &s) == 0);
    NEAR(r.ap[0], 0.9, 1e-15);
    ov_ap_result_free(&r);
    /* ACT: every frame; dt TP; d1 TP deletes g1; d2 then matches g2 (+1 IoU 104.5/137.5) and
     * deletes it; d3 TP; d4 finds nothing left on frame 1 -> FP. TP TP TP TP FP of 4:
     * trapezoid 4 * 1/4 * (1 + 1)/2 + 0 = 1. */
    ck_assert(ov_frame_map_act(&gt, &d, 0.5, &r, &s) == 0);
    NEAR(r.ap[0], 1, 1e-7);
    ck_assert(isnan(r.ap[1]));
    ov_ap_result_free(&r);
    /* keyframes: only frame 2 of v evaluated (TF): d3 TP, d1/d2/d4 ignored: AP 1 over 1 positive */
    int k2[] = {2};
    ov_gt_set_keyframes(&gt, 0, 1, k2);
    o.min_area = 10;
    ck_assert(ov_frame_map_tf(&gt, &d, &o, &r, &s) == 0);
    NEAR(r.ap[0], 1, 0);
    ck_assert_int_eq(r.npos[0], 1);
    ck_assert_int_eq(s.ignored, 4);
    ov_ap_result_free(&r);
    /* a detection naming a missing class is an error, not a crash */
    d.d[0].label = 7;
    ck_assert(ov_frame_map_act(&gt, &d, 0.5, &r, NULL) == -1);
    ck_assert_msg(strstr(ov_last_error(), "class index 7"), "%s", ov_last_error());
    ov_ap_result_free(&r);
    ov_dets_free(&d);
    ov_gt_free(&gt);
}
END_TEST

START_TEST(test_openmixer_area_rule) {
    /* Two boxes of exactly 10 px² in a 320x240 frame: OpenMixer's float32 normalisation makes
     * [0,0,2,5] 10.00000044703484 (kept) and [10,20,12,25] 9.999999999999432 (dropped); a box of
     * 9.99 px² goes, one of 12 stays. */
    ovGroundTruth gt;
    ov_gt_init(&gt);
    ov_gt_add_label(&gt, "A");
    int v = ov_gt_add_video(&gt, "v", 4, 320, 240);
    int f[] = {1, 2, 3, 4};
    ovBox b[] = {B(0, 0, 2, 5), B(10, 20, 12, 25), B(10, 20, 12, 24.995), B(10, 20, 13, 24)};
    for (int i = 0; i < 4; i++) ov_gt_add_tube(&gt, v, 0, 1, &f[i], &b[i]);
    ovDetections d = {0};
    ovApResult r;
    ovFrameStats s;
    ovFrameTfOpts o = ov_frame_tf_defaults();
    ck_assert(ov_frame_map_tf(&gt, &d, &o, &r, &s) == 0);
    ck_assert_int_eq(s.images, 2);
    ck_assert_int_eq(s.dropped_boxes, 2);
    ck_assert_int_eq(r.npos[0], 2);
    NEAR(r.ap[0], 0, 0); /* ground truth, no detections */
    ov_ap_result_free(&r);
    ov_gt_free(&gt);
}
END_TEST

START_TEST(test_openmixer_linking) {
    /* one video, class A. f1: a [0,0,10,10] .9, b [50,50,60,60] .5; f2: c [50,50,60,60] .8,
     * d [0,0,10,10] .6; f3: e [50,50,60,60] .7. OpenMixer links by rank, not by IoU:
     * f1 starts T1 = a, T2 = b; f2: c joins the first tube ending at frame 1 (T1) which moves
     * to the end; d joins T2; f3: e joins the first tube ending at frame 2, T1 again.
     * T1 = a c e, score (.9 + .8 + .7)/3 = .8; T2 = b d, (.5 + .6)/2 = .55. Boxes rounded half
     * to even: 2.5 -> 2, 3.5 -> 4. */
    ovGroundTruth gt;
    ov_gt_init(&gt);
    ov_gt_add_label(&gt, "A");
    ov_gt_add_label(&gt, "B");
    ov_gt_add_video(&gt, "v", 3, 100, 100);
    ovDetections d = {0};
    det(&d, 0, 2, 0, 0.8, B(50, 50, 60, 60)); /* file order need not be frame order */
    det(&d, 0, 1, 0, 0.9, B(2.5, 3.5, 10, 10));
    det(&d, 0, 1, 0, 0.5, B(50, 50, 60, 60));
    det(&d, 0, 2, 0, 0.6, B(0, 0, 10, 10));
    det(&d, 0, 3, 0, 0.7, B(50, 50, 60, 60));
    det(&d, 0, 3, 1, 0.3, B(0, 0, 10, 10));
    ovTubes t = {0};
    ck_assert(ov_link_openmixer(&gt, &d, 1, true, &t) == 0);
    ck_assert_int_eq(t.n, 3);
    const ovTube *t1 = &t.t[0], *t2 = &t.t[1];
    if (t1->n != 3) {
        const ovTube *x = t1;
        t1 = t2;
        t2 = x;
    }
    ck_assert_int_eq(t1->n, 3);
    ck_assert_int_eq(t2->n, 2);
    NEAR(t1->score, (0.9 + 0.8 + 0.7) / 3, 1e-15);
    NEAR(t2->score, (0.5 + 0.6) / 2, 1e-15);
    NEAR(t1->boxes[0].x1, 2, 0);
    NEAR(t1->boxes[0].y1, 4, 0);
    NEAR(t1->boxes[1].x1, 50, 0); /* c, far from a */
    ck_assert_int_eq(t.t[2].label, 1);
    ov_tubes_free(&t);
    /* at anno_rate 2 only frame 1 -> 3 links: a (the first tube ending at 1) takes e; b, c, d
     * stay alone; B's detection is a tube of its own */
    ck_assert(ov_link_openmixer(&gt, &d, 2, true, &t) == 0);
    ck_assert_int_eq(t.n, 5);
    ov_tubes_free(&t);
    ov_dets_free(&d);
    ov_gt_free(&gt);
}
END_TEST

START_TEST(test_online_linking) {
    /* MOC preset, K = 1, no length/score filter: f1: a [0,0,10,10] .9 and a' [1,0,11,10] .6,
     * whose +1 IoU with a is 110/132 > 0.6: soft NMS keeps it at .6 * (1 - 110/132);
     * f2: b [0,0,10,10] .5 and c [50,50,60,60] .8; f3: d [50,50,60,60] .7.
     * f1 starts T1 = a, T2 = a'. f2: T1 takes b (IoU 1), T2 finds nothing (a' vs c: 0) and is
     * finished (offset 1 >= K), c starts T3. f3: T3 (mean .8) before T1 (.7) takes d; T1 finds
     * nothing and is finished. Output: the finished in order (T2, T1), then the current (T3). */
    ovLinkParams p = ov_link_params_moc(1);
    p.min_length = 1;
    p.min_score = 0;
    ovBox f1b[] = {B(0, 0, 10, 10), B(1, 0, 11, 10)}, f2b[] = {B(0, 0, 10, 10), B(50, 50, 60, 60)},
          f3b[] = {B(50, 50, 60, 60)};
    double f1s[] = {0.9, 0.6}, f2s[] = {0.5, 0.8}, f3s[] = {0.7};
    ovTubeletsAt at[] = {{2, f1b, f1s}, {2, f2b, f2s}, {1, f3b, f3s}};
    ovTubes t = {0};
    ov_link_online(&p, 0, 0, 3, at, &t);
    ck_assert_int_eq(t.n, 3);
    NEAR(t.t[0].score, 0.6 * (1 - 110.0 / 132), 1e-12);
    ck_assert_int_eq(t.t[0].n, 1);
    NEAR(t.t[1].score, 0.7, 1e-15); /* T1: a b */
    ck_assert_int_eq(t.t[1].frames[0], 1);
    ck_assert_int_eq(t.t[1].n, 2);
    NEAR(t.t[2].score, 0.75, 1e-15); /* T3: c d */
    ck_assert_int_eq(t.t[2].frames[0], 2);
    ov_tubes_free(&t);
    /* ACT preset: hard NMS drops a'; link IoU 0.2; a tube survives 4 unmatched frames */
    p = ov_link_params_act(1);
    p.min_length = 1;
    p.min_score = 0;
    ov_link_online(&p, 0, 0, 3, at, &t);
    ck_assert_int_eq(t.n, 2);
    ov_tubes_free(&t);
    /* a gap: ACT keeps T1 through frame 2 (offset < 5) and extends it at frame 3; the missing
     * frame 2 is filled halfway between its neighbours */
    ovBox g1[] = {B(0, 0, 10, 10)}, g3[] = {B(2, 0, 12, 10)};
    double s1[] = {0.9}, s3[] = {0.5};
    ovTubeletsAt gap[] = {{1, g1, s1}, {0, NULL, NULL}, {1, g3, s3}};
    ov_link_online(&p, 0, 0, 3, gap, &t);
    ck_assert_int_eq(t.n, 1);
    ck_assert_int_eq(t.t[0].n, 3);
    NEAR(t.t[0].boxes[1].x1, 1, 1e-12);
    NEAR(t.t[0].frame_scores[1], 0.7, 1e-7);
    NEAR(t.t[0].score, 0.7, 1e-15);
    ov_tubes_free(&t);
}
END_TEST

START_TEST(test_tube_iou_and_interpolation) {
    int f10[10], f5[5];
    ovBox b10[10], b5[5];
    for (int i = 0; i < 10; i++) {
        f10[i] = i + 1;
        b10[i] = B(0, 0, 10, 10);
    }
    for (int i = 0; i < 5; i++) {
        f5[i] = i + 3;
        b5[i] = B(0, 0, 10, 10);
    }
    /* frames 1..10 vs 3..7, same boxes: ACT (7-3+1)/(10-1+1) = 1/2; OpenMixer (7-3)/(10-1) = 4/9 */
    NEAR(ov_tube_iou_act(10, f10, b10, 5, f5, b5), 0.5, 1e-15);
    NEAR(ov_tube_iou_voc(10, f10, b10, 5, f5, b5), 4.0 / 9, 1e-15);
    /* disjoint in time: 0 */
    int f2[] = {20, 21};
    NEAR(ov_tube_iou_act(10, f10, b10, 2, f2, b10), 0, 0);
    /* interpolation of a stride-5 tube: frames 1, 6 with x1 0 -> 5: 0, 1, 2, 3, 4, 5 */
    int fk[] = {1, 6};
    ovBox bk[] = {B(0, 0, 10, 10), B(5, 0, 15, 10)};
    int *fo;
    ovBox *bo;
    int n = ov_tube_interpolate(2, fk, bk, &fo, &bo);
    ck_assert_int_eq(n, 6);
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(fo[i], i + 1);
        NEAR(bo[i].x1, i, 1e-6);
        NEAR(bo[i].x2, 10 + i, 1e-6);
    }
    free(fo);
    free(bo);
}
END_TEST

/* Video-mAP hand case. Ground truth (class A): v1 frames 1..10 and v2 frames 1..5, box
 * [0,0,10,10]. Tubes: t1 v1 1..10 .9 (IoU 1); t2 v1 1..5 .8; t3 v2 2..5 .7.
 * OpenMixer: t1 TP; t2 would match v1's tube (4/9) but it is used -> FP; t3: (5-2)/(5-1) = 3/4.
 *   At 0.5: TP FP TP of 2: envelope 1 to R 1/2, then 2/3 -> AP = 1/2 + 1/2 * 2/3 = 5/6.
 *   At 0.8: t3 fails: TP FP FP -> AP 1/2.
 * ACT: t1 TP deletes v1's tube; t2 finds none -> FP; t3: (5-2+1)/(5-1+1) = 4/5.
 *   At 0.5: TP FP TP: 1/2 * 1 + 1/2 * (1/2 + 2/3)/2 = 19/24.
 *   At 0.8000000000000002 (0.5 + 0.05 * 6): 4/5 passes in float32 as in the references: 19/24. */
START_TEST(test_video_map_hand) {
    ovGroundTruth gt;
    ov_gt_init(&gt);
    ov_gt_add_label(&gt, "A");
    ov_gt_add_video(&gt, "v1", 10, 100, 100);
    ov_gt_add_video(&gt, "v2", 5, 100, 100);
    int f[10];
    ovBox b[10];
    for (int i = 0; i < 10; i++) {
        f[i] = i + 1;
        b[i] = B(0, 0, 10, 10);
    }
    ov_gt_add_tube(&gt, 0, 0, 10, f, b);
    ov_gt_add_tube(&gt, 1, 0, 5, f, b);
    ovTubes t = {0};
    ovTube *x = ov_tubes_add(&t, 0, 0, 0.9, 10);
    for (int i = 0; i < 10; i++) x->frames[i] = i + 1, x->boxes[i] = b[i];
    x = ov_tubes_add(&t, 0, 0, 0.8, 5);
    for (int i = 0; i < 5; i++) x->frames[i] = i + 1, x->boxes[i] = b[i];
    x = ov_tubes_add(&t, 1, 0, 0.7, 4);
    for (int i = 0; i < 4; i++) x->frames[i] = i + 2, x->boxes[i] = b[i];
    double thr[] = {0.5, 0.5 + 0.05 * 6};
    ovApResult r[2];
    ovVideoMapOpts o = ov_video_map_defaults(OV_VIDEO_OPENMIXER);
    ck_assert(ov_video_map(&gt, &t, &o, 2, thr, r) == 0);
    NEAR(r[0].ap[0], 5.0 / 6, 1e-15);
    NEAR(r[1].ap[0], 0.5, 1e-15);
    ov_ap_result_free(&r[0]);
    ov_ap_result_free(&r[1]);
    o = ov_video_map_defaults(OV_VIDEO_ACT);
    o.nms3d = 0; /* t2 lies inside t1 (IoU 1/2 > 0.3): 3D NMS would remove it */
    ck_assert(ov_video_map(&gt, &t, &o, 2, thr, r) == 0);
    NEAR(r[0].ap[0], 19.0 / 24, 1e-7);
    NEAR(r[1].ap[0], 19.0 / 24, 1e-7);
    ov_ap_result_free(&r[0]);
    ov_ap_result_free(&r[1]);
    /* with ACT's 3D NMS, t2 goes: TP TP of 2 -> 1 */
    o.nms3d = 0.3;
    ck_assert(ov_video_map(&gt, &t, &o, 1, thr, r) == 0);
    NEAR(r[0].ap[0], 1, 0);
    ov_ap_result_free(&r[0]);
    ov_tubes_free(&t);
    ov_gt_free(&gt);
}
END_TEST

/* AVA: one video, seconds 902..905, classes A, B. 902: a box of A; 903: a box of A, but
 * excluded; 904: no ground truth; 905: a box of B.
 * Detections: 902: 60 wrong boxes of A scored .5..1 and the right box of A at .1 (the 61st: cut
 * by the top 50); 903: the right box (excluded: ignored); 904: one box of A at .05 (a key without
 * ground truth: FP in the v2.2 evaluator); 905: B's box at .3, and an invalid box (x2 < x1).
 * A: positives 1; its kept detections are 50 FPs (+ the 904 FP) -> AP 0.
 * B: TP -> AP 1. mAP 1/2. Without the cap A's right box ranks 61st: AP 1/61. */
START_TEST(test_ava_rules) {
    ovGroundTruth gt;
    ov_gt_init(&gt);
    ov_gt_add_label(&gt, "A");
    ov_gt_add_label(&gt, "B");
    ov_gt_add_video(&gt, "vid", 0, 0, 0);
    int s902[] = {902}, s903[] = {903}, s905[] = {905};
    ovBox box[] = {B(0.1, 0.1, 0.5, 0.9)};
    ov_gt_add_tube(&gt, 0, 0, 1, s902, box);
    ov_gt_add_tube(&gt, 0, 0, 1, s903, box);
    ov_gt_add_tube(&gt, 0, 1, 1, s905, box);
    ov_gt_set_excluded(&gt, 0, 1, s903);
    ovDetections d = {0};
    for (int i = 0; i < 60; i++) det(&d, 0, 902, 0, 0.5 + i / 120.0, B(0.6, 0.1, 0.9, 0.5));
    det(&d, 0, 902, 0, 0.1, box[0]);
    det(&d, 0, 903, 0, 0.99, box[0]);
    det(&d, 0, 904, 0, 0.05, box[0]);
    det(&d, 0, 905, 1, 0.3, box[0]);
    det(&d, 0, 905, 1, 0.2, B(0.5, 0.1, 0.4, 0.9));
    ovApResult r;
    ovAvaStats s;
    ovAvaOpts o = ov_ava_defaults();
    ck_assert(ov_ava_frame_ap(&gt, &d, &o, &r, &s) == 0);
    NEAR(r.ap[0], 0, 0);
    NEAR(r.ap[1], 1, 0);
    NEAR(r.mean, 0.5, 0);
    ck_assert_int_eq(r.npos[0], 1);
    ck_assert_int_eq(s.images, 2);
    ck_assert_int_eq(s.capped, 11);
    ck_assert_int_eq(s.ignored, 1);
    ck_assert_int_eq(s.invalid, 1);
    ov_ap_result_free(&r);
    o.top_k = 0;
    ck_assert(ov_ava_frame_ap(&gt, &d, &o, &r, &s) == 0);
    NEAR(r.ap[0], 1.0 / 61, 1e-15); /* the right box ranks 61st of 62 (the 904 FP is lower) */
    ov_ap_result_free(&r);
    o.top_k = 50;
    o.ignore_unknown_keys = true;
    ck_assert(ov_ava_frame_ap(&gt, &d, &o, &r, &s) == 0);
    ck_assert_int_eq(s.ignored, 2);
    ov_ap_result_free(&r);
    ov_dets_free(&d);
    ov_gt_free(&gt);
}
END_TEST

START_TEST(test_grounding) {
    /* ground truth [10, 20), prediction [15, 25), boxes equal: tIoU = 5 / 15; every frame
     * evaluated: vIoU = 5 frames of IoU 1 over the 15 of the union = 1/3; every other frame
     * (10, 12, ..., 24): S_i = {16, 18}, S_u has 8 -> 1/4; gt_vIoU 1 */
    int fr[15], even[8];
    ovBox bx[15];
    for (int i = 0; i < 15; i++) {
        fr[i] = 10 + i;
        bx[i] = B(0, 0, 10, 10);
    }
    for (int i = 0; i < 8; i++) even[i] = 10 + 2 * i;
    ovGroundingSample s[2] = {{10, 20, 15, 25, 15, fr, bx, bx}, {10, 20, 15, 25, 8, even, bx, bx}};
    ovGroundingScore per[2];
    ovGroundingResult r = ov_grounding_eval(s, 2, per);
    NEAR(per[0].tiou, 1.0 / 3, 1e-15);
    NEAR(per[0].viou, 1.0 / 3, 1e-15);
    NEAR(per[1].viou, 0.25, 1e-15);
    NEAR(per[0].gt_viou, 1, 0);
    NEAR(r.m_tiou, 1.0 / 3, 1e-15);
    NEAR(r.m_viou, (1.0 / 3 + 0.25) / 2, 1e-15);
    NEAR(r.viou_03, 0.5, 0); /* 1/3 > 0.3, 1/4 is not */
    NEAR(r.viou_05, 0, 0);
    /* the ground truth fed back: 1 everywhere */
    ovGroundingSample same = {10, 20, 10, 20, 15, fr, bx, bx};
    ovGroundingResult one = ov_grounding_eval(&same, 1, NULL);
    ck_assert(one.m_tiou == 1 && one.m_viou == 1 && one.m_gt_viou == 1 && one.viou_05 == 1);
    /* disjoint segments: tIoU 0, vIoU 0; a half-overlapping box: IoU 1/3 */
    ovBox half[15];
    for (int i = 0; i < 15; i++) half[i] = B(5, 0, 15, 10);
    ovGroundingSample t = {10, 20, 30, 40, 15, fr, bx, half};
    ovGroundingScore g = ov_grounding_score(&t);
    NEAR(g.tiou, 0, 0);
    NEAR(g.viou, 0, 0);
    NEAR(g.gt_viou, 1.0 / 3, 1e-15);
}
END_TEST

START_TEST(test_report_means) {
    ovGroundTruth gt;
    ov_gt_init(&gt);
    ov_gt_add_label(&gt, "walk");
    ov_gt_add_label(&gt, "run");
    ov_gt_add_label(&gt, "jump");
    ov_gt_add_label(&gt, "sit");
    ovApResult r;
    ov_ap_result_init(&r, 4);
    r.ap[0] = 0.5;
    r.ap[1] = 0.25;
    r.ap[2] = 1.0; /* sit: NaN */
    ov_ap_result_finish(&r);
    NEAR(r.mean, 1.75 / 3, 1e-15);
    ovClassSet base, novel;
    ck_assert(ov_class_set_parse(&gt, " walk, jump ,walk", &base) == 0);
    ck_assert_int_eq(base.n, 2);
    ov_class_set_complement(&gt, &base, &novel);
    ck_assert_int_eq(novel.n, 2);
    NEAR(ov_ap_mean_of(&r, &base), 0.75, 1e-15);
    NEAR(ov_ap_mean_of(&r, &novel), 0.25, 1e-15);
    ovClassSet bad;
    ck_assert(ov_class_set_parse(&gt, "walk,fly", &bad) == -1);
    ck_assert_msg(strstr(ov_last_error(), "unknown class 'fly'"), "%s", ov_last_error());
    /* @file with comments */
    char path[] = "/tmp/ovad-eval-classes-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# base classes\nrun\n\n sit \r\n", f);
    fclose(f);
    char spec[64];
    snprintf(spec, sizeof spec, "@%s", path);
    ovClassSet fromfile;
    ck_assert_msg(ov_class_set_parse(&gt, spec, &fromfile) == 0, "%s", ov_last_error());
    ck_assert_int_eq(fromfile.n, 2);
    ck_assert_int_eq(fromfile.ids[0], 1);
    ck_assert_int_eq(fromfile.ids[1], 3);
    NEAR(ov_ap_mean_of(&r, &fromfile), 0.25, 1e-15);
    remove(path);
    char *buf;
    size_t len;
    FILE *m = open_memstream(&buf, &len);
    ov_report_table(m, &gt, &r);
    ov_report_means(m, "frame-mAP@0.5", &r, &base, &novel);
    fclose(m);
    ck_assert_msg(strstr(buf, "walk"), "%s", buf);
    ck_assert_msg(strstr(buf, "frame-mAP@0.5: 58.3333\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "frame-mAP@0.5 base: 75.0000\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "frame-mAP@0.5 novel: 25.0000\n"), "%s", buf);
    free(buf);
    ov_class_set_free(&base);
    ov_class_set_free(&novel);
    ov_class_set_free(&fromfile);
    ov_ap_result_free(&r);
    ov_gt_free(&gt);
}
END_TEST

/* ---- ground truth fed back as detections ---- */

/* Videos with one or two tubes of 21+ frames (of two classes, boxes far apart), boxes moving a
 * pixel or so per frame (linearly when `linear`, so that OpenMixer's interpolation between
 * keyframes 5 frames apart gives them back exactly). */
static void feedback_gt(ovGroundTruth *gt, bool linear) {
    ov_gt_init(gt);
    const char *labels[] = {"wave", "clap", "jump"};
    for (int i = 0; i < 3; i++) ov_gt_add_label(gt, labels[i]);
    for (int v = 0; v < 6; v++) {
        char name[32];
        snprintf(name, sizeof name, "video%d", v);
        int n = 21 + 5 * v; /* frames 1..n */
        ov_gt_add_video(gt, name, n, 320, 240);
        int f[64];
        ovBox b[64];
        for (int i = 0; i < n; i++) {
            f[i] = i + 1;
            double x = linear ? 10 + i : 10 + (i % 3);
            b[i] = B(x, 20, x + 40 + v, 120);
        }
        ov_gt_add_tube(gt, v, v % 3, n, f, b);
        if (v % 2) { /* a second tube of another class, far to the right */
            for (int i = 0; i < n; i++) b[i] = B(200 + (linear ? 0 : i % 2), 30, 260, 200);
            ov_gt_add_tube(gt, v, (v + 1) % 3, n, f, b);
        }
    }
}

static void feedback_dets(const ovGroundTruth *gt, ovDetections *d, int rate) {
    memset(d, 0, sizeof *d);
    for (int v = 0; v < gt->nvideos; v++)
        for (int t = 0; t < gt->videos[v].ntubes; t++) {
            const ovGtTube *u = &gt->videos[v].tubes[t];
            for (int i = 0; i < u->n; i += rate) det(d, v, u->frames[i], u->label, 1.0, u->boxes[i]);
        }
}

static void expect_all(const ovApResult *r, const char *what) {
    for (int c = 0; c < r->nlabels; c++)
        ck_assert_msg(r->ap[c] == 1.0, "%s: class %d AP %.17g", what, c, r->ap[c]);
    ck_assert_msg(r->mean == 1.0, "%s: mean %.17g", what, r->mean);
}

START_TEST(test_ground_truth_gives_100) {
    ovGroundTruth gt;
    ovDetections d;
    ovApResult r, rv[OV_VIDEO_NTHR];
    double thr[OV_VIDEO_NTHR];
    ov_video_thresholds(thr);
    for (int rate = 1; rate <= 5; rate += 4) {
        feedback_gt(&gt, rate == 5);
        feedback_dets(&gt, &d, rate);
        /* frame-mAP: TF on the keyframes (every rate-th frame), ACT on every frame (rate 1) */
        ov_gt_default_keyframes(&gt, rate);
        ovFrameTfOpts o = ov_frame_tf_defaults();
        ck_assert(ov_frame_map_tf(&gt, &d, &o, &r, NULL) == 0);
        expect_all(&r, "frame tf");
        ov_ap_result_free(&r);
        if (rate == 1) {
            ck_assert(ov_frame_map_act(&gt, &d, 0.5, &r, NULL) == 0);
            expect_all(&r, "frame act");
            ov_ap_result_free(&r);
            ovAvaOpts ao = ov_ava_defaults();
            ck_assert(ov_ava_frame_ap(&gt, &d, &ao, &r, NULL) == 0);
            expect_all(&r, "ava");
            ov_ap_result_free(&r);
        }
        /* video-mAP: OpenMixer's linking at the rate (interpolated back to every frame) */
        ovTubes t = {0};
        ck_assert(ov_link_openmixer(&gt, &d, rate, true, &t) == 0);
        ovVideoMapOpts vo = ov_video_map_defaults(OV_VIDEO_OPENMIXER);
        vo.anno_rate = rate;
        ck_assert(ov_video_map(&gt, &t, &vo, OV_VIDEO_NTHR, thr, rv) == 0);
        for (int i = 0; i < OV_VIDEO_NTHR; i++) {
            expect_all(&rv[i], "video openmixer");
            ov_ap_result_free(&rv[i]);
        }
        ov_tubes_free(&t);
        if (rate == 1) { /* the online linkers and ACT's video-mAP */
            for (int preset = 0; preset < 2; preset++) {
                ovLinkParams p = preset ? ov_link_params_act(1) : ov_link_params_moc(1);
                ck_assert(ov_link_online_dets(&gt, &d, &p, &t) == 0);
                ovVideoMapOpts ao = ov_video_map_defaults(OV_VIDEO_ACT);
                ck_assert(ov_video_map(&gt, &t, &ao, OV_VIDEO_NTHR, thr, rv) == 0);
                for (int i = 0; i < OV_VIDEO_NTHR; i++) {
                    expect_all(&rv[i], preset ? "video act" : "video moc");
                    ov_ap_result_free(&rv[i]);
                }
                ov_tubes_free(&t);
            }
        }
        ov_dets_free(&d);
        ov_gt_free(&gt);
    }
}
END_TEST

START_TEST(test_gt_csv_roundtrip) {
    ovGroundTruth gt, back;
    feedback_gt(&gt, false);
    int k[] = {3, 1, 3};
    ov_gt_set_keyframes(&gt, 1, 3, k);
    ov_gt_set_excluded(&gt, 2, 3, k);
    ck_assert_int_eq(gt.videos[1].nkeyframes, 2); /* sorted, deduplicated */
    char path[] = "/tmp/ovad-eval-gt-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    ck_assert(ov_gt_write_csv(path, &gt) == 0);
    ck_assert_msg(ov_gt_read_csv(path, 0, &back) == 0, "%s", ov_last_error());
    ck_assert_int_eq(back.nvideos, gt.nvideos);
    ck_assert_int_eq(back.nlabels, gt.nlabels);
    ck_assert_int_eq(ov_gt_count_boxes(&back), ov_gt_count_boxes(&gt));
    for (int v = 0; v < gt.nvideos; v++) {
        ck_assert_int_eq(back.videos[v].ntubes, gt.videos[v].ntubes);
        ck_assert_int_eq(back.videos[v].nframes, gt.videos[v].nframes);
        for (int t = 0; t < gt.videos[v].ntubes; t++) {
            ck_assert_int_eq(back.videos[v].tubes[t].label, gt.videos[v].tubes[t].label);
            ck_assert(!memcmp(back.videos[v].tubes[t].boxes, gt.videos[v].tubes[t].boxes,
                              gt.videos[v].tubes[t].n * sizeof(ovBox)));
        }
    }
    ck_assert_int_eq(back.videos[1].nkeyframes, 2);
    ck_assert_int_eq(back.videos[2].nexcluded, 2);
    /* --split without test records */
    ovGroundTruth s;
    ck_assert(ov_gt_read_csv(path, 1, &s) == -1);
    ck_assert_msg(strstr(ov_last_error(), "no test splits"), "%s", ov_last_error());
    remove(path);
    ov_gt_free(&back);
    ov_gt_free(&gt);
}
END_TEST

int main(void) {
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("eval");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_iou_conventions);
    tcase_add_test(tc, test_ap_formulas);
    tcase_add_test(tc, test_numpy_sum_order);
    tcase_add_test(tc, test_frame_map_tf_vs_act);
    tcase_add_test(tc, test_openmixer_area_rule);
    tcase_add_test(tc, test_openmixer_linking);
    tcase_add_test(tc, test_online_linking);
    tcase_add_test(tc, test_tube_iou_and_interpolation);
    tcase_add_test(tc, test_video_map_hand);
    tcase_add_test(tc, test_ava_rules);
    tcase_add_test(tc, test_grounding);
    tcase_add_test(tc, test_report_means);
    tcase_add_test(tc, test_ground_truth_gives_100);
    tcase_add_test(tc, test_gt_csv_roundtrip);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
