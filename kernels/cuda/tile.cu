/* tile.cu: torch.Tensor.repeat, F.pad (constant) and torch.flip on the device
 * (kernels/cpu/index.h). Each output element comes from one computed position of x (or is the pad
 * value): one thread per output element, its coordinates unravelled from the linear position. */
#include "kernels/cuda/index_common.cuh"

/* ---------------- repeat ---------------- */

template <typename T, typename I>
__global__ void repeat_kernel(ovKView out, ovKView x, int64_t n) {
    OV_GRID_LOOP(I, i, n) {
        I rest = i;
        int64_t oo = 0, xo = 0;
        for (int d = out.ndim - 1; d >= 0; d--) {
            I s = (I)out.shape[d], c = rest % s;
            rest /= s;
            oo += (int64_t)c * out.stride[d];
            xo += (int64_t)(c % (I)x.shape[d]) * x.stride[d];
        }
        ((T *)out.data)[oo] = ((const T *)x.data)[xo];
    }
}

template <typename T, typename I>
static void launch_repeat(const ovKView *out, const ovKView *x, int64_t n) {
    OV_LAUNCH((repeat_kernel<T, I>), ov_grid(n, 256), 256, 0, 0, *out, *x, n);
}

extern "C" void ov_krepeat_cuda(const ovKView *out, const ovKView *x) {
    int64_t n = kv_numel(out);
    if (n) OV_INDEX_DISPATCH(ov_dtype_size(out->dtype), n, launch_repeat, out, x, n);
}

/* ---------------- pad ---------------- */

struct PadLo {
    int64_t lo[OV_KMAX_DIMS];
};

template <typename T, typename I>
__global__ void pad_kernel(ovKView out, ovKView x, PadLo p, T fill, int64_t n) {
    OV_GRID_LOOP(I, i, n) {
        I rest = i;
        int64_t oo = 0, xo = 0;
        bool inside = true;
        for (int d = out.ndim - 1; d >= 0; d--) {
            I s = (I)out.shape[d], c = rest % s;
            rest /= s;
            oo += (int64_t)c * out.stride[d];
            int64_t xc = (int64_t)c - p.lo[d];
            inside &= xc >= 0 && xc < x.shape[d];
            xo += xc * x.stride[d];
        }
        ((T *)out.data)[oo] = inside ? ((const T *)x.data)[xo] : fill;
    }
}

template <typename T, typename I>
static void launch_pad(const ovKView *out, const ovKView *x, const PadLo *p, uint64_t fill_bits, int64_t n) {
    T fill;
    memcpy(&fill, &fill_bits, sizeof fill); /* the low bytes: where kv_store put the element */
    OV_LAUNCH((pad_kernel<T, I>), ov_grid(n, 256), 256, 0, 0, *out, *x, *p, fill, n);
}

extern "C" void ov_kpad_cuda(const ovKView *out, const ovKView *x, const int64_t *lo, double value) {
    int64_t n = kv_numel(out);
    if (n == 0) return;
    PadLo p;
    for (int d = 0; d < out->ndim; d++) p.lo[d] = lo[d];
    uint64_t fill = 0; /* the value as one element of out's dtype */
    kv_store(out->dtype, &fill, 0, value);
    OV_INDEX_DISPATCH(ov_dtype_size(out->dtype), n, launch_pad, out, x, &p, fill, n);
}

/* ---------------- flip ---------------- */

template <typename T, typename I>
__global__ void flip_kernel(ovKView out, ovKView x, unsigned dims, int64_t n) {
    OV_GRID_LOOP(I, i, n) {
        I rest = i;
        int64_t oo = 0, xo = 0;
        for (int d = out.ndim - 1; d >= 0; d--) {
            I s = (I)out.shape[d], c = rest % s;
            rest /= s;
            oo += (int64_t)c * out.stride[d];
            xo += (int64_t)((dims >> d & 1) ? s - 1 - c : c) * x.stride[d];
        }
        ((T *)out.data)[oo] = ((const T *)x.data)[xo];
    }
}

template <typename T, typename I>
static void launch_flip(const ovKView *out, const ovKView *x, unsigned dims, int64_t n) {
    OV_LAUNCH((flip_kernel<T, I>), ov_grid(n, 256), 256, 0, 0, *out, *x, dims, n);
}

extern "C" void ov_kflip_cuda(const ovKView *out, const ovKView *x, unsigned dims) {
    int64_t n = kv_numel(out);
    if (n) OV_INDEX_DISPATCH(ov_dtype_size(out->dtype), n, launch_flip, out, x, dims, n);
}
