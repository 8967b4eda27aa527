/* yowo.c: the YOWO label folders and list files into an ovActionGt (yowo.h). */
#include "data/yowo.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dir.h"
#include "data/image.h"
#include "eval/util.h"
#include "tensor/error.h"
#include "tensor/file.h"

int ov_yowo_parse_labels(const char *text, size_t len, const char *name, int **cls, ovBox **boxes, int *n) {
    int cap = *n;
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        double v[6];
        int k = 0;
        const char *q = p;
        for (;;) {
            while (q < e && (*q == ' ' || *q == '\t' || *q == '\r' || *q == ',')) q++;
            if (q >= e) break;
            if (k == 5) return ov_error("%s:%d: more than 5 numbers (a box line is: cls x1 y1 x2 y2)", name, line);
            char buf[64];
            size_t m = 0;
            while (q < e && !isspace((unsigned char)*q) && *q != ',') {
                if (m + 1 < sizeof buf) buf[m++] = *q;
                q++;
            }
            buf[m] = 0;
            char *stop;
            errno = 0;
            v[k] = strtod(buf, &stop);
            if (!m || *stop || !isfinite(v[k]))
                return ov_error("%s:%d: column %d: '%s' is not a number", name, line, k + 1, buf);
            k++;
        }
        if (k && k != 5) return ov_error("%s:%d: %d numbers, expected 5 (cls x1 y1 x2 y2)", name, line, k);
        if (k) {
            if (v[0] != floor(v[0]) || v[0] < 1 || v[0] > 100000)
                return ov_error("%s:%d: class %g is not a 1-based class number", name, line, v[0]);
            if (*n >= cap) {
                cap = cap ? 2 * cap : 8;
                *cls = ov_ev_realloc(*cls, (size_t)cap * sizeof **cls);
                *boxes = ov_ev_realloc(*boxes, (size_t)cap * sizeof **boxes);
            }
            (*cls)[*n] = (int)v[0];
            (*boxes)[(*n)++] = (ovBox){v[1], v[2], v[3], v[4]};
        }
        p = e + 1;
    }
    return 0;
}

/* A tube being rebuilt from per-frame boxes. */
typedef struct {
    int label, n, cap;
    int *frames;
    ovBox *boxes;
    int last; /* last frame */
} Tube;

static void tube_push(Tube *t, int f, ovBox b) {
    if (t->n >= t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->frames = ov_ev_realloc(t->frames, (size_t)t->cap * sizeof *t->frames);
        t->boxes = ov_ev_realloc(t->boxes, (size_t)t->cap * sizeof *t->boxes);
    }
    t->frames[t->n] = f;
    t->boxes[t->n++] = b;
    t->last = f;
}

/* A frame file's number ("00012.jpg" -> 12), or -1. */
static int frame_number(const char *name, const char *const *exts) {
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return -1;
    bool ok = false;
    for (int i = 0; exts[i]; i++) ok |= !strcmp(dot + 1, exts[i]);
    if (!ok) return -1;
    long v = 0;
    for (const char *p = name; p < dot; p++) {
        if (!isdigit((unsigned char)*p) || v > 100000000) return -1;
        v = v * 10 + (*p - '0');
    }
    return (int)v;
}

/* Frame count and size from the frame folder of one video. */
static int frame_info(const char *frames, const char *cls, const char *vid, int *nframes, int *w, int *h) {
    static const char *const exts[] = {"jpg", "png", "jpeg", NULL};
    char dir[4096];
    if (ov_path_printf(dir, sizeof dir, "%s/%s/%s", frames, cls, vid)) return -1;
    char **names;
    int n;
    if (ov_dir_list(dir, OV_DIR_FILES, &names, &n)) return -1;
    int count = 0, first = -1;
    for (int i = 0; i < n; i++) {
        int f = frame_number(names[i], exts);
        if (f < 0) continue;
        if (first < 0 || f < frame_number(names[first], exts)) first = i;
        count++;
    }
    int rc = 0;
    if (!count) {
        rc = ov_error("%s: no frame files (%%05d.jpg or .png)", dir);
    } else {
        char path[4400];
        uint8_t *data;
        size_t len;
        int64_t hh, ww;
        if (ov_path_printf(path, sizeof path, "%s/%s", dir, names[first]) || ov_read_file(path, &data, &len)) {
            rc = -1;
        } else {
            rc = ov_image_size(data, len, path, &hh, &ww);
            free(data);
            *w = (int)ww;
            *h = (int)hh;
        }
        *nframes = count;
    }
    ov_dir_free(names, n);
    return rc;
}

