/* copy.cu: strided copy / dtype conversion and fill on the device, one thread per element.
 * Views travel to the kernel by value; element offsets come from the linear index (kv_offset). */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/copy.h"

__global__ void copy_same_kernel(ovKView dst, ovKView src, int64_t n, int esize) {
    int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int64_t d = kv_offset(&dst, i), s = kv_offset(&src, i);
    switch (esize) {
    case 1: ((uint8_t *)dst.data)[d] = ((const uint8_t *)src.data)[s]; break;
    case 2: ((uint16_t *)dst.data)[d] = ((const uint16_t *)src.data)[s]; break;
    case 4: ((uint32_t *)dst.data)[d] = ((const uint32_t *)src.data)[s]; break;
    default: ((uint64_t *)dst.data)[d] = ((const uint64_t *)src.data)[s]; break;
    }
}

__global__ void copy_convert_kernel(ovKView dst, ovKView src, int64_t n) {
    int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    kv_store(dst.dtype, dst.data, kv_offset(&dst, i), kv_load(src.dtype, src.data, kv_offset(&src, i)));
}

__global__ void fill_kernel(ovKView dst, double value, int64_t n) {
    int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) kv_store(dst.dtype, dst.data, kv_offset(&dst, i), value);
}

extern "C" void ov_kcopy_cuda(const ovKView *dst, const ovKView *src) {
    int64_t n = kv_numel(dst);
    if (n == 0) return;
    if (dst->dtype == src->dtype && kv_is_contiguous(dst) && kv_is_contiguous(src)) {
        OV_CUDA_CHECK(cudaMemcpy(dst->data, src->data, (size_t)n * ov_dtype_size(dst->dtype), cudaMemcpyDeviceToDevice));
        return;
    }
    if (dst->dtype == src->dtype)
        OV_LAUNCH(copy_same_kernel, ov_blocks(n, 256), 256, 0, 0, *dst, *src, n, (int)ov_dtype_size(dst->dtype));
    else
        OV_LAUNCH(copy_convert_kernel, ov_blocks(n, 256), 256, 0, 0, *dst, *src, n);
}

extern "C" void ov_kfill_cuda(const ovKView *dst, double value) {
    int64_t n = kv_numel(dst);
    if (n) OV_LAUNCH(fill_kernel, ov_blocks(n, 256), 256, 0, 0, *dst, value, n);
}
