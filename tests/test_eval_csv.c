/* test_eval_csv.c: the detections and ground-truth CSV readers (eval/csv.h) on good files, on
 * every kind of malformed line (each error must name the file, the line and the column), on every
 * truncation of a valid file, and on a few thousand random mutations (parse or fail cleanly,
 * never crash, never leave half a result; run under ASan by `make asan`). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/csv.h"
#include "tensor/error.h"
#include "tests/check_util.h"

static const char *gt_text =
    "# ovad ground truth v1\n"
    "# comments may say anything, even \"quotes\n"
    "label,wave\n"
    "label,\"sit, then stand\"\n"
    "video,clip/a,20,320,240\n"
    "video,\"clip,b\",10,320,240\n"
    "box,clip/a,7,wave,2,10,20,50,120\n"
    "box,clip/a,7,wave,1,11,20,51,120\n"
    "box,clip/a,3,\"sit, then stand\",1,100,20,150,120\r\n"
    "box,\"clip,b\",0,wave,5,0,0,10.5,10.25\n"
    "keyframe,clip/a,1\n"
    "exclude,\"clip,b\",5\n"
    "test,1,clip/a\n"
    "test,2,\"clip,b\"\n";

static const char *det_text =
    "video,frame,x1,y1,x2,y2,label,score\n"
    "clip/a,1,10.5,20,50,120,wave,0.9\n"
    "\"clip,b\",5,0,0,10,10,\"sit, then stand\",0.25\r\n"
    "\n"
    "not/evaluated,3,0,0,10,10,wave,0.5\n"
    "  clip/a , 2 , 1e1 , 2.5e1 , 50 , 120 , wave , 1 \n";

static void parse_gt(ovGroundTruth *gt, int split) {
    ck_assert_msg(ov_gt_parse_csv(gt_text, strlen(gt_text), "gt.csv", split, gt) == 0, "%s", ov_last_error());
}

START_TEST(test_good_files) {
    ovGroundTruth gt;
    parse_gt(&gt, 0);
    ck_assert_int_eq(gt.nlabels, 2);
    ck_assert_str_eq(gt.labels[1], "sit, then stand");
    ck_assert_int_eq(gt.nvideos, 2);
    ck_assert_str_eq(gt.videos[1].name, "clip,b");
    /* tubes in order of first appearance, frames sorted */
    ck_assert_int_eq(gt.videos[0].ntubes, 2);
    ck_assert_int_eq(gt.videos[0].tubes[0].n, 2);
    ck_assert_int_eq(gt.videos[0].tubes[0].frames[0], 1);
    ck_assert(gt.videos[0].tubes[0].boxes[0].x1 == 11);
    ck_assert_int_eq(gt.videos[0].tubes[1].label, 1);
    ck_assert(gt.videos[1].tubes[0].boxes[0].y2 == 10.25);
    ck_assert_int_eq(gt.videos[0].nkeyframes, 1);
    ck_assert_int_eq(gt.videos[1].nexcluded, 1);
    ovDetections d = {0};
    ovDetCsvStats st;
    ck_assert_msg(ov_dets_parse_csv(det_text, strlen(det_text), "dets.csv", &gt, NULL, &d, &st) == 0, "%s",
                  ov_last_error());
    ck_assert_int_eq(d.n, 3);
    ck_assert_int_eq(st.rows, 4);
    ck_assert_int_eq(st.unknown_video, 1);
    ck_assert_int_eq(d.d[1].video, 1);
    ck_assert_int_eq(d.d[1].label, 1);
    ck_assert(d.d[2].box.x1 == 10 && d.d[2].box.y1 == 25 && d.d[2].score == 1);
    ov_dets_free(&d);
    ov_gt_free(&gt);
    /* split 2 keeps "clip,b" only */
    parse_gt(&gt, 2);
    ck_assert_int_eq(gt.nvideos, 1);
    ck_assert_str_eq(gt.videos[0].name, "clip,b");
    ov_gt_free(&gt);
    ck_assert(ov_gt_parse_csv(gt_text, strlen(gt_text), "gt.csv", 3, &gt) == -1);
    ck_assert_str_eq(ov_last_error(), "gt.csv: no test videos for split 3");
}
END_TEST

