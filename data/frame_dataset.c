/* frame_dataset.c: J-HMDB / UCF101-24 keyframe clips as a loader dataset (frame_dataset.h). */
#include "data/frame_dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/clip.h"
#include "data/image.h"
#include "eval/util.h"
#include "tensor/create.h"
#include "tensor/error.h"

struct ovFrameDataset {
    const ovActionGt *gt;
    ovFrameDatasetOptions o;
    char *frames_dir, *ext;
    bool *keep;
    int64_t n;
    int *video, *frame; /* per sample */
};

ovFrameDatasetOptions ov_frame_dataset_openmixer(bool jhmdb, bool train) {
    return (ovFrameDatasetOptions){.ext = jhmdb ? "png" : "jpg", .split = 1, .train = train, .anno_rate = jhmdb ? 1 : 5,
                                   .T = 16, .stride = 1, .openmixer_center = true,
                                   .tf = ov_clip_transform_openmixer(train)};
}

/* The boxes of video v at frame f (of the kept classes); *n set; arrays caller-freed. */
static int boxes_at(const ovFrameDataset *d, int v, int f, float **boxes, int64_t **labels) {
    const ovGtVideo *vid = &d->gt->gt.videos[v];
    int n = 0;
    *boxes = ov_ev_alloc((size_t)(vid->ntubes ? vid->ntubes : 1) * 4 * sizeof **boxes);
    *labels = ov_ev_alloc((size_t)(vid->ntubes ? vid->ntubes : 1) * sizeof **labels);
    for (int t = 0; t < vid->ntubes; t++) {
        const ovGtTube *tb = &vid->tubes[t];
        if (d->keep && !d->keep[tb->label]) continue;
        int lo = 0, hi = tb->n; /* binary search: frames ascend */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (tb->frames[mid] < f) lo = mid + 1;
            else hi = mid;
        }
        if (lo == tb->n || tb->frames[lo] != f) continue;
        const ovBox *b = &tb->boxes[lo];
        float *o = *boxes + 4 * n;
        o[0] = (float)b->x1;
        o[1] = (float)b->y1;
        o[2] = (float)b->x2;
        o[3] = (float)b->y2;
        (*labels)[n++] = tb->label;
    }
    return n;
}

ovFrameDataset *ov_frame_dataset_new(const ovActionGt *gt, const ovFrameDatasetOptions *o) {
    if (!o->frames_dir || !o->ext || o->anno_rate < 1 || o->T < 1 || o->stride < 1) {
        ov_error("frame dataset: needs frames_dir, ext, anno_rate >= 1, T >= 1 and stride >= 1");
        return NULL;
    }
    if (o->split < 0 || o->split > gt->nsplits) {
        ov_error("frame dataset: split %d asked for, the annotations have %d", o->split, gt->nsplits);
        return NULL;
    }
    ovFrameDataset *d = ov_ev_alloc(sizeof *d);
    d->gt = gt;
    d->o = *o;
    d->frames_dir = ov_ev_strdup(o->frames_dir);
    d->ext = ov_ev_strdup(o->ext);
    d->o.frames_dir = d->frames_dir;
    d->o.ext = d->ext;
    if (o->keep_label) {
        d->keep = ov_ev_alloc((size_t)(gt->gt.nlabels ? gt->gt.nlabels : 1) * sizeof *d->keep);
        memcpy(d->keep, o->keep_label, (size_t)gt->gt.nlabels * sizeof *d->keep);
        d->o.keep_label = d->keep;
    }
    int nv = gt->gt.nvideos;
    const int *list = NULL;
    if (o->split) {
        const ovVideoSplit *s = &gt->splits[o->split - 1];
        list = o->train ? s->train : s->test;
        nv = o->train ? s->ntrain : s->ntest;
    }
    int cap = 0;
    for (int i = 0; i < nv; i++) {
        int v = list ? list[i] : i, m;
        int *frames = ov_gt_annotated_frames(&gt->gt.videos[v], &m);
        for (int k = 0; k < m; k += o->anno_rate) {
            float *b;
            int64_t *l;
            int nb = boxes_at(d, v, frames[k], &b, &l);
            free(b);
            free(l);
            if (!nb) continue;
            if (d->n >= cap) {
                cap = cap ? 2 * cap : 256;
                d->video = ov_ev_realloc(d->video, (size_t)cap * sizeof *d->video);
                d->frame = ov_ev_realloc(d->frame, (size_t)cap * sizeof *d->frame);
            }
            d->video[d->n] = v;
            d->frame[d->n++] = frames[k];
        }
        free(frames);
    }
    return d;
}

