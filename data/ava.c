/* ava.c: AVA's label maps, annotation and excluded-timestamp CSVs and frame lists (ava.h). The
 * CSVs go through the evaluators' tokenizer (eval/csv.h), so every error names the file, the line
 * and the column. */
#include "data/ava.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/clip.h"
#include "data/dir.h"
#include "eval/csv.h"
#include "eval/util.h"
#include "tensor/error.h"
#include "tensor/file.h"

/* Reads a whole text file and runs parse on it. */
#define READ_AND_PARSE(path, parse, ...)                                                           \
    do {                                                                                           \
        uint8_t *text_;                                                                            \
        size_t len_;                                                                               \
        if (ov_read_file(path, &text_, &len_)) return -1;                                          \
        int rc_ = parse((const char *)text_, len_, path, __VA_ARGS__);                             \
        free(text_);                                                                               \
        return rc_;                                                                                \
    } while (0)

/* ---- label map ---- */

void ov_ava_labelmap_free(ovAvaLabelMap *m) {
    for (int i = 0; i < m->n; i++) free(m->names[i]);
    free(m->names);
    free(m->ids);
    memset(m, 0, sizeof *m);
}

int ov_ava_labelmap_index(const ovAvaLabelMap *m, int id) {
    for (int i = 0; i < m->n; i++)
        if (m->ids[i] == id) return i;
    return -1;
}

int ov_ava_labelmap_parse(const char *text, size_t len, const char *name, ovAvaLabelMap *m) {
    memset(m, 0, sizeof *m);
    int cap = 0, line = 0;
    char *cur = NULL; /* the last name seen, waiting for its id */
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        line++;
        const char *s = p;
        while (s < e && (*s == ' ' || *s == '\t')) s++;
        size_t n = (size_t)(e - s);
        if (memchr(s, 0, n)) {
            free(cur);
            ov_ava_labelmap_free(m);
            return ov_error("%s:%d: a NUL byte in a text file", name, line);
        }
        if (n >= 5 && !strncmp(s, "name:", 5)) {
            const char *q1 = memchr(s, '"', n), *q2 = q1 ? memchr(q1 + 1, '"', (size_t)(e - q1 - 1)) : NULL;
            if (!q2) {
                free(cur);
                ov_ava_labelmap_free(m);
                return ov_error("%s:%d: a name line without a \"quoted\" name", name, line);
            }
            free(cur);
            cur = ov_ev_alloc((size_t)(q2 - q1));
            memcpy(cur, q1 + 1, (size_t)(q2 - q1 - 1));
        } else if ((n >= 3 && !strncmp(s, "id:", 3)) || (n >= 9 && !strncmp(s, "label_id:", 9))) {
            const char *t = e;
            while (t > s && isspace((unsigned char)t[-1])) t--;
            const char *d = t;
            while (d > s && isdigit((unsigned char)d[-1])) d--;
            long id = 0;
            for (const char *q = d; q < t && id < 1000000; q++) id = id * 10 + (*q - '0');
            const char *why = d == t || !isspace((unsigned char)d[-1]) || id < 1 || id >= 1000000 ? "is not an id from 1"
                              : !cur                                                           ? "has no name before it"
                              : ov_ava_labelmap_index(m, (int)id) >= 0                          ? "repeats an id"
                                                                                                : NULL;
            if (why) {
                free(cur);
                ov_ava_labelmap_free(m);
                return ov_error("%s:%d: the id line %s", name, line, why);
            }
            OV_EV_GROW(m->names, m->n, cap);
            m->ids = ov_ev_realloc(m->ids, (size_t)cap * sizeof *m->ids);
            m->ids[m->n] = (int)id;
            m->names[m->n++] = cur;
            cur = NULL;
        }
        p = e + 1;
    }
    free(cur);
    if (!m->n) return ov_error("%s: no classes (a label map has name: \"...\" and id: N lines)", name);
    return 0;
}

int ov_ava_labelmap_read(const char *path, ovAvaLabelMap *m) { READ_AND_PARSE(path, ov_ava_labelmap_parse, m); }

/* ---- (video, second) keys ---- */

