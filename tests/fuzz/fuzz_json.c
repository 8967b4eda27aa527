/* fuzz_json.c: libFuzzer target for the JSON readers: every input is read as HC-STVG annotations,
 * as VidSTG annotations (the VidOR file of any video a fixed small one), as a VidOR file under a
 * fixed VidSTG annotation, as a prompt vocabulary and as a class split. Build and run with
 * `make fuzz`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/splits.h"
#include "data/stvg.h"
#include "data/vocab.h"

static const char vidor[] =
    "{\"video_id\": \"7\", \"subject/objects\": [{\"tid\": 0, \"category\": \"adult\"}], \"trajectories\": ["
    "[{\"tid\": 0, \"bbox\": {\"xmin\": 1, \"ymin\": 2, \"xmax\": 3, \"ymax\": 4}}], [], "
    "[{\"tid\": 0, \"bbox\": {\"xmin\": 1, \"ymin\": 2, \"xmax\": 3, \"ymax\": 4}}]]}";
static const char vidstg[] =
    "[{\"vid\": \"7\", \"frame_count\": 3, \"fps\": 30, \"width\": 9, \"height\": 9, \"subject/objects\": "
    "[{\"tid\": 0, \"category\": \"adult\"}], \"temporal_gt\": {\"begin_fid\": 0, \"end_fid\": 3}, \"captions\": "
    "[{\"description\": \"an adult walks.\", \"target_id\": 0}], \"questions\": []}]";

static const char *g_text;
static size_t g_n;

static char *fetch(void *ctx, const char *vid, size_t *n) {
    (void)vid;
    const char *src = ctx ? g_text : vidor;
    size_t len = ctx ? g_n : sizeof vidor - 1;
    char *c = malloc(len + 1);
    memcpy(c, src, len);
    c[len] = 0;
    *n = len;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *t = (const char *)data;
    ovRegionTexts r;
    if (!ov_hcstvg_parse(t, size, "fuzz.json", &r)) ov_region_texts_free(&r);
    if (!ov_vidstg_parse(t, size, "fuzz.json", fetch, NULL, &r)) ov_region_texts_free(&r);
    g_text = t;
    g_n = size;
    if (!ov_vidstg_parse(vidstg, sizeof vidstg - 1, "ann.json", fetch, (void *)1, &r)) ov_region_texts_free(&r);
    ovVocab v;
    if (!ov_vocab_parse_json(t, size, "fuzz.json", &v)) ov_vocab_free(&v);
    static const char *names[] = {"brush_hair", "catch", "clap", "sit", "watch (a person)"};
    static const int ids[] = {1, 2, 3, 11, 80};
    ovClassSplit s;
    if (!ov_class_split_parse(names, ids, 5, t, size, "fuzz.json", &s)) ov_class_split_free(&s);
    /* the sentence splitter on the input as text */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    char **out;
    int n = ov_stvg_split_sentences(text, &out);
    for (int i = 0; i < n; i++) free(out[i]);
    free(out);
    free(text);
    return 0;
}
