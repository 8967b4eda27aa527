/* csv.c: the CSV tokenizer and field parsers shared by the detection and ground-truth readers
 * (csv.h). The whole file is in memory; every failure names the file and line. */
#include "eval/csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/util.h"
#include "tensor/error.h"

void ov_csv_init(ovCsv *c, const char *name, const char *text, size_t len) {
    memset(c, 0, sizeof *c);
    c->name = name;
    c->p = text;
    c->end = text + len;
}

void ov_csv_free(ovCsv *c) {
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
}

static const char *shown(const char *s, char *tmp, size_t n) {
    /* a field as it appears in a message: at most n-4 bytes, non-printable bytes as '?' */
    size_t i = 0;
    for (; s[i] && i + 4 < n; i++) tmp[i] = (s[i] >= 32 && s[i] < 127) ? s[i] : '?';
    if (s[i]) {
        memcpy(tmp + i, "...", 3);
        i += 3;
    }
    tmp[i] = 0;
    return tmp;
}

int ov_csv_next(ovCsv *c) {
    for (;;) {
        if (c->p >= c->end) return 0;
        c->line++;
        const char *e = c->p;
        while (e < c->end && *e != '\n') {
            if (!*e) return ov_error("%s:%ld: a NUL byte in a text file", c->name, c->line);
            e++;
        }
        size_t len = (size_t)(e - c->p);
        if (len + 1 > c->cap) {
            c->cap = 2 * (len + 1);
            c->buf = ov_ev_realloc(c->buf, c->cap);
        }
        const char *s = c->p;
        c->p = e < c->end ? e + 1 : e;
        /* split into fields, unquoting; trims spaces and a trailing \r around unquoted fields */
        char *out = c->buf;
        c->nf = 0;
        bool blank = true;
        for (size_t i = 0; i < len; i++)
            if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') blank = false;
        if (blank) continue;
        c->comment = s[0] == '#';
        if (c->comment) { /* the whole line, untokenized */
            size_t n = len;
            while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
            memcpy(c->buf, s, n);
            c->buf[n] = 0;
            c->f[0] = c->buf;
            c->nf = 1;
            return 1;
        }
        size_t i = 0;
        for (;;) {
            if (c->nf == OV_CSV_MAX_FIELDS)
                return ov_error("%s:%ld: more than %d fields", c->name, c->line, OV_CSV_MAX_FIELDS);
            while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
            c->f[c->nf++] = out;
            if (i < len && s[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len) return ov_error("%s:%ld: column %d: a quoted field is not closed", c->name, c->line, c->nf);
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"') {
                            *out++ = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    *out++ = s[i++];
                }
                while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
                if (i < len && s[i] != ',')
                    return ov_error("%s:%ld: column %d: text after a closing quote", c->name, c->line, c->nf);
            } else {
                char *start = out;
                while (i < len && s[i] != ',') *out++ = s[i++];
                while (out > start && (out[-1] == ' ' || out[-1] == '\t' || out[-1] == '\r')) out--;
            }
            *out++ = 0;
            if (i >= len) break;
            i++; /* the comma */
        }
        return 1;
    }
}

int ov_csv_int(const ovCsv *c, int col, const char *what, int *out) {
    char tmp[48];
    const char *s = col < c->nf ? c->f[col] : "";
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < INT_MIN || v > INT_MAX)
        return ov_error("%s:%ld: column %d (%s): expected an integer, got '%s'", c->name, c->line, col + 1, what,
                        shown(s, tmp, sizeof tmp));
    *out = (int)v;
    return 0;
}

int ov_csv_num(const ovCsv *c, int col, const char *what, double *out) {
    char tmp[48];
    const char *s = col < c->nf ? c->f[col] : "";
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v))
        return ov_error("%s:%ld: column %d (%s): expected a number, got '%s'", c->name, c->line, col + 1, what,
                        shown(s, tmp, sizeof tmp));
    *out = v;
    return 0;
}

void ov_csv_put_field(FILE *f, const char *s) {
    bool q = strpbrk(s, ",\"\n\r") || s[0] == ' ' || s[0] == '\t' || s[0] == '#' || (s[0] && (s[strlen(s) - 1] == ' '));
    if (!q) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
