/* rows.h: pieces the fast CPU kernels share: moving a row of elements by their size, filling a
 * row, and each OpenMP thread's share of a range (so a thread seeks its first row once and then
 * steps with kv_rows_next). */
#ifndef OV_KROWS_H
#define OV_KROWS_H

#include <omp.h>
#include <string.h>

#include "kernels/kview.h"

/* n elements of esz bytes from s (step ss) to d (step ds); steps in elements, may be negative. */
static inline void ov_row_copy(void *d, const void *s, int64_t n, int64_t ds, int64_t ss, size_t esz) {
    if (ds == 1 && ss == 1) {
        memcpy(d, s, (size_t)n * esz);
        return;
    }
    switch (esz) {
    case 1: for (int64_t i = 0; i < n; i++) ((uint8_t *)d)[i * ds] = ((const uint8_t *)s)[i * ss]; break;
    case 2: for (int64_t i = 0; i < n; i++) ((uint16_t *)d)[i * ds] = ((const uint16_t *)s)[i * ss]; break;
    case 4: for (int64_t i = 0; i < n; i++) ((uint32_t *)d)[i * ds] = ((const uint32_t *)s)[i * ss]; break;
    default: for (int64_t i = 0; i < n; i++) ((uint64_t *)d)[i * ds] = ((const uint64_t *)s)[i * ss]; break;
    }
}

/* n copies of the element at e into d (step ds). */
static inline void ov_row_fill(void *d, const void *e, int64_t n, int64_t ds, size_t esz) {
    switch (esz) {
    case 1: { uint8_t v; memcpy(&v, e, 1); for (int64_t i = 0; i < n; i++) ((uint8_t *)d)[i * ds] = v; break; }
    case 2: { uint16_t v; memcpy(&v, e, 2); for (int64_t i = 0; i < n; i++) ((uint16_t *)d)[i * ds] = v; break; }
    case 4: { uint32_t v; memcpy(&v, e, 4); for (int64_t i = 0; i < n; i++) ((uint32_t *)d)[i * ds] = v; break; }
    default: { uint64_t v; memcpy(&v, e, 8); for (int64_t i = 0; i < n; i++) ((uint64_t *)d)[i * ds] = v; break; }
    }
}

/* This OpenMP thread's share [*r0, *r1) of n items, in contiguous blocks (the whole range outside
 * a parallel region). */
static inline void ov_thread_range(int64_t n, int64_t *r0, int64_t *r1) {
    int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    *r0 = n * t / nt;
    *r1 = n * (t + 1) / nt;
}

#endif
