/* test_datasets_act.c: numpy arrays in pickles (every dtype the hooks convert, big-endian and
 * Fortran-order data, 0-d and empty arrays, numpy scalars, protocols 0-5), the ACT ground-truth
 * reader on a tiny pickle written by Python (tools/gen_dataset_fixtures.py) and on hand-made
 * broken ones, truncations and byte flips of both, person proposals in pickles, and the real
 * JHMDB-GT.pkl: the facts of ../shared/data/README.md, and its test split fed back through
 * ov_eval_load_gt as detections scores 100 in the TF and ACT frame-mAP protocols and in
 * OpenMixer's video-mAP. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/act_gt.h"
#include "data/numpy.h"
#include "data/proposals.h"
#include "eval/frame_map.h"
#include "eval/link.h"
#include "eval/load.h"
#include "eval/video_map.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

#define FIXDIR "tests/fixtures/datasets"

static uint8_t *fixture(const char *name, size_t *n) {
    char path[512];
    snprintf(path, sizeof path, FIXDIR "/%s", name);
    uint8_t *data;
    ck_assert_msg(ov_read_file(path, &data, n) == 0, "missing fixture %s (tools/gen_dataset_fixtures.py): %s", path,
                  ov_last_error());
    return data;
}

/* ---- numpy ---- */

static ovDType expected_dtype(const char *key) {
    if (!strcmp(key, "f16")) return OV_F16;
    if (!strcmp(key, "i64") || !strcmp(key, "u32") || !strcmp(key, "u64")) return OV_I64;
    if (!strcmp(key, "u8")) return OV_U8;
    if (!strcmp(key, "bool")) return OV_BOOL;
    if (key[0] == 'i' || !strcmp(key, "u16") || !strcmp(key, "be_i32")) return OV_I32;
    return OV_F32;
}

START_TEST(test_numpy_fixtures) {
    size_t ne;
    char *exp = (char *)fixture("numpy_expected.txt", &ne);
    static const char *files[] = {"numpy_arrays.p2.pkl", "numpy_arrays.p4.pkl", "numpy_arrays.p5.pkl"};
    for (int fi = 0; fi < 3; fi++) {
        size_t n;
        uint8_t *data = fixture(files[fi], &n);
        ovNumpy *np = ov_numpy_new();
        ovPkHooks h = ov_numpy_hooks(np);
        ov_scope_begin();
        ovPickle *pk = ov_pickle_parse(data, n, files[fi], &h);
        ck_assert_msg(pk, "%s", ov_last_error());
        ovPkValue *root = ov_pickle_root(pk);
        char *text = strdup(exp), *save = NULL;
        int lines = 0;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++) {
            char *key = line, *shape = strchr(key, '\t');
            ck_assert_ptr_nonnull(shape);
            *shape++ = 0;
            char *vals = strchr(shape, '\t');
            ck_assert_ptr_nonnull(vals);
            *vals++ = 0;
            ovPkValue *v = ov_pk_get(root, key);
            ck_assert_msg(v, "%s: no key %s", files[fi], key);
            if (!strcmp(shape, "scalar")) { /* numpy scalars become plain values */
                double want = strtod(vals, NULL), got = v->kind == OV_PK_FLOAT ? v->f : (double)v->i;
                ck_assert_msg(v->kind == OV_PK_INT || v->kind == OV_PK_FLOAT || v->kind == OV_PK_BOOL, "%s %s", files[fi], key);
                ck_assert_msg(got == want, "%s %s: %g vs %g", files[fi], key, got, want);
                continue;
            }
            ovTensor *t = ov_numpy_array(np, v);
            ck_assert_msg(t, "%s: %s is not an array", files[fi], key);
            ck_assert_msg(t->dtype == expected_dtype(key), "%s %s: dtype %s", files[fi], key, ov_dtype_name(t->dtype));
            int nd = 0;
            int64_t dims[8];
            for (char *p = shape; *p;) {
                dims[nd++] = strtoll(p, &p, 10);
                if (*p == ',') p++;
            }
            ck_assert_int_eq(t->ndim, nd);
            for (int d = 0; d < nd; d++) ck_assert_int_eq(t->shape[d], dims[d]);
            char *p = vals;
            for (int64_t i = 0; i < ov_numel(t); i++) {
                double want = strtod(p, &p), got = ov_get_flat(t, i);
                if (t->dtype == OV_F32) want = (float)want; /* float64 arrays are stored as f32 */
                ck_assert_msg(got == want, "%s %s[%lld]: %.17g vs %.17g", files[fi], key, (long long)i, got, want);
            }
        }
        ck_assert_int_eq(lines, 20);
        ck_assert_int_eq(ov_numpy_count(np), 17);
        free(text);
        ov_pickle_free(pk);
        ov_numpy_free(np);
        ov_scope_end();
        free(data);
    }
    free(exp);
}
END_TEST

/* A protocol-0 array pickle: _reconstruct + dtype(descr) with byte order `order` + BUILD with
 * shape (a tuple's text, e.g. "I2\n"), fortran flag and raw bytes given as a Python-2 repr body. */
static char *array_pickle(const char *descr, const char *order, const char *shape, int fortran, const char *raw) {
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n(I0\ntS'b'\ntR"
             "(I1\n(%stcnumpy\ndtype\n(S'%s'\nI0\nI1\ntR(I3\nS'%s'\nNNNI-1\nI-1\nI0\ntbI0%d\nS'%s'\ntb.",
             shape, descr, order, fortran, raw);
    return buf;
}

/* Parses a one-array pickle; 0 and the values in out[] (up to 8), or -1. */
static int parse_array(const char *text, double *out, int *n, char *msg, size_t cap) {
    ovNumpy *np = ov_numpy_new();
    ovPkHooks h = ov_numpy_hooks(np);
    ov_scope_begin();
    ovPickle *pk = ov_pickle_parse(text, strlen(text), "a.pkl", &h);
    int rc = -1;
    if (pk) {
        ovTensor *t = ov_numpy_array(np, ov_pickle_root(pk));
        if (t) {
            *n = (int)ov_numel(t);
            for (int i = 0; i < *n && i < 8; i++) out[i] = ov_get_flat(t, i);
            rc = 0;
        }
    }
    if (rc) snprintf(msg, cap, "%s", ov_last_error());
    ov_pickle_free(pk);
    ov_numpy_free(np);
    ov_scope_end();
    return rc;
}

