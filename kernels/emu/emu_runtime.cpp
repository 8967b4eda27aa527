/* emu_runtime.cpp: the CPU emulation of CUDA declared in cuda_emu.h.
 *
 * A launch runs the grid's blocks in parallel OS threads (OpenMP); inside a block every CUDA
 * thread is a fiber (ucontext) with its own stack. The block scheduler resumes the ready fibers in
 * a shuffled order until each has finished or is waiting at a barrier or a warp operation, then
 * releases whichever group is complete: a warp whose named lanes all wait at a shuffle/syncwarp,
 * or the whole block at __syncthreads. Anything else is a divergent barrier or a deadlock, which
 * real hardware would turn into a hang or undefined results; here it is a clear error. */
#include "kernels/emu/cuda_emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define OV_ASAN 1
#endif

#include "tensor/error.h"

thread_local uint3 threadIdx;
thread_local uint3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

namespace {

const int kMaxThreads = 1024;
const size_t kSharedLimit = 48 * 1024;
#if defined(OV_ASAN)
const size_t kStackSize = 256 * 1024; /* ASan instrumented frames are larger */
#else
const size_t kStackSize = 64 * 1024;
#endif
const int kMaxSharedDecls = 32;

enum State { READY, AT_BARRIER, AT_WARP, DONE };

struct Fiber {
    ucontext_t ctx;
    char *stack;
    State state;
    unsigned tid; /* linear thread index in the block */
    uint3 idx;
    int shared_calls; /* OV_SHARED calls made so far by this thread */
    /* pending warp operation */
    int mode, arg, width;
    unsigned mask;
    uint64_t value, result;
};

struct Block {
    Fiber fibers[kMaxThreads];
    int n;
    ucontext_t sched;
    Fiber *cur;
    ov_emu_body_fn body;
    void *body_ctx;
    char *arena; /* shared memory: dynamic part first, then the static declarations */
    size_t dyn_size, used;
    size_t decl_off[kMaxSharedDecls], decl_size[kMaxSharedDecls];
    int n_decls;
    int order[kMaxThreads];
    uint64_t rng;
    char error[512];
    bool stacks_ready;
#if defined(OV_ASAN)
    void *fake_stack;
    const void *sched_bottom; /* the scheduler's stack, learned when a fiber first runs */
    size_t sched_size;
#endif
};

thread_local Block *block_state; /* one per OS thread, reused across launches */
uint64_t launch_counter;

uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void shuffle_order(Block *b) {
    for (int i = 0; i < b->n; i++) b->order[i] = i;
    for (int i = b->n - 1; i > 0; i--) {
        int j = (int)(splitmix(&b->rng) % (uint64_t)(i + 1));
        int t = b->order[i];
        b->order[i] = b->order[j];
        b->order[j] = t;
    }
}

void set_error(Block *b, const char *msg) {
    if (!b->error[0]) snprintf(b->error, sizeof b->error, "%s", msg);
}

/* Switches from the current fiber back to the block scheduler. */
void yield_to_scheduler(Block *b, bool dying) {
    Fiber *f = b->cur;
#if defined(OV_ASAN)
    __sanitizer_start_switch_fiber(dying ? nullptr : &b->fake_stack, b->sched_bottom, b->sched_size);
#else
    (void)dying;
#endif
    swapcontext(&f->ctx, &b->sched);
#if defined(OV_ASAN)
    __sanitizer_finish_switch_fiber(b->fake_stack, &b->sched_bottom, &b->sched_size);
#endif
}

void fiber_entry(unsigned hi, unsigned lo) {
    Block *b = (Block *)(((uintptr_t)hi << 32) | (uintptr_t)lo);
#if defined(OV_ASAN)
    __sanitizer_finish_switch_fiber(nullptr, &b->sched_bottom, &b->sched_size);
#endif
    b->body(b->body_ctx);
    b->cur->state = DONE;
    yield_to_scheduler(b, true);
}

void resume(Block *b, Fiber *f) {
    b->cur = f;
    threadIdx = f->idx;
#if defined(OV_ASAN)
    void *save = nullptr;
    __sanitizer_start_switch_fiber(&save, f->stack, kStackSize);
#endif
    swapcontext(&b->sched, &f->ctx);
#if defined(OV_ASAN)
    __sanitizer_finish_switch_fiber(save, nullptr, nullptr);
#endif
}

/* Releases every warp whose lanes named in the mask all wait at a warp operation. */
bool release_warps(Block *b) {
    bool any = false;
    for (int w = 0; w * 32 < b->n; w++) {
        Fiber *lanes = &b->fibers[w * 32];
        int nl = b->n - w * 32 < 32 ? b->n - w * 32 : 32;
        int waiting = -1;
        for (int l = 0; l < nl; l++)
            if (lanes[l].state == AT_WARP) waiting = l;
        if (waiting < 0) continue;
        unsigned mask = lanes[waiting].mask;
        bool complete = true;
        for (int l = 0; l < nl; l++) {
            if (!(mask >> l & 1)) continue;
            if (lanes[l].state == DONE) {
                char m[200];
                snprintf(m, sizeof m, "lane %d of warp %d exited while lanes named in mask 0x%08x wait at a warp operation", l, w, mask);
                set_error(b, m);
                return false;
            }
            if (lanes[l].state != AT_WARP) complete = false;
        }
        if (!complete) continue;
        for (int l = 0; l < nl; l++) {
            if (!(mask >> l & 1)) continue;
            Fiber *f = &lanes[l];
            int width = f->width, base = l & ~(width - 1), src = l;
            switch (f->mode) {
            case OV_SHFL_IDX: src = base + (f->arg & (width - 1)); break;
            case OV_SHFL_XOR: src = l ^ f->arg; if ((src & ~(width - 1)) != base) src = l; break;
            case OV_SHFL_DOWN: src = (l - base) + f->arg < width ? l + f->arg : l; break;
            case OV_SHFL_UP: src = (l - base) >= f->arg ? l - f->arg : l; break;
            default: break; /* syncwarp: no data */
            }
            if (src >= nl || !(mask >> src & 1)) {
                char m[200];
                snprintf(m, sizeof m, "lane %d of warp %d reads lane %d, which is not in the mask 0x%08x", l, w, src, mask);
                set_error(b, m);
                return false;
            }
            f->result = lanes[src].value;
        }
        for (int l = 0; l < nl; l++)
            if (mask >> l & 1) lanes[l].state = READY;
        any = true;
    }
    return any;
}

/* Fresh context for thread i (kept out of run_block: getcontext returns twice, like setjmp). */
__attribute__((noinline)) void init_fiber(Block *b, int i) {
    Fiber *f = &b->fibers[i];
    f->state = READY;
    f->tid = (unsigned)i;
    f->idx.x = (unsigned)i % blockDim.x;
    f->idx.y = (unsigned)i / blockDim.x % blockDim.y;
    f->idx.z = (unsigned)i / (blockDim.x * blockDim.y);
    f->shared_calls = 0;
    getcontext(&f->ctx);
    f->ctx.uc_stack.ss_sp = f->stack;
    f->ctx.uc_stack.ss_size = kStackSize;
    f->ctx.uc_link = nullptr;
    uintptr_t p = (uintptr_t)b;
    makecontext(&f->ctx, (void (*)())fiber_entry, 2, (unsigned)(p >> 32), (unsigned)(p & 0xffffffffu));
}

void run_block(Block *b) {
    memset(b->arena, 0xff, kSharedLimit); /* NaN in every float, 0xffff... in every int */
    b->used = b->dyn_size;
    b->n_decls = 0;
    for (int i = 0; i < b->n; i++) init_fiber(b, i);
    shuffle_order(b);
    for (;;) {
        for (int k = 0; k < b->n; k++) {
            Fiber *f = &b->fibers[b->order[k]];
            if (f->state == READY) resume(b, f);
            if (b->error[0]) return;
        }
        int live = 0, at_barrier = 0, done = 0;
        for (int i = 0; i < b->n; i++) {
            live += b->fibers[i].state != DONE;
            at_barrier += b->fibers[i].state == AT_BARRIER;
            done += b->fibers[i].state == DONE;
        }
        if (live == 0) return;
        if (release_warps(b)) continue;
        if (b->error[0]) return;
        if (at_barrier == live) {
            if (done > 0) {
                char m[200];
                snprintf(m, sizeof m, "divergent __syncthreads: %d threads exited while %d wait at a barrier", done, at_barrier);
                set_error(b, m);
                return;
            }
            for (int i = 0; i < b->n; i++) b->fibers[i].state = READY;
            shuffle_order(b); /* a new order after every barrier shakes out races */
            continue;
        }
        set_error(b, "deadlock: threads wait at __syncthreads and at warp operations that can never complete");
        return;
    }
}

Block *get_block(void) {
    if (!block_state) {
        block_state = (Block *)calloc(1, sizeof(Block));
        /* stacks and arena are mmap'd: leak checkers do not count them, the OS reclaims them */
        size_t total = kStackSize * kMaxThreads + kSharedLimit;
        char *mem = (char *)mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem == MAP_FAILED) {
            fprintf(stderr, "cuda emulator: cannot map fiber stacks\n");
            abort();
        }
        for (int i = 0; i < kMaxThreads; i++) block_state->fibers[i].stack = mem + (size_t)i * kStackSize;
        block_state->arena = mem + kStackSize * kMaxThreads;
    }
    return block_state;
}

} // namespace

