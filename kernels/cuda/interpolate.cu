/* interpolate.cu: F.interpolate (nearest, linear, bilinear, bicubic, trilinear) and its backward on
 * the device; CUDA twins of kernels/cpu/interpolate.c. Inputs with fewer than three spatial dims
 * get leading dims of size 1 (one tap of weight 1), as on the CPU. The taps of every output index
 * come from ov_interp_taps (kernels/resample_math.h), computed where they are needed.
 *
 * Work is laid out as rows (n, c, i0, i1) by columns (i2) (kernels/cuda/resample_rows.cuh): the
 * row's divisions and the taps of the two leading dims are paid once per row.
 *
 * The backward is a gather: input element i along a dim is read by a contiguous range of output
 * indices (the tapped indices never decrease with the output index), found once per input index
 * by binary search into a small table; each input-gradient element then sums its outputs'
 * contributions in a fixed order. No atomics, deterministic. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/device.h"
#include "kernels/cuda/resample.h"
#include "kernels/cuda/resample_rows.cuh"

/* One spatial dim, padded to three dims like the CPU's Geo. */
struct Dim {
    int64_t in, out;
    int64_t sa, sb; /* strides of this dim in the input-shaped (a) and output-shaped (b) views */
    double scale;
    int kind;
};

struct Geo {
    Dim d[3];
    int64_t C;
    int64_t sa_n, sa_c, sb_n, sb_c;
    bool align;
};

/* a: the view with the input's shape (x, or gx), b: the one with the output's shape (out, or g). */
static Geo geo_of(const ovKInterp *p, const ovKView *a, const ovKView *b) {
    Geo g;
    int nsp = a->ndim - 2, pad = 3 - nsp;
    for (int d = 0; d < 3; d++) {
        int k = d - pad; /* spatial dim of the views, < 0 when padded */
        Dim *m = &g.d[d];
        m->in = k < 0 ? 1 : a->shape[2 + k];
        m->out = k < 0 ? 1 : b->shape[2 + k];
        m->sa = k < 0 ? 0 : a->stride[2 + k];
        m->sb = k < 0 ? 0 : b->stride[2 + k];
        m->scale = k < 0 ? 0.0 : p->scale[k];
        m->kind = k < 0 ? OV_KI_NEAREST : p->kind;
    }
    g.C = a->shape[1];
    g.sa_n = a->stride[0];
    g.sa_c = a->stride[1];
    g.sb_n = b->stride[0];
    g.sb_c = b->stride[1];
    g.align = p->align_corners;
    return g;
}

__device__ __forceinline__ int taps(const Geo &g, int d, int64_t o, int64_t idx[4], float w[4]) {
    const Dim &m = g.d[d];
    return ov_interp_taps((ovKInterpKind)m.kind, m.in, m.out, g.align, m.scale, o, idx, w);
}

/* ---------------- forward ---------------- */

/* TAPS gives the taps of dims 0, 1, 2 as decimal digits (e.g. 144: bicubic on a 2-D input), so
 * the tap loops have fixed lengths and unroll without registers for unused taps (one kernel for
 * every mode took 116 registers). */
template <int TAPS>
__global__ void interp_kernel(Geo g, const float *x, float *out, int64_t rows) {
    constexpr int T0 = TAPS / 100, T1 = TAPS / 10 % 10, T2 = TAPS % 10;
    const Dim &d0 = g.d[0], &d1 = g.d[1], &d2 = g.d[2];
    for (int64_t r = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += (int64_t)gridDim.y * blockDim.y) {
        int64_t o1 = r % d1.out, q = r / d1.out, o0 = q % d0.out, plane = q / d0.out;
        int64_t n = plane / g.C, c = plane % g.C;
        int64_t idx0[4] = {0}, idx1[4] = {0}, idx2[4] = {0}; /* T0, T1, T2 of each are set */
        float w0[4] = {0}, w1[4] = {0}, w2[4] = {0};
        taps(g, 0, o0, idx0, w0);
        taps(g, 1, o1, idx1, w1);
        const float *xb = x + n * g.sa_n + c * g.sa_c;
        float *ob = out + n * g.sb_n + c * g.sb_c + o0 * d0.sb + o1 * d1.sb;
        for (int64_t o2 = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; o2 < d2.out;
             o2 += (int64_t)gridDim.x * blockDim.x) {
            taps(g, 2, o2, idx2, w2);
            float acc = 0.0f;
            for (int a = 0; a < T0; a++)
                for (int b = 0; b < T1; b++) {
                    const float *xr = xb + idx0[a] * d0.sa + idx1[b] * d1.sa;
                    float s = 0.0f;
                    for (int k = 0; k < T2; k++) s += w2[k] * xr[idx2[k] * d2.sa];
                    acc += w0[a] * w1[b] * s;
                }
            ob[o2 * d2.sb] = acc;
        }
    }
}

