/* gather.cu: torch.gather and its gradient, the scatter-add, on the device (kernels/cpu/index.h;
 * index_select and embedding reach the gather, index_add the scatter-add, with the index
 * broadcast along every dim but `dim`), and the device check of index ranges.
 *
 * Gather: one thread per output element. When the dims after `dim` walk every view with one step
 * (the usual case), position i is (a, j, b) in A x M x B and only the dims before `dim` need
 * divisions; otherwise every coordinate is unravelled.
 *
 * Scatter-add is deterministic without float atomics: every output element is summed by one
 * thread, starting from x and adding its sources in index order j = 0, 1, ... (the order of the
 * CPU kernels, so the bits match them):
 *   - an index broadcast along every other dim (index_add, embedding's gradient): the index is
 *     sorted by destination once (keys dest << 32 | j, sort.cu), and the thread of output element
 *     (a, r, b) binary-searches r's run of sources and adds src[a, j, b] for each. Work is
 *     spread over all outputs however many sources share a row;
 *   - any other index (scatter_add, gather's gradient): one thread per line (a, b) walks
 *     j = 0..M-1 and adds src[a, j, b] at out[a, index[a, j, b], b]; no other thread writes that
 *     line. */
#include "kernels/cuda/copy.h"
#include "kernels/cuda/device.h"
#include "kernels/cuda/index_common.cuh"

/* ---------------- gather ---------------- */

template <typename T, typename I>
__global__ void gather_rows_kernel(ovKView out, ovKView x, ovKView index, int dim, int64_t n, int64_t M, int64_t B,
                                   int64_t bo, int64_t bi, int64_t bx) {
    const int64_t *idx = kv_i64(&index);
    OV_GRID_LOOP(I, i, n) {
        I r = i / (I)B, b = i - r * (I)B, a = r / (I)M, j = r - a * (I)M;
        int64_t oo = 0, io = 0, xo = 0;
        for (int d = dim - 1; d >= 0; d--) {
            I s = (I)out.shape[d], c = a % s;
            a /= s;
            oo += (int64_t)c * out.stride[d];
            io += (int64_t)c * index.stride[d];
            xo += (int64_t)c * x.stride[d];
        }
        int64_t v = idx[io + (int64_t)j * index.stride[dim] + (int64_t)b * bi];
        ((T *)out.data)[oo + (int64_t)j * out.stride[dim] + (int64_t)b * bo] =
            ((const T *)x.data)[xo + v * x.stride[dim] + (int64_t)b * bx];
    }
}

template <typename T, typename I>
__global__ void gather_any_kernel(ovKView out, ovKView x, ovKView index, int dim, int64_t n) {
    const int64_t *idx = kv_i64(&index);
    OV_GRID_LOOP(I, i, n) {
        I rest = i;
        int64_t oo = 0, io = 0, xo = 0;
        for (int d = out.ndim - 1; d >= 0; d--) {
            I s = (I)out.shape[d], c = rest % s;
            rest /= s;
            oo += (int64_t)c * out.stride[d];
            io += (int64_t)c * index.stride[d];
            if (d != dim) xo += (int64_t)c * x.stride[d];
        }
        ((T *)out.data)[oo] = ((const T *)x.data)[xo + idx[io] * x.stride[dim]];
    }
}

template <typename T, typename I>
static void launch_gather(const ovKView *out, const ovKView *x, const ovKView *index, int dim) {
    int nd = out->ndim;
    const int64_t *sh = out->shape;
    int64_t n = kv_numel(out), bo, bi, bx;
    unsigned grid = ov_grid(n, 256);
    if (kidx_linear(sh, out->stride, dim + 1, nd, &bo) && kidx_linear(sh, index->stride, dim + 1, nd, &bi) &&
        kidx_linear(sh, x->stride, dim + 1, nd, &bx))
        OV_LAUNCH((gather_rows_kernel<T, I>), grid, 256, 0, 0, *out, *x, *index, dim, n, sh[dim],
                  kidx_count(sh, dim + 1, nd), bo, bi, bx);
    else
        OV_LAUNCH((gather_any_kernel<T, I>), grid, 256, 0, 0, *out, *x, *index, dim, n);
}

extern "C" void ov_kgather_cuda(const ovKView *out, const ovKView *x, const ovKView *index, int dim) {
    int64_t n = kv_numel(out);
    if (n) OV_INDEX_DISPATCH(ov_dtype_size(out->dtype), n, launch_gather, out, x, index, dim);
}

/* ---------------- scatter-add: one thread per line ---------------- */

/* Lines are the positions of index's shape without `dim`; out, index and src are seen with
 * index's shape. */
template <typename I>
__global__ void scatter_lines_kernel(ovKView out, ovKView index, ovKView src, int dim, int64_t lines) {
    int64_t M = index.shape[dim];
    OV_GRID_LOOP(I, l, lines) {
        I rest = l;
        int64_t oo = 0, io = 0, so = 0;
        for (int d = index.ndim - 1; d >= 0; d--) {
            if (d == dim) continue;
            I s = (I)index.shape[d], c = rest % s;
            rest /= s;
            oo += (int64_t)c * out.stride[d];
            io += (int64_t)c * index.stride[d];
            so += (int64_t)c * src.stride[d];
        }
        float *o = kv_f32(&out) + oo;
        const int64_t *ix = kv_i64(&index) + io;
        const float *s = kv_f32(&src) + so;
        for (int64_t j = 0; j < M; j++) o[ix[j * index.stride[dim]] * out.stride[dim]] += s[j * src.stride[dim]];
    }
}

/* ---------------- scatter-add: index sorted by destination ---------------- */

