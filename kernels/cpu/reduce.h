/* reduce.h: CPU reduction kernels. `out` is a view with x's number of dims in which every reduced
 * dim has size 1 (the keepdim shape); the dims where out is 1 and x is not are the reduced ones.
 * _ref accumulates in double, one element at a time; _fast uses float partial sums over
 * contiguous spans and OpenMP over independent outputs (deterministic for a thread count). */
#ifndef OV_KREDUCE_H
#define OV_KREDUCE_H

#include "kernels/kview.h"

void ov_ksum_ref(const ovKView *out, const ovKView *x);
void ov_ksum_fast(const ovKView *out, const ovKView *x);

#endif