extern "C" void ov_kinterp_cuda(const ovKInterp *p, const ovKView *out, const ovKView *x) {
    Geo g = geo_of(p, x, out);
    int64_t rows = x->shape[0] * g.C * g.d[0].out * g.d[1].out;
    if (rows == 0 || g.d[2].out == 0) return;
    int nt = p->kind == OV_KI_NEAREST ? 1 : p->kind == OV_KI_LINEAR ? 2 : 4, nsp = x->ndim - 2;
    int taps = (nsp == 3 ? 100 * nt : 100) + (nsp >= 2 ? 10 * nt : 10) + nt; /* padded dims take 1 tap */
    dim3 grid = ov_row_grid(rows, g.d[2].out), block(OV_ROW_X, OV_ROW_Y);
    switch (taps) {
    case 111: OV_LAUNCH(interp_kernel<111>, grid, block, 0, 0, g, kv_f32(x), kv_f32(out), rows); break;
    case 112: OV_LAUNCH(interp_kernel<112>, grid, block, 0, 0, g, kv_f32(x), kv_f32(out), rows); break;
    case 122: OV_LAUNCH(interp_kernel<122>, grid, block, 0, 0, g, kv_f32(x), kv_f32(out), rows); break;
    case 222: OV_LAUNCH(interp_kernel<222>, grid, block, 0, 0, g, kv_f32(x), kv_f32(out), rows); break;
    case 114: OV_LAUNCH(interp_kernel<114>, grid, block, 0, 0, g, kv_f32(x), kv_f32(out), rows); break;
    case 144: OV_LAUNCH(interp_kernel<144>, grid, block, 0, 0, g, kv_f32(x), kv_f32(out), rows); break;
    case 444: OV_LAUNCH(interp_kernel<444>, grid, block, 0, 0, g, kv_f32(x), kv_f32(out), rows); break;
    default: ov_panic("interpolate: no CUDA kernel for taps %d", taps);
    }
}

/* ---------------- backward ---------------- */

/* The first output index o of dim d whose largest tapped index reaches i (past_i: whose smallest
 * tapped index passes i), or out when there is none; both tapped bounds grow with o. */
__device__ int64_t first_output(const Geo &g, int d, int64_t i, bool past_i) {
    int64_t lo = 0, hi = g.d[d].out;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2, idx[4];
        float w[4];
        int nt = taps(g, d, mid, idx, w);
        if (past_i ? idx[0] > i : idx[nt - 1] >= i)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* range[2 * (first[d] + i) + {0, 1}]: the outputs [begin, end) of dim d that read input index i. */
__global__ void interp_ranges_kernel(Geo g, int64_t *range, int64_t total) {
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int d = e < g.d[0].in ? 0 : e < g.d[0].in + g.d[1].in ? 1 : 2;
        int64_t i = e - (d > 0 ? g.d[0].in : 0) - (d > 1 ? g.d[1].in : 0);
        range[2 * e] = first_output(g, d, i, false);
        range[2 * e + 1] = first_output(g, d, i, true);
    }
}

/* The weight with which output o of dim d reads input i (taps clamped onto the same index add). */
__device__ __forceinline__ float weight(const Geo &g, int d, int64_t o, int64_t i) {
    int64_t idx[4];
    float w[4], s = 0.0f;
    int nt = taps(g, d, o, idx, w);
    for (int k = 0; k < nt; k++)
        if (idx[k] == i) s += w[k];
    return s;
}

__global__ void interp_backward_kernel(Geo g, const int64_t *range, float *gx, const float *gy, int64_t rows) {
    const Dim &d0 = g.d[0], &d1 = g.d[1], &d2 = g.d[2];
    const int64_t *r0 = range, *r1 = range + 2 * d0.in, *r2 = range + 2 * (d0.in + d1.in);
    for (int64_t r = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += (int64_t)gridDim.y * blockDim.y) {
        int64_t i1 = r % d1.in, q = r / d1.in, i0 = q % d0.in, plane = q / d0.in;
        int64_t n = plane / g.C, c = plane % g.C;
        int64_t b0 = r0[2 * i0], e0 = r0[2 * i0 + 1], b1 = r1[2 * i1], e1 = r1[2 * i1 + 1];
        const float *gb = gy + n * g.sb_n + c * g.sb_c;
        float *xb = gx + n * g.sa_n + c * g.sa_c + i0 * d0.sa + i1 * d1.sa;
        for (int64_t i2 = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i2 < d2.in;
             i2 += (int64_t)gridDim.x * blockDim.x) {
            int64_t b2 = r2[2 * i2], e2 = r2[2 * i2 + 1];
            float acc = 0.0f;
            for (int64_t o0 = b0; o0 < e0; o0++) {
                float w0 = weight(g, 0, o0, i0);
                for (int64_t o1 = b1; o1 < e1; o1++) {
                    float w01 = w0 * weight(g, 1, o1, i1);
                    const float *grow = gb + o0 * d0.sb + o1 * d1.sb;
                    float s = 0.0f;
                    for (int64_t o2 = b2; o2 < e2; o2++) s += weight(g, 2, o2, i2) * grow[o2 * d2.sb];
                    acc += w01 * s;
                }
            }
            xb[i2 * d2.sa] = acc;
        }
    }
}

extern "C" void ov_kinterp_backward_cuda(const ovKInterp *p, const ovKView *gx, const ovKView *gy) {
    Geo g = geo_of(p, gx, gy);
    int64_t rows = gx->shape[0] * g.C * g.d[0].in * g.d[1].in;
    if (rows == 0) return;
    int64_t total = g.d[0].in + g.d[1].in + g.d[2].in;
    size_t bytes = (size_t)(2 * total) * sizeof(int64_t);
    int64_t *range = (int64_t *)ov_cuda_alloc(bytes);
    OV_LAUNCH(interp_ranges_kernel, ov_grid(total, 128), 128, 0, 0, g, range, total);
    OV_LAUNCH(interp_backward_kernel, ov_row_grid(rows, g.d[2].in), dim3(OV_ROW_X, OV_ROW_Y), 0, 0, g, range, kv_f32(gx),
              kv_f32(gy), rows);
    ov_cuda_free(range, bytes);
}
