/* roi_align.c: torchvision.ops.roi_align on the CPU (roi_align_kernel.cpp semantics) and its
 * backward to the feature map. Each output bin averages gh x gw bilinear samples taken at the
 * centres of a regular grid inside the bin; a sample beyond one pixel outside the map adds zero
 * but still counts in the average. The sample grid is separable: the y samples of a bin row and
 * the x samples of a bin column are tabulated once per roi (ov_roi_geom, ov_roi_axis). */
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/resample.h"

static void load_box(const ovKView *boxes, int64_t k, float b[5]) {
    const float *p = kv_f32(boxes) + k * boxes->stride[0];
    for (int j = 0; j < 5; j++) b[j] = p[j * boxes->stride[1]];
}

static ovRoiGeom geom_of(const ovKRoi *p, const ovKView *boxes, int64_t k) {
    float b[5];
    load_box(boxes, k, b);
    return ov_roi_geom(p, b);
}

/* ---------------- reference ---------------- */

/* Runs BODY for every sample of bin (ph, pw) of roi r that lies on the [H,W] map, with its four
 * corners (yy[j], xx[j]) and their bilinear weights ww[j]. */
#define FOR_EACH_SAMPLE(r, ph, pw, H, W, BODY)                                                        \
    for (int64_t iy = 0; iy < (r).gh; iy++) {                                                        \
        int64_t ylo, yhi;                                                                            \
        float ly;                                                                                    \
        if (!ov_roi_axis(ov_roi_coord((r).y0, (r).bh, ph, iy, (r).gh), H, &ylo, &yhi, &ly)) continue; \
        for (int64_t ix = 0; ix < (r).gw; ix++) {                                                    \
            int64_t xlo, xhi;                                                                        \
            float lx;                                                                                \
            if (!ov_roi_axis(ov_roi_coord((r).x0, (r).bw, pw, ix, (r).gw), W, &xlo, &xhi, &lx)) continue; \
            float hy = 1.0f - ly, hx = 1.0f - lx;                                                    \
            int64_t yy[4] = {ylo, ylo, yhi, yhi}, xx[4] = {xlo, xhi, xlo, xhi};                      \
            float ww[4] = {hy * hx, hy * lx, ly * hx, ly * lx};                                      \
            BODY                                                                                     \
        }                                                                                            \
    }

void ov_kroi_align_ref(const ovKRoi *p, const ovKView *out, const ovKView *x, const ovKView *boxes) {
    int64_t K = out->shape[0], C = out->shape[1], N = x->shape[0], H = x->shape[2], W = x->shape[3];
    for (int64_t k = 0; k < K; k++) {
        ovRoiGeom r = geom_of(p, boxes, k);
        for (int64_t c = 0; c < C; c++)
            for (int64_t ph = 0; ph < p->out_h; ph++)
                for (int64_t pw = 0; pw < p->out_w; pw++) {
                    double acc = 0;
                    if (r.batch >= 0 && r.batch < N) {
                        const float *plane = kv_f32(x) + r.batch * x->stride[0] + c * x->stride[1];
                        FOR_EACH_SAMPLE(r, ph, pw, H, W, {
                            for (int j = 0; j < 4; j++)
                                acc += (double)ww[j] * plane[yy[j] * x->stride[2] + xx[j] * x->stride[3]];
                        })
                    }
                    kv_f32(out)[k * out->stride[0] + c * out->stride[1] + ph * out->stride[2] + pw * out->stride[3]] =
                        (float)(acc / r.count);
                }
    }
}

