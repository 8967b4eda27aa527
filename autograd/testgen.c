/* testgen.c: test inputs with chosen value domains and memory layouts (see testgen.h). */
#include "autograd/testgen.h"

#include <math.h>

#include "tensor/error.h"

static float draw(ovTgDomain dom, float u, float n) {
    switch (dom) {
    case OV_TG_POSITIVE: return 0.5f + 2.0f * u;
    case OV_TG_AWAY0: return (n < 0 ? -1.0f : 1.0f) * (0.2f + 1.8f * u);
    case OV_TG_UNIT: return -0.9f + 1.8f * u;
    default: return n;
    }
}

ovTensor *ov_tg_tensor(int ndim, const int64_t *shape, ovTgDomain dom, ovTgLayout layout, uint64_t seed) {
    int64_t store[OV_MAX_DIMS], stride[OV_MAX_DIMS];
    for (int d = 0; d < ndim; d++) store[d] = shape[d];
    if (layout == OV_TG_TRANSPOSED && ndim < 2) layout = OV_TG_CONTIG;
    if (layout == OV_TG_STRIDED && ndim < 1) layout = OV_TG_CONTIG;
    if (layout == OV_TG_TRANSPOSED) {
        store[ndim - 1] = shape[ndim - 2];
        store[ndim - 2] = shape[ndim - 1];
    } else if (layout == OV_TG_STRIDED) {
        store[ndim - 1] = 2 * shape[ndim - 1];
    }
    ovGenerator g = ov_generator(seed);
    int64_t n = ov_numel_shape(ndim, store);
    ovTensor *base = ov_randn(ndim, store, 0, 1, &g);
    ovTensor *uni = ov_rand(ndim, store, 0, 1, &g);
    float *b = ov_f32(base), *u = ov_f32(uni);
    if (dom == OV_TG_DISTINCT) {
        /* values -0.05*n .. +0.05*n in a random order (Fisher-Yates driven by u) */
        for (int64_t i = 0; i < n; i++) b[i] = 0.1f * (float)(i - n / 2);
        for (int64_t i = n - 1; i > 0; i--) {
            int64_t j = (int64_t)(u[i] * (float)(i + 1));
            if (j > i) j = i;
            float t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    } else {
        for (int64_t i = 0; i < n; i++) b[i] = draw(dom, u[i], b[i]);
    }
    /* strides of `store` in row-major order */
    int64_t s = 1, sstride[OV_MAX_DIMS];
    for (int d = ndim - 1; d >= 0; d--) {
        sstride[d] = s;
        s *= store[d];
    }
    for (int d = 0; d < ndim; d++) stride[d] = sstride[d];
    if (layout == OV_TG_TRANSPOSED) {
        stride[ndim - 1] = sstride[ndim - 2];
        stride[ndim - 2] = sstride[ndim - 1];
    } else if (layout == OV_TG_STRIDED) {
        stride[ndim - 1] = 2;
    }
    return ov_view_of(base, ndim, shape, stride, 0);
}

ovTensor *ov_tg_index(int ndim, const int64_t *shape, int64_t high, uint64_t seed) {
    ovGenerator g = ov_generator(seed);
    return ov_randint(ndim, shape, 0, high, &g);
}

ovTensor *ov_tg_mask(int ndim, const int64_t *shape, uint64_t seed) {
    ovGenerator g = ov_generator(seed);
    ovTensor *f = ov_bernoulli(ndim, shape, 0.5, &g);
    ovTensor *m = ov_empty(ndim, shape, OV_BOOL);
    ov_copy_(m, f);
    return m;
}
