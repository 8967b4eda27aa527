/* transform_color.c: colour adjustment and jitter (torchvision.transforms.functional's
 * adjust_brightness/contrast/saturation/hue on float tensors, and ColorJitter's draws) and the
 * normalisation to the models' f32 [C,T,H,W] input (see transform.h). */
#include <math.h>
#include <stdlib.h>

#include "data/transform.h"
#include "tensor/create.h"
#include "tensor/error.h"

/* ---- adjustments on one frame of floats in [0, 1], interleaved RGB ---- */

static float clamp01(float v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* torchvision's rgb_to_grayscale weights for tensors */
static float gray(const float *p) { return 0.2989f * p[0] + 0.587f * p[1] + 0.114f * p[2]; }

static void brightness(float *px, int64_t n, float f) {
    for (int64_t i = 0; i < 3 * n; i++) px[i] = clamp01(px[i] * f);
}

static void contrast(float *px, int64_t n, float f) {
    double sum = 0; /* mean grey level of the frame */
    for (int64_t i = 0; i < n; i++) sum += gray(px + 3 * i);
    float m = (float)(sum / (double)n);
    for (int64_t i = 0; i < 3 * n; i++) px[i] = clamp01(f * px[i] + (1.0f - f) * m);
}

static void saturation(float *px, int64_t n, float f) {
    for (int64_t i = 0; i < n; i++) {
        float *p = px + 3 * i, g = gray(p);
        for (int k = 0; k < 3; k++) p[k] = clamp01(f * p[k] + (1.0f - f) * g);
    }
}

/* torchvision's _rgb2hsv, a hue shift, and _hsv2rgb */
static void hue(float *px, int64_t n, float shift) {
    for (int64_t i = 0; i < n; i++) {
        float *p = px + 3 * i, r = p[0], g = p[1], b = p[2];
        float maxc = fmaxf(r, fmaxf(g, b)), minc = fminf(r, fminf(g, b));
        int eq = maxc == minc;
        float cr = maxc - minc, s = cr / (eq ? 1.0f : maxc), div = eq ? 1.0f : cr;
        float rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div, h;
        if (maxc == r)
            h = bc - gc;
        else if (maxc == g)
            h = 2.0f + rc - bc;
        else
            h = 4.0f + gc - rc;
        h = fmodf(h / 6.0f + 1.0f, 1.0f);
        h = h + shift; /* (h + shift) % 1.0, Python's modulo (non-negative) */
        h = h - floorf(h);
        float v = maxc, h6 = h * 6.0f, fl = floorf(h6), fr = h6 - fl;
        int sector = ((int)fl % 6 + 6) % 6;
        float pp = clamp01(v * (1.0f - s)), q = clamp01(v * (1.0f - s * fr)), t = clamp01(v * (1.0f - s * (1.0f - fr)));
        switch (sector) {
        case 0: p[0] = v, p[1] = t, p[2] = pp; break;
        case 1: p[0] = q, p[1] = v, p[2] = pp; break;
        case 2: p[0] = pp, p[1] = v, p[2] = t; break;
        case 3: p[0] = pp, p[1] = q, p[2] = v; break;
        case 4: p[0] = t, p[1] = pp, p[2] = v; break;
        default: p[0] = v, p[1] = pp, p[2] = q; break;
        }
    }
}

int ov_clip_color(ovClip *c, const ovColorAdjust *a) {
    if (a->n_order < 0 || a->n_order > 4) return ov_error("clip colour: %d adjustments (at most 4)", a->n_order);
    if (a->brightness < 0 || a->contrast < 0 || a->saturation < 0 || fabs(a->hue) > 0.5)
        return ov_error("clip colour: factors must be non-negative and the hue shift within [-0.5, 0.5]");
    int active = 0;
    for (int k = 0; k < a->n_order; k++) {
        int op = a->order[k];
        if (op < 0 || op > 3) return ov_error("clip colour: adjustment %d is not 0..3", op);
        active |= (op == 0 && a->brightness != 1) || (op == 1 && a->contrast != 1) || (op == 2 && a->saturation != 1) ||
                  (op == 3 && a->hue != 0);
    }
    if (!active) return 0;
    int64_t t = c->frames->shape[0], h = c->frames->shape[1], w = c->frames->shape[2], n = c->h * c->w;
    float *px = malloc(sizeof *px * (size_t)(3 * n));
    if (!px) return ov_error("clip colour: out of memory");
    ovTensor *out = ov_zeros(4, c->frames->shape, OV_U8);
    const uint8_t *s = ov_data_ptr(c->frames);
    uint8_t *d = ov_data_ptr(out);
    for (int64_t f = 0; f < t; f++) {
        /* only the content: padding (if any) stays zero */
        for (int64_t y = 0; y < c->h; y++)
            for (int64_t x = 0; x < 3 * c->w; x++) px[y * 3 * c->w + x] = s[(f * h + y) * w * 3 + x] * (1.0f / 255.0f);
        for (int k = 0; k < a->n_order; k++) {
            switch (a->order[k]) {
            case 0: if (a->brightness != 1) brightness(px, n, (float)a->brightness); break;
            case 1: if (a->contrast != 1) contrast(px, n, (float)a->contrast); break;
            case 2: if (a->saturation != 1) saturation(px, n, (float)a->saturation); break;
            default: if (a->hue != 0) hue(px, n, (float)a->hue); break;
            }
        }
        for (int64_t y = 0; y < c->h; y++)
            for (int64_t x = 0; x < 3 * c->w; x++) {
                float v = floorf(px[y * 3 * c->w + x] * 255.0f + 0.5f);
                d[(f * h + y) * w * 3 + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
    }
    free(px);
    c->frames = out;
    return 0;
}

ovColorAdjust ov_color_jitter_draw(const ovColorJitter *j, ovDataRng *rng) {
    ovColorAdjust a = {1, 1, 1, 0, {0, 1, 2, 3}, 4};
    int64_t perm[4];
    ov_data_rng_permutation(rng, 4, perm);
    for (int k = 0; k < 4; k++) a.order[k] = (int)perm[k];
    if (j->brightness > 0) a.brightness = ov_data_rng_range(rng, fmax(0, 1 - j->brightness), 1 + j->brightness);
    if (j->contrast > 0) a.contrast = ov_data_rng_range(rng, fmax(0, 1 - j->contrast), 1 + j->contrast);
    if (j->saturation > 0) a.saturation = ov_data_rng_range(rng, fmax(0, 1 - j->saturation), 1 + j->saturation);
    if (j->hue > 0) a.hue = ov_data_rng_range(rng, -j->hue, j->hue);
    return a;
}

int ov_clip_color_jitter(ovClip *c, const ovColorJitter *j, ovDataRng *rng) {
    if (j->brightness == 0 && j->contrast == 0 && j->saturation == 0 && j->hue == 0) return 0;
    if (j->brightness < 0 || j->contrast < 0 || j->saturation < 0 || j->hue < 0 || j->hue > 0.5)
        return ov_error("colour jitter: parameters must be non-negative and hue at most 0.5");
    ovColorAdjust a = ov_color_jitter_draw(j, rng);
    return ov_clip_color(c, &a);
}

/* ---- normalisation ---- */

ovNorm ov_norm_clip(void) {
    return (ovNorm){{0.48145466f, 0.4578275f, 0.40821073f}, {0.26862954f, 0.26130258f, 0.27577711f}, false};
}
ovNorm ov_norm_imagenet(void) { return (ovNorm){{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}, false}; }
ovNorm ov_norm_kinetics(void) { return (ovNorm){{0.45f, 0.45f, 0.45f}, {0.225f, 0.225f, 0.225f}, false}; }
ovNorm ov_norm_openmixer(void) {
    ovNorm n = ov_norm_clip();
    n.bgr_quirk = true;
    return n;
}

ovTensor *ov_clip_normalize(const ovClip *c, const ovNorm *nm, int pad_multiple) {
    int64_t t = c->frames->shape[0], h = c->frames->shape[1], w = c->frames->shape[2];
    int m = pad_multiple > 1 ? pad_multiple : 1;
    int64_t ph = (c->h + m - 1) / m * m, pw = (c->w + m - 1) / m * m;
    ovTensor *out = (ph == c->h && pw == c->w) ? ov_empty(4, (int64_t[]){3, t, ph, pw}, OV_F32)
                                                : ov_zeros(4, (int64_t[]){3, t, ph, pw}, OV_F32);
    const uint8_t *s = ov_data_ptr(c->frames);
    float *d = ov_data_ptr(out);
    for (int k = 0; k < 3; k++) {
        int src = nm->bgr_quirk ? 2 - k : k;
        /* (x/255 - mean)/std as x * a + b, with a and b in double rounded once */
        float a = (float)(1.0 / (255.0 * nm->std[src])), b = (float)(-(double)nm->mean[src] / nm->std[src]);
        for (int64_t f = 0; f < t; f++)
            for (int64_t y = 0; y < c->h; y++) {
                const uint8_t *row = s + ((f * h + y) * w) * 3 + k;
                float *o = d + ((k * t + f) * ph + y) * pw;
                for (int64_t x = 0; x < c->w; x++) o[x] = row[3 * x] * a + b;
            }
    }
    return out;
}