void ov_emu_launch(const char *kernel, dim3 grid, dim3 block, size_t dyn_smem, ov_emu_body_fn body, void *ctx,
                   const char *file, int line) {
    unsigned long long nthreads = (unsigned long long)block.x * block.y * block.z;
    if (nthreads == 0 || nthreads > (unsigned long long)kMaxThreads || block.z > 64)
        ov_panic("%s:%d: launch of %s with a block of %ux%ux%u threads (at most 1024, z at most 64)", file, line, kernel,
                 block.x, block.y, block.z);
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535)
        ov_panic("%s:%d: launch of %s with an invalid grid %ux%ux%u", file, line, kernel, grid.x, grid.y, grid.z);
    if (dyn_smem > kSharedLimit)
        ov_panic("%s:%d: launch of %s asks for %zu bytes of dynamic shared memory (48 KiB at most)", file, line, kernel,
                 dyn_smem);
    uint64_t launch = __atomic_fetch_add(&launch_counter, 1, __ATOMIC_RELAXED);
    long long nblocks = (long long)grid.x * grid.y * grid.z;
    char first_error[600] = {0};
#pragma omp parallel for schedule(dynamic, 1)
    for (long long bi = 0; bi < nblocks; bi++) {
        Block *b = get_block();
        gridDim = grid;
        blockDim = block;
        blockIdx.x = (unsigned)(bi % grid.x);
        blockIdx.y = (unsigned)(bi / grid.x % grid.y);
        blockIdx.z = (unsigned)(bi / ((long long)grid.x * grid.y));
        b->n = (int)nthreads;
        b->body = body;
        b->body_ctx = ctx;
        b->dyn_size = dyn_smem;
        b->error[0] = 0;
        b->rng = launch * 0x100000001B3ull + (uint64_t)bi;
        run_block(b);
        if (b->error[0]) {
#pragma omp critical(ov_emu_error)
            if (!first_error[0])
                snprintf(first_error, sizeof first_error, "block (%u,%u,%u): %s", blockIdx.x, blockIdx.y, blockIdx.z,
                         b->error);
        }
    }
    if (first_error[0]) ov_panic("%s:%d: kernel %s: %s", file, line, kernel, first_error);
}

