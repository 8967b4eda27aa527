/* det_csv.c: the detections CSV (`video,frame,x1,y1,x2,y2,label,score`, csv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/csv.h"
#include "tensor/file.h"
#include "eval/util.h"
#include "tensor/error.h"

static const char *det_cols[] = {"video", "frame", "x1", "y1", "x2", "y2", "label", "score"};

int ov_dets_parse_csv(const char *text, size_t len, const char *name, const ovGroundTruth *gt,
                      const ovDetCsvOpts *o, ovDetections *out, ovDetCsvStats *st) {
    ovDetCsvStats s = {0};
    int n0 = out->n, rc = -1, r;
    ovCsv c;
    ov_csv_init(&c, name, text, len);
    ovNameIndex videos, labels;
    ov_name_index_init(&videos, gt->nvideos);
    ov_name_index_init(&labels, gt->nlabels);
    for (int v = 0; v < gt->nvideos; v++) ov_name_index_put(&videos, gt->videos[v].name, v);
    for (int l = 0; l < gt->nlabels; l++) ov_name_index_put(&labels, gt->labels[l], l);

    while ((r = ov_csv_next(&c)) > 0 && c.comment) {
    }
    if (r <= 0) {
        if (r == 0) ov_error("%s: empty file (expected the header video,frame,x1,y1,x2,y2,label,score)", name);
        goto done;
    }
    bool header = c.nf == 8;
    for (int i = 0; header && i < 8; i++) header = !strcmp(c.f[i], det_cols[i]);
    if (!header) {
        ov_error("%s:%ld: expected the header video,frame,x1,y1,x2,y2,label,score", name, c.line);
        goto done;
    }
    while ((r = ov_csv_next(&c)) > 0) {
        if (c.comment) continue;
        s.rows++;
        if (c.nf != 8) {
            ov_error("%s:%ld: expected 8 columns (video,frame,x1,y1,x2,y2,label,score), got %d", name, c.line, c.nf);
            goto done;
        }
        ovDetection d;
        if (ov_csv_int(&c, 1, "frame", &d.frame) || ov_csv_num(&c, 2, "x1", &d.box.x1) ||
            ov_csv_num(&c, 3, "y1", &d.box.y1) || ov_csv_num(&c, 4, "x2", &d.box.x2) ||
            ov_csv_num(&c, 5, "y2", &d.box.y2) || ov_csv_num(&c, 7, "score", &d.score))
            goto done;
        d.label = ov_name_index_get(&labels, c.f[6]);
        if (d.label < 0) {
            if (o && o->skip_unknown_labels) {
                s.unknown_label++;
                continue;
            }
            char tmp[80];
            snprintf(tmp, sizeof tmp, "%.60s%s", c.f[6], strlen(c.f[6]) > 60 ? "..." : "");
            ov_error("%s:%ld: column 7 (label): unknown class '%s' (%d classes in the ground truth)", name, c.line,
                     tmp, gt->nlabels);
            goto done;
        }
        d.video = ov_name_index_get(&videos, c.f[0]);
        if (d.video < 0) {
            s.unknown_video++;
            continue;
        }
        ov_dets_add(out, d);
        s.kept++;
    }
    if (r == 0) rc = 0;
done:
    if (rc) out->n = n0;
    ov_csv_free(&c);
    ov_name_index_free(&videos);
    ov_name_index_free(&labels);
    if (st) *st = s;
    return rc;
}

int ov_dets_read_csv(const char *path, const ovGroundTruth *gt, const ovDetCsvOpts *o, ovDetections *out,
                     ovDetCsvStats *st) {
    size_t len;
    char *text = NULL;
    if (ov_read_file(path, (uint8_t **)&text, &len)) text = NULL;
    if (!text) return -1;
    int rc = ov_dets_parse_csv(text, len, path, gt, o, out, st);
    free(text);
    return rc;
}

int ov_dets_write_csv(const char *path, const ovGroundTruth *gt, const ovDetections *d) {
    FILE *f = fopen(path, "w");
    if (!f) return ov_error("%s: cannot create", path);
    fprintf(f, "video,frame,x1,y1,x2,y2,label,score\n");
    for (int i = 0; i < d->n; i++) {
        const ovDetection *x = &d->d[i];
        ov_csv_put_field(f, gt->videos[x->video].name);
        fprintf(f, ",%d,%.17g,%.17g,%.17g,%.17g,", x->frame, x->box.x1, x->box.y1, x->box.x2, x->box.y2);
        ov_csv_put_field(f, gt->labels[x->label]);
        fprintf(f, ",%.17g\n", x->score);
    }
    if (fclose(f)) return ov_error("%s: write error", path);
    return 0;
}
