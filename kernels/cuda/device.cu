/* device.cu: device discovery, the caching allocator and copies (see device.h). Built by nvcc for
 * real GPUs and by g++ against the emulator.
 *
 * The allocator rounds sizes up (512 B steps below 1 MiB, 2 MiB steps above) and keeps freed
 * blocks in a cache keyed by rounded size, so a training loop that makes the same tensors every
 * step stops calling cudaMalloc after the first one (cudaMalloc/cudaFree synchronise the device
 * and are slow). When cudaMalloc fails, the cache is released and the call retried once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels/cuda/common.cuh"
#include "kernels/cuda/device.h"

namespace {

struct Cached {
    void *p;
    size_t size;
};

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
Cached *cache;
int n_cached, cap_cached;
int64_t in_use, peak, cached, mallocs;
int device_state = -1; /* -1 unknown, 0 none, 1 usable */
char reason[256];
#if defined(OV_CUDA_EMULATED)
bool emulate_on = false;
bool emulate_env_read = false;
#endif

size_t round_size(size_t n) {
    if (n < ((size_t)1 << 20)) return n < 512 ? 512 : (n + 511) / 512 * 512;
    size_t step = (size_t)2 << 20;
    return (n + step - 1) / step * step;
}

void probe(void) {
#if defined(OV_CUDA_EMULATED)
    if (!emulate_env_read) {
        const char *e = getenv("OVAD_CUDA_EMULATE");
        if (e && e[0] == '1') emulate_on = true;
        emulate_env_read = true;
    }
    device_state = emulate_on ? 1 : 0;
    snprintf(reason, sizeof reason, "%s",
             emulate_on ? ""
                        : "this ovad was built without a GPU backend (nvcc absent or CUDA=0): CUDA kernels run only "
                          "under the CPU emulator, which is off (set OVAD_CUDA_EMULATE=1 to use it)");
#else
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e == cudaErrorInsufficientDriver)
        snprintf(reason, sizeof reason, "no NVIDIA driver on this machine (cudaGetDeviceCount returned %s, %d)",
                 cudaGetErrorName(e), (int)e);
    else if (e == cudaErrorNoDevice || (e == cudaSuccess && n == 0))
        snprintf(reason, sizeof reason, "a driver is installed but no CUDA device is visible (cudaGetDeviceCount returned %s, %d)",
                 cudaGetErrorName(e), (int)e);
    else if (e != cudaSuccess)
        snprintf(reason, sizeof reason, "cudaGetDeviceCount failed: %s (%d)", cudaGetErrorString(e), (int)e);
    else
        reason[0] = 0;
    if (e != cudaSuccess) (void)cudaGetLastError(); /* clear the sticky error */
    device_state = (e == cudaSuccess && n > 0) ? 1 : 0;
#endif
}

void require_device(void) {
    if (device_state < 0) probe();
    if (device_state == 0) ov_panic("CUDA device requested, but none is usable: %s", reason);
}

} // namespace

extern "C" {

int ov_cuda_device_count(void) {
    pthread_mutex_lock(&lock);
    if (device_state < 0) probe();
    int n = device_state;
    pthread_mutex_unlock(&lock);
    return n;
}

const char *ov_cuda_unavailable_reason(void) {
    ov_cuda_device_count();
    return reason;
}

const char *ov_cuda_backend_name(void) {
#if defined(OV_CUDA_EMULATED)
    return "cuda-emulator";
#else
    return "cuda";
#endif
}

void ov_cuda_emulate(bool on) {
#if defined(OV_CUDA_EMULATED)
    pthread_mutex_lock(&lock);
    emulate_on = on;
    emulate_env_read = true;
    probe();
    pthread_mutex_unlock(&lock);
#else
    (void)on;
#endif
}

void *ov_cuda_alloc(size_t nbytes) {
    pthread_mutex_lock(&lock);
    require_device();
    size_t size = round_size(nbytes);
    void *p = NULL;
    for (int i = n_cached - 1; i >= 0; i--)
        if (cache[i].size == size) {
            p = cache[i].p;
            cache[i] = cache[--n_cached];
            cached -= (int64_t)size;
            break;
        }
    if (!p) {
        cudaError_t e = cudaMalloc(&p, size);
        if (e != cudaSuccess) { /* give the cache back and try once more */
            (void)cudaGetLastError();
            for (int i = 0; i < n_cached; i++) cudaFree(cache[i].p);
            n_cached = 0;
            cached = 0;
            e = cudaMalloc(&p, size);
        }
        if (e != cudaSuccess) {
            int64_t used = in_use;
            pthread_mutex_unlock(&lock);
            ov_panic("CUDA out of memory allocating %zu bytes (%lld bytes in use by tensors): %s", nbytes,
                     (long long)used, cudaGetErrorString(e));
        }
        mallocs++;
    }
    in_use += (int64_t)size;
    if (in_use > peak) peak = in_use;
    pthread_mutex_unlock(&lock);
    return p;
}

void ov_cuda_free(void *p, size_t nbytes) {
    if (!p) return;
    pthread_mutex_lock(&lock);
    size_t size = round_size(nbytes);
    if (n_cached == cap_cached) {
        cap_cached = cap_cached ? 2 * cap_cached : 64;
        cache = (Cached *)realloc(cache, sizeof(Cached) * (size_t)cap_cached);
    }
    cache[n_cached].p = p;
    cache[n_cached++].size = size;
    in_use -= (int64_t)size;
    cached += (int64_t)size;
    pthread_mutex_unlock(&lock);
}

void ov_cuda_empty_cache(void) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_cached; i++) OV_CUDA_CHECK(cudaFree(cache[i].p));
    n_cached = 0;
    cached = 0;
    free(cache);
    cache = NULL;
    cap_cached = 0;
    pthread_mutex_unlock(&lock);
}

void ov_cuda_copy(void *dst, const void *src, size_t nbytes, ovCopyKind kind) {
    if (!nbytes) return;
    cudaMemcpyKind k = kind == OV_COPY_H2D ? cudaMemcpyHostToDevice
                       : kind == OV_COPY_D2H ? cudaMemcpyDeviceToHost
                                             : cudaMemcpyDeviceToDevice;
    OV_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, k));
}

void ov_cuda_memset(void *p, int value, size_t nbytes) {
    if (nbytes) OV_CUDA_CHECK(cudaMemset(p, value, nbytes));
}

void ov_cuda_synchronize(void) { OV_CUDA_CHECK(cudaDeviceSynchronize()); }

ovCudaMemStats ov_cuda_mem_stats(void) {
    pthread_mutex_lock(&lock);
    ovCudaMemStats s = {in_use, peak, cached, mallocs};
    pthread_mutex_unlock(&lock);
    return s;
}

} /* extern "C" */
