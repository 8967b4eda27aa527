/* loader.c: the threaded loader (see loader.h). Samples are handed out one at a time in epoch
 * order from a shared counter; a sample's batch must lie within `prefetch` batches of the one the
 * consumer waits for, which bounds memory. Each batch has a slot in a ring; the worker that
 * finishes a batch's last sample collates it, and the consumer takes the slots strictly in order.
 * Each sample is loaded in its own scope, under a trap, with its own random stream. */
#include "data/loader.h"

#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tensor/error.h"

typedef struct {
    ovScope *scope;
    ovSample s;
    int64_t index;
    char *error; /* malloc'd; NULL when the load succeeded */
} Item;

typedef struct {
    int64_t number; /* batch number held, -1 when free */
    int n, done;
    bool ready;
    Item *items;
    ovBatch *batch;  /* collated */
    char *error;     /* a failure that ends the epoch */
    int skipped;
} Slot;

struct ovLoader {
    ovDataset ds;
    ovLoaderOptions opt;
    char name[128];
    int64_t nbatches, total; /* per epoch: batches, samples */
    int64_t *order;
    int64_t epoch, next_epoch;
    bool running;
    int cap;
    Slot *ring;
    int64_t next_task, consumed;
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    pthread_t *threads;
    int nthreads;
    void *local_worker; /* the consumer's worker state when workers == 0 */
    bool local_worker_made;
    int64_t skipped;
    char last_skip[OV_ERRMSG_MAX];
    /* progress */
    double t0, last_print;
    int64_t items;
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- one sample ---- */

static char *check_loaded(const ovLoader *l, const ovSample *s, int64_t i) {
    char msg[512];
    if (!s->video || ov_device(s->video) != OV_DEV_CPU)
        snprintf(msg, sizeof msg, "%s: sample %lld: the dataset's load gave no video tensor on the CPU", l->name, (long long)i);
    else if (s->boxes && (s->boxes->dtype != OV_F32 || s->boxes->ndim != 2 || s->boxes->shape[1] != 4))
        snprintf(msg, sizeof msg, "%s: sample %lld: the dataset's boxes are not f32 [N,4]", l->name, (long long)i);
    else
        return NULL;
    return dupstr(msg);
}

static void load_item(ovLoader *l, void *worker, Item *it) {
    it->scope = ov_scope_new("sample");
    it->error = NULL;
    memset(&it->s, 0, sizeof it->s);
    ovDataRng rng = ov_data_rng_for(l->opt.seed, (uint64_t)l->epoch, (uint64_t)it->index);
    ov_clear_error();
    ov_scope_push(it->scope);
    ovTrap trap;
    int rc;
    if (OV_TRY(&trap)) {
        rc = l->ds.load(l->ds.ctx, worker, it->index, &rng, &it->s);
        ov_trap_pop(&trap);
    } else {
        rc = -1; /* a panic in the dataset's code: its message is in ov_last_error() */
    }
    ov_scope_pop(it->scope);
    if (rc == 0) {
        if (!it->s.id[0]) snprintf(it->s.id, sizeof it->s.id, "%lld", (long long)it->index);
        it->error = check_loaded(l, &it->s, it->index);
    } else {
        char msg[OV_ERRMSG_MAX + 160];
        snprintf(msg, sizeof msg, "%s: sample %lld failed: %s", l->name, (long long)it->index,
                 ov_last_error()[0] ? ov_last_error() : "the dataset's load returned -1 without a message");
        it->error = dupstr(msg);
    }
    if (it->error) {
        ov_scope_free(it->scope);
        it->scope = NULL;
        memset(&it->s, 0, sizeof it->s);
    }
}

/* Turns a slot's loaded items into its batch (or its error). Runs on whichever thread finished
 * the last item; no lock is needed: nobody else touches a slot until it is marked ready. */
static void finish_slot(ovLoader *l, Slot *sl) {
    ovSample *ok = malloc(sizeof *ok * (size_t)sl->n);
    int64_t *idx = malloc(sizeof *idx * (size_t)sl->n);
    int k = 0;
    sl->skipped = 0;
    for (int j = 0; j < sl->n; j++) {
        Item *it = &sl->items[j];
        if (it->error) {
            if (!l->opt.skip_failures && !sl->error) sl->error = dupstr(it->error);
            sl->skipped++;
            continue;
        }
        idx[k] = it->index;
        ok[k++] = it->s;
    }
    if (!sl->error && k > 0) {
        sl->batch = ov_collate(ok, k, l->opt.pad_multiple, l->name);
        if (!sl->batch) {
            char msg[OV_ERRMSG_MAX + 64];
            snprintf(msg, sizeof msg, "%s", ov_last_error());
            sl->error = dupstr(msg);
        } else {
            memcpy(sl->batch->index, idx, sizeof *idx * (size_t)k);
            sl->batch->number = sl->number;
            sl->batch->skipped = sl->skipped;
        }
    }
    for (int j = 0; j < sl->n; j++) {
        ov_scope_free(sl->items[j].scope); /* what the batch kept was moved out */
        sl->items[j].scope = NULL;
    }
    free(ok);
    free(idx);
}

static void clear_slot(Slot *sl) {
    for (int j = 0; j < sl->n; j++) {
        ov_scope_free(sl->items[j].scope);
        sl->items[j].scope = NULL;
        free(sl->items[j].error);
        sl->items[j].error = NULL;
    }
    ov_batch_free(sl->batch);
    free(sl->error);
    sl->batch = NULL;
    sl->error = NULL;
    sl->number = -1;
    sl->n = sl->done = 0;
    sl->ready = false;
}

static int batch_len(const ovLoader *l, int64_t b) {
    int64_t left = l->total - b * l->opt.batch_size;
    return (int)(left < l->opt.batch_size ? left : l->opt.batch_size);
}

/* ---- workers ---- */

static void *worker_main(void *arg) {
    ovLoader *l = arg;
    /* the workers are the parallelism: ops the dataset runs stay on their worker's thread instead
     * of each starting an OpenMP team of its own (the setting is per thread) */
    omp_set_num_threads(1);
    void *ws = l->ds.worker_new ? l->ds.worker_new(l->ds.ctx) : NULL;
    int B = l->opt.batch_size;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->stop && l->next_task < l->total && l->next_task / B >= l->consumed + l->cap)
            pthread_cond_wait(&l->work_cv, &l->mu);
        if (l->stop || l->next_task >= l->total) break;
        int64_t pos = l->next_task++, b = pos / B;
        Slot *sl = &l->ring[b % l->cap];
        if (pos % B == 0) { /* the batch's first sample: claim its slot (freed by the consumer) */
            sl->number = b;
            sl->n = batch_len(l, b);
            sl->done = 0;
            sl->ready = false;
        }
        Item *it = &sl->items[pos % B];
        it->index = l->order[pos];
        pthread_mutex_unlock(&l->mu);
        load_item(l, ws, it);
        pthread_mutex_lock(&l->mu);
        if (++sl->done == sl->n) {
            pthread_mutex_unlock(&l->mu);
            finish_slot(l, sl);
            pthread_mutex_lock(&l->mu);
            sl->ready = true;
            pthread_cond_broadcast(&l->done_cv);
        }
    }
    pthread_mutex_unlock(&l->mu);
    if (l->ds.worker_free) l->ds.worker_free(l->ds.ctx, ws);
    return NULL;
}

