/* csv.h: the CSV files the evaluators read, and the tokenizer under them.
 *
 * Detections (`ovad eval --dets`): a header line, then one detection per line:
 *     video,frame,x1,y1,x2,y2,label,score
 *     brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0,1,115.5,27,217,239,brush_hair,0.93
 *   label by class name, box in pixels of the original frame, frames numbered as in the ground
 *   truth. Fields may be double-quoted ("a,b" with "" for a quote); blank lines and lines
 *   starting with '#' are skipped (a name starting with '#' must be quoted).
 *
 * Ground truth, ovad's own format (eval/gt_csv.c), one record per line, '#' lines are comments,
 * the first line must be `# ovad ground truth v1`:
 *     label,NAME                               a class; ids follow the order of these lines
 *     video,NAME,NFRAMES,WIDTH,HEIGHT          a video (0 where unknown)
 *     box,VIDEO,TUBE,LABEL,FRAME,X1,Y1,X2,Y2   one box of tube TUBE (an integer id, unique within
 *                                              the video, one class per tube; any frame order)
 *     keyframe,VIDEO,FRAME                     a frame the TF protocol evaluates (default: every
 *                                              annotated frame, every 5th for UCF101-24)
 *     exclude,VIDEO,FRAME                      a frame left out (AVA's excluded timestamps)
 *     test,SPLIT,VIDEO                         VIDEO is a test video of split SPLIT (1-based)
 *   Labels and videos are declared before the records that name them. For AVA, FRAME is the
 *   second (timestamp) and each (box, action) row is a one-frame tube.
 *
 * Errors name the file, the line and the column, e.g.
 *   "dets.csv:12: column 3 (x1): expected a number, got 'abc'". */
#ifndef OV_EVAL_CSV_H
#define OV_EVAL_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tensor/file.h"

#include "eval/types.h"

/* ---- tokenizer ---- */
#define OV_CSV_MAX_FIELDS 32

typedef struct {
    const char *name; /* file name for messages */
    const char *p, *end;
    long line;        /* 1-based number of the current line */
    int nf;           /* fields of the current line */
    bool comment;     /* the line starts with '#': f[0] is the whole line, not split */
    char *f[OV_CSV_MAX_FIELDS];
    char *buf;
    size_t cap;
} ovCsv;

void ov_csv_init(ovCsv *c, const char *name, const char *text, size_t len);
void ov_csv_free(ovCsv *c);
/* Reads the next non-blank line: 1, or 0 at the end, or -1 after ov_error (an unterminated
 * quote, a NUL byte, too many fields). A quoted field cannot span lines. A line whose first
 * character is '#' comes back whole as one field with `comment` set. */
int ov_csv_next(ovCsv *c);
/* Field parsers; on failure -1 after ov_error naming file, line, column and what was expected. */
int ov_csv_int(const ovCsv *c, int col, const char *what, int *out);
int ov_csv_num(const ovCsv *c, int col, const char *what, double *out);

/* Writes s as one field that ov_csv reads back unchanged: quoted (quotes doubled) when it holds a
 * comma, quote or line break, or starts with '#' or white space, or ends with a space. */
void ov_csv_put_field(FILE *f, const char *s);

/* ---- detections ---- */
typedef struct {
    bool skip_unknown_labels; /* count rows whose class is not in the ground truth instead of failing
                               * (AVA: the label map is a whitelist) */
} ovDetCsvOpts;

typedef struct {
    long rows, kept, unknown_video, unknown_label;
} ovDetCsvStats;

/* Appends the detections of videos present in gt (rows naming other videos are counted, as the
 * detections of a whole dataset are scored on one split). On error returns -1 after ov_error and
 * leaves out as it was. o and st may be NULL. */
int ov_dets_parse_csv(const char *text, size_t len, const char *name, const ovGroundTruth *gt,
                      const ovDetCsvOpts *o, ovDetections *out, ovDetCsvStats *st);
int ov_dets_read_csv(const char *path, const ovGroundTruth *gt, const ovDetCsvOpts *o, ovDetections *out,
                     ovDetCsvStats *st);
/* Writes detections in the same format (for tools and tests). */
int ov_dets_write_csv(const char *path, const ovGroundTruth *gt, const ovDetections *d);

/* ---- ground truth ---- */
#define OV_GT_CSV_MAGIC "# ovad ground truth v1"

/* Fills an empty gt. split > 0 keeps the test videos of that split (an error if the file lists
 * none for it); split 0 keeps every video. On error returns -1 after ov_error with gt empty. */
int ov_gt_parse_csv(const char *text, size_t len, const char *name, int split, ovGroundTruth *gt);
int ov_gt_read_csv(const char *path, int split, ovGroundTruth *gt);
/* Writes gt in this format (every video, no split records). */
int ov_gt_write_csv(const char *path, const ovGroundTruth *gt);

#endif
