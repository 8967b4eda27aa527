/* elementwise.h: CUDA twins of the elementwise kernels of kernels/cpu/elementwise.h (same
 * arguments and contract; the views point to device memory). */
#ifndef OV_CUDA_ELEMENTWISE_H
#define OV_CUDA_ELEMENTWISE_H

#include "kernels/elementwise_math.h"
#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

void ov_kunary_cuda(ovUnaryFn f, const ovKView *out, const ovKView *x, float p1, float p2);
void ov_kunary_backward_cuda(ovUnaryFn f, const ovKView *gin, const ovKView *g, const ovKView *x, const ovKView *y,
                             float p1, float p2);
void ov_kbinary_cuda(ovBinaryFn f, const ovKView *out, const ovKView *a, const ovKView *b);
void ov_kcompare_cuda(ovCompareFn f, const ovKView *out, const ovKView *a, const ovKView *b);
void ov_kwhere_cuda(const ovKView *out, const ovKView *cond, const ovKView *a, const ovKView *b);

#ifdef __cplusplus
}
#endif

#endif
