/* alloc.h: counted host and device allocations.
 * Every buffer and every tensor/tape object goes through these counters so that a test can assert
 * that nothing is live when it ends (DESIGN.md, "Lifetimes"). */
#ifndef OV_ALLOC_H
#define OV_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* 64-byte aligned, zero-size safe, panics on out-of-memory with the size that failed. */
void *ov_host_alloc(size_t nbytes);
void ov_host_free(void *p, size_t nbytes);

/* Small bookkeeping objects (tensor structs, tape nodes): calloc'd and counted. */
void *ov_obj_alloc(size_t nbytes);
void ov_obj_free(void *p);

/* Device allocations are counted by the backend that makes them (CUDA issue). */
void ov_count_device_alloc(size_t nbytes);
void ov_count_device_free(size_t nbytes);

typedef struct {
    int64_t host_buffers, host_bytes, host_peak_bytes;
    int64_t device_buffers, device_bytes, device_peak_bytes;
    int64_t objects; /* tensor structs and tape nodes */
} ovAllocStats;

ovAllocStats ov_alloc_stats(void);
/* Buffers + objects live on host and device; 0 means nothing leaked. */
int64_t ov_live_allocations(void);
void ov_reset_peak(void);

#endif
