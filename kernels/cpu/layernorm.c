/* layernorm.c: reference and fast layer norm kernels (see layernorm.h; the backward follows the
 * derivation of llm.c's doc/layernorm). The fast kernels walk rows with rowwise.h: single rows use
 * 8-partial sums (span.h), blocks of neighbouring rows (channels-first) keep one accumulator per
 * row. The weight and bias gradients are sums over all rows: every thread adds into its own
 * buffer (double), and the buffers are added in thread order, so results are deterministic for a
 * thread count (no atomics). */
#include "kernels/cpu/layernorm.h"
#include "kernels/cpu/simd.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/rowwise.h"
#include "kernels/cpu/span.h"

#define INL static inline __attribute__((always_inline))
#define PAR_MIN 32768
#define BW OV_ROWS_BLOCK

static ovKView lines_of(const ovKView *v) {
    ovKView l = *v;
    l.ndim = v->ndim ? v->ndim - 1 : 0;
    return l;
}

static int64_t row_step(const ovKView *v) { return v->ndim ? v->stride[v->ndim - 1] : 0; }

/* ---------------- reference ---------------- */

void ov_klayernorm_ref(const ovKView *y, const ovKView *mean, const ovKView *rstd, const ovKView *x,
                       const ovKView *w, const ovKView *b, float eps) {
    int64_t n = x->ndim ? x->shape[x->ndim - 1] : 1, rows = n ? kv_numel(x) / n : 0;
    int64_t xs = row_step(x), ys = row_step(y);
    ovKView xl = lines_of(x), yl = lines_of(y), ml = lines_of(mean), rl = lines_of(rstd);
    const float *wp = kv_f32(w), *bp = kv_f32(b);
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = kv_f32(x) + kv_offset(&xl, r);
        float *yr = kv_f32(y) + kv_offset(&yl, r);
        double m = 0, v = 0;
        for (int64_t k = 0; k < n; k++) m += xr[k * xs];
        m /= (double)n;
        for (int64_t k = 0; k < n; k++) v += (xr[k * xs] - m) * (xr[k * xs] - m);
        double rs = 1.0 / sqrt(v / (double)n + eps);
        for (int64_t k = 0; k < n; k++)
            yr[k * ys] = (float)((xr[k * xs] - m) * rs * wp[k * w->stride[0]] + bp[k * b->stride[0]]);
        kv_f32(mean)[kv_offset(&ml, r)] = (float)m;
        kv_f32(rstd)[kv_offset(&rl, r)] = (float)rs;
    }
}

void ov_klayernorm_backward_ref(const ovKView *gx, const ovKView *gw, const ovKView *gb, const ovKView *g,
                                const ovKView *x, const ovKView *w, const ovKView *mean, const ovKView *rstd) {
    int64_t n = x->ndim ? x->shape[x->ndim - 1] : 1, rows = n ? kv_numel(x) / n : 0;
    int64_t xs = row_step(x), gs = row_step(g), os = row_step(gx), ws = w->stride[0];
    ovKView xl = lines_of(x), gl = lines_of(g), ol = lines_of(gx), ml = lines_of(mean), rl = lines_of(rstd);
    double *sw = calloc((size_t)(2 * n + 1), sizeof *sw), *sb = sw + n;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = kv_f32(x) + kv_offset(&xl, r), *gr = kv_f32(g) + kv_offset(&gl, r);
        float *orow = kv_f32(gx) + kv_offset(&ol, r);
        double m = kv_f32(mean)[kv_offset(&ml, r)], rs = kv_f32(rstd)[kv_offset(&rl, r)], a = 0, c = 0;
        for (int64_t k = 0; k < n; k++) {
            double h = (double)gr[k * gs] * kv_f32(w)[k * ws], xh = (xr[k * xs] - m) * rs;
            a += h;
            c += h * xh;
        }
        a /= (double)n;
        c /= (double)n;
        for (int64_t k = 0; k < n; k++) {
            double h = (double)gr[k * gs] * kv_f32(w)[k * ws], xh = (xr[k * xs] - m) * rs;
            orow[k * os] = (float)(rs * (h - a - xh * c));
            sw[k] += gr[k * gs] * xh;
            sb[k] += gr[k * gs];
        }
    }
    for (int64_t k = 0; k < n; k++) {
        if (gw) kv_f32(gw)[k * gw->stride[0]] = (float)sw[k];
        if (gb) kv_f32(gb)[k * gb->stride[0]] = (float)sb[k];
    }
    free(sw);
}

/* ---------------- fast forward ---------------- */

