/* test_datasets_frames.c: the J-HMDB / UCF101-24 keyframe clip dataset (data/frame_dataset.h) on
 * a small frame tree written to /tmp (PNG frames whose pixel value encodes their number): the
 * samples are the annotated keyframes of the split's videos (every anno_rate-th), each clip holds
 * the frames ov_clip_openmixer picks (centred on the keyframe, or one later as OpenMixer does),
 * the boxes of every tube at the keyframe move with the resize, keep_label drops other classes,
 * the threaded loader serves it, and a missing frame fails with the file's name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/clip.h"
#include "data/frame_dataset.h"
#include "data/image.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"

#define H 24
#define W 32
#define NF 20

static char root[64];

static void make_tree(ovActionGt *a) {
    snprintf(root, sizeof root, "/tmp/ovad-frames-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ov_action_gt_init(a);
    ov_gt_add_label(&a->gt, "wave");
    ov_gt_add_label(&a->gt, "jump");
    const char *names[] = {"wave/v0", "jump/v1"};
    ov_scope_begin();
    ovTensor *img = ov_empty(3, (int64_t[]){H, W, 3}, OV_U8);
    for (int v = 0; v < 2; v++) {
        char dir[256];
        snprintf(dir, sizeof dir, "%s/%s", root, names[v]);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        ck_assert_int_eq(system(cmd), 0);
        ov_gt_add_video(&a->gt, names[v], NF, W, H);
        for (int f = 1; f <= NF; f++) { /* frame f is filled with 10 * f */
            memset(ov_data_ptr(img), 10 * f, (size_t)H * W * 3);
            char path[320];
            snprintf(path, sizeof path, "%s/%05d.png", dir, f);
            ck_assert(ov_image_write_png(path, img) == 0);
        }
    }
    ov_scope_end();
    int frames[NF];
    ovBox boxes[NF];
    for (int i = 0; i < NF; i++) {
        frames[i] = i + 1;
        boxes[i] = (ovBox){2 + i * 0.5, 3, 12 + i * 0.5, 20};
    }
    ov_gt_add_tube(&a->gt, 0, 0, NF, frames, boxes);          /* wave/v0: frames 1..20 */
    ov_gt_add_tube(&a->gt, 1, 1, 10, frames + 4, boxes + 4);   /* jump/v1: frames 5..14 */
    ov_gt_add_tube(&a->gt, 1, 0, 3, frames + 7, boxes);        /* and a waving person at 8..10 */
    ov_action_gt_add_split(a, 1, (int[]){0}, 1, (int[]){1});
}

static void remove_tree(void) {
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    ck_assert_int_eq(system(cmd), 0);
}

/* Options that keep the pixels: no resize or flip, mean 0 and std 1 (values = pixel / 255). */
static ovFrameDatasetOptions plain(bool train, int rate) {
    ovFrameDatasetOptions o = {.frames_dir = root, .ext = "png", .split = 1, .train = train, .anno_rate = rate,
                               .T = 4, .stride = 1};
    o.tf.norm = (ovNorm){.mean = {0, 0, 0}, .std = {1, 1, 1}};
    return o;
}

/* Loads sample i in a scope and checks which frames its clip holds. */
static void check_sample(ovFrameDataset *d, int64_t i, bool openmixer, int expect_boxes) {
    int v, f;
    ov_frame_dataset_sample(d, i, &v, &f);
    ovDataset ds = ov_frame_dataset(d);
    ov_scope_begin();
    ovSample s;
    memset(&s, 0, sizeof s);
    ovDataRng rng = ov_data_rng(1);
    ck_assert_msg(ds.load(ds.ctx, NULL, i, &rng, &s) == 0, "%s", ov_last_error());
    int64_t idx[4];
    ck_assert(ov_clip_openmixer(openmixer ? f : f - 1, NF, 4, 1, idx) == 0);
    ck_assert(s.video->ndim == 4 && s.video->shape[0] == 3 && s.video->shape[1] == 4 && s.video->shape[2] == H);
    for (int t = 0; t < 4; t++) {
        double px = ov_get(s.video, (int64_t[]){1, t, 5, 7}) * 255;
        ck_assert_msg(fabs(px - 10.0 * (double)(idx[t] + 1)) < 1e-3, "sample %lld clip %d: pixel %g, frame %lld", (long long)i,
                      t, px, (long long)idx[t] + 1);
    }
    ck_assert_int_eq(s.boxes->shape[0], expect_boxes);
    ck_assert_int_eq(s.labels->shape[0], expect_boxes);
    char id[64];
    snprintf(id, sizeof id, "%s,%05d", v ? "jump/v1" : "wave/v0", f);
    ck_assert_str_eq(s.id, id);
    ov_scope_end();
}

