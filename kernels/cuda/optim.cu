/* optim.cu: fused optimizer updates, one grid-stride pass over the parameters with the formulas of
 * kernels/optim_math.h (each element read and written once). */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/optim.h"

__global__ void sgd_kernel(ovSgdHyper h, float *p, const float *g, float *buf, int64_t n) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        ov_sgd_update(&h, &p[i], g[i], buf ? &buf[i] : NULL);
}

__global__ void adamw_kernel(ovAdamwHyper h, float *p, const float *g, float *m, float *v, int64_t n) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        ov_adamw_update(&h, &p[i], g[i], &m[i], &v[i]);
}

extern "C" void ov_ksgd_cuda(const ovSgdHyper *h, float *p, const float *g, float *buf, int64_t n) {
    if (n) OV_LAUNCH(sgd_kernel, ov_grid(n, 256), 256, 0, 0, *h, p, g, buf, n);
}

extern "C" void ov_kadamw_cuda(const ovAdamwHyper *h, float *p, const float *g, float *m, float *v, int64_t n) {
    if (n) OV_LAUNCH(adamw_kernel, ov_grid(n, 256), 256, 0, 0, *h, p, g, m, v, n);
}
