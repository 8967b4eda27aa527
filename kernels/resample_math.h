/* resample_math.h: the coordinate rules of the resampling family (F.interpolate, F.grid_sample,
 * torchvision.ops.roi_align), written once for the CPU kernels (kernels/cpu/resample.h) and the
 * CUDA kernels (kernels/cuda/resample.h), so that both pick the same source indices and weights.
 *
 * They mirror PyTorch's float32 CPU arithmetic step by step (ATen/native/UpSample.h,
 * GridSampler, torchvision's roi_align_kernel.cpp), so that the sampled indices agree with
 * PyTorch wherever a floor() decides them. Every product that feeds a sum goes through ov_mul_rn:
 * nvcc fuses a*b+c into one FMA by default (one rounding instead of two), which would move a
 * coordinate by an ulp on the device and, next to an integer, change the index it floors to. */
#ifndef OV_RESAMPLE_MATH_H
#define OV_RESAMPLE_MATH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels/half.h" /* OV_HD */

/* a * b rounded on its own, never fused with the addition that follows. */
OV_HD float ov_mul_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}

/* ================= interpolate ================= */

/* How one spatial dim is resampled: 1 tap (nearest), 2 taps (linear) or 4 taps (cubic). */
typedef enum { OV_KI_NEAREST, OV_KI_LINEAR, OV_KI_CUBIC } ovKInterpKind;

typedef struct {
    ovKInterpKind kind;
    bool align_corners;
    /* User scale factor of each spatial dim (output = floor(input * scale)), or 0 when the output
     * size was given: PyTorch then maps coordinates with input/output instead of 1/scale. */
    double scale[3];
} ovKInterp;

/* PyTorch's area_pixel_compute_scale in float: the step between source coordinates. */
OV_HD float ov_interp_step(int64_t in, int64_t out, bool align_corners, double scale) {
    if (align_corners) return out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f;
    return scale > 0 ? (float)(1.0 / scale) : (float)in / (float)out;
}

/* Keys' cubic convolution weights with A = -0.75 for fractional position t (PyTorch's
 * get_cubic_upsample_coefficients). */
OV_HD void ov_cubic_weights(float t, float w[4]) {
    const float A = -0.75f;
    float x1 = t + 1.0f, x2 = 1.0f - t, x3 = x2 + 1.0f;
    /* |x| in [1,2): ((A x - 5A) x + 8A) x - 4A;  |x| in [0,1): ((A+2) x - (A+3)) x x + 1 */
    w[0] = ov_mul_rn(ov_mul_rn(ov_mul_rn(A, x1) - 5.0f * A, x1) + 8.0f * A, x1) - 4.0f * A;
    w[1] = ov_mul_rn(ov_mul_rn(ov_mul_rn((A + 2.0f), t) - (A + 3.0f), t), t) + 1.0f;
    w[2] = ov_mul_rn(ov_mul_rn(ov_mul_rn((A + 2.0f), x2) - (A + 3.0f), x2), x2) + 1.0f;
    w[3] = ov_mul_rn(ov_mul_rn(ov_mul_rn(A, x3) - 5.0f * A, x3) + 8.0f * A, x3) - 4.0f * A;
}

/* The input indices and weights that output index i of one dim reads (n taps, returned), in
 * increasing index order.
 * - nearest: floor(i * step), step = 1/scale or in/out (mode 'nearest', not 'nearest-exact');
 * - linear: source = step*(i+0.5)-0.5 clamped at 0 (align_corners: step*i); two neighbours, the
 *   upper one clamped to the last index; an output as long as the input is copied straight;
 * - cubic: the same source, not clamped; four neighbours at floor(source)-1..+2, each index clamped
 *   into [0, in-1] (PyTorch's access_bounded).
 * The tapped indices never decrease as i grows (the backward's gathers rely on it). */
OV_HD int ov_interp_taps(ovKInterpKind kind, int64_t in, int64_t out, bool align_corners, double scale, int64_t i,
                         int64_t idx[4], float w[4]) {
    if (kind == OV_KI_NEAREST) {
        float step = scale > 0 ? (float)(1.0 / scale) : (float)in / (float)out;
        int64_t s = (int64_t)floorf((float)i * step);
        idx[0] = s < in - 1 ? s : in - 1;
        w[0] = 1.0f;
        return 1;
    }
    float step = ov_interp_step(in, out, align_corners, scale);
    float src = align_corners ? step * (float)i : ov_mul_rn(step, (float)i + 0.5f) - 0.5f;
    if (kind == OV_KI_LINEAR) {
        if (in == out) { /* PyTorch copies, whatever the scale factor says */
            idx[0] = idx[1] = i;
            w[0] = 1.0f;
            w[1] = 0.0f;
            return 2;
        }
        if (src < 0.0f) src = 0.0f;
        int64_t i0 = (int64_t)src;
        float l1 = src - (float)i0;
        l1 = l1 < 0.0f ? 0.0f : l1 > 1.0f ? 1.0f : l1;
        idx[0] = i0;
        idx[1] = i0 + (i0 < in - 1 ? 1 : 0);
        w[0] = 1.0f - l1;
        w[1] = l1;
        return 2;
    }
    float f = floorf(src);
    int64_t i0 = (int64_t)f;
    ov_cubic_weights(src - f, w);
    for (int j = 0; j < 4; j++) {
        int64_t k = i0 - 1 + j;
        idx[j] = k < 0 ? 0 : k > in - 1 ? in - 1 : k;
    }
    return 4;
}

/* ================= grid_sample ================= */

/* Pixel coordinate of a normalised grid value along a dim of `size` pixels, and d pixel / d grid
 * (PyTorch's vectorised CPU grid sampler: (g + 1) * scale, minus 0.5 without align_corners). */