void __syncthreads(void) {
    Block *b = block_state;
    b->cur->state = AT_BARRIER;
    yield_to_scheduler(b, false);
}

uint64_t ov_emu_shfl(unsigned mask, uint64_t v, int mode, int arg, int width) {
    Block *b = block_state;
    Fiber *f = b->cur;
    unsigned lane = f->tid % 32;
    if (!(mask >> lane & 1)) set_error(b, "a lane calls a warp operation with a mask that does not name it");
    if (width <= 0 || width > 32 || (width & (width - 1))) set_error(b, "shuffle width must be a power of two <= 32");
    f->mode = mode;
    f->arg = arg;
    f->width = width > 0 && width <= 32 ? width : 32;
    f->mask = mask;
    f->value = v;
    f->state = AT_WARP;
    yield_to_scheduler(b, false);
    return f->result;
}

void __syncwarp(unsigned mask) { (void)ov_emu_shfl(mask, 0, -1, 0, 32); }

void __threadfence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

void *ov_emu_shared(size_t bytes, size_t align, const char *name) {
    Block *b = block_state;
    Fiber *f = b->cur;
    int k = f->shared_calls++;
    if (k >= kMaxSharedDecls) {
        set_error(b, "more than 32 shared-memory declarations in one kernel");
        return b->arena;
    }
    if (k == b->n_decls) { /* the first thread to reach this declaration places it */
        size_t off = (b->used + align - 1) / align * align;
        if (off + bytes > kSharedLimit) {
            char m[200];
            snprintf(m, sizeof m, "shared array '%s' (%zu bytes) exceeds the 48 KiB of shared memory", name, bytes);
            set_error(b, m);
            return b->arena;
        }
        b->decl_off[k] = off;
        b->decl_size[k] = bytes;
        b->used = off + bytes;
        b->n_decls++;
    } else if (b->decl_size[k] != bytes) {
        set_error(b, "threads of one block declare shared arrays of different sizes");
    }
    return b->arena + b->decl_off[k];
}

