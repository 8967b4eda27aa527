/* grid_sample.cu: F.grid_sample(mode='bilinear', padding_mode='zeros') for 2-D inputs and its
 * backward to the input and the grid, on the device; CUDA twins of kernels/cpu/grid_sample.c. The
 * corners and weights of a grid point come from ov_grid_taps (kernels/resample_math.h).
 *
 * Forward and grid gradient: one thread per grid point, looping over the channels (the taps are
 * computed once per point; the grid gradient is a reduction over channels owned by one thread).
 *
 * Input gradient, without atomics: grid points go into buckets by the pixel cell (floor of their
 * position) they fall in, one block per batch item, with a stable counting sort (counts, a scan,
 * then a fill in which each point's rank among the points of its cell follows the point order).
 * A pixel is a corner of the four cells around it; its gradient sums their points in that fixed
 * order, so the result is deterministic. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/device.h"
#include "kernels/cuda/resample.h"
#include "kernels/cuda/resample_rows.cuh"

#define POINT_THREADS 128
#define BUCKET_THREADS 256

/* Grid point q = (h, w) of batch item n as a pixel position of the [H,W] map. */
__device__ __forceinline__ void grid_point(const ovKView &grid, int64_t n, int64_t h, int64_t w, int64_t H, int64_t W,
                                           bool align, float *ix, float *iy, float *dx, float *dy) {
    const float *gp = kv_f32(&grid) + n * grid.stride[0] + h * grid.stride[1] + w * grid.stride[2];
    *ix = ov_grid_unnormalize(gp[0], W, align, dx);
    *iy = ov_grid_unnormalize(gp[grid.stride[3]], H, align, dy);
}

__device__ __forceinline__ float tap(const float *plane, int64_t off) { return off >= 0 ? plane[off] : 0.0f; }

/* ---------------- forward ---------------- */

__global__ void grid_sample_kernel(ovKView out, ovKView x, ovKView grid, bool align, int64_t points) {
    int64_t C = x.shape[1], H = x.shape[2], W = x.shape[3], Ho = out.shape[2], Wo = out.shape[3];
    for (int64_t q = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; q < points; q += (int64_t)gridDim.x * blockDim.x) {
        int64_t w = q % Wo, h = q / Wo % Ho, n = q / (Ho * Wo);
        float ix, iy, dx, dy;
        grid_point(grid, n, h, w, H, W, align, &ix, &iy, &dx, &dy);
        ovGridTaps t;
        ov_grid_taps(ix, iy, H, W, x.stride[2], x.stride[3], &t);
        const float *plane = kv_f32(&x) + n * x.stride[0];
        float *o = kv_f32(&out) + n * out.stride[0] + h * out.stride[2] + w * out.stride[3];
        for (int64_t c = 0; c < C; c++, plane += x.stride[1])
            o[c * out.stride[1]] = t.w[0] * tap(plane, t.off[0]) + t.w[1] * tap(plane, t.off[1]) +
                                   t.w[2] * tap(plane, t.off[2]) + t.w[3] * tap(plane, t.off[3]);
    }
}

extern "C" void ov_kgrid_sample_cuda(bool align_corners, const ovKView *out, const ovKView *x, const ovKView *grid) {
    int64_t points = out->shape[0] * out->shape[2] * out->shape[3];
    if (points == 0 || out->shape[1] == 0) return;
    OV_LAUNCH(grid_sample_kernel, ov_grid(points, POINT_THREADS), POINT_THREADS, 0, 0, *out, *x, *grid, align_corners,
              points);
}

/* ---------------- gradient to the grid ---------------- */

