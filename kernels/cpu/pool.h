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
 * plane's gradient scatter stays inside one thread: deterministic). Outputs are contiguous. */
#ifndef OV_KPOOL_H
#define OV_KPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/kview.h"

typedef struct {
    int64_t k[3], s[3], p[3], d[3]; /* (d, h, w); d = dilation (1 for avg) */
    bool count_include_pad;         /* avg only */
} ovPoolParams;

void ov_kmax_pool_ref(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p);
void ov_kmax_pool_fast(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p);
/* gx[n, c, idx[n, c, o]] += gy[n, c, o] */
void ov_kmax_pool_backward_ref(const ovKView *gx, const ovKView *gy, const ovKView *idx);
void ov_kmax_pool_backward_fast(const ovKView *gx, const ovKView *gy, const ovKView *idx);
void ov_kavg_pool_ref(const ovKView *y, const ovKView *x, const ovPoolParams *p);
void ov_kavg_pool_fast(const ovKView *y, const ovKView *x, const ovPoolParams *p);
void ov_kavg_pool_backward_ref(const ovKView *gx, const ovKView *gy, const ovPoolParams *p);
void ov_kavg_pool_backward_fast(const ovKView *gx, const ovKView *gy, const ovPoolParams *p);

/* Divisor of the average over window (o0, o1, o2) of an input of sizes `in`. */
static inline int64_t ov_avg_divisor(const ovPoolParams *p, const int64_t *in, const int64_t *o) {
    int64_t all = 1, real = 1;
    for (int d = 0; d < 3; d++) {
        int64_t start = o[d] * p->s[d] - p->p[d], end = start + p->k[d];
        if (end > in[d] + p->p[d]) end = in[d] + p->p[d];
        all *= end - start;
        int64_t a = start < 0 ? 0 : start, b = end > in[d] ? in[d] : end;
        real *= b - a;
    }
    return p->count_include_pad ? all : real;
}

#endif
