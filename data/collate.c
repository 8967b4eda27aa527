/* collate.c: samples to a batch (OpenMixer's collate_batch.py batch_different_videos): the videos
 * stacked into one zero tensor whose H and W are the largest in the batch rounded up to a
 * multiple, whwh from each sample's content size, boxes and labels kept per sample. */
#include <stdlib.h>
#include <string.h>

#include "data/loader.h"
#include "tensor/create.h"
#include "tensor/error.h"

static int check_samples(ovSample *s, int n, const char *name) {
    for (int i = 0; i < n; i++) {
        ovTensor *v = s[i].video;
        if (!v || ov_device(v) != OV_DEV_CPU || v->ndim < 2 || (v->dtype != OV_F32 && v->dtype != OV_U8))
            return ov_error("%s: sample '%s' has no video tensor, or one that is not an f32/u8 CPU tensor of 2+ dims",
                            name, s[i].id);
        if (s[i].boxes && (s[i].boxes->dtype != OV_F32 || s[i].boxes->ndim != 2 || s[i].boxes->shape[1] != 4))
            return ov_error("%s: sample '%s' has boxes that are not f32 [N,4]", name, s[i].id);
        ovTensor *v0 = s[0].video;
        int same = v->ndim == v0->ndim && v->dtype == v0->dtype;
        for (int d = 0; same && d < v->ndim - 2; d++) same = v->shape[d] == v0->shape[d];
        if (!same) {
            char a[96], b[96];
            return ov_error("%s: samples '%s' %s %s and '%s' %s %s cannot share a batch (only H and W may differ)", name,
                            s[0].id, ov_shape_str(v0->ndim, v0->shape, a, sizeof a), ov_dtype_name(v0->dtype), s[i].id,
                            ov_shape_str(v->ndim, v->shape, b, sizeof b), ov_dtype_name(v->dtype));
        }
        int64_t H = v->shape[v->ndim - 2], W = v->shape[v->ndim - 1];
        if (s[i].h == 0) s[i].h = H;
        if (s[i].w == 0) s[i].w = W;
        if (s[i].h < 1 || s[i].h > H || s[i].w < 1 || s[i].w > W)
            return ov_error("%s: sample '%s' says its content is %lldx%lld inside a %lldx%lld video", name, s[i].id,
                            (long long)s[i].h, (long long)s[i].w, (long long)H, (long long)W);
    }
    return 0;
}

static void move_in(ovTensor *t, ovScope *to) {
    if (t) ov_scope_move_graph(&t->obj, to);
}

ovBatch *ov_collate(ovSample *s, int n, int pad_multiple, const char *name) {
    name = name ? name : "collate";
    if (n < 1) {
        ov_error("%s: an empty batch", name);
        return NULL;
    }
    if (check_samples(s, n, name)) return NULL;
    int nd = s[0].video->ndim;
    int64_t Hm = 0, Wm = 0;
    for (int i = 0; i < n; i++) {
        if (s[i].video->shape[nd - 2] > Hm) Hm = s[i].video->shape[nd - 2];
        if (s[i].video->shape[nd - 1] > Wm) Wm = s[i].video->shape[nd - 1];
    }
    int m = pad_multiple > 1 ? pad_multiple : 1;
    Hm = (Hm + m - 1) / m * m;
    Wm = (Wm + m - 1) / m * m;

    ovBatch *b = calloc(1, sizeof *b);
    b->samples = calloc((size_t)n, sizeof *b->samples);
    b->index = calloc((size_t)n, sizeof *b->index);
    ovScope *scope = ov_scope_new("batch");
    b->internal = scope;
    b->n = n;
    int64_t shape[OV_MAX_DIMS + 1];
    shape[0] = n;
    memcpy(shape + 1, s[0].video->shape, sizeof(int64_t) * (size_t)nd);
    shape[nd - 1] = Hm;
    shape[nd] = Wm;
    ov_scope_push(scope);
    b->video = ov_zeros(nd + 1, shape, s[0].video->dtype);
    b->whwh = ov_empty(2, (int64_t[]){n, 4}, OV_F32);
    b->sizes = ov_empty(2, (int64_t[]){n, 2}, OV_I64);
    size_t es = ov_dtype_size(b->video->dtype);
    int64_t planes = ov_numel(s[0].video) / (s[0].video->shape[nd - 2] * s[0].video->shape[nd - 1]);
    for (int i = 0; i < n; i++) {
        ovTensor *v = s[i].video;
        int64_t H = v->shape[nd - 2], W = v->shape[nd - 1];
        ovTensor *dst = ov_view_of(b->video, nd, shape + 1, b->video->stride + 1, i * b->video->stride[0]);
        if (ov_is_contiguous(v)) {
            const char *src = ov_data_ptr(v);
            char *d = ov_data_ptr(dst);
            for (int64_t p = 0; p < planes; p++)
                for (int64_t y = 0; y < H; y++) memcpy(d + ((p * Hm + y) * Wm) * es, src + ((p * H + y) * W) * es, (size_t)W * es);
        } else { /* a strided video: copy through a view of the top-left H x W window */
            int64_t sub[OV_MAX_DIMS];
            memcpy(sub, v->shape, sizeof(int64_t) * (size_t)nd);
            ov_copy_(ov_view_of(b->video, nd, sub, b->video->stride + 1, i * b->video->stride[0]), v);
        }
        float *wh = ov_f32(b->whwh) + 4 * i;
        wh[0] = wh[2] = (float)s[i].w;
        wh[1] = wh[3] = (float)s[i].h;
        int64_t *hw = (int64_t *)ov_data_ptr(b->sizes) + 2 * i;
        hw[0] = s[i].h;
        hw[1] = s[i].w;
        b->samples[i] = s[i];
        b->samples[i].video = dst;
    }
    ov_scope_pop(scope);
    for (int i = 0; i < n; i++) {
        move_in(s[i].boxes, scope);
        move_in(s[i].labels, scope);
        move_in(s[i].extra, scope);
    }
    return b;
}

void ov_batch_free(ovBatch *b) {
    if (!b) return;
    ov_scope_free(b->internal);
    free(b->samples);
    free(b->index);
    free(b);
}
