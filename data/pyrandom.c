/* pyrandom.c: CPython's random module core (Modules/_randommodule.c: init_genrand, init_by_array,
 * genrand_uint32, random_random) and Lib/random.py choices() with weights (pyrandom.h). */
#include "data/pyrandom.h"

#include <math.h>

static void init_genrand(ovPyRandom *r, uint32_t s) {
    r->mt[0] = s;
    for (int i = 1; i < 624; i++) r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->mti = 624;
}

void ov_pyrandom_seed(ovPyRandom *r, uint64_t seed) {
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    int klen = key[1] ? 2 : 1; /* the 32-bit words of the integer, least significant first */
    init_genrand(r, 19650218u);
    int i = 1, j = 0;
    for (int k = 624 > klen ? 624 : klen; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= 624) {
            r->mt[0] = r->mt[623];
            i = 1;
        }
        if (j >= klen) j = 0;
    }
    for (int k = 623; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= 624) {
            r->mt[0] = r->mt[623];
            i = 1;
        }
    }
    r->mt[0] = 0x80000000u;
}

uint32_t ov_pyrandom_u32(ovPyRandom *r) {
    static const uint32_t mag01[2] = {0, 0x9908b0dfu};
    if (r->mti >= 624) {
        int k;
        for (k = 0; k < 624 - 397; k++) {
            uint32_t y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + 397] ^ (y >> 1) ^ mag01[y & 1];
        }
        for (; k < 623; k++) {
            uint32_t y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + (397 - 624)] ^ (y >> 1) ^ mag01[y & 1];
        }
        uint32_t y = (r->mt[623] & 0x80000000u) | (r->mt[0] & 0x7fffffffu);
        r->mt[623] = r->mt[396] ^ (y >> 1) ^ mag01[y & 1];
        r->mti = 0;
    }
    uint32_t y = r->mt[r->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double ov_pyrandom_random(ovPyRandom *r) {
    uint32_t a = ov_pyrandom_u32(r) >> 5, b = ov_pyrandom_u32(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

int ov_pyrandom_choice_weighted(ovPyRandom *r, const double *w, int n) {
    if (n < 1) return -1;
    /* cum_weights = list(accumulate(weights)); total = cum_weights[-1] + 0.0 */
    double cum[256];
    if (n > 256) return -1;
    double s = 0;
    for (int i = 0; i < n; i++) cum[i] = s = i ? s + w[i] : w[i];
    double total = cum[n - 1];
    if (!(total > 0) || !isfinite(total)) return -1;
    double x = ov_pyrandom_random(r) * total;
    int lo = 0, hi = n - 1; /* bisect(cum_weights, x, 0, n - 1) */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x < cum[mid]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}
