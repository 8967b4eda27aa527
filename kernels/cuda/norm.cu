/* norm.cu: softmax / log_softmax (torch.softmax, torch.log_softmax of x + mask), their backward,
 * and F.normalize (p = 2) on the device: the CUDA twins of kernels/cpu/softmax.c and normalize.c.
 * Rows come from the row walker and are shared by a thread, a warp or a block (rowwise.cuh); the
 * softmax itself is softmax.cuh's fused row function. */
#include "kernels/cuda/norm.h"
#include "kernels/cuda/softmax.cuh"

/* x + mask at k (mask may be absent) */
struct XPlusMask {
    const float *x, *m;
    int64_t xk, mk;
    __device__ __forceinline__ float operator()(int64_t k) const { return m ? x[k * xk] + m[k * mk] : x[k * xk]; }
};

/* views: x, y, mask */
template <class G>
__global__ void ROW_BOUNDS softmax_kernel(ovRows R, const float *x, float *y, const float *m, bool logsm) {
    OV_SHARED(F2, scratch, 32);
    G g(scratch);
    for (int64_t r = g.first(); r < R.items; r += g.step()) {
        int64_t off[3];
        row_offsets<3>(R, r, off);
        XPlusMask src = {x + off[0], m ? m + off[2] : NULL, R.kstep[0], R.kstep[2]};
        softmax_row(g, src, y + off[1], R.kstep[1], R.n, logsm);
    }
}

/* views: gx, g, y */
template <class G>
__global__ void ROW_BOUNDS softmax_backward_kernel(ovRows R, float *gx, const float *g, const float *y, bool logsm) {
    OV_SHARED(F2, scratch, 32);
    G grp(scratch);
    for (int64_t r = grp.first(); r < R.items; r += grp.step()) {
        int64_t off[3];
        row_offsets<3>(R, r, off);
        softmax_backward_row(grp, gx + off[0], R.kstep[0], g + off[1], R.kstep[1], y + off[2], R.kstep[2], R.n, logsm);
    }
}

/* y = x / d with d = max(||x||, eps), kept for the backward. views: x, y, d */
template <class G>
__global__ void ROW_BOUNDS normalize_kernel(ovRows R, const float *x, float *y, float *d, float eps) {
    OV_SHARED(F2, scratch, 32);
    G g(scratch);
    for (int64_t r = g.first(); r < R.items; r += g.step()) {
        int64_t off[3];
        row_offsets<3>(R, r, off);
        const float *xr = x + off[0];
        float *yr = y + off[1];
        int64_t xk = R.kstep[0], yk = R.kstep[1];
        float s = 0.0f;
        for (int64_t k = g.rank(); k < R.n; k += g.size()) s += xr[k * xk] * xr[k * xk];
        float dv = fmaxf(sqrtf(g.all(s, SumOp())), eps);
        for (int64_t k = g.rank(); k < R.n; k += g.size()) yr[k * yk] = xr[k * xk] / dv;
        if (g.rank() == 0) d[off[2]] = dv;
    }
}

extern "C" {

void ov_ksoftmax_cuda(const ovKView *y, const ovKView *x, const ovKView *mask, bool logsm) {
    ovRows R;
    const ovKView *v[] = {x, y, mask};
    ov_rows_init_single(&R, 3, v);
    ROW_LAUNCH(softmax_kernel, R, row_mode(R, 0), kv_f32(x), kv_f32(y), mask ? kv_f32(mask) : NULL, logsm);
}

void ov_ksoftmax_backward_cuda(const ovKView *gx, const ovKView *g, const ovKView *y, bool logsm) {
    ovRows R;
    const ovKView *v[] = {gx, g, y};
    ov_rows_init_single(&R, 3, v);
    ROW_LAUNCH(softmax_backward_kernel, R, row_mode(R, 1), kv_f32(gx), kv_f32(g), kv_f32(y), logsm);
}

void ov_knormalize_cuda(const ovKView *y, const ovKView *d, const ovKView *x, float eps) {
    ovRows R;
    const ovKView *v[] = {x, y, d};
    ov_rows_init_single(&R, 3, v);
    ROW_LAUNCH(normalize_kernel, R, row_mode(R, 0), kv_f32(x), kv_f32(y), kv_f32(d), eps);
}

} /* extern "C" */
