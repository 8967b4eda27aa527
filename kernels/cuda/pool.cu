/* pool.cu: max and average pooling on the device (the CUDA twins of kernels/cpu/pool.h, for
 * F.max_pool2d/3d and F.avg_pool2d/3d). The forwards give each output one thread, which scans its
 * window with the clipped tap ranges, choice rule and divisor of kernels/cpu/pool.h (shared with
 * the CPU kernels). The input gradients are gathers, as in PyTorch's max_pool_backward_nchw and
 * Caffe's AvePoolBackward: each input element's thread walks the few windows that contain it
 * (the max gradient keeps the windows whose saved argmax is this element), in the order in which
 * the CPU kernels scatter. Index arithmetic inside a plane is 32-bit; offsets are 64-bit. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/pool.h"

#define THREADS 128

/* Flat index e of a contiguous [N, C, D, H, W] as plane pl = n*C + c and (d, h, w). */
__device__ __forceinline__ void split(int64_t e, int V, int H, int W, int *pl, int *d, int *h, int *w) {
    *pl = (int)(e / V);
    int v = (int)(e - (int64_t)*pl * V);
    *w = v % W;
    v /= W;
    *h = v % H;
    *d = v / H;
}

__device__ __forceinline__ int64_t off5(const ovKView &v, int n, int c, int d, int h, int w) {
    return n * v.stride[0] + c * v.stride[1] + d * v.stride[2] + h * v.stride[3] + w * v.stride[4];
}

/* The windows o in [*lo, *hi) along one dim whose taps o*s - p + [0, (k-1)*d] span input x (a
 * window in that range holds x only if the offset is a multiple of d). */
__device__ __forceinline__ void windows_over(int x, int k, int s, int p, int d, int out, int *lo, int *hi) {
    int a = x + p - (k - 1) * d;
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    int h = (x + p) / s + 1;
    *hi = h < out ? h : out;
}

/* Window o along dim i as 32-bit (start, lo, hi): see ov_pool_taps. */
__device__ __forceinline__ void taps32(const ovPoolParams &p, int i, int o, int64_t in, int *st, int *lo, int *hi) {
    int64_t a, b, c;
    ov_pool_taps(o, p.k[i], p.s[i], p.p[i], p.d[i], in, &a, &b, &c);
    *st = (int)a, *lo = (int)b, *hi = (int)c;
}

__global__ void max_pool_kernel(ovKView y, ovKView idx, ovKView x, ovPoolParams p, int64_t total, bool want_idx) {
    int C = (int)y.shape[1], O1 = (int)y.shape[3], O2 = (int)y.shape[4], V = (int)(y.shape[2] * O1 * O2);
    int I1 = (int)x.shape[3], I2 = (int)x.shape[4], d0 = (int)p.d[0], d1 = (int)p.d[1], d2 = (int)p.d[2];
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int pl, o[3], st[3], lo[3], hi[3];
        split(e, V, O1, O2, &pl, &o[0], &o[1], &o[2]);
        int n = pl / C, c = pl - n * C;
        for (int i = 0; i < 3; i++) taps32(p, i, o[i], x.shape[2 + i], &st[i], &lo[i], &hi[i]);
        const float *xp = kv_f32(&x) + n * x.stride[0] + c * x.stride[1];
        float best = -INFINITY;
        int at = -1;
        for (int kd = lo[0]; kd < hi[0]; kd++) {
            int id = st[0] + kd * d0;
            for (int kh = lo[1]; kh < hi[1]; kh++) {
                int ih = st[1] + kh * d1, pos = (id * I1 + ih) * I2;
                const float *row = xp + id * x.stride[2] + ih * x.stride[3];
                for (int kw = lo[2]; kw < hi[2]; kw++) {
                    int iw = st[2] + kw * d2;
                    float v = row[iw * x.stride[4]];
                    if (ov_max_takes(v, best, at)) {
                        best = v;
                        at = pos + iw;
                    }
                }
            }
        }
        kv_f32(&y)[e] = best;
        if (want_idx) kv_i64(&idx)[e] = at;
    }
}

__global__ void max_pool_backward_kernel(ovKView gx, ovKView gy, ovKView idx, ovPoolParams p, int64_t total) {
    int C = (int)gx.shape[1], I1 = (int)gx.shape[3], I2 = (int)gx.shape[4], V = (int)(gx.shape[2] * I1 * I2);
    int k[3], s[3], pd[3], d[3], out[3];
    for (int i = 0; i < 3; i++) {
        k[i] = (int)p.k[i], s[i] = (int)p.s[i], pd[i] = (int)p.p[i], d[i] = (int)p.d[i];
        out[i] = (int)gy.shape[2 + i];
    }
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int pl, x[3], lo[3], hi[3];
        split(e, V, I1, I2, &pl, &x[0], &x[1], &x[2]);
        int n = pl / C, c = pl - n * C;
        int64_t self = (x[0] * I1 + x[1]) * I2 + x[2];
        for (int i = 0; i < 3; i++) windows_over(x[i], k[i], s[i], pd[i], d[i], out[i], &lo[i], &hi[i]);
        float acc = 0;
        for (int od = lo[0]; od < hi[0]; od++) {
            if ((x[0] + pd[0] - od * s[0]) % d[0]) continue;
            for (int oh = lo[1]; oh < hi[1]; oh++) {
                if ((x[1] + pd[1] - oh * s[1]) % d[1]) continue;
                for (int ow = lo[2]; ow < hi[2]; ow++) {
                    if ((x[2] + pd[2] - ow * s[2]) % d[2]) continue;
                    if (kv_i64(&idx)[off5(idx, n, c, od, oh, ow)] == self)
                        acc += kv_f32(&gy)[off5(gy, n, c, od, oh, ow)];
                }
            }
        }
        kv_f32(&gx)[e] = acc;
    }
}

