/* test_data_stats.c: `ovad data stats` (cli/data_stats.c, compiled into this test: the command
 * is not routed from cli/main.c yet) on the real J-HMDB pickle and UCF101-24 MAT file (the facts of
 * ../shared/data/README.md as key: value lines) and on the fixtures of every other format, plus
 * its usage errors. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.c"
#include "cli/data_stats.c"
#include "tensor/file.h"
#include "tests/check_util.h"

#define FIXDIR "tests/fixtures/datasets"

typedef struct {
    int rc;
    char *out, *err;
} Run;

static char *slurp_fd(int fd) {
    lseek(fd, 0, SEEK_SET);
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    ssize_t k;
    while ((k = read(fd, s + n, cap - n - 1)) > 0) {
        n += (size_t)k;
        if (n + 1 == cap) s = realloc(s, cap *= 2);
    }
    s[n] = 0;
    return s;
}

/* Runs the command with stdout and stderr captured. */
static Run run(const char *const *args) {
    char *argv[32];
    int argc = 0;
    argv[argc++] = "stats";
    for (; args[argc - 1]; argc++) argv[argc] = (char *)args[argc - 1];
    char po[] = "/tmp/ovad-stats-out-XXXXXX", pe[] = "/tmp/ovad-stats-err-XXXXXX";
    int fo = mkstemp(po), fe = mkstemp(pe);
    ck_assert(fo >= 0 && fe >= 0);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fo, 1);
    dup2(fe, 2);
    Run r;
    r.rc = ov_cli_data_stats(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    r.out = slurp_fd(fo);
    r.err = slurp_fd(fe);
    close(fo);
    close(fe);
    remove(po);
    remove(pe);
    return r;
}

static void run_free(Run *r) {
    free(r->out);
    free(r->err);
}

/* Asserts that the output has the line "key: value". */
static void has(const Run *r, const char *line) {
    char want[256];
    snprintf(want, sizeof want, "%s\n", line);
    bool at_start = !strncmp(r->out, want, strlen(want));
    char nl[260];
    snprintf(nl, sizeof nl, "\n%s", want);
    ck_assert_msg(at_start || strstr(r->out, nl), "no line '%s' in:\n%s%s", line, r->out, r->err);
}

START_TEST(test_jhmdb_real) {
    const char *path = ov_shared_file("JHMDB-GT.pkl");
    if (!path) return;
    Run r = run((const char *[]){"--dataset", "jhmdb", "--gt", path, NULL});
    ck_assert_msg(r.rc == 0, "%s", r.err);
    static const char *lines[] = {"format: act-pickle",
                                  "labels: 21",
                                  "videos: 928",
                                  "tubes: 928",
                                  "boxes: 31852",
                                  "annotated frames: 31852",
                                  "splits: 3",
                                  "split 1 train videos: 660",
                                  "split 1 test videos: 268",
                                  "split 1 test annotated frames: 9139",
                                  "split 1 train annotated frames: 22713",
                                  "split 2 train videos: 658",
                                  "split 2 test videos: 270",
                                  "split 2 test annotated frames: 8957",
                                  "split 3 train videos: 663",
                                  "split 3 test videos: 265",
                                  "split 3 test annotated frames: 9045"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) has(&r, lines[i]);
    run_free(&r);
    r = run((const char *[]){"--dataset", "jhmdb", "--gt", path, "--split", "1", NULL});
    ck_assert(r.rc == 0 && !strstr(r.out, "split 2"));
    has(&r, "split 1 test boxes: 9139");
    run_free(&r);
    r = run((const char *[]){"--dataset", "jhmdb", "--gt", path, "--split", "4", NULL});
    ck_assert(r.rc == 1 && strstr(r.err, "no split 4"));
    run_free(&r);
}
END_TEST

START_TEST(test_ucf24_real) {
    const char *path = ov_shared_file("ucf24_finalAnnots.mat");
    if (!path) return;
    Run r = run((const char *[]){"--dataset", "ucf24", "--gt", path, NULL});
    ck_assert_msg(r.rc == 0, "%s", r.err);
    has(&r, "format: ucf24-mat");
    has(&r, "videos: 3194");
    has(&r, "labels: 24");
    has(&r, "boxes: 573862");
    has(&r, "split 1 train videos: 2284");
    has(&r, "split 1 test videos: 910");
    run_free(&r);
}
END_TEST

