/* test_datasets_ucf.c: UCF101-24's annotations: finalAnnots.mat read with libmatio (a tiny file
 * written by scipy.io.savemat, tools/gen_dataset_fixtures.py; the real one of ../shared/data: 3194
 * videos, 24 classes in YOWO's alphabetical order, split 1 = groups g01-g07), truncations and byte
 * flips of the MAT file, the YOWO label layout (a hand-written folder: per-frame boxes rebuilt into
 * tubes, list files) and its malformed label files, and the evaluators reading both through
 * ov_eval_load_gt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/action_gt.h"
#include "data/image.h"
#include "data/ucf24_mat.h"
#include "data/yowo.h"
#include "eval/frame_map.h"
#include "eval/load.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

#define FIXDIR "tests/fixtures/datasets"

START_TEST(test_mat_fixture) {
    /* compressed (as MATLAB and the real file write it) and not */
    static const char *files[] = {FIXDIR "/ucf24_tiny.mat", FIXDIR "/ucf24_tiny_raw.mat"};
    for (int fi = 0; fi < 2; fi++) {
        ovActionGt a;
        ck_assert_msg(ov_action_gt_load(files[fi], NULL, &a) == 0, "%s", ov_last_error());
        ck_assert_str_eq(a.format, "ucf24-mat");
        ck_assert_int_eq(a.gt.nlabels, 2);
        ck_assert_str_eq(a.gt.labels[0], "Basketball");
        ck_assert_str_eq(a.gt.labels[1], "Biking");
        ck_assert_int_eq(a.gt.nvideos, 3);
        const ovGtVideo *v = &a.gt.videos[0];
        ck_assert_str_eq(v->name, "Basketball/v_Basketball_g01_c01");
        ck_assert(v->nframes == 5 && v->width == 320 && v->height == 240 && v->ntubes == 1);
        ck_assert(v->tubes[0].n == 3 && v->tubes[0].frames[0] == 2 && v->tubes[0].frames[2] == 4);
        const ovBox *b = &v->tubes[0].boxes[1]; /* x, y, w, h = 11, 21, 30, 40 */
        ck_assert(b->x1 == 11 && b->y1 == 21 && b->x2 == 41 && b->y2 == 61);
        v = &a.gt.videos[1]; /* uint16 fields; a second tube running past num_imgs = 300 */
        ck_assert(v->nframes == 300 && v->ntubes == 2 && v->tubes[0].label == 1);
        ck_assert_int_eq(v->tubes[1].n, 2); /* frames 299, 300 (301 dropped) */
        ck_assert(v->tubes[1].boxes[1].x1 == 101 && v->tubes[1].frames[1] == 300);
        ck_assert_int_eq(a.nsplits, 1); /* g01 test, g08 and g25 train */
        ck_assert_int_eq(a.splits[0].ntest, 1);
        ck_assert_int_eq(a.splits[0].test[0], 0);
        ck_assert_int_eq(a.splits[0].ntrain, 2);
        ov_action_gt_free(&a);
    }
}
END_TEST

START_TEST(test_ucf101_split_rule) {
    ck_assert_int_eq(ov_ucf101_split1_is_test("Basketball/v_Basketball_g01_c01"), 1);
    ck_assert_int_eq(ov_ucf101_split1_is_test("Basketball/v_Basketball_g07_c04"), 1);
    ck_assert_int_eq(ov_ucf101_split1_is_test("Basketball/v_Basketball_g08_c01"), 0);
    ck_assert_int_eq(ov_ucf101_split1_is_test("a_g1/v_x_g25_c07"), 0);
    ck_assert_int_eq(ov_ucf101_split1_is_test("brush_hair/April_09_brush_hair"), -1);
}
END_TEST

/* Writes n bytes to a temporary file; returns its path (static buffer). */
static const char *temp_file(const void *data, size_t n, const char *suffix) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ovad-ucf-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    ck_assert(fd >= 0);
    ck_assert(write(fd, data, n) == (ssize_t)n);
    close(fd);
    return path;
}

static int parse_mat(const uint8_t *data, size_t n, const char *path, void *ctx) {
    (void)data, (void)n, (void)ctx;
    ovActionGt a;
    int rc = ov_ucf24_mat_read(path, &a);
    if (!rc) ov_action_gt_free(&a);
    return rc;
}

START_TEST(test_mat_mutations) {
    static const ovMutFile files[] = {{"ucf24_tiny.mat"}, {"ucf24_tiny_raw.mat"}, {NULL}};
    int ok = 0, rejected = 0;
    /* flips past the 116-byte text of the header, half of the trials in the header's last bytes
     * (subsystem offset, version, endian mark) and the first data element's tag */
    ovMutRun r = {.trials = 400, .stream = 4242, .stream_step = 1, .as_file = true, .parse = parse_mat,
                  .how = {.truncate_every = 3, .max_flips = 4, .from = 116, .focus_at = 116, .focus_n = 16}};
    ov_mutations_run_files(&r, FIXDIR, files, &ok, &rejected);
    ck_assert_msg(rejected > 400 && ok > 20, "ok %d rejected %d", ok, rejected);
    /* not a MAT file at all, and a MAT file without annot */
    const char *path = temp_file("MATLAB 5.0 MAT-file, garbage", 28, ".mat");
    ovActionGt a;
    ck_assert(ov_ucf24_mat_read(path, &a) == -1);
    ck_assert_msg(strstr(ov_last_error(), path), "%s", ov_last_error());
    remove(path);
}
END_TEST