__global__ void avg_pool_kernel(ovKView y, ovKView x, ovPoolParams p, int64_t total) {
    int C = (int)y.shape[1], O1 = (int)y.shape[3], O2 = (int)y.shape[4], V = (int)(y.shape[2] * O1 * O2);
    int64_t in[3] = {x.shape[2], x.shape[3], x.shape[4]};
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int pl, o[3], st[3], lo[3], hi[3];
        split(e, V, O1, O2, &pl, &o[0], &o[1], &o[2]);
        int n = pl / C, c = pl - n * C;
        for (int i = 0; i < 3; i++) taps32(p, i, o[i], in[i], &st[i], &lo[i], &hi[i]);
        const float *xp = kv_f32(&x) + n * x.stride[0] + c * x.stride[1];
        float sum = 0;
        for (int kd = lo[0]; kd < hi[0]; kd++)
            for (int kh = lo[1]; kh < hi[1]; kh++) {
                const float *row = xp + (st[0] + kd) * x.stride[2] + (st[1] + kh) * x.stride[3] + st[2] * x.stride[4];
                for (int kw = lo[2]; kw < hi[2]; kw++) sum += row[kw * x.stride[4]];
            }
        int64_t oo[3] = {o[0], o[1], o[2]};
        kv_f32(&y)[e] = sum / (float)ov_avg_divisor(&p, in, oo);
    }
}

__global__ void avg_pool_backward_kernel(ovKView gx, ovKView gy, ovPoolParams p, int64_t total) {
    int C = (int)gx.shape[1], I1 = (int)gx.shape[3], I2 = (int)gx.shape[4], V = (int)(gx.shape[2] * I1 * I2);
    int64_t in[3] = {gx.shape[2], I1, I2};
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int pl, x[3], lo[3], hi[3];
        split(e, V, I1, I2, &pl, &x[0], &x[1], &x[2]);
        int n = pl / C, c = pl - n * C;
        for (int i = 0; i < 3; i++)
            windows_over(x[i], (int)p.k[i], (int)p.s[i], (int)p.p[i], 1, (int)gy.shape[2 + i], &lo[i], &hi[i]);
        float acc = 0;
        for (int od = lo[0]; od < hi[0]; od++)
            for (int oh = lo[1]; oh < hi[1]; oh++)
                for (int ow = lo[2]; ow < hi[2]; ow++) {
                    int64_t o[3] = {od, oh, ow};
                    acc += kv_f32(&gy)[off5(gy, n, c, od, oh, ow)] / (float)ov_avg_divisor(&p, in, o);
                }
        kv_f32(&gx)[e] = acc;
    }
}

/* The kernels index planes and positions in 32 bits. */
static void want_int(const ovKView *v, const char *who) {
    if (v->shape[0] * v->shape[1] > INT32_MAX || v->shape[2] * v->shape[3] * v->shape[4] > INT32_MAX)
        ov_panic("%s: %lld planes of %lld elements exceed the kernel's 32-bit indexing", who,
                 (long long)(v->shape[0] * v->shape[1]), (long long)(v->shape[2] * v->shape[3] * v->shape[4]));
}

extern "C" {

void ov_kmax_pool_cuda(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p) {
    int64_t n = kv_numel(y);
    if (!n) return;
    want_int(y, "max pooling"), want_int(x, "max pooling");
    bool want_idx = idx && idx->data;
    OV_LAUNCH(max_pool_kernel, ov_grid(n, THREADS), THREADS, 0, 0, *y, want_idx ? *idx : *y, *x, *p, n, want_idx);
}

void ov_kmax_pool_backward_cuda(const ovKView *gx, const ovKView *gy, const ovKView *idx, const ovPoolParams *p) {
    int64_t n = kv_numel(gx);
    if (!n) return;
    want_int(gx, "max pooling backward"), want_int(gy, "max pooling backward");
    OV_LAUNCH(max_pool_backward_kernel, ov_grid(n, THREADS), THREADS, 0, 0, *gx, *gy, *idx, *p, n);
}

void ov_kavg_pool_cuda(const ovKView *y, const ovKView *x, const ovPoolParams *p) {
    int64_t n = kv_numel(y);
    if (!n) return;
    want_int(y, "average pooling"), want_int(x, "average pooling");
    OV_LAUNCH(avg_pool_kernel, ov_grid(n, THREADS), THREADS, 0, 0, *y, *x, *p, n);
}

void ov_kavg_pool_backward_cuda(const ovKView *gx, const ovKView *gy, const ovPoolParams *p) {
    int64_t n = kv_numel(gx);
    if (!n) return;
    want_int(gx, "average pooling backward"), want_int(gy, "average pooling backward");
    OV_LAUNCH(avg_pool_backward_kernel, ov_grid(n, THREADS), THREADS, 0, 0, *gx, *gy, *p, n);
}

} /* extern "C" */
