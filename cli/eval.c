/* eval.c: `ovad eval`: scores a detections CSV against a dataset's ground truth with frame-mAP
 * (TF/OpenMixer or ACT protocol, or the official AVA evaluator) or video-mAP (tubes linked the
 * OpenMixer way or by ACT/MOC's online linker), and prints per-class AP with the means over all,
 * base and novel classes. The evaluators live in eval/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "eval/ava.h"
#include "eval/csv.h"
#include "eval/frame_map.h"
#include "eval/link.h"
#include "eval/load.h"
#include "eval/report.h"
#include "eval/video_map.h"
#include "tensor/error.h"

static const char *usage_text =
    "usage: ovad eval --dataset jhmdb|ucf24|ava|generic --gt FILE [--split N] --dets FILE\n"
    "                 [--metric frame-map|video-map] [--protocol tf|act] [--iou T]\n"
    "                 [--linker openmixer|act|moc] [--base NAMES|@FILE] [--novel NAMES|@FILE]\n"
    "\n"
    "--dets   CSV with the header video,frame,x1,y1,x2,y2,label,score (label by class name,\n"
    "         pixels of the original frame, frames numbered as in the ground truth).\n"
    "--gt     ground truth: the dataset's own files (J-HMDB/UCF101-24: an ACT pickle such as\n"
    "         JHMDB-GT.pkl, UCF101-24's finalAnnots.mat or a YOWO folder with labels/; AVA: the\n"
    "         annotation CSV or its folder, with the label map and excluded timestamps beside\n"
    "         it) or ovad's ground-truth CSV (eval/csv.h); --split N keeps split N's test videos\n"
    "         (without --split every video is scored).\n"
    "--metric frame-map (default) or video-map.\n"
    "--protocol tf (default: TubeR/HIT/OpenMixer, TF object-detection Pascal AP on keyframes,\n"
    "         no +1, boxes under 10 px^2 dropped) or act (ACT/MOC: every frame, +1 IoU,\n"
    "         delete-on-match, trapezoid AP). --dataset ava always uses the official AVA evaluator\n"
    "         (top 50 per keyframe, excluded keys, nanmean over the classes with ground truth).\n"
    "--iou    matching threshold (default 0.5); video-map also prints 0.2, 0.5, 0.75 and 0.5:0.95.\n"
    "--linker video-map tubes: openmixer (default with tf: per-frame detections chained by rank,\n"
    "         every anno_rate frames: 5 for ucf24), moc (default with act) or act (online,\n"
    "         IoU-aware linking of ACT/MOC's BuildTubes on per-frame detections).\n"
    "--base / --novel  class lists for the base/novel means (the other classes when one is missing).\n";

static int usage(int rc) {
    fputs(usage_text, rc ? stderr : stdout);
    return rc;
}

typedef struct {
    const char *dataset, *gt, *dets, *metric, *protocol, *linker, *base, *novel;
    int split;
    double iou;
    bool iou_set;
} Args;

static int parse_args(int argc, char **argv, Args *a) {
    *a = (Args){.metric = "frame-map", .protocol = "tf", .iou = 0.5};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--help") || !strcmp(k, "-h")) return 1;
        if (i + 1 >= argc) {
            fprintf(stderr, "ovad eval: %s needs a value\n\n", k);
            return -1;
        }
        const char *v = argv[++i];
        if (!strcmp(k, "--dataset"))
            a->dataset = v;
        else if (!strcmp(k, "--gt"))
            a->gt = v;
        else if (!strcmp(k, "--dets"))
            a->dets = v;
        else if (!strcmp(k, "--metric"))
            a->metric = v;
        else if (!strcmp(k, "--protocol"))
            a->protocol = v;
        else if (!strcmp(k, "--linker"))
            a->linker = v;
        else if (!strcmp(k, "--base"))
            a->base = v;
        else if (!strcmp(k, "--novel"))
            a->novel = v;
        else if (!strcmp(k, "--split")) {
            long s = 0;
            if (ov_arg_long(k, v, 1, 1000, &s)) {
                fprintf(stderr, "ovad eval: %s\n", ov_last_error());
                return -1;
            }
            a->split = (int)s;
        } else if (!strcmp(k, "--iou")) {
            if (ov_arg_double(k, v, 1e-9, 1, &a->iou)) {
                fprintf(stderr, "ovad eval: %s\n", ov_last_error());
                return -1;
            }
            a->iou_set = true;
        } else {
            fprintf(stderr, "ovad eval: unknown option '%s'\n\n", k);
            return -1;
        }
    }
    if (!a->dataset || !a->gt || !a->dets) {
        fprintf(stderr, "ovad eval: --dataset, --gt and --dets are required\n\n");
        return -1;
    }
    if (strcmp(a->metric, "frame-map") && strcmp(a->metric, "video-map")) {
        fprintf(stderr, "ovad eval: --metric is frame-map or video-map, got '%s'\n", a->metric);
        return -1;
    }
    if (strcmp(a->protocol, "tf") && strcmp(a->protocol, "act")) {
        fprintf(stderr, "ovad eval: --protocol is tf or act, got '%s'\n", a->protocol);
        return -1;
    }
    if (a->linker && strcmp(a->linker, "openmixer") && strcmp(a->linker, "act") && strcmp(a->linker, "moc")) {
        fprintf(stderr, "ovad eval: --linker is openmixer, act or moc, got '%s'\n", a->linker);
        return -1;
    }
    return 0;
}

static void print_frame_stats(const ovFrameStats *s) {
    printf("images: %ld\n", s->images);
    printf("gt boxes: %ld\n", s->gt_boxes);
    if (s->excluded_frames) printf("excluded frames: %ld\n", s->excluded_frames);
    if (s->dropped_boxes) printf("dropped gt boxes (< 10 px^2): %ld\n", s->dropped_boxes);
    printf("scored detections: %ld\n", s->scored);
    if (s->ignored) printf("ignored detections (frames not evaluated): %ld\n", s->ignored);
    if (s->invalid) printf("invalid detections (x2 <= x1 or y2 <= y1): %ld\n", s->invalid);
}

static int video_map(const Args *a, const ovEvalDataset *ds, const ovGroundTruth *gt, const ovDetections *dets,
                     const ovClassSet *base, const ovClassSet *novel) {
    bool act = !strcmp(a->protocol, "act");
    const char *linker = a->linker ? a->linker : act ? "moc" : "openmixer";
    ovTubes tubes = {0};
    int rc;
    if (!strcmp(linker, "openmixer")) {
        rc = ov_link_openmixer(gt, dets, ds->anno_rate, true, &tubes);
    } else {
        ovLinkParams p = !strcmp(linker, "act") ? ov_link_params_act(1) : ov_link_params_moc(1);
        rc = ov_link_online_dets(gt, dets, &p, &tubes);
    }
    if (rc) {
        ov_tubes_free(&tubes);
        fprintf(stderr, "ovad eval: %s\n", ov_last_error());
        return 1;
    }
    ovVideoMapOpts o = ov_video_map_defaults(act ? OV_VIDEO_ACT : OV_VIDEO_OPENMIXER);
    /* predicted tubes come at the linking stride: OpenMixer interpolates them to every frame */
    if (!act && !strcmp(linker, "openmixer")) o.anno_rate = ds->anno_rate;
    double thr[1 + OV_VIDEO_NTHR];
    thr[0] = a->iou;
    ov_video_thresholds(thr + 1);
    ovApResult res[1 + OV_VIDEO_NTHR];
    rc = ov_video_map(gt, &tubes, &o, 1 + OV_VIDEO_NTHR, thr, res);
    if (rc) {
        fprintf(stderr, "ovad eval: %s\n", ov_last_error());
    } else {
        printf("linker: %s\n", linker);
        printf("tubes: %d\n", tubes.n);
        ov_report_table(stdout, gt, &res[0]);
        if (a->iou != 0.2 && a->iou != 0.5 && a->iou != 0.75) { /* the table's threshold, when not one below */
            char name[64];
            snprintf(name, sizeof name, "video-mAP@%g", a->iou);
            ov_report_means(stdout, name, &res[0], base, novel);
        }
        const char *names[] = {"video-mAP@0.2", "video-mAP@0.5", "video-mAP@0.75"};
        for (int i = 0; i < 3; i++) ov_report_means(stdout, names[i], &res[1 + i], base, novel);
        /* 0.5:0.95: the mean over the ten thresholds of each mean */
        ovApResult avg;
        ov_ap_result_init(&avg, gt->nlabels);
        for (int c = 0; c < gt->nlabels; c++) {
            double s = 0;
            for (int i = 0; i < 10; i++) s += res[4 + i].ap[c];
            avg.ap[c] = s / 10;
        }
        ov_ap_result_finish(&avg);
        ov_report_means(stdout, "video-mAP@0.5:0.95", &avg, base, novel);
        ov_ap_result_free(&avg);
    }
    for (int i = 0; i < 1 + OV_VIDEO_NTHR; i++) ov_ap_result_free(&res[i]);
    ov_tubes_free(&tubes);
    return rc ? 1 : 0;
}

