/* sort.cu: torch.sort / topk / argsort along one dim on the device (kernels/cpu/index.h), with
 * the CPU's order exactly: every element of a line becomes the 64-bit key value-key << 32 |
 * position (kernels/sort_key.h: NaN above numbers, -0.0 == 0.0, complemented for descending), so
 * the keys of a line are distinct and their ascending order is the stable order; any correct
 * sorting network then gives the CPU's result, ties included.
 *
 * The network is bitonic, over lines padded with UINT64_MAX to P = a power of two:
 *   - tiles of up to SORT_TILE keys sit in shared memory (one tile holds several short lines, or
 *     one piece of a long line) and run every step whose partners are inside the tile;
 *   - for lines longer than a tile, the steps with partners further apart than a tile run in
 *     global memory, one launch per step, each followed by the rest of the merge in shared
 *     memory.
 * topk with sorted=false sorts the first k positions once more (keys = positions). */
#include "kernels/cuda/device.h"
#include "kernels/cuda/index_common.cuh"
#include "kernels/sort_key.h"

#define SORT_TILE 4096 /* keys per tile: 32 KiB of shared memory */

/* Compare-exchange of the pair (i, i + j) of a line for stage k of the bitonic sort: ascending
 * where bit k of the position in the line is clear. */
__device__ __forceinline__ void bitonic_pair(uint64_t *a, uint64_t *b, int64_t pos, int64_t k) {
    uint64_t u = *a, v = *b;
    if ((u > v) == ((pos & k) == 0)) {
        *a = v;
        *b = u;
    }
}

/* Pair q of a step with distance j (a power of two): its lower element. */
__device__ __forceinline__ int64_t pair_low(int64_t q, int64_t j) { return ((q & ~(j - 1)) << 1) | (q & (j - 1)); }

/* Stages k0..k1 (powers of two) of the sort, restricted to the steps j < T, on tiles of T keys. */
__global__ void bitonic_tile_kernel(uint64_t *keys, int64_t total, int64_t P, int T, int64_t k0, int64_t k1) {
    OV_SHARED_DYN(uint64_t, s);
    int64_t tiles = (total + T - 1) / T;
    for (int64_t t = blockIdx.x; t < tiles; t += gridDim.x) {
        int64_t base = t * T;
        for (int i = threadIdx.x; i < T; i += blockDim.x) s[i] = base + i < total ? keys[base + i] : ~(uint64_t)0;
        __syncthreads();
        for (int64_t k = k0; k <= k1; k <<= 1)
            for (int64_t j = (k >> 1) < (T >> 1) ? (k >> 1) : (T >> 1); j > 0; j >>= 1) {
                for (int q = threadIdx.x; q < T / 2; q += blockDim.x) {
                    int64_t i = pair_low(q, j);
                    bitonic_pair(&s[i], &s[i + j], (base + i) & (P - 1), k);
                }
                __syncthreads();
            }
        for (int i = threadIdx.x; i < T; i += blockDim.x)
            if (base + i < total) keys[base + i] = s[i];
        __syncthreads(); /* s is refilled for the next tile */
    }
}

/* One step (k, j) with j >= the tile size, over every line at once. */
__global__ void bitonic_step_kernel(uint64_t *keys, int64_t pairs, int64_t P, int64_t k, int64_t j) {
    OV_GRID_LOOP(int64_t, q, pairs) {
        int64_t i = pair_low(q, j);
        bitonic_pair(&keys[i], &keys[i + j], i & (P - 1), k);
    }
}

static void tile_pass(uint64_t *keys, int64_t total, int64_t P, int T, int64_t k0, int64_t k1) {
    unsigned threads = T / 2 < 256 ? (unsigned)(T / 2) : 256;
    int64_t tiles = (total + T - 1) / T;
    OV_LAUNCH(bitonic_tile_kernel, ov_grid(tiles * threads, threads), threads, sizeof(uint64_t) * (size_t)T, 0, keys,
              total, P, T, k0, k1);
}

extern "C" void ov_cuda_sort_keys(uint64_t *keys, int64_t lines, int64_t P) {
    int64_t total = lines * P;
    if (total == 0 || P < 2) return;
    int T = (int)(ovc_pow2(total) < SORT_TILE ? ovc_pow2(total) : SORT_TILE);
    tile_pass(keys, total, P, T, 2, P < T ? P : T);
    for (int64_t k = 2 * (int64_t)T; k <= P; k <<= 1) {
        for (int64_t j = k >> 1; j >= T; j >>= 1)
            OV_LAUNCH(bitonic_step_kernel, ov_grid(total / 2, 256), 256, 0, 0, keys, total / 2, P, k, j);
        tile_pass(keys, total, P, T, k, k);
    }
}

