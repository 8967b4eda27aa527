/* pool_ref.c: reference pooling kernels (see pool.h): every window scanned with bounds checks,
 * sums in double; the average's input gradient gathers from the windows that contain each input
 * (the fast kernel scatters instead, so the two check each other). */
#include <math.h>
#include <stdlib.h>

#include "kernels/cpu/pool.h"

static inline int64_t off5(const ovKView *v, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e) {
    return a * v->stride[0] + b * v->stride[1] + c * v->stride[2] + d * v->stride[3] + e * v->stride[4];
}

/* Runs BODY for every output (n, c, od, oh, ow) of the 5-D view y. */
#define FOR_OUT(y, ...)                                              \
    for (int64_t n = 0; n < (y)->shape[0]; n++)                      \
        for (int64_t c = 0; c < (y)->shape[1]; c++)                  \
            for (int64_t od = 0; od < (y)->shape[2]; od++)           \
                for (int64_t oh = 0; oh < (y)->shape[3]; oh++)       \
                    for (int64_t ow = 0; ow < (y)->shape[4]; ow++) { \
                        __VA_ARGS__;                                 \
                    }

/* Input position of tap k of window o along dim i, or -1 in the padding. */
static inline int64_t tap(const ovPoolParams *p, int i, int64_t o, int64_t k, int64_t in) {
    int64_t x = o * p->s[i] - p->p[i] + k * p->d[i];
    return x >= 0 && x < in ? x : -1;
}

void ov_kmax_pool_ref(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p) {
    const int64_t *I = x->shape + 2;
    FOR_OUT(y, {
        float best = -INFINITY;
        int64_t at = -1;
        for (int64_t kd = 0; kd < p->k[0]; kd++)
            for (int64_t kh = 0; kh < p->k[1]; kh++)
                for (int64_t kw = 0; kw < p->k[2]; kw++) {
                    int64_t id = tap(p, 0, od, kd, I[0]), ih = tap(p, 1, oh, kh, I[1]), iw = tap(p, 2, ow, kw, I[2]);
                    if (id < 0 || ih < 0 || iw < 0) continue;
                    float v = kv_f32(x)[off5(x, n, c, id, ih, iw)];
                    if (at < 0 || v > best || isnan(v)) {
                        best = v;
                        at = (id * I[1] + ih) * I[2] + iw;
                    }
                }
        kv_f32(y)[off5(y, n, c, od, oh, ow)] = best;
        if (idx && idx->data) kv_i64(idx)[off5(idx, n, c, od, oh, ow)] = at;
    })
}

void ov_kmax_pool_backward_ref(const ovKView *gx, const ovKView *gy, const ovKView *idx, const ovPoolParams *p) {
    (void)p; /* a scatter: any index works */
    int64_t V = gx->shape[2] * gx->shape[3] * gx->shape[4];
    int64_t total = gx->shape[0] * gx->shape[1] * V;
    double *acc = calloc((size_t)(total ? total : 1), sizeof *acc);
    FOR_OUT(gy, {
        int64_t i = kv_i64(idx)[off5(idx, n, c, od, oh, ow)];
        if (i >= 0) acc[(n * gx->shape[1] + c) * V + i] += kv_f32(gy)[off5(gy, n, c, od, oh, ow)];
    })
    for (int64_t t = 0; t < total; t++) {
        int64_t i = t % V, nc = t / V;
        kv_f32(gx)[off5(gx, nc / gx->shape[1], nc % gx->shape[1], i / (gx->shape[3] * gx->shape[4]),
                        i / gx->shape[4] % gx->shape[3], i % gx->shape[4])] = (float)acc[t];
    }
    free(acc);
}

void ov_kavg_pool_ref(const ovKView *y, const ovKView *x, const ovPoolParams *p) {
    const int64_t *I = x->shape + 2;
    FOR_OUT(y, {
        double s = 0;
        for (int64_t kd = 0; kd < p->k[0]; kd++)
            for (int64_t kh = 0; kh < p->k[1]; kh++)
                for (int64_t kw = 0; kw < p->k[2]; kw++) {
                    int64_t id = tap(p, 0, od, kd, I[0]), ih = tap(p, 1, oh, kh, I[1]), iw = tap(p, 2, ow, kw, I[2]);
                    if (id >= 0 && ih >= 0 && iw >= 0) s += kv_f32(x)[off5(x, n, c, id, ih, iw)];
                }
        int64_t o[3] = {od, oh, ow};
        kv_f32(y)[off5(y, n, c, od, oh, ow)] = (float)(s / (double)ov_avg_divisor(p, I, o));
    })
}

/* Does window o along dim i contain input position x? */
static inline bool covers(const ovPoolParams *p, int i, int64_t o, int64_t x) {
    int64_t start = o * p->s[i] - p->p[i];
    return x >= start && x < start + p->k[i];
}

void ov_kavg_pool_backward_ref(const ovKView *gx, const ovKView *gy, const ovPoolParams *p) {
    const int64_t *I = gx->shape + 2, *O = gy->shape + 2;
    FOR_OUT(gx, {
        /* here (od, oh, ow) walk the input positions; (a, b, e) the windows that contain them */
        double s = 0;
        for (int64_t a = 0; a < O[0]; a++) {
            if (!covers(p, 0, a, od)) continue;
            for (int64_t b = 0; b < O[1]; b++) {
                if (!covers(p, 1, b, oh)) continue;
                for (int64_t e = 0; e < O[2]; e++) {
                    if (!covers(p, 2, e, ow)) continue;
                    int64_t o[3] = {a, b, e};
                    s += kv_f32(gy)[off5(gy, n, c, a, b, e)] / (double)ov_avg_divisor(p, I, o);
                }
            }
        }
        kv_f32(gx)[off5(gx, n, c, od, oh, ow)] = (float)s;
    })
}
