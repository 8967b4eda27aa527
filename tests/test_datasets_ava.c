/* test_datasets_ava.c: AVA v2.2's files on hand-written fixtures (tests/fixtures/datasets/ava):
 * the 60- and 80-class label maps, the annotation CSV into the evaluators' ground truth (label-map
 * whitelist, one-frame tubes at the second, excluded keys, counts), frame lists, keyframe paths,
 * the LFB person-box CSV with a score threshold, ov_eval_load_gt on the CSV and on its folder with
 * the official evaluator scoring the ground truth fed back at 100, and truncations and byte flips
 * of every CSV and pbtxt (rejections name the file and the line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/ava.h"
#include "data/proposals.h"
#include "eval/ava.h"
#include "eval/load.h"
#include "tensor/error.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

#define AVADIR "tests/fixtures/datasets/ava"

START_TEST(test_label_maps) {
    ovAvaLabelMap m;
    ck_assert_msg(ov_ava_labelmap_read(AVADIR "/ava_action_list_v2.2_for_activitynet_2019.pbtxt", &m) == 0, "%s",
                  ov_last_error());
    ck_assert_int_eq(m.n, 5);
    ck_assert_str_eq(m.names[0], "bend/bow (at the waist)");
    ck_assert_int_eq(m.ids[4], 80);
    ck_assert_str_eq(m.names[4], "watch (a person)");
    ck_assert_int_eq(ov_ava_labelmap_index(&m, 8), 2);
    ck_assert_int_eq(ov_ava_labelmap_index(&m, 2), -1);
    ov_ava_labelmap_free(&m);
    ck_assert(ov_ava_labelmap_read(AVADIR "/ava_action_list_v2.2.pbtxt", &m) == 0);
    ck_assert_int_eq(m.n, 6);
    ck_assert_int_eq(m.ids[1], 2);
    ck_assert_str_eq(m.names[1], "crawl");
    ov_ava_labelmap_free(&m);
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"item {\n  id: 1\n}\n", ":2: the id line has no name before it"},
        {"item {\n  name: \"a\"\n  id: x\n}\n", ":3: the id line is not an id"},
        {"item {\n  name: \"a\"\n  id: 1\n}\nitem {\n  name: \"b\"\n  id: 1\n}\n", ":7: the id line repeats an id"},
        {"item {\n  name: a\n  id: 1\n}\n", ":2: a name line without a \"quoted\" name"},
        {"nothing here\n", "no classes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert(ov_ava_labelmap_parse(bad[i].text, strlen(bad[i].text), "m.pbtxt", &m) == -1);
        ck_assert_msg(strstr(ov_last_error(), bad[i].why) && !strncmp(ov_last_error(), "m.pbtxt", 7), "%zu: %s", i, ov_last_error());
    }
}
END_TEST

START_TEST(test_ground_truth) {
    ovGroundTruth gt;
    ovAvaGtStats st;
    ck_assert_msg(ov_ava_gt_read(AVADIR "/ava_val_v2.2.csv", AVADIR "/ava_action_list_v2.2_for_activitynet_2019.pbtxt",
                                 AVADIR "/ava_val_excluded_timestamps_v2.2.csv", &gt, &st) == 0,
                  "%s", ov_last_error());
    ck_assert_int_eq(gt.nlabels, 5);
    ck_assert_int_eq(gt.nvideos, 2);
    ck_assert_int_eq(st.rows, 8);
    ck_assert_int_eq(st.kept, 7);
    ck_assert_int_eq(st.other_classes, 1);
    ck_assert_int_eq(st.keyframes, 4);
    ck_assert_int_eq(st.boxes, 5);
    ck_assert_int_eq(st.excluded_keys, 1);
    const ovGtVideo *v = &gt.videos[0];
    ck_assert_str_eq(v->name, "-5KQ66BBWC4");
    ck_assert_int_eq(v->ntubes, 5);
    ck_assert(v->tubes[0].n == 1 && v->tubes[0].frames[0] == 902 && v->tubes[0].label == 4);
    ck_assert(fabs(v->tubes[0].boxes[0].x1 - 0.077) < 1e-12 && fabs(v->tubes[0].boxes[0].y2 - 0.811) < 1e-12);
    ck_assert(v->nexcluded == 1 && v->excluded[0] == 904);
    ck_assert_int_eq(gt.videos[1].nexcluded, 0);
    ov_gt_free(&gt);
    /* the 80-class map keeps the crawl row */
    ck_assert(ov_ava_gt_read(AVADIR "/ava_val_v2.2.csv", AVADIR "/ava_action_list_v2.2.pbtxt", NULL, &gt, &st) == 0);
    ck_assert(st.kept == 8 && st.other_classes == 0 && st.excluded_keys == 0);
    ov_gt_free(&gt);
    ovAvaLabelMap m;
    ck_assert(ov_ava_labelmap_read(AVADIR "/ava_action_list_v2.2.pbtxt", &m) == 0);
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"a,0902,0.1,0.1,0.2,0.2\n", ":1: 6 columns"},
        {"a,0902,0.1,x,0.2,0.2,1\n", ":1: column 4 (y1): expected a number, got 'x'"},
        {"a,0902,0.1,0.1,0.2,0.2,1\na,09x2,0.1,0.1,0.2,0.2,1\n", ":2: column 2 (timestamp)"},
        {"a,0902,0.1,0.1,0.2,0.2,1.5\n", "column 7 (action_id)"},
        {",0902,0.1,0.1,0.2,0.2,1\n", ":1: 7 columns, expected video_id"},
        {"a,-3,0.1,0.1,0.2,0.2,1\n", "is negative"},
        {"a,0902,0.1,0.1,0.2,nan,1\n", "column 6 (y2)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert(ov_ava_gt_parse(bad[i].text, strlen(bad[i].text), "g.csv", &m, NULL, &gt, NULL) == -1);
        ck_assert_msg(strstr(ov_last_error(), bad[i].why) && !strncmp(ov_last_error(), "g.csv:", 6), "%zu: %s", i, ov_last_error());
        ck_assert_int_eq(gt.nvideos, 0);
    }
    ov_ava_labelmap_free(&m);
}
END_TEST

