/* cuda_emu.h: enough of CUDA to run the project's .cu kernels on the CPU, for machines without a
 * GPU (engine-anchors.md section 3). The same kernel sources compile with nvcc for real GPUs and,
 * with this header force-included, with g++ for the emulated backend:
 *
 *   - threadIdx/blockIdx/blockDim/gridDim are per-OS-thread variables the scheduler sets before it
 *     resumes each emulated thread;
 *   - every CUDA thread of a block is a fiber; __syncthreads() suspends it until every live thread
 *     of the block arrives (a thread that exits while others wait is reported as a divergent
 *     barrier), and the order in which fibers resume is reshuffled at every barrier so that races
 *     change results;
 *   - shared memory (OV_SHARED / OV_SHARED_DYN, kernels/cuda/common.cuh) is a per-block arena
 *     filled with NaN bytes when the block starts, so reading it before it was written shows up;
 *   - warp shuffles and __syncwarp exchange values through per-warp slots once every lane named
 *     in the mask has arrived;
 *   - device memory is host memory filled with NaN bytes at allocation, so an output a kernel
 *     forgets to write shows up too;
 *   - cuBLAS GEMMs are answered by the CPU GEMM.
 * Kernels are launched only through OV_LAUNCH. Limits are checked like a GPU's: at most 1024
 * threads per block and 48 KiB of shared memory. */
#ifndef OV_CUDA_EMU_H
#define OV_CUDA_EMU_H

#ifndef __cplusplus
#error "cuda_emu.h is for compiling .cu files with g++ (-x c++)"
#endif

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define OV_CUDA_EMULATED 1

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __restrict__ __restrict

struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

extern thread_local uint3 threadIdx;
extern thread_local uint3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;
static const int warpSize = 32;

/* ---- synchronisation ---- */
void __syncthreads(void);
void __syncwarp(unsigned mask = 0xffffffffu);
void __threadfence(void);

/* ---- warp shuffles (width must be a power of two <= 32) ---- */
uint64_t ov_emu_shfl(unsigned mask, uint64_t v, int mode, int arg, int width);
enum { OV_SHFL_IDX, OV_SHFL_XOR, OV_SHFL_DOWN, OV_SHFL_UP };
template <typename T>
static inline T ov_emu_shfl_t(unsigned mask, T v, int mode, int arg, int width) {
    static_assert(sizeof(T) <= 8, "shuffle of a type wider than 64 bits");
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof(T));
    bits = ov_emu_shfl(mask, bits, mode, arg, width);
    T out;
    memcpy(&out, &bits, sizeof(T));
    return out;
}
template <typename T>
static inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) { return ov_emu_shfl_t(mask, v, OV_SHFL_IDX, src, width); }
template <typename T>
static inline T __shfl_xor_sync(unsigned mask, T v, int lm, int width = 32) { return ov_emu_shfl_t(mask, v, OV_SHFL_XOR, lm, width); }
template <typename T>
static inline T __shfl_down_sync(unsigned mask, T v, unsigned d, int width = 32) { return ov_emu_shfl_t(mask, v, OV_SHFL_DOWN, (int)d, width); }
template <typename T>
static inline T __shfl_up_sync(unsigned mask, T v, unsigned d, int width = 32) { return ov_emu_shfl_t(mask, v, OV_SHFL_UP, (int)d, width); }

/* ---- atomics (blocks may run on several OS threads) ---- */
static inline float atomicAdd(float *p, float v) {
    uint32_t *bits = (uint32_t *)p, old = __atomic_load_n(bits, __ATOMIC_RELAXED), want;
    float f;
    do {
        memcpy(&f, &old, 4);
        f += v;
        memcpy(&want, &f, 4);
    } while (!__atomic_compare_exchange_n(bits, &old, want, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    memcpy(&f, &old, 4);
    return f;
}
static inline int atomicAdd(int *p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline unsigned atomicAdd(unsigned *p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline unsigned long long atomicAdd(unsigned long long *p, unsigned long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
static inline int atomicMax(int *p, int v) {
    int old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
static inline int atomicCAS(int *p, int cmp, int v) {
    __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return cmp;
}
static inline unsigned long long atomicCAS(unsigned long long *p, unsigned long long cmp, unsigned long long v) {
    __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return cmp;
}
static inline int atomicExch(int *p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }

/* ---- device math intrinsics used by the kernels ---- */
/* (__expf and __logf are not emulated: glibc declares those names; kernels use expf/logf.) */
static inline float __fdividef(float a, float b) { return a / b; }
static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
static inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
static inline int __float_as_int(float f) { int i; memcpy(&i, &f, 4); return i; }
#define __ldg(p) (*(p))

/* ---- launching ---- */
typedef void (*ov_emu_body_fn)(void *ctx);
void ov_emu_launch(const char *kernel, dim3 grid, dim3 block, size_t dyn_smem, ov_emu_body_fn body, void *ctx,
                   const char *file, int line);
template <typename F>
static void ov_emu_call(void *ctx) { (*(F *)ctx)(); }
/* The kernel call is captured by reference in a lambda that each emulated thread runs. */
#define OV_EMU_LAUNCH(kernel, grid, block, smem, stream, ...)                                              \
    do {                                                                                                 \
        (void)(stream);                                                                                  \
        auto ov_emu_body_ = [&]() { kernel(__VA_ARGS__); };                                              \
        ov_emu_launch(#kernel, dim3(grid), dim3(block), (size_t)(smem), ov_emu_call<decltype(ov_emu_body_)>, \
                      &ov_emu_body_, __FILE__, __LINE__);                                                \
    } while (0)

/* Per-block shared memory: the n-th OV_SHARED of a thread returns the n-th region of the arena. */
void *ov_emu_shared(size_t bytes, size_t align, const char *name);
void *ov_emu_shared_dynamic(void);

/* ---- runtime API subset ---- */
typedef int cudaError_t;
typedef struct ov_emu_stream *cudaStream_t;
enum {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInsufficientDriver = 35,
    cudaErrorNoDevice = 100,
    cudaErrorLaunchFailure = 719,
};
enum cudaMemcpyKind { cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
cudaError_t cudaMalloc(void **p, size_t n);
cudaError_t cudaFree(void *p);
cudaError_t cudaMemcpy(void *d, const void *s, size_t n, cudaMemcpyKind k);
cudaError_t cudaMemcpyAsync(void *d, const void *s, size_t n, cudaMemcpyKind k, cudaStream_t st);
cudaError_t cudaMemset(void *p, int v, size_t n);
cudaError_t cudaMemsetAsync(void *p, int v, size_t n, cudaStream_t st);
cudaError_t cudaGetDeviceCount(int *n);
cudaError_t cudaSetDevice(int d);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaGetLastError(void);
cudaError_t cudaPeekAtLastError(void);
const char *cudaGetErrorString(cudaError_t e);
const char *cudaGetErrorName(cudaError_t e);

#endif