void ov_kroi_align_backward_ref(const ovKRoi *p, const ovKView *gx, const ovKView *g, const ovKView *boxes) {
    int64_t K = g->shape[0], C = g->shape[1], N = gx->shape[0], H = gx->shape[2], W = gx->shape[3];
    int64_t m = kv_numel(gx);
    double *acc = calloc((size_t)(m ? m : 1), sizeof *acc);
    for (int64_t k = 0; k < K; k++) {
        ovRoiGeom r = geom_of(p, boxes, k);
        if (r.batch < 0 || r.batch >= N) continue;
        for (int64_t c = 0; c < C; c++) {
            double *plane = acc + (r.batch * C + c) * H * W;
            for (int64_t ph = 0; ph < p->out_h; ph++)
                for (int64_t pw = 0; pw < p->out_w; pw++) {
                    double gv = kv_f32(g)[k * g->stride[0] + c * g->stride[1] + ph * g->stride[2] + pw * g->stride[3]] /
                                (double)r.count;
                    FOR_EACH_SAMPLE(r, ph, pw, H, W, {
                        for (int j = 0; j < 4; j++) plane[yy[j] * W + xx[j]] += ww[j] * gv;
                    })
                }
        }
    }
    for (int64_t j = 0; j < m; j++) kv_f32(gx)[kv_offset(gx, j)] = (float)acc[j];
    free(acc);
}

/* ---------------- fast ---------------- */

/* One axis sample of a roi: low/high indices (premultiplied by the plane stride) and the weights
 * of each; a sample outside the map is left out of the table. */
typedef struct {
    int64_t lo, hi;
    float wlo, whi;
} AxisTap;

/* Per roi: for bin row ph, its valid y samples are ys[ystart[ph] .. ystart[ph+1]) (likewise x). */
typedef struct {
    ovRoiGeom r;
    AxisTap *ys, *xs;
    int64_t *ystart, *xstart;
} RoiTab;

static void axis_table(float start, float bin, int64_t grid, int64_t bins, int64_t size, int64_t stride, AxisTap *tap,
                       int64_t *first) {
    int64_t n = 0;
    for (int64_t b = 0; b < bins; b++) {
        first[b] = n;
        for (int64_t i = 0; i < grid; i++) {
            int64_t lo, hi;
            float l;
            if (!ov_roi_axis(ov_roi_coord(start, bin, b, i, grid), size, &lo, &hi, &l)) continue;
            tap[n++] = (AxisTap){lo * stride, hi * stride, 1.0f - l, l};
        }
    }
    first[bins] = n;
}

/* Tables of all rois, with offsets for a map of the given shape and strides. */
static RoiTab *tables(const ovKRoi *p, const ovKView *boxes, const ovKView *map) {
    int64_t K = boxes->shape[0], H = map->shape[2], W = map->shape[3];
    RoiTab *t = malloc((size_t)(K ? K : 1) * sizeof *t);
    for (int64_t k = 0; k < K; k++) {
        RoiTab *rt = &t[k];
        rt->r = geom_of(p, boxes, k);
        rt->ys = malloc((size_t)(p->out_h * rt->r.gh + 1) * sizeof *rt->ys);
        rt->xs = malloc((size_t)(p->out_w * rt->r.gw + 1) * sizeof *rt->xs);
        rt->ystart = malloc((size_t)(p->out_h + 1) * sizeof *rt->ystart);
        rt->xstart = malloc((size_t)(p->out_w + 1) * sizeof *rt->xstart);
        axis_table(rt->r.y0, rt->r.bh, rt->r.gh, p->out_h, H, map->stride[2], rt->ys, rt->ystart);
        axis_table(rt->r.x0, rt->r.bw, rt->r.gw, p->out_w, W, map->stride[3], rt->xs, rt->xstart);
    }
    return t;
}

static void tables_free(RoiTab *t, int64_t K) {
    for (int64_t k = 0; k < K; k++) {
        free(t[k].ys);
        free(t[k].xs);
        free(t[k].ystart);
        free(t[k].xstart);
    }
    free(t);
}

/* (roi, channel) pairs in parallel. */
void ov_kroi_align_fast(const ovKRoi *p, const ovKView *out, const ovKView *x, const ovKView *boxes) {
    int64_t K = out->shape[0], C = out->shape[1], N = x->shape[0];
    RoiTab *tab = tables(p, boxes, x);
    int64_t work = K * C * p->out_h * p->out_w * 4;
#pragma omp parallel for schedule(dynamic, 4) if (work > 16384)
    for (int64_t kc = 0; kc < K * C; kc++) {
        int64_t k = kc / C, c = kc % C;
        const RoiTab *t = &tab[k];
        bool ok = t->r.batch >= 0 && t->r.batch < N;
        const float *plane = ok ? kv_f32(x) + t->r.batch * x->stride[0] + c * x->stride[1] : NULL;
        float *ob = kv_f32(out) + k * out->stride[0] + c * out->stride[1];
        for (int64_t ph = 0; ph < p->out_h; ph++)
            for (int64_t pw = 0; pw < p->out_w; pw++) {
                float acc = 0;
                if (ok)
                    for (int64_t a = t->ystart[ph]; a < t->ystart[ph + 1]; a++) {
                        const AxisTap *y = &t->ys[a];
                        const float *rlo = plane + y->lo, *rhi = plane + y->hi;
                        for (int64_t b = t->xstart[pw]; b < t->xstart[pw + 1]; b++) {
                            const AxisTap *xt = &t->xs[b];
                            acc += y->wlo * xt->wlo * rlo[xt->lo] + y->wlo * xt->whi * rlo[xt->hi] +
                                   y->whi * xt->wlo * rhi[xt->lo] + y->whi * xt->whi * rhi[xt->hi];
                        }
                    }
                ob[ph * out->stride[2] + pw * out->stride[3]] = acc / t->r.count;
            }
    }
    tables_free(tab, K);
}

/* Each thread owns whole (n, c) planes of gx and walks the rois of batch n: no atomics. */
void ov_kroi_align_backward_fast(const ovKRoi *p, const ovKView *gx, const ovKView *g, const ovKView *boxes) {
    int64_t K = g->shape[0], C = g->shape[1], N = gx->shape[0], H = gx->shape[2], W = gx->shape[3];
    RoiTab *tab = tables(p, boxes, gx);
    int64_t work = (K * p->out_h * p->out_w * 4 + N * H * W) * C;
#pragma omp parallel for schedule(static) if (work > 16384)
    for (int64_t plane = 0; plane < N * C; plane++) {
        int64_t n = plane / C, c = plane % C;
        float *xb = kv_f32(gx) + n * gx->stride[0] + c * gx->stride[1];
        for (int64_t i = 0; i < H; i++)
            for (int64_t j = 0; j < W; j++) xb[i * gx->stride[2] + j * gx->stride[3]] = 0.0f;
        for (int64_t k = 0; k < K; k++) {
            const RoiTab *t = &tab[k];
            if (t->r.batch != n) continue;
            const float *gb = kv_f32(g) + k * g->stride[0] + c * g->stride[1];
            for (int64_t ph = 0; ph < p->out_h; ph++)
                for (int64_t pw = 0; pw < p->out_w; pw++) {
                    float gv = gb[ph * g->stride[2] + pw * g->stride[3]] / t->r.count;
                    for (int64_t a = t->ystart[ph]; a < t->ystart[ph + 1]; a++) {
                        const AxisTap *y = &t->ys[a];
                        float *rlo = xb + y->lo, *rhi = xb + y->hi;
                        float glo = y->wlo * gv, ghi = y->whi * gv;
                        for (int64_t b = t->xstart[pw]; b < t->xstart[pw + 1]; b++) {
                            const AxisTap *xt = &t->xs[b];
                            rlo[xt->lo] += glo * xt->wlo;
                            rlo[xt->hi] += glo * xt->whi;
                            rhi[xt->lo] += ghi * xt->wlo;
                            rhi[xt->hi] += ghi * xt->whi;
                        }
                    }
                }
        }
    }
    tables_free(tab, K);
}