/* Each malformed detections line gives exactly this message. */
START_TEST(test_det_errors) {
    ovGroundTruth gt;
    parse_gt(&gt, 0);
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "dets.csv: empty file (expected the header video,frame,x1,y1,x2,y2,label,score)"},
        {"video,frame,x1,y1,x2,y2,label\n", "dets.csv:1: expected the header video,frame,x1,y1,x2,y2,label,score"},
        {"video,frame,x1,y1,x2,y2,label,score\nclip/a,1,abc,0,10,10,wave,0.5\n",
         "dets.csv:2: column 3 (x1): expected a number, got 'abc'"},
        {"video,frame,x1,y1,x2,y2,label,score\nclip/a,1.5,0,0,10,10,wave,0.5\n",
         "dets.csv:2: column 2 (frame): expected an integer, got '1.5'"},
        {"video,frame,x1,y1,x2,y2,label,score\nclip/a,1,0,0,10,10,wave,nan\n",
         "dets.csv:2: column 8 (score): expected a number, got 'nan'"},
        {"video,frame,x1,y1,x2,y2,label,score\nclip/a,1,0,0,1e999,10,wave,0.5\n",
         "dets.csv:2: column 5 (x2): expected a number, got '1e999'"},
        {"video,frame,x1,y1,x2,y2,label,score\nclip/a,1,0,,10,10,wave,0.5\n",
         "dets.csv:2: column 4 (y1): expected a number, got ''"},
        {"video,frame,x1,y1,x2,y2,label,score\nclip/a,99999999999,0,0,10,10,wave,0.5\n",
         "dets.csv:2: column 2 (frame): expected an integer, got '99999999999'"},
        {"video,frame,x1,y1,x2,y2,label,score\n\nclip/a,1,0,0,10,10,wave\n",
         "dets.csv:3: expected 8 columns (video,frame,x1,y1,x2,y2,label,score), got 7"},
        {"video,frame,x1,y1,x2,y2,label,score\nclip/a,1,0,0,10,10,fly,0.5\n",
         "dets.csv:2: column 7 (label): unknown class 'fly' (2 classes in the ground truth)"},
        {"video,frame,x1,y1,x2,y2,label,score\n\"clip/a,1,0,0,10,10,wave,0.5\n",
         "dets.csv:2: column 1: a quoted field is not closed"},
        {"video,frame,x1,y1,x2,y2,label,score\n\"clip/a\"x,1,0,0,10,10,wave,0.5\n",
         "dets.csv:2: column 1: text after a closing quote"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ovDetections d = {0};
        ck_assert_int_eq(ov_dets_parse_csv(cases[i].text, strlen(cases[i].text), "dets.csv", &gt, NULL, &d, NULL), -1);
        ck_assert_str_eq(ov_last_error(), cases[i].msg);
        ck_assert_int_eq(d.n, 0);
        ov_dets_free(&d);
    }
    /* a NUL byte */
    const char nul[] = "video,frame,x1,y1,x2,y2,label,score\nclip/a,1,0\0,0,10,10,wave,0.5\n";
    ovDetections d = {0};
    ck_assert_int_eq(ov_dets_parse_csv(nul, sizeof nul - 1, "dets.csv", &gt, NULL, &d, NULL), -1);
    ck_assert_str_eq(ov_last_error(), "dets.csv:2: a NUL byte in a text file");
    /* AVA's whitelist: unknown classes counted, not an error */
    const char *ava = "video,frame,x1,y1,x2,y2,label,score\nclip/a,1,0,0,10,10,fly,0.5\nclip/a,1,0,0,10,10,wave,0.5\n";
    ovDetCsvOpts o = {.skip_unknown_labels = true};
    ovDetCsvStats st;
    ck_assert(ov_dets_parse_csv(ava, strlen(ava), "dets.csv", &gt, &o, &d, &st) == 0);
    ck_assert_int_eq(d.n, 1);
    ck_assert_int_eq(st.unknown_label, 1);
    ov_dets_free(&d);
    /* a missing file */
    ck_assert(ov_dets_read_csv("/nonexistent/dets.csv", &gt, NULL, &d, NULL) == -1);
    ck_assert_msg(strstr(ov_last_error(), "/nonexistent/dets.csv: cannot open"), "%s", ov_last_error());
    ov_gt_free(&gt);
}
END_TEST