void ov_ava_keys_free(ovAvaKeys *k) {
    for (int i = 0; i < k->n; i++) free(k->videos[i]);
    free(k->videos);
    free(k->secs);
    memset(k, 0, sizeof *k);
}

int ov_ava_keys_parse(const char *text, size_t len, const char *name, ovAvaKeys *k) {
    memset(k, 0, sizeof *k);
    ovCsv c;
    ov_csv_init(&c, name, text, len);
    int r, rc = 0;
    while ((r = ov_csv_next(&c)) > 0) {
        int sec;
        if (c.comment) continue;
        if (c.nf != 2 || !*c.f[0]) {
            rc = ov_error("%s:%ld: expected video_id,timestamp", name, c.line);
            break;
        }
        if (ov_csv_int(&c, 1, "timestamp", &sec)) {
            rc = -1;
            break;
        }
        OV_EV_GROW(k->videos, k->n, k->cap);
        k->secs = ov_ev_realloc(k->secs, (size_t)k->cap * sizeof *k->secs);
        k->videos[k->n] = ov_ev_strdup(c.f[0]);
        k->secs[k->n++] = sec;
    }
    ov_csv_free(&c);
    if (r < 0) rc = -1;
    if (rc) ov_ava_keys_free(k);
    return rc;
}

int ov_ava_keys_read(const char *path, ovAvaKeys *k) { READ_AND_PARSE(path, ov_ava_keys_parse, k); }

/* ---- annotations ---- */

typedef struct {
    int n, cap;
    int *frames;
} IntList;

static void push_int(IntList *l, int v) {
    OV_EV_GROW(l->frames, l->n, l->cap);
    l->frames[l->n++] = v;
}

/* Parses one row into its fields; -1 after ov_error. */
static int parse_row(const ovCsv *c, int *sec, ovBox *b, int *action) {
    if (c->nf < 7 || c->nf > 8 || !*c->f[0])
        return ov_error("%s:%ld: %d columns, expected video_id,timestamp,x1,y1,x2,y2,action_id[,person_id]", c->name,
                        c->line, c->nf);
    if (ov_csv_int(c, 1, "timestamp", sec) || ov_csv_num(c, 2, "x1", &b->x1) || ov_csv_num(c, 3, "y1", &b->y1) ||
        ov_csv_num(c, 4, "x2", &b->x2) || ov_csv_num(c, 5, "y2", &b->y2) || ov_csv_int(c, 6, "action_id", action))
        return -1;
    if (*sec < 0) return ov_error("%s:%ld: column 2 (timestamp): %d is negative", c->name, c->line, *sec);
    return 0;
}

