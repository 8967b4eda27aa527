/* data_stats.c: `ovad data stats`: what a dataset's annotation files hold, as `key: value` lines
 * (videos, labels, tubes, boxes, annotated frames per split, region-text pairs), read by the same
 * readers the loaders and evaluators use (data/action_gt.h, data/ava.h, data/stvg.h), so a
 * wrong path or a damaged file shows up here with the reader's message. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "data/action_gt.h"
#include "data/ava.h"
#include "data/dir.h"
#include "data/stvg.h"
#include "eval/csv.h"
#include "tensor/error.h"

static const char *usage_text =
    "usage: ovad data stats --dataset jhmdb|ucf24|synthetic|ava|hcstvg|vidstg --gt FILE [--split N]\n"
    "                       [--root DIR]\n"
    "\n"
    "--gt     jhmdb, ucf24, synthetic: an ACT ground-truth pickle (JHMDB-GT.pkl, UCF101v2-GT.pkl),\n"
    "         UCF101-24's finalAnnots.mat, a YOWO folder (labels/ and list files) or ovad's\n"
    "         ground-truth CSV; ava: ava_{train,val}_v2.2.csv or its folder (label map and\n"
    "         excluded timestamps beside it); hcstvg: trainv2.json / valv2.json (v1 files too);\n"
    "         vidstg: {train,val,test}_annotations.json.\n"
    "--split  only split N (1-based) of the video lists (default: every split).\n"
    "--root   jhmdb/ucf24: the frame folders (<root>/<video>/%05d.png or .jpg), checked for\n"
    "         missing frames; ava: the frames folder (<root>/<vid>/<vid>_%06d.jpg), checked for\n"
    "         missing keyframes; vidstg: VidOR's annotation folder (required).\n";

static int usage(int rc) {
    fputs(usage_text, rc ? stderr : stdout);
    return rc;
}

typedef struct {
    const char *dataset, *gt, *root;
    int split;
} Args;

static int parse(int argc, char **argv, Args *a) {
    *a = (Args){0};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--help") || !strcmp(k, "-h")) return 1;
        if (i + 1 >= argc) {
            fprintf(stderr, "ovad data stats: %s needs a value\n\n", k);
            return -1;
        }
        const char *v = argv[++i];
        if (!strcmp(k, "--dataset")) a->dataset = v;
        else if (!strcmp(k, "--gt")) a->gt = v;
        else if (!strcmp(k, "--root")) a->root = v;
        else if (!strcmp(k, "--split")) {
            long s = 0;
            if (ov_arg_long(k, v, 1, 1000, &s)) {
                fprintf(stderr, "ovad data stats: %s\n", ov_last_error());
                return -1;
            }
            a->split = (int)s;
        } else {
            fprintf(stderr, "ovad data stats: unknown option '%s'\n\n", k);
            return -1;
        }
    }
    if (!a->dataset || !a->gt) {
        fprintf(stderr, "ovad data stats: --dataset and --gt are required\n\n");
        return -1;
    }
    return 0;
}

/* Frames 1..nframes of the listed videos that have no file under root. */
static long missing_frames(const ovActionGt *a, const char *root, const char *ext, const int *list, int n, long *checked) {
    long missing = 0;
    for (int i = 0; i < n; i++) {
        const ovGtVideo *v = &a->gt.videos[list ? list[i] : i];
        for (int f = 1; f <= v->nframes; f++) {
            char path[4096];
            if (ov_path_printf(path, sizeof path, "%s/%s/%05d.%s", root, v->name, f, ext) || !ov_is_file(path)) missing++;
            (*checked)++;
        }
    }
    return missing;
}

static void split_lines(const ovActionGt *a, int s, const char *which, const int *list, int n) {
    printf("split %d %s videos: %d\n", s + 1, which, n);
    printf("split %d %s annotated frames: %ld\n", s + 1, which, ov_action_gt_annotated_frames(a, list, n));
    printf("split %d %s boxes: %ld\n", s + 1, which, ov_action_gt_boxes(a, list, n));
}

