/* transform.c: the geometric clip transforms (resize, crop, flip, pad) and the whole per-sample
 * pipeline (see transform.h). The loops are plain C without OpenMP: loader workers already run
 * one sample per thread. */
#include "data/transform.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/create.h"
#include "tensor/error.h"

static int64_t T_(const ovClip *c) { return c->frames->shape[0]; }
static int64_t H_(const ovClip *c) { return c->frames->shape[1]; }
static int64_t W_(const ovClip *c) { return c->frames->shape[2]; }
static int64_t N_(const ovClip *c) { return c->boxes ? c->boxes->shape[0] : 0; }

static ovTensor *contiguous(ovTensor *t) {
    if (ov_is_contiguous(t)) return t;
    ovTensor *c = ov_empty(t->ndim, t->shape, t->dtype);
    ov_copy_(c, t);
    return c;
}

int ov_clip_init(ovClip *c, ovTensor *frames, ovTensor *boxes) {
    memset(c, 0, sizeof *c);
    if (!frames || frames->dtype != OV_U8 || ov_device(frames) != OV_DEV_CPU || (frames->ndim != 3 && frames->ndim != 4) ||
        frames->shape[frames->ndim - 1] != 3)
        return ov_error("clip: frames must be a u8 CPU tensor [T,H,W,3] or [H,W,3]");
    if (boxes && (boxes->dtype != OV_F32 || ov_device(boxes) != OV_DEV_CPU || boxes->ndim != 2 || boxes->shape[1] != 4))
        return ov_error("clip: boxes must be an f32 CPU tensor [N,4]");
    frames = contiguous(frames);
    if (frames->ndim == 3) {
        int64_t h = frames->shape[0], w = frames->shape[1];
        frames = ov_view_of(frames, 4, (int64_t[]){1, h, w, 3}, (int64_t[]){h * w * 3, w * 3, 3, 1}, frames->offset);
    }
    c->frames = frames;
    c->boxes = boxes ? contiguous(boxes) : NULL;
    c->h = frames->shape[1];
    c->w = frames->shape[2];
    return 0;
}

static int unpadded(const ovClip *c, const char *what) {
    if (H_(c) != c->h || W_(c) != c->w)
        return ov_error("clip %s: the clip is padded (%lldx%lld frames holding %lldx%lld); pad last", what,
                        (long long)H_(c), (long long)W_(c), (long long)c->h, (long long)c->w);
    return 0;
}

static ovTensor *new_frames(int64_t t, int64_t h, int64_t w) { return ov_empty(4, (int64_t[]){t, h, w, 3}, OV_U8); }

static ovTensor *new_boxes(const ovClip *c) {
    return c->boxes ? ov_empty(2, (int64_t[]){N_(c), 4}, OV_F32) : NULL;
}

/* ---- resize ---- */

void ov_resize_short_size(int64_t h, int64_t w, int short_side, int max_long, int64_t *oh, int64_t *ow) {
    int64_t s = h < w ? h : w, l = h < w ? w : h;
    double size = short_side;
    if (max_long > 0 && (double)l / (double)s * size > max_long) size = floor((double)max_long * (double)s / (double)l + 0.5);
    if ((int64_t)size == s) {
        *oh = h;
        *ow = w;
        return;
    }
    int64_t ns = (int64_t)size, nl = (int64_t)((double)l / (double)s * size + 0.5);
    if (nl > max_long && max_long > 0) nl = max_long;
    *oh = h < w ? ns : nl;
    *ow = h < w ? nl : ns;
}

typedef struct {
    int64_t i0, i1;
    float l0, l1;
} Tap;

/* PyTorch's linear source index: src = (dst + 0.5) * in/out - 0.5 in float, clamped at 0. */
static void linear_taps(int64_t in, int64_t out, Tap *t) {
    float scale = (float)in / (float)out;
    for (int64_t o = 0; o < out; o++) {
        float src = scale * ((float)o + 0.5f) - 0.5f;
        if (src < 0) src = 0;
        int64_t i0 = (int64_t)src;
        float l = src - (float)i0;
        l = l < 0 ? 0 : l > 1 ? 1 : l;
        t[o] = (Tap){i0, i0 + (i0 < in - 1), 1.0f - l, l};
    }
}

