/* index_rows.h: pieces shared by the index family's kernels (join.c, gather.c, tile.c, sort.c):
 * offsets of a coordinate range of a view (row moves are in rows.h). */
#ifndef OV_KINDEX_ROWS_H
#define OV_KINDEX_ROWS_H

#include <omp.h>
#include <string.h>

#include "kernels/cpu/rows.h"
#include "kernels/index_math.h"
#include "kernels/kview.h"

/* Elements above which the fast kernels split their work among OpenMP threads. */
#define OV_KINDEX_PAR 32768

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

#endif