__global__ void grid_grad_kernel(ovKView ggrid, ovKView g, ovKView x, ovKView grid, bool align, int64_t points) {
    int64_t C = x.shape[1], H = x.shape[2], W = x.shape[3], Ho = g.shape[2], Wo = g.shape[3];
    for (int64_t q = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; q < points; q += (int64_t)gridDim.x * blockDim.x) {
        int64_t w = q % Wo, h = q / Wo % Ho, n = q / (Ho * Wo);
        float ix, iy, dx, dy;
        grid_point(grid, n, h, w, H, W, align, &ix, &iy, &dx, &dy);
        ovGridTaps t;
        ov_grid_taps(ix, iy, H, W, x.stride[2], x.stride[3], &t);
        const float *plane = kv_f32(&x) + n * x.stride[0];
        const float *gp = kv_f32(&g) + n * g.stride[0] + h * g.stride[2] + w * g.stride[3];
        float gix = 0.0f, giy = 0.0f;
        for (int64_t c = 0; c < C; c++, plane += x.stride[1]) {
            float v = gp[c * g.stride[1]];
            float v0 = tap(plane, t.off[0]), v1 = tap(plane, t.off[1]), v2 = tap(plane, t.off[2]), v3 = tap(plane, t.off[3]);
            gix += v * ((v1 - v0) * (1.0f - t.fy) + (v3 - v2) * t.fy);
            giy += v * ((v2 - v0) * (1.0f - t.fx) + (v3 - v1) * t.fx);
        }
        float *gg = kv_f32(&ggrid) + n * ggrid.stride[0] + h * ggrid.stride[1] + w * ggrid.stride[2];
        gg[0] = gix * dx;
        gg[ggrid.stride[3]] = giy * dy;
    }
}

/* ---------------- gradient to the input ---------------- */

/* Buckets of one launch: per batch item, M = (H+1)(W+1) cells (top-left corners in [-1, W-1] x
 * [-1, H-1]) and P grid points. */
struct Buckets {
    int *start; /* [N, M]: where each cell's points begin in the list */
    int *end;   /* [N, M]: where they end (the fill's cursors) */
    int64_t *goff; /* [N, P]: the point's offset in a plane of g, in list order */
    float *w;      /* [N, P, 4]: its corner weights nw, ne, sw, se, in list order */
    int64_t M, P;
};

/* The cell of grid point q of item n, or -1 when none of its corners is on the map. */
__device__ int cell_of(const ovKView &g, const ovKView &grid, int64_t H, int64_t W, bool align, int64_t n, int64_t q,
                       ovGridTaps *t) {
    int64_t Wo = g.shape[3];
    float ix, iy, dx, dy;
    grid_point(grid, n, q / Wo, q % Wo, H, W, align, &ix, &iy, &dx, &dy);
    ov_grid_taps(ix, iy, H, W, W, 1, t);
    if (t->off[0] < 0 && t->off[1] < 0 && t->off[2] < 0 && t->off[3] < 0) return -1;
    return (int)((t->cy + 1) * (W + 1) + t->cx + 1);
}

/* One block per batch item n: count the points of each cell, scan the counts into list starts,
 * then place the points chunk by chunk; within a chunk a point's rank among the chunk's points of
 * the same cell is counted from the chunk's cells in shared memory, so the list of every cell
 * keeps the points in increasing order. */
__global__ void grid_bucket_kernel(Buckets b, ovKView g, ovKView grid, int64_t H, int64_t W, bool align) {
    OV_SHARED(int, s, BUCKET_THREADS);
    int64_t n = blockIdx.x, M = b.M, P = b.P;
    int tid = (int)threadIdx.x, B = (int)blockDim.x;
    int *start = b.start + n * M, *cur = b.end + n * M;
    ovGridTaps t;

    for (int64_t m = tid; m < M; m += B) start[m] = 0;
    __syncthreads();
    for (int64_t q = tid; q < P; q += B) {
        int key = cell_of(g, grid, H, W, align, n, q, &t);
        if (key >= 0) atomicAdd(&start[key], 1); /* integer counts: the order does not matter */
    }
    __syncthreads();

    /* exclusive scan of the counts, B cells at a time (Hillis-Steele within the chunk) */
    int carry = 0;
    for (int64_t base = 0; base < M; base += B) {
        int64_t m = base + tid;
        int v = m < M ? start[m] : 0;
        s[tid] = v;
        __syncthreads();
        for (int d = 1; d < B; d <<= 1) {
            int add = tid >= d ? s[tid - d] : 0;
            __syncthreads();
            s[tid] += add;
            __syncthreads();
        }
        if (m < M) start[m] = cur[m] = carry + s[tid] - v;
        carry += s[B - 1];
        __syncthreads(); /* s is rewritten by the next chunk */
    }

    /* stable fill */
    for (int64_t base = 0; base < P; base += B) {
        int64_t q = base + tid;
        int key = q < P ? cell_of(g, grid, H, W, align, n, q, &t) : -1;
        s[tid] = key;
        __syncthreads();
        int before = 0, after = 0;
        if (key >= 0)
            for (int j = 0; j < B; j++) {
                before += j < tid && s[j] == key;
                after += j > tid && s[j] == key;
            }
        if (key >= 0) {
            int64_t pos = n * P + cur[key] + before;
            b.goff[pos] = q / g.shape[3] * g.stride[2] + q % g.shape[3] * g.stride[3];
            for (int k = 0; k < 4; k++) b.w[4 * pos + k] = t.w[k];
        }
        __syncthreads(); /* every point of the chunk has read the cursors */
        if (key >= 0 && after == 0) cur[key] += before + 1;
        __syncthreads();
    }
}