int ov_ava_gt_parse(const char *text, size_t len, const char *name, const ovAvaLabelMap *lm, const ovAvaKeys *excluded,
                    ovGroundTruth *gt, ovAvaGtStats *st) {
    ovAvaGtStats s = {0};
    ov_gt_init(gt);
    for (int i = 0; i < lm->n; i++) ov_gt_add_label(gt, lm->names[i]);
    ovNameIndex vids, keys, boxes;
    ov_name_index_init(&vids, 64);
    ov_name_index_init(&keys, 1024);
    ov_name_index_init(&boxes, 1024);
    char **owned = NULL; /* the key strings the two indices point at */
    int nowned = 0, cowned = 0;
    ovCsv c;
    ov_csv_init(&c, name, text, len);
    int r, rc = 0;
    while ((r = ov_csv_next(&c)) > 0) {
        if (c.comment) continue;
        int sec, action;
        ovBox b;
        if (parse_row(&c, &sec, &b, &action)) {
            rc = -1;
            break;
        }
        s.rows++;
        int label = ov_ava_labelmap_index(lm, action);
        if (label < 0) {
            s.other_classes++;
            continue;
        }
        s.kept++;
        int v = ov_name_index_get(&vids, c.f[0]);
        if (v < 0) {
            v = ov_gt_add_video(gt, c.f[0], 0, 0, 0);
            ov_name_index_put(&vids, gt->videos[v].name, v);
        }
        if (!ov_gt_add_tube(gt, v, label, 1, &sec, &b)) {
            rc = -1;
            break;
        }
        char key[512];
        for (int pass = 0; pass < 2; pass++) { /* distinct keys, then distinct boxes in them */
            if (pass == 0) snprintf(key, sizeof key, "%d,%.200s", sec, c.f[0]);
            else snprintf(key, sizeof key, "%d,%.200s,%s,%s,%s,%s", sec, c.f[0], c.f[2], c.f[3], c.f[4], c.f[5]);
            ovNameIndex *idx = pass ? &boxes : &keys;
            if (ov_name_index_get(idx, key) >= 0) continue;
            OV_EV_GROW(owned, nowned, cowned);
            owned[nowned] = ov_ev_strdup(key);
            ov_name_index_put(idx, owned[nowned++], 1);
            if (pass) s.boxes++;
            else s.keyframes++;
        }
    }
    if (r < 0) rc = -1;
    ov_csv_free(&c);
    if (!rc && excluded) {
        IntList *ex = ov_ev_alloc((size_t)(gt->nvideos ? gt->nvideos : 1) * sizeof *ex);
        for (int i = 0; i < excluded->n; i++) {
            int v = ov_name_index_get(&vids, excluded->videos[i]);
            if (v < 0) continue;
            push_int(&ex[v], excluded->secs[i]);
            s.excluded_keys++;
        }
        for (int v = 0; v < gt->nvideos; v++) {
            if (ex[v].n) ov_gt_set_excluded(gt, v, ex[v].n, ex[v].frames);
            free(ex[v].frames);
        }
        free(ex);
    }
    for (int i = 0; i < nowned; i++) free(owned[i]);
    free(owned);
    ov_name_index_free(&vids);
    ov_name_index_free(&keys);
    ov_name_index_free(&boxes);
    if (rc) {
        ov_gt_free(gt);
        return -1;
    }
    if (st) *st = s;
    return 0;
}

int ov_ava_gt_read(const char *csv, const char *labelmap, const char *excluded, ovGroundTruth *gt, ovAvaGtStats *st) {
    ov_gt_init(gt);
    ovAvaLabelMap lm;
    ovAvaKeys ex = {0};
    if (ov_ava_labelmap_read(labelmap, &lm)) return -1;
    if (excluded && ov_ava_keys_read(excluded, &ex)) {
        ov_ava_labelmap_free(&lm);
        return -1;
    }
    uint8_t *text;
    size_t len;
    int rc = ov_read_file(csv, &text, &len);
    if (!rc) {
        rc = ov_ava_gt_parse((const char *)text, len, csv, &lm, excluded ? &ex : NULL, gt, st);
        free(text);
    }
    ov_ava_labelmap_free(&lm);
    ov_ava_keys_free(&ex);
    return rc;
}

int ov_ava_gt_load(const char *path, ovGroundTruth *gt, ovAvaGtStats *st) {
    ov_gt_init(gt);
    char csv[4096], dir[4096], lm[4400], ex[4400];
    if (ov_is_dir(path)) {
        if (ov_path_printf(csv, sizeof csv, "%s/ava_val_v2.2.csv", path)) return -1;
        if (!ov_is_file(csv)) return ov_error("%s: a folder without ava_val_v2.2.csv", path);
    } else if (ov_path_printf(csv, sizeof csv, "%s", path)) {
        return -1;
    }
    snprintf(dir, sizeof dir, "%s", csv);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : csv;
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    static const char *const maps[] = {"ava_action_list_v2.2_for_activitynet_2019.pbtxt",
                                       "ava_action_list_v2.1_for_activitynet_2018.pbtxt", "ava_action_list_v2.2.pbtxt"};
    bool found = false;
    for (int i = 0; i < 3 && !found; i++) {
        if (ov_path_printf(lm, sizeof lm, "%s/%s", dir, maps[i])) return -1;
        found = ov_is_file(lm);
    }
    if (!found)
        return ov_error("%s: no label map beside it (%s/%s or the 80-class ava_action_list_v2.2.pbtxt)", csv, dir, maps[0]);
    /* ava_<set>_v2.2.csv -> ava_<set>_excluded_timestamps_v2.2.csv */
    const char *exp = NULL;
    const char *v = strstr(base, "_v2.");
    if (v && !strncmp(base, "ava_", 4)) {
        if (ov_path_printf(ex, sizeof ex, "%s/%.*s_excluded_timestamps%s", dir, (int)(v - base), base, v)) return -1;
        if (ov_is_file(ex)) exp = ex;
    }
    return ov_ava_gt_read(csv, lm, exp, gt, st);
}

