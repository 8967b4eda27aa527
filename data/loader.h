/* loader.h: a data loader in the manner of torch.utils.data.DataLoader, with threads instead of
 * processes. Worker threads load and transform samples ahead of the consumer, at most
 * `prefetch` batches ahead (a bounded queue); batches come out in order, collated: the video
 * tensors stacked and zero-padded to the batch's largest H and W rounded up to a multiple of
 * `pad_multiple` (OpenMixer's collate_batch.py), the boxes and labels kept per sample.
 *
 * Determinism: the epoch's order is a permutation drawn from (seed, epoch) and each sample gets
 * its own random stream from (seed, epoch, sample index) (data/rng.h), so a batch is the same
 * bit for bit whatever the number of workers and whatever order they run in.
 *
 * Failures: a sample whose load fails (missing or corrupt file, truncated video) stops the epoch
 * with an error that names the sample and carries the dataset's message (which names the file);
 * with skip_failures the sample is left out of its batch, counted, and its message kept. A panic
 * inside the dataset's code (a programming error) is caught in the worker and reported the same
 * way. Progress (items/s, ETA) goes to stderr when asked.
 *
 *     ovLoader *l = ov_loader_new(&ds, &opt);
 *     ovBatch *b;
 *     while (ov_loader_next(l, &b) > 0) { ... use b ...; ov_batch_free(b); }
 *     ov_loader_free(l);
 */
#ifndef OV_DATA_LOADER_H
#define OV_DATA_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "data/rng.h"
#include "tensor/tensor.h"

/* One sample as a dataset loads it. Tensors are made in the current scope while load runs
 * (the loader's per-sample scope) and must live on the CPU. */
typedef struct {
    ovTensor *video;  /* required: f32 or u8 [C,T,H,W] (or any [...,H,W]); shapes other than H,W must
                         agree within a batch */
    ovTensor *boxes;  /* optional: f32 [N,4] xyxy in the video's pixels */
    ovTensor *labels; /* optional: any tensor (class ids, multi-hot rows) */
    ovTensor *extra;  /* optional: anything else a model needs per sample */
    int64_t h, w;     /* content size inside video (before padding); 0: the video's H and W */
    char id[128];     /* e.g. "brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0,00012" */
} ovSample;

/* The dataset side, which the dataset readers implement. load may run on several threads at
 * once: it must only touch its own worker state and read-only shared data. */
typedef struct {
    int64_t size;
    void *ctx;
    /* Optional per-worker state (open video handles, buffers), made on the worker's thread. */
    void *(*worker_new)(void *ctx);
    void (*worker_free)(void *ctx, void *worker);
    /* Loads sample i: fills *out (zeroed before the call), draws any randomness from rng.
     * 0, or -1 with ov_error() naming the file and what was wrong. */
    int (*load)(void *ctx, void *worker, int64_t i, ovDataRng *rng, ovSample *out);
} ovDataset;

typedef struct {
    int batch_size;    /* >= 1 */
    int workers;       /* 0: load in the consumer's thread when it asks */
    int prefetch;      /* batches loaded ahead of the consumer; 0: 2 per worker */
    bool shuffle;
    bool drop_last;    /* drop a last batch smaller than batch_size */
    uint64_t seed;
    int pad_multiple;  /* collate pads H and W up to a multiple of this (OpenMixer: 32); 0: none */
    bool skip_failures;
    bool progress;     /* a progress line on stderr, refreshed at most twice a second */
    const char *name;  /* for messages and the progress line */
} ovLoaderOptions;

typedef struct {
    int n;             /* samples in the batch */
    ovTensor *video;   /* [n, ..., Hp, Wp], zero-padded */
    ovTensor *whwh;    /* f32 [n,4]: each sample's content w, h, w, h (OpenMixer's whwh) */
    ovTensor *sizes;   /* i64 [n,2]: content h, w */
    ovSample *samples; /* [n]: per-sample boxes, labels, extra, ids (video points into the batch) */
    int64_t *index;    /* [n]: dataset index of each sample */
    int64_t number;    /* batch number in the epoch */
    int skipped;       /* samples of this batch left out after failing */
    void *internal;
} ovBatch;

typedef struct ovLoader ovLoader;

ovLoader *ov_loader_new(const ovDataset *ds, const ovLoaderOptions *opt);
/* Starts epoch e (stopping any epoch in progress). ov_loader_next starts epoch 0, then the next
 * one, by itself when no epoch was started. */
int ov_loader_start_epoch(ovLoader *l, int64_t epoch);
/* 1 and *out a batch (free it with ov_batch_free), 0 at the end of the epoch, -1 on a failure
 * (ov_last_error() names the sample and the file). Batches that lost every sample to skipped
 * failures are passed over. */
int ov_loader_next(ovLoader *l, ovBatch **out);
void ov_batch_free(ovBatch *b);
void ov_loader_free(ovLoader *l);

int64_t ov_loader_batches(const ovLoader *l); /* batches per epoch */
int64_t ov_loader_skipped(const ovLoader *l); /* samples skipped so far, all epochs */
/* The message of the last skipped failure ("" when none). */
const char *ov_loader_last_skip(const ovLoader *l);

/* Collates loaded samples into a batch the way the loader does (used by it, and by callers that
 * load samples themselves). The samples' tensors are moved into the batch. NULL with an error
 * when shapes disagree. */
ovBatch *ov_collate(ovSample *samples, int n, int pad_multiple, const char *name);

#endif