OV_HD float ov_grid_unnormalize(float g, int64_t size, bool align_corners, float *dpix) {
    float s = align_corners ? (float)(size - 1) / 2.0f : (float)size / 2.0f;
    *dpix = s;
    return align_corners ? (g + 1.0f) * s : ov_mul_rn(g + 1.0f, s) - 0.5f;
}

/* The four bilinear corners of pixel position (ix, iy): element offsets into a plane with strides
 * (sh, sw), -1 for a corner outside the map (zero padding), and their weights nw, ne, sw, se.
 * Also the fractional parts (for the gradient to the grid) and the top-left corner (cx, cy) of
 * the cell, in [-1, W-1] x [-1, H-1] when any corner is on the map. */
typedef struct {
    int64_t off[4];
    float w[4];
    float fx, fy; /* ix - floor(ix), iy - floor(iy) */
    int64_t cx, cy;
} ovGridTaps;

OV_HD void ov_grid_taps(float ix, float iy, int64_t H, int64_t W, int64_t sh, int64_t sw, ovGridTaps *t) {
    float x0 = floorf(ix), y0 = floorf(iy);
    float fx = ix - x0, fy = iy - y0;
    t->fx = fx;
    t->fy = fy;
    t->w[0] = (1.0f - fy) * (1.0f - fx);
    t->w[1] = (1.0f - fy) * fx;
    t->w[2] = fy * (1.0f - fx);
    t->w[3] = fy * fx;
    /* compare as floats before converting: far-away or NaN positions never become integers */
    bool xin0 = x0 >= 0.0f && x0 <= (float)(W - 1), xin1 = x0 >= -1.0f && x0 <= (float)(W - 2);
    bool yin0 = y0 >= 0.0f && y0 <= (float)(H - 1), yin1 = y0 >= -1.0f && y0 <= (float)(H - 2);
    int64_t xa = xin0 || xin1 ? (int64_t)x0 : 0, ya = yin0 || yin1 ? (int64_t)y0 : 0;
    t->cx = xa;
    t->cy = ya;
    t->off[0] = yin0 && xin0 ? ya * sh + xa * sw : -1;
    t->off[1] = yin0 && xin1 ? ya * sh + (xa + 1) * sw : -1;
    t->off[2] = yin1 && xin0 ? (ya + 1) * sh + xa * sw : -1;
    t->off[3] = yin1 && xin1 ? (ya + 1) * sh + (xa + 1) * sw : -1;
}

/* ================= roi_align ================= */

typedef struct {
    int64_t out_h, out_w;
    float spatial_scale;
    int64_t sampling_ratio; /* <= 0: ceil(roi size / bins) samples per bin along each axis */
    bool aligned;           /* shift boxes by -0.5 pixel (and do not force rois to be >= 1 pixel) */
} ovKRoi;

/* One roi's sampling geometry (torchvision's roi_align_forward_kernel_impl, in float). */
typedef struct {
    int64_t batch;  /* feature-map index (truncated from the box's float) */
    float x0, y0;   /* roi start */
    float bw, bh;   /* bin size */
    int64_t gw, gh; /* samples per bin along each axis (0 when the roi is empty) */
    float count;    /* max(gh * gw, 1): the bin average's divisor */
} ovRoiGeom;

OV_HD ovRoiGeom ov_roi_geom(const ovKRoi *p, const float box[5]) {
    ovRoiGeom r;
    float off = p->aligned ? 0.5f : 0.0f, s = p->spatial_scale;
    r.batch = box[0] > -1.0f && box[0] < 1e18f ? (int64_t)box[0] : -1; /* truncated; -1: no map */
    r.x0 = ov_mul_rn(box[1], s) - off;
    r.y0 = ov_mul_rn(box[2], s) - off;
    float rw = ov_mul_rn(box[3], s) - off - r.x0, rh = ov_mul_rn(box[4], s) - off - r.y0;
    if (!p->aligned) {
        rw = rw > 1.0f ? rw : 1.0f;
        rh = rh > 1.0f ? rh : 1.0f;
    }
    r.bw = rw / (float)p->out_w;
    r.bh = rh / (float)p->out_h;
    r.gw = p->sampling_ratio > 0 ? p->sampling_ratio : (int64_t)ceilf(rw / (float)p->out_w);
    r.gh = p->sampling_ratio > 0 ? p->sampling_ratio : (int64_t)ceilf(rh / (float)p->out_h);
    if (r.gw < 0) r.gw = 0;
    if (r.gh < 0) r.gh = 0;
    int64_t n = r.gw * r.gh;
    r.count = (float)(n > 1 ? n : 1);
    return r;
}

/* Sample coordinate i of bin b along one axis: start + b*bin + (i + .5) * bin / grid. */
OV_HD float ov_roi_coord(float start, float bin, int64_t b, int64_t i, int64_t grid) {
    return start + ov_mul_rn((float)b, bin) + (float)((float)i + 0.5f) * bin / (float)grid;
}

/* One axis of torchvision's bilinear_interpolate: false when the sample lies beyond [-1, size]
 * (it then contributes nothing); else the low/high indices and the weight l of the high one. */
OV_HD bool ov_roi_axis(float v, int64_t size, int64_t *lo, int64_t *hi, float *l) {
    if (!(v >= -1.0f && v <= (float)size)) return false;
    if (v <= 0.0f) v = 0.0f;
    int64_t a = (int64_t)v;
    if (a >= size - 1) {
        *lo = *hi = size - 1;
        v = (float)*lo;
    } else {
        *lo = a;
        *hi = a + 1;
    }
    *l = v - (float)*lo;
    return true;
}

#endif
