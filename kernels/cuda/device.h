/* device.h: the CUDA device as the tensor layer sees it: whether one is usable, a caching
 * allocator, copies between host and device, and memory statistics. The same interface is
 * provided by the real backend (nvcc, cudart) and by the emulated one (kernels/emu), which runs
 * the kernels on the CPU and is usable only when asked for (OVAD_CUDA_EMULATE=1, or
 * ov_cuda_emulate(true) in tests), so that a machine without a GPU says so clearly. */
#ifndef OV_CUDA_DEVICE_H
#define OV_CUDA_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Number of usable devices (0 or 1: ovad uses device 0). */
int ov_cuda_device_count(void);
/* Why no device is usable, e.g. "no NVIDIA driver on this machine (cudaGetDeviceCount returned
 * cudaErrorInsufficientDriver, 35)"; "" when one is. */
const char *ov_cuda_unavailable_reason(void);
/* "cuda" or "cuda-emulator". */
const char *ov_cuda_backend_name(void);
/* Emulated backend only: turns the emulated device on or off (no effect on the real one). */
void ov_cuda_emulate(bool on);

/* Device memory through the caching allocator; panics with the reason when no device is usable
 * or memory runs out. Freed blocks are kept for reuse until ov_cuda_empty_cache(). */
void *ov_cuda_alloc(size_t nbytes);
void ov_cuda_free(void *p, size_t nbytes);
void ov_cuda_empty_cache(void);

typedef enum { OV_COPY_H2D, OV_COPY_D2H, OV_COPY_D2D } ovCopyKind;
void ov_cuda_copy(void *dst, const void *src, size_t nbytes, ovCopyKind kind);
void ov_cuda_memset(void *p, int value, size_t nbytes);
void ov_cuda_synchronize(void);

typedef struct {
    int64_t in_use_bytes, peak_bytes, cached_bytes, cudamalloc_calls;
} ovCudaMemStats;
ovCudaMemStats ov_cuda_mem_stats(void);

#ifdef __cplusplus
}
#endif

#endif