INL void ln_row(float *y, int64_t yk, const float *x, int64_t xk, const float *w, int64_t wk, const float *b,
                int64_t bk, int64_t n, float eps, float *mo, float *ro) {
    float m = OV_SPAN_SUM(k, n, x[k * xk]) / (float)n;
    float v = OV_SPAN_SUM(k, n, (x[k * xk] - m) * (x[k * xk] - m)) / (float)n;
    float rs = 1.0f / sqrtf(v + eps);
    for (int64_t k = 0; k < n; k++) y[k * yk] = (x[k * xk] - m) * rs * w[k * wk] + b[k * bk];
    *mo = m;
    *ro = rs;
}

/* w neighbouring rows (x and y with unit row steps) */
OV_SIMD static void ln_block(float *y, int64_t yk, const float *x, int64_t xk, const float *w, int64_t wk, const float *b,
                     int64_t bk, int64_t n, int64_t nr, float eps, float *mo, int64_t mr, float *ro, int64_t rr) {
    float m[BW] = {0}, v[BW] = {0};
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < nr; r++) m[r] += x[k * xk + r];
    for (int64_t r = 0; r < nr; r++) m[r] /= (float)n;
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < nr; r++) v[r] += (x[k * xk + r] - m[r]) * (x[k * xk + r] - m[r]);
    for (int64_t r = 0; r < nr; r++) v[r] = 1.0f / sqrtf(v[r] / (float)n + eps);
    for (int64_t k = 0; k < n; k++) {
        float wv = w[k * wk], bv = b[k * bk];
        for (int64_t r = 0; r < nr; r++) y[k * yk + r] = (x[k * xk + r] - m[r]) * v[r] * wv + bv;
    }
    for (int64_t r = 0; r < nr; r++) {
        mo[r * mr] = m[r];
        ro[r * rr] = v[r];
    }
}

void ov_klayernorm_fast(const ovKView *y, const ovKView *mean, const ovKView *rstd, const ovKView *x,
                        const ovKView *w, const ovKView *b, float eps) {
    ovRows R;
    ov_rows_init(&R, 4, (const ovKView *[]){x, y, mean, rstd}, 3);
    const float *xp = kv_f32(x), *wp = kv_f32(w), *bp = kv_f32(b);
    float *yp = kv_f32(y), *mp = kv_f32(mean), *rp = kv_f32(rstd);
    int64_t wk = w->stride[0], bk = b->stride[0];
#pragma omp parallel for schedule(static) if (R.items * R.n * R.width > PAR_MIN)
    for (int64_t i = 0; i < R.items; i++) {
        int64_t off[4];
        int64_t nr = ov_rows_at(&R, i, off);
        float *yr = yp + off[1], *mo = mp + off[2], *ro = rp + off[3];
        const float *xr = xp + off[0];
        if (R.width > 1)
            ln_block(yr, R.kstep[1], xr, R.kstep[0], wp, wk, bp, bk, R.n, nr, eps, mo, R.rstep[2], ro, R.rstep[3]);
        else if (R.kstep[0] == 1 && R.kstep[1] == 1 && wk == 1 && bk == 1)
            ln_row(yr, 1, xr, 1, wp, 1, bp, 1, R.n, eps, mo, ro);
        else
            ln_row(yr, R.kstep[1], xr, R.kstep[0], wp, wk, bp, bk, R.n, eps, mo, ro);
    }
}

/* ---------------- fast backward ---------------- */

/* One row; adds g * xhat and g into sw, sb when they are given. */
INL void ln_bwd_row(bool sums, float *o, int64_t ok, const float *g, int64_t gk, const float *x, int64_t xk,
                    const float *w, int64_t wk, int64_t n, float m, float rs, double *sw, double *sb) {
    float a = OV_SPAN_SUM(k, n, g[k * gk] * w[k * wk]) / (float)n;
    float c = OV_SPAN_SUM(k, n, g[k * gk] * w[k * wk] * ((x[k * xk] - m) * rs)) / (float)n;
    for (int64_t k = 0; k < n; k++) {
        float xh = (x[k * xk] - m) * rs;
        o[k * ok] = rs * (g[k * gk] * w[k * wk] - a - xh * c);
        if (sums) {
            sw[k] += (double)(g[k * gk] * xh);
            sb[k] += (double)g[k * gk];
        }
    }
}

