/* gt_csv.c: ovad's ground-truth CSV (format in csv.h): labels, videos, tube boxes, keyframes,
 * excluded frames and test splits, one record per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/csv.h"
#include "tensor/file.h"
#include "eval/util.h"
#include "tensor/error.h"

typedef struct {
    int video, tube, label, frame;
    long line;
    ovBox box;
} Row;

typedef struct {
    int video, frame;
} VF;

static int before_row(int a, int b, const void *ctx) {
    const Row *x = &((const Row *)ctx)[a], *y = &((const Row *)ctx)[b];
    if (x->video != y->video) return x->video < y->video;
    if (x->tube != y->tube) return x->tube < y->tube;
    return x->frame < y->frame;
}

typedef struct {
    int video, first, start, count; /* first: the group's first row in file order */
} Group;

static int before_group(int a, int b, const void *ctx) {
    const Group *x = &((const Group *)ctx)[a], *y = &((const Group *)ctx)[b];
    return x->video != y->video ? x->video < y->video : x->first < y->first;
}

/* Adds one kind of per-video frame list (keyframes or excluded) from its records. */
static void set_frames(ovGroundTruth *gt, const VF *r, int n, bool keyframes) {
    int *tmp = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *tmp);
    for (int v = 0; v < gt->nvideos; v++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (r[i].video == v) tmp[m++] = r[i].frame;
        if (!m) continue;
        if (keyframes)
            ov_gt_set_keyframes(gt, v, m, tmp);
        else
            ov_gt_set_excluded(gt, v, m, tmp);
    }
    free(tmp);
}

