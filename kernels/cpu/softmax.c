/* softmax.c: reference and fast softmax / log_softmax kernels (see softmax.h).
 * Fast: per row three passes (max, sum of exp with 8 partial sums, normalise) with the vectorisable
 * exp of vmath.h; for blocks of neighbouring rows (channels-first) the same passes run with one
 * accumulator per row of the block. Loops are specialised for unit steps and for the presence of a
 * mask, so that the common contiguous case vectorises. */
#include "kernels/cpu/softmax.h"
#include "kernels/cpu/simd.h"

#include <math.h>

#include "kernels/cpu/rowwise.h"
#include "kernels/cpu/span.h"
#include "kernels/cpu/vmath.h"

#define INL static inline __attribute__((always_inline))
#define PAR_MIN 32768
#define BW OV_ROWS_BLOCK

/* ---------------- reference ---------------- */

/* The view without its last dim: row r starts at kv_offset(lines, r). */
static ovKView lines_of(const ovKView *v) {
    ovKView l = *v;
    l.ndim = v->ndim ? v->ndim - 1 : 0;
    return l;
}

static int64_t row_len(const ovKView *v) { return v->ndim ? v->shape[v->ndim - 1] : 1; }
static int64_t row_step(const ovKView *v) { return v && v->ndim ? v->stride[v->ndim - 1] : 0; }

void ov_ksoftmax_ref(const ovKView *y, const ovKView *x, const ovKView *mask, bool logsm) {
    int64_t n = row_len(x), rows = n ? kv_numel(x) / n : 0;
    int64_t xs = row_step(x), ys = row_step(y), ms = row_step(mask);
    ovKView xl = lines_of(x), yl = lines_of(y), ml = mask ? lines_of(mask) : xl;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = kv_f32(x) + kv_offset(&xl, r), *mr = mask ? kv_f32(mask) + kv_offset(&ml, r) : NULL;
        float *yr = kv_f32(y) + kv_offset(&yl, r);
#define V(k) ((double)xr[(k) * xs] + (mr ? (double)mr[(k) * ms] : 0.0))
        double mx = -INFINITY, s = 0;
        for (int64_t k = 0; k < n; k++) mx = fmax(mx, V(k)); /* a NaN still reaches every output */
        for (int64_t k = 0; k < n; k++) s += exp(V(k) - mx);
        for (int64_t k = 0; k < n; k++) yr[k * ys] = (float)(logsm ? V(k) - mx - log(s) : exp(V(k) - mx) / s);
#undef V
    }
}

void ov_ksoftmax_backward_ref(const ovKView *gx, const ovKView *g, const ovKView *y, bool logsm) {
    int64_t n = row_len(y), rows = n ? kv_numel(y) / n : 0;
    int64_t gs = row_step(g), ys = row_step(y), os = row_step(gx);
    ovKView gl = lines_of(g), yl = lines_of(y), ol = lines_of(gx);
    for (int64_t r = 0; r < rows; r++) {
        const float *gr = kv_f32(g) + kv_offset(&gl, r), *yr = kv_f32(y) + kv_offset(&yl, r);
        float *orow = kv_f32(gx) + kv_offset(&ol, r);
        double s = 0;
        for (int64_t k = 0; k < n; k++) s += logsm ? (double)gr[k * gs] : (double)gr[k * gs] * yr[k * ys];
        for (int64_t k = 0; k < n; k++) {
            double gv = gr[k * gs], yv = yr[k * ys];
            orow[k * os] = (float)(logsm ? gv - exp(yv) * s : yv * (gv - s));
        }
    }
}

/* ---------------- fast: one row ---------------- */

INL float maxf_(float a, float b) { return a > b ? a : b; }

/* x + mask at k (steps folded to constants by the specialisations below) */
#define XV(k) (x[(k) * xk] + (has_m ? m[(k) * mk] : 0.0f))

