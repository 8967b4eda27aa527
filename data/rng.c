/* rng.c: seeded host-side draws for the data pipeline (see rng.h). */
#include "data/rng.h"

#include "kernels/philox.h"

/* splitmix64's finaliser: a bijective mix, so distinct (seed, epoch, index) give unrelated keys. */
static uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

ovDataRng ov_data_rng(uint64_t seed) {
    ovDataRng r = {.key = seed, .block = 0, .used = 4};
    return r;
}

ovDataRng ov_data_rng_for(uint64_t seed, uint64_t epoch, uint64_t index) {
    return ov_data_rng(mix64(mix64(mix64(seed) ^ epoch) ^ index));
}

uint32_t ov_data_rng_u32(ovDataRng *r) {
    if (r->used == 4) {
        ovPhilox4 b = ov_philox4x32(r->block++, r->key);
        for (int i = 0; i < 4; i++) r->lanes[i] = b.v[i];
        r->used = 0;
    }
    return r->lanes[r->used++];
}

double ov_data_rng_uniform(ovDataRng *r) {
    uint64_t hi = ov_data_rng_u32(r) >> 5, lo = ov_data_rng_u32(r) >> 6; /* 27 + 26 bits */
    return (double)(hi * 67108864ull + lo) * (1.0 / 9007199254740992.0);
}

double ov_data_rng_range(ovDataRng *r, double lo, double hi) { return lo + (hi - lo) * ov_data_rng_uniform(r); }

int64_t ov_data_rng_below(ovDataRng *r, int64_t n) {
    if (n <= 1) return 0;
    uint64_t un = (uint64_t)n;
    /* the largest multiple of n below 2^64: values above it would favour small results */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % un + 1) % un;
    for (;;) {
        uint64_t v = ((uint64_t)ov_data_rng_u32(r) << 32) | ov_data_rng_u32(r);
        if (v <= limit) return (int64_t)(v % un);
    }
}

int ov_data_rng_bernoulli(ovDataRng *r, double p) { return ov_data_rng_uniform(r) < p; }

void ov_data_rng_permutation(ovDataRng *r, int64_t n, int64_t *perm) {
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = ov_data_rng_below(r, i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}
