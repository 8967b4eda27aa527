/* index_common.cuh: what the index family's device kernels (join.cu, gather.cu, tile.cu, sort.cu)
 * share: moving elements by their size, index arithmetic in 32 bits when the iteration space
 * allows it (a 64-bit division costs several times a 32-bit one on the GPU), and host-side
 * geometry helpers. */
#ifndef OV_CUDA_INDEX_COMMON_CUH
#define OV_CUDA_INDEX_COMMON_CUH

#include "kernels/cuda/common.cuh"
#include "kernels/index_math.h"
#include "kernels/cuda/index.h"

/* Calls F<T, I>(args...) with T the unsigned type of esz bytes (data moves never convert) and I
 * the index type: 32-bit when every linear position of the launch (n of them) fits. */
#define OV_INDEX_DISPATCH(esz, n, F, ...)                                                   \
    do {                                                                                    \
        if ((n) < ((int64_t)1 << 31)) {                                                     \
            switch (esz) {                                                                  \
            case 1: F<uint8_t, uint32_t>(__VA_ARGS__); break;                               \
            case 2: F<uint16_t, uint32_t>(__VA_ARGS__); break;                              \
            case 4: F<uint32_t, uint32_t>(__VA_ARGS__); break;                              \
            default: F<uint64_t, uint32_t>(__VA_ARGS__); break;                             \
            }                                                                               \
        } else {                                                                            \
            switch (esz) {                                                                  \
            case 1: F<uint8_t, int64_t>(__VA_ARGS__); break;                                \
            case 2: F<uint16_t, int64_t>(__VA_ARGS__); break;                               \
            case 4: F<uint32_t, int64_t>(__VA_ARGS__); break;                               \
            default: F<uint64_t, int64_t>(__VA_ARGS__); break;                              \
            }                                                                               \
        }                                                                                   \
    } while (0)

/* Grid-stride loop over [0, n) with index type I (n < 2^31 when I is 32-bit, so i + stride never
 * wraps). */
#define OV_GRID_LOOP(I, i, n) \
    for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < (I)(n); i += (I)gridDim.x * blockDim.x)

/* The smallest power of two >= n (n >= 1). */
static inline int64_t ovc_pow2(int64_t n) {
    int64_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

#endif
