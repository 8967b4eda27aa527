/* random.h: Philox draws on the device, element i from block (offset + i/4) lane i%4 exactly as
 * tensor/create.c draws them on the CPU (kernels/philox.h is shared), so a seeded tensor is the
 * same on either device: bit for bit for uniform, integer and Bernoulli draws; normals go through
 * the device's logf/sqrtf/sincos, which may differ from the host's in the last bit. */
#ifndef OV_CUDA_RANDOM_H
#define OV_CUDA_RANDOM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { OV_DRAW_UNIFORM, OV_DRAW_NORMAL, OV_DRAW_BERNOULLI } ovDrawKind;

/* out[i] = a + b * u (uniform), a + b * z (normal), or (u < a) (Bernoulli), i < n, contiguous f32. */
void ov_kdraw_cuda(ovDrawKind kind, float *out, int64_t n, uint64_t seed, uint64_t offset, double a, double b);
/* out[i] = low + (lane * range) >> 32, contiguous i64 (randint). */
void ov_krandint_cuda(int64_t *out, int64_t n, uint64_t seed, uint64_t offset, int64_t low, uint64_t range);

#ifdef __cplusplus
}
#endif

#endif
