/* test_eval_reference.c: the evaluators against the public reference code, run outside the
 * project by tools/gen_eval_fixtures.py on the same random ground truth and detections
 * (tests/fixtures/eval/CASE/{gt.csv,dets.csv,expected.txt}):
 *   jhmdb     OpenMixer frame-mAP (TF-OD Pascal, @0.5 and @0.2), MOC/ACT frameAP, OpenMixer
 *             prediction_to_tubes + videoAP and MOC BuildTubes (K = 1) + videoAP at the 13
 *             thresholds, and the tubes both linkers built;
 *   ucf       the same OpenMixer evaluations with keyframes and linking every 5th frame
 *             (interpolated tubes);
 *   tubelets  MOC BuildTubes on K = 3 tubelets (soft NMS) and ACT's own BuildTubes on K = 6
 *             tubelets (hard NMS), their tubes and videoAP;
 *   ava       ActivityNet get_ava_performance.py (v2.2: excluded timestamps, 50 per keyframe);
 *   grounding TubeDETR's HC-STVG evaluator (tIoU, vIoU, gt_vIoU per sample on its 5 fps frames,
 *             and the means and vIoU@0.3/0.5).
 * Per-class AP and means must agree within 1e-6 (fractions), tubes' boxes and scores within 1e-9.
 * A missing fixture fails the test. The largest differences are printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ava.h"
#include "eval/csv.h"
#include "eval/frame_map.h"
#include "eval/grounding.h"
#include "eval/link.h"
#include "eval/video_map.h"
#include "tensor/error.h"
#include "tests/check_util.h"

#define FIX "tests/fixtures/eval/"
#define AP_TOL 1e-6
#define TUBE_TOL 1e-9

/* ---- expected.txt ---- */
typedef struct {
    char key[64];
    int c; /* -1 for a mean */
    double v;
} Val;

typedef struct {
    char key[64];
    int video, label, n;
    double score;
    int *frames;
    ovBox *boxes;
} RefTube;

typedef struct {
    int nv, nt;
    Val *v;
    RefTube *t;
} Expected;

static void expected_load(const char *path, Expected *e) {
    memset(e, 0, sizeof *e);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "missing fixture %s (regenerate with tools/gen_eval_fixtures.py)", path);
    char line[512];
    int cap_v = 0, cap_t = 0;
    while (fgets(line, sizeof line, f)) {
        char key[64], val[64];
        int c, iv, n;
        double score;
        if (line[0] == '#') continue;
        if (sscanf(line, "ap %63s %d %63s", key, &c, val) == 3 || sscanf(line, "map %63s %63s", key, val) == 2) {
            if (line[0] == 'm') c = -1;
            if (e->nv == cap_v) e->v = realloc(e->v, (cap_v = 2 * cap_v + 64) * sizeof *e->v);
            Val *x = &e->v[e->nv++];
            snprintf(x->key, sizeof x->key, "%s", key);
            x->c = c;
            x->v = strcmp(val, "nan") ? strtod(val, NULL) : NAN;
        } else if (sscanf(line, "tube %63s %d %d %lf %d", key, &iv, &c, &score, &n) == 5) {
            if (e->nt == cap_t) e->t = realloc(e->t, (cap_t = 2 * cap_t + 64) * sizeof *e->t);
            RefTube *t = &e->t[e->nt++];
            snprintf(t->key, sizeof t->key, "%s", key);
            t->video = iv;
            t->label = c;
            t->score = score;
            t->n = n;
            t->frames = malloc(n * sizeof *t->frames);
            t->boxes = malloc(n * sizeof *t->boxes);
            for (int i = 0; i < n; i++) {
                ck_assert(fgets(line, sizeof line, f));
                ck_assert_int_eq(sscanf(line, "%d %lf %lf %lf %lf", &t->frames[i], &t->boxes[i].x1, &t->boxes[i].y1,
                                        &t->boxes[i].x2, &t->boxes[i].y2),
                                 5);
            }
        } else {
            ck_abort_msg("%s: cannot parse '%s'", path, line);
        }
    }
    fclose(f);
}

static void expected_free(Expected *e) {
    for (int i = 0; i < e->nt; i++) {
        free(e->t[i].frames);
        free(e->t[i].boxes);
    }
    free(e->t);
    free(e->v);
}

