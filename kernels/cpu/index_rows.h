/* index_rows.h: pieces shared by the index family's kernels (join.c, gather.c, tile.c, sort.c):
 * moving elements by their size, and offsets of a coordinate range of a view. */
#ifndef OV_KINDEX_ROWS_H
#define OV_KINDEX_ROWS_H

#include <omp.h>
#include <string.h>

#include "kernels/kview.h"

/* Elements above which the fast kernels split their work among OpenMP threads. */
#define OV_KINDEX_PAR 32768

/* n elements of esz bytes from s (step ss) to d (step ds); steps in elements, may be negative. */
static inline void kidx_row_copy(void *d, const void *s, int64_t n, int64_t ds, int64_t ss, size_t esz) {
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
static inline void kidx_row_fill(void *d, const void *e, int64_t n, int64_t ds, size_t esz) {
    switch (esz) {
    case 1: { uint8_t v; memcpy(&v, e, 1); for (int64_t i = 0; i < n; i++) ((uint8_t *)d)[i * ds] = v; break; }
    case 2: { uint16_t v; memcpy(&v, e, 2); for (int64_t i = 0; i < n; i++) ((uint16_t *)d)[i * ds] = v; break; }
    case 4: { uint32_t v; memcpy(&v, e, 4); for (int64_t i = 0; i < n; i++) ((uint32_t *)d)[i * ds] = v; break; }
    default: { uint64_t v; memcpy(&v, e, 8); for (int64_t i = 0; i < n; i++) ((uint64_t *)d)[i * ds] = v; break; }
    }
}

/* Address of element `off` of a view. */
static inline char *kidx_at(const ovKView *v, int64_t off, size_t esz) { return (char *)v->data + off * (int64_t)esz; }

/* Row-major coordinates of element i of a shape. */
static inline void kidx_unravel(int ndim, const int64_t *shape, int64_t i, int64_t *coord) {
    for (int d = ndim - 1; d >= 0; d--) {
        coord[d] = i % shape[d];
        i /= shape[d];
    }
}

/* Offset, with `stride`, of element i in row-major order of dims [d0, d1) of `shape`. */
static inline int64_t kidx_sub_offset(const int64_t *shape, const int64_t *stride, int d0, int d1, int64_t i) {
    int64_t off = 0;
    for (int d = d1 - 1; d >= d0; d--) {
        off += (i % shape[d]) * stride[d];
        i /= shape[d];
    }
    return off;
}

/* Number of elements of dims [d0, d1) of a shape. */
static inline int64_t kidx_count(const int64_t *shape, int d0, int d1) {
    int64_t n = 1;
    for (int d = d0; d < d1; d++) n *= shape[d];
    return n;
}

/* If dims [d0, d1) of (shape, stride) walk memory with one step, stores it and returns true
 * (a broadcast, all strides 0, has step 0). */
static inline bool kidx_linear(const int64_t *shape, const int64_t *stride, int d0, int d1, int64_t *step) {
    int64_t s = 0, expect = 0;
    bool first = true;
    for (int d = d1 - 1; d >= d0; d--) {
        if (shape[d] == 1) continue;
        if (first) {
            s = stride[d];
            first = false;
        } else if (stride[d] != expect) {
            return false;
        }
        expect = stride[d] * shape[d];
    }
    *step = s;
    return true;
}

/* Moves a row iterator positioned by kv_rows_seek to the next row (cheaper than seeking: rows of
 * a few dozen elements would otherwise spend their time in divisions). */
static inline void kidx_rows_next(ovKRows *it) {
    for (int d = it->ndim - 2; d >= 0; d--) {
        for (int k = 0; k < it->nv; k++) it->off[k] += it->stride[k][d];
        if (++it->idx[d] < it->shape[d]) return;
        for (int k = 0; k < it->nv; k++) it->off[k] -= it->stride[k][d] * it->shape[d];
        it->idx[d] = 0;
    }
}

/* This OpenMP thread's share [*r0, *r1) of n items, in contiguous blocks (the whole range outside
 * a parallel region). */
static inline void kidx_thread_range(int64_t n, int64_t *r0, int64_t *r1) {
    int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    *r0 = n * t / nt;
    *r1 = n * (t + 1) / nt;
}

#endif
