/* reduce.cu: every reduction of kernels/cpu/reduce.h on the device (sum, mean, var, L2 norm,
 * logsumexp, max/min with the first index). The host splits x with the same plan as the CPU
 * (reduce_plan.h): `xk`/`ok`/`ik` place output j, `red` walks its n reduced elements in row-major
 * order. Short reductions give each output one thread that loops like the CPU reference; long ones
 * give it a block of 256 threads that stride over the elements and combine their partials in a
 * shared-memory tree. The order of every sum is fixed, so results do not change between runs. */
#include "kernels/cpu/reduce_plan.h"
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/reduce.h"

#define RED_THREADS 256

/* Running state of one reduction: a sum (or the best value for max/min) and the best's index. */
struct Acc {
    float v;
    int64_t i;
};

__device__ __forceinline__ Acc acc_start(ovRedKind k) {
    Acc a;
    a.v = (k == OV_RED_MAX || k == OV_RED_MIN || k == OV_RED_LSE) ? NAN : 0.0f;
    a.i = -1;
    return a;
}

/* Folds element value x at position i into a (`shift` is the mean for VAR's second pass and the
 * max for LSE's second pass; `stage` 0 is the first pass). */
__device__ __forceinline__ void acc_add(ovRedKind k, int stage, Acc &a, float x, int64_t i, float shift) {
    switch (k) {
    case OV_RED_SUM: case OV_RED_MEAN: a.v += x; break;
    case OV_RED_NORM: a.v += x * x; break;
    case OV_RED_VAR: a.v += stage ? (x - shift) * (x - shift) : x; break;
    case OV_RED_LSE:
        if (stage) a.v += expf(x - shift);
        else if (a.i < 0 || ov_red_beats(OV_RED_MAX, x, a.v)) a.v = x, a.i = i;
        break;
    case OV_RED_MAX: case OV_RED_MIN:
        if (a.i < 0 || ov_red_beats(k, x, a.v)) a.v = x, a.i = i;
        break;
    }
}

/* Combines two partials: sums add; for a max/min the winner is kept, NaN winning, and on a tie
 * (equal values, or both NaN) the earlier position, as a sequential scan would pick. */
__device__ __forceinline__ void acc_merge(ovRedKind k, int stage, Acc &a, Acc b) {
    bool pick = (k == OV_RED_MAX || k == OV_RED_MIN || (k == OV_RED_LSE && !stage));
    if (!pick) {
        a.v += b.v;
        return;
    }
    if (b.i < 0) return;
    if (a.i < 0) {
        a = b;
        return;
    }
    bool an = a.v != a.v, bn = b.v != b.v;
    bool better = an || bn ? (bn && !an) : (k == OV_RED_MIN ? b.v < a.v : b.v > a.v);
    bool tie = an || bn ? (an && bn) : b.v == a.v;
    if (better || (tie && b.i < a.i)) a = b;
}

/* The statistic a first pass leaves for the second (VAR: the mean; LSE: the max, 0 if infinite). */
__device__ __forceinline__ float pass_shift(ovRedKind k, Acc a, int64_t n) {
    if (k == OV_RED_VAR) return a.v / (float)n;
    float m = a.i < 0 ? 0.0f : a.v;
    return (m == INFINITY || m == -INFINITY) ? 0.0f : m;
}

__device__ __forceinline__ void write_out(ovRedKind k, Acc a, float shift, int64_t n, double param, float *out,
                                          int64_t *idx) {
    float r = a.v;
    switch (k) {
    case OV_RED_MEAN: r = a.v / (float)n; break;
    case OV_RED_NORM: r = sqrtf(a.v); break;
    case OV_RED_VAR: r = (float)((double)a.v / fmax((double)n - param, 0.0)); break;
    case OV_RED_LSE: r = shift + logf(a.v); break;
    case OV_RED_MAX: case OV_RED_MIN: if (n == 0) r = NAN; break;
    default: break;
    }
    if (out) *out = r;
    if (idx) *idx = a.i < 0 ? 0 : a.i;
}