/* ---- frame lists ---- */

void ov_ava_frame_list_free(ovAvaFrameList *f) {
    for (int i = 0; i < f->n; i++) free(f->videos[i]);
    free(f->videos);
    free(f->nframes);
    memset(f, 0, sizeof *f);
}

int ov_ava_frame_list_parse(const char *text, size_t len, const char *name, ovAvaFrameList *f) {
    memset(f, 0, sizeof *f);
    const char *p = text, *end = text + len;
    long line = 0;
    int rc = 0;
    bool header = false;
    ovNameIndex idx;
    ov_name_index_init(&idx, 64);
    while (p < end && !rc) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        line++;
        char row[1024];
        size_t n = (size_t)(e - p);
        if (n >= sizeof row) {
            rc = ov_error("%s:%ld: a line longer than %zu bytes", name, line, sizeof row - 1);
            break;
        }
        memcpy(row, p, n);
        row[n] = 0;
        p = e + 1;
        if (strlen(row) != n) {
            rc = ov_error("%s:%ld: a NUL byte in a text file", name, line);
            break;
        }
        char *tok[6];
        int nt = 0;
        for (char *s = strtok(row, " \t\r"); s && nt < 6; s = strtok(NULL, " \t\r")) tok[nt++] = s;
        if (!nt) continue;
        if (!header) {
            header = true;
            if (strcmp(tok[0], "original_vido_id") && strcmp(tok[0], "original_video_id")) {
                rc = ov_error("%s:1: expected the header 'original_vido_id video_id frame_id path labels'", name);
                break;
            }
            continue;
        }
        if (nt < 4) {
            rc = ov_error("%s:%ld: %d fields, expected original_vido_id video_id frame_id path labels", name, line, nt);
            break;
        }
        char *stop;
        long fid = strtol(tok[2], &stop, 10);
        if (*stop || fid < 0 || fid > 100000000) {
            rc = ov_error("%s:%ld: frame_id '%.40s' is not a frame index", name, line, tok[2]);
            break;
        }
        int v = ov_name_index_get(&idx, tok[0]);
        if (v < 0) {
            OV_EV_GROW(f->videos, f->n, f->cap);
            f->nframes = ov_ev_realloc(f->nframes, (size_t)f->cap * sizeof *f->nframes);
            f->videos[f->n] = ov_ev_strdup(tok[0]);
            f->nframes[f->n] = 0;
            v = f->n++;
            ov_name_index_put(&idx, f->videos[v], v);
        }
        char want[600];
        snprintf(want, sizeof want, "%.250s/%.250s_%06ld.jpg", tok[0], tok[0], fid + 1);
        if (fid != f->nframes[v] || strcmp(tok[3], want)) {
            rc = ov_error("%s:%ld: frame %ld of %s is '%.200s'; expected frame %d at %s (SlowFast's layout)", name, line,
                          fid, tok[0], tok[3], f->nframes[v], want);
            break;
        }
        f->nframes[v]++;
    }
    ov_name_index_free(&idx);
    if (!rc && !header) rc = ov_error("%s: empty (no header line)", name);
    if (rc) ov_ava_frame_list_free(f);
    return rc;
}

int ov_ava_frame_list_read(const char *path, ovAvaFrameList *f) { READ_AND_PARSE(path, ov_ava_frame_list_parse, f); }

int ov_ava_keyframe_path(char *buf, size_t cap, const char *frames_dir, const char *video, int sec) {
    int64_t idx = ov_ava_keyframe_index(sec);
    if (idx < 0) return -1;
    return ov_path_printf(buf, cap, "%s/%s/%s_%06lld.jpg", frames_dir, video, video, (long long)idx + 1);
}
