/* create.c: constants, ranges, host buffers, Philox draws and in-place copy/fill (see create.h). */
#include "tensor/create.h"

#include <math.h>
#include <string.h>

#include "kernels/cpu/copy.h"
#include "kernels/philox.h"
#include "tensor/error.h"
#include "tensor/kview_of.h"

ovTensor *ov_full(int ndim, const int64_t *shape, double value, ovDType dtype) {
    ovTensor *t = ov_empty(ndim, shape, dtype);
    ov_fill_(t, value);
    return t;
}

ovTensor *ov_zeros(int ndim, const int64_t *shape, ovDType dtype) {
    ovTensor *t = ov_empty(ndim, shape, dtype);
    memset(ov_data_ptr(t), 0, ov_nbytes(t)); /* all-zero bits is 0 in every dtype */
    return t;
}

ovTensor *ov_ones(int ndim, const int64_t *shape, ovDType dtype) { return ov_full(ndim, shape, 1.0, dtype); }

ovTensor *ov_scalar(double value, ovDType dtype) { return ov_full(0, NULL, value, dtype); }

ovTensor *ov_full_like(const ovTensor *t, double value) { return ov_full(t->ndim, t->shape, value, t->dtype); }

ovTensor *ov_arange(double start, double end, double step, ovDType dtype) {
    if (step == 0 || !isfinite(start) || !isfinite(end) || !isfinite(step))
        ov_panic("arange: bad range start=%g end=%g step=%g", start, end, step);
    double len = ceil((end - start) / step);
    int64_t n = len > 0 ? (int64_t)len : 0;
    ovTensor *t = ov_empty(1, &n, dtype);
    for (int64_t i = 0; i < n; i++) ov_set_flat(t, i, start + (double)i * step);
    return t;
}

ovTensor *ov_linspace(double start, double end, int64_t steps, ovDType dtype) {
    if (steps < 0) ov_panic("linspace: steps must be non-negative, got %lld", (long long)steps);
    ovTensor *t = ov_empty(1, &steps, dtype);
    double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
    /* Like PyTorch, the second half counts back from `end` so both ends are exact. */
    int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; i++)
        ov_set_flat(t, i, i < half ? start + step * (double)i : end - step * (double)(steps - 1 - i));
    return t;
}

ovTensor *ov_from_data(const void *data, int ndim, const int64_t *shape, ovDType dtype) {
    ovTensor *t = ov_empty(ndim, shape, dtype);
    if (ov_nbytes(t)) memcpy(ov_data_ptr(t), data, ov_nbytes(t));
    return t;
}

/* ---- random ---- */

static _Thread_local ovGenerator default_gen = {0x5eed, 0};

ovGenerator ov_generator(uint64_t seed) {
    ovGenerator g = {seed, 0};
    return g;
}

void ov_manual_seed(uint64_t seed) { default_gen = ov_generator(seed); }

ovGenerator *ov_default_generator(void) { return &default_gen; }

/* Reserves the Philox blocks of an n-element draw and returns the offset to draw at. */
static uint64_t take(ovGenerator **g, int64_t n) {
    if (!*g) *g = &default_gen;
    uint64_t off = (*g)->offset;
    (*g)->offset += ov_philox_blocks((uint64_t)n);
    return off;
}

ovTensor *ov_rand(int ndim, const int64_t *shape, double low, double high, ovGenerator *g) {
    ovTensor *t = ov_empty(ndim, shape, OV_F32);
    int64_t n = ov_numel(t);
    uint64_t off = take(&g, n);
    float *d = ov_f32(t);
    for (int64_t i = 0; i < n; i++)
        d[i] = (float)(low + (high - low) * ov_philox_uniform_at(g->seed, off, (uint64_t)i));
    return t;
}

ovTensor *ov_randn(int ndim, const int64_t *shape, double mean, double std, ovGenerator *g) {
    ovTensor *t = ov_empty(ndim, shape, OV_F32);
    int64_t n = ov_numel(t);
    uint64_t off = take(&g, n);
    float *d = ov_f32(t);
    for (int64_t i = 0; i < n; i++)
        d[i] = (float)(mean + std * ov_philox_normal_at(g->seed, off, (uint64_t)i));
    return t;
}

ovTensor *ov_randint(int ndim, const int64_t *shape, int64_t low, int64_t high, ovGenerator *g) {
    if (high <= low || (uint64_t)(high - low) > 0xffffffffull)
        ov_panic("randint: need low < high and a range below 2^32, got [%lld, %lld)", (long long)low,
                 (long long)high);
    ovTensor *t = ov_empty(ndim, shape, OV_I64);
    int64_t n = ov_numel(t);
    uint64_t off = take(&g, n);
    uint64_t range = (uint64_t)(high - low);
    int64_t *d = ov_data_ptr(t);
    for (int64_t i = 0; i < n; i++) {
        ovPhilox4 r = ov_philox4x32(off + (uint64_t)i / 4, g->seed);
        d[i] = low + (int64_t)(((uint64_t)r.v[i % 4] * range) >> 32);
    }
    return t;
}

ovTensor *ov_bernoulli(int ndim, const int64_t *shape, double p, ovGenerator *g) {
    ovTensor *t = ov_empty(ndim, shape, OV_F32);
    int64_t n = ov_numel(t);
    uint64_t off = take(&g, n);
    float *d = ov_f32(t);
    for (int64_t i = 0; i < n; i++) d[i] = ov_philox_uniform_at(g->seed, off, (uint64_t)i) < p ? 1.0f : 0.0f;
    return t;
}

/* ---- in-place ---- */

void ov_copy_(ovTensor *dst, const ovTensor *src) {
    char a[160], b[160];
    /* broadcast src to dst's shape (right-aligned, size-1 or missing dims get stride 0) */
    if (src->ndim > dst->ndim) goto bad;
    ovKView d = ov_kview(dst), s = ov_kview(dst);
    s.data = ov_data_ptr(src);
    s.dtype = src->dtype;
    for (int i = 0; i < dst->ndim; i++) {
        int j = i - (dst->ndim - src->ndim);
        if (j < 0) {
            s.stride[i] = 0;
        } else if (src->shape[j] == dst->shape[i]) {
            s.stride[i] = src->shape[j] == 1 ? 0 : src->stride[j];
        } else if (src->shape[j] == 1) {
            s.stride[i] = 0;
        } else {
            goto bad;
        }
    }
    ov_kcopy_fast(&d, &s);
    ov_bump_version(dst);
    return;
bad:
    ov_panic("copy_: source %s cannot be broadcast to destination %s", ov_describe(src, b, sizeof b),
             ov_describe(dst, a, sizeof a));
}

void ov_fill_(ovTensor *dst, double value) {
    ovKView d = ov_kview(dst);
    ov_kfill(&d, value);
    ov_bump_version(dst);
}
