/* load.c: dataset profiles and THE place where annotation readers are wired to the evaluators.
 *
 * ov_eval_load_gt tells the formats apart by content, not by name:
 *   - ovad's ground-truth CSV (first line "# ovad ground truth v1", eval/gt_csv.c);
 *   - for --dataset ava, an annotation CSV (ava_val_v2.2.csv) or the folder holding it, with the
 *     label map and the excluded timestamps found beside it (data/ava.h): a (box, action) row is a
 *     one-frame tube at frame = the timestamp second, only classes of the label map are kept (the
 *     official evaluator's whitelist), boxes stay normalised as AVA's detections are;
 *   - otherwise an ACT ground-truth pickle (JHMDB-GT.pkl, UCF101v2-GT.pkl), UCF101-24's
 *     finalAnnots.mat or a YOWO folder (labels/ with list files) through data/action_gt.h, keeping
 *     the test videos of `split` (every video for split 0). */
#include "eval/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/action_gt.h"
#include "data/ava.h"
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
    size_t n = fread(head, 1, sizeof head - 1, f); /* 0 for a folder */
    fclose(f);
    head[n] = 0;
    if (!strncmp(head, OV_GT_CSV_MAGIC, strlen(OV_GT_CSV_MAGIC))) return ov_gt_read_csv(path, split, gt);
    if (dataset->ava) {
        if (split > 1) return ov_error("%s: AVA has no numbered splits (the CSV is the split)", path);
        return ov_ava_gt_load(path, gt, NULL);
    }
    ovActionGt a;
    if (ov_action_gt_load(path, NULL, &a)) return -1;
    return ov_action_gt_take_test(&a, split, gt);
}
