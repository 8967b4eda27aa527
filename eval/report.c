/* report.c: per-class tables and base/novel/all means (report.h). */
#include "eval/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/csv.h"
#include "tensor/file.h"
#include "eval/util.h"
#include "tensor/error.h"

static int add_name(const ovGroundTruth *gt, const char *name, const char *where, ovClassSet *out, int *cap) {
    int id = ov_gt_find_label(gt, name);
    if (id < 0) return ov_error("%s: unknown class '%.60s'", where, name);
    for (int i = 0; i < out->n; i++)
        if (out->ids[i] == id) return 0;
    OV_EV_GROW(out->ids, out->n, *cap);
    out->ids[out->n++] = id;
    return 0;
}

int ov_class_set_parse(const ovGroundTruth *gt, const char *spec, ovClassSet *out) {
    memset(out, 0, sizeof *out);
    int cap = 0;
    if (!spec || !*spec) return 0;
    if (spec[0] == '@') {
        size_t len;
        char *text = NULL;
        if (ov_read_file(spec + 1, (uint8_t **)&text, &len)) text = NULL;
        if (!text) return -1;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            size_t n = strlen(line);
            while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t')) line[--n] = 0;
            while (*line == ' ' || *line == '\t') line++;
            if (!*line || *line == '#') continue;
            if (add_name(gt, line, spec + 1, out, &cap)) {
                free(text);
                ov_class_set_free(out);
                return -1;
            }
        }
        free(text);
        return 0;
    }
    char *copy = ov_ev_strdup(spec), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ') tok[--n] = 0;
        if (!*tok) continue;
        if (add_name(gt, tok, "class list", out, &cap)) {
            free(copy);
            ov_class_set_free(out);
            return -1;
        }
    }
    free(copy);
    return 0;
}

void ov_class_set_complement(const ovGroundTruth *gt, const ovClassSet *s, ovClassSet *out) {
    out->n = 0;
    out->ids = ov_ev_alloc((size_t)(gt->nlabels ? gt->nlabels : 1) * sizeof *out->ids);
    for (int c = 0; c < gt->nlabels; c++) {
        bool in = false;
        for (int i = 0; i < s->n; i++) in |= s->ids[i] == c;
        if (!in) out->ids[out->n++] = c;
    }
}

void ov_class_set_free(ovClassSet *s) {
    free(s->ids);
    s->ids = NULL;
    s->n = 0;
}

double ov_ap_mean_of(const ovApResult *r, const ovClassSet *s) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < s->n; i++)
        if (!isnan(r->ap[s->ids[i]])) {
            sum += r->ap[s->ids[i]];
            n++;
        }
    return n ? sum / n : NAN;
}

void ov_report_table(FILE *f, const ovGroundTruth *gt, const ovApResult *r) {
    int w = 5;
    for (int c = 0; c < gt->nlabels; c++)
        if ((int)strlen(gt->labels[c]) > w) w = (int)strlen(gt->labels[c]);
    if (w > 60) w = 60;
    fprintf(f, "%-*s %9s %8s %9s\n", w, "class", "AP(%)", "gt", "scored");
    for (int c = 0; c < gt->nlabels; c++) {
        if (isnan(r->ap[c]))
            fprintf(f, "%-*.60s %9s %8ld %9ld\n", w, gt->labels[c], "-", r->npos[c], r->ndet[c]);
        else
            fprintf(f, "%-*.60s %9.4f %8ld %9ld\n", w, gt->labels[c], 100 * r->ap[c], r->npos[c], r->ndet[c]);
    }
}

static void put_mean(FILE *f, const char *name, const char *which, double v) {
    if (isnan(v))
        fprintf(f, "%s%s: nan\n", name, which);
    else
        fprintf(f, "%s%s: %.4f\n", name, which, 100 * v);
}

void ov_report_means(FILE *f, const char *name, const ovApResult *r, const ovClassSet *base, const ovClassSet *novel) {
    put_mean(f, name, "", r->mean);
    if (base && base->n) put_mean(f, name, " base", ov_ap_mean_of(r, base));
    if (novel && novel->n) put_mean(f, name, " novel", ov_ap_mean_of(r, novel));
}
