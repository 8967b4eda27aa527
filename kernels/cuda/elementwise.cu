/* elementwise.cu: CUDA twins of kernels/cpu/elementwise.h: unary functions and their fused
 * derivative, broadcasting binary functions, comparisons and where, over strided views. The
 * formulas are the shared ones of kernels/elementwise_math.h, so the GPU computes what the CPU
 * reference computes. One grid-stride loop per kernel; a contiguous fast path skips the
 * per-dimension offset arithmetic. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/elementwise.h"

/* Element i's offset in v, or i itself when every view of the call is contiguous. */
__device__ __forceinline__ int64_t off(const ovKView &v, int64_t i, bool flat) { return flat ? i : kv_offset(&v, i); }

__global__ void unary_kernel(ovKView out, ovKView x, int fn, float p1, float p2, int64_t n, bool flat) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        kv_f32(&out)[off(out, i, flat)] = ov_unary((ovUnaryFn)fn, kv_f32(&x)[off(x, i, flat)], p1, p2);
}

__global__ void unary_backward_kernel(ovKView gin, ovKView g, ovKView x, ovKView y, int fn, float p1, float p2,
                                      int64_t n, bool flat) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        float xv = kv_f32(&x)[off(x, i, flat)], yv = kv_f32(&y)[off(y, i, flat)];
        kv_f32(&gin)[off(gin, i, flat)] = kv_f32(&g)[off(g, i, flat)] * ov_unary_deriv((ovUnaryFn)fn, xv, yv, p1, p2);
    }
}

__global__ void binary_kernel(ovKView out, ovKView a, ovKView b, int fn, int64_t n, bool flat) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        kv_f32(&out)[off(out, i, flat)] =
            ov_binary((ovBinaryFn)fn, kv_f32(&a)[off(a, i, flat)], kv_f32(&b)[off(b, i, flat)]);
}

__global__ void compare_kernel(ovKView out, ovKView a, ovKView b, int fn, int64_t n) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        float av = (float)kv_load(a.dtype, a.data, kv_offset(&a, i));
        float bv = (float)kv_load(b.dtype, b.data, kv_offset(&b, i));
        kv_u8(&out)[kv_offset(&out, i)] = (uint8_t)ov_compare((ovCompareFn)fn, av, bv);
    }
}

__global__ void where_kernel(ovKView out, ovKView cond, ovKView a, ovKView b, int64_t n) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        kv_f32(&out)[kv_offset(&out, i)] =
            kv_u8(&cond)[kv_offset(&cond, i)] ? kv_f32(&a)[kv_offset(&a, i)] : kv_f32(&b)[kv_offset(&b, i)];
}

static bool flat2(const ovKView *a, const ovKView *b) { return kv_is_contiguous(a) && kv_is_contiguous(b); }

extern "C" {

void ov_kunary_cuda(ovUnaryFn f, const ovKView *out, const ovKView *x, float p1, float p2) {
    int64_t n = kv_numel(out);
    if (n) OV_LAUNCH(unary_kernel, ov_grid(n, 256), 256, 0, 0, *out, *x, (int)f, p1, p2, n, flat2(out, x));
}

void ov_kunary_backward_cuda(ovUnaryFn f, const ovKView *gin, const ovKView *g, const ovKView *x, const ovKView *y,
                             float p1, float p2) {
    int64_t n = kv_numel(gin);
    bool flat = flat2(gin, g) && flat2(x, y);
    if (n) OV_LAUNCH(unary_backward_kernel, ov_grid(n, 256), 256, 0, 0, *gin, *g, *x, *y, (int)f, p1, p2, n, flat);
}

void ov_kbinary_cuda(ovBinaryFn f, const ovKView *out, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    bool flat = flat2(out, a) && kv_is_contiguous(b);
    if (n) OV_LAUNCH(binary_kernel, ov_grid(n, 256), 256, 0, 0, *out, *a, *b, (int)f, n, flat);
}

void ov_kcompare_cuda(ovCompareFn f, const ovKView *out, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    if (n) OV_LAUNCH(compare_kernel, ov_grid(n, 256), 256, 0, 0, *out, *a, *b, (int)f, n);
}

void ov_kwhere_cuda(const ovKView *out, const ovKView *cond, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    if (n) OV_LAUNCH(where_kernel, ov_grid(n, 256), 256, 0, 0, *out, *cond, *a, *b, n);
}

} /* extern "C" */
