/* proposals.c: person-proposal files into per-(video, frame) box lists (proposals.h). */
#include "data/proposals.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/numpy.h"
#include "eval/csv.h"
#include "eval/util.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tensor/scope.h"

typedef struct {
    ovNameIndex idx;
    char **keys;
    int n, cap;
} Index;

static void make_key(char *buf, size_t cap, const char *video, int frame) { snprintf(buf, cap, "%d,%s", frame, video); }

void ov_proposals_free(ovProposals *p) {
    for (int i = 0; i < p->n; i++) {
        free(p->f[i].video);
        free(p->f[i].boxes);
        free(p->f[i].scores);
    }
    free(p->f);
    Index *x = p->index;
    if (x) {
        for (int i = 0; i < x->n; i++) free(x->keys[i]);
        free(x->keys);
        ov_name_index_free(&x->idx);
        free(x);
    }
    memset(p, 0, sizeof *p);
}

const ovProposalFrame *ov_proposals_find(const ovProposals *p, const char *video, int frame) {
    const Index *x = p->index;
    if (!x) return NULL;
    char key[1100];
    make_key(key, sizeof key, video, frame);
    int i = ov_name_index_get(&x->idx, key);
    return i < 0 ? NULL : &p->f[i];
}

/* The entry of (video, frame), made when new. */
static ovProposalFrame *frame_for(ovProposals *p, const char *video, int frame) {
    Index *x = p->index;
    if (!x) {
        x = p->index = ov_ev_alloc(sizeof *x);
        ov_name_index_init(&x->idx, 1024);
    }
    char key[1100];
    make_key(key, sizeof key, video, frame);
    int i = ov_name_index_get(&x->idx, key);
    if (i >= 0) return &p->f[i];
    OV_EV_GROW(p->f, p->n, p->cap);
    ovProposalFrame *f = &p->f[p->n];
    memset(f, 0, sizeof *f);
    f->video = ov_ev_strdup(video);
    f->frame = frame;
    OV_EV_GROW(x->keys, x->n, x->cap);
    x->keys[x->n] = ov_ev_strdup(key);
    ov_name_index_put(&x->idx, x->keys[x->n++], p->n);
    return &p->f[p->n++];
}

static void add_box(ovProposals *p, ovProposalFrame *f, const double b[4], double score, double min_score) {
    if (!(score >= min_score)) {
        p->dropped++;
        return;
    }
    f->boxes = ov_ev_realloc(f->boxes, (size_t)(f->n + 1) * 4 * sizeof *f->boxes);
    f->scores = ov_ev_realloc(f->scores, (size_t)(f->n + 1) * sizeof *f->scores);
    for (int k = 0; k < 4; k++) f->boxes[4 * f->n + k] = (float)b[k];
    f->scores[f->n++] = (float)score;
    p->kept++;
}

/* ---- AVA CSV ---- */

int ov_proposals_parse_ava_csv(const char *text, size_t len, const char *name, double min_score, ovProposals *p) {
    memset(p, 0, sizeof *p);
    ovCsv c;
    ov_csv_init(&c, name, text, len);
    int r, rc = 0;
    while ((r = ov_csv_next(&c)) > 0) {
        if (c.comment) continue;
        int sec;
        double b[4], score;
        if (c.nf != 8 || !*c.f[0]) {
            rc = ov_error("%s:%ld: %d columns, expected video_id,timestamp,x1,y1,x2,y2,action_id,score", name, c.line, c.nf);
            break;
        }
        if (ov_csv_int(&c, 1, "timestamp", &sec) || ov_csv_num(&c, 2, "x1", &b[0]) || ov_csv_num(&c, 3, "y1", &b[1]) ||
            ov_csv_num(&c, 4, "x2", &b[2]) || ov_csv_num(&c, 5, "y2", &b[3]) || ov_csv_num(&c, 7, "score", &score)) {
            rc = -1;
            break;
        }
        add_box(p, frame_for(p, c.f[0], sec), b, score, min_score);
    }
    if (r < 0) rc = -1;
    ov_csv_free(&c);
    if (rc) ov_proposals_free(p);
    return rc;
}

int ov_proposals_read_ava_csv(const char *path, double min_score, ovProposals *p) {
    uint8_t *text;
    size_t len;
    memset(p, 0, sizeof *p);
    if (ov_read_file(path, &text, &len)) return -1;
    int rc = ov_proposals_parse_ava_csv((const char *)text, len, path, min_score, p);
    free(text);
    return rc;
}

/* ---- pickles ---- */

typedef struct {
    const char *name;
    ovNumpy *np;
    double min_score;
    ovProposals *p;
} Ctx;

static const char *str_of(const ovPkValue *v) {
    if (!v || (v->kind != OV_PK_STR && v->kind != OV_PK_BYTES)) return NULL;
    return strlen(v->s) == v->len ? v->s : NULL;
}

/* A numeric array with `cols` columns (cols 0: one dimension); its row count, or -1. */
static int64_t rows_of(const ovTensor *t, int cols) {
    if (!t) return -1;
    if (cols == 0) return t->ndim == 1 ? t->shape[0] : -1;
    return t->ndim == 2 && t->shape[1] == cols ? t->shape[0] : -1;
}