START_TEST(test_mat_real) {
    const char *path = ov_shared_file("ucf24_finalAnnots.mat");
    if (!path) return;
    ovActionGt a;
    ck_assert_msg(ov_action_gt_load(path, NULL, &a) == 0, "%s", ov_last_error());
    static const char *labels[] = {"Basketball",      "BasketballDunk", "Biking",         "CliffDiving",  "CricketBowling",
                                   "Diving",          "Fencing",        "FloorGymnastics", "GolfSwing",    "HorseRiding",
                                   "IceDancing",      "LongJump",       "PoleVault",      "RopeClimbing", "SalsaSpin",
                                   "SkateBoarding",   "Skiing",         "Skijet",         "SoccerJuggling", "Surfing",
                                   "TennisSwing",     "TrampolineJumping", "VolleyballSpiking", "WalkingWithDog"};
    ck_assert_int_eq(a.gt.nlabels, 24);
    for (int i = 0; i < 24; i++) ck_assert_str_eq(a.gt.labels[i], labels[i]);
    ck_assert_int_eq(a.gt.nvideos, 3194);
    ck_assert_int_eq(a.nsplits, 1);
    ck_assert_int_eq(a.splits[0].ntrain, 2284);
    ck_assert_int_eq(a.splits[0].ntest, 910);
    ck_assert_int_eq(ov_action_gt_boxes(&a, NULL, 0), 573862);
    long tubes = 0;
    for (int v = 0; v < a.gt.nvideos; v++) {
        const ovGtVideo *vid = &a.gt.videos[v];
        tubes += vid->ntubes;
        for (int t = 0; t < vid->ntubes; t++) { /* every tube of a video has the video's class */
            size_t ln = strlen(a.gt.labels[vid->tubes[t].label]);
            ck_assert(!strncmp(vid->name, a.gt.labels[vid->tubes[t].label], ln) && vid->name[ln] == '/');
        }
    }
    ck_assert_int_eq(tubes, 4458);
    const ovGtVideo *v = &a.gt.videos[0];
    ck_assert_str_eq(v->name, "Basketball/v_Basketball_g01_c01");
    ck_assert(v->nframes == 141 && v->tubes[0].frames[0] == 9 && v->tubes[0].frames[v->tubes[0].n - 1] == 52);
    ck_assert(v->tubes[0].boxes[0].x1 == 189 && v->tubes[0].boxes[0].x2 == 189 + 47);
    ov_action_gt_free(&a);
    /* the evaluators' view: split 1's test videos */
    ovGroundTruth gt;
    ck_assert_msg(ov_eval_load_gt(ov_eval_dataset("ucf24"), path, 1, &gt) == 0, "%s", ov_last_error());
    ck_assert_int_eq(gt.nvideos, 910);
    ov_gt_free(&gt);
}
END_TEST

/* ---- YOWO ---- */

START_TEST(test_yowo_fixture) {
    ovActionGt a;
    ck_assert_msg(ov_action_gt_load(FIXDIR "/yowo", NULL, &a) == 0, "%s", ov_last_error());
    ck_assert_str_eq(a.format, "yowo");
    ck_assert_int_eq(a.gt.nlabels, 2);
    ck_assert_int_eq(a.gt.nvideos, 2);
    const ovGtVideo *v = &a.gt.videos[0];
    ck_assert_str_eq(v->name, "Basketball/v_Basketball_g01_c01");
    ck_assert(v->nframes == 5 && v->width == 0); /* no frames: the last annotated frame, size unknown */
    /* frames 1-3 with a second person at frame 2 and a gap before frame 5: OpenMixer's rebuilding
     * gives the tubes [1,2,3], [2] and [5] */
    ck_assert_int_eq(v->ntubes, 3);
    ck_assert(v->tubes[0].n == 3 && v->tubes[0].boxes[1].x1 == 11);
    ck_assert(v->tubes[1].n == 1 && v->tubes[1].frames[0] == 2 && v->tubes[1].boxes[0].x1 == 100);
    ck_assert(v->tubes[2].n == 1 && v->tubes[2].frames[0] == 5);
    v = &a.gt.videos[1];
    ck_assert(v->ntubes == 1 && v->tubes[0].label == 1 && v->tubes[0].boxes[1].x1 == 1.5);
    ck_assert_int_eq(a.nsplits, 1); /* trainlist.txt / testlist.txt; the unknown video is left out */
    ck_assert(a.splits[0].ntrain == 1 && a.splits[0].train[0] == 1);
    ck_assert(a.splits[0].ntest == 1 && a.splits[0].test[0] == 0);
    ov_action_gt_free(&a);
}
END_TEST