static int action_stats(const Args *args) {
    ovActionGt a;
    ov_action_gt_init(&a);
    FILE *f = fopen(args->gt, "rb");
    char head[32] = {0};
    if (f) {
        size_t n = fread(head, 1, sizeof head - 1, f);
        head[n] = 0;
        fclose(f);
    }
    if (!strncmp(head, OV_GT_CSV_MAGIC, strlen(OV_GT_CSV_MAGIC))) {
        if (ov_gt_read_csv(args->gt, args->split, &a.gt)) goto fail;
        a.format = "ovad-csv";
    } else if (ov_action_gt_load(args->gt, NULL, &a)) {
        goto fail;
    }
    if (args->split > a.nsplits && strcmp(a.format, "ovad-csv")) {
        fprintf(stderr, "ovad data stats: %s has %d split(s), no split %d\n", args->gt, a.nsplits, args->split);
        ov_action_gt_free(&a);
        return 1;
    }
    long frames = 0, tubes = 0;
    for (int i = 0; i < a.gt.nvideos; i++) {
        frames += a.gt.videos[i].nframes;
        tubes += a.gt.videos[i].ntubes;
    }
    printf("dataset: %s\n", args->dataset);
    printf("format: %s\n", a.format);
    printf("labels: %d\n", a.gt.nlabels);
    printf("videos: %d\n", a.gt.nvideos);
    printf("frames: %ld\n", frames);
    printf("tubes: %ld\n", tubes);
    printf("boxes: %ld\n", ov_action_gt_boxes(&a, NULL, 0));
    printf("annotated frames: %ld\n", ov_action_gt_annotated_frames(&a, NULL, 0));
    printf("splits: %d\n", a.nsplits);
    for (int s = 0; s < a.nsplits; s++) {
        if (args->split && s + 1 != args->split) continue;
        split_lines(&a, s, "train", a.splits[s].train, a.splits[s].ntrain);
        split_lines(&a, s, "test", a.splits[s].test, a.splits[s].ntest);
    }
    if (args->root) {
        const char *ext = !strcmp(args->dataset, "ucf24") ? "jpg" : "png";
        long checked = 0, missing;
        if (args->split && a.nsplits) {
            const ovVideoSplit *s = &a.splits[args->split - 1];
            missing = missing_frames(&a, args->root, ext, s->train, s->ntrain, &checked) +
                      missing_frames(&a, args->root, ext, s->test, s->ntest, &checked);
        } else {
            missing = missing_frames(&a, args->root, ext, NULL, a.gt.nvideos, &checked);
        }
        printf("frame files checked: %ld\n", checked);
        printf("missing frame files: %ld\n", missing);
    }
    ov_action_gt_free(&a);
    return 0;
fail:
    fprintf(stderr, "ovad data stats: %s\n", ov_last_error());
    ov_action_gt_free(&a);
    return 1;
}

static int ava_stats(const Args *args) {
    ovGroundTruth gt;
    ovAvaGtStats st;
    if (ov_ava_gt_load(args->gt, &gt, &st)) {
        fprintf(stderr, "ovad data stats: %s\n", ov_last_error());
        return 1;
    }
    printf("dataset: ava\n");
    printf("labels: %d\n", gt.nlabels);
    printf("videos: %d\n", gt.nvideos);
    printf("rows: %ld\n", st.rows);
    printf("box-action pairs: %ld\n", st.kept);
    printf("rows of other classes: %ld\n", st.other_classes);
    printf("keyframes: %ld\n", st.keyframes);
    printf("boxes: %ld\n", st.boxes);
    printf("excluded keyframes: %ld\n", st.excluded_keys);
    if (args->root) {
        long checked = 0, missing = 0;
        for (int v = 0; v < gt.nvideos; v++) {
            int n, *secs = ov_gt_annotated_frames(&gt.videos[v], &n);
            for (int i = 0; i < n; i++) {
                char path[4096];
                checked++;
                if (ov_ava_keyframe_path(path, sizeof path, args->root, gt.videos[v].name, secs[i]) || !ov_is_file(path))
                    missing++;
            }
            free(secs);
        }
        printf("keyframe files checked: %ld\n", checked);
        printf("missing keyframe files: %ld\n", missing);
    }
    ov_gt_free(&gt);
    return 0;
}

static int stvg_stats(const Args *args, bool vidstg) {
    ovRegionTexts r;
    int rc;
    if (vidstg) {
        if (!args->root) {
            fprintf(stderr, "ovad data stats: --dataset vidstg needs --root, VidOR's annotation folder\n");
            return 2;
        }
        rc = ov_vidstg_read(args->gt, args->root, &r);
    } else {
        rc = ov_hcstvg_read(args->gt, &r);
    }
    if (rc) {
        fprintf(stderr, "ovad data stats: %s\n", ov_last_error());
        return 1;
    }
    long boxes = ov_region_texts_boxes(&r), uniq = ov_region_texts_unique(&r);
    printf("dataset: %s\n", vidstg ? "vidstg" : "hcstvg");
    printf("annotations: %ld\n", r.annotations);
    printf("sentences: %ld\n", r.sentences);
    if (vidstg) {
        printf("questions left out: %ld\n", r.questions);
        printf("captions about non-persons left out: %ld\n", r.not_human);
    }
    printf("pairs without boxes left out: %ld\n", r.empty);
    printf("region-text pairs: %d\n", r.n);
    printf("box-text pairs: %ld\n", boxes);
    printf("unique sentences: %ld\n", uniq);
    printf("boxes per sentence: %.1f\n", uniq ? (double)boxes / (double)uniq : 0.0);
    ov_region_texts_free(&r);
    return 0;
}

int ov_cli_data_stats(int argc, char **argv) {
    Args a;
    int pr = parse(argc, argv, &a);
    if (pr) return pr > 0 ? usage(0) : usage(2);
    if (!strcmp(a.dataset, "jhmdb") || !strcmp(a.dataset, "ucf24") || !strcmp(a.dataset, "synthetic")) return action_stats(&a);
    if (!strcmp(a.dataset, "ava")) return ava_stats(&a);
    if (!strcmp(a.dataset, "hcstvg")) return stvg_stats(&a, false);
    if (!strcmp(a.dataset, "vidstg")) return stvg_stats(&a, true);
    fprintf(stderr, "ovad data stats: unknown dataset '%s' (jhmdb, ucf24, synthetic, ava, hcstvg or vidstg)\n", a.dataset);
    return 2;
}
