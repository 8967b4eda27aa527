/* common.cuh: what every .cu file of the CUDA backend includes. The same sources build two ways:
 * with nvcc for real GPUs, and with g++ against kernels/emu/cuda_emu.h (OV_CUDA_EMULATED) so that
 * every kernel runs in `make test` on machines without a GPU. Kernels are launched only through
 * OV_LAUNCH and declare shared memory only through OV_SHARED / OV_SHARED_DYN, which the emulator
 * turns into a per-block arena filled with NaN. */
#ifndef OV_CUDA_COMMON_CUH
#define OV_CUDA_COMMON_CUH

#include <stddef.h>
#include <stdint.h>

#include "tensor/error.h"

#if defined(OV_CUDA_EMULATED)
#define OV_LAUNCH(kernel, grid, block, smem, stream, ...) OV_EMU_LAUNCH(kernel, grid, block, smem, stream, __VA_ARGS__)
#define OV_SHARED(type, name, count) type *name = (type *)ov_emu_shared(sizeof(type) * (count), alignof(type), #name)
#define OV_SHARED_DYN(type, name) type *name = (type *)ov_emu_shared_dynamic()
#else
#include <cuda_runtime.h>
#define OV_LAUNCH(kernel, grid, block, smem, stream, ...)                        \
    do {                                                                        \
        kernel<<<(grid), (block), (smem), (stream)>>>(__VA_ARGS__);             \
        ov_cuda_check(cudaGetLastError(), #kernel, __FILE__, __LINE__);         \
    } while (0)
#define OV_SHARED(type, name, count) __shared__ type name[count]
#define OV_SHARED_DYN(type, name) extern __shared__ type name[]
#endif

/* Panics with the file, line, what was called and CUDA's message when err is not cudaSuccess. */
static inline void ov_cuda_check(cudaError_t err, const char *what, const char *file, int line) {
    if (err != cudaSuccess) ov_panic("%s:%d: %s failed: %s (%s)", file, line, what, cudaGetErrorString(err), cudaGetErrorName(err));
}
#define OV_CUDA_CHECK(call) ov_cuda_check((call), #call, __FILE__, __LINE__)

/* Blocks of `threads` covering n items. */
static inline unsigned ov_blocks(int64_t n, unsigned threads) { return (unsigned)((n + threads - 1) / threads); }

/* Blocks for a grid-stride loop over n items: enough to fill a GPU, and few under the emulator,
 * where every CUDA thread is a fiber (each thread then takes several items, as on a GPU with a
 * large n). */
static inline unsigned ov_grid(int64_t n, unsigned threads) {
#if defined(OV_CUDA_EMULATED)
    const int64_t cap = 16;
#else
    const int64_t cap = 4096;
#endif
    int64_t b = (n + threads - 1) / threads;
    return (unsigned)(b < 1 ? 1 : b > cap ? cap : b);
}

#endif