OV_SIMD static void ln_bwd_row_any(float *o, int64_t ok, const float *g, int64_t gk, const float *x, int64_t xk,
                           const float *w, int64_t wk, int64_t n, float m, float rs, double *sw, double *sb) {
    bool unit = ok == 1 && gk == 1 && xk == 1 && wk == 1;
    if (sw && unit) ln_bwd_row(true, o, 1, g, 1, x, 1, w, 1, n, m, rs, sw, sb);
    else if (sw) ln_bwd_row(true, o, ok, g, gk, x, xk, w, wk, n, m, rs, sw, sb);
    else if (unit) ln_bwd_row(false, o, 1, g, 1, x, 1, w, 1, n, m, rs, sw, sb);
    else ln_bwd_row(false, o, ok, g, gk, x, xk, w, wk, n, m, rs, sw, sb);
}

/* nr neighbouring rows (gx, g and x with unit row steps) */
OV_SIMD static void ln_bwd_block(float *o, int64_t ok, const float *g, int64_t gk, const float *x, int64_t xk, const float *w,
                         int64_t wk, int64_t n, int64_t nr, const float *mp, int64_t mr, const float *rp, int64_t rr,
                         double *sw, double *sb) {
    float m[BW], rs[BW], a[BW] = {0}, c[BW] = {0};
    for (int64_t r = 0; r < nr; r++) {
        m[r] = mp[r * mr];
        rs[r] = rp[r * rr];
    }
    for (int64_t k = 0; k < n; k++) {
        float wv = w[k * wk];
        for (int64_t r = 0; r < nr; r++) {
            float h = g[k * gk + r] * wv;
            a[r] += h;
            c[r] += h * ((x[k * xk + r] - m[r]) * rs[r]);
        }
    }
    for (int64_t r = 0; r < nr; r++) {
        a[r] /= (float)n;
        c[r] /= (float)n;
    }
    for (int64_t k = 0; k < n; k++) {
        const float *gr = g + k * gk, *xr = x + k * xk;
        float wv = w[k * wk], *orow = o + k * ok;
        for (int64_t r = 0; r < nr; r++) {
            float xh = (xr[r] - m[r]) * rs[r];
            orow[r] = rs[r] * (gr[r] * wv - a[r] - xh * c[r]);
        }
        if (sw) {
            sw[k] += OV_SPAN_SUM(r, nr, gr[r] * ((xr[r] - m[r]) * rs[r]));
            sb[k] += OV_SPAN_SUM(r, nr, gr[r]);
        }
    }
}

void ov_klayernorm_backward_fast(const ovKView *gx, const ovKView *gw, const ovKView *gb, const ovKView *g,
                                 const ovKView *x, const ovKView *w, const ovKView *mean, const ovKView *rstd) {
    ovRows R;
    ov_rows_init(&R, 5, (const ovKView *[]){gx, g, x, mean, rstd}, 7);
    bool par = R.items * R.n * R.width > PAR_MIN, sums = gw || gb;
    int nt = par ? omp_get_max_threads() : 1;
    int64_t n = R.n;
    double *acc = sums ? calloc((size_t)(nt * 2 * n + 1), sizeof *acc) : NULL;
    float *op = kv_f32(gx);
    const float *gp = kv_f32(g), *xp = kv_f32(x), *wp = kv_f32(w), *mp = kv_f32(mean), *rp = kv_f32(rstd);
    int64_t wk = w->stride[0];
#pragma omp parallel num_threads(nt) if (par)
    {
        double *sw = sums ? acc + (int64_t)omp_get_thread_num() * 2 * n : NULL, *sb = sums ? sw + n : NULL;
#pragma omp for schedule(static)
        for (int64_t i = 0; i < R.items; i++) {
            int64_t off[5];
            int64_t nr = ov_rows_at(&R, i, off);
            if (R.width > 1)
                ln_bwd_block(op + off[0], R.kstep[0], gp + off[1], R.kstep[1], xp + off[2], R.kstep[2], wp, wk, n, nr,
                             mp + off[3], R.rstep[3], rp + off[4], R.rstep[4], sw, sb);
            else
                ln_bwd_row_any(op + off[0], R.kstep[0], gp + off[1], R.kstep[1], xp + off[2], R.kstep[2], wp, wk, n,
                               mp[off[3]], rp[off[4]], sw, sb);
        }
    }
    if (!sums) return;
    for (int64_t k = 0; k < n; k++) {
        double s = 0, t = 0;
        for (int th = 0; th < nt; th++) {
            s += acc[th * 2 * n + k];
            t += acc[th * 2 * n + n + k];
        }
        if (gw) kv_f32(gw)[k * gw->stride[0]] = (float)s;
        if (gb) kv_f32(gb)[k * gb->stride[0]] = (float)t;
    }
    free(acc);
}
