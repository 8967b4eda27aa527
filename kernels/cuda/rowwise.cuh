/* rowwise.cuh: the device side of the row walker (kernels/cpu/rowwise.h) for the row kernels of
 * norm.cu, layernorm.cu and attention.cu. The host walks the views with ov_rows_init_single (one
 * row per item, leading dims merged); a kernel finds row i's offsets with row_offsets and hands
 * the row to a group of threads:
 *   Solo   one thread per row, for rows that are neighbours in memory (a channels-first norm:
 *          consecutive threads take consecutive rows, so every step along the rows is coalesced);
 *   Warp   one warp per row, for rows up to WARP_ROW_MAX elements (lanes stride along the row and
 *          combine partials with butterfly shuffles);
 *   Block  one block per row for longer rows (warp butterflies, then the per-warp partials added
 *          in warp order through shared memory).
 * Every member of a group ends up with the same combined value, bit for bit: each combine step is
 * commutative (a + b == b + a in IEEE arithmetic), so no lane sees a different order. */
#ifndef OV_CUDA_ROWWISE_CUH
#define OV_CUDA_ROWWISE_CUH

#include "kernels/cpu/rowwise.h"
#include "kernels/cuda/common.cuh"

#define ROW_THREADS 256   /* threads per block in every mode */
#define WARP_ROW_MAX 1024 /* longest row a warp takes on its own */
#define FULL_MASK 0xffffffffu
/* Row kernels ask for 4 resident blocks per SM, i.e. at most 64 registers: all fit without spills,
 * where ptxas's own choice for sm_90 spilled in the warp-per-row layer norm. */
#define ROW_BOUNDS __launch_bounds__(ROW_THREADS, 4)

/* Two partials reduced together (sum and sum of products, max and exp-sum, ...). */
struct F2 {
    float a, b;
};

__device__ __forceinline__ float shfl_xor(float v, int o) { return __shfl_xor_sync(FULL_MASK, v, o); }
__device__ __forceinline__ F2 shfl_xor(F2 v, int o) {
    F2 r = {__shfl_xor_sync(FULL_MASK, v.a, o), __shfl_xor_sync(FULL_MASK, v.b, o)};
    return r;
}

struct SumOp {
    __device__ __forceinline__ float operator()(float x, float y) const { return x + y; }
    __device__ __forceinline__ F2 operator()(F2 x, F2 y) const {
        F2 r = {x.a + y.a, x.b + y.b};
        return r;
    }
};

/* Offsets of row i in the first NV views (ov_rows_at with one row per item; unrolled over the
 * views so that the offsets stay in registers). */
template <int NV>
__device__ __forceinline__ void row_offsets(const ovRows &R, int64_t i, int64_t *off) {
    for (int v = 0; v < NV; v++) off[v] = 0;
    for (int d = R.ndim - 2; d >= 0; d--) {
        int64_t j = i % R.shape[d];
        i /= R.shape[d];
        for (int v = 0; v < NV; v++) off[v] += j * R.stride[v][d];
    }
}

struct Solo {
    __device__ explicit Solo(void *) {}
    __device__ int rank() const { return 0; }
    __device__ int size() const { return 1; }
    __device__ int64_t first() const { return (int64_t)blockIdx.x * blockDim.x + threadIdx.x; }
    __device__ int64_t step() const { return (int64_t)gridDim.x * blockDim.x; }
    template <class T, class Op>
    __device__ T all(T v, Op) const { return v; }
};

struct Warp {
    __device__ explicit Warp(void *) {}
    __device__ int rank() const { return (int)(threadIdx.x % 32); }
    __device__ int size() const { return 32; }
    __device__ int64_t first() const { return ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32; }
    __device__ int64_t step() const { return (int64_t)gridDim.x * blockDim.x / 32; }
    template <class T, class Op>
    __device__ T all(T v, Op op) const {
        for (int o = 16; o > 0; o >>= 1) v = op(v, shfl_xor(v, o));
        return v;
    }
};

/* `scratch` holds 32 F2 of shared memory (one slot per warp). */
struct Block {
    F2 *scratch;
    __device__ explicit Block(void *s) : scratch((F2 *)s) {}
    __device__ int rank() const { return (int)threadIdx.x; }
    __device__ int size() const { return (int)blockDim.x; }
    __device__ int64_t first() const { return blockIdx.x; }
    __device__ int64_t step() const { return gridDim.x; }
    template <class T, class Op>
    __device__ T all(T v, Op op) const {
        T *slot = (T *)scratch;
        for (int o = 16; o > 0; o >>= 1) v = op(v, shfl_xor(v, o));
        if (threadIdx.x % 32 == 0) slot[threadIdx.x / 32] = v;
        __syncthreads();
        T t = slot[0];
        for (int w = 1; w < (int)(blockDim.x / 32); w++) t = op(t, slot[w]);
        __syncthreads(); /* every thread has read the slots before they are reused */
        return t;
    }
};

/* How the threads of a launch share rows. */
enum RowMode { ROW_SOLO, ROW_WARP, ROW_BLOCK };

/* Solo when the rows of view v are neighbours in memory (unit step between rows, not along them)
 * and there are enough of them to fill a warp; else a warp or a block per row by row length. */
static inline RowMode row_mode(const ovRows &R, int v) {
    if (R.ndim > 1 && R.rstep[v] == 1 && R.kstep[v] != 1 && R.items >= 32) return ROW_SOLO;
    return R.n <= WARP_ROW_MAX ? ROW_WARP : ROW_BLOCK;
}

/* Blocks of ROW_THREADS for a grid-stride loop over R.items rows in the given mode. */
static inline unsigned row_blocks(const ovRows &R, RowMode m) {
    int64_t threads_per_row = m == ROW_SOLO ? 1 : m == ROW_WARP ? 32 : ROW_THREADS;
    return ov_grid(R.items * threads_per_row, ROW_THREADS);
}

/* Launches kernel<Solo|Warp|Block> over the rows of R (the kernel's first argument is R). */
#define ROW_LAUNCH(kernel, R, mode, ...)                                                                        \
    do {                                                                                                        \
        if ((R).items == 0) break;                                                                              \
        unsigned nb_ = row_blocks((R), (mode));                                                                 \
        if ((mode) == ROW_SOLO) OV_LAUNCH(kernel<Solo>, nb_, ROW_THREADS, 0, 0, (R), __VA_ARGS__);              \
        else if ((mode) == ROW_WARP) OV_LAUNCH(kernel<Warp>, nb_, ROW_THREADS, 0, 0, (R), __VA_ARGS__);         \
        else OV_LAUNCH(kernel<Block>, nb_, ROW_THREADS, 0, 0, (R), __VA_ARGS__);                                \
    } while (0)

#endif