/* keys[p] = index[p] << 32 | p for the M sources, UINT64_MAX up to P. */
__global__ void dest_keys_kernel(uint64_t *keys, const int64_t *idx, int64_t step, int64_t M, int64_t P) {
    OV_GRID_LOOP(int64_t, p, P) keys[p] = p < M ? (uint64_t)idx[p * step] << 32 | (uint64_t)p : ~(uint64_t)0;
}

/* First position of keys[0..n) (sorted) that is >= v. */
__device__ __forceinline__ int64_t lower_bound(const uint64_t *keys, int64_t n, uint64_t v) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = (lo + hi) >> 1;
        if (keys[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One thread per output element: x plus the sources of its row, in index order. */
template <typename I>
__global__ void scatter_sorted_kernel(ovKView out, ovKView x, ovKView src, int dim, const uint64_t *keys, int64_t M,
                                      int64_t n) {
    OV_GRID_LOOP(I, i, n) {
        I rest = i, r = 0;
        int64_t oo = 0, xo = 0, so = 0;
        for (int d = out.ndim - 1; d >= 0; d--) {
            I s = (I)out.shape[d], c = rest % s;
            rest /= s;
            oo += (int64_t)c * out.stride[d];
            xo += (int64_t)c * x.stride[d];
            if (d == dim)
                r = c;
            else
                so += (int64_t)c * src.stride[d];
        }
        int64_t p = lower_bound(keys, M, (uint64_t)r << 32), end = lower_bound(keys, M, (uint64_t)(r + 1) << 32);
        float acc = kv_f32(&x)[xo];
        for (; p < end; p++) acc += kv_f32(&src)[so + (int64_t)(keys[p] & 0xFFFFFFFFu) * src.stride[dim]];
        kv_f32(&out)[oo] = acc;
    }
}

/* True when index is broadcast along every dim but dim and covers out there (index_add). */
static bool broadcast_index(const ovKView *out, const ovKView *index, int dim) {
    for (int d = 0; d < index->ndim; d++)
        if (d != dim && (index->shape[d] != out->shape[d] || (index->shape[d] > 1 && index->stride[d] != 0)))
            return false;
    return index->shape[dim] < ((int64_t)1 << 31) && out->shape[dim] < ((int64_t)1 << 31);
}

extern "C" void ov_kscatter_add_cuda(const ovKView *out, const ovKView *x, const ovKView *index, const ovKView *src,
                                     int dim) {
    int64_t n = kv_numel(out), m = kv_numel(index);
    if (m == 0 || n == 0) {
        ov_kcopy_cuda(out, x);
        return;
    }
    if (broadcast_index(out, index, dim)) {
        int64_t M = index->shape[dim], P = ovc_pow2(M);
        uint64_t *keys = (uint64_t *)ov_cuda_alloc(sizeof(uint64_t) * (size_t)P);
        OV_LAUNCH(dest_keys_kernel, ov_grid(P, 256), 256, 0, 0, keys, kv_i64(index), index->stride[dim], M, P);
        ov_cuda_sort_keys(keys, 1, P);
        if (n < ((int64_t)1 << 31))
            OV_LAUNCH(scatter_sorted_kernel<uint32_t>, ov_grid(n, 256), 256, 0, 0, *out, *x, *src, dim, keys, M, n);
        else
            OV_LAUNCH(scatter_sorted_kernel<int64_t>, ov_grid(n, 256), 256, 0, 0, *out, *x, *src, dim, keys, M, n);
        ov_cuda_free(keys, sizeof(uint64_t) * (size_t)P);
        return;
    }
    ov_kcopy_cuda(out, x);
    int64_t lines = m / index->shape[dim];
    if (lines < ((int64_t)1 << 31))
        OV_LAUNCH(scatter_lines_kernel<uint32_t>, ov_grid(lines, 128), 128, 0, 0, *out, *index, *src, dim, lines);
    else
        OV_LAUNCH(scatter_lines_kernel<int64_t>, ov_grid(lines, 128), 128, 0, 0, *out, *index, *src, dim, lines);
}

/* ---------------- index range check ---------------- */

/* *p = min(*p, v) (integer atomics only: compare-and-swap until no smaller value is there). */
__device__ __forceinline__ void atomic_min_u64(unsigned long long *p, unsigned long long v) {
    unsigned long long old = *(volatile unsigned long long *)p;
    while (v < old) {
        unsigned long long seen = atomicCAS(p, old, v);
        if (seen == old) break;
        old = seen;
    }
}

__global__ void find_bad_kernel(ovKView index, int64_t n, int64_t m, bool flat, unsigned long long *first) {
    OV_GRID_LOOP(int64_t, i, m) {
        int64_t v = kv_i64(&index)[flat ? i : kv_offset(&index, i)];
        if (v < 0 || v >= n) atomic_min_u64(first, (unsigned long long)i);
    }
}

extern "C" int64_t ov_kindex_find_bad_cuda(const ovKView *index, int64_t n, int64_t *value) {
    int64_t m = kv_numel(index);
    if (m == 0) return -1;
    unsigned long long *first = (unsigned long long *)ov_cuda_alloc(sizeof *first), found;
    ov_cuda_memset(first, 0xFF, sizeof *first);
    OV_LAUNCH(find_bad_kernel, ov_grid(m, 256), 256, 0, 0, *index, n, m, kv_is_contiguous(index), first);
    ov_cuda_copy(&found, first, sizeof found, OV_COPY_D2H);
    ov_cuda_free(first, sizeof *first);
    if (found == ~0ull) return -1;
    int64_t p = (int64_t)found;
    ov_cuda_copy(value, kv_i64(index) + kv_offset(index, p), sizeof *value, OV_COPY_D2H);
    return p;
}