void *ov_emu_shared_dynamic(void) { return block_state->arena; }

/* ---------------- runtime API ---------------- */

namespace {
thread_local cudaError_t last_error = cudaSuccess;
}

cudaError_t cudaMalloc(void **p, size_t n) {
    *p = aligned_alloc(256, (n + 255) / 256 * 256 + 256);
    if (!*p) return last_error = cudaErrorMemoryAllocation;
    memset(*p, 0xff, n); /* NaN: an output a kernel forgets to write is visible */
    return cudaSuccess;
}

cudaError_t cudaFree(void *p) {
    free(p);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void *d, const void *s, size_t n, cudaMemcpyKind k) {
    (void)k;
    if (n) memmove(d, s, n);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void *d, const void *s, size_t n, cudaMemcpyKind k, cudaStream_t st) {
    (void)st;
    return cudaMemcpy(d, s, n, k);
}

cudaError_t cudaMemset(void *p, int v, size_t n) {
    memset(p, v, n);
    return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void *p, int v, size_t n, cudaStream_t st) {
    (void)st;
    return cudaMemset(p, v, n);
}

cudaError_t cudaGetDeviceCount(int *n) {
    *n = 1;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : (last_error = cudaErrorInvalidValue); }
cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }
cudaError_t cudaStreamSynchronize(cudaStream_t s) {
    (void)s;
    return cudaSuccess;
}

cudaError_t cudaGetLastError(void) {
    cudaError_t e = last_error;
    last_error = cudaSuccess;
    return e;
}

cudaError_t cudaPeekAtLastError(void) { return last_error; }

const char *cudaGetErrorString(cudaError_t e) {
    switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    default: return "unknown error";
    }
}

const char *cudaGetErrorName(cudaError_t e) {
    switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    default: return "cudaErrorUnknown";
    }
}