/* largest differences seen in a test, printed at its end: per-class APs, means (ACT's reference
 * averages in float32 percent), tubes' boxes and scores */
static double worst_ap, worst_mean, worst_tube;

static void report(const char *name) {
    printf("%s: largest difference per-class AP %.3g, mean AP %.3g, tube box/score %.3g\n", name, worst_ap, worst_mean,
           worst_tube);
    worst_ap = worst_mean = worst_tube = 0;
}

/* Compares a result with the reference values of `key`; returns how many were compared. */
static int check_result(const Expected *e, const char *key, const ovApResult *r) {
    int n = 0;
    for (int i = 0; i < e->nv; i++) {
        const Val *x = &e->v[i];
        if (strcmp(x->key, key)) continue;
        double got = x->c < 0 ? r->mean : r->ap[x->c];
        if (isnan(x->v) || isnan(got)) {
            ck_assert_msg(isnan(x->v) && isnan(got), "%s class %d: got %.17g, reference %.17g", key, x->c, got, x->v);
        } else {
            double d = fabs(got - x->v);
            double *w = x->c < 0 ? &worst_mean : &worst_ap;
            if (d > *w) *w = d;
            ck_assert_msg(d <= AP_TOL, "%s class %d: got %.17g, reference %.17g (diff %.3g)", key, x->c, got, x->v, d);
        }
        n++;
    }
    ck_assert_msg(n > 0, "no reference values for %s", key);
    return n;
}

static int before_tube(const ovTube *a, const ovTube *b) {
    if (a->video != b->video) return a->video < b->video;
    if (a->label != b->label) return a->label < b->label;
    if (a->frames[0] != b->frames[0]) return a->frames[0] < b->frames[0];
    return a->score < b->score;
}

/* Compares tubes with the reference's tubes of `key`, in order, or as sets when `sorted`. */
static void check_tubes(const Expected *e, const char *key, const ovTubes *tubes, bool sorted) {
    int nref = 0;
    for (int i = 0; i < e->nt; i++) nref += !strcmp(e->t[i].key, key);
    ck_assert_msg(nref == tubes->n, "%s: %d tubes, the reference built %d", key, tubes->n, nref);
    ck_assert_msg(nref > 0, "%s: no tubes to compare", key);
    /* order of ours (insertion sort: a few hundred tubes) */
    int *ord = malloc(tubes->n * sizeof *ord);
    for (int i = 0; i < tubes->n; i++) ord[i] = i;
    if (sorted)
        for (int i = 1; i < tubes->n; i++)
            for (int j = i; j > 0 && before_tube(&tubes->t[ord[j]], &tubes->t[ord[j - 1]]); j--) {
                int t = ord[j];
                ord[j] = ord[j - 1];
                ord[j - 1] = t;
            }
    /* the reference's, sorted the same way when asked */
    const RefTube **ref = malloc(nref * sizeof *ref);
    int k = 0;
    for (int i = 0; i < e->nt; i++)
        if (!strcmp(e->t[i].key, key)) ref[k++] = &e->t[i];
    if (sorted)
        for (int i = 1; i < nref; i++)
            for (int j = i; j > 0; j--) {
                const RefTube *a = ref[j], *b = ref[j - 1];
                bool before = a->video != b->video ? a->video < b->video
                              : a->label != b->label ? a->label < b->label
                              : a->frames[0] != b->frames[0] ? a->frames[0] < b->frames[0]
                                                             : a->score < b->score;
                if (!before) break;
                ref[j] = b;
                ref[j - 1] = a;
            }
    for (int i = 0; i < nref; i++) {
        const ovTube *t = &tubes->t[ord[i]];
        const RefTube *r = ref[i];
        ck_assert_msg(t->video == r->video && t->label == r->label && t->n == r->n,
                      "%s tube %d: video %d class %d with %d frames, reference video %d class %d with %d frames", key, i,
                      t->video, t->label, t->n, r->video, r->label, r->n);
        double d = fabs(t->score - r->score);
        for (int f = 0; f < t->n; f++) {
            ck_assert_int_eq(t->frames[f], r->frames[f]);
            const double a[4] = {t->boxes[f].x1, t->boxes[f].y1, t->boxes[f].x2, t->boxes[f].y2};
            const double b[4] = {r->boxes[f].x1, r->boxes[f].y1, r->boxes[f].x2, r->boxes[f].y2};
            for (int q = 0; q < 4; q++)
                if (fabs(a[q] - b[q]) > d) d = fabs(a[q] - b[q]);
        }
        if (d > worst_tube) worst_tube = d;
        ck_assert_msg(d <= TUBE_TOL, "%s tube %d (video %d class %d): differs by %.3g", key, i, t->video, t->label, d);
    }
    free(ord);
    free(ref);
}