int ov_gt_parse_csv(const char *text, size_t len, const char *name, int split, ovGroundTruth *gt) {
    ov_gt_init(gt);
    ovCsv c;
    ov_csv_init(&c, name, text, len);
    ovNameIndex videos, labels;
    ov_name_index_init(&videos, 64);
    ov_name_index_init(&labels, 64);
    Row *rows = NULL;
    int nrows = 0, cap_rows = 0;
    VF *key = NULL, *exc = NULL;
    int nkey = 0, cap_key = 0, nexc = 0, cap_exc = 0;
    int *test = NULL, ntest = 0, cap_test = 0;
    bool any_split = false;
    int rc = -1, r;
    Group *groups = NULL;
    int *ord = NULL, *gord = NULL;

    if ((r = ov_csv_next(&c)) <= 0 || !c.comment || strcmp(c.f[0], OV_GT_CSV_MAGIC)) {
        if (r >= 0) ov_error("%s:1: not an ovad ground-truth file (its first line must be '%s')", name, OV_GT_CSV_MAGIC);
        goto done;
    }
    while ((r = ov_csv_next(&c)) > 0) {
        if (c.comment) continue;
        const char *kind = c.f[0];
        int need = !strcmp(kind, "label") ? 2 : !strcmp(kind, "video") ? 5 : !strcmp(kind, "box") ? 9
                 : !strcmp(kind, "keyframe") || !strcmp(kind, "exclude") || !strcmp(kind, "test") ? 3 : -1;
        if (need < 0) {
            ov_error("%s:%ld: unknown record '%.40s' (expected label, video, box, keyframe, exclude or test)", name,
                     c.line, kind);
            goto done;
        }
        if (c.nf != need) {
            ov_error("%s:%ld: a %s record has %d fields, expected %d", name, c.line, kind, c.nf, need);
            goto done;
        }
        if (!strcmp(kind, "label")) {
            if (!c.f[1][0] || ov_name_index_get(&labels, c.f[1]) >= 0) {
                ov_error("%s:%ld: class '%.60s' is %s", name, c.line, c.f[1], c.f[1][0] ? "declared twice" : "empty");
                goto done;
            }
            int id = ov_gt_add_label(gt, c.f[1]);
            ov_name_index_put(&labels, gt->labels[id], id);
        } else if (!strcmp(kind, "video")) {
            int nf, w, h;
            if (ov_csv_int(&c, 2, "nframes", &nf) || ov_csv_int(&c, 3, "width", &w) || ov_csv_int(&c, 4, "height", &h))
                goto done;
            if (!c.f[1][0] || ov_name_index_get(&videos, c.f[1]) >= 0 || nf < 0 || w < 0 || h < 0) {
                ov_error("%s:%ld: video '%.60s': %s", name, c.line, c.f[1],
                         !c.f[1][0] ? "empty name" : nf < 0 || w < 0 || h < 0 ? "negative size" : "declared twice");
                goto done;
            }
            int id = ov_gt_add_video(gt, c.f[1], nf, w, h);
            ov_name_index_put(&videos, gt->videos[id].name, id);
        } else {
            int v = ov_name_index_get(&videos, c.f[!strcmp(kind, "test") ? 2 : 1]);
            if (v < 0) {
                ov_error("%s:%ld: video '%.60s' is not declared (a 'video' record must come first)", name, c.line,
                         c.f[!strcmp(kind, "test") ? 2 : 1]);
                goto done;
            }
            if (!strcmp(kind, "box")) {
                Row row = {.video = v, .line = c.line};
                if (ov_csv_int(&c, 2, "tube", &row.tube) || ov_csv_int(&c, 4, "frame", &row.frame) ||
                    ov_csv_num(&c, 5, "x1", &row.box.x1) || ov_csv_num(&c, 6, "y1", &row.box.y1) ||
                    ov_csv_num(&c, 7, "x2", &row.box.x2) || ov_csv_num(&c, 8, "y2", &row.box.y2))
                    goto done;
                row.label = ov_name_index_get(&labels, c.f[3]);
                if (row.label < 0) {
                    ov_error("%s:%ld: column 4 (label): class '%.60s' is not declared", name, c.line, c.f[3]);
                    goto done;
                }
                OV_EV_GROW(rows, nrows, cap_rows);
                rows[nrows++] = row;
            } else if (!strcmp(kind, "test")) {
                int s;
                if (ov_csv_int(&c, 1, "split", &s)) goto done;
                if (s < 1) {
                    ov_error("%s:%ld: column 2 (split): splits are numbered from 1, got %d", name, c.line, s);
                    goto done;
                }
                any_split = true;
                if (s == split) {
                    OV_EV_GROW(test, ntest, cap_test);
                    test[ntest++] = v;
                }
            } else {
                VF x = {v, 0};
                if (ov_csv_int(&c, 2, "frame", &x.frame)) goto done;
                if (!strcmp(kind, "keyframe")) {
                    OV_EV_GROW(key, nkey, cap_key);
                    key[nkey++] = x;
                } else {
                    OV_EV_GROW(exc, nexc, cap_exc);
                    exc[nexc++] = x;
                }
            }
        }
    }
    if (r < 0) goto done;

    /* tubes: rows grouped by (video, tube id), frames ascending, tubes in order of first row */
    ord = ov_ev_alloc((size_t)(nrows ? nrows : 1) * sizeof *ord);
    ov_argsort_by(nrows, ord, before_row, rows);
    groups = ov_ev_alloc((size_t)(nrows ? nrows : 1) * sizeof *groups);
    int ng = 0;
    for (int i = 0; i < nrows;) {
        int j = i, first = ord[i];
        while (j < nrows && rows[ord[j]].video == rows[ord[i]].video && rows[ord[j]].tube == rows[ord[i]].tube) {
            const Row *a = &rows[ord[j]];
            if (a->label != rows[ord[i]].label) {
                ov_error("%s:%ld: tube %d of video '%.60s' has class %s here but %s on line %ld", name, a->line, a->tube,
                         gt->videos[a->video].name, gt->labels[a->label], gt->labels[rows[ord[i]].label],
                         rows[ord[i]].line);
                goto done;
            }
            if (j > i && rows[ord[j - 1]].frame == a->frame) {
                ov_error("%s:%ld: tube %d of video '%.60s' has frame %d twice (also line %ld)", name, a->line, a->tube,
                         gt->videos[a->video].name, a->frame, rows[ord[j - 1]].line);
                goto done;
            }
            if (ord[j] < first) first = ord[j];
            j++;
        }
        groups[ng++] = (Group){rows[ord[i]].video, first, i, j - i};
        i = j;
    }
    gord = ov_ev_alloc((size_t)(ng ? ng : 1) * sizeof *gord);
    ov_argsort_by(ng, gord, before_group, groups);
    int maxn = 1;
    for (int g = 0; g < ng; g++)
        if (groups[g].count > maxn) maxn = groups[g].count;
    int *fr = ov_ev_alloc((size_t)maxn * sizeof *fr);
    ovBox *bx = ov_ev_alloc((size_t)maxn * sizeof *bx);
    for (int g = 0; g < ng; g++) {
        const Group *G = &groups[gord[g]];
        for (int k = 0; k < G->count; k++) {
            fr[k] = rows[ord[G->start + k]].frame;
            bx[k] = rows[ord[G->start + k]].box;
        }
        ov_gt_add_tube(gt, G->video, rows[ord[G->start]].label, G->count, fr, bx);
    }
    free(fr);
    free(bx);
    set_frames(gt, key, nkey, true);
    set_frames(gt, exc, nexc, false);

    if (split > 0) {
        if (!any_split) {
            ov_error("%s: --split %d asked, but the file lists no test splits ('test' records)", name, split);
            goto done;
        }
        if (!ntest) {
            ov_error("%s: no test videos for split %d", name, split);
            goto done;
        }
        bool *keep = ov_ev_alloc((size_t)gt->nvideos * sizeof *keep);
        for (int i = 0; i < ntest; i++) keep[test[i]] = true;
        ov_gt_keep_videos(gt, keep);
        free(keep);
    }
    rc = 0;
done:
    if (rc) ov_gt_free(gt);
    free(rows);
    free(key);
    free(exc);
    free(test);
    free(groups);
    free(ord);
    free(gord);
    ov_csv_free(&c);
    ov_name_index_free(&videos);
    ov_name_index_free(&labels);
    return rc;
}

