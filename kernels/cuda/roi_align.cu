/* roi_align.cu: torchvision.ops.roi_align and its backward to the feature map on the device; CUDA
 * twins of kernels/cpu/roi_align.c. The sampling geometry of a roi and the bilinear rule of one
 * axis come from kernels/resample_math.h (ov_roi_geom, ov_roi_coord, ov_roi_axis).
 *
 * Forward: one thread per output bin (k, c, ph, pw), averaging its gh x gw bilinear samples, as in
 * torchvision's CUDA kernel.
 *
 * Backward, as a gather without atomics: the samples of a bin form a separable grid, so the weight
 * with which bin (ph, pw) of roi k reads pixel (y, x) is Wy[k, ph, y] * Wx[k, pw, x], where Wy sums
 * the y-axis bilinear weights that the bin's sample rows put on row y (likewise Wx). A first kernel
 * tabulates Wy and Wx (one thread per roi and bin row or column, summing its samples in order); then
 * each input-gradient element sums g[k, c, ph, pw] / count * Wy * Wx over the rois of its batch
 * item and their bins, in a fixed order. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/device.h"
#include "kernels/cuda/resample.h"
#include "kernels/cuda/resample_rows.cuh"

#define BIN_THREADS 128

__device__ __forceinline__ ovRoiGeom geom_of(const ovKRoi &p, const ovKView &boxes, int64_t k) {
    const float *bp = kv_f32(&boxes) + k * boxes.stride[0];
    float b[5];
    for (int j = 0; j < 5; j++) b[j] = bp[j * boxes.stride[1]];
    return ov_roi_geom(&p, b);
}

/* ---------------- forward ---------------- */

__global__ void roi_align_kernel(ovKRoi p, ovKView out, ovKView x, ovKView boxes, int64_t total) {
    int64_t C = out.shape[1], N = x.shape[0], H = x.shape[2], W = x.shape[3];
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int64_t pw = e % p.out_w, ph = e / p.out_w % p.out_h, kc = e / (p.out_w * p.out_h), c = kc % C, k = kc / C;
        ovRoiGeom r = geom_of(p, boxes, k);
        float acc = 0.0f;
        if (r.batch >= 0 && r.batch < N) {
            const float *plane = kv_f32(&x) + r.batch * x.stride[0] + c * x.stride[1];
            for (int64_t iy = 0; iy < r.gh; iy++) {
                int64_t ylo, yhi;
                float ly;
                if (!ov_roi_axis(ov_roi_coord(r.y0, r.bh, ph, iy, r.gh), H, &ylo, &yhi, &ly)) continue;
                const float *rlo = plane + ylo * x.stride[2], *rhi = plane + yhi * x.stride[2];
                float hy = 1.0f - ly;
                for (int64_t ix = 0; ix < r.gw; ix++) {
                    int64_t xlo, xhi;
                    float lx;
                    if (!ov_roi_axis(ov_roi_coord(r.x0, r.bw, pw, ix, r.gw), W, &xlo, &xhi, &lx)) continue;
                    float hx = 1.0f - lx;
                    xlo *= x.stride[3];
                    xhi *= x.stride[3];
                    acc += hy * hx * rlo[xlo] + hy * lx * rlo[xhi] + ly * hx * rhi[xlo] + ly * lx * rhi[xhi];
                }
            }
        }
        kv_f32(&out)[k * out.stride[0] + c * out.stride[1] + ph * out.stride[2] + pw * out.stride[3]] = acc / r.count;
    }
}

extern "C" void ov_kroi_align_cuda(const ovKRoi *p, const ovKView *out, const ovKView *x, const ovKView *boxes) {
    int64_t total = kv_numel(out);
    if (total) OV_LAUNCH(roi_align_kernel, ov_grid(total, BIN_THREADS), BIN_THREADS, 0, 0, *p, *out, *x, *boxes, total);
}

/* ---------------- backward ---------------- */

/* Per-roi tables of one launch. */
struct RoiTables {
    float *wy;       /* [K, out_h, H] */
    float *wx;       /* [K, out_w, W] */
    int64_t *batch;  /* [K] feature-map index, -1 when none */
    float *count;    /* [K] the bin average's divisor */
};