START_TEST(test_fixtures) {
    Run r = run((const char *[]){"--dataset", "jhmdb", "--gt", FIXDIR "/act_tiny.p2.pkl", "--root", "/no/frames", NULL});
    ck_assert_msg(r.rc == 0, "%s", r.err);
    has(&r, "videos: 4");
    has(&r, "frames: 14");
    has(&r, "frame files checked: 14");
    has(&r, "missing frame files: 14");
    run_free(&r);
    r = run((const char *[]){"--dataset", "ucf24", "--gt", FIXDIR "/yowo", NULL});
    ck_assert_msg(r.rc == 0, "%s", r.err);
    has(&r, "format: yowo");
    has(&r, "tubes: 4");
    has(&r, "split 1 test annotated frames: 4");
    run_free(&r);
    r = run((const char *[]){"--dataset", "ava", "--gt", FIXDIR "/ava/ava_val_v2.2.csv", "--root", "/no/frames", NULL});
    ck_assert_msg(r.rc == 0, "%s", r.err);
    static const char *ava[] = {"labels: 5", "videos: 2", "rows: 8", "box-action pairs: 7", "rows of other classes: 1",
                                "keyframes: 4", "boxes: 5", "excluded keyframes: 1", "missing keyframe files: 4"};
    for (size_t i = 0; i < sizeof ava / sizeof ava[0]; i++) has(&r, ava[i]);
    run_free(&r);
    r = run((const char *[]){"--dataset", "hcstvg", "--gt", FIXDIR "/hcstvg/valv2.json", NULL});
    ck_assert_msg(r.rc == 0, "%s", r.err);
    has(&r, "annotations: 2");
    has(&r, "region-text pairs: 4");
    has(&r, "box-text pairs: 6");
    has(&r, "unique sentences: 4");
    has(&r, "boxes per sentence: 1.5");
    run_free(&r);
    r = run((const char *[]){"--dataset", "vidstg", "--gt", FIXDIR "/vidstg/val_annotations.json", "--root",
                             FIXDIR "/vidstg/vidor", NULL});
    ck_assert_msg(r.rc == 0, "%s", r.err);
    has(&r, "region-text pairs: 2");
    has(&r, "questions left out: 1");
    has(&r, "captions about non-persons left out: 1");
    run_free(&r);
}
END_TEST

START_TEST(test_usage) {
    Run r = run((const char *[]){"--help", NULL});
    ck_assert(r.rc == 0 && strstr(r.out, "usage: ovad data stats"));
    run_free(&r);
    r = run((const char *[]){"--dataset", "jhmdb", NULL});
    ck_assert(r.rc == 2 && strstr(r.err, "--dataset and --gt are required"));
    run_free(&r);
    r = run((const char *[]){"--dataset", "kinetics", "--gt", "x", NULL});
    ck_assert(r.rc == 2 && strstr(r.err, "unknown dataset 'kinetics'"));
    run_free(&r);
    r = run((const char *[]){"--dataset", "jhmdb", "--gt", "x", "--split", "0", NULL});
    ck_assert(r.rc == 2 && strstr(r.err, "--split wants an integer in [1, 1000]"));
    run_free(&r);
    r = run((const char *[]){"--dataset", "vidstg", "--gt", "x", NULL});
    ck_assert(r.rc == 2 && strstr(r.err, "needs --root"));
    run_free(&r);
    r = run((const char *[]){"--dataset", "jhmdb", "--gt", "/no/such/GT.pkl", NULL});
    ck_assert(r.rc == 1 && strstr(r.err, "/no/such/GT.pkl"));
    run_free(&r);
    r = run((const char *[]){"--dataset", "hcstvg", "--gt", FIXDIR "/vocab/vocab_gpt4.json", NULL});
    ck_assert_msg(r.rc == 1 && strstr(r.err, "vocab_gpt4.json"), "%s", r.err);
    run_free(&r);
}
END_TEST

int main(void) {
    Suite *s = suite_create("data_stats");
    TCase *tc = tcase_create("stats");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_jhmdb_real);
    tcase_add_test(tc, test_ucf24_real);
    tcase_add_test(tc, test_fixtures);
    tcase_add_test(tc, test_usage);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
