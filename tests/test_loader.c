/* test_loader.c: the threaded loader on a small fake dataset of PNG clips written to /tmp (three
 * frames per sample, sizes that differ so collate must pad, a training transform with random
 * scale, flip and colour jitter so every sample draws randomness): 0, 1, 2 and 4 workers give
 * identical batches; epochs reshuffle; the queue stays bounded; a truncated PNG stops the epoch
 * with a message naming the file, or is skipped and counted when asked; a panic inside the
 * dataset's code is caught; the progress line shows items/s and the ETA; stopping early leaks
 * nothing. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/image.h"
#include "data/clip.h"
#include "data/loader.h"
#include "data/transform.h"
#include "data/video.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tests/check_util.h"

#define NSAMPLES 23
#define NFRAMES 3

static char tmpdir[256];

typedef struct {
    const char *root;
    ovClipTransform tf;
    int panic_at;           /* sample that panics, -1 for none */
    _Atomic int started;    /* loads begun */
    _Atomic int workers;    /* worker states alive */
    _Atomic int worker_max; /* most alive at once */
} Fake;

static void frame_path(char *p, size_t n, const char *root, int64_t i, int f) {
    snprintf(p, n, "%s/vid%02lld/%05d.png", root, (long long)i, f + 1);
}

static void write_dataset(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ovad-loader-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ov_scope_begin();
    for (int i = 0; i < NSAMPLES; i++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/vid%02d", tmpdir, i);
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        int64_t h = 20 + (i % 3) * 5, w = 30 - (i % 4) * 3;
        ovTensor *img = ov_empty(OV_SHAPE(h, w, 3), OV_U8);
        uint8_t *p = ov_data_ptr(img);
        for (int f = 0; f < NFRAMES; f++) {
            for (int64_t k = 0; k < h * w * 3; k++) p[k] = (uint8_t)(k * 7 + i * 31 + f * 57);
            char path[600];
            frame_path(path, sizeof path, tmpdir, i, f);
            ck_assert_msg(ov_image_write_png(path, img) == 0, "%s", ov_last_error());
        }
    }
    ov_scope_end();
}

