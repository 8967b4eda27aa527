/* reduce.cu: sum reductions on the device. The reduced dims of x are split into `red` (walked
 * inside one output) and the kept dims into `xkept`/`okept` (where output j starts in x and where
 * it goes in out). Short reductions give each output one thread; long ones one block of 256
 * threads that stride over the reduced elements and finish with a tree in shared memory. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/reduce.h"

#define SUM_THREADS 256

__global__ void sum_per_thread_kernel(ovKView okept, ovKView xkept, ovKView red, const float *x, float *out, int64_t m,
                                      int64_t r) {
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < m; j += (int64_t)gridDim.x * blockDim.x) {
        const float *base = x + kv_offset(&xkept, j);
        float s = 0;
        for (int64_t k = 0; k < r; k++) s += base[kv_offset(&red, k)];
        out[kv_offset(&okept, j)] = s;
    }
}

__global__ void sum_per_block_kernel(ovKView okept, ovKView xkept, ovKView red, const float *x, float *out, int64_t m,
                                     int64_t r) {
    OV_SHARED(float, part, SUM_THREADS);
    for (int64_t j = blockIdx.x; j < m; j += gridDim.x) {
        const float *base = x + kv_offset(&xkept, j);
        float s = 0;
        for (int64_t k = threadIdx.x; k < r; k += blockDim.x) s += base[kv_offset(&red, k)];
        part[threadIdx.x] = s;
        __syncthreads();
        for (int h = SUM_THREADS / 2; h > 0; h >>= 1) {
            if ((int)threadIdx.x < h) part[threadIdx.x] += part[threadIdx.x + h];
            __syncthreads();
        }
        if (threadIdx.x == 0) out[kv_offset(&okept, j)] = part[0];
        __syncthreads(); /* part is reused by the next output */
    }
}

extern "C" void ov_ksum_cuda(const ovKView *out, const ovKView *x) {
    ovKView xkept = *x, okept = *out, red = *x;
    int nk = 0, nr = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (out->shape[d] != x->shape[d]) {
            red.shape[nr] = x->shape[d];
            red.stride[nr++] = x->stride[d];
        } else {
            xkept.shape[nk] = okept.shape[nk] = x->shape[d];
            xkept.stride[nk] = x->stride[d];
            okept.stride[nk] = out->stride[d];
            nk++;
        }
    }
    xkept.ndim = okept.ndim = nk;
    red.ndim = nr;
    int64_t m = kv_numel(&xkept), r = kv_numel(&red);
    if (m == 0) return;
    if (r <= 64)
        OV_LAUNCH(sum_per_thread_kernel, ov_grid(m, 128), 128, 0, 0, okept, xkept, red, kv_f32(x), kv_f32(out), m, r);
    else
        OV_LAUNCH(sum_per_block_kernel, ov_grid(m * SUM_THREADS, SUM_THREADS), SUM_THREADS, 0, 0, okept, xkept, red,
                  kv_f32(x), kv_f32(out), m, r);
}
