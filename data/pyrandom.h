/* pyrandom.h: Python's `random` module, as far as dataset scripts use it: the Mersenne Twister
 * MT19937 seeded as random.seed(int) seeds it (init_by_array over the 32-bit words of |seed|),
 * random() with its 53-bit construction, and random.choices(population, weights) (cumulative
 * weights summed left to right in doubles, bisect_right). Same seed, same numbers as CPython 3,
 * so splits made by Python scripts (OpenMixer's preprocess/openworld_split_*.py) can be re-made
 * exactly. */
#ifndef OV_DATA_PYRANDOM_H
#define OV_DATA_PYRANDOM_H

#include <stdint.h>

typedef struct {
    uint32_t mt[624];
    int mti;
} ovPyRandom;

void ov_pyrandom_seed(ovPyRandom *r, uint64_t seed); /* random.seed(seed) for a non-negative int */
uint32_t ov_pyrandom_u32(ovPyRandom *r);             /* getrandbits(32) */
double ov_pyrandom_random(ovPyRandom *r);            /* random.random() */
/* random.choices(range(n), weights=w, k=1)[0]; -1 when the total weight is not positive and finite. */
int ov_pyrandom_choice_weighted(ovPyRandom *r, const double *w, int n);

#endif