static void load_case(const char *name, int split, ovGroundTruth *gt, ovDetections *dets, bool ava) {
    char p[256];
    snprintf(p, sizeof p, FIX "%s/gt.csv", name);
    ck_assert_msg(ov_gt_read_csv(p, split, gt) == 0, "%s", ov_last_error());
    snprintf(p, sizeof p, FIX "%s/dets.csv", name);
    memset(dets, 0, sizeof *dets);
    ovDetCsvOpts o = {.skip_unknown_labels = ava};
    ck_assert_msg(ov_dets_read_csv(p, gt, &o, dets, NULL) == 0, "%s", ov_last_error());
}

static void check_video(const Expected *e, const char *prefix, const ovGroundTruth *gt, const ovTubes *tubes,
                        ovVideoMapOpts o) {
    double thr[OV_VIDEO_NTHR];
    ov_video_thresholds(thr);
    ovApResult res[OV_VIDEO_NTHR];
    ck_assert_msg(ov_video_map(gt, tubes, &o, OV_VIDEO_NTHR, thr, res) == 0, "%s", ov_last_error());
    for (int i = 0; i < OV_VIDEO_NTHR; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s#%d", prefix, i);
        check_result(e, key, &res[i]);
        ov_ap_result_free(&res[i]);
    }
}

static void frame_cases(const char *name, int rate) {
    Expected e;
    char p[256];
    snprintf(p, sizeof p, FIX "%s/expected.txt", name);
    expected_load(p, &e);
    ovGroundTruth gt;
    ovDetections dets;
    load_case(name, 1, &gt, &dets, false);
    ov_gt_default_keyframes(&gt, rate);
    ovApResult r;
    ovFrameTfOpts o = ov_frame_tf_defaults();
    const double ious[] = {0.5, 0.2};
    for (int i = 0; i < 2; i++) {
        o.iou = ious[i];
        ck_assert(ov_frame_map_tf(&gt, &dets, &o, &r, NULL) == 0);
        snprintf(p, sizeof p, "tf@%g", ious[i]);
        check_result(&e, p, &r);
        ov_ap_result_free(&r);
    }
    /* OpenMixer's linking and videoAP */
    ovTubes tubes = {0};
    ck_assert(ov_link_openmixer(&gt, &dets, rate, true, &tubes) == 0);
    check_tubes(&e, "video-openmixer", &tubes, true);
    ovVideoMapOpts vo = ov_video_map_defaults(OV_VIDEO_OPENMIXER);
    vo.anno_rate = rate;
    check_video(&e, "video-openmixer", &gt, &tubes, vo);
    ov_tubes_free(&tubes);
    if (rate == 1) { /* ACT frameAP, MOC's linker and videoAP */
        ck_assert(ov_frame_map_act(&gt, &dets, 0.5, &r, NULL) == 0);
        check_result(&e, "act@0.5", &r);
        ov_ap_result_free(&r);
        ovLinkParams lp = ov_link_params_moc(1);
        ck_assert(ov_link_online_dets(&gt, &dets, &lp, &tubes) == 0);
        check_tubes(&e, "video-moc", &tubes, false);
        check_video(&e, "video-moc", &gt, &tubes, ov_video_map_defaults(OV_VIDEO_ACT));
        ov_tubes_free(&tubes);
    }
    ov_dets_free(&dets);
    ov_gt_free(&gt);
    expected_free(&e);
    report(name);
}

START_TEST(test_jhmdb_like) { frame_cases("jhmdb", 1); }
END_TEST

