/* test_eval_cli.c: `ovad eval` as a user runs it (the binary named by $OVAD_BIN, set by `make
 * test`), on the reference fixtures: the printed means must be the reference evaluators' numbers
 * (tests/fixtures/eval/CASE/expected.txt) to the 4 decimals printed, for frame-mAP in both
 * protocols, video-mAP at every reported threshold, AVA, and base/novel means; and the errors
 * (malformed detections, unknown options, a split the file lacks) exit non-zero with a clear
 * message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/check_util.h"

#define FIX "tests/fixtures/eval/"

static char output[1 << 16];

static int run(const char *args) { return ov_run_ovad(args, output, sizeof output); }

/* The reference's value for `key`: the mean (cls < 0) or one class's AP; NaN if absent. */
static double expected(const char *cas, const char *key, int cls) {
    char path[256], line[512], k[64], v[64];
    snprintf(path, sizeof path, FIX "%s/expected.txt", cas);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "missing fixture %s", path);
    double out = NAN;
    while (fgets(line, sizeof line, f)) {
        int c;
        if (cls < 0 && sscanf(line, "map %63s %63s", k, v) == 2 && !strcmp(k, key)) out = strtod(v, NULL);
        if (cls >= 0 && sscanf(line, "ap %63s %d %63s", k, &c, v) == 3 && !strcmp(k, key) && c == cls)
            out = strcmp(v, "nan") ? strtod(v, NULL) : NAN;
    }
    fclose(f);
    return out;
}

/* The number printed after "NAME: " (percent). */
static double printed(const char *name) {
    char pat[128];
    snprintf(pat, sizeof pat, "\n%s: ", name);
    const char *p = strstr(output, pat);
    ck_assert_msg(p, "no '%s' in:\n%s", name, output);
    return strtod(p + strlen(pat), NULL);
}

#define CLOSE(got, want) \
    ck_assert_msg(fabs((got) - (want)) <= 6e-5, "%s: printed %.4f, reference %.6f\n%s", #want, got, want, output)

START_TEST(test_frame_map) {
    ck_assert_int_eq(run("eval --dataset jhmdb --gt " FIX "jhmdb/gt.csv --split 1 --dets " FIX "jhmdb/dets.csv"), 0);
    CLOSE(printed("frame-mAP@0.5"), 100 * expected("jhmdb", "tf@0.5", -1));
    ck_assert_msg(strstr(output, "protocol: tf\n"), "%s", output);
    ck_assert_msg(strstr(output, "excluded frames: "), "%s", output);
    ck_assert_int_eq(run("eval --dataset jhmdb --gt " FIX "jhmdb/gt.csv --dets " FIX "jhmdb/dets.csv --iou 0.2"), 0);
    CLOSE(printed("frame-mAP@0.2"), 100 * expected("jhmdb", "tf@0.2", -1));
    ck_assert_int_eq(run("eval --dataset jhmdb --gt " FIX "jhmdb/gt.csv --dets " FIX "jhmdb/dets.csv --protocol act"), 0);
    CLOSE(printed("frame-mAP@0.5"), 100 * expected("jhmdb", "act@0.5", -1));
    /* UCF101-24: keyframes every 5th annotated frame */
    ck_assert_int_eq(run("eval --dataset ucf24 --gt " FIX "ucf/gt.csv --dets " FIX "ucf/dets.csv"), 0);
    CLOSE(printed("frame-mAP@0.5"), 100 * expected("ucf", "tf@0.5", -1));
    /* AVA: the official evaluator */
    ck_assert_int_eq(run("eval --dataset ava --gt " FIX "ava/gt.csv --dets " FIX "ava/dets.csv"), 0);
    CLOSE(printed("frame-mAP@0.5"), 100 * expected("ava", "ava@0.5", -1));
    ck_assert_msg(strstr(output, "protocol: ava\n"), "%s", output);
    ck_assert_msg(strstr(output, "skipped detections (classes not evaluated): "), "%s", output);
}
END_TEST

START_TEST(test_video_map) {
    static const struct {
        const char *dataset, *cas, *protocol, *key;
    } runs[] = {
        {"jhmdb", "jhmdb", "tf", "video-openmixer"},
        {"ucf24", "ucf", "tf", "video-openmixer"},
        {"jhmdb", "jhmdb", "act", "video-moc"},
    };
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        char args[1024];
        snprintf(args, sizeof args,
                 "eval --dataset %s --gt " FIX "%s/gt.csv --dets " FIX "%s/dets.csv --metric video-map --protocol %s",
                 runs[r].dataset, runs[r].cas, runs[r].cas, runs[r].protocol);
        ck_assert_msg(run(args) == 0, "%s", output);
        char key[64];
        const char *names[] = {"video-mAP@0.2", "video-mAP@0.5", "video-mAP@0.75"};
        for (int i = 0; i < 3; i++) {
            snprintf(key, sizeof key, "%s#%d", runs[r].key, i);
            CLOSE(printed(names[i]), 100 * expected(runs[r].cas, key, -1));
        }
        double avg = 0; /* MOC's videoAP_all: the mean of the ten mAPs */
        for (int i = 3; i < 13; i++) {
            snprintf(key, sizeof key, "%s#%d", runs[r].key, i);
            avg += expected(runs[r].cas, key, -1) / 10;
        }
        CLOSE(printed("video-mAP@0.5:0.95"), 100 * avg);
    }
}
END_TEST