static void remove_dataset(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void *fake_worker_new(void *ctx) {
    Fake *f = ctx;
    int n = atomic_fetch_add(&f->workers, 1) + 1, m = atomic_load(&f->worker_max);
    while (n > m && !atomic_compare_exchange_weak(&f->worker_max, &m, n)) {
    }
    return malloc(16);
}

static void fake_worker_free(void *ctx, void *w) {
    Fake *f = ctx;
    atomic_fetch_sub(&f->workers, 1);
    free(w);
}

static int fake_load(void *ctx, void *worker, int64_t i, ovDataRng *rng, ovSample *out) {
    Fake *f = ctx;
    ck_assert_ptr_nonnull(worker);
    atomic_fetch_add(&f->started, 1);
    if (i == f->panic_at) ov_panic("fake dataset: deliberate panic at sample %lld", (long long)i);
    ovTensor *frames = NULL;
    for (int k = 0; k < NFRAMES; k++) {
        char path[600];
        frame_path(path, sizeof path, f->root, i, k);
        ovTensor *img = ov_image_read(path);
        if (!img) return -1; /* the reader's message names the file */
        if (!frames) frames = ov_empty(OV_SHAPE(NFRAMES, img->shape[0], img->shape[1], 3), OV_U8);
        memcpy((uint8_t *)ov_data_ptr(frames) + (size_t)k * ov_nbytes(img), ov_data_ptr(img), ov_nbytes(img));
    }
    ovClip c;
    float box[4] = {1.0f + (float)(i % 5), 2, 12.0f + (float)(i % 7), 15};
    if (ov_clip_init(&c, frames, ov_from_data(box, OV_SHAPE(1, 4), OV_F32))) return -1;
    out->video = ov_clip_transform(&f->tf, &c, rng, NULL);
    if (!out->video) return -1;
    out->boxes = c.boxes;
    out->labels = ov_from_data((int64_t[]){i % 5}, OV_SHAPE(1), OV_I64);
    out->h = c.h;
    out->w = c.w;
    snprintf(out->id, sizeof out->id, "vid%02lld", (long long)i);
    return 0;
}

static Fake make_fake(void) {
    Fake f = {.root = tmpdir, .panic_at = -1};
    f.tf = (ovClipTransform){.short_sides = {16, 24, 28}, .n_short = 3, .flip_prob = 0.5,
                             .flip_boxes = OV_FLIP_BOXES_OPENMIXER, .jitter = {0.4, 0.4, 0.4, 0.1},
                             .norm = ov_norm_openmixer()};
    return f;
}

static ovDataset as_dataset(Fake *f) {
    return (ovDataset){.size = NSAMPLES, .ctx = f, .worker_new = fake_worker_new, .worker_free = fake_worker_free,
                       .load = fake_load};
}

/* One epoch's batches, kept in a detached scope so they can be compared after the loader is gone. */
typedef struct {
    int n;
    ovTensor *video[16], *whwh[16], *boxes[16][8], *labels[16][8];
    int64_t index[16][8];
    int count[16], skipped[16];
    char ids[16][8][128];
} Epoch;

static int run_epoch(Fake *f, int workers, int64_t epoch, bool skip, Epoch *e, ovScope *store, int64_t *skipped) {
    ovDataset ds = as_dataset(f);
    ovLoaderOptions opt = {.batch_size = 4, .workers = workers, .shuffle = true, .seed = 1234, .pad_multiple = 32,
                           .skip_failures = skip, .name = "fake"};
    ovLoader *l = ov_loader_new(&ds, &opt);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(ov_loader_batches(l), 6);
    ck_assert_int_eq(ov_loader_start_epoch(l, epoch), 0);
    memset(e, 0, sizeof *e);
    ovBatch *b;
    int rc;
    while ((rc = ov_loader_next(l, &b)) > 0) {
        int k = e->n++;
        ck_assert_int_lt(k, 16);
        ov_scope_push(store);
        /* copies: the batch's tensors die with it */
        e->video[k] = ov_empty(b->video->ndim, b->video->shape, b->video->dtype);
        ov_copy_(e->video[k], b->video);
        e->whwh[k] = ov_empty(2, b->whwh->shape, OV_F32);
        ov_copy_(e->whwh[k], b->whwh);
        ov_scope_pop(store);
        e->count[k] = b->n;
        e->skipped[k] = b->skipped;
        ck_assert(b->video->ndim == 5 && b->video->shape[0] == b->n && b->video->shape[1] == 3 && b->video->shape[2] == NFRAMES);
        ck_assert(b->video->shape[3] % 32 == 0 && b->video->shape[4] % 32 == 0);
        for (int j = 0; j < b->n; j++) {
            e->index[k][j] = b->index[j];
            snprintf(e->ids[k][j], sizeof e->ids[k][j], "%s", b->samples[j].id);
            ov_scope_push(store);
            e->boxes[k][j] = ov_empty(2, b->samples[j].boxes->shape, OV_F32);
            ov_copy_(e->boxes[k][j], b->samples[j].boxes);
            e->labels[k][j] = ov_empty(1, b->samples[j].labels->shape, OV_I64);
            ov_copy_(e->labels[k][j], b->samples[j].labels);
            ov_scope_pop(store);
            ck_assert_int_eq(ov_get_flat(e->labels[k][j], 0), b->index[j] % 5);
            /* content size inside the padded batch, and zeros beyond it */
            int64_t h = (int64_t)ov_get_flat(b->sizes, 2 * j), w = (int64_t)ov_get_flat(b->sizes, 2 * j + 1);
            ck_assert(ov_get_flat(b->whwh, 4 * j) == w && ov_get_flat(b->whwh, 4 * j + 1) == h);
            if (w < b->video->shape[4]) ck_assert(ov_get(b->video, (int64_t[]){j, 2, 1, 0, w}) == 0);
        }
        ov_batch_free(b);
    }
    if (skipped) *skipped = ov_loader_skipped(l);
    ov_loader_free(l);
    return rc;
}

static void expect_same(const Epoch *a, const Epoch *b, const char *what) {
    ck_assert_msg(a->n == b->n, "%s: %d vs %d batches", what, a->n, b->n);
    for (int k = 0; k < a->n; k++) {
        ck_assert_msg(a->count[k] == b->count[k] && a->skipped[k] == b->skipped[k], "%s: batch %d sizes", what, k);
        ck_assert_msg(ov_rel_diff(a->video[k], b->video[k], NULL) == 0, "%s: batch %d videos differ", what, k);
        ck_assert_msg(ov_rel_diff(a->whwh[k], b->whwh[k], NULL) == 0, "%s: batch %d whwh differ", what, k);
        for (int j = 0; j < a->count[k]; j++) {
            ck_assert(a->index[k][j] == b->index[k][j] && !strcmp(a->ids[k][j], b->ids[k][j]));
            ck_assert_msg(ov_rel_diff(a->boxes[k][j], b->boxes[k][j], NULL) == 0, "%s: boxes differ", what);
            ck_assert(ov_rel_diff(a->labels[k][j], b->labels[k][j], NULL) == 0);
        }
    }
}

START_TEST(test_same_batches_any_workers) {
    write_dataset();
    Fake f = make_fake();
    ovScope *store = ov_scope_new("epochs");
    static Epoch e[5];
    int workers[4] = {1, 2, 4, 0};
    for (int k = 0; k < 4; k++) ck_assert_msg(run_epoch(&f, workers[k], 0, false, &e[k], store, NULL) == 0, "%s", ov_last_error());
    ck_assert_int_eq(e[0].n, 6);
    ck_assert_int_eq(e[0].count[5], 3);
    expect_same(&e[0], &e[1], "1 vs 2 workers");
    expect_same(&e[0], &e[2], "1 vs 4 workers");
    expect_same(&e[0], &e[3], "1 worker vs the consumer's thread");
    ck_assert_int_eq(atomic_load(&f.workers), 0);
    ck_assert_int_le(atomic_load(&f.worker_max), 4);
    /* every sample exactly once, shuffled; another epoch has another order */
    int seen[NSAMPLES] = {0}, inorder = 1;
    for (int k = 0; k < 6; k++)
        for (int j = 0; j < e[0].count[k]; j++) {
            seen[e[0].index[k][j]]++;
            inorder &= e[0].index[k][j] == 4 * k + j;
        }
    for (int i = 0; i < NSAMPLES; i++) ck_assert_int_eq(seen[i], 1);
    ck_assert(!inorder);
    ck_assert_int_eq(run_epoch(&f, 2, 1, false, &e[4], store, NULL), 0);
    ck_assert(memcmp(e[4].index, e[0].index, sizeof e[0].index) != 0);
    ov_scope_free(store);
    remove_dataset();
}
END_TEST

START_TEST(test_corrupt_file) {
    write_dataset();
    /* sample 7's second frame loses its second half */
    char path[600];
    frame_path(path, sizeof path, tmpdir, 7, 1);
    ck_assert_int_eq(truncate(path, 100), 0);
    Fake f = make_fake();
    ovScope *store = ov_scope_new("epochs");
    static Epoch e[3];
    ck_assert_int_eq(run_epoch(&f, 2, 0, false, &e[0], store, NULL), -1);
    ck_assert_msg(strstr(ov_last_error(), path) && strstr(ov_last_error(), "sample 7") && strstr(ov_last_error(), "truncated"),
                  "%s", ov_last_error());
    /* the batches before the failing one came through, without sample 7 */
    for (int k = 0; k < e[0].n; k++)
        for (int j = 0; j < e[0].count[k]; j++) ck_assert(e[0].index[k][j] != 7);
    /* skipped and counted, identically with 1 and 4 workers */
    int64_t skipped[2];
    ck_assert_msg(run_epoch(&f, 1, 0, true, &e[1], store, &skipped[0]) == 0, "%s", ov_last_error());
    ck_assert_msg(run_epoch(&f, 4, 0, true, &e[2], store, &skipped[1]) == 0, "%s", ov_last_error());
    ck_assert(skipped[0] == 1 && skipped[1] == 1);
    expect_same(&e[1], &e[2], "skipping with 1 vs 4 workers");
    int total = 0, short_batches = 0;
    for (int k = 0; k < e[1].n; k++) {
        total += e[1].count[k];
        short_batches += e[1].skipped[k];
    }
    ck_assert_int_eq(total, NSAMPLES - 1);
    ck_assert_int_eq(short_batches, 1);
    ov_scope_free(store);
    remove_dataset();
}
END_TEST

START_TEST(test_panic_progress_and_bounds) {
    write_dataset();
    Fake f = make_fake();
    f.panic_at = 5;
    ovDataset ds = as_dataset(&f);
    ovLoaderOptions opt = {.batch_size = 2, .workers = 3, .seed = 1, .name = "panicky"};
    ovLoader *l = ov_loader_new(&ds, &opt);
    ovBatch *b;
    int rc;
    while ((rc = ov_loader_next(l, &b)) > 0) ov_batch_free(b);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(ov_last_error(), "deliberate panic at sample 5") && strstr(ov_last_error(), "panicky"), "%s",
                  ov_last_error());
    ov_loader_free(l);

    /* progress on stderr; a slow consumer never lets the workers run more than prefetch batches ahead */
    f.panic_at = -1;
    atomic_store(&f.started, 0);
    char log[300];
    snprintf(log, sizeof log, "%s/progress.txt", tmpdir);
    fflush(stderr);
    int saved = dup(2);
    FILE *lf = fopen(log, "w");
    dup2(fileno(lf), 2);
    opt = (ovLoaderOptions){.batch_size = 3, .workers = 4, .prefetch = 2, .seed = 1, .progress = true, .name = "fake"};
    l = ov_loader_new(&ds, &opt);
    int64_t consumed = 0;
    while ((rc = ov_loader_next(l, &b)) > 0) {
        consumed++;
        ck_assert_msg(atomic_load(&f.started) <= (consumed + 2) * 3, "%d loads begun with %lld batches consumed",
                      atomic_load(&f.started), (long long)consumed);
        usleep(20000);
        ov_batch_free(b);
    }
    ck_assert_int_eq(rc, 0);
    ov_loader_free(l);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(lf);
    uint8_t *txt;
    size_t n;
    ck_assert_int_eq(ov_read_file(log, &txt, &n), 0);
    txt = realloc(txt, n + 1);
    txt[n] = 0;
    ck_assert_msg(strstr((char *)txt, "items/s") && strstr((char *)txt, "ETA") && strstr((char *)txt, "23/23 samples"), "%s",
                  (char *)txt);
    free(txt);

    /* stopping after two batches, then freeing: workers joined, nothing leaks */
    opt = (ovLoaderOptions){.batch_size = 2, .workers = 4, .seed = 1, .name = "early"};
    l = ov_loader_new(&ds, &opt);
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(ov_loader_next(l, &b), 1);
        ov_batch_free(b);
    }
    ov_loader_free(l);
    ck_assert_int_eq(atomic_load(&f.workers), 0);
    remove_dataset();
}
END_TEST