static uint8_t to_u8(float v) {
    v = floorf(v + 0.5f);
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static void resize_frame(const uint8_t *src, int64_t h, int64_t w, uint8_t *dst, int64_t oh, int64_t ow,
                         const Tap *ty, const Tap *tx) {
    for (int64_t y = 0; y < oh; y++) {
        const uint8_t *r0 = src + ty[y].i0 * w * 3, *r1 = src + ty[y].i1 * w * 3;
        float a = ty[y].l0, b = ty[y].l1;
        uint8_t *o = dst + y * ow * 3;
        for (int64_t x = 0; x < ow; x++) {
            int64_t x0 = tx[x].i0 * 3, x1 = tx[x].i1 * 3;
            float p = tx[x].l0, q = tx[x].l1;
            for (int k = 0; k < 3; k++)
                o[x * 3 + k] = to_u8(a * (p * r0[x0 + k] + q * r0[x1 + k]) + b * (p * r1[x0 + k] + q * r1[x1 + k]));
        }
    }
    (void)h;
}

int ov_clip_resize(ovClip *c, int64_t oh, int64_t ow) {
    if (unpadded(c, "resize")) return -1;
    if (oh < 1 || ow < 1 || oh > (1 << 15) || ow > (1 << 15))
        return ov_error("clip resize: output size %lldx%lld is not valid", (long long)oh, (long long)ow);
    int64_t t = T_(c), h = c->h, w = c->w;
    if (oh == h && ow == w) return 0;
    Tap *ty = malloc(sizeof *ty * (size_t)oh), *tx = malloc(sizeof *tx * (size_t)ow);
    if (!ty || !tx) {
        free(ty);
        free(tx);
        return ov_error("clip resize: out of memory");
    }
    linear_taps(h, oh, ty);
    linear_taps(w, ow, tx);
    ovTensor *out = new_frames(t, oh, ow);
    const uint8_t *s = ov_data_ptr(c->frames);
    uint8_t *d = ov_data_ptr(out);
    for (int64_t f = 0; f < t; f++) resize_frame(s + f * h * w * 3, h, w, d + f * oh * ow * 3, oh, ow, ty, tx);
    free(ty);
    free(tx);
    ovTensor *nb = new_boxes(c);
    if (nb) {
        const float *b = ov_data_ptr(c->boxes);
        float *o = ov_data_ptr(nb), sx = (float)ow / (float)w, sy = (float)oh / (float)h;
        for (int64_t i = 0; i < N_(c); i++) {
            o[4 * i + 0] = b[4 * i + 0] * sx;
            o[4 * i + 1] = b[4 * i + 1] * sy;
            o[4 * i + 2] = b[4 * i + 2] * sx;
            o[4 * i + 3] = b[4 * i + 3] * sy;
        }
    }
    c->frames = out;
    c->boxes = nb;
    c->h = oh;
    c->w = ow;
    return 0;
}

int ov_clip_resize_short(ovClip *c, int short_side, int max_long) {
    if (short_side < 1) return ov_error("clip resize: short side %d is not positive", short_side);
    int64_t oh, ow;
    ov_resize_short_size(c->h, c->w, short_side, max_long, &oh, &ow);
    return ov_clip_resize(c, oh, ow);
}

/* ---- crop, flip, pad ---- */

int ov_clip_crop(ovClip *c, int64_t y, int64_t x, int64_t h, int64_t w) {
    if (unpadded(c, "crop")) return -1;
    if (y < 0 || x < 0 || h < 1 || w < 1 || y + h > c->h || x + w > c->w)
        return ov_error("clip crop: window %lldx%lld at (y=%lld, x=%lld) does not fit in %lldx%lld frames", (long long)h,
                        (long long)w, (long long)y, (long long)x, (long long)c->h, (long long)c->w);
    int64_t t = T_(c);
    ovTensor *out = new_frames(t, h, w);
    const uint8_t *s = ov_data_ptr(c->frames);
    uint8_t *d = ov_data_ptr(out);
    for (int64_t f = 0; f < t; f++)
        for (int64_t r = 0; r < h; r++)
            memcpy(d + ((f * h + r) * w) * 3, s + ((f * c->h + y + r) * c->w + x) * 3, (size_t)w * 3);
    ovTensor *nb = new_boxes(c);
    if (nb) {
        const float *b = ov_data_ptr(c->boxes);
        float *o = ov_data_ptr(nb);
        for (int64_t i = 0; i < 4 * N_(c); i++) {
            float v = b[i] - (float)(i % 2 ? y : x), hi = (float)(i % 2 ? h : w);
            o[i] = v < 0 ? 0 : v > hi ? hi : v;
        }
    }
    c->frames = out;
    c->boxes = nb;
    c->h = h;
    c->w = w;
    return 0;
}

int ov_clip_flip(ovClip *c, ovFlipBoxes mode) {
    if (unpadded(c, "flip")) return -1;
    int64_t t = T_(c), h = c->h, w = c->w;
    ovTensor *out = new_frames(t, h, w);
    const uint8_t *s = ov_data_ptr(c->frames);
    uint8_t *d = ov_data_ptr(out);
    for (int64_t r = 0; r < t * h; r++)
        for (int64_t x = 0; x < w; x++) memcpy(d + (r * w + x) * 3, s + (r * w + w - 1 - x) * 3, 3);
    ovTensor *nb = new_boxes(c);
    if (nb) {
        const float *b = ov_data_ptr(c->boxes);
        float *o = ov_data_ptr(nb), k = mode == OV_FLIP_BOXES_OPENMIXER ? 1.0f : 0.0f;
        for (int64_t i = 0; i < N_(c); i++) {
            o[4 * i + 0] = (float)w - b[4 * i + 2] - k;
            o[4 * i + 1] = b[4 * i + 1];
            o[4 * i + 2] = (float)w - b[4 * i + 0] - k;
            o[4 * i + 3] = b[4 * i + 3];
        }
    }
    c->frames = out;
    c->boxes = nb;
    return 0;
}

static int64_t round_up(int64_t v, int m) { return m > 1 ? (v + m - 1) / m * m : v; }

int ov_clip_pad(ovClip *c, int multiple) {
    if (multiple < 1) return ov_error("clip pad: multiple %d is not positive", multiple);
    int64_t t = T_(c), h = H_(c), w = W_(c), ph = round_up(c->h, multiple), pw = round_up(c->w, multiple);
    if (ph == h && pw == w) return 0;
    ovTensor *out = ov_zeros(4, (int64_t[]){t, ph, pw, 3}, OV_U8);
    const uint8_t *s = ov_data_ptr(c->frames);
    uint8_t *d = ov_data_ptr(out);
    for (int64_t f = 0; f < t; f++)
        for (int64_t r = 0; r < c->h; r++) memcpy(d + ((f * ph + r) * pw) * 3, s + ((f * h + r) * w) * 3, (size_t)c->w * 3);
    c->frames = out;
    return 0;
}

/* ---- the pipeline ---- */

ovClipTransform ov_clip_transform_openmixer(bool train) {
    ovClipTransform t = {.n_short = train ? 2 : 1, .max_long = 1333, .flip_prob = train ? 0.5 : 0,
                         .flip_boxes = OV_FLIP_BOXES_OPENMIXER, .norm = ov_norm_openmixer(), .pad_multiple = 32};
    t.short_sides[0] = 256;
    t.short_sides[1] = 320;
    return t;
}

ovTensor *ov_clip_transform(const ovClipTransform *t, ovClip *c, ovDataRng *rng, bool *flipped) {
    if (t->n_short < 0 || t->n_short > 8) {
        ov_error("clip transform: %d short sides (at most 8)", t->n_short);
        return NULL;
    }
    if (t->n_short > 0) {
        int s = t->short_sides[t->n_short > 1 ? ov_data_rng_below(rng, t->n_short) : 0];
        if (ov_clip_resize_short(c, s, t->max_long)) return NULL;
    }
    bool flip = t->flip_prob > 0 && ov_data_rng_bernoulli(rng, t->flip_prob);
    if (flipped) *flipped = flip;
    if (flip && ov_clip_flip(c, t->flip_boxes)) return NULL;
    if (ov_clip_color_jitter(c, &t->jitter, rng)) return NULL;
    return ov_clip_normalize(c, &t->norm, t->pad_multiple);
}