static void free_tubes(Tube *t, int n) {
    for (int i = 0; i < n; i++) {
        free(t[i].frames);
        free(t[i].boxes);
    }
    free(t);
}

/* One video's label files into tubes. */
static int read_video(ovActionGt *a, const char *labels, const char *frames, int label, const char *cls, const char *vid) {
    static const char *const exts[] = {"txt", NULL};
    char dir[4096];
    if (ov_path_printf(dir, sizeof dir, "%s/%s/%s", labels, cls, vid)) return -1;
    char **names;
    int nn;
    if (ov_dir_list(dir, OV_DIR_FILES, &names, &nn)) return -1;
    /* frame numbers, ascending (names are %05d, but sort numerically anyway) */
    int *fr = ov_ev_alloc((size_t)(nn ? nn : 1) * sizeof *fr), *order = ov_ev_alloc((size_t)(nn ? nn : 1) * sizeof *order);
    int nf = 0;
    for (int i = 0; i < nn; i++) {
        int f = frame_number(names[i], exts);
        if (f >= 1) {
            fr[nf] = f;
            order[nf++] = i;
        }
    }
    for (int i = 1; i < nf; i++) /* insertion sort: the folders are small and nearly sorted */
        for (int j = i; j > 0 && fr[j] < fr[j - 1]; j--) {
            int t = fr[j]; fr[j] = fr[j - 1]; fr[j - 1] = t;
            t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    Tube *tubes = NULL;
    int nt = 0, ct = 0, rc = 0, *cl = NULL, ncl = 0;
    ovBox *bx = NULL;
    for (int i = 0; i < nf && !rc; i++) {
        if (i && fr[i] == fr[i - 1]) {
            rc = ov_error("%s: two label files for frame %d", dir, fr[i]);
            break;
        }
        char path[4400];
        uint8_t *text;
        size_t len;
        if (ov_path_printf(path, sizeof path, "%s/%s", dir, names[order[i]]) || ov_read_file(path, &text, &len)) {
            rc = -1;
            break;
        }
        ncl = 0;
        rc = ov_yowo_parse_labels((const char *)text, len, path, &cl, &bx, &ncl);
        free(text);
        for (int k = 0; k < ncl && !rc; k++) {
            if (cl[k] != label + 1) {
                rc = ov_error("%s: class %d in the folder of class %d (%s)", path, cl[k], label + 1, cls);
                break;
            }
            int j = 0;
            while (j < nt && !(tubes[j].label == label && tubes[j].last == fr[i] - 1)) j++;
            if (j == nt) {
                OV_EV_GROW(tubes, nt, ct);
                memset(&tubes[nt++], 0, sizeof *tubes);
                tubes[j].label = label;
            }
            tube_push(&tubes[j], fr[i], bx[k]);
        }
    }
    free(cl);
    free(bx);
    if (!rc) {
        int nframes = nf ? fr[nf - 1] : 1, w = 0, h = 0;
        if (frames && frame_info(frames, cls, vid, &nframes, &w, &h)) rc = -1;
        if (!rc) {
            char key[1024];
            if (ov_path_printf(key, sizeof key, "%s/%s", cls, vid)) rc = -1;
            int v = rc ? -1 : ov_gt_add_video(&a->gt, key, nframes, w, h);
            for (int j = 0; j < nt && !rc; j++)
                if (!ov_gt_add_tube(&a->gt, v, label, tubes[j].n, tubes[j].frames, tubes[j].boxes)) rc = -1;
        }
    }
    free_tubes(tubes, nt);
    free(fr);
    free(order);
    ov_dir_free(names, nn);
    return rc;
}

/* A list line to a video key "class/video" (in buf), or NULL for a blank line. */
static const char *list_key(const char *line, size_t len, char *buf, size_t cap) {
    while (len && isspace((unsigned char)*line)) line++, len--;
    size_t m = 0;
    while (m < len && !isspace((unsigned char)line[m])) m++;
    if (!m) return NULL;
    if (m >= cap) m = cap - 1;
    memcpy(buf, line, m);
    buf[m] = 0;
    char *s = buf;
    if (!strncmp(s, "./", 2)) s += 2;
    if (!strncmp(s, "labels/", 7)) s += 7;
    else if (!strncmp(s, "rgb-images/", 11)) s += 11;
    char *dot = strrchr(s, '.'), *slash = strrchr(s, '/');
    if (dot && slash && dot > slash) {
        if (!strcmp(dot, ".avi") || !strcmp(dot, ".mp4")) *dot = 0;
        else if (strchr(s, '/') != slash) *slash = 0; /* class/video/frame.ext */
    }
    return s;
}

static int read_list(ovActionGt *a, const ovNameIndex *idx, const char *path, int **out, int *n) {
    uint8_t *text;
    size_t len;
    *out = NULL;
    *n = 0;
    if (ov_read_file(path, &text, &len)) return -1;
    bool *seen = ov_ev_alloc((size_t)(a->gt.nvideos ? a->gt.nvideos : 1));
    int cap = 0;
    const char *p = (const char *)text, *end = p + len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        char buf[1024];
        const char *key = list_key(p, (size_t)(e - p), buf, sizeof buf);
        int v = key ? ov_name_index_get(idx, key) : -1;
        if (v >= 0 && !seen[v]) { /* videos listed without labels are left out, as OpenMixer does */
            seen[v] = true;
            OV_EV_GROW(*out, *n, cap);
            (*out)[(*n)++] = v;
        }
        p = e + 1;
    }
    free(seen);
    free(text);
    return 0;
}