START_TEST(test_gt_errors) {
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"label,a\n", "gt.csv:1: not an ovad ground-truth file (its first line must be '# ovad ground truth v1')"},
        {"# ovad ground truth v1\nlabel,a\nlabel,a\n", "gt.csv:3: class 'a' is declared twice"},
        {"# ovad ground truth v1\nlabel,a\nvideo,v,10,320\n", "gt.csv:3: a video record has 4 fields, expected 5"},
        {"# ovad ground truth v1\nlabel,a\nvideo,v,10,320,x\n",
         "gt.csv:3: column 5 (height): expected an integer, got 'x'"},
        {"# ovad ground truth v1\nlabel,a\nbox,v,0,a,1,0,0,1,1\n",
         "gt.csv:3: video 'v' is not declared (a 'video' record must come first)"},
        {"# ovad ground truth v1\nlabel,a\nvideo,v,10,320,240\nbox,v,0,b,1,0,0,1,1\n",
         "gt.csv:4: column 4 (label): class 'b' is not declared"},
        {"# ovad ground truth v1\nlabel,a\nlabel,b\nvideo,v,10,320,240\nbox,v,0,a,1,0,0,1,1\nbox,v,0,b,2,0,0,1,1\n",
         "gt.csv:6: tube 0 of video 'v' has class b here but a on line 5"},
        {"# ovad ground truth v1\nlabel,a\nvideo,v,10,320,240\nbox,v,0,a,1,0,0,1,1\nbox,v,0,a,1,0,0,2,2\n",
         "gt.csv:5: tube 0 of video 'v' has frame 1 twice (also line 4)"},
        {"# ovad ground truth v1\nlabel,a\nvideo,v,10,320,240\nbox,v,0,a,1,0,0,1,inf\n",
         "gt.csv:4: column 9 (y2): expected a number, got 'inf'"},
        {"# ovad ground truth v1\nlabel,a\nvideo,v,10,320,240\nsplit,1,v\n",
         "gt.csv:4: unknown record 'split' (expected label, video, box, keyframe, exclude or test)"},
        {"# ovad ground truth v1\nlabel,a\nvideo,v,10,320,240\ntest,0,v\n",
         "gt.csv:4: column 2 (split): splits are numbered from 1, got 0"},
        {"# ovad ground truth v1\nvideo,v,-1,320,240\n", "gt.csv:2: video 'v': negative size"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ovGroundTruth gt;
        ck_assert_int_eq(ov_gt_parse_csv(cases[i].text, strlen(cases[i].text), "gt.csv", 0, &gt), -1);
        ck_assert_str_eq(ov_last_error(), cases[i].msg);
        ck_assert_int_eq(gt.nvideos, 0);
        ck_assert_int_eq(gt.nlabels, 0);
    }
}
END_TEST

/* Every prefix of the files parses or fails with a message naming the file, and a failed parse
 * leaves nothing behind. */
START_TEST(test_truncated_files) {
    ovGroundTruth ref;
    parse_gt(&ref, 0);
    size_t n = strlen(gt_text);
    for (size_t len = 0; len <= n; len++) {
        char *buf = malloc(len ? len : 1); /* exactly len bytes: ASan catches a read past the end */
        memcpy(buf, gt_text, len);
        ovGroundTruth gt;
        if (ov_gt_parse_csv(buf, len, "gt.csv", 0, &gt) == 0)
            ov_gt_free(&gt);
        else
            ck_assert_msg(!strncmp(ov_last_error(), "gt.csv", 6), "%s", ov_last_error());
        free(buf);
    }
    n = strlen(det_text);
    int ok = 0;
    for (size_t len = 0; len <= n; len++) {
        char *buf = malloc(len ? len : 1);
        memcpy(buf, det_text, len);
        ovDetections d = {0};
        ov_dets_add(&d, (ovDetection){0});
        if (ov_dets_parse_csv(buf, len, "dets.csv", &ref, NULL, &d, NULL) == 0)
            ok++;
        else {
            ck_assert_msg(!strncmp(ov_last_error(), "dets.csv", 8), "%s", ov_last_error());
            ck_assert_int_eq(d.n, 1); /* what was there before stays, nothing is added */
        }
        ov_dets_free(&d);
        free(buf);
    }
    ck_assert(ok > 10);
    ov_gt_free(&ref);
}
END_TEST

