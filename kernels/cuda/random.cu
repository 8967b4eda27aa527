/* random.cu: Philox draws on the device (see random.h), one thread per element. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/random.h"
#include "kernels/philox.h"

__global__ void draw_kernel(int kind, float *out, int64_t n, uint64_t seed, uint64_t offset, double a, double b) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        if (kind == OV_DRAW_NORMAL)
            out[i] = (float)(a + b * ov_philox_normal_at(seed, offset, (uint64_t)i));
        else if (kind == OV_DRAW_UNIFORM)
            out[i] = (float)(a + b * ov_philox_uniform_at(seed, offset, (uint64_t)i));
        else
            out[i] = ov_philox_uniform_at(seed, offset, (uint64_t)i) < a ? 1.0f : 0.0f;
    }
}

__global__ void randint_kernel(int64_t *out, int64_t n, uint64_t seed, uint64_t offset, int64_t low, uint64_t range) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        ovPhilox4 r = ov_philox4x32(offset + (uint64_t)i / 4, seed);
        out[i] = low + (int64_t)(((uint64_t)r.v[i % 4] * range) >> 32);
    }
}

extern "C" void ov_kdraw_cuda(ovDrawKind kind, float *out, int64_t n, uint64_t seed, uint64_t offset, double a,
                              double b) {
    if (n) OV_LAUNCH(draw_kernel, ov_grid(n, 256), 256, 0, 0, (int)kind, out, n, seed, offset, a, b);
}

extern "C" void ov_krandint_cuda(int64_t *out, int64_t n, uint64_t seed, uint64_t offset, int64_t low, uint64_t range) {
    if (n) OV_LAUNCH(randint_kernel, ov_grid(n, 256), 256, 0, 0, out, n, seed, offset, low, range);
}