static int read_splits(ovActionGt *a, const char *root) {
    ovNameIndex idx;
    ov_name_index_init(&idx, a->gt.nvideos);
    for (int i = 0; i < a->gt.nvideos; i++) ov_name_index_put(&idx, a->gt.videos[i].name, i);
    int rc = 0;
    char tr[4200], te[4200];
    for (int s = 0; s <= 3 && !rc; s++) {
        if (!s) {
            snprintf(tr, sizeof tr, "%s/trainlist.txt", root);
            snprintf(te, sizeof te, "%s/testlist.txt", root);
        } else {
            snprintf(tr, sizeof tr, "%s/splitfiles/trainlist%02d.txt", root, s);
            snprintf(te, sizeof te, "%s/splitfiles/testlist%02d.txt", root, s);
        }
        if (!ov_is_file(tr) || !ov_is_file(te)) {
            if (s) break;
            continue;
        }
        int *l1, *l2, n1, n2;
        if (read_list(a, &idx, tr, &l1, &n1)) rc = -1;
        else if (read_list(a, &idx, te, &l2, &n2)) {
            free(l1);
            rc = -1;
        } else {
            ov_action_gt_add_split(a, n1, l1, n2, l2);
            free(l1);
            free(l2);
        }
        if (!s) break; /* trainlist.txt/testlist.txt: the one split */
    }
    ov_name_index_free(&idx);
    if (rc || a->nsplits) return rc;
    /* no lists: UCF101's split 1 by group, when every name has one */
    int n = a->gt.nvideos, ntr = 0, nte = 0;
    int *l1 = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *l1), *l2 = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *l2);
    bool ok = n > 0;
    for (int i = 0; i < n && ok; i++) {
        int t = ov_ucf101_split1_is_test(a->gt.videos[i].name);
        if (t < 0) ok = false;
        else if (t) l2[nte++] = i;
        else l1[ntr++] = i;
    }
    if (ok) ov_action_gt_add_split(a, ntr, l1, nte, l2);
    free(l1);
    free(l2);
    return 0;
}

int ov_yowo_read(const char *root, const char *frames_dir, ovActionGt *a) {
    ov_action_gt_init(a);
    char labels[4096], frames[4096];
    if (ov_path_printf(labels, sizeof labels, "%s/labels", root)) return -1;
    if (!ov_is_dir(labels)) return ov_error("%s: no labels/ folder (a YOWO layout has labels/<class>/<video>/%%05d.txt)", root);
    if (!frames_dir) {
        snprintf(frames, sizeof frames, "%s/rgb-images", root);
        if (ov_is_dir(frames)) frames_dir = frames;
    }
    char **classes;
    int nc;
    if (ov_dir_list(labels, OV_DIR_FOLDERS, &classes, &nc)) return -1;
    if (!nc) {
        ov_dir_free(classes, nc);
        return ov_error("%s: no class folders", labels);
    }
    int rc = 0;
    for (int c = 0; c < nc; c++) ov_gt_add_label(&a->gt, classes[c]);
    for (int c = 0; c < nc && !rc; c++) {
        char dir[4200];
        char **vids;
        int nv;
        if (ov_path_printf(dir, sizeof dir, "%s/%s", labels, classes[c]) || ov_dir_list(dir, OV_DIR_FOLDERS, &vids, &nv)) {
            rc = -1;
            break;
        }
        for (int v = 0; v < nv && !rc; v++) rc = read_video(a, labels, frames_dir, c, classes[c], vids[v]);
        ov_dir_free(vids, nv);
    }
    ov_dir_free(classes, nc);
    if (!rc) rc = read_splits(a, root);
    if (!rc) rc = ov_action_gt_validate(a, root);
    if (rc) ov_action_gt_free(a);
    else a->format = "yowo";
    return rc;
}