static void stop_epoch(ovLoader *l) {
    if (!l->running) return;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_cond_broadcast(&l->work_cv);
    pthread_mutex_unlock(&l->mu);
    for (int i = 0; i < l->nthreads; i++) pthread_join(l->threads[i], NULL);
    l->nthreads = 0;
    for (int i = 0; i < l->cap; i++) clear_slot(&l->ring[i]);
    l->running = false;
}

/* ---- the consumer side ---- */

ovLoader *ov_loader_new(const ovDataset *ds, const ovLoaderOptions *opt) {
    const char *name = opt->name ? opt->name : "loader";
    if (!ds || !ds->load || ds->size < 0) {
        ov_error("%s: the dataset has no load function or a negative size", name);
        return NULL;
    }
    if (opt->batch_size < 1 || opt->workers < 0 || opt->workers > 256 || opt->prefetch < 0) {
        ov_error("%s: batch_size must be >= 1, workers 0..256 and prefetch >= 0", name);
        return NULL;
    }
    ovLoader *l = calloc(1, sizeof *l);
    l->ds = *ds;
    l->opt = *opt;
    snprintf(l->name, sizeof l->name, "%s", name);
    l->opt.name = l->name;
    int64_t B = opt->batch_size;
    l->nbatches = opt->drop_last ? ds->size / B : (ds->size + B - 1) / B;
    l->total = opt->drop_last ? l->nbatches * B : ds->size;
    l->order = malloc(sizeof *l->order * (size_t)(ds->size ? ds->size : 1));
    l->cap = opt->prefetch > 0 ? opt->prefetch : 2 * (opt->workers > 0 ? opt->workers : 1);
    l->ring = calloc((size_t)l->cap, sizeof *l->ring);
    for (int i = 0; i < l->cap; i++) {
        l->ring[i].number = -1;
        l->ring[i].items = calloc((size_t)B, sizeof(Item));
    }
    l->threads = calloc((size_t)(opt->workers ? opt->workers : 1), sizeof(pthread_t));
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->work_cv, NULL);
    pthread_cond_init(&l->done_cv, NULL);
    return l;
}