/* Adds the bilinear weights that the samples of bin b of one axis put on each index of that axis. */
__device__ void axis_weights(float *row, int64_t size, float start, float bin, int64_t b, int64_t grid) {
    for (int64_t i = 0; i < size; i++) row[i] = 0.0f;
    for (int64_t s = 0; s < grid; s++) {
        int64_t lo, hi;
        float l;
        if (!ov_roi_axis(ov_roi_coord(start, bin, b, s, grid), size, &lo, &hi, &l)) continue;
        row[lo] += 1.0f - l;
        row[hi] += l;
    }
}

/* One thread per (roi, bin row) and (roi, bin column). */
__global__ void roi_tables_kernel(ovKRoi p, RoiTables t, ovKView boxes, int64_t H, int64_t W, int64_t total) {
    int64_t bins = p.out_h + p.out_w;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int64_t k = e / bins, j = e % bins;
        ovRoiGeom r = geom_of(p, boxes, k);
        if (j == 0) {
            t.batch[k] = r.batch;
            t.count[k] = r.count;
        }
        if (j < p.out_h)
            axis_weights(t.wy + (k * p.out_h + j) * H, H, r.y0, r.bh, j, r.gh);
        else
            axis_weights(t.wx + (k * p.out_w + j - p.out_h) * W, W, r.x0, r.bw, j - p.out_h, r.gw);
    }
}

__global__ void roi_gather_kernel(ovKRoi p, RoiTables t, ovKView gx, ovKView g, int64_t K, int64_t rows) {
    int64_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3];
    for (int64_t r = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += (int64_t)gridDim.y * blockDim.y) {
        int64_t y = r % H, plane = r / H, c = plane % C, n = plane / C;
        float *xr = kv_f32(&gx) + n * gx.stride[0] + c * gx.stride[1] + y * gx.stride[2];
        for (int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; x < W; x += (int64_t)gridDim.x * blockDim.x) {
            float acc = 0.0f;
            for (int64_t k = 0; k < K; k++) {
                if (t.batch[k] != n) continue;
                const float *gk = kv_f32(&g) + k * g.stride[0] + c * g.stride[1];
                const float *wy = t.wy + k * p.out_h * H + y, *wx = t.wx + k * p.out_w * W + x;
                float count = t.count[k];
                for (int64_t ph = 0; ph < p.out_h; ph++) {
                    float a = wy[ph * H];
                    if (a == 0.0f) continue;
                    for (int64_t pw = 0; pw < p.out_w; pw++) {
                        float b = wx[pw * W];
                        if (b != 0.0f) acc += gk[ph * g.stride[2] + pw * g.stride[3]] / count * a * b;
                    }
                }
            }
            xr[x * gx.stride[3]] = acc;
        }
    }
}

extern "C" void ov_kroi_align_backward_cuda(const ovKRoi *p, const ovKView *gx, const ovKView *g, const ovKView *boxes) {
    int64_t K = g->shape[0], N = gx->shape[0], C = gx->shape[1], H = gx->shape[2], W = gx->shape[3];
    int64_t rows = N * C * H;
    if (rows == 0 || W == 0) return;
    size_t nwy = (size_t)(K * p->out_h * H), nwx = (size_t)(K * p->out_w * W), nk = (size_t)(K > 0 ? K : 1);
    size_t bytes = nk * sizeof(int64_t) + (nwy + nwx + nk) * sizeof(float);
    char *scratch = (char *)ov_cuda_alloc(bytes);
    RoiTables t;
    t.batch = (int64_t *)scratch;
    t.wy = (float *)(t.batch + nk);
    t.wx = t.wy + nwy;
    t.count = t.wx + nwx;
    int64_t total = K * (p->out_h + p->out_w);
    if (total) OV_LAUNCH(roi_tables_kernel, ov_grid(total, BIN_THREADS), BIN_THREADS, 0, 0, *p, t, *boxes, H, W, total);
    OV_LAUNCH(roi_gather_kernel, ov_row_grid(rows, W), dim3(OV_ROW_X, OV_ROW_Y), 0, 0, *p, t, *gx, *g, K, rows);
    ov_cuda_free(scratch, bytes);
}
