/* load.c: dataset profiles and THE place where annotation readers are wired to the evaluators.
 *
 * EXTENSION POINT (data work): ov_eval_load_gt is the single function to extend. A reader for a
 * dataset's own format (ACT's JHMDB-GT.pkl / UCF101v2-GT.pkl, ucf24_finalAnnots.mat or the YOWO
 * label folders, AVA's CSVs with the 60-class label map and excluded timestamps) fills an
 * ovGroundTruth with ov_gt_add_label / ov_gt_add_video / ov_gt_add_tube / ov_gt_set_excluded,
 * keeping only the test videos of `split`, and is called below by sniffing the file. For AVA a
 * (box, action) row becomes a one-frame tube at frame = the timestamp second, and only classes of
 * the label map are added (the official evaluator's whitelist). */
#include "eval/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/csv.h"
#include "eval/util.h"
#include "tensor/error.h"

static const ovEvalDataset datasets[] = {
    {"jhmdb", 1, false},
    {"ucf24", 5, false},
    {"ava", 1, true},
    {"generic", 1, false},
};

const ovEvalDataset *ov_eval_dataset(const char *name) {
    for (size_t i = 0; i < sizeof datasets / sizeof datasets[0]; i++)
        if (!strcmp(datasets[i].name, name)) return &datasets[i];
    return NULL;
}

int ov_eval_load_gt(const ovEvalDataset *dataset, const char *path, int split, ovGroundTruth *gt) {
    ov_gt_init(gt);
    char head[64] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return ov_error("%s: cannot open", path);
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = 0;
    if (!strncmp(head, OV_GT_CSV_MAGIC, strlen(OV_GT_CSV_MAGIC))) return ov_gt_read_csv(path, split, gt);
    /* --- the dataset readers go here (see the comment at the top of this file) --- */
    return ov_error("%s: not an ovad ground-truth CSV (first line '%s'); reading %s's own annotation format is "
                    "not wired into the evaluators yet (eval/load.c)",
                    path, OV_GT_CSV_MAGIC, dataset->name);
}