__device__ __forceinline__ int passes(ovRedKind k) { return (k == OV_RED_VAR || k == OV_RED_LSE) ? 2 : 1; }

__global__ void reduce_per_thread(ovRedKind k, ovRedPlan p, const float *x, float *out, int64_t *idx, double param) {
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < p.m; j += (int64_t)gridDim.x * blockDim.x) {
        const float *b = x + kv_offset(&p.xk, j);
        float shift = 0;
        Acc a = acc_start(k);
        for (int stage = 0; stage < passes(k); stage++) {
            if (stage) {
                shift = pass_shift(k, a, p.n);
                a = acc_start(k);
                a.v = 0;
            }
            for (int64_t i = 0; i < p.n; i++) acc_add(k, stage, a, b[kv_offset(&p.red, i)], i, shift);
        }
        write_out(k, a, shift, p.n, param, out ? out + kv_offset(&p.ok, j) : NULL, idx ? idx + kv_offset(&p.ik, j) : NULL);
    }
}

__global__ void reduce_per_block(ovRedKind k, ovRedPlan p, const float *x, float *out, int64_t *idx, double param) {
    OV_SHARED(float, pv, RED_THREADS);
    OV_SHARED(int64_t, pi, RED_THREADS);
    for (int64_t j = blockIdx.x; j < p.m; j += gridDim.x) {
        const float *b = x + kv_offset(&p.xk, j);
        float shift = 0;
        Acc a = acc_start(k);
        for (int stage = 0; stage < passes(k); stage++) {
            if (stage) {
                shift = pass_shift(k, a, p.n);
                a = acc_start(k);
                a.v = 0;
            }
            Acc t = acc_start(k);
            if (stage) t.v = 0;
            for (int64_t i = threadIdx.x; i < p.n; i += blockDim.x) acc_add(k, stage, t, b[kv_offset(&p.red, i)], i, shift);
            pv[threadIdx.x] = t.v;
            pi[threadIdx.x] = t.i;
            __syncthreads();
            for (int h = RED_THREADS / 2; h > 0; h >>= 1) {
                if ((int)threadIdx.x < h) {
                    Acc lo = {pv[threadIdx.x], pi[threadIdx.x]}, hi = {pv[threadIdx.x + h], pi[threadIdx.x + h]};
                    acc_merge(k, stage, lo, hi);
                    pv[threadIdx.x] = lo.v;
                    pi[threadIdx.x] = lo.i;
                }
                __syncthreads();
            }
            a.v = pv[0];
            a.i = pi[0];
            __syncthreads(); /* everyone has read the total before the partials are reused */
        }
        if (threadIdx.x == 0)
            write_out(k, a, shift, p.n, param, out ? out + kv_offset(&p.ok, j) : NULL, idx ? idx + kv_offset(&p.ik, j) : NULL);
    }
}

extern "C" void ov_kreduce_cuda(ovRedKind kind, const ovKView *out, const ovKView *idx, const ovKView *x, double param) {
    ovRedPlan p;
    ov_red_plan(&p, out, idx, x, true);
    if (p.m == 0) return;
    float *o = out ? kv_f32(out) : NULL;
    int64_t *ix = idx ? kv_i64(idx) : NULL;
    if (p.n <= 64)
        OV_LAUNCH(reduce_per_thread, ov_grid(p.m, 128), 128, 0, 0, kind, p, kv_f32(x), o, ix, param);
    else
        OV_LAUNCH(reduce_per_block, ov_grid(p.m * RED_THREADS, RED_THREADS), RED_THREADS, 0, 0, kind, p, kv_f32(x), o,
                  ix, param);
}

extern "C" void ov_ksum_cuda(const ovKView *out, const ovKView *x) { ov_kreduce_cuda(OV_RED_SUM, out, NULL, x, 0); }
