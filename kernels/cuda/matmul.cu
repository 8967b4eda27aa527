/* matmul.cu: batched products on the device: the CPU's view-to-GEMM plan (ov_kmatmul_with) with
 * cuBLAS for the products, the device copy for operands that must be compacted, and device scratch. */
#include "kernels/cpu/matmul.h"
#include "kernels/cuda/blas.h"
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/copy.h"
#include "kernels/cuda/device.h"
#include "kernels/cuda/matmul.h"

extern "C" void ov_kmatmul_cuda(const ovKView *out, const ovKView *a, const ovKView *b) {
    static const ovMatmulBackend device = {ov_sgemm_batched_cuda, ov_kcopy_cuda, ov_cuda_alloc, ov_cuda_free};
    ov_kmatmul_with(&device, out, a, b);
}
