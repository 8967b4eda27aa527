/* normalize.c: reference and fast F.normalize (p = 2) kernels (see layernorm.h): each row divided
 * by max(||row||, eps); the divisor is kept for the backward pass. */
#include <math.h>
#include "kernels/cpu/simd.h"

#include "kernels/cpu/layernorm.h"
#include "kernels/cpu/rowwise.h"
#include "kernels/cpu/span.h"

#define INL static inline __attribute__((always_inline))
#define PAR_MIN 32768
#define BW OV_ROWS_BLOCK

void ov_knormalize_ref(const ovKView *y, const ovKView *d, const ovKView *x, float eps) {
    int nd = x->ndim;
    int64_t n = nd ? x->shape[nd - 1] : 1, rows = n ? kv_numel(x) / n : 0;
    int64_t xs = nd ? x->stride[nd - 1] : 0, ys = nd ? y->stride[nd - 1] : 0;
    ovKView xl = *x, yl = *y, dl = *d;
    xl.ndim = yl.ndim = dl.ndim = nd ? nd - 1 : 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = kv_f32(x) + kv_offset(&xl, r);
        float *yr = kv_f32(y) + kv_offset(&yl, r);
        double s = 0;
        for (int64_t k = 0; k < n; k++) s += (double)xr[k * xs] * xr[k * xs];
        double dv = fmax(sqrt(s), eps);
        for (int64_t k = 0; k < n; k++) yr[k * ys] = (float)(xr[k * xs] / dv);
        kv_f32(d)[kv_offset(&dl, r)] = (float)dv;
    }
}

INL float norm_row(float *y, int64_t yk, const float *x, int64_t xk, int64_t n, float eps) {
    float dv = fmaxf(sqrtf(OV_SPAN_SUM(k, n, x[k * xk] * x[k * xk])), eps);
    for (int64_t k = 0; k < n; k++) y[k * yk] = x[k * xk] / dv;
    return dv;
}

OV_SIMD static void norm_block(float *y, int64_t yk, const float *x, int64_t xk, int64_t n, int64_t nr, float eps, float *d,
                       int64_t dr) {
    float s[BW] = {0};
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < nr; r++) s[r] += x[k * xk + r] * x[k * xk + r];
    for (int64_t r = 0; r < nr; r++) s[r] = fmaxf(sqrtf(s[r]), eps);
    for (int64_t k = 0; k < n; k++)
        for (int64_t r = 0; r < nr; r++) y[k * yk + r] = x[k * xk + r] / s[r];
    for (int64_t r = 0; r < nr; r++) d[r * dr] = s[r];
}

void ov_knormalize_fast(const ovKView *y, const ovKView *d, const ovKView *x, float eps) {
    ovRows R;
    ov_rows_init(&R, 3, (const ovKView *[]){x, y, d}, 3);
    const float *xp = kv_f32(x);
    float *yp = kv_f32(y), *dp = kv_f32(d);
#pragma omp parallel for schedule(static) if (R.items * R.n * R.width > PAR_MIN)
    for (int64_t i = 0; i < R.items; i++) {
        int64_t off[3];
        int64_t nr = ov_rows_at(&R, i, off);
        if (R.width > 1)
            norm_block(yp + off[1], R.kstep[1], xp + off[0], R.kstep[0], R.n, nr, eps, dp + off[2], R.rstep[2]);
        else if (R.kstep[0] == 1 && R.kstep[1] == 1)
            dp[off[2]] = norm_row(yp + off[1], 1, xp + off[0], 1, R.n, eps);
        else
            dp[off[2]] = norm_row(yp + off[1], R.kstep[1], xp + off[0], R.kstep[0], R.n, eps);
    }
}
