/* grid_sample.c: F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners) for
 * 2-D inputs on the CPU, and its backward to both the input and the grid (PyTorch's
 * GridSamplerKernel.cpp semantics). Corners outside the map read as zero. The gradient to the grid
 * is d out / d pixel position (the bilinear weights' slopes) times d pixel / d grid. */
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/resample.h"

/* The grid point (n, h, w) as a pixel position of x, and the pixel-per-grid-unit factors. */
static void grid_point(bool align_corners, const ovKView *grid, const ovKView *x, int64_t n, int64_t h, int64_t w,
                       float *ix, float *iy, float *dx, float *dy) {
    const float *g = kv_f32(grid) + n * grid->stride[0] + h * grid->stride[1] + w * grid->stride[2];
    *ix = ov_grid_unnormalize(g[0], x->shape[3], align_corners, dx);
    *iy = ov_grid_unnormalize(g[grid->stride[3]], x->shape[2], align_corners, dy);
}

static inline float tap_value(const float *plane, int64_t off) { return off >= 0 ? plane[off] : 0.0f; }

/* ---------------- reference ---------------- */

void ov_kgrid_sample_ref(bool align_corners, const ovKView *out, const ovKView *x, const ovKView *grid) {
    int64_t N = out->shape[0], C = out->shape[1], Ho = out->shape[2], Wo = out->shape[3];
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < Ho; h++)
            for (int64_t w = 0; w < Wo; w++) {
                float ix, iy, dx, dy;
                grid_point(align_corners, grid, x, n, h, w, &ix, &iy, &dx, &dy);
                ovGridTaps t;
                ov_grid_taps(ix, iy, x->shape[2], x->shape[3], x->stride[2], x->stride[3], &t);
                for (int64_t c = 0; c < C; c++) {
                    const float *plane = kv_f32(x) + n * x->stride[0] + c * x->stride[1];
                    double acc = 0;
                    for (int k = 0; k < 4; k++) acc += (double)t.w[k] * tap_value(plane, t.off[k]);
                    kv_f32(out)[n * out->stride[0] + c * out->stride[1] + h * out->stride[2] + w * out->stride[3]] =
                        (float)acc;
                }
            }
}

void ov_kgrid_sample_backward_ref(bool align_corners, const ovKView *gx, const ovKView *ggrid, const ovKView *g,
                                  const ovKView *x, const ovKView *grid) {
    int64_t N = g->shape[0], C = g->shape[1], Ho = g->shape[2], Wo = g->shape[3];
    int64_t H = x->shape[2], W = x->shape[3], m = kv_numel(gx);
    /* gx accumulated in double at row-major positions of [N,C,H,W] */
    double *acc = calloc((size_t)(m ? m : 1), sizeof *acc);
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < Ho; h++)
            for (int64_t w = 0; w < Wo; w++) {
                float ix, iy, dx, dy;
                grid_point(align_corners, grid, x, n, h, w, &ix, &iy, &dx, &dy);
                ovGridTaps t, tc; /* offsets into x, and into a contiguous [H,W] plane */
                ov_grid_taps(ix, iy, H, W, x->stride[2], x->stride[3], &t);
                ov_grid_taps(ix, iy, H, W, W, 1, &tc);
                double gix = 0, giy = 0;
                for (int64_t c = 0; c < C; c++) {
                    double gv = kv_f32(g)[n * g->stride[0] + c * g->stride[1] + h * g->stride[2] + w * g->stride[3]];
                    const float *plane = kv_f32(x) + n * x->stride[0] + c * x->stride[1];
                    double *ap = acc + (n * C + c) * H * W;
                    double v[4];
                    for (int k = 0; k < 4; k++) {
                        v[k] = tap_value(plane, t.off[k]);
                        if (tc.off[k] >= 0) ap[tc.off[k]] += t.w[k] * gv;
                    }
                    gix += gv * ((v[1] - v[0]) * (1.0 - t.fy) + (v[3] - v[2]) * t.fy);
                    giy += gv * ((v[2] - v[0]) * (1.0 - t.fx) + (v[3] - v[1]) * t.fx);
                }
                float *gg = kv_f32(ggrid) + n * ggrid->stride[0] + h * ggrid->stride[1] + w * ggrid->stride[2];
                gg[0] = (float)(gix * dx);
                gg[ggrid->stride[3]] = (float)(giy * dy);
            }
    for (int64_t j = 0; j < m; j++) kv_f32(gx)[kv_offset(gx, j)] = (float)acc[j];
    free(acc);
}

/* ---------------- fast ---------------- */

/* Rows (n, h) of the output in parallel: the taps of a row are computed once, then every channel
 * reads them. */