static int maskrcnn_video(Ctx *c, const char *vid, const ovPkValue *d) {
    const ovPkValue *boxes = d->kind == OV_PK_DICT ? ov_pk_get(d, "boxes") : NULL,
                    *scores = d->kind == OV_PK_DICT ? ov_pk_get(d, "scores") : NULL;
    if (!boxes || !scores || boxes->kind != OV_PK_DICT || scores->kind != OV_PK_DICT)
        return ov_error("%s: ['%s'] is not a dict with 'boxes' and 'scores' dicts", c->name, vid);
    for (int i = 0; i < boxes->n; i++) {
        int64_t fid;
        if (ov_pk_as_int(boxes->items[i], &fid) || fid < 0 || fid > 100000000)
            return ov_error("%s: ['%s']['boxes'] key %d is not a frame index", c->name, vid, i);
        const ovPkValue *sv = NULL; /* scores[fid]: usually at the same position */
        if (i < scores->n && ov_pk_equal(scores->items[i], boxes->items[i])) sv = scores->values[i];
        for (int j = 0; j < scores->n && !sv; j++)
            if (ov_pk_equal(scores->items[j], boxes->items[i])) sv = scores->values[j];
        if (!sv) return ov_error("%s: ['%s'] has boxes but no scores for frame index %lld", c->name, vid, (long long)fid);
        ovTensor *bt = ov_numpy_array(c->np, boxes->values[i]), *st = ov_numpy_array(c->np, sv);
        int64_t nb = rows_of(bt, 4), ns = rows_of(st, 0);
        if (nb < 0 || ns != nb)
            return ov_error("%s: ['%s'] frame index %lld: boxes must be an (n, 4) array and scores an (n,) array", c->name,
                            vid, (long long)fid);
        ovProposalFrame *f = frame_for(c->p, vid, (int)fid + 1);
        for (int64_t k = 0; k < nb; k++) {
            double b[4];
            for (int q = 0; q < 4; q++) b[q] = ov_get_flat(bt, 4 * k + q);
            add_box(c->p, f, b, ov_get_flat(st, k), c->min_score);
        }
    }
    return 0;
}

static int maskrcnn_root(Ctx *c, const ovPkValue *root) {
    if (root->kind != OV_PK_DICT) return ov_error("%s: the pickle holds a %s, not a dict of videos", c->name, ov_pk_kind_name(root->kind));
    for (int i = 0; i < root->n; i++) {
        const char *vid = str_of(root->items[i]);
        if (!vid) return ov_error("%s: key %d is not a video name", c->name, i);
        if (maskrcnn_video(c, vid, root->values[i])) return -1;
    }
    return 0;
}

static int ava_root(Ctx *c, const ovPkValue *root) {
    if (root->kind != OV_PK_DICT) return ov_error("%s: the pickle holds a %s, not a dict of keyframes", c->name, ov_pk_kind_name(root->kind));
    for (int i = 0; i < root->n; i++) {
        const char *key = str_of(root->items[i]);
        const char *comma = key ? strrchr(key, ',') : NULL;
        char *stop;
        long sec = comma ? strtol(comma + 1, &stop, 10) : -1;
        if (!comma || comma == key || !comma[1] || *stop || sec < 0 || sec > 100000000)
            return ov_error("%s: key %d is not \"video,second\"", c->name, i);
        ovTensor *t = ov_numpy_array(c->np, root->values[i]);
        int64_t n = rows_of(t, 5);
        if (n < 0) return ov_error("%s: ['%s'] is not an (n, 5) array of x1,y1,x2,y2,score", c->name, key);
        char vid[1024];
        snprintf(vid, sizeof vid, "%.*s", (int)(comma - key), key);
        ovProposalFrame *f = frame_for(c->p, vid, (int)sec);
        for (int64_t k = 0; k < n; k++) {
            double b[4];
            for (int q = 0; q < 4; q++) b[q] = ov_get_flat(t, 5 * k + q);
            add_box(c->p, f, b, ov_get_flat(t, 5 * k + 4), c->min_score);
        }
    }
    return 0;
}

static int parse_pkl(const void *data, size_t n, const char *name, double min_score, ovProposals *p,
                     int (*walk)(Ctx *, const ovPkValue *)) {
    memset(p, 0, sizeof *p);
    Ctx c = {.name = name, .np = ov_numpy_new(), .min_score = min_score, .p = p};
    ovPkHooks h = ov_numpy_hooks(c.np);
    ov_scope_begin();
    ovPickle *pk = ov_pickle_parse(data, n, name, &h);
    int rc = pk ? walk(&c, ov_pickle_root(pk)) : -1;
    ov_pickle_free(pk);
    ov_scope_end();
    ov_numpy_free(c.np);
    if (rc) ov_proposals_free(p);
    return rc;
}

int ov_proposals_parse_maskrcnn(const void *data, size_t n, const char *name, double min_score, ovProposals *p) {
    return parse_pkl(data, n, name, min_score, p, maskrcnn_root);
}

int ov_proposals_parse_ava_pkl(const void *data, size_t n, const char *name, double min_score, ovProposals *p) {
    return parse_pkl(data, n, name, min_score, p, ava_root);
}

static int read_pkl(const char *path, double min_score, ovProposals *p,
                    int (*parse)(const void *, size_t, const char *, double, ovProposals *)) {
    uint8_t *data;
    size_t n;
    memset(p, 0, sizeof *p);
    if (ov_read_file(path, &data, &n)) return -1;
    int rc = parse(data, n, path, min_score, p);
    free(data);
    return rc;
}

int ov_proposals_read_maskrcnn(const char *path, double min_score, ovProposals *p) {
    return read_pkl(path, min_score, p, ov_proposals_parse_maskrcnn);
}

int ov_proposals_read_ava_pkl(const char *path, double min_score, ovProposals *p) {
    return read_pkl(path, min_score, p, ov_proposals_parse_ava_pkl);
}
