/* rng.h: seeded host-side draws for data sampling and augmentation (frame choice, flips, scale
 * and colour jitter, shuffling). A stream is Philox4x32-10 (kernels/philox.h) keyed by a seed and
 * read block by block, so a sample's draws depend only on its key: the loader derives each
 * sample's stream from (seed, epoch, sample index), which makes augmentation independent of how
 * many worker threads there are and of the order they run in. */
#ifndef OV_DATA_RNG_H
#define OV_DATA_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t key;
    uint64_t block;    /* next Philox block to generate */
    uint32_t lanes[4]; /* the current block */
    int used;          /* lanes of it already handed out (4 = none left) */
} ovDataRng;

ovDataRng ov_data_rng(uint64_t seed);
/* The stream of one item of one epoch: an independent key mixed from the three numbers. */
ovDataRng ov_data_rng_for(uint64_t seed, uint64_t epoch, uint64_t index);

uint32_t ov_data_rng_u32(ovDataRng *r);
/* Uniform in [0, 1) with 53 random bits. */
double ov_data_rng_uniform(ovDataRng *r);
/* Uniform in [lo, hi). */
double ov_data_rng_range(ovDataRng *r, double lo, double hi);
/* Uniform integer in [0, n), unbiased (rejection); 0 when n <= 1. */
int64_t ov_data_rng_below(ovDataRng *r, int64_t n);
/* True with probability p. */
int ov_data_rng_bernoulli(ovDataRng *r, double p);
/* perm[0..n) := a uniformly random permutation of 0..n-1 (Fisher-Yates). */
void ov_data_rng_permutation(ovDataRng *r, int64_t n, int64_t *perm);

#endif