void ov_kgrid_sample_fast(bool align_corners, const ovKView *out, const ovKView *x, const ovKView *grid) {
    int64_t N = out->shape[0], C = out->shape[1], Ho = out->shape[2], Wo = out->shape[3];
    int64_t rows = N * Ho;
    if (rows == 0 || Wo == 0) return;
    const float *xp = kv_f32(x);
    float *op = kv_f32(out);
#pragma omp parallel if (rows * Wo * C > 16384)
    {
        ovGridTaps *tt = malloc((size_t)Wo * sizeof *tt);
#pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            int64_t n = r / Ho, h = r % Ho;
            for (int64_t w = 0; w < Wo; w++) {
                float ix, iy, dx, dy;
                grid_point(align_corners, grid, x, n, h, w, &ix, &iy, &dx, &dy);
                ov_grid_taps(ix, iy, x->shape[2], x->shape[3], x->stride[2], x->stride[3], &tt[w]);
            }
            for (int64_t c = 0; c < C; c++) {
                const float *plane = xp + n * x->stride[0] + c * x->stride[1];
                float *orow = op + n * out->stride[0] + c * out->stride[1] + h * out->stride[2];
                for (int64_t w = 0; w < Wo; w++) {
                    const ovGridTaps *t = &tt[w];
                    orow[w * out->stride[3]] = t->w[0] * tap_value(plane, t->off[0]) + t->w[1] * tap_value(plane, t->off[1]) +
                                               t->w[2] * tap_value(plane, t->off[2]) + t->w[3] * tap_value(plane, t->off[3]);
                }
            }
        }
        free(tt);
    }
}

/* Two passes without atomics: gx with each thread owning whole (n, c) planes (the taps of every
 * grid point are tabulated first), then the grid gradient with each thread owning grid points and
 * summing over channels. */
void ov_kgrid_sample_backward_fast(bool align_corners, const ovKView *gx, const ovKView *ggrid, const ovKView *g,
                                   const ovKView *x, const ovKView *grid) {
    int64_t N = g->shape[0], C = g->shape[1], Ho = g->shape[2], Wo = g->shape[3];
    int64_t H = x->shape[2], W = x->shape[3], P = Ho * Wo;
    const float *xp = kv_f32(x), *gp = kv_f32(g);
    bool big = N * C * P > 16384;
    int64_t points = N * P;

    /* pass 1: gx */
    ovGridTaps *tab = malloc((size_t)(points > 0 ? points : 1) * sizeof *tab);
#pragma omp parallel for schedule(static) if (big)
    for (int64_t q = 0; q < points; q++) {
        float ix, iy, dx, dy;
        grid_point(align_corners, grid, x, q / P, q % P / Wo, q % Wo, &ix, &iy, &dx, &dy);
        ov_grid_taps(ix, iy, H, W, gx->stride[2], gx->stride[3], &tab[q]);
    }
#pragma omp parallel for schedule(static) if (big)
    for (int64_t plane = 0; plane < N * C; plane++) {
        int64_t n = plane / C, c = plane % C;
        float *xb = kv_f32(gx) + n * gx->stride[0] + c * gx->stride[1];
        for (int64_t i = 0; i < H; i++)
            for (int64_t j = 0; j < W; j++) xb[i * gx->stride[2] + j * gx->stride[3]] = 0.0f;
        const float *gb = gp + n * g->stride[0] + c * g->stride[1];
        const ovGridTaps *tn = tab + n * P;
        for (int64_t h = 0; h < Ho; h++)
            for (int64_t w = 0; w < Wo; w++) {
                float v = gb[h * g->stride[2] + w * g->stride[3]];
                const ovGridTaps *t = &tn[h * Wo + w];
                for (int k = 0; k < 4; k++)
                    if (t->off[k] >= 0) xb[t->off[k]] += t->w[k] * v;
            }
    }
    free(tab);

    /* pass 2: the grid */
#pragma omp parallel for schedule(static) if (big)
    for (int64_t q = 0; q < points; q++) {
        int64_t n = q / P, h = q % P / Wo, w = q % Wo;
        float ix, iy, dx, dy;
        grid_point(align_corners, grid, x, n, h, w, &ix, &iy, &dx, &dy);
        ovGridTaps t;
        ov_grid_taps(ix, iy, H, W, x->stride[2], x->stride[3], &t);
        float gix = 0, giy = 0;
        const float *gb = gp + n * g->stride[0] + h * g->stride[2] + w * g->stride[3];
        const float *xb = xp + n * x->stride[0];
        for (int64_t c = 0; c < C; c++) {
            float v = gb[c * g->stride[1]];
            const float *plane = xb + c * x->stride[1];
            float v0 = tap_value(plane, t.off[0]), v1 = tap_value(plane, t.off[1]);
            float v2 = tap_value(plane, t.off[2]), v3 = tap_value(plane, t.off[3]);
            gix += v * ((v1 - v0) * (1.0f - t.fy) + (v3 - v2) * t.fy);
            giy += v * ((v2 - v0) * (1.0f - t.fx) + (v3 - v1) * t.fx);
        }
        float *gg = kv_f32(ggrid) + n * ggrid->stride[0] + h * ggrid->stride[1] + w * ggrid->stride[2];
        gg[0] = gix * dx;
        gg[ggrid->stride[3]] = giy * dy;
    }
}