START_TEST(test_base_novel) {
    /* jhmdb classes 0..6; base = brush_hair, clap, golf (0, 2, 4), novel the rest */
    ck_assert_int_eq(run("eval --dataset jhmdb --gt " FIX "jhmdb/gt.csv --dets " FIX
                         "jhmdb/dets.csv --base brush_hair,clap,golf"),
                     0);
    double base = 0, novel = 0;
    int nb = 0, nn = 0;
    for (int c = 0; c < 7; c++) {
        double ap = expected("jhmdb", "tf@0.5", c);
        if (isnan(ap)) continue;
        if (c == 0 || c == 2 || c == 4)
            base += ap, nb++;
        else
            novel += ap, nn++;
    }
    CLOSE(printed("frame-mAP@0.5 base"), 100 * base / nb);
    CLOSE(printed("frame-mAP@0.5 novel"), 100 * novel / nn);
    /* the per-class table */
    ck_assert_msg(strstr(output, "\nclimb_stairs "), "%s", output);
}
END_TEST

START_TEST(test_errors) {
    char dir[] = "/tmp/ovad-eval-cli-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char dets[256], args[1024];
    snprintf(dets, sizeof dets, "%s/dets.csv", dir);
    FILE *f = fopen(dets, "w");
    fputs("video,frame,x1,y1,x2,y2,label,score\n", f);
    fclose(f);
    /* an empty detections file is fine: AP 0 */
    snprintf(args, sizeof args, "eval --dataset jhmdb --gt " FIX "jhmdb/gt.csv --dets %s", dets);
    ck_assert_msg(run(args) == 0, "%s", output);
    ck_assert_msg(printed("frame-mAP@0.5") == 0, "%s", output);
    f = fopen(dets, "a");
    fputs("brush_hair/v_brush_hair_g00_c3,1,10,20,oops,120,brush_hair,0.5\n", f);
    fclose(f);
    ck_assert_int_eq(run(args), 1);
    ck_assert_msg(strstr(output, "dets.csv:2: column 5 (x2): expected a number, got 'oops'"), "%s", output);
    ck_assert_int_eq(run("eval --dataset jhmdb --gt " FIX "jhmdb/gt.csv"), 2);
    ck_assert_msg(strstr(output, "--dataset, --gt and --dets are required"), "%s", output);
    ck_assert_int_eq(run("eval --dataset kinetics --gt a --dets b"), 2);
    ck_assert_msg(strstr(output, "unknown dataset 'kinetics'"), "%s", output);
    ck_assert_int_eq(run("eval --dataset jhmdb --gt a --dets b --frobnicate 1"), 2);
    ck_assert_msg(strstr(output, "unknown option '--frobnicate'"), "%s", output);
    ck_assert_int_eq(run("eval --dataset jhmdb --gt a --dets b --iou 1.5"), 2);
    ck_assert_int_eq(run("eval --dataset ava --gt a --dets b --metric video-map"), 2);
    ck_assert_int_eq(run("eval --dataset jhmdb --gt " FIX "jhmdb/gt.csv --split 2 --dets " FIX "jhmdb/dets.csv"), 1);
    ck_assert_msg(strstr(output, "no test videos for split 2"), "%s", output);
    /* a file that is no ground truth in any known format: the readers say what it is not */
    ck_assert_int_eq(run("eval --dataset jhmdb --gt " FIX "jhmdb/dets.csv --dets " FIX "jhmdb/dets.csv"), 1);
    ck_assert_msg(strstr(output, "dets.csv: not an ACT ground-truth pickle"), "%s", output);
    ck_assert_int_eq(run("eval --help"), 0);
    ck_assert_msg(strstr(output, "usage: ovad eval"), "%s", output);
    ck_assert_int_eq(run("--help"), 0);
    ck_assert_msg(strstr(output, "eval "), "%s", output);
    remove(dets);
    rmdir(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("eval_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_frame_map);
    tcase_add_test(tc, test_video_map);
    tcase_add_test(tc, test_base_novel);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