static unsigned long long rng_state = 88172645463325252ull;
static unsigned rnd(void) { /* xorshift64 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state >> 11);
}

/* A copy of text with 1..4 random edits: a byte replaced, inserted or deleted, or a line cut. */
static char *mutate(const char *text, size_t *len) {
    static const char alphabet[] = ",\"\n\r\t 0123456789.-+eEinfa#x\0\377";
    size_t n = strlen(text), cap = n + 16;
    char *b = malloc(cap);
    memcpy(b, text, n);
    int edits = 1 + rnd() % 4;
    for (int e = 0; e < edits; e++) {
        size_t at = n ? rnd() % n : 0;
        char c = alphabet[rnd() % (sizeof alphabet - 1)];
        switch (rnd() % 4) {
        case 0:
            if (n) b[at] = c;
            break;
        case 1:
            if (n + 1 < cap) {
                memmove(b + at + 1, b + at, n - at);
                b[at] = c;
                n++;
            }
            break;
        case 2:
            if (n) {
                memmove(b + at, b + at + 1, n - at - 1);
                n--;
            }
            break;
        default:
            n = at;
        }
    }
    *len = n;
    return b;
}

START_TEST(test_mutations_never_crash) {
    ovGroundTruth ref;
    parse_gt(&ref, 0);
    int parsed = 0, failed = 0;
    for (int it = 0; it < 3000; it++) {
        size_t len;
        char *b = mutate(gt_text, &len);
        ovGroundTruth gt;
        if (ov_gt_parse_csv(b, len, "gt.csv", it % 3, &gt) == 0) {
            parsed++;
            ov_gt_free(&gt);
        } else {
            failed++;
            ck_assert_msg(!strncmp(ov_last_error(), "gt.csv", 6), "%s", ov_last_error());
        }
        free(b);
        b = mutate(det_text, &len);
        ovDetections d = {0};
        ovDetCsvOpts o = {.skip_unknown_labels = it % 2};
        if (ov_dets_parse_csv(b, len, "dets.csv", &ref, &o, &d, NULL) == 0) {
            parsed++;
            for (int i = 0; i < d.n; i++) /* whatever parsed is usable */
                ck_assert(d.d[i].video >= 0 && d.d[i].video < ref.nvideos && d.d[i].label >= 0 &&
                          d.d[i].label < ref.nlabels && isfinite(d.d[i].score) && isfinite(d.d[i].box.x1));
        } else {
            failed++;
            ck_assert_msg(!strncmp(ov_last_error(), "dets.csv", 8), "%s", ov_last_error());
            ck_assert_int_eq(d.n, 0);
        }
        ov_dets_free(&d);
        free(b);
    }
    ck_assert(parsed > 500 && failed > 500);
    ov_gt_free(&ref);
}
END_TEST

START_TEST(test_write_read_back) {
    ovGroundTruth gt;
    parse_gt(&gt, 0);
    ovDetections d = {0};
    ck_assert(ov_dets_parse_csv(det_text, strlen(det_text), "dets.csv", &gt, NULL, &d, NULL) == 0);
    d.d[0].score = 0.1 + 0.2; /* not a short decimal: %.17g must bring it back */
    char path[] = "/tmp/ovad-eval-dets-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fclose(f);
    ck_assert(ov_dets_write_csv(path, &gt, &d) == 0);
    ovDetections back = {0};
    ck_assert_msg(ov_dets_read_csv(path, &gt, NULL, &back, NULL) == 0, "%s", ov_last_error());
    ck_assert_int_eq(back.n, d.n);
    for (int i = 0; i < d.n; i++) {
        const ovDetection *a = &back.d[i], *b = &d.d[i];
        ck_assert(a->video == b->video && a->frame == b->frame && a->label == b->label && a->score == b->score);
        ck_assert(!memcmp(&a->box, &b->box, sizeof a->box));
    }
    remove(path);
    ov_dets_free(&back);
    ov_dets_free(&d);
    ov_gt_free(&gt);
}
END_TEST

int main(void) {
    Suite *s = suite_create("eval_csv");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_good_files);
    tcase_add_test(tc, test_det_errors);
    tcase_add_test(tc, test_gt_errors);
    tcase_add_test(tc, test_truncated_files);
    tcase_add_test(tc, test_mutations_never_crash);
    tcase_add_test(tc, test_write_read_back);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
