/* pool.h: CPU kernels of N-d max and average pooling (torch.nn.functional.max_pool2d/3d,
 * avg_pool2d/3d) and their input gradients. Views are 5-D [N, C, D, H, W]; 2-D pooling is 3-D
 * pooling with depth 1. Output sizes come from the output views (ceil_mode is the op layer's
 * business). Window o along a dim covers inputs o*s - p + k*d for k < kernel, padding excluded.
 *
 * max: the first maximum in window order wins, NaN propagates (PyTorch's CPU rule); idx receives
 *      the flat position id*H*W + ih*W + iw of the winner within its (n, c) plane (may be NULL).
 * avg: PyTorch's divisor: the window clipped to [-p, in + p) when count_include_pad, else the
 *      number of real inputs in it.
 * _ref: direct loops in double; the avg backward is a gather over the windows that contain each
 * input. _fast: clipped tap ranges precomputed per output row, OpenMP over (n, c) planes (each
 * plane's gradient scatter stays inside one thread: deterministic). Outputs are contiguous. The
 * CUDA twins (kernels/cuda/pool.h) share the window arithmetic at the end of this header. */
#ifndef OV_KPOOL_H
#define OV_KPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int64_t k[3], s[3], p[3], d[3]; /* (d, h, w); d = dilation (1 for avg) */
    bool count_include_pad;         /* avg only */
} ovPoolParams;

void ov_kmax_pool_ref(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p);
void ov_kmax_pool_fast(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p);
/* gx[n, c, idx[n, c, o]] += gy[n, c, o]. Every index is -1 or a position of window o under p (the
 * op layer checks this): the CPU kernels scatter and need not know p, the CUDA kernel gathers
 * over the windows that contain each input. */
void ov_kmax_pool_backward_ref(const ovKView *gx, const ovKView *gy, const ovKView *idx, const ovPoolParams *p);
void ov_kmax_pool_backward_fast(const ovKView *gx, const ovKView *gy, const ovKView *idx, const ovPoolParams *p);
void ov_kavg_pool_ref(const ovKView *y, const ovKView *x, const ovPoolParams *p);
void ov_kavg_pool_fast(const ovKView *y, const ovKView *x, const ovPoolParams *p);
void ov_kavg_pool_backward_ref(const ovKView *gx, const ovKView *gy, const ovPoolParams *p);
void ov_kavg_pool_backward_fast(const ovKView *gx, const ovKView *gy, const ovPoolParams *p);

/* The per-window arithmetic that the fast CPU kernels and the CUDA kernels (kernels/cuda/pool.cu)
 * share, so both compute the same windows, choices and divisors. */

/* Window o along one dim (kernel k, stride s, padding p, dilation d, input size in): it starts at
 * *start, and its taps k' in [*lo, *hi) (positions start + k'*d) lie inside [0, in). */
OV_HD void ov_pool_taps(int64_t o, int64_t k, int64_t s, int64_t p, int64_t d, int64_t in, int64_t *start,
                        int64_t *lo, int64_t *hi) {
    int64_t st = o * s - p;
    int64_t l = st < 0 ? (-st + d - 1) / d : 0;
    int64_t h = in - 1 - st < 0 ? 0 : (in - 1 - st) / d + 1;
    if (h > k) h = k;
    if (l > h) l = h;
    *start = st;
    *lo = l;
    *hi = h;
}

/* Max pooling's scan: does v replace the best so far (at < 0: none yet)? The first maximum in
 * window order wins and NaN propagates, as in PyTorch. */
OV_HD bool ov_max_takes(float v, float best, int64_t at) { return at < 0 || v > best || v != v; }

/* Factor of the average's divisor along one dim for a window starting at `start` (both of
 * PyTorch's divisors are products over dims): the window clipped to [-p, in + p) when
 * count_include_pad, else the number of real inputs in it. */
OV_HD int64_t ov_avg_divisor_dim(int64_t start, int64_t k, int64_t p, int64_t in, bool include_pad) {
    int64_t end = start + k < in + p ? start + k : in + p;
    if (include_pad) return end - start;
    return (end < in ? end : in) - (start > 0 ? start : 0);
}

/* Divisor of the average over window (o0, o1, o2) of an input of sizes `in`. */
OV_HD int64_t ov_avg_divisor(const ovPoolParams *p, const int64_t *in, const int64_t *o) {
    int64_t div = 1;
    for (int d = 0; d < 3; d++)
        div *= ov_avg_divisor_dim(o[d] * p->s[d] - p->p[d], p->k[d], p->p[d], in[d], p->count_include_pad);
    return div;
}

#ifdef __cplusplus
}
#endif

#endif
