/* create.h: making tensors: constants, ranges, host buffers and random draws.
 * Random draws use Philox (kernels/philox.h) from a generator that is a (seed, offset) pair: each
 * call site owns a generator seeded on its own, so the draw does not depend on what ran before it,
 * and the CUDA backend reproduces the identical stream from the same pair. */
#ifndef OV_CREATE_H
#define OV_CREATE_H

#include "tensor/tensor.h"

/* Shapes are passed as (ndim, int64 array); OV_SHAPE(2,3) builds both from a literal list. */
#define OV_SHAPE(...) (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (int64_t[]){__VA_ARGS__}

ovTensor *ov_zeros(int ndim, const int64_t *shape, ovDType dtype);
ovTensor *ov_ones(int ndim, const int64_t *shape, ovDType dtype);
ovTensor *ov_full(int ndim, const int64_t *shape, double value, ovDType dtype);
ovTensor *ov_scalar(double value, ovDType dtype); /* 0-dim */
/* [start, end) with step, like torch.arange; F32 or I64. */
ovTensor *ov_arange(double start, double end, double step, ovDType dtype);
/* steps points from start to end inclusive, like torch.linspace. */
ovTensor *ov_linspace(double start, double end, int64_t steps, ovDType dtype);
/* Copies numel elements of `dtype` from host memory. */
ovTensor *ov_from_data(const void *data, int ndim, const int64_t *shape, ovDType dtype);
/* Same shape and dtype as t, filled with value. */
ovTensor *ov_full_like(const ovTensor *t, double value);

typedef struct {
    uint64_t seed;
    uint64_t offset; /* Philox blocks consumed so far */
} ovGenerator;

ovGenerator ov_generator(uint64_t seed);
/* The thread's default generator, used when a NULL generator is passed. */
void ov_manual_seed(uint64_t seed);
ovGenerator *ov_default_generator(void);

/* F32 uniform in [low, high). */
ovTensor *ov_rand(int ndim, const int64_t *shape, double low, double high, ovGenerator *g);
/* F32 normal with mean and std. */
ovTensor *ov_randn(int ndim, const int64_t *shape, double mean, double std, ovGenerator *g);
/* I64 uniform integers in [low, high). */
ovTensor *ov_randint(int ndim, const int64_t *shape, int64_t low, int64_t high, ovGenerator *g);
/* F32 0/1 with P(1) = p. */
ovTensor *ov_bernoulli(int ndim, const int64_t *shape, double p, ovGenerator *g);

/* In-place, no autograd: copy src into dst (same shape after broadcasting src; any dtypes and
 * devices), fill. */
void ov_copy_(ovTensor *dst, const ovTensor *src);
void ov_fill_(ovTensor *dst, double value);

#endif
