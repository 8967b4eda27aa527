/* ucf24_mat.c: finalAnnots.mat into an ovActionGt (ucf24_mat.h). libmatio reads and inflates the
 * file, after data/mat_check.c has checked that the sizes the file declares agree with its bytes;
 * this walks the struct array with checks on every field (class, size, range), since libmatio
 * hands back whatever the file says. Its log messages are captured, not printed: the last one
 * goes into the error message. */
#include "data/ucf24_mat.h"

#include <math.h>
#include <matio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/mat_check.h"
#include "eval/util.h"
#include "tensor/error.h"

#define UCF_W 320
#define UCF_H 240

static _Thread_local char mat_log[256];

static void capture_log(int level, char *message) {
    if (level & (MATIO_LOG_LEVEL_ERROR | MATIO_LOG_LEVEL_CRITICAL))
        snprintf(mat_log, sizeof mat_log, "%s", message ? message : "");
}

typedef struct {
    const char *path;
    matvar_t *annot;
    ovActionGt *a;
    ovNameIndex names;
    long dropped;
} Ctx;

static size_t numel(const matvar_t *v) {
    size_t n = 1;
    for (int d = 0; d < v->rank; d++) {
        if (v->dims[d] && n > SIZE_MAX / v->dims[d]) return SIZE_MAX;
        n *= v->dims[d];
    }
    return n;
}

static int class_size(enum matio_classes c) {
    switch (c) {
    case MAT_C_DOUBLE: case MAT_C_INT64: case MAT_C_UINT64: return 8;
    case MAT_C_SINGLE: case MAT_C_INT32: case MAT_C_UINT32: return 4;
    case MAT_C_INT16: case MAT_C_UINT16: return 2;
    case MAT_C_INT8: case MAT_C_UINT8: return 1;
    default: return 0;
    }
}

/* Element i of a real numeric array. */
static double number_at(const matvar_t *v, size_t i) {
    const void *p = v->data;
    switch (v->class_type) {
    case MAT_C_DOUBLE: return ((const double *)p)[i];
    case MAT_C_SINGLE: return ((const float *)p)[i];
    case MAT_C_INT64: return (double)((const int64_t *)p)[i];
    case MAT_C_UINT64: return (double)((const uint64_t *)p)[i];
    case MAT_C_INT32: return ((const int32_t *)p)[i];
    case MAT_C_UINT32: return ((const uint32_t *)p)[i];
    case MAT_C_INT16: return ((const int16_t *)p)[i];
    case MAT_C_UINT16: return ((const uint16_t *)p)[i];
    case MAT_C_INT8: return ((const int8_t *)p)[i];
    case MAT_C_UINT8: return ((const uint8_t *)p)[i];
    default: return NAN;
    }
}

/* A real numeric array whose data really holds numel elements; *n its element count. */
static int numeric(const Ctx *c, const matvar_t *v, const char *what, size_t *n) {
    int es = v ? class_size(v->class_type) : 0;
    if (!v) return ov_error("%s: %s is missing", c->path, what);
    if (!es || v->isComplex || v->data_size != es)
        return ov_error("%s: %s is not a real numeric array (MATLAB class %d)", c->path, what, (int)v->class_type);
    size_t m = numel(v);
    if (m == SIZE_MAX || (m && (!v->data || v->nbytes / (size_t)es < m)))
        return ov_error("%s: %s holds fewer bytes than its size says", c->path, what);
    *n = m;
    return 0;
}

static int integer(const Ctx *c, const matvar_t *v, const char *what, long lo, long hi, long *out) {
    size_t n = 0;
    if (numeric(c, v, what, &n)) return -1;
    if (n != 1) return ov_error("%s: %s has %zu elements, expected one number", c->path, what, n);
    double x = number_at(v, 0);
    if (!(x >= (double)lo && x <= (double)hi) || x != floor(x))
        return ov_error("%s: %s is %g, expected an integer in %ld..%ld", c->path, what, x, lo, hi);
    *out = (long)x;
    return 0;
}

/* A char array as a NUL-terminated string (UTF-16 code units above 0x7f become UTF-8). */
static char *string_of(const Ctx *c, const matvar_t *v, const char *what) {
    if (!v || v->class_type != MAT_C_CHAR || (v->data_size != 1 && v->data_size != 2)) {
        ov_error("%s: %s is not a character array", c->path, what);
        return NULL;
    }
    size_t n = numel(v);
    if (n == SIZE_MAX || n > 4096 || (n && (!v->data || v->nbytes / (size_t)v->data_size < n))) {
        ov_error("%s: %s is not a string of at most 4096 characters", c->path, what);
        return NULL;
    }
    char *s = ov_ev_alloc(3 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned u = v->data_size == 1 ? ((const uint8_t *)v->data)[i] : ((const uint16_t *)v->data)[i];
        if (!u) {
            ov_error("%s: %s holds a NUL character", c->path, what);
            free(s);
            return NULL;
        }
        if (u < 0x80 || v->data_size == 1) {
            s[k++] = (char)u;
        } else if (u < 0x800) {
            s[k++] = (char)(0xc0 | (u >> 6));
            s[k++] = (char)(0x80 | (u & 0x3f));
        } else {
            s[k++] = (char)(0xe0 | (u >> 12));
            s[k++] = (char)(0x80 | ((u >> 6) & 0x3f));
            s[k++] = (char)(0x80 | (u & 0x3f));
        }
    }
    s[k] = 0;
    return s;
}

