/* dropout.c: reference and fast dropout kernels (see dropout.h). The fast one walks rows and draws
 * one Philox block for every 4 consecutive indices, using all 4 lanes. */
#include "kernels/cpu/dropout.h"

#include "kernels/philox.h"

void ov_kdropout_ref(const ovKView *y, const ovKView *x, double p, uint64_t seed) {
    int64_t n = kv_numel(y);
    double scale = p < 1 ? 1.0 / (1.0 - p) : 0.0;
    for (int64_t i = 0; i < n; i++) {
        bool keep = p <= 0 || (p < 1 && ov_philox_uniform_at(seed, 0, (uint64_t)i) >= (float)p);
        kv_f32(y)[kv_offset(y, i)] = keep ? (float)(kv_f32(x)[kv_offset(x, i)] * (p <= 0 ? 1.0 : scale)) : 0.0f;
    }
}

void ov_kdropout_fast(const ovKView *y, const ovKView *x, double p, uint64_t seed) {
    ovKRows r0;
    kv_rows_init(&r0, 2, (const ovKView *[]){y, x});
    float *yp = kv_f32(y);
    const float *xp = kv_f32(x);
    float pf = (float)p, scale = ov_dropout_scale(p);
#pragma omp parallel for schedule(static) if (r0.rows * r0.inner > 32768)
    for (int64_t r = 0; r < r0.rows; r++) {
        ovKRows it = r0;
        kv_rows_seek(&it, r);
        float *yr = yp + it.off[0];
        const float *xr = xp + it.off[1];
        int64_t ys = it.step[0], xs = it.step[1], n = it.inner;
        if (p <= 0) {
            for (int64_t k = 0; k < n; k++) yr[k * ys] = xr[k * xs];
            continue;
        }
        uint64_t i0 = (uint64_t)(r * n); /* the row's first element index */
        for (int64_t k = 0; k < n;) {
            uint64_t i = i0 + (uint64_t)k;
            ovPhilox4 u = ov_philox4x32(i / 4, seed);
            for (int lane = (int)(i % 4); lane < 4 && k < n; lane++, k++)
                yr[k * ys] = ov_dropout_keep(ov_philox_uniform(u.v[lane]), pf) ? xr[k * xs] * scale : 0.0f;
        }
    }
}
