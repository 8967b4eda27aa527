/* dropout.h: inverted dropout (torch.nn.functional.dropout in training): element i (row-major
 * index of the view) is kept when ov_philox_uniform_at(seed, 0, i) >= (float)p and then scaled by
 * 1/(1-p), else zeroed. The mask is a pure function of (seed, i): the backward pass and the CUDA
 * kernel regenerate it instead of storing it. p <= 0 copies; p >= 1 zeroes everything. */
#ifndef OV_KDROPOUT_H
#define OV_KDROPOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The factor kept elements are multiplied by: 1/(1-p) rounded to f32 (1 when p <= 0, 0 when
 * p >= 1). The fast CPU kernel and the CUDA kernel both use it and ov_dropout_keep, so their
 * outputs agree bit for bit. */
OV_HD float ov_dropout_scale(double p) { return p <= 0 ? 1.0f : p < 1 ? (float)(1.0 / (1.0 - p)) : 0.0f; }
/* Whether the element drawing uniform u survives probability pf = (float)p. */
OV_HD bool ov_dropout_keep(float u, float pf) { return u >= pf; }

void ov_kdropout_ref(const ovKView *y, const ovKView *x, double p, uint64_t seed);
void ov_kdropout_fast(const ovKView *y, const ovKView *x, double p, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif
