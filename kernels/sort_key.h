/* sort_key.h: the order of torch.sort as an unsigned integer order, written once for the CPU sort
 * (kernels/cpu/sort.c) and the device sort (kernels/cuda/sort.cu) so both order identically:
 * ascending by value, -0.0 equal to 0.0, NaN above every number (all NaNs equal). */
#ifndef OV_SORT_KEY_H
#define OV_SORT_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/half.h" /* OV_HD, ov_f32_bits */

/* A 32-bit key whose unsigned order is the ascending order of the values. Flipping the sign bit
 * of positives and every bit of negatives turns IEEE order into unsigned order. */
OV_HD uint32_t ov_sort_key(float v) {
    if (v != v) return 0xFFFFFFFFu;
    if (v == 0.0f) v = 0.0f; /* -0.0 sorts with 0.0 */
    uint32_t u = ov_f32_bits(v);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/* Key of a line's element j for a stable sort: the value's key (complemented for a descending
 * sort) above the position, so that every key of a line is distinct and their unsigned order is
 * the stable order. */
OV_HD uint64_t ov_sort_key_at(float v, int64_t j, bool descending) {
    uint32_t k = ov_sort_key(v);
    return (uint64_t)(descending ? ~k : k) << 32 | (uint64_t)j;
}

#endif
