/* progress.h: a one-line progress bar for long loops (training, evaluation) on a stream,
 *
 *     train [##########..........]  750/1500  loss 2.313 (avg 2.402)  temp 0.052  9.8 it/s  ETA 1:16
 *
 * redrawn in place (carriage return) at most ten times a second when the stream is a terminal;
 * otherwise (a log file, a pipe, CI) one plain line every twentieth of the run and at its end, so
 * logs stay short and readable. */
#ifndef OV_EXAMPLES_PROGRESS_H
#define OV_EXAMPLES_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    const char *name;
    int64_t total, last_line; /* last_line: the step of the last plain line */
    double t0, last_draw;
    bool tty, open;           /* open: a redrawn line is on screen */
} ovProgress;

void ov_progress_start(ovProgress *p, FILE *f, const char *name, int64_t total);
/* done steps of total, with `extra` (may be NULL) after the counts. */
void ov_progress_update(ovProgress *p, int64_t done, const char *extra);
/* Ends the line (a final draw with the last update's numbers is the caller's). */
void ov_progress_end(ovProgress *p);
double ov_progress_seconds(const ovProgress *p); /* since start */

#endif
