/* softmax.cuh: the row softmax of the device, shared by softmax/log_softmax (norm.cu) and the
 * attention weights (attention.cu): one fused pass keeps a running max and a sum of exponentials
 * rescaled whenever the max grows (the "online softmax" of Milakov & Gimelshein, 2018), the
 * group combines its (max, sum) pairs, and a second pass writes the outputs. The input is read
 * through a functor src(k) (x + mask, or the attention scores with the causal rule and the mask
 * applied), so each caller fuses its masking into the same reads. Like the CPU kernels, a row with
 * nothing allowed (all -inf) gives NaN, and a NaN anywhere in a row reaches every output. */
#ifndef OV_CUDA_SOFTMAX_CUH
#define OV_CUDA_SOFTMAX_CUH

#include "kernels/cuda/rowwise.cuh"

/* (max, sum of exp(v - max)) pairs: merged symmetrically, so every lane gets the same bits. */
struct SoftmaxMerge {
    __device__ __forceinline__ F2 operator()(F2 x, F2 y) const {
        float m = fmaxf(x.a, y.a);
        F2 r = {m, x.b + y.b}; /* nothing seen yet on either side: both sums are 0 (or NaN) */
        if (m != -INFINITY) r.b = x.b * expf(x.a - m) + y.b * expf(y.a - m);
        return r;
    }
};

/* y[k * yk] = softmax (or log_softmax) of src(k) over k < n; y may be the memory src reads. */
template <class G, class Src>
__device__ __forceinline__ void softmax_row(const G &g, const Src &src, float *y, int64_t yk, int64_t n, bool logsm) {
    F2 t = {-INFINITY, 0.0f};
    for (int64_t k = g.rank(); k < n; k += g.size()) {
        float v = src(k);
        if (v > t.a) { /* a new max: rescale what was summed so far */
            t.b = t.b * expf(t.a - v) + 1.0f;
            t.a = v;
        } else if (v != -INFINITY) { /* -inf adds nothing (and -inf - -inf would be NaN) */
            t.b += expf(v - t.a);
        }
    }
    t = g.all(t, SoftmaxMerge());
    /* each thread rewrites only the elements it read, so in place is safe */
    if (logsm) {
        float ls = t.a + logf(t.b);
        for (int64_t k = g.rank(); k < n; k += g.size()) y[k * yk] = src(k) - ls;
    } else {
        float inv = 1.0f / t.b;
        for (int64_t k = g.rank(); k < n; k += g.size()) y[k * yk] = expf(src(k) - t.a) * inv;
    }
}

/* Backward of softmax (gx = y * (g - sum(g * y))) or log_softmax (gx = g - exp(y) * sum(g)) over
 * one row; gx may be g's memory. */
template <class G>
__device__ __forceinline__ void softmax_backward_row(const G &grp, float *gx, int64_t ok, const float *g, int64_t gk,
                                                     const float *y, int64_t yk, int64_t n, bool logsm) {
    float s = 0.0f;
    for (int64_t k = grp.rank(); k < n; k += grp.size()) s += logsm ? g[k * gk] : g[k * gk] * y[k * yk];
    s = grp.all(s, SumOp());
    for (int64_t k = grp.rank(); k < n; k += grp.size()) {
        float gv = g[k * gk], yv = y[k * yk];
        gx[k * ok] = logsm ? gv - expf(yv) * s : yv * (gv - s);
    }
}

#endif