START_TEST(test_ucf_like) { frame_cases("ucf", 5); }
END_TEST

/* tubelets{3,6}.txt: "video start label score" then K boxes; linked per video and class. */
static void link_tubelets(const char *path, const ovGroundTruth *gt, const ovLinkParams *p, ovTubes *out) {
    int K = p->K;
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "missing fixture %s", path);
    int n = 0, cap = 0, *vid = NULL, *start = NULL, *lab = NULL;
    double *score = NULL;
    ovBox *box = NULL;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        if (n == cap) {
            cap = 2 * cap + 256;
            vid = realloc(vid, cap * sizeof *vid);
            start = realloc(start, cap * sizeof *start);
            lab = realloc(lab, cap * sizeof *lab);
            score = realloc(score, cap * sizeof *score);
            box = realloc(box, (size_t)cap * K * sizeof *box);
        }
        char *s = line;
        int used;
        ck_assert_int_eq(sscanf(s, "%d %d %d %lf%n", &vid[n], &start[n], &lab[n], &score[n], &used), 4);
        s += used;
        for (int k = 0; k < K; k++) {
            ovBox *b = &box[(size_t)n * K + k];
            ck_assert_int_eq(sscanf(s, "%lf %lf %lf %lf%n", &b->x1, &b->y1, &b->x2, &b->y2, &used), 4);
            s += used;
        }
        n++;
    }
    fclose(f);
    /* rows of each (video, class, start) are contiguous in file order within their start frame */
    for (int v = 0; v < gt->nvideos; v++)
        for (int c = 0; c < gt->nlabels; c++) {
            int ns = gt->videos[v].nframes - K + 1;
            ovTubeletsAt *at = calloc(ns, sizeof *at);
            ovBox *bb = malloc((size_t)(n + 1) * K * sizeof *bb);
            double *ss = malloc((n + 1) * sizeof *ss);
            int m = 0;
            for (int s0 = 1; s0 <= ns; s0++) {
                int first = m;
                for (int i = 0; i < n; i++)
                    if (vid[i] == v && lab[i] == c && start[i] == s0) {
                        memcpy(&bb[(size_t)m * K], &box[(size_t)i * K], K * sizeof *bb);
                        ss[m++] = score[i];
                    }
                at[s0 - 1] = (ovTubeletsAt){m - first, &bb[(size_t)first * K], &ss[first]};
            }
            ov_link_online(p, v, c, gt->videos[v].nframes, at, out);
            free(at);
            free(bb);
            free(ss);
        }
    free(vid);
    free(start);
    free(lab);
    free(score);
    free(box);
}

START_TEST(test_tubelets) {
    Expected e;
    expected_load(FIX "tubelets/expected.txt", &e);
    ovGroundTruth gt;
    ck_assert_msg(ov_gt_read_csv(FIX "tubelets/gt.csv", 0, &gt) == 0, "%s", ov_last_error());
    ovTubes tubes = {0};
    ovLinkParams moc = ov_link_params_moc(3), act = ov_link_params_act(6);
    link_tubelets(FIX "tubelets/tubelets3.txt", &gt, &moc, &tubes);
    check_tubes(&e, "video-moc3", &tubes, false);
    check_video(&e, "video-moc3", &gt, &tubes, ov_video_map_defaults(OV_VIDEO_ACT));
    ov_tubes_free(&tubes);
    link_tubelets(FIX "tubelets/tubelets6.txt", &gt, &act, &tubes);
    check_tubes(&e, "video-act6", &tubes, false);
    check_video(&e, "video-act6", &gt, &tubes, ov_video_map_defaults(OV_VIDEO_ACT));
    ov_tubes_free(&tubes);
    ov_gt_free(&gt);
    expected_free(&e);
    report("tubelets");
}
END_TEST

START_TEST(test_ava) {
    Expected e;
    expected_load(FIX "ava/expected.txt", &e);
    ovGroundTruth gt;
    ovDetections dets;
    load_case("ava", 0, &gt, &dets, true);
    ovApResult r;
    ovAvaOpts o = ov_ava_defaults();
    ovAvaStats s;
    ck_assert(ov_ava_frame_ap(&gt, &dets, &o, &r, &s) == 0);
    ck_assert_msg(s.capped > 0 && s.ignored > 0 && s.invalid > 0, "the fixture should exercise the cap, exclusions and "
                  "invalid boxes (%ld %ld %ld)", s.capped, s.ignored, s.invalid);
    check_result(&e, "ava@0.5", &r);
    ov_ap_result_free(&r);
    ov_dets_free(&dets);
    ov_gt_free(&gt);
    expected_free(&e);
    report("ava");
}
END_TEST