/* Field `name` of element i of a struct array, or NULL. libmatio's own accessor trusts the
 * struct's bookkeeping, which a damaged file can leave inconsistent (no data, fewer cells than
 * elements x fields), so the cells are checked here first. */
static matvar_t *field(matvar_t *s, const char *name, size_t i) {
    unsigned nf = Mat_VarGetNumberOfFields(s);
    char *const *names = Mat_VarGetStructFieldnames(s);
    size_t nel = numel(s);
    if (!nf || !names || !s->data || nel == SIZE_MAX || i >= nel || s->nbytes / sizeof(matvar_t *) / nf < nel) return NULL;
    for (unsigned k = 0; k < nf; k++)
        if (names[k] && !strcmp(names[k], name)) return ((matvar_t **)s->data)[i * nf + k];
    return NULL;
}

/* The tubes struct array of video i, and its element count. */
static int tubes_of(const Ctx *c, size_t i, matvar_t **tubes, size_t *n) {
    char what[64];
    snprintf(what, sizeof what, "annot(%zu).tubes", i + 1);
    matvar_t *t = field(c->annot, "tubes", i);
    if (!t) return ov_error("%s: %s is missing", c->path, what);
    if (t->class_type != MAT_C_STRUCT) return ov_error("%s: %s is not a struct array", c->path, what);
    *n = numel(t);
    if (*n == SIZE_MAX || *n > 100000) return ov_error("%s: %s has an impossible size", c->path, what);
    *tubes = t;
    return 0;
}

static int tube_class(const Ctx *c, matvar_t *tubes, size_t vi, size_t ti, long *label) {
    char what[80];
    snprintf(what, sizeof what, "annot(%zu).tubes(%zu).class", vi + 1, ti + 1);
    matvar_t *l = field(tubes, "class", ti);
    if (!l) l = field(tubes, "label", ti);
    return integer(c, l, what, 1, 100000, label);
}

/* Pass 1: class id -> name from the videos' folders. */
static int read_labels(Ctx *c, size_t nvid) {
    char **names = NULL;
    long ncls = 0;
    int rc = 0;
    for (size_t i = 0; i < nvid && !rc; i++) {
        char what[48];
        snprintf(what, sizeof what, "annot(%zu).name", i + 1);
        char *name = string_of(c, field(c->annot, "name", i), what);
        if (!name) {
            rc = -1;
            break;
        }
        char *slash = strchr(name, '/');
        if (slash) *slash = 0;
        matvar_t *tubes;
        size_t nt;
        if (tubes_of(c, i, &tubes, &nt)) rc = -1;
        for (size_t t = 0; t < nt && !rc; t++) {
            long label;
            if (tube_class(c, tubes, i, t, &label)) {
                rc = -1;
                break;
            }
            if (label > ncls) {
                names = ov_ev_realloc(names, (size_t)label * sizeof *names);
                memset(names + ncls, 0, (size_t)(label - ncls) * sizeof *names);
                ncls = label;
            }
            if (!slash) continue; /* no folder: the name says nothing about the class */
            if (!names[label - 1]) names[label - 1] = ov_ev_strdup(name);
            else if (strcmp(names[label - 1], name))
                rc = ov_error("%s: class %ld is used by videos of '%s' and of '%s'", c->path, label, names[label - 1], name);
        }
        free(name);
    }
    for (long k = 0; k < ncls; k++) {
        if (!rc) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "class%ld", k + 1);
            ov_gt_add_label(&c->a->gt, names[k] ? names[k] : tmp);
        }
        free(names[k]);
    }
    free(names);
    if (!rc && !ncls) rc = ov_error("%s: no tube has a class", c->path);
    return rc;
}