int ov_loader_start_epoch(ovLoader *l, int64_t epoch) {
    stop_epoch(l);
    l->epoch = epoch;
    l->next_epoch = epoch + 1;
    if (l->opt.shuffle) {
        ovDataRng r = ov_data_rng_for(l->opt.seed, (uint64_t)epoch, UINT64_MAX); /* not a sample index */
        ov_data_rng_permutation(&r, l->ds.size, l->order);
    } else {
        for (int64_t i = 0; i < l->ds.size; i++) l->order[i] = i;
    }
    l->next_task = 0;
    l->consumed = 0;
    l->stop = false;
    l->running = true;
    l->items = 0;
    l->t0 = l->last_print = now();
    for (int i = 0; i < l->opt.workers; i++) {
        if (pthread_create(&l->threads[i], NULL, worker_main, l)) {
            stop_epoch(l);
            return ov_error("%s: cannot start worker thread %d", l->name, i);
        }
        l->nthreads++;
    }
    return 0;
}

/* The consumer loads batch b itself (workers == 0): the same steps as the workers take. */
static void load_here(ovLoader *l, Slot *sl, int64_t b) {
    if (!l->local_worker_made && l->ds.worker_new) l->local_worker = l->ds.worker_new(l->ds.ctx);
    l->local_worker_made = true;
    sl->number = b;
    sl->n = batch_len(l, b);
    for (int j = 0; j < sl->n; j++) {
        sl->items[j].index = l->order[b * l->opt.batch_size + j];
        load_item(l, l->local_worker, &sl->items[j]);
    }
    sl->done = sl->n;
    finish_slot(l, sl);
    sl->ready = true;
}

static void progress(ovLoader *l, bool last) {
    if (!l->opt.progress) return;
    double t = now();
    if (!last && t - l->last_print < 0.5) return;
    l->last_print = t;
    double rate = l->items / (t - l->t0 > 1e-9 ? t - l->t0 : 1e-9);
    double eta = rate > 0 ? (double)(l->total - l->items) / rate : 0;
    fprintf(stderr, "\r%s: epoch %lld  %lld/%lld samples  %.1f items/s  ETA %d:%02d", l->name, (long long)l->epoch,
            (long long)l->items, (long long)l->total, rate, (int)eta / 60, (int)eta % 60);
    if (l->skipped) fprintf(stderr, "  (%lld skipped)", (long long)l->skipped);
    fprintf(stderr, last ? "\n" : "   ");
    fflush(stderr);
}

int ov_loader_next(ovLoader *l, ovBatch **out) {
    *out = NULL;
    if (!l->running && ov_loader_start_epoch(l, l->next_epoch)) return -1;
    for (;;) {
        if (l->consumed >= l->nbatches) {
            progress(l, true);
            stop_epoch(l);
            return 0;
        }
        int64_t b = l->consumed;
        Slot *sl = &l->ring[b % l->cap];
        if (l->opt.workers == 0) {
            load_here(l, sl, b);
        } else {
            pthread_mutex_lock(&l->mu);
            while (!(sl->number == b && sl->ready)) pthread_cond_wait(&l->done_cv, &l->mu);
            pthread_mutex_unlock(&l->mu);
        }
        /* the slot is ours until it is cleared */
        ovBatch *batch = sl->batch;
        char *error = sl->error;
        for (int j = 0; j < sl->n; j++)
            if (sl->items[j].error && l->opt.skip_failures) {
                l->skipped++;
                snprintf(l->last_skip, sizeof l->last_skip, "%s", sl->items[j].error);
            }
        l->items += sl->n;
        sl->batch = NULL;
        sl->error = NULL;
        pthread_mutex_lock(&l->mu);
        clear_slot(sl);
        l->consumed++;
        pthread_cond_broadcast(&l->work_cv);
        pthread_mutex_unlock(&l->mu);
        if (error) {
            ov_error("%s", error);
            free(error);
            stop_epoch(l);
            return -1;
        }
        progress(l, false);
        if (batch) {
            *out = batch;
            return 1;
        }
        /* every sample of this batch failed and was skipped: on to the next */
    }
}

void ov_loader_free(ovLoader *l) {
    if (!l) return;
    stop_epoch(l);
    if (l->local_worker_made && l->ds.worker_free) l->ds.worker_free(l->ds.ctx, l->local_worker);
    for (int i = 0; i < l->cap; i++) free(l->ring[i].items);
    free(l->ring);
    free(l->threads);
    free(l->order);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->work_cv);
    pthread_cond_destroy(&l->done_cv);
    free(l);
}

int64_t ov_loader_batches(const ovLoader *l) { return l->nbatches; }
int64_t ov_loader_skipped(const ovLoader *l) { return l->skipped; }
const char *ov_loader_last_skip(const ovLoader *l) { return l->last_skip; }
