/* progress.c: the progress bar (see progress.h). */
#include "examples/progress.h"

#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ov_progress_start(ovProgress *p, FILE *f, const char *name, int64_t total) {
    *p = (ovProgress){.f = f, .name = name, .total = total > 0 ? total : 1, .t0 = now(), .last_draw = -1};
    p->tty = f && isatty(fileno(f));
}

double ov_progress_seconds(const ovProgress *p) { return now() - p->t0; }

void ov_progress_update(ovProgress *p, int64_t done, const char *extra) {
    if (!p->f) return;
    double t = now(), el = t - p->t0;
    bool last = done >= p->total;
    if (p->tty) {
        if (!last && t - p->last_draw < 0.1) return;
    } else {
        int64_t every = p->total / 20 > 0 ? p->total / 20 : 1;
        if (!last && done - p->last_line < every) return;
        p->last_line = done;
    }
    p->last_draw = t;
    double rate = el > 0 ? (double)done / el : 0, eta = rate > 0 ? (double)(p->total - done) / rate : 0;
    char bar[21];
    int fill = (int)(20 * done / p->total);
    for (int i = 0; i < 20; i++) bar[i] = i < fill ? '#' : '.';
    bar[20] = 0;
    fprintf(p->f, "%s%s [%s] %*lld/%lld  %s%s%.1f it/s  %s %d:%02d%s", p->tty ? "\r" : "", p->name, bar,
            (int)snprintf(NULL, 0, "%lld", (long long)p->total), (long long)done, (long long)p->total, extra ? extra : "",
            extra ? "  " : "", rate, last ? "took" : "ETA", (int)(last ? el : eta) / 60, (int)(last ? el : eta) % 60,
            p->tty ? "\033[K" : "\n");
    p->open = p->tty;
    fflush(p->f);
}

void ov_progress_end(ovProgress *p) {
    if (p->f && p->open) fputc('\n', p->f);
    p->open = false;
    if (p->f) fflush(p->f);
}
