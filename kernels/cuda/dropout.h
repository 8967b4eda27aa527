/* dropout.h: CUDA twin of kernels/cpu/dropout.h (same arguments and contract; the views point to
 * device memory). The mask is the CPU's, so the device output equals the fast CPU kernel's bit for
 * bit. */
#ifndef OV_CUDA_DROPOUT_H
#define OV_CUDA_DROPOUT_H

#include <stdint.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kdropout_cuda(const ovKView *y, const ovKView *x, double p, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif
