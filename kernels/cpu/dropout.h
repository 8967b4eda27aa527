/* dropout.h: inverted dropout (torch.nn.functional.dropout in training): element i (row-major
 * index of the view) is kept when ov_philox_uniform_at(seed, 0, i) >= (float)p and then scaled by
 * 1/(1-p), else zeroed. The mask is a pure function of (seed, i): the backward pass and the CUDA
 * kernel regenerate it instead of storing it. p <= 0 copies; p >= 1 zeroes everything. */
#ifndef OV_KDROPOUT_H
#define OV_KDROPOUT_H

#include <stdint.h>

#include "kernels/kview.h"

void ov_kdropout_ref(const ovKView *y, const ovKView *x, double p, uint64_t seed);
void ov_kdropout_fast(const ovKView *y, const ovKView *x, double p, uint64_t seed);

#endif