START_TEST(test_frame_lists_and_paths) {
    ovAvaFrameList f;
    ck_assert_msg(ov_ava_frame_list_read(AVADIR "/frame_list_val.csv", &f) == 0, "%s", ov_last_error());
    ck_assert_int_eq(f.n, 2);
    ck_assert_str_eq(f.videos[0], "-5KQ66BBWC4");
    ck_assert(f.nframes[0] == 3 && f.nframes[1] == 1);
    ov_ava_frame_list_free(&f);
    const char *skip = "original_vido_id video_id frame_id path labels\nv 0 0 v/v_000001.jpg \"\"\nv 0 2 v/v_000003.jpg \"\"\n";
    ck_assert(ov_ava_frame_list_parse(skip, strlen(skip), "fl.csv", &f) == -1);
    ck_assert_msg(strstr(ov_last_error(), "fl.csv:3: frame 2 of v"), "%s", ov_last_error());
    const char *nohead = "v 0 0 v/v_000001.jpg \"\"\n";
    ck_assert(ov_ava_frame_list_parse(nohead, strlen(nohead), "fl.csv", &f) == -1);
    ck_assert_msg(strstr(ov_last_error(), "fl.csv:1: expected the header"), "%s", ov_last_error());
    char path[256];
    ck_assert(ov_ava_keyframe_path(path, sizeof path, "frames", "-5KQ66BBWC4", 902) == 0);
    ck_assert_str_eq(path, "frames/-5KQ66BBWC4/-5KQ66BBWC4_000061.jpg");
    ck_assert(ov_ava_keyframe_path(path, sizeof path, "frames", "x", 1798) == 0);
    ck_assert_str_eq(path, "frames/x/x_026941.jpg");
    ck_assert(ov_ava_keyframe_path(path, sizeof path, "frames", "x", 901) == -1);
}
END_TEST

START_TEST(test_predicted_boxes) {
    ovProposals p;
    ck_assert_msg(ov_proposals_read_ava_csv(AVADIR "/ava_val_predicted_boxes.csv", 0.8, &p) == 0, "%s", ov_last_error());
    ck_assert_int_eq(p.n, 2);
    ck_assert(p.kept == 3 && p.dropped == 1);
    const ovProposalFrame *f = ov_proposals_find(&p, "-5KQ66BBWC4", 902);
    ck_assert(f && f->n == 2 && f->boxes[4] == 0.332f && f->scores[1] == 0.95f);
    ck_assert_ptr_null(ov_proposals_find(&p, "-5KQ66BBWC4", 903));
    ov_proposals_free(&p);
    const char *bad = "a,0902,0.1,0.1,0.2,0.2,,high\n";
    ck_assert(ov_proposals_parse_ava_csv(bad, strlen(bad), "pb.csv", 0, &p) == -1);
    ck_assert_msg(strstr(ov_last_error(), "pb.csv:1: column 8 (score)"), "%s", ov_last_error());
}
END_TEST

