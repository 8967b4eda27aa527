/* file.c: whole-file reads (see file.h). */
#include "tensor/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/error.h"

int ov_read_file(const char *path, uint8_t **data, size_t *n) {
    *data = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return ov_error("%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap + 1); /* + 1: the NUL after the data */
    for (;;) {
        if (!buf) {
            fclose(f);
            return ov_error("%s: out of memory while reading", path);
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) free(buf);
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return ov_error("%s: read error", path);
    }
    buf[len] = 0;
    *data = buf;
    *n = len;
    return 0;
}
