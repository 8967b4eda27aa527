/* philox.h: the Philox4x32-10 counter-based generator (Salmon et al., SC'11, "Parallel random
 * numbers: as easy as 1, 2, 3"). Element i of a draw uses block (offset + i/4), lane i%4, so a CUDA
 * thread can compute any element on its own and get exactly the CPU's number. */
#ifndef OV_PHILOX_H
#define OV_PHILOX_H

#include <math.h>
#include <stdint.h>

#include "kernels/half.h" /* OV_HD */

typedef struct {
    uint32_t v[4];
} ovPhilox4;

OV_HD ovPhilox4 ov_philox4x32(uint64_t counter, uint64_t seed) {
    uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)0xD2511F53u * c0;
        uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    ovPhilox4 out = {{c0, c1, c2, c3}};
    return out;
}

/* Uniform in [0,1) with 24 random bits (exactly representable in f32). */
OV_HD float ov_philox_uniform(uint32_t x) { return (float)(x >> 8) * (1.0f / 16777216.0f); }

/* Element i of a uniform draw. */
OV_HD float ov_philox_uniform_at(uint64_t seed, uint64_t offset, uint64_t i) {
    ovPhilox4 r = ov_philox4x32(offset + i / 4, seed);
    return ov_philox_uniform(r.v[i % 4]);
}

/* Element i of a standard normal draw: Box-Muller on lanes (0,1) and (2,3) of block i/4. */
OV_HD float ov_philox_normal_at(uint64_t seed, uint64_t offset, uint64_t i) {
    ovPhilox4 r = ov_philox4x32(offset + i / 4, seed);
    int pair = (int)(i % 4) / 2;
    float u1 = 1.0f - ov_philox_uniform(r.v[2 * pair]); /* (0,1] so log is finite */
    float u2 = ov_philox_uniform(r.v[2 * pair + 1]);
    float rad = sqrtf(-2.0f * logf(u1));
    float th = 6.2831853071795864769f * u2;
    return (i % 2 == 0) ? rad * cosf(th) : rad * sinf(th);
}

/* Philox blocks a draw of n elements consumes (the generator's offset advances by this). */
OV_HD uint64_t ov_philox_blocks(uint64_t n) { return (n + 3) / 4; }

#endif