START_TEST(test_samples_and_clips) {
    ovActionGt a;
    make_tree(&a);
    ovFrameDatasetOptions o = plain(true, 1);
    ovFrameDataset *d = ov_frame_dataset_new(&a, &o);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(ov_frame_dataset_size(d), NF); /* every frame of wave/v0 */
    for (int64_t i = 0; i < NF; i += 3) check_sample(d, i, false, 1);
    ov_frame_dataset_free(d);
    o.openmixer_center = true;
    d = ov_frame_dataset_new(&a, &o);
    check_sample(d, 0, true, 1);
    check_sample(d, 10, true, 1);
    check_sample(d, NF - 1, true, 1);
    ov_frame_dataset_free(d);
    /* test split, every 5th annotated frame: jump/v1 has frames 5..14 -> keyframes 5 and 10 */
    o = plain(false, 5);
    d = ov_frame_dataset_new(&a, &o);
    ck_assert_int_eq(ov_frame_dataset_size(d), 2);
    int v, f;
    ov_frame_dataset_sample(d, 1, &v, &f);
    ck_assert(v == 1 && f == 10);
    check_sample(d, 0, false, 1);
    check_sample(d, 1, false, 2); /* frame 10: the jumper and the waving person */
    ov_frame_dataset_free(d);
    /* the base classes only: wave keeps frames 8..10 of jump/v1 */
    bool keep[2] = {true, false};
    o = plain(false, 1);
    o.keep_label = keep;
    d = ov_frame_dataset_new(&a, &o);
    ck_assert_int_eq(ov_frame_dataset_size(d), 3);
    ov_frame_dataset_sample(d, 0, &v, &f);
    ck_assert_int_eq(f, 8);
    check_sample(d, 2, false, 1);
    ov_frame_dataset_free(d);
    o.split = 2;
    ck_assert_ptr_null(ov_frame_dataset_new(&a, &o));
    ck_assert_msg(strstr(ov_last_error(), "split 2"), "%s", ov_last_error());
    remove_tree();
    ov_action_gt_free(&a);
}
END_TEST

START_TEST(test_openmixer_transform_and_loader) {
    ovActionGt a;
    make_tree(&a);
    /* OpenMixer's test transform: short side 256 (24x32 -> 256x341), padded to 352 */
    ovFrameDatasetOptions o = ov_frame_dataset_openmixer(true, false);
    o.frames_dir = root;
    o.train = true;
    ovFrameDataset *d = ov_frame_dataset_new(&a, &o);
    ck_assert_int_eq(ov_frame_dataset_size(d), NF);
    ovDataset ds = ov_frame_dataset(d);
    ovLoaderOptions lo = {.batch_size = 3, .workers = 2, .seed = 5, .pad_multiple = 32, .name = "frames"};
    ovLoader *l = ov_loader_new(&ds, &lo);
    ovBatch *b;
    int n = 0, rc;
    while ((rc = ov_loader_next(l, &b)) > 0) {
        ck_assert(b->video->shape[1] == 3 && b->video->shape[2] == 16 && b->video->shape[3] == 256 &&
                  b->video->shape[4] == 352);
        for (int j = 0; j < b->n; j++) {
            int v, f;
            ov_frame_dataset_sample(d, b->index[j], &v, &f);
            const ovBox *g = &a.gt.videos[0].tubes[0].boxes[f - 1];
            double sx = 341.0 / W, sy = 256.0 / H;
            ck_assert(fabs(ov_get_flat(b->samples[j].boxes, 0) - g->x1 * sx) < 1e-3);
            ck_assert(fabs(ov_get_flat(b->samples[j].boxes, 3) - g->y2 * sy) < 1e-3);
            ck_assert_int_eq(ov_get_flat(b->samples[j].labels, 0), 0);
        }
        n += b->n;
        ov_batch_free(b);
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(n, NF);
    ov_loader_free(l);
    /* a missing frame stops the epoch with the file's name */
    char path[128];
    snprintf(path, sizeof path, "%s/wave/v0/00011.png", root);
    ck_assert_int_eq(remove(path), 0);
    l = ov_loader_new(&ds, &lo);
    while ((rc = ov_loader_next(l, &b)) > 0) ov_batch_free(b);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(ov_last_error(), "00011.png"), "%s", ov_last_error());
    ov_loader_free(l);
    ov_frame_dataset_free(d);
    remove_tree();
    ov_action_gt_free(&a);
}
END_TEST

int main(void) {
    Suite *s = suite_create("datasets_frames");
    TCase *tc = tcase_create("frames");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_samples_and_clips);
    tcase_add_test(tc, test_openmixer_transform_and_loader);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
