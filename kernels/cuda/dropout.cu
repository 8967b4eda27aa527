/* dropout.cu: inverted dropout on the device (torch.nn.functional.dropout in training), the CUDA
 * twin of kernels/cpu/dropout.c. Element i (row-major index of the view) is kept when
 * ov_philox_uniform_at(seed, 0, i) >= (float)p: each thread takes the 4 elements of one Philox
 * block (kernels/philox.h, the same code as on the CPU) and uses all 4 lanes of the draw, so the
 * mask, the scale and therefore the output are the CPU's bit for bit. */
#include "kernels/cpu/dropout.h"
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/copy.h"
#include "kernels/cuda/dropout.h"
#include "kernels/philox.h"

__global__ void dropout_kernel(ovKView y, ovKView x, int64_t n, float pf, float scale, uint64_t seed, bool flat) {
    float *yp = kv_f32(&y);
    const float *xp = kv_f32(&x);
    int64_t blocks = (n + 3) / 4;
    for (int64_t q = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; q < blocks; q += (int64_t)gridDim.x * blockDim.x) {
        ovPhilox4 u = ov_philox4x32((uint64_t)q, seed);
        for (int lane = 0; lane < 4; lane++) {
            int64_t i = 4 * q + lane;
            if (i >= n) break;
            int64_t yo = flat ? i : kv_offset(&y, i), xo = flat ? i : kv_offset(&x, i);
            yp[yo] = ov_dropout_keep(ov_philox_uniform(u.v[lane]), pf) ? xp[xo] * scale : 0.0f;
        }
    }
}

extern "C" void ov_kdropout_cuda(const ovKView *y, const ovKView *x, double p, uint64_t seed) {
    int64_t n = kv_numel(y);
    if (n == 0) return;
    if (p <= 0) { /* the identity, as on the CPU */
        ov_kcopy_cuda(y, x);
        return;
    }
    bool flat = kv_is_contiguous(y) && kv_is_contiguous(x);
    OV_LAUNCH(dropout_kernel, ov_grid((n + 3) / 4, 256), 256, 0, 0, *y, *x, n, (float)p, ov_dropout_scale(p), seed,
              flat);
}
