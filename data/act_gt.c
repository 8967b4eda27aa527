/* act_gt.c: ACT ground-truth pickles into an ovActionGt (act_gt.h). The pickle is parsed with the
 * numpy hooks in a scope of its own, walked into the plain arrays of eval/types.h, and the scope
 * closed: nothing of the pickle outlives the call. */
#include "data/act_gt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/numpy.h"
#include "eval/util.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tensor/scope.h"

typedef struct {
    const char *name;
    ovNumpy *np;
    ovActionGt *a;
    ovNameIndex videos;
    long dropped;
} Ctx;

/* A pickled string (Python-3 str or Python-2 bytes) as a C string; NULL if it is not one or holds
 * a NUL byte. */
static const char *str_of(const ovPkValue *v) {
    if (!ov_pk_is_str(v) && !(v && v->kind == OV_PK_BYTES)) return NULL;
    return strlen(v->s) == v->len ? v->s : NULL;
}

static const ovPkValue *need_key(Ctx *c, const ovPkValue *root, const char *key, ovPkKind kind) {
    const ovPkValue *v = ov_pk_get(root, key);
    if (!v) {
        ov_error("%s: the top-level dict has no '%s' (an ACT ground-truth pickle has labels, gttubes, nframes, "
                 "train_videos, test_videos, resolution)",
                 c->name, key);
        return NULL;
    }
    if (v->kind != kind && !(kind == OV_PK_LIST && v->kind == OV_PK_TUPLE)) {
        ov_error("%s: '%s' is a %s, expected a %s", c->name, key, ov_pk_kind_name(v->kind), ov_pk_kind_name(kind));
        return NULL;
    }
    return v;
}

static int read_labels(Ctx *c, const ovPkValue *labels) {
    for (int i = 0; i < labels->n; i++) {
        const char *s = str_of(labels->items[i]);
        if (!s || !*s) return ov_error("%s: labels[%d] is not a class name", c->name, i);
        if (ov_gt_find_label(&c->a->gt, s) >= 0) return ov_error("%s: class '%s' is listed twice in labels", c->name, s);
        ov_gt_add_label(&c->a->gt, s);
    }
    if (!labels->n) return ov_error("%s: labels is empty", c->name);
    return 0;
}

/* Videos in the order of nframes, with their resolution. */
static int read_videos(Ctx *c, const ovPkValue *nframes, const ovPkValue *res) {
    ovGroundTruth *g = &c->a->gt;
    ov_name_index_init(&c->videos, nframes->n);
    for (int i = 0; i < nframes->n; i++) {
        const char *name = str_of(nframes->items[i]);
        int64_t nf;
        if (!name) return ov_error("%s: nframes key %d is not a video name", c->name, i);
        if (ov_pk_as_int(nframes->values[i], &nf) || nf < 1 || nf > 100000000)
            return ov_error("%s: nframes['%s'] is not a frame count", c->name, name);
        int h = 0, w = 0;
        const ovPkValue *r = ov_pk_get(res, name);
        if (r) {
            int64_t hh, ww;
            if (!ov_pk_is_seq(r) || r->n != 2 || ov_pk_as_int(r->items[0], &hh) || ov_pk_as_int(r->items[1], &ww) ||
                hh < 1 || ww < 1 || hh > 1000000 || ww > 1000000)
                return ov_error("%s: resolution['%s'] is not a (height, width) pair", c->name, name);
            h = (int)hh;
            w = (int)ww;
        }
        int v = ov_gt_add_video(g, name, (int)nf, w, h);
        ov_name_index_put(&c->videos, g->videos[v].name, v);
    }
    return 0;
}

/* Row i of a tube given as a numpy array or as a list of 5-number rows (what a writer without
 * numpy produces); -1 when it is not five numbers. */