int cmd_eval(int argc, char **argv) {
    Args a;
    int pr = parse_args(argc, argv, &a);
    if (pr) return pr > 0 ? usage(0) : usage(2);
    const ovEvalDataset *ds = ov_eval_dataset(a.dataset);
    if (!ds) {
        fprintf(stderr, "ovad eval: unknown dataset '%s' (jhmdb, ucf24, ava or generic)\n", a.dataset);
        return 2;
    }
    if (ds->ava && strcmp(a.metric, "frame-map")) {
        fprintf(stderr, "ovad eval: AVA is evaluated with frame-map only\n");
        return 2;
    }
    ovGroundTruth gt;
    if (ov_eval_load_gt(ds, a.gt, a.split, &gt)) {
        fprintf(stderr, "ovad eval: %s\n", ov_last_error());
        return 1;
    }
    int rc = 1;
    ovDetections dets = {0};
    ovClassSet base = {0}, novel = {0};
    ovDetCsvOpts dopt = {.skip_unknown_labels = ds->ava};
    ovDetCsvStats dst;
    if (ov_dets_read_csv(a.dets, &gt, &dopt, &dets, &dst) || ov_class_set_parse(&gt, a.base, &base) ||
        ov_class_set_parse(&gt, a.novel, &novel)) {
        fprintf(stderr, "ovad eval: %s\n", ov_last_error());
        goto done;
    }
    if (base.n && !novel.n) ov_class_set_complement(&gt, &base, &novel);
    else if (novel.n && !base.n) ov_class_set_complement(&gt, &novel, &base);

    printf("dataset: %s\n", ds->name);
    printf("metric: %s\n", a.metric);
    printf("protocol: %s\n", ds->ava ? "ava" : a.protocol);
    printf("iou: %g\n", a.iou);
    printf("videos: %d\n", gt.nvideos);
    printf("classes: %d\n", gt.nlabels);
    printf("detections: %ld\n", dst.kept);
    if (dst.unknown_video) printf("skipped detections (videos not evaluated): %ld\n", dst.unknown_video);
    if (dst.unknown_label) printf("skipped detections (classes not evaluated): %ld\n", dst.unknown_label);

    if (!strcmp(a.metric, "video-map")) {
        rc = video_map(&a, ds, &gt, &dets, &base, &novel);
        goto done;
    }
    ovApResult res;
    int erc;
    if (ds->ava) {
        ovAvaOpts o = ov_ava_defaults();
        o.iou = a.iou;
        ovAvaStats s;
        erc = ov_ava_frame_ap(&gt, &dets, &o, &res, &s);
        if (!erc) {
            printf("images: %ld\n", s.images);
            printf("gt boxes: %ld\n", s.gt_boxes);
            printf("scored detections: %ld\n", s.scored);
            if (s.capped) printf("capped detections (over 50 per keyframe): %ld\n", s.capped);
            if (s.ignored) printf("ignored detections (excluded keyframes): %ld\n", s.ignored);
        }
    } else {
        ovFrameStats s;
        if (!strcmp(a.protocol, "tf")) {
            ov_gt_default_keyframes(&gt, ds->anno_rate);
            ovFrameTfOpts o = ov_frame_tf_defaults();
            o.iou = a.iou;
            erc = ov_frame_map_tf(&gt, &dets, &o, &res, &s);
        } else {
            erc = ov_frame_map_act(&gt, &dets, a.iou, &res, &s);
        }
        if (!erc) print_frame_stats(&s);
    }
    if (erc) {
        fprintf(stderr, "ovad eval: %s\n", ov_last_error());
    } else {
        ov_report_table(stdout, &gt, &res);
        char name[64];
        snprintf(name, sizeof name, "frame-mAP@%g", a.iou);
        ov_report_means(stdout, name, &res, &base, &novel);
        rc = 0;
    }
    ov_ap_result_free(&res);
done:
    ov_class_set_free(&base);
    ov_class_set_free(&novel);
    ov_dets_free(&dets);
    ov_gt_free(&gt);
    return rc;
}