START_TEST(test_numpy_hand_made) {
    double v[8];
    int n;
    char msg[600];
    /* 1.0f and 2.0f little-endian, as ACT's J-HMDB pickle writes them */
    ck_assert_msg(parse_array(array_pickle("f4", "<", "I2\n", 0, "\\x00\\x00\\x80?\\x00\\x00\\x00@"), v, &n, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(n, 2);
    ck_assert(v[0] == 1.0 && v[1] == 2.0);
    /* the same bytes big-endian: 0x0000803f -> 4.6e-41 (a denormal), 0x00000040 */
    ck_assert(parse_array(array_pickle("f4", ">", "I2\n", 0, "?\\x80\\x00\\x00@\\x00\\x00\\x00"), v, &n, msg, sizeof msg) == 0);
    ck_assert(v[0] == 1.0 && v[1] == 2.0);
    /* Fortran order: a 2x2 int8 array stored column by column */
    ck_assert(parse_array(array_pickle("i1", "|", "I2\nI2\n", 1, "\\x01\\x03\\x02\\x04"), v, &n, msg, sizeof msg) == 0);
    ck_assert(v[0] == 1 && v[1] == 2 && v[2] == 3 && v[3] == 4);
    /* faults: each names the pickle, the offset and what is wrong */
    static const struct {
        const char *descr, *order, *shape, *raw, *why;
    } bad[] = {
        {"f4", "<", "I2\n", "\\x00\\x00\\x80?", "holds 4 bytes, its shape and dtype need 8"},
        {"O8", "|", "I1\n", "12345678", "not supported"},
        {"U4", "<", "I1\n", "abcdabcdabcdabcd", "not supported"},
        {"f3", "<", "I1\n", "abc", "no such float"},
        {"f4", "<", "I-1\n", "", "not a size"},
        {"f4", "?", "I1\n", "abcd", "byte order"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert(parse_array(array_pickle(bad[i].descr, bad[i].order, bad[i].shape, 0, bad[i].raw), v, &n, msg, sizeof msg) == -1);
        ck_assert_msg(strstr(msg, bad[i].why) && !strncmp(msg, "a.pkl: byte ", 12), "case %zu: %s", i, msg);
    }
    /* anything but the whitelisted globals is refused, never called */
    ck_assert(parse_array("cos\nsystem\n(S'echo hi'\ntR.", v, &n, msg, sizeof msg) == -1);
    ck_assert_msg(strstr(msg, "global os.system") && strstr(msg, "not allowed"), "%s", msg);
    ck_assert(parse_array("cnumpy.core.multiarray\n_reconstruct\n(cos\nsystem\n(I0\ntS'b'\ntR.", v, &n, msg, sizeof msg) == -1);
    /* a _reconstruct that never got its BUILD is not an array */
    ck_assert(parse_array("cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n(I0\ntS'b'\ntR.", v, &n, msg, sizeof msg) == -1);
    /* numpy >= 2 module names */
    char *p2 = array_pickle("f4", "<", "I1\n", 0, "\\x00\\x00\\x80?");
    char alt[2100];
    snprintf(alt, sizeof alt, "cnumpy._core.multiarray%s", p2 + strlen("cnumpy.core.multiarray"));
    ck_assert_msg(parse_array(alt, v, &n, msg, sizeof msg) == 0, "%s", msg);
    ck_assert(v[0] == 1.0);
}
END_TEST

/* ---- ACT ground truth ---- */

static void check_act_tiny(const ovActionGt *a, long dropped, const char *what) {
    ck_assert_msg(!strcmp(a->format, "act-pickle"), "%s", what);
    ck_assert_int_eq(a->gt.nlabels, 3);
    ck_assert_str_eq(a->gt.labels[2], "clap");
    ck_assert_int_eq(a->gt.nvideos, 4);
    ck_assert_int_eq(dropped, 1); /* catch/v_b has a row at frame 4 of 3 */
    static const char *names[] = {"brush_hair/v_a", "catch/v_b", "clap/v_c", "clap/v_d"};
    static const int nframes[] = {4, 3, 5, 2}, nboxes[] = {4, 3, 2, 2}, width[] = {320, 320, 160, 160};
    for (int v = 0; v < 4; v++) {
        const ovGtVideo *vid = &a->gt.videos[v];
        ck_assert_str_eq(vid->name, names[v]);
        ck_assert_int_eq(vid->nframes, nframes[v]);
        ck_assert_int_eq(vid->width, width[v]);
        ck_assert_int_eq(vid->height, width[v] * 3 / 4);
        ck_assert_int_eq(vid->ntubes, 1);
        ck_assert_int_eq(vid->tubes[0].n, nboxes[v]);
        ck_assert_int_eq(vid->tubes[0].label, v < 2 ? v : 2);
    }
    const ovGtTube *t = &a->gt.videos[2].tubes[0];
    ck_assert_int_eq(t->frames[0], 2);
    ck_assert(t->boxes[1].x1 == 6 && t->boxes[1].y1 == 6 && t->boxes[1].x2 == 51 && t->boxes[1].y2 == 61);
    ck_assert_int_eq(a->nsplits, 2);
    ck_assert_int_eq(a->splits[0].ntrain, 2);
    ck_assert_int_eq(a->splits[0].train[1], 2);
    ck_assert_int_eq(a->splits[1].test[0], 0);
    ck_assert_int_eq(ov_action_gt_annotated_frames(a, a->splits[0].test, a->splits[0].ntest), 5);
}

START_TEST(test_act_fixtures) {
    static const char *files[] = {"act_tiny.p0.pkl", "act_tiny.p2.pkl", "act_tiny.p5.pkl"};
    for (int i = 0; i < 3; i++) {
        size_t n;
        uint8_t *data = fixture(files[i], &n);
        ovActionGt a;
        long dropped = -1;
        ck_assert_msg(ov_act_gt_parse(data, n, files[i], &a, &dropped) == 0, "%s", ov_last_error());
        check_act_tiny(&a, dropped, files[i]);
        ov_action_gt_free(&a);
        free(data);
    }
    /* through the format sniffing */
    ovActionGt a;
    ck_assert_msg(ov_action_gt_load(FIXDIR "/act_tiny.p2.pkl", NULL, &a) == 0, "%s", ov_last_error());
    ck_assert_int_eq(a.gt.nvideos, 4);
    ov_action_gt_free(&a);
    ck_assert(ov_action_gt_load(FIXDIR "/numpy_expected.txt", NULL, &a) == -1);
    ck_assert_msg(strstr(ov_last_error(), "not an ACT ground-truth pickle"), "%s", ov_last_error());
    ck_assert(ov_action_gt_load(FIXDIR "/no_such_file.pkl", NULL, &a) == -1);
    ck_assert_msg(strstr(ov_last_error(), "no_such_file.pkl"), "%s", ov_last_error());
}
END_TEST

/* A protocol-0 ACT pickle with the given text for each key's value. */
static char *act_text(const char *labels, const char *tubes, const char *nframes, const char *train, const char *test,
                      const char *res) {
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "(dS'labels'\n%sS'gttubes'\n%sS'nframes'\n%sS'train_videos'\n%sS'test_videos'\n%sS'resolution'\n%s.", labels,
             tubes, nframes, train, test, res);
    return buf;
}

START_TEST(test_act_malformed) {
    const char *L = "(lS'a'\naS'b'\nas", *T = "(dS'v1'\n(dI1\n(lssS'v2'\n(dss", *N = "(dS'v1'\nI3\nsS'v2'\nI5\nss",
               *TR = "(l(lS'v1'\naas", *TE = "(l(lS'v2'\naas", *R = "(dS'v1'\n(I240\nI320\ntss";
    ovActionGt a;
    char *ok = act_text(L, T, N, TR, TE, R);
    ck_assert_msg(ov_act_gt_parse(ok, strlen(ok), "ok.pkl", &a, NULL) == 0, "%s", ov_last_error());
    ck_assert_int_eq(a.gt.nvideos, 2);
    ck_assert_int_eq(a.gt.videos[0].width, 320);
    ck_assert_int_eq(a.gt.videos[1].width, 0); /* no resolution entry: unknown */
    ov_action_gt_free(&a);
    /* a tube as a plain list of rows (a writer without numpy) */
    char *rows = act_text(L, "(dS'v1'\n(dI1\n(l(l(I2\nF1.5\nI2\nI3\nI4\nta(I3\nI1\nI2\nI3\nI4\ntaasss", N, TR, TE, R);
    ck_assert_msg(ov_act_gt_parse(rows, strlen(rows), "rows.pkl", &a, NULL) == 0, "%s", ov_last_error());
    ck_assert(a.gt.videos[0].tubes[0].n == 2 && a.gt.videos[0].tubes[0].frames[1] == 3 && a.gt.videos[0].tubes[0].boxes[0].x1 == 1.5);
    ov_action_gt_free(&a);
    static const struct {
        const char *labels, *tubes, *nframes, *train, *test, *res, *why;
    } bad[] = {
        {"I3\ns", NULL, NULL, NULL, NULL, NULL, "'labels' is a int"},
        {"(lI1\nas", NULL, NULL, NULL, NULL, NULL, "labels[0] is not a class name"},
        {NULL, "(dS'v3'\n(dss", NULL, NULL, NULL, NULL, "video 'v3', which nframes does not list"},
        {NULL, "(dS'v1'\n(dI7\n(lsss", NULL, NULL, NULL, NULL, "not a class id in 0..1"},
        {NULL, "(dS'v1'\n(dI1\n(lI4\nasss", NULL, NULL, NULL, NULL, "not a numpy array"},
        {NULL, "(dS'v1'\n(dI1\n(l(l(I1\nI2\ntaasss", NULL, NULL, NULL, NULL, "row 0 is not 5 numbers"},
        {NULL, NULL, "(dS'v1'\nS'x'\nsS'v2'\nI5\nss", NULL, NULL, NULL, "nframes['v1'] is not a frame count"},
        {NULL, NULL, NULL, "(l(lS'v9'\naas", NULL, NULL, "train_videos[0] lists video 'v9'"},
        {NULL, NULL, NULL, "(l(lS'v1'\naa(las", NULL, NULL, "train_videos has 2 splits but test_videos 1"},
        {NULL, NULL, NULL, "(l(lS'v2'\naas", NULL, NULL, "in both its train and test lists"},
        {NULL, NULL, NULL, NULL, NULL, "(dS'v1'\n(I240\ntss", "resolution['v1'] is not a (height, width) pair"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *t = act_text(bad[i].labels ? bad[i].labels : L, bad[i].tubes ? bad[i].tubes : T,
                           bad[i].nframes ? bad[i].nframes : N, bad[i].train ? bad[i].train : TR,
                           bad[i].test ? bad[i].test : TE, bad[i].res ? bad[i].res : R);
        ck_assert_msg(ov_act_gt_parse(t, strlen(t), "bad.pkl", &a, NULL) == -1, "case %zu parsed", i);
        ck_assert_msg(strstr(ov_last_error(), bad[i].why) && !strncmp(ov_last_error(), "bad.pkl: ", 9), "case %zu: %s", i,
                      ov_last_error());
        ck_assert_int_eq(a.gt.nvideos, 0);
    }
    const char *nodict = "(lp0\n.";
    ck_assert(ov_act_gt_parse(nodict, strlen(nodict), "l.pkl", &a, NULL) == -1);
    ck_assert_msg(strstr(ov_last_error(), "not a dict"), "%s", ov_last_error());
    const char *nokey = "(dS'labels'\n(lS'a'\nas.";
    ck_assert(ov_act_gt_parse(nokey, strlen(nokey), "k.pkl", &a, NULL) == -1);
    ck_assert_msg(strstr(ov_last_error(), "has no 'gttubes'"), "%s", ov_last_error());
}
END_TEST

/* Truncations and byte flips never crash; a rejection names the copy. The alphabet: pickle opcodes
 * (MARK, STOP, TUPLE, REDUCE, BUILD, SETITEM, MEMOIZE, ...), the quote and newline of protocol 0. */
static void mutate_run(const char *file, int trials, ovMutParse parse, int *ok, int *rejected) {
    size_t n;
    uint8_t *orig = fixture(file, &n);
    ovMutRun r = {.label = file, .trials = trials, .stream = 0x5eed + n, .parse = parse,
                  .how = {.truncate_every = 4, .max_flips = 3, OV_MUT_ALPHABET("(.0tRbsuahq\x85\x94IS'\n", 3)}};
    ov_mutations_run(&r, orig, n, ok, rejected);
    free(orig);
}

static int parse_act(const uint8_t *d, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovActionGt a;
    int rc = ov_act_gt_parse(d, n, name, &a, NULL);
    if (!rc) ov_action_gt_free(&a);
    return rc;
}

static int parse_maskrcnn(const uint8_t *d, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovProposals p;
    int rc = ov_proposals_parse_maskrcnn(d, n, name, 0, &p);
    if (!rc) ov_proposals_free(&p);
    return rc;
}

static int parse_numpy(const uint8_t *d, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovNumpy *np = ov_numpy_new();
    ovPkHooks h = ov_numpy_hooks(np);
    ov_scope_begin();
    ovPickle *pk = ov_pickle_parse(d, n, name, &h);
    ov_pickle_free(pk);
    ov_scope_end();
    ov_numpy_free(np);
    return pk ? 0 : -1;
}

START_TEST(test_mutations_never_crash) {
    int ok = 0, rejected = 0;
    mutate_run("act_tiny.p0.pkl", 600, parse_act, &ok, &rejected);
    mutate_run("act_tiny.p2.pkl", 600, parse_act, &ok, &rejected);
    mutate_run("act_tiny.p5.pkl", 600, parse_act, &ok, &rejected);
    mutate_run("maskrcnn_tiny.pkl", 400, parse_maskrcnn, &ok, &rejected);
    mutate_run("numpy_arrays.p2.pkl", 400, parse_numpy, &ok, &rejected);
    mutate_run("numpy_arrays.p5.pkl", 400, parse_numpy, &ok, &rejected);
    ck_assert_msg(rejected > 1500 && ok > 50, "ok %d rejected %d", ok, rejected);
}
END_TEST

/* ---- proposals in pickles ---- */

START_TEST(test_proposal_pickles) {
    ovProposals p;
    ck_assert_msg(ov_proposals_read_maskrcnn(FIXDIR "/maskrcnn_tiny.pkl", 0, &p) == 0, "%s", ov_last_error());
    ck_assert_int_eq(p.n, 5);
    ck_assert_int_eq(p.kept, 7);
    const ovProposalFrame *f = ov_proposals_find(&p, "brush_hair/v_a", 2); /* frame index 1 -> frame 2 */
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->n, 2);
    ck_assert(f->boxes[4] == 0.5f && f->scores[1] == 0.2f);
    ck_assert_ptr_null(ov_proposals_find(&p, "brush_hair/v_a", 4));
    ck_assert_ptr_null(ov_proposals_find(&p, "catch/v_b", 0));
    ov_proposals_free(&p);
    ck_assert(ov_proposals_read_maskrcnn(FIXDIR "/maskrcnn_tiny.pkl", 0.5, &p) == 0);
    ck_assert_int_eq(p.kept, 5);
    ck_assert_int_eq(p.dropped, 2);
    ov_proposals_free(&p);

    ck_assert_msg(ov_proposals_read_ava_pkl(FIXDIR "/ava_proposals_tiny.pkl", 0.8, &p) == 0, "%s", ov_last_error());
    ck_assert_int_eq(p.n, 3);
    ck_assert_int_eq(p.kept, 2);
    f = ov_proposals_find(&p, "-5KQ66BBWC4", 902);
    ck_assert(f && f->n == 1 && f->boxes[2] == 0.3f && fabsf(f->scores[0] - 0.95f) < 1e-7f);
    f = ov_proposals_find(&p, "abc_def-123", 1798);
    ck_assert(f && f->n == 1);
    ck_assert_int_eq(ov_proposals_find(&p, "-5KQ66BBWC4", 903)->n, 0);
    ov_proposals_free(&p);
    /* the wrong layout is named */
    ck_assert(ov_proposals_read_ava_pkl(FIXDIR "/maskrcnn_tiny.pkl", 0, &p) == -1);
    ck_assert_msg(strstr(ov_last_error(), "is not \"video,second\""), "%s", ov_last_error());
}
END_TEST

/* ---- the real J-HMDB ground truth ---- */

START_TEST(test_jhmdb_real) {
    const char *path = ov_shared_file("JHMDB-GT.pkl");
    if (!path) return;
    ovActionGt a;
    long dropped = -1;
    size_t n;
    uint8_t *data;
    ck_assert(ov_read_file(path, &data, &n) == 0);
    ck_assert_msg(ov_act_gt_parse(data, n, path, &a, &dropped) == 0, "%s", ov_last_error());
    free(data);
    ck_assert_int_eq(dropped, 0);
    static const char *labels[] = {"brush_hair", "catch",     "clap",      "climb_stairs",   "golf",  "jump", "kick_ball",
                                   "pick",       "pour",      "pullup",    "push",           "run",   "shoot_ball", "shoot_bow",
                                   "shoot_gun",  "sit",       "stand",     "swing_baseball", "throw", "walk", "wave"};
    ck_assert_int_eq(a.gt.nlabels, 21);
    for (int i = 0; i < 21; i++) ck_assert_str_eq(a.gt.labels[i], labels[i]);
    ck_assert_int_eq(a.gt.nvideos, 928);
    for (int v = 0; v < 928; v++) {
        const ovGtVideo *vid = &a.gt.videos[v];
        ck_assert_msg(vid->width == 320 && vid->height == 240, "%s: %dx%d", vid->name, vid->width, vid->height);
        ck_assert(vid->nframes >= 15 && vid->nframes <= 40);
        ck_assert_int_eq(vid->ntubes, 1);
        const ovGtTube *t = &vid->tubes[0];
        ck_assert_int_eq(t->n, vid->nframes); /* frames 1..nframes, contiguous */
        ck_assert(t->frames[0] == 1 && t->frames[t->n - 1] == vid->nframes);
        /* the video's folder is its class */
        size_t ln = strlen(a.gt.labels[t->label]);
        ck_assert(!strncmp(vid->name, a.gt.labels[t->label], ln) && vid->name[ln] == '/');
    }
    int v = -1;
    for (int i = 0; i < 928; i++)
        if (!strcmp(a.gt.videos[i].name, "kick_ball/Goal_1_@_2_kick_ball_f_cm_np1_fr_goo_2")) v = i;
    ck_assert(v >= 0 && a.gt.videos[v].nframes == 19);
    const ovBox *b = &a.gt.videos[v].tubes[0].boxes[0];
    ck_assert(b->x1 == 115 && b->y1 == 27 && b->x2 == 217 && b->y2 == 239);
    static const int ntrain[] = {660, 658, 663}, ntest[] = {268, 270, 265};
    static const long test_frames[] = {9139, 8957, 9045};
    ck_assert_int_eq(a.nsplits, 3);
    for (int s = 0; s < 3; s++) {
        ck_assert_int_eq(a.splits[s].ntrain, ntrain[s]);
        ck_assert_int_eq(a.splits[s].ntest, ntest[s]);
        ck_assert_int_eq(ov_action_gt_annotated_frames(&a, a.splits[s].test, a.splits[s].ntest), test_frames[s]);
    }
    ck_assert_int_eq(ov_action_gt_annotated_frames(&a, a.splits[0].train, a.splits[0].ntrain), 22713);
    ov_action_gt_free(&a);
}
END_TEST

static void expect_100(const ovApResult *r, const char *what) {
    for (int c = 0; c < r->nlabels; c++) ck_assert_msg(r->ap[c] == 1.0, "%s: class %d AP %.17g", what, c, r->ap[c]);
    ck_assert_msg(r->mean == 1.0, "%s: mean %.17g", what, r->mean);
}

START_TEST(test_jhmdb_fed_back_scores_100) {
    const char *path = ov_shared_file("JHMDB-GT.pkl");
    if (!path) return;
    const ovEvalDataset *ds = ov_eval_dataset("jhmdb");
    ovGroundTruth gt;
    ck_assert_msg(ov_eval_load_gt(ds, path, 1, &gt) == 0, "%s", ov_last_error());
    ck_assert_int_eq(gt.nvideos, 268);
    ck_assert_int_eq(gt.nlabels, 21);
    ck_assert_int_eq(ov_gt_count_boxes(&gt), 9139);
    ovDetections d = {0};
    for (int v = 0; v < gt.nvideos; v++)
        for (int t = 0; t < gt.videos[v].ntubes; t++) {
            const ovGtTube *u = &gt.videos[v].tubes[t];
            for (int i = 0; i < u->n; i++)
                ov_dets_add(&d, (ovDetection){.video = v, .frame = u->frames[i], .label = u->label, .score = 1, .box = u->boxes[i]});
        }
    ovApResult r;
    ovFrameStats st;
    ck_assert(ov_frame_map_act(&gt, &d, 0.5, &r, &st) == 0);
    expect_100(&r, "ACT frame-mAP");
    ck_assert_int_eq(st.gt_boxes, 9139);
    ov_ap_result_free(&r);
    ov_gt_default_keyframes(&gt, ds->anno_rate);
    ovFrameTfOpts o = ov_frame_tf_defaults();
    ck_assert(ov_frame_map_tf(&gt, &d, &o, &r, &st) == 0);
    expect_100(&r, "TF frame-mAP");
    ck_assert_int_eq(st.images, 9139);
    ov_ap_result_free(&r);
    ovTubes tubes = {0};
    ck_assert(ov_link_openmixer(&gt, &d, ds->anno_rate, true, &tubes) == 0);
    ovVideoMapOpts vo = ov_video_map_defaults(OV_VIDEO_OPENMIXER);
    double thr = 0.5;
    ck_assert(ov_video_map(&gt, &tubes, &vo, 1, &thr, &r) == 0);
    expect_100(&r, "OpenMixer video-mAP@0.5");
    ov_ap_result_free(&r);
    ov_tubes_free(&tubes);
    ov_dets_free(&d);
    ov_gt_free(&gt);
    /* a split the file does not have */
    ck_assert(ov_eval_load_gt(ds, path, 4, &gt) == -1);
    ck_assert_msg(strstr(ov_last_error(), "splits 1..3"), "%s", ov_last_error());
}
END_TEST

int main(void) {
    Suite *s = suite_create("datasets_act");
    TCase *tc = tcase_create("act");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_numpy_fixtures);
    tcase_add_test(tc, test_numpy_hand_made);
    tcase_add_test(tc, test_act_fixtures);
    tcase_add_test(tc, test_act_malformed);
    tcase_add_test(tc, test_mutations_never_crash);
    tcase_add_test(tc, test_proposal_pickles);
    tcase_add_test(tc, test_jhmdb_real);
    tcase_add_test(tc, test_jhmdb_fed_back_scores_100);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
