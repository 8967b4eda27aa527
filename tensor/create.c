/* create.c: constants, ranges, host buffers, Philox draws and in-place copy/fill (see create.h). */
#include "tensor/create.h"

#include <math.h>
#include <string.h>

#include "kernels/cpu/copy.h"
#include "kernels/cuda/copy.h"
#include "kernels/cuda/device.h"
#include "kernels/cuda/random.h"
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
    /* all-zero bits is 0 in every dtype */
    if (ov_device(t) == OV_DEV_CUDA)
        ov_cuda_memset(ov_data_ptr(t), 0, ov_nbytes(t));
    else
        memset(ov_data_ptr(t), 0, ov_nbytes(t));
    return t;
}

/* Tensors computed element by element on the host move to the default device when that is not
 * the CPU (inside a CUDA op, or after ov_set_default_device). */
static ovTensor *host_empty(int ndim, const int64_t *shape, ovDType dtype) {
    return ov_empty_on(OV_DEV_CPU, ndim, shape, dtype);
}

static ovTensor *to_default_device(ovTensor *t) {
    if (ov_default_device() == OV_DEV_CPU) return t;
    ovTensor *d = ov_empty(t->ndim, t->shape, t->dtype);
    ov_copy_(d, t);
    return d;
}

ovTensor *ov_ones(int ndim, const int64_t *shape, ovDType dtype) { return ov_full(ndim, shape, 1.0, dtype); }

ovTensor *ov_scalar(double value, ovDType dtype) { return ov_full(0, NULL, value, dtype); }

ovTensor *ov_full_like(const ovTensor *t, double value) { return ov_full(t->ndim, t->shape, value, t->dtype); }

ovTensor *ov_arange(double start, double end, double step, ovDType dtype) {
    if (step == 0 || !isfinite(start) || !isfinite(end) || !isfinite(step))
        ov_panic("arange: bad range start=%g end=%g step=%g", start, end, step);
    double len = ceil((end - start) / step);
    int64_t n = len > 0 ? (int64_t)len : 0;
    ovTensor *t = host_empty(1, &n, dtype);
    for (int64_t i = 0; i < n; i++) ov_set_flat(t, i, start + (double)i * step);
    return to_default_device(t);
}

ovTensor *ov_linspace(double start, double end, int64_t steps, ovDType dtype) {
    if (steps < 0) ov_panic("linspace: steps must be non-negative, got %lld", (long long)steps);
    ovTensor *t = host_empty(1, &steps, dtype);
    double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
    /* Like PyTorch, the second half counts back from `end` so both ends are exact. */
    int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; i++)
        ov_set_flat(t, i, i < half ? start + step * (double)i : end - step * (double)(steps - 1 - i));
    return to_default_device(t);
}