START_TEST(test_eval_wiring) {
    const ovEvalDataset *ds = ov_eval_dataset("ava");
    for (int k = 0; k < 2; k++) {
        ovGroundTruth gt;
        const char *path = k ? AVADIR : AVADIR "/ava_val_v2.2.csv"; /* the file, or its folder */
        ck_assert_msg(ov_eval_load_gt(ds, path, 0, &gt) == 0, "%s", ov_last_error());
        ck_assert_int_eq(gt.nlabels, 5); /* the 60-class map is preferred */
        ck_assert_int_eq(ov_gt_count_boxes(&gt), 7);
        ovDetections d = {0};
        for (int v = 0; v < gt.nvideos; v++)
            for (int t = 0; t < gt.videos[v].ntubes; t++) {
                const ovGtTube *u = &gt.videos[v].tubes[t];
                ov_dets_add(&d, (ovDetection){v, u->frames[0], u->label, 0.9, u->boxes[0]});
            }
        ovApResult r;
        ovAvaOpts o = ov_ava_defaults();
        ovAvaStats st;
        ck_assert(ov_ava_frame_ap(&gt, &d, &o, &r, &st) == 0);
        ck_assert_msg(r.mean == 1.0, "mean %g", r.mean);
        ck_assert_int_eq(st.gt_boxes, 6); /* the excluded key's box does not count */
        ck_assert_int_eq(st.ignored, 1);
        ck_assert(isnan(r.ap[2]) && r.ap[1] == 1.0); /* "lie/sleep" has no box left after the exclusion */
        ov_ap_result_free(&r);
        ov_dets_free(&d);
        ov_gt_free(&gt);
    }
    ovGroundTruth gt;
    ck_assert(ov_eval_load_gt(ds, "tests/fixtures/datasets/yowo/trainlist.txt", 0, &gt) == -1);
    ck_assert_msg(strstr(ov_last_error(), "no label map beside it"), "%s", ov_last_error());
}
END_TEST

/* ---- mutations ---- */

static ovAvaLabelMap g_map;

static int p_gt(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovGroundTruth gt;
    int rc = ov_ava_gt_parse((const char *)t, n, name, &g_map, NULL, &gt, NULL);
    if (!rc) ov_gt_free(&gt);
    return rc;
}
static int p_map(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovAvaLabelMap m;
    int rc = ov_ava_labelmap_parse((const char *)t, n, name, &m);
    if (!rc) ov_ava_labelmap_free(&m);
    return rc;
}
static int p_keys(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovAvaKeys k;
    int rc = ov_ava_keys_parse((const char *)t, n, name, &k);
    if (!rc) ov_ava_keys_free(&k);
    return rc;
}
static int p_frames(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovAvaFrameList f;
    int rc = ov_ava_frame_list_parse((const char *)t, n, name, &f);
    if (!rc) ov_ava_frame_list_free(&f);
    return rc;
}
static int p_boxes(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovProposals p;
    int rc = ov_proposals_parse_ava_csv((const char *)t, n, name, 0.5, &p);
    if (!rc) ov_proposals_free(&p);
    return rc;
}

START_TEST(test_mutations_never_crash) {
    static const ovMutFile files[] = {
        {"ava_val_v2.2.csv", p_gt},
        {"ava_action_list_v2.2_for_activitynet_2019.pbtxt", p_map},
        {"ava_action_list_v2.2.pbtxt", p_map},
        {"ava_val_excluded_timestamps_v2.2.csv", p_keys},
        {"frame_list_val.csv", p_frames},
        {"ava_val_predicted_boxes.csv", p_boxes},
        {NULL, NULL},
    };
    ck_assert(ov_ava_labelmap_read(AVADIR "/ava_action_list_v2.2.pbtxt", &g_map) == 0);
    int ok = 0, rejected = 0;
    /* the alphabet: CSV and pbtxt punctuation, a NUL, number characters */
    ovMutRun r = {.trials = 400, .stream = 1000, .stream_step = 1, .nul = true,
                  .how = {.truncate_every = 4, .max_flips = 3, OV_MUT_ALPHABET(",\n\"\0 .-9e{}:\0", 2)}};
    ov_mutations_run_files(&r, AVADIR, files, &ok, &rejected);
    ov_ava_labelmap_free(&g_map);
    ck_assert_msg(rejected > 500 && ok > 300, "ok %d rejected %d", ok, rejected);
}
END_TEST

int main(void) {
    Suite *s = suite_create("datasets_ava");
    TCase *tc = tcase_create("ava");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_label_maps);
    tcase_add_test(tc, test_ground_truth);
    tcase_add_test(tc, test_frame_lists_and_paths);
    tcase_add_test(tc, test_predicted_boxes);
    tcase_add_test(tc, test_eval_wiring);
    tcase_add_test(tc, test_mutations_never_crash);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
