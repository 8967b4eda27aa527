/* vision.c: the pieces the video encoders share (see vision.h): input normalisation, resizing of
 * the learned position tables (ViCLIP's load_state_dict / OpenMixer's interpolate_pos_embed_online
 * for the spatial table, CLIP-ViP's F.interpolate(mode="linear") for the temporal one), patch
 * tokens to feature maps, patch-text cosine maps and checkpoint key selection. */
#include "models/vision.h"

#include <stdio.h>
#include <string.h>

#include "autograd/ops.h"
#include "tensor/create.h"
#include "tensor/error.h"

ovNorm ov_vision_norm(ovVisionArch arch) { return arch == OV_VISION_VICLIP ? ov_norm_imagenet() : ov_norm_clip(); }

ovTensor *ov_vision_normalize(ovVisionArch arch, ovTensor *x) {
    char d[160];
    int cdim = x->ndim == 5 ? 1 : 0;
    if (x->ndim < 3 || x->ndim > 5 || x->shape[cdim] != 3 || x->dtype != OV_F32)
        ov_panic("ov_vision_normalize: expected f32 [3,T,H,W], [3,H,W] or [B,3,T,H,W] pixels in [0, 1], got %s",
                 ov_describe(x, d, sizeof d));
    ovNorm n = ov_vision_norm(arch);
    float mean[3], inv[3];
    for (int c = 0; c < 3; c++) mean[c] = n.mean[c], inv[c] = 1.0f / n.std[c];
    /* per-channel constants shaped to broadcast along the channel dim */
    int64_t shape[5] = {1, 1, 1, 1, 1};
    shape[cdim] = 3;
    ovDevice prev = ov_set_default_device(ov_device(x));
    ovTensor *m = ov_from_data(mean, x->ndim, shape, OV_F32), *s = ov_from_data(inv, x->ndim, shape, OV_F32);
    ov_set_default_device(prev);
    return ov_mul(ov_sub(x, m), s);
}

ovTensor *ov_pos_table_resize(ovTensor *table, int64_t h, int64_t w) {
    char d[160];
    int64_t W = table->shape[1], g = 0;
    while (table->ndim == 2 && (g + 1) * (g + 1) <= table->shape[0]) g++;
    if (table->ndim != 2 || g * g != table->shape[0])
        ov_panic("position table must be [g*g, W] for a square g x g grid, got %s", ov_describe(table, d, sizeof d));
    if (g == h && g == w) return table;
    /* rows -> [1, W, g, g] image, bicubic to [1, W, h, w], back to rows */
    ovTensor *img = ov_permute(ov_reshape(table, OV_SHAPE(1, g, g, W)), 4, (int64_t[]){0, 3, 1, 2});
    ovTensor *r = ov_interpolate(img, OV_INTERP_BICUBIC, 2, (int64_t[]){h, w}, false);
    return ov_reshape(ov_permute(r, 4, (int64_t[]){0, 2, 3, 1}), OV_SHAPE(h * w, W));
}

ovTensor *ov_temporal_table_resize(ovTensor *table, int64_t T) {
    char d[160];
    if (table->ndim != 3 || table->shape[0] != 1)
        ov_panic("temporal table must be [1, frames, W], got %s", ov_describe(table, d, sizeof d));
    if (table->shape[1] == T) return table;
    ovTensor *r = ov_interpolate(ov_transpose(table, 1, 2), OV_INTERP_LINEAR, 1, (int64_t[]){T}, false);
    return ov_transpose(r, 1, 2);
}

ovTensor *ov_tokens_to_map(ovTensor *tokens, int64_t T, int64_t h, int64_t w, bool space_major) {
    char d[160];
    if (tokens->ndim != 3 || tokens->shape[1] != T * h * w)
        ov_panic("patch tokens must be [B, T*h*w, C] with T*h*w = %lld, got %s", (long long)(T * h * w),
                 ov_describe(tokens, d, sizeof d));
    int64_t B = tokens->shape[0], C = tokens->shape[2];
    ovTensor *m;
    if (space_major) /* index (y*w + x)*T + t: [B,h,w,T,C] -> [B,C,T,h,w] */
        m = ov_permute(ov_reshape(tokens, OV_SHAPE(B, h, w, T, C)), 5, (int64_t[]){0, 4, 3, 1, 2});
    else /* index t*h*w + y*w + x: [B,T,h,w,C] -> [B,C,T,h,w] */
        m = ov_permute(ov_reshape(tokens, OV_SHAPE(B, T, h, w, C)), 5, (int64_t[]){0, 4, 1, 2, 3});
    return ov_contiguous(m);
}

ovTensor *ov_patch_text_similarity(ovTensor *map, ovTensor *text) {
    char a[160], b[160];
    if (map->ndim != 5 || text->ndim != 2 || text->shape[1] != map->shape[1])
        ov_panic("patch-text similarity needs a map [B,D,T,h,w] and text features [K,D] with the same D; got %s and %s",
                 ov_describe(map, a, sizeof a), ov_describe(text, b, sizeof b));
    int64_t B = map->shape[0], D = map->shape[1], T = map->shape[2], h = map->shape[3], w = map->shape[4];
    ovTensor *p = ov_normalize(map, 1, 1e-12), *t = ov_normalize(text, 1, 1e-12);
    /* [K,D] x [B,D,T*h*w] -> [B,K,T*h*w] */
    ovTensor *s = ov_matmul(t, ov_reshape(p, OV_SHAPE(B, D, T * h * w)));
    return ov_reshape(s, OV_SHAPE(B, text->shape[0], T, h, w));
}

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

ovTensorDict *ov_dict_select(const ovTensorDict *d, int n_prefixes, const char *const *prefixes, int n_renames,
                             const ovRename *renames, const char *drop_suffix) {
    ovTensorDict *out = ov_dict_new();
    for (int i = 0; i < d->n; i++) {
        char name[512];
        snprintf(name, sizeof name, "%s", d->names[i]);
        for (int r = 0; r < n_renames; r++)
            if (starts(name, renames[r].from)) {
                char tail[512];
                snprintf(tail, sizeof tail, "%s", name + strlen(renames[r].from));
                snprintf(name, sizeof name, "%s%s", renames[r].to, tail);
                break;
            }
        size_t n = strlen(name), ns = drop_suffix ? strlen(drop_suffix) : 0;
        if (ns && n >= ns && !strcmp(name + n - ns, drop_suffix)) continue;
        for (int p = 0; p < n_prefixes; p++)
            if (starts(name, prefixes[p])) {
                ov_dict_set(out, name, d->tensors[i]);
                break;
            }
    }
    return out;
}