static char tmp_root[64];

static void write_text(const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp_root, rel);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void mkdirs(const char *rel) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/%s", tmp_root, rel);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_yowo_errors_and_frames) {
    snprintf(tmp_root, sizeof tmp_root, "/tmp/ovad-yowo-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_root));
    mkdirs("labels/Jump/v_Jump_g03_c01");
    mkdirs("rgb-images/Jump/v_Jump_g03_c01");
    write_text("labels/Jump/v_Jump_g03_c01/00002.txt", "1 1 2 30 40\n");
    /* frames: 3 PNGs of 8x6, found in rgb-images/ */
    ov_scope_begin();
    ovTensor *img = ov_zeros(3, (int64_t[]){6, 8, 3}, OV_U8);
    for (int f = 1; f <= 3; f++) {
        char path[600];
        snprintf(path, sizeof path, "%s/rgb-images/Jump/v_Jump_g03_c01/%05d.png", tmp_root, f);
        ck_assert(ov_image_write_png(path, img) == 0);
    }
    ov_scope_end();
    ovActionGt a;
    ck_assert_msg(ov_yowo_read(tmp_root, NULL, &a) == 0, "%s", ov_last_error());
    ck_assert(a.gt.videos[0].nframes == 3 && a.gt.videos[0].width == 8 && a.gt.videos[0].height == 6);
    ck_assert_int_eq(a.nsplits, 1); /* no lists: UCF101's split 1 by group (g03: test) */
    ck_assert_int_eq(a.splits[0].ntest, 1);
    ov_action_gt_free(&a);
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"1 1 2 30\n", ":1: 4 numbers, expected 5"},
        {"1 1 2 30 40\n1 a 2 3 4\n", ":2: column 2: 'a' is not a number"},
        {"0 1 2 30 40\n", "class 0 is not a 1-based class number"},
        {"2 1 2 30 40\n", "class 2 in the folder of class 1 (Jump)"},
        {"1 1 2 30 40 50\n", "more than 5 numbers"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text("labels/Jump/v_Jump_g03_c01/00002.txt", bad[i].text);
        ck_assert(ov_yowo_read(tmp_root, NULL, &a) == -1);
        ck_assert_msg(strstr(ov_last_error(), bad[i].why) && strstr(ov_last_error(), "00002.txt"), "case %zu: %s", i,
                      ov_last_error());
    }
    /* a label past the frames on disk */
    write_text("labels/Jump/v_Jump_g03_c01/00002.txt", "1 1 2 30 40\n");
    write_text("labels/Jump/v_Jump_g03_c01/00009.txt", "1 1 2 30 40\n");
    ck_assert(ov_yowo_read(tmp_root, NULL, &a) == -1);
    ck_assert_msg(strstr(ov_last_error(), "frame 9"), "%s", ov_last_error());
    ck_assert(ov_yowo_read("/tmp/no-such-yowo-root", NULL, &a) == -1);
    ck_assert_msg(strstr(ov_last_error(), "no labels/ folder"), "%s", ov_last_error());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_yowo_eval_wiring) {
    ovGroundTruth gt;
    ck_assert_msg(ov_eval_load_gt(ov_eval_dataset("ucf24"), FIXDIR "/yowo", 1, &gt) == 0, "%s", ov_last_error());
    ck_assert_int_eq(gt.nvideos, 1);
    ck_assert_str_eq(gt.videos[0].name, "Basketball/v_Basketball_g01_c01");
    ovDetections d = {0};
    for (int t = 0; t < gt.videos[0].ntubes; t++)
        for (int i = 0; i < gt.videos[0].tubes[t].n; i++)
            ov_dets_add(&d, (ovDetection){0, gt.videos[0].tubes[t].frames[i], gt.videos[0].tubes[t].label, 1,
                                          gt.videos[0].tubes[t].boxes[i]});
    ovApResult r;
    ck_assert(ov_frame_map_act(&gt, &d, 0.5, &r, NULL) == 0);
    ck_assert(r.ap[0] == 1.0 && r.mean == 1.0);
    ov_ap_result_free(&r);
    ov_dets_free(&d);
    ov_gt_free(&gt);
}
END_TEST

int main(void) {
    Suite *s = suite_create("datasets_ucf");
    TCase *tc = tcase_create("ucf");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_mat_fixture);
    tcase_add_test(tc, test_ucf101_split_rule);
    tcase_add_test(tc, test_mat_mutations);
    tcase_add_test(tc, test_mat_real);
    tcase_add_test(tc, test_yowo_fixture);
    tcase_add_test(tc, test_yowo_errors_and_frames);
    tcase_add_test(tc, test_yowo_eval_wiring);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
