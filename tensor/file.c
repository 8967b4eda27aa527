/* file.c: whole-file reads and opening the mapped files (see file.h). */
#include "tensor/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int ov_open_regular(const char *path, size_t *size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return ov_error("%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ov_error("%s: not a regular file", path);
    }
    *size = (size_t)sb.st_size;
    return fd;
}