ovTensor *ov_from_data(const void *data, int ndim, const int64_t *shape, ovDType dtype) {
    ovTensor *t = ov_empty(ndim, shape, dtype);
    if (!ov_nbytes(t)) return t;
    if (ov_device(t) == OV_DEV_CUDA)
        ov_cuda_copy(ov_data_ptr(t), data, ov_nbytes(t), OV_COPY_H2D);
    else
        memcpy(ov_data_ptr(t), data, ov_nbytes(t));
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

/* A draw of `kind` on the default device: on the CPU element by element, on the device by the
 * Philox kernel, from the same (seed, offset) so the numbers agree. */
static ovTensor *draw(ovDrawKind kind, int ndim, const int64_t *shape, double a, double b, ovGenerator *g) {
    ovTensor *t = ov_empty(ndim, shape, OV_F32);
    int64_t n = ov_numel(t);
    uint64_t off = take(&g, n);
    if (ov_device(t) == OV_DEV_CUDA) {
        ov_kdraw_cuda(kind, ov_data_ptr(t), n, g->seed, off, a, b);
        return t;
    }
    float *d = ov_f32(t);
    for (int64_t i = 0; i < n; i++) {
        if (kind == OV_DRAW_NORMAL)
            d[i] = (float)(a + b * ov_philox_normal_at(g->seed, off, (uint64_t)i));
        else if (kind == OV_DRAW_UNIFORM)
            d[i] = (float)(a + b * ov_philox_uniform_at(g->seed, off, (uint64_t)i));
        else
            d[i] = ov_philox_uniform_at(g->seed, off, (uint64_t)i) < a ? 1.0f : 0.0f;
    }
    return t;
}

ovTensor *ov_rand(int ndim, const int64_t *shape, double low, double high, ovGenerator *g) {
    return draw(OV_DRAW_UNIFORM, ndim, shape, low, high - low, g);
}

ovTensor *ov_randn(int ndim, const int64_t *shape, double mean, double std, ovGenerator *g) {
    return draw(OV_DRAW_NORMAL, ndim, shape, mean, std, g);
}

ovTensor *ov_bernoulli(int ndim, const int64_t *shape, double p, ovGenerator *g) {
    return draw(OV_DRAW_BERNOULLI, ndim, shape, p, 0, g);
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
    if (ov_device(t) == OV_DEV_CUDA) {
        ov_krandint_cuda(d, n, g->seed, off, low, range);
        return t;
    }
    for (int64_t i = 0; i < n; i++) {
        ovPhilox4 r = ov_philox4x32(off + (uint64_t)i / 4, g->seed);
        d[i] = low + (int64_t)(((uint64_t)r.v[i % 4] * range) >> 32);
    }
    return t;
}

/* ---- in-place ---- */

/* src seen with dst's shape (right-aligned broadcasting: missing and size-1 dims get stride 0),
 * or false if it does not broadcast. */
static bool broadcast_view(const ovTensor *dst, const ovTensor *src, ovKView *s) {
    if (src->ndim > dst->ndim) return false;
    *s = ov_kview(dst);
    s->data = ov_data_ptr(src);
    s->dtype = src->dtype;
    for (int i = 0; i < dst->ndim; i++) {
        int j = i - (dst->ndim - src->ndim);
        if (j < 0 || src->shape[j] == 1)
            s->stride[i] = 0;
        else if (src->shape[j] == dst->shape[i])
            s->stride[i] = src->stride[j];
        else
            return false;
    }
    return true;
}

/* Contiguous `dtype` tensor on `dev` holding src broadcast to shape's dims (one transfer). */
static ovTensor *staged(const ovTensor *src, const ovTensor *dst, ovDevice dev) {
    ovTensor *host = ov_empty_on(OV_DEV_CPU, dst->ndim, dst->shape, dst->dtype);
    if (ov_device(src) == OV_DEV_CPU) {
        ovKView d = ov_kview(host), s;
        broadcast_view(host, src, &s);
        ov_kcopy_fast(&d, &s);
        if (dev == OV_DEV_CPU) return host;
        ovTensor *t = ov_empty_on(dev, dst->ndim, dst->shape, dst->dtype);
        ov_cuda_copy(ov_data_ptr(t), ov_data_ptr(host), ov_nbytes(t), OV_COPY_H2D);
        return t;
    }
    /* from the device: convert and broadcast there, then bring it over */
    ovTensor *dev_t = ov_empty_on(OV_DEV_CUDA, dst->ndim, dst->shape, dst->dtype);
    ovKView d = ov_kview(dev_t), s;
    broadcast_view(dev_t, src, &s);
    ov_kcopy_cuda(&d, &s);
    ov_cuda_copy(ov_data_ptr(host), ov_data_ptr(dev_t), ov_nbytes(host), OV_COPY_D2H);
    return host;
}

void ov_copy_(ovTensor *dst, const ovTensor *src) {
    char a[160], b[160];
    ovKView d = ov_kview(dst), s;
    if (!broadcast_view(dst, src, &s))
        ov_panic("copy_: source %s cannot be broadcast to destination %s", ov_describe(src, b, sizeof b),
                 ov_describe(dst, a, sizeof a));
    ovDevice dd = ov_device(dst), sd = ov_device(src);
    if (dd == sd) {
        if (dd == OV_DEV_CUDA)
            ov_kcopy_cuda(&d, &s);
        else
            ov_kcopy_fast(&d, &s);
    } else {
        /* across devices: one contiguous transfer, then a same-device copy into dst's layout */
        ov_scope_begin();
        ovTensor *t = staged(src, dst, dd);
        ovKView tv = ov_kview(t);
        if (dd == OV_DEV_CUDA)
            ov_kcopy_cuda(&d, &tv);
        else
            ov_kcopy_fast(&d, &tv);
        ov_scope_end();
    }
    ov_bump_version(dst);
}

void ov_fill_(ovTensor *dst, double value) {
    ovKView d = ov_kview(dst);
    if (ov_device(dst) == OV_DEV_CUDA)
        ov_kfill_cuda(&d, value);
    else
        ov_kfill(&d, value);
    ov_bump_version(dst);
}