int ov_gt_read_csv(const char *path, int split, ovGroundTruth *gt) {
    size_t len;
    char *text = NULL;
    if (ov_read_file(path, (uint8_t **)&text, &len)) text = NULL;
    if (!text) {
        ov_gt_init(gt);
        return -1;
    }
    int rc = ov_gt_parse_csv(text, len, path, split, gt);
    free(text);
    return rc;
}

int ov_gt_write_csv(const char *path, const ovGroundTruth *gt) {
    FILE *f = fopen(path, "w");
    if (!f) return ov_error("%s: cannot create", path);
    fprintf(f, "%s\n", OV_GT_CSV_MAGIC);
    for (int l = 0; l < gt->nlabels; l++) {
        fputs("label,", f);
        ov_csv_put_field(f, gt->labels[l]);
        fputc('\n', f);
    }
    for (int v = 0; v < gt->nvideos; v++) {
        const ovGtVideo *vid = &gt->videos[v];
        fputs("video,", f);
        ov_csv_put_field(f, vid->name);
        fprintf(f, ",%d,%d,%d\n", vid->nframes, vid->width, vid->height);
        for (int t = 0; t < vid->ntubes; t++)
            for (int i = 0; i < vid->tubes[t].n; i++) {
                ovBox b = vid->tubes[t].boxes[i];
                fputs("box,", f);
                ov_csv_put_field(f, vid->name);
                fprintf(f, ",%d,", t);
                ov_csv_put_field(f, gt->labels[vid->tubes[t].label]);
                fprintf(f, ",%d,%.17g,%.17g,%.17g,%.17g\n", vid->tubes[t].frames[i], b.x1, b.y1, b.x2, b.y2);
            }
        for (int i = 0; i < vid->nkeyframes; i++) {
            fputs("keyframe,", f);
            ov_csv_put_field(f, vid->name);
            fprintf(f, ",%d\n", vid->keyframes[i]);
        }
        for (int i = 0; i < vid->nexcluded; i++) {
            fputs("exclude,", f);
            ov_csv_put_field(f, vid->name);
            fprintf(f, ",%d\n", vid->excluded[i]);
        }
    }
    if (fclose(f)) return ov_error("%s: write error", path);
    return 0;
}