/* ---------------- sort / topk ---------------- */

/* Offset of line l (its position in row-major order of every dim but dim) in view v, whose shape
 * is `shape` off dim. */
__device__ __forceinline__ int64_t line_offset(const ovKView &v, const int64_t *shape, int dim, int64_t l) {
    int64_t off = 0;
    for (int d = v.ndim - 1; d >= 0; d--) {
        if (d == dim) continue;
        off += (l % shape[d]) * v.stride[d];
        l /= shape[d];
    }
    return off;
}

/* keys[l * P + i] = the key of x's line l, element i (UINT64_MAX past the line's M). */
__global__ void line_keys_kernel(uint64_t *keys, ovKView x, int dim, int64_t total, int lg2P, bool descending) {
    int64_t M = x.shape[dim], P = (int64_t)1 << lg2P;
    OV_GRID_LOOP(int64_t, e, total) {
        int64_t l = e >> lg2P, i = e & (P - 1);
        keys[e] = i < M ? ov_sort_key_at(kv_f32(&x)[line_offset(x, x.shape, dim, l) + i * x.stride[dim]], i, descending)
                        : ~(uint64_t)0;
    }
}

/* keys2[l * P2 + i] = the position held by sorted key i of line l, for i < k (UINT64_MAX after). */
__global__ void position_keys_kernel(uint64_t *keys2, const uint64_t *keys, int64_t total, int lg2P2, int64_t P,
                                     int64_t k) {
    int64_t P2 = (int64_t)1 << lg2P2;
    OV_GRID_LOOP(int64_t, e, total) {
        int64_t l = e >> lg2P2, i = e & (P2 - 1);
        keys2[e] = i < k ? keys[l * P + i] & 0xFFFFFFFFu : ~(uint64_t)0;
    }
}

/* values/indices[line l, i] for i < k from sorted key i of line l (stride P). */
__global__ void write_sorted_kernel(ovKView values, ovKView indices, bool has_values, bool has_indices, ovKView x,
                                    int dim, const uint64_t *keys, int64_t P, int64_t k, int64_t n) {
    OV_GRID_LOOP(int64_t, e, n) {
        int64_t l = e / k, i = e - l * k;
        int64_t pos = (int64_t)(keys[l * P + i] & 0xFFFFFFFFu);
        if (has_values)
            kv_f32(&values)[line_offset(values, x.shape, dim, l) + i * values.stride[dim]] =
                kv_f32(&x)[line_offset(x, x.shape, dim, l) + pos * x.stride[dim]];
        if (has_indices) kv_i64(&indices)[line_offset(indices, x.shape, dim, l) + i * indices.stride[dim]] = pos;
    }
}

static int log2_of(int64_t p) {
    int b = 0;
    while (((int64_t)1 << b) < p) b++;
    return b;
}

extern "C" void ov_ksort_cuda(const ovKView *values, const ovKView *indices, const ovKView *x, int dim, bool descending,
                              bool by_index) {
    int64_t M = x->shape[dim], k = values ? values->shape[dim] : indices->shape[dim];
    if (M == 0 || k == 0) return;
    int64_t lines = kv_numel(x) / M, P = ovc_pow2(M), total = lines * P;
    size_t bytes = sizeof(uint64_t) * (size_t)total;
    uint64_t *keys = (uint64_t *)ov_cuda_alloc(bytes), *out_keys = keys;
    OV_LAUNCH(line_keys_kernel, ov_grid(total, 256), 256, 0, 0, keys, *x, dim, total, log2_of(P), descending);
    ov_cuda_sort_keys(keys, lines, P);
    int64_t Pw = P;
    size_t bytes2 = 0;
    if (by_index) { /* the chosen k back in their original order */
        Pw = ovc_pow2(k);
        bytes2 = sizeof(uint64_t) * (size_t)(lines * Pw);
        out_keys = (uint64_t *)ov_cuda_alloc(bytes2);
        OV_LAUNCH(position_keys_kernel, ov_grid(lines * Pw, 256), 256, 0, 0, out_keys, keys, lines * Pw, log2_of(Pw),
                  P, k);
        ov_cuda_sort_keys(out_keys, lines, Pw);
    }
    /* NULL outputs travel as a copy of another view that the kernel does not write */
    ovKView vv = values ? *values : *indices, iv = indices ? *indices : *values;
    OV_LAUNCH(write_sorted_kernel, ov_grid(lines * k, 256), 256, 0, 0, vv, iv, values != NULL, indices != NULL, *x,
              dim, out_keys, Pw, k, lines * k);
    if (by_index) ov_cuda_free(out_keys, bytes2);
    ov_cuda_free(keys, bytes);
}