static int tube_row(const ovTensor *t, const ovPkValue *rows, int i, double r[5]) {
    if (t) {
        for (int j = 0; j < 5; j++) r[j] = ov_get_flat(t, (int64_t)i * 5 + j);
        return 0;
    }
    const ovPkValue *row = rows->items[i];
    if (!ov_pk_is_seq(row) || row->n != 5) return -1;
    for (int j = 0; j < 5; j++) {
        const ovPkValue *x = row->items[j];
        if (x->kind == OV_PK_FLOAT) r[j] = x->f;
        else if (x->kind == OV_PK_INT) r[j] = (double)x->i;
        else return -1;
    }
    return 0;
}

/* One (n, 5) array of [frame, x1, y1, x2, y2] rows into a tube. */
static int read_tube(Ctx *c, int vid, int label, const ovPkValue *arrv, int k) {
    ovGtVideo *v = &c->a->gt.videos[vid];
    ovTensor *t = ov_numpy_array(c->np, arrv);
    if (!t && !ov_pk_is_seq(arrv))
        return ov_error("%s: gttubes['%s'][%d][%d] is a %s, not a numpy array", c->name, v->name, label, k,
                        ov_pk_kind_name(arrv->kind));
    if (t && (t->ndim != 2 || t->shape[1] != 5))
        return ov_error("%s: gttubes['%s'][%d][%d] has %d dimensions%s; a tube is an (n, 5) array", c->name, v->name,
                        label, k, t->ndim, t->ndim == 2 ? " but not 5 columns" : "");
    int n = t ? (int)t->shape[0] : arrv->n;
    int *frames = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *frames);
    ovBox *boxes = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *boxes);
    int m = 0, rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        double r[5];
        if (tube_row(t, arrv, i, r)) {
            rc = ov_error("%s: gttubes['%s'][%d][%d] row %d is not 5 numbers", c->name, v->name, label, k, i);
            break;
        }
        if (!isfinite(r[0] + r[1] + r[2] + r[3] + r[4]) || r[0] != floor(r[0]) || r[0] < 1 || r[0] > 1e8) {
            rc = ov_error("%s: gttubes['%s'][%d][%d] row %d (frame %g) is not a frame number and a finite box",
                          c->name, v->name, label, k, i, r[0]);
            break;
        }
        int f = (int)r[0];
        if (f > v->nframes) { /* ACT's evaluators skip such rows */
            c->dropped++;
            continue;
        }
        if (m && f <= frames[m - 1]) {
            rc = ov_error("%s: gttubes['%s'][%d][%d] row %d: frame %d after frame %d (frames must ascend)", c->name,
                          v->name, label, k, i, f, frames[m - 1]);
            break;
        }
        frames[m] = f;
        boxes[m++] = (ovBox){r[1], r[2], r[3], r[4]};
    }
    if (!rc && !ov_gt_add_tube(&c->a->gt, vid, label, m, frames, boxes)) rc = -1;
    free(frames);
    free(boxes);
    return rc;
}

static int read_tubes(Ctx *c, const ovPkValue *tubes) {
    for (int i = 0; i < tubes->n; i++) {
        const char *name = str_of(tubes->items[i]);
        if (!name) return ov_error("%s: gttubes key %d is not a video name", c->name, i);
        int vid = ov_name_index_get(&c->videos, name);
        if (vid < 0) return ov_error("%s: gttubes has video '%s', which nframes does not list", c->name, name);
        const ovPkValue *per = tubes->values[i];
        if (per->kind != OV_PK_DICT) return ov_error("%s: gttubes['%s'] is a %s, not a dict", c->name, name, ov_pk_kind_name(per->kind));
        for (int j = 0; j < per->n; j++) {
            int64_t label;
            if (ov_pk_as_int(per->items[j], &label) || label < 0 || label >= c->a->gt.nlabels)
                return ov_error("%s: gttubes['%s'] has label key %d that is not a class id in 0..%d", c->name, name, j,
                                c->a->gt.nlabels - 1);
            const ovPkValue *list = per->values[j];
            if (!ov_pk_is_seq(list))
                return ov_error("%s: gttubes['%s'][%d] is a %s, not a list of tubes", c->name, name, (int)label,
                                ov_pk_kind_name(list->kind));
            for (int k = 0; k < list->n; k++)
                if (read_tube(c, vid, (int)label, list->items[k], k)) return -1;
        }
    }
    return 0;
}

