/* demo_data.c: the demo's data: the synthetic dataset planned in memory with one actor per clip,
 * its distinct captions, and the train and test splits as loader datasets whose workers render
 * the clips (nothing is written to disk). See demo.h. */
#include <stdlib.h>
#include <string.h>

#include "examples/demo.h"
#include "tensor/create.h"
#include "tensor/error.h"

int ov_demo_data_new(const ovDemoOptions *o, ovDemoData *d) {
    memset(d, 0, sizeof *d);
    ovSynthOptions so = ov_synth_defaults();
    so.videos = o->train_clips + o->test_clips;
    so.test_fraction = (double)o->test_clips / so.videos;
    so.frames = o->frames;
    so.width = so.height = o->size;
    so.actors_min = so.actors_max = 1; /* a clip's caption is its one actor's */
    so.seed = o->seed;
    so.actions = o->actions, so.colours = o->colours, so.sizes = o->sizes;
    so.directions = o->directions, so.speeds = o->speeds, so.backgrounds = o->backgrounds;
    so.holdout_combos = o->holdout;
    so.novel_fraction = o->novel_fraction;
    d->so = so;
    d->size = o->size, d->frames = o->frames;
    if (ov_synth_plan(&d->so, &d->ds) != 0) return -1;
    int N = d->ds.nvideos;
    d->captions = malloc(sizeof *d->captions * (size_t)N);
    d->cap_attr = malloc(sizeof *d->cap_attr * (size_t)N);
    d->cap_of = malloc(sizeof *d->cap_of * (size_t)N);
    d->train = malloc(sizeof *d->train * (size_t)N);
    d->test = malloc(sizeof *d->test * (size_t)N);
    for (int v = 0; v < N; v++) {
        const ovSynthVideo *vid = &d->ds.videos[v];
        int c = 0;
        while (c < d->ncap && strcmp(d->captions[c], vid->caption)) c++; /* a few hundred at most */
        if (c == d->ncap) {
            d->captions[c] = strdup(vid->caption);
            memcpy(d->cap_attr[c], vid->actor[0].attr, sizeof d->cap_attr[c]);
            d->ncap++;
        }
        d->cap_of[v] = c;
        if (vid->test) d->test[d->ntest++] = v;
        else d->train[d->ntrain++] = v;
    }
    return 0;
}

void ov_demo_data_free(ovDemoData *d) {
    for (int c = 0; c < d->ncap; c++) free(d->captions[c]);
    free(d->captions), free(d->cap_attr), free(d->cap_of), free(d->train), free(d->test);
    ov_synth_free(&d->ds);
    memset(d, 0, sizeof *d);
}

/* A worker's buffers: the background and one frame, RGB bytes. */
static void *worker_new(void *ctx) {
    const ovDemoData *d = ctx;
    return malloc((size_t)2 * 3 * (size_t)d->size * (size_t)d->size);
}

static void worker_free(void *ctx, void *worker) {
    (void)ctx;
    free(worker);
}

/* Renders clip v as f32 [3, T, S, S] in [0, 1] (the [C,T,H,W] layout of data/transform.h). */
static int load_clip(ovDemoData *d, uint8_t *buf, int v, ovSample *out) {
    int64_t S = d->size, T = d->frames, P = S * S;
    uint8_t *bg = buf, *rgb = buf + 3 * P;
    ovTensor *x = ov_empty(OV_SHAPE(3, T, S, S), OV_F32);
    float *px = ov_f32(x);
    ov_synth_background(&d->ds, v, bg);
    for (int64_t t = 0; t < T; t++) {
        ov_synth_render_frame(&d->ds, v, (int)t, bg, rgb);
        for (int64_t c = 0; c < 3; c++)
            for (int64_t i = 0; i < P; i++) px[(c * T + t) * P + i] = (float)rgb[3 * i + c] * (1.0f / 255.0f);
    }
    int64_t cap = d->cap_of[v];
    out->video = x;
    out->labels = ov_from_data(&cap, OV_SHAPE(1), OV_I64);
    snprintf(out->id, sizeof out->id, "%s", d->ds.videos[v].key);
    return 0;
}

static int load_train(void *ctx, void *worker, int64_t i, ovDataRng *rng, ovSample *out) {
    (void)rng;
    ovDemoData *d = ctx;
    return load_clip(d, worker, d->train[i], out);
}

static int load_test(void *ctx, void *worker, int64_t i, ovDataRng *rng, ovSample *out) {
    (void)rng;
    ovDemoData *d = ctx;
    return load_clip(d, worker, d->test[i], out);
}

ovDataset ov_demo_dataset(ovDemoData *d, bool test) {
    return (ovDataset){.size = test ? d->ntest : d->ntrain, .ctx = d, .worker_new = worker_new,
                       .worker_free = worker_free, .load = test ? load_test : load_train};
}