START_TEST(test_collate_rules) {
    ov_scope_begin();
    ovSample s[2] = {{.video = ov_ones(OV_SHAPE(3, 2, 5, 7), OV_F32), .h = 4, .w = 6},
                     {.video = ov_ones(OV_SHAPE(3, 2, 9, 3), OV_F32)}};
    snprintf(s[0].id, sizeof s[0].id, "a");
    snprintf(s[1].id, sizeof s[1].id, "b");
    ovBatch *b = ov_collate(s, 2, 8, "test");
    ck_assert_msg(b, "%s", ov_last_error());
    ck_assert(b->video->shape[0] == 2 && b->video->shape[3] == 16 && b->video->shape[4] == 8);
    ck_assert(ov_get_flat(b->whwh, 0) == 6 && ov_get_flat(b->whwh, 1) == 4 && ov_get_flat(b->whwh, 4) == 3 &&
              ov_get_flat(b->whwh, 5) == 9);
    ck_assert(ov_get(b->video, (int64_t[]){0, 2, 1, 4, 6}) == 1 && ov_get(b->video, (int64_t[]){0, 2, 1, 5, 6}) == 0);
    ck_assert(ov_get(b->video, (int64_t[]){0, 2, 1, 4, 7}) == 0 && ov_get(b->video, (int64_t[]){1, 0, 0, 8, 2}) == 1);
    ov_batch_free(b);
    ovSample bad[2] = {{.video = ov_ones(OV_SHAPE(3, 2, 5, 7), OV_F32)}, {.video = ov_ones(OV_SHAPE(3, 4, 5, 7), OV_F32)}};
    snprintf(bad[0].id, sizeof bad[0].id, "x");
    snprintf(bad[1].id, sizeof bad[1].id, "y");
    ck_assert_ptr_null(ov_collate(bad, 2, 32, "test"));
    ck_assert_msg(strstr(ov_last_error(), "'x' [3,2,5,7]") && strstr(ov_last_error(), "'y' [3,4,5,7]"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

/* A dataset of 4x1 clips from a real video: each worker opens its own handle (worker state),
 * samples are centred on frames 3, 8, 13, ... with a random scale and flip. */
typedef struct {
    char path[1200];
} VideoSet;

static void *video_worker_new(void *ctx) { return ov_video_open(((VideoSet *)ctx)->path); }
static void video_worker_free(void *ctx, void *w) {
    (void)ctx;
    ov_video_close(w);
}

static int video_load(void *ctx, void *worker, int64_t i, ovDataRng *rng, ovSample *out) {
    (void)ctx;
    ovVideo *v = worker;
    if (!v) return -1;
    int64_t idx[4];
    if (ov_clip_centered(3 + 5 * i, ov_video_frames(v), 4, 1, idx)) return -1;
    ovTensor *frames = ov_video_read_frames(v, 4, idx);
    if (!frames) return -1;
    ovClip c;
    if (ov_clip_init(&c, frames, ov_from_data((float[]){100, 50, 300, 400}, OV_SHAPE(1, 4), OV_F32))) return -1;
    ovClipTransform tf = {.short_sides = {96, 128}, .n_short = 2, .flip_prob = 0.5, .norm = ov_norm_imagenet()};
    out->video = ov_clip_transform(&tf, &c, rng, NULL);
    out->boxes = c.boxes;
    out->h = c.h;
    out->w = c.w;
    return out->video ? 0 : -1;
}

START_TEST(test_video_dataset) {
    VideoSet vs;
    const char *dir = ov_shared_data("internvid_example1.mp4");
    if (!dir) return;
    snprintf(vs.path, sizeof vs.path, "%s/internvid_example1.mp4", dir);
    ovDataset ds = {.size = 7, .ctx = &vs, .worker_new = video_worker_new, .worker_free = video_worker_free,
                    .load = video_load};
    ovTensor *first[2] = {NULL, NULL};
    ovScope *store = ov_scope_new("video batches");
    int workers[2] = {1, 3};
    for (int k = 0; k < 2; k++) {
        ovLoaderOptions opt = {.batch_size = 7, .workers = workers[k], .shuffle = true, .seed = 3, .pad_multiple = 32};
        ovLoader *l = ov_loader_new(&ds, &opt);
        ovBatch *b;
        ck_assert_msg(ov_loader_next(l, &b) == 1, "%s", ov_last_error());
        ck_assert(b->n == 7 && b->video->shape[2] == 4 && (b->video->shape[3] == 96 || b->video->shape[3] == 128) && b->video->shape[4] % 32 == 0);
        ov_scope_push(store);
        first[k] = ov_empty(b->video->ndim, b->video->shape, OV_F32);
        ov_copy_(first[k], b->video);
        ov_scope_pop(store);
        ov_batch_free(b);
        ck_assert_int_eq(ov_loader_next(l, &b), 0);
        ov_loader_free(l);
    }
    ck_assert(ov_rel_diff(first[0], first[1], NULL) == 0);
    ov_scope_free(store);
}
END_TEST

int main(void) {
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("loader");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_same_batches_any_workers);
    tcase_add_test(tc, test_corrupt_file);
    tcase_add_test(tc, test_panic_progress_and_bounds);
    tcase_add_test(tc, test_collate_rules);
    tcase_add_test(tc, test_video_dataset);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