static int read_list(Ctx *c, const ovPkValue *l, const char *key, int s, int **out, int *n) {
    if (!ov_pk_is_seq(l)) return ov_error("%s: %s[%d] is a %s, not a list of videos", c->name, key, s, ov_pk_kind_name(l->kind));
    *out = ov_ev_alloc((size_t)(l->n ? l->n : 1) * sizeof **out);
    *n = l->n;
    for (int i = 0; i < l->n; i++) {
        const char *name = str_of(l->items[i]);
        int vid = name ? ov_name_index_get(&c->videos, name) : -1;
        if (vid < 0) {
            free(*out);
            *out = NULL;
            if (!name) return ov_error("%s: %s[%d][%d] is not a video name", c->name, key, s, i);
            return ov_error("%s: %s[%d] lists video '%s', which nframes does not list", c->name, key, s, name);
        }
        (*out)[i] = vid;
    }
    return 0;
}

static int read_splits(Ctx *c, const ovPkValue *train, const ovPkValue *test) {
    if (train->n != test->n)
        return ov_error("%s: train_videos has %d splits but test_videos %d", c->name, train->n, test->n);
    for (int s = 0; s < train->n; s++) {
        int *tr = NULL, *te = NULL, ntr = 0, nte = 0;
        if (read_list(c, train->items[s], "train_videos", s, &tr, &ntr) ||
            read_list(c, test->items[s], "test_videos", s, &te, &nte)) {
            free(tr);
            return -1;
        }
        ov_action_gt_add_split(c->a, ntr, tr, nte, te);
        free(tr);
        free(te);
    }
    return 0;
}

static int convert(Ctx *c, const ovPkValue *root) {
    if (root->kind != OV_PK_DICT) return ov_error("%s: the pickle holds a %s, not a dict", c->name, ov_pk_kind_name(root->kind));
    static const char *const keys[6] = {"labels", "gttubes", "nframes", "train_videos", "test_videos", "resolution"};
    static const ovPkKind kinds[6] = {OV_PK_LIST, OV_PK_DICT, OV_PK_DICT, OV_PK_LIST, OV_PK_LIST, OV_PK_DICT};
    const ovPkValue *v[6];
    for (int i = 0; i < 6; i++)
        if (!(v[i] = need_key(c, root, keys[i], kinds[i]))) return -1;
    const ovPkValue *labels = v[0], *tubes = v[1], *nframes = v[2], *train = v[3], *test = v[4], *res = v[5];
    if (read_labels(c, labels) || read_videos(c, nframes, res) || read_tubes(c, tubes) || read_splits(c, train, test))
        return -1;
    return ov_action_gt_validate(c->a, c->name);
}

int ov_act_gt_parse(const void *data, size_t n, const char *name, ovActionGt *a, long *dropped) {
    ov_action_gt_init(a);
    a->format = "act-pickle";
    Ctx c = {.name = name, .np = ov_numpy_new(), .a = a};
    ovPkHooks h = ov_numpy_hooks(c.np);
    ov_scope_begin();
    ovPickle *pk = ov_pickle_parse(data, n, name, &h);
    int rc = pk ? convert(&c, ov_pickle_root(pk)) : -1;
    ov_pickle_free(pk);
    ov_scope_end();
    ov_numpy_free(c.np);
    ov_name_index_free(&c.videos);
    if (rc) {
        ov_action_gt_free(a);
        return -1;
    }
    a->format = "act-pickle";
    if (dropped) *dropped = c.dropped;
    return 0;
}

int ov_act_gt_read(const char *path, ovActionGt *a) {
    uint8_t *data;
    size_t n;
    ov_action_gt_init(a);
    if (ov_read_file(path, &data, &n)) return -1;
    int rc = ov_act_gt_parse(data, n, path, a, NULL);
    free(data);
    return rc;
}