/* gx[n, c, y, x]: the points of the four cells that have pixel (y, x) as a corner, nw cell first. */
__global__ void grid_gather_kernel(Buckets b, ovKView gx, ovKView g, int64_t rows) {
    int64_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3], M = b.M, P = b.P;
    for (int64_t r = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += (int64_t)gridDim.y * blockDim.y) {
        int64_t y = r % H, plane = r / H, c = plane % C, n = plane / C;
        const int *start = b.start + n * M, *end = b.end + n * M;
        const int64_t *goff = b.goff + n * P;
        const float *wt = b.w + 4 * n * P;
        const float *gb = kv_f32(&g) + n * g.stride[0] + c * g.stride[1];
        float *xr = kv_f32(&gx) + n * gx.stride[0] + c * gx.stride[1] + y * gx.stride[2];
        for (int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; x < W; x += (int64_t)gridDim.x * blockDim.x) {
            /* the cell whose corner k is (y, x): top-left corner (y - k/2, x - k%2) */
            int64_t cell[4] = {(y + 1) * (W + 1) + x + 1, (y + 1) * (W + 1) + x, y * (W + 1) + x + 1, y * (W + 1) + x};
            float acc = 0.0f;
            for (int k = 0; k < 4; k++)
                for (int64_t e = start[cell[k]]; e < end[cell[k]]; e++) acc += wt[4 * e + k] * gb[goff[e]];
            xr[x * gx.stride[3]] = acc;
        }
    }
}

extern "C" void ov_kgrid_sample_backward_cuda(bool align_corners, const ovKView *gx, const ovKView *ggrid,
                                              const ovKView *g, const ovKView *x, const ovKView *grid) {
    int64_t N = g->shape[0], C = g->shape[1], H = x->shape[2], W = x->shape[3], P = g->shape[2] * g->shape[3];
    if (N * P > 0)
        OV_LAUNCH(grid_grad_kernel, ov_grid(N * P, POINT_THREADS), POINT_THREADS, 0, 0, *ggrid, *g, *x, *grid,
                  align_corners, N * P);
    int64_t rows = N * C * H;
    if (rows == 0 || W == 0) return;
    Buckets b;
    b.M = (H + 1) * (W + 1);
    b.P = P;
    if (N * b.M > INT32_MAX || N * P > INT32_MAX)
        ov_panic("grid_sample backward: %lld cells or %lld grid points exceed the device buckets' 32-bit indices",
                 (long long)(N * b.M), (long long)(N * P));
    size_t cells = (size_t)(N * b.M) * sizeof(int), pts = (size_t)(N * P > 0 ? N * P : 1);
    size_t bytes = 2 * cells + pts * (sizeof(int64_t) + 4 * sizeof(float));
    char *scratch = (char *)ov_cuda_alloc(bytes);
    b.start = (int *)scratch;
    b.end = (int *)(scratch + cells);
    b.goff = (int64_t *)(scratch + 2 * cells); /* 2 * cells is a multiple of 8 */
    b.w = (float *)(b.goff + pts);
    OV_LAUNCH(grid_bucket_kernel, (unsigned)N, BUCKET_THREADS, 0, 0, b, *g, *grid, H, W, align_corners);
    OV_LAUNCH(grid_gather_kernel, ov_row_grid(rows, W), dim3(OV_ROW_X, OV_ROW_Y), 0, 0, b, *gx, *g, rows);
    ov_cuda_free(scratch, bytes);
}