void ov_frame_dataset_free(ovFrameDataset *d) {
    if (!d) return;
    free(d->frames_dir);
    free(d->ext);
    free(d->keep);
    free(d->video);
    free(d->frame);
    free(d);
}

int64_t ov_frame_dataset_size(const ovFrameDataset *d) { return d->n; }

void ov_frame_dataset_sample(const ovFrameDataset *d, int64_t i, int *video, int *frame) {
    *video = d->video[i];
    *frame = d->frame[i];
}

static int load(void *ctx, void *worker, int64_t i, ovDataRng *rng, ovSample *out) {
    (void)worker;
    const ovFrameDataset *d = ctx;
    int v = d->video[i], f = d->frame[i];
    const ovGtVideo *vid = &d->gt->gt.videos[v];
    int T = d->o.T;
    int64_t *idx = ov_ev_alloc((size_t)T * sizeof *idx);
    int64_t nframes = vid->nframes ? vid->nframes : f;
    if (ov_clip_openmixer(d->o.openmixer_center ? f : f - 1, nframes, T, d->o.stride, idx)) {
        free(idx);
        return -1;
    }
    ovTensor *frames = NULL;
    int rc = 0;
    for (int k = 0; k < T && !rc; k++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s/%05lld.%s", d->o.frames_dir, vid->name, (long long)idx[k] + 1, d->o.ext);
        if (n < 0 || (size_t)n >= sizeof path) {
            rc = ov_error("frame path too long: %.200s...", path);
            break;
        }
        ovTensor *img = ov_image_read(path);
        if (!img) {
            rc = -1;
            break;
        }
        if (!frames) {
            frames = ov_empty_on(OV_DEV_CPU, 4, (int64_t[]){T, img->shape[0], img->shape[1], 3}, OV_U8);
        } else if (img->shape[0] != frames->shape[1] || img->shape[1] != frames->shape[2]) {
            rc = ov_error("%s: %lldx%lld, but the clip's first frame is %lldx%lld", path, (long long)img->shape[1],
                          (long long)img->shape[0], (long long)frames->shape[2], (long long)frames->shape[1]);
            break;
        }
        memcpy((uint8_t *)ov_data_ptr(frames) + (size_t)k * ov_nbytes(img), ov_data_ptr(img), ov_nbytes(img));
    }
    free(idx);
    if (rc) return -1;
    float *b;
    int64_t *l;
    int nb = boxes_at(d, v, f, &b, &l);
    ovTensor *boxes = ov_from_data(b, 2, (int64_t[]){nb, 4}, OV_F32);
    out->labels = ov_from_data(l, 1, (int64_t[]){nb}, OV_I64);
    free(b);
    free(l);
    ovClip c;
    if (ov_clip_init(&c, frames, boxes)) return -1;
    out->video = ov_clip_transform(&d->o.tf, &c, rng, NULL);
    if (!out->video) return -1;
    out->boxes = c.boxes;
    out->h = c.h;
    out->w = c.w;
    snprintf(out->id, sizeof out->id, "%.110s,%05d", vid->name, f);
    return 0;
}

ovDataset ov_frame_dataset(ovFrameDataset *d) { return (ovDataset){.size = d->n, .ctx = d, .load = load}; }
