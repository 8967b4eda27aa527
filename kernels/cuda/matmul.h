/* matmul.h: the device twin of kernels/cpu/matmul.h (batched products with broadcast batch dims,
 * mapped onto cuBLAS by the same plan as the CPU). */
#ifndef OV_CUDA_MATMUL_H
#define OV_CUDA_MATMUL_H

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kmatmul_cuda(const ovKView *out, const ovKView *a, const ovKView *b);

#ifdef __cplusplus
}
#endif

#endif