static int read_tube(Ctx *c, int vid, matvar_t *tubes, size_t vi, size_t ti) {
    ovGtVideo *v = &c->a->gt.videos[vid];
    char what[80];
    long sf, ef, label;
    snprintf(what, sizeof what, "annot(%zu).tubes(%zu).sf", vi + 1, ti + 1);
    if (integer(c, field(tubes, "sf", ti), what, 1, 10000000, &sf)) return -1;
    snprintf(what, sizeof what, "annot(%zu).tubes(%zu).ef", vi + 1, ti + 1);
    if (integer(c, field(tubes, "ef", ti), what, sf, 10000000, &ef)) return -1;
    if (tube_class(c, tubes, vi, ti, &label)) return -1;
    snprintf(what, sizeof what, "annot(%zu).tubes(%zu).boxes", vi + 1, ti + 1);
    matvar_t *b = field(tubes, "boxes", ti);
    size_t nb;
    if (numeric(c, b, what, &nb)) return -1;
    size_t len = (size_t)(ef - sf + 1);
    if (b->rank != 2 || b->dims[1] != 4 || b->dims[0] != len)
        return ov_error("%s: %s is %zux%zu, expected %zux4 (one x,y,w,h row per frame %ld..%ld)", c->path, what,
                        b->dims[0], b->rank > 1 ? b->dims[1] : 1, len, sf, ef);
    int *frames = ov_ev_alloc(len * sizeof *frames);
    ovBox *boxes = ov_ev_alloc(len * sizeof *boxes);
    int m = 0, rc = 0;
    for (size_t k = 0; k < len; k++) {
        double x = number_at(b, k), y = number_at(b, len + k), w = number_at(b, 2 * len + k), h = number_at(b, 3 * len + k);
        if (!isfinite(x + y + w + h)) {
            rc = ov_error("%s: %s row %zu is not a finite box", c->path, what, k + 1);
            break;
        }
        int f = (int)(sf + (long)k);
        if (f > v->nframes) { /* past the video's end, as ACT's evaluators guard */
            c->dropped++;
            continue;
        }
        frames[m] = f;
        boxes[m++] = (ovBox){x, y, x + w, y + h};
    }
    if (!rc && !ov_gt_add_tube(&c->a->gt, vid, (int)label - 1, m, frames, boxes)) rc = -1;
    free(frames);
    free(boxes);
    return rc;
}

/* Pass 2: videos and tubes. */
static int read_videos(Ctx *c, size_t nvid) {
    for (size_t i = 0; i < nvid; i++) {
        char what[48];
        snprintf(what, sizeof what, "annot(%zu).num_imgs", i + 1);
        long nimg;
        if (integer(c, field(c->annot, "num_imgs", i), what, 1, 10000000, &nimg)) return -1;
        snprintf(what, sizeof what, "annot(%zu).name", i + 1);
        char *name = string_of(c, field(c->annot, "name", i), what);
        if (!name) return -1;
        if (ov_name_index_get(&c->names, name) >= 0) {
            ov_error("%s: video '%s' appears twice", c->path, name);
            free(name);
            return -1;
        }
        int vid = ov_gt_add_video(&c->a->gt, name, (int)nimg, UCF_W, UCF_H);
        ov_name_index_put(&c->names, c->a->gt.videos[vid].name, vid);
        free(name);
        matvar_t *tubes;
        size_t nt;
        if (tubes_of(c, i, &tubes, &nt)) return -1;
        for (size_t t = 0; t < nt; t++)
            if (read_tube(c, vid, tubes, i, t)) return -1;
    }
    return 0;
}

/* UCF101 split 1 from the group numbers, when every video name has one. */
static void add_split1(ovActionGt *a) {
    int n = a->gt.nvideos, ntr = 0, nte = 0;
    int *tr = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *tr), *te = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *te);
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        int t = ov_ucf101_split1_is_test(a->gt.videos[i].name);
        if (t < 0) ok = false;
        else if (t) te[nte++] = i;
        else tr[ntr++] = i;
    }
    if (ok) ov_action_gt_add_split(a, ntr, tr, nte, te);
    free(tr);
    free(te);
}

int ov_ucf24_mat_read(const char *path, ovActionGt *a) {
    ov_action_gt_init(a);
    Ctx c = {.path = path, .a = a};
    if (ov_mat_check_file(path)) return -1; /* sizes consistent with the bytes before libmatio trusts them */
    mat_log[0] = 0;
    Mat_LogInitFunc("ovad", capture_log);
    mat_t *mat = Mat_Open(path, MAT_ACC_RDONLY);
    if (!mat) return ov_error("%s: not a readable MAT file%s%s", path, mat_log[0] ? ": " : "", mat_log);
    c.annot = Mat_VarRead(mat, "annot");
    int rc = 0;
    if (!c.annot) {
        rc = ov_error("%s: no readable variable 'annot'%s%s%s", path, mat_log[0] ? " (libmatio: " : "", mat_log,
                      mat_log[0] ? ")" : "");
    } else if (c.annot->class_type != MAT_C_STRUCT) {
        rc = ov_error("%s: 'annot' is not a struct array", path);
    } else {
        size_t nvid = numel(c.annot);
        if (nvid == SIZE_MAX || nvid > 10000000) rc = ov_error("%s: 'annot' has an impossible size", path);
        else if (!field(c.annot, "name", 0) && nvid) rc = ov_error("%s: 'annot' has no field 'name'", path);
        else {
            a->format = "ucf24-mat";
            ov_name_index_init(&c.names, (int)nvid);
            rc = read_labels(&c, nvid);
            if (!rc) rc = read_videos(&c, nvid);
            ov_name_index_free(&c.names);
        }
    }
    if (c.annot) Mat_VarFree(c.annot);
    Mat_Close(mat);
    if (!rc) {
        add_split1(a);
        rc = ov_action_gt_validate(a, path);
    }
    if (rc) ov_action_gt_free(a);
    else a->format = "ucf24-mat";
    return rc;
}
