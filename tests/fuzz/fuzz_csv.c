/* fuzz_csv.c: libFuzzer target for the line-based text readers: every input is read as an AVA
 * annotation CSV (with a fixed 80-class label map and itself as the excluded-timestamps file), an
 * AVA label map, an excluded-timestamps file, a SlowFast frame list, an LFB person-box CSV, a YOWO
 * label file and a class-list split file. Build and run with `make fuzz`. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/ava.h"
#include "data/proposals.h"
#include "data/splits.h"
#include "data/yowo.h"

static const char labelmap[] = "label {\n  name: \"bend/bow (at the waist)\"\n  label_id: 1\n}\n"
                               "label {\n  name: \"sit\"\n  label_id: 11\n}\nlabel {\n  name: \"watch (a person)\"\n"
                               "  label_id: 80\n}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* the readers take text that may lack a final NUL: give them an exact-size copy */
    char *t = malloc(size + 1);
    memcpy(t, data, size);
    t[size] = 0;
    ovAvaLabelMap lm;
    if (ov_ava_labelmap_parse(labelmap, sizeof labelmap - 1, "map.pbtxt", &lm)) abort();
    ovAvaKeys ex;
    bool have_ex = ov_ava_keys_parse(t, size, "fuzz.csv", &ex) == 0;
    ovGroundTruth gt;
    if (!ov_ava_gt_parse(t, size, "fuzz.csv", &lm, have_ex ? &ex : NULL, &gt, NULL)) ov_gt_free(&gt);
    if (have_ex) ov_ava_keys_free(&ex);
    ov_ava_labelmap_free(&lm);
    if (!ov_ava_labelmap_parse(t, size, "fuzz.pbtxt", &lm)) ov_ava_labelmap_free(&lm);
    ovAvaFrameList fl;
    if (!ov_ava_frame_list_parse(t, size, "fuzz.csv", &fl)) ov_ava_frame_list_free(&fl);
    ovProposals p;
    if (!ov_proposals_parse_ava_csv(t, size, "fuzz.csv", 0.5, &p)) ov_proposals_free(&p);
    int *cls = NULL, n = 0;
    ovBox *boxes = NULL;
    ov_yowo_parse_labels(t, size, "fuzz.txt", &cls, &boxes, &n);
    free(cls);
    free(boxes);
    static const char *names[] = {"brush_hair", "catch", "clap", "sit", "watch (a person)"};
    static const int ids[] = {1, 2, 3, 11, 80};
    ovClassSplit s;
    if (!ov_class_split_parse(names, ids, 5, t, size, "fuzz.txt", &s)) ov_class_split_free(&s);
    free(t);
    return 0;
}
