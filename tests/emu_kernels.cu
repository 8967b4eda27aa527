/* emu_kernels.cu: kernels that test the CUDA emulator itself (tests/test_emu.c): correct ones
 * (block reduction through shared memory and barriers, warp reductions through shuffles, atomics)
 * and deliberately broken ones that the emulator must expose (a read of shared memory before the
 * barrier that publishes it, an output element never written, a divergent barrier, too much
 * shared memory). */
#include "kernels/cuda/common.cuh"

/* Sum of each block's 256 inputs: tree reduction in shared memory. */
__global__ void block_sum(const float *x, float *out, int n, int racy) {
    OV_SHARED(float, buf, 256);
    int i = blockIdx.x * 256 + threadIdx.x;
    buf[threadIdx.x] = i < n ? x[i] : 0.0f;
    if (!racy) __syncthreads(); /* the broken variant forgets to publish the writes */
    for (int s = 128; s > 0; s >>= 1) {
        if ((int)threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = buf[0];
}

/* out[i] = 2 x[i]; the broken variant skips the last element. */
__global__ void scale2(const float *x, float *out, int n, int skip_last) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n - (skip_last ? 1 : 0)) out[i] = 2.0f * x[i];
}

/* Warp sums with xor butterflies (all lanes get the sum) and down shifts (lane 0 gets it). */
__global__ void warp_sums(const float *x, float *out_xor, float *out_down) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = x[i], w = x[i];
    for (int m = 16; m > 0; m >>= 1) v += __shfl_xor_sync(0xffffffffu, v, m);
    for (int d = 16; d > 0; d >>= 1) w += __shfl_down_sync(0xffffffffu, w, d);
    out_xor[i] = v;
    if (threadIdx.x % 32 == 0) out_down[i / 32] = w;
}

__global__ void count_positive(const float *x, int n, int *count) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && x[i] > 0) atomicAdd(count, 1);
}

__global__ void divergent_barrier(float *out) {
    if (threadIdx.x >= 100) return; /* the others wait forever on a GPU */
    __syncthreads();
    out[threadIdx.x] = 1.0f;
}

__global__ void too_much_shared(float *out) {
    OV_SHARED(float, big, 16384); /* 64 KiB */
    big[threadIdx.x] = 1.0f;
    out[threadIdx.x] = big[threadIdx.x];
}

extern "C" {
void emu_test_block_sum(const float *x, float *out, int n, int racy) {
    OV_LAUNCH(block_sum, ov_blocks(n, 256), 256, 0, 0, x, out, n, racy);
}
void emu_test_scale2(const float *x, float *out, int n, int skip_last) {
    OV_LAUNCH(scale2, ov_blocks(n, 96), 96, 0, 0, x, out, n, skip_last);
}
void emu_test_warp_sums(const float *x, float *out_xor, float *out_down, int n) {
    OV_LAUNCH(warp_sums, n / 64, 64, 0, 0, x, out_xor, out_down);
}
void emu_test_count_positive(const float *x, int n, int *count) {
    OV_LAUNCH(count_positive, ov_blocks(n, 128), 128, 0, 0, x, n, count);
}
void emu_test_divergent_barrier(float *out) { OV_LAUNCH(divergent_barrier, 1, 128, 0, 0, out); }
void emu_test_too_much_shared(float *out) { OV_LAUNCH(too_much_shared, 1, 32, 0, 0, out); }
void *emu_test_malloc(size_t n) {
    void *p = NULL;
    OV_CUDA_CHECK(cudaMalloc(&p, n));
    return p;
}
void emu_test_free(void *p) { OV_CUDA_CHECK(cudaFree(p)); }
}