START_TEST(test_grounding) {
    FILE *f = fopen(FIX "grounding/samples.txt", "r");
    ck_assert_msg(f, "missing fixture " FIX "grounding/samples.txt");
    char line[512];
    int n = 0, cap = 0;
    ovGroundingSample *s = NULL;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        if (n == cap) s = realloc(s, (cap = 2 * cap + 16) * sizeof *s);
        ovGroundingSample *x = &s[n++];
        ck_assert_int_eq(sscanf(line, "sample %d %d %d %d %d", &x->gt_begin, &x->gt_end, &x->pred_begin, &x->pred_end,
                                &x->n),
                         5);
        int *fr = malloc(x->n * sizeof *fr);
        ovBox *g = malloc(x->n * sizeof *g), *p = malloc(x->n * sizeof *p);
        for (int i = 0; i < x->n; i++) {
            ck_assert(fgets(line, sizeof line, f));
            ck_assert_int_eq(sscanf(line, "%d %lf %lf %lf %lf %lf %lf %lf %lf", &fr[i], &g[i].x1, &g[i].y1, &g[i].x2,
                                    &g[i].y2, &p[i].x1, &p[i].y1, &p[i].x2, &p[i].y2),
                             9);
        }
        x->frames = fr;
        x->gt_boxes = g;
        x->pred_boxes = p;
    }
    fclose(f);
    ovGroundingScore *per = malloc(n * sizeof *per);
    ovGroundingResult r = ov_grounding_eval(s, n, per);
    f = fopen(FIX "grounding/expected.txt", "r");
    ck_assert_msg(f, "missing fixture " FIX "grounding/expected.txt");
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        int i;
        double t, v, g;
        char name[64];
        if (sscanf(line, "sample %d %lf %lf %lf", &i, &t, &v, &g) == 4) {
            ck_assert(i < n);
            double d = fmax(fabs(per[i].tiou - t), fmax(fabs(per[i].viou - v), fabs(per[i].gt_viou - g)));
            if (d > worst_ap) worst_ap = d;
            ck_assert_msg(d <= 1e-12, "sample %d: tIoU %.17g vIoU %.17g gt_vIoU %.17g, reference %.17g %.17g %.17g", i,
                          per[i].tiou, per[i].viou, per[i].gt_viou, t, v, g);
            checked++;
        } else if (sscanf(line, "metric %63s %lf", name, &v) == 2) {
            double got = !strcmp(name, "tiou")          ? r.m_tiou
                         : !strcmp(name, "viou")        ? r.m_viou
                         : !strcmp(name, "gt_viou")     ? r.m_gt_viou
                         : !strcmp(name, "viou@0.3")    ? r.viou_03
                         : !strcmp(name, "viou@0.5")    ? r.viou_05
                         : !strcmp(name, "gt_viou@0.3") ? r.gt_viou_03
                         : !strcmp(name, "gt_viou@0.5") ? r.gt_viou_05
                                                        : NAN;
            double d = fabs(got - v);
            if (d > worst_mean) worst_mean = d;
            ck_assert_msg(d <= 1e-12, "%s: %.17g, reference %.17g", name, got, v);
            checked++;
        }
    }
    fclose(f);
    ck_assert_int_eq(checked, n + 7);
    for (int i = 0; i < n; i++) {
        free((void *)s[i].frames);
        free((void *)s[i].gt_boxes);
        free((void *)s[i].pred_boxes);
    }
    free(s);
    free(per);
    report("grounding");
}
END_TEST

int main(void) {
    Suite *s = suite_create("eval_reference");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_jhmdb_like);
    tcase_add_test(tc, test_ucf_like);
    tcase_add_test(tc, test_tubelets);
    tcase_add_test(tc, test_ava);
    tcase_add_test(tc, test_grounding);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