INL void row_fwd(bool has_m, bool logsm, float *y, int64_t yk, const float *x, int64_t xk, const float *m, int64_t mk,
                 int64_t n) {
    float part[8], mx = -INFINITY;
    int64_t k = 0;
    for (int j = 0; j < 8; j++) part[j] = -INFINITY;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) part[j] = maxf_(XV(k + j), part[j]);
    for (; k < n; k++) mx = maxf_(XV(k), mx);
    for (int j = 0; j < 8; j++) mx = maxf_(part[j], mx);
    /* softmax keeps the exponentials in y for the last pass */
    float s = OV_SPAN_SUM(i, n, logsm ? ov_fast_expf(XV(i) - mx) : (y[i * yk] = ov_fast_expf(XV(i) - mx)));
    if (logsm) {
        float ls = mx + logf(s);
        for (k = 0; k < n; k++) y[k * yk] = XV(k) - ls;
    } else {
        float inv = 1.0f / s;
        for (k = 0; k < n; k++) y[k * yk] *= inv;
    }
}

OV_SIMD static void row_fwd_any(bool has_m, bool logsm, float *y, int64_t yk, const float *x, int64_t xk, const float *m,
                        int64_t mk, int64_t n) {
    if (yk == 1 && xk == 1 && (!has_m || mk == 1)) { /* contiguous: steps known to be 1 */
        if (has_m)
            logsm ? row_fwd(true, true, y, 1, x, 1, m, 1, n) : row_fwd(true, false, y, 1, x, 1, m, 1, n);
        else
            logsm ? row_fwd(false, true, y, 1, x, 1, m, 1, n) : row_fwd(false, false, y, 1, x, 1, m, 1, n);
    } else if (has_m) {
        logsm ? row_fwd(true, true, y, yk, x, xk, m, mk, n) : row_fwd(true, false, y, yk, x, xk, m, mk, n);
    } else {
        logsm ? row_fwd(false, true, y, yk, x, xk, m, mk, n) : row_fwd(false, false, y, yk, x, xk, m, mk, n);
    }
}

/* ---------------- fast: a block of neighbouring rows (x and y have unit row steps) ---------------- */

#define XB(k, r) (x[(k) * xk + (r)] + (has_m ? m[(k) * mk + (r) * mr] : 0.0f))

INL void block_fwd(bool has_m, bool logsm, float *y, int64_t yk, const float *x, int64_t xk, const float *m, int64_t mk,
                   int64_t mr, int64_t n, int64_t w) {
    float mx[BW], s[BW];
    for (int64_t r = 0; r < w; r++) {
        mx[r] = -INFINITY;
        s[r] = 0;
    }
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < w; r++) mx[r] = maxf_(XB(k, r), mx[r]);
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < w; r++) {
            float e = ov_fast_expf(XB(k, r) - mx[r]);
            if (!logsm) y[k * yk + r] = e;
            s[r] += e;
        }
    if (logsm) {
        for (int64_t r = 0; r < w; r++) s[r] = mx[r] + logf(s[r]);
        for (int64_t k = 0; k < n; k++)
            for (int64_t r = 0; r < w; r++) y[k * yk + r] = XB(k, r) - s[r];
    } else {
        for (int64_t r = 0; r < w; r++) s[r] = 1.0f / s[r];
        for (int64_t k = 0; k < n; k++)
            for (int64_t r = 0; r < w; r++) y[k * yk + r] *= s[r];
    }
}

OV_SIMD static void block_fwd_any(bool has_m, bool logsm, float *y, int64_t yk, const float *x, int64_t xk, const float *m,
                          int64_t mk, int64_t mr, int64_t n, int64_t w) {
    if (has_m)
        logsm ? block_fwd(true, true, y, yk, x, xk, m, mk, mr, n, w) : block_fwd(true, false, y, yk, x, xk, m, mk, mr, n, w);
    else
        logsm ? block_fwd(false, true, y, yk, x, xk, m, mk, mr, n, w) : block_fwd(false, false, y, yk, x, xk, m, mk, mr, n, w);
}

