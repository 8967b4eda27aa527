/* alloc.c: counted allocations (see alloc.h). Counters are atomics: loader threads allocate too. */
#include "tensor/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "tensor/error.h"

static _Atomic int64_t host_buffers, host_bytes, host_peak;
static _Atomic int64_t dev_buffers, dev_bytes, dev_peak;
static _Atomic int64_t objects;

static void raise_peak(_Atomic int64_t *peak, int64_t now) {
    int64_t p = atomic_load(peak);
    while (now > p && !atomic_compare_exchange_weak(peak, &p, now)) {
    }
}

void *ov_host_alloc(size_t nbytes) {
    size_t rounded = (nbytes + 63) & ~(size_t)63;
    if (rounded == 0) rounded = 64;
    void *p = aligned_alloc(64, rounded);
    if (!p) ov_panic("out of host memory allocating %zu bytes", nbytes);
    atomic_fetch_add(&host_buffers, 1);
    raise_peak(&host_peak, atomic_fetch_add(&host_bytes, (int64_t)nbytes) + (int64_t)nbytes);
    return p;
}

void ov_host_free(void *p, size_t nbytes) {
    if (!p) return;
    free(p);
    atomic_fetch_sub(&host_buffers, 1);
    atomic_fetch_sub(&host_bytes, (int64_t)nbytes);
}

void *ov_obj_alloc(size_t nbytes) {
    void *p = calloc(1, nbytes);
    if (!p) ov_panic("out of host memory allocating an object of %zu bytes", nbytes);
    atomic_fetch_add(&objects, 1);
    return p;
}

void ov_obj_free(void *p) {
    if (!p) return;
    free(p);
    atomic_fetch_sub(&objects, 1);
}

void ov_count_device_alloc(size_t nbytes) {
    atomic_fetch_add(&dev_buffers, 1);
    raise_peak(&dev_peak, atomic_fetch_add(&dev_bytes, (int64_t)nbytes) + (int64_t)nbytes);
}

void ov_count_device_free(size_t nbytes) {
    atomic_fetch_sub(&dev_buffers, 1);
    atomic_fetch_sub(&dev_bytes, (int64_t)nbytes);
}

ovAllocStats ov_alloc_stats(void) {
    ovAllocStats s = {
        .host_buffers = atomic_load(&host_buffers),
        .host_bytes = atomic_load(&host_bytes),
        .host_peak_bytes = atomic_load(&host_peak),
        .device_buffers = atomic_load(&dev_buffers),
        .device_bytes = atomic_load(&dev_bytes),
        .device_peak_bytes = atomic_load(&dev_peak),
        .objects = atomic_load(&objects),
    };
    return s;
}

int64_t ov_live_allocations(void) {
    return atomic_load(&host_buffers) + atomic_load(&dev_buffers) + atomic_load(&objects);
}

void ov_reset_peak(void) {
    atomic_store(&host_peak, atomic_load(&host_bytes));
    atomic_store(&dev_peak, atomic_load(&dev_bytes));
}
