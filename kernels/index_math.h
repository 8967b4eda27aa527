/* index_math.h: shape arithmetic shared by the CPU index kernels (kernels/cpu/index_rows.h) and
 * their CUDA twins (kernels/cuda/index_common.cuh). */
#ifndef OV_INDEX_MATH_H
#define OV_INDEX_MATH_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/half.h" /* OV_HD */

/* Number of elements of dims [d0, d1) of a shape. */
OV_HD int64_t kidx_count(const int64_t *shape, int d0, int d1) {
    int64_t n = 1;
    for (int d = d0; d < d1; d++) n *= shape[d];
    return n;
}

/* If dims [d0, d1) of (shape, stride) walk memory with one step, stores it and returns true
 * (a broadcast, all strides 0, has step 0). */
OV_HD bool kidx_linear(const int64_t *shape, const int64_t *stride, int d0, int d1, int64_t *step) {
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

#endif