void ov_ksoftmax_fast(const ovKView *y, const ovKView *x, const ovKView *mask, bool logsm) {
    ovRows R;
    ov_rows_init(&R, 3, (const ovKView *[]){x, y, mask}, 3);
    const float *xp = kv_f32(x), *mp = mask ? kv_f32(mask) : NULL;
    float *yp = kv_f32(y);
#pragma omp parallel for schedule(static) if (R.items * R.n * R.width > PAR_MIN)
    for (int64_t i = 0; i < R.items; i++) {
        int64_t off[3];
        int64_t w = ov_rows_at(&R, i, off);
        const float *mrow = mp ? mp + off[2] : NULL;
        if (R.width == 1)
            row_fwd_any(mp != NULL, logsm, yp + off[1], R.kstep[1], xp + off[0], R.kstep[0], mrow, R.kstep[2], R.n);
        else
            block_fwd_any(mp != NULL, logsm, yp + off[1], R.kstep[1], xp + off[0], R.kstep[0], mrow, R.kstep[2],
                          R.rstep[2], R.n, w);
    }
}

/* ---------------- fast backward ---------------- */

INL void row_bwd(bool logsm, float *o, int64_t ok, const float *g, int64_t gk, const float *y, int64_t yk, int64_t n) {
    float s = OV_SPAN_SUM(i, n, logsm ? g[i * gk] : g[i * gk] * y[i * yk]);
    for (int64_t k = 0; k < n; k++)
        o[k * ok] = logsm ? g[k * gk] - ov_fast_expf(y[k * yk]) * s : y[k * yk] * (g[k * gk] - s);
}

INL void block_bwd(bool logsm, float *o, int64_t ok, const float *g, int64_t gk, const float *y, int64_t yk, int64_t n,
                   int64_t w) {
    float s[BW];
    for (int64_t r = 0; r < w; r++) s[r] = 0;
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < w; r++) s[r] += logsm ? g[k * gk + r] : g[k * gk + r] * y[k * yk + r];
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < w; r++)
            o[k * ok + r] = logsm ? g[k * gk + r] - ov_fast_expf(y[k * yk + r]) * s[r]
                                  : y[k * yk + r] * (g[k * gk + r] - s[r]);
}

void ov_ksoftmax_backward_fast(const ovKView *gx, const ovKView *g, const ovKView *y, bool logsm) {
    ovRows R;
    ov_rows_init(&R, 3, (const ovKView *[]){gx, g, y}, 7);
    float *op = kv_f32(gx);
    const float *gp = kv_f32(g), *yp = kv_f32(y);
#pragma omp parallel for schedule(static) if (R.items * R.n * R.width > PAR_MIN)
    for (int64_t i = 0; i < R.items; i++) {
        int64_t off[3];
        int64_t w = ov_rows_at(&R, i, off);
        float *o = op + off[0];
        const float *gr = gp + off[1], *yr = yp + off[2];
        if (R.width > 1) {
            logsm ? block_bwd(true, o, R.kstep[0], gr, R.kstep[1], yr, R.kstep[2], R.n, w)
                  : block_bwd(false, o, R.kstep[0], gr, R.kstep[1], yr, R.kstep[2], R.n, w);
        } else if (R.kstep[0] == 1 && R.kstep[1] == 1 && R.kstep[2] == 1) {
            logsm ? row_bwd(true, o, 1, gr, 1, yr, 1, R.n) : row_bwd(false, o, 1, gr, 1, yr, 1, R.n);
        } else {
            logsm ? row_bwd(true, o, R.kstep[0], gr, R.kstep[1], yr, R.kstep[2], R.n)
                  : row_bwd(false, o, R.kstep[0], gr, R.kstep[1], yr, R.kstep[2], R.n);
        }
    }
}
