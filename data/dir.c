/* dir.c: sorted folder listings (dir.h). */
#include "data/dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval/util.h"
#include "tensor/error.h"

bool ov_is_dir(const char *path) {
    struct stat st;
    return !stat(path, &st) && S_ISDIR(st.st_mode);
}

bool ov_is_file(const char *path) {
    struct stat st;
    return !stat(path, &st) && S_ISREG(st.st_mode);
}

int ov_path_printf(char *buf, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) return ov_error("a path is too long (%d bytes): %.200s...", n, buf);
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int ov_dir_list(const char *path, ovDirWhat what, char ***names, int *n) {
    *names = NULL;
    *n = 0;
    DIR *d = opendir(path);
    if (!d) return ov_error("%s: cannot list the folder: %s", path, strerror(errno));
    int cap = 0;
    struct dirent *e;
    size_t plen = strlen(path);
    char *full = NULL;
    size_t fcap = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t need = plen + strlen(e->d_name) + 2;
        if (need > fcap) {
            fcap = 2 * need;
            full = ov_ev_realloc(full, fcap);
        }
        snprintf(full, fcap, "%s/%s", path, e->d_name);
        bool dir = ov_is_dir(full);
        if ((dir && !(what & OV_DIR_FOLDERS)) || (!dir && !(what & OV_DIR_FILES))) continue;
        OV_EV_GROW(*names, *n, cap);
        (*names)[(*n)++] = ov_ev_strdup(e->d_name);
    }
    closedir(d);
    free(full);
    if (*n) qsort(*names, (size_t)*n, sizeof **names, cmp_str);
    return 0;
}

void ov_dir_free(char **names, int n) {
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
}
