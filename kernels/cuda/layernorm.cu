/* layernorm.cu: layer norm on the device (F.layer_norm over the last dims, and the channels-first
 * LayerNorm over dim 1 of STMixer/ConvNeXt), the CUDA twin of kernels/cpu/layernorm.c:
 *   forward   one row per thread, warp or block (rowwise.cuh): mean, then the biased variance
 *             around it, then y = (x - mean) * rstd * w + b; mean and rstd are kept;
 *   backward  grad_x in one kernel per row (xhat = (x - mean) * rstd, h = g * w):
 *             gx = rstd * (h - mean(h) - xhat * mean(h * xhat));
 *             grad_weight = sum over rows of g * xhat and grad_bias = sum of g, deterministically in
 *             two stages: blocks reduce tiles of 32 rows x 32 columns (loaded through shared memory
 *             so that the reads are coalesced whether the row or the column dim has unit stride)
 *             into one partial per chunk of rows, then a second kernel adds the partials of each
 *             column in chunk order. No atomics. */
#include "kernels/cuda/device.h"
#include "kernels/cuda/norm.h"
#include "kernels/cuda/rowwise.cuh"

/* views: x, y, mean, rstd */
template <class G>
__global__ void ROW_BOUNDS layernorm_kernel(ovRows R, const float *x, float *y, float *mean, float *rstd,
                                                                const float *w, int64_t wk, const float *b, int64_t bk,
                                                                float eps) {
    OV_SHARED(F2, scratch, 32);
    G g(scratch);
    int64_t n = R.n, xk = R.kstep[0], yk = R.kstep[1];
    for (int64_t r = g.first(); r < R.items; r += g.step()) {
        int64_t off[4];
        row_offsets<4>(R, r, off);
        const float *xr = x + off[0];
        float *yr = y + off[1];
        float s = 0.0f;
        for (int64_t k = g.rank(); k < n; k += g.size()) s += xr[k * xk];
        float m = g.all(s, SumOp()) / (float)n;
        float v = 0.0f;
        for (int64_t k = g.rank(); k < n; k += g.size()) v += (xr[k * xk] - m) * (xr[k * xk] - m);
        float rs = 1.0f / sqrtf(g.all(v, SumOp()) / (float)n + eps);
        for (int64_t k = g.rank(); k < n; k += g.size()) yr[k * yk] = (xr[k * xk] - m) * rs * w[k * wk] + b[k * bk];
        if (g.rank() == 0) {
            mean[off[2]] = m;
            rstd[off[3]] = rs;
        }
    }
}

/* views: gx, g, x, mean, rstd */
template <class G>
__global__ void ROW_BOUNDS layernorm_backward_kernel(ovRows R, float *gx, const float *g, const float *x,
                                                                         const float *mean, const float *rstd,
                                                                         const float *w, int64_t wk) {
    OV_SHARED(F2, scratch, 32);
    G grp(scratch);
    int64_t n = R.n, ok = R.kstep[0], gk = R.kstep[1], xk = R.kstep[2];
    for (int64_t r = grp.first(); r < R.items; r += grp.step()) {
        int64_t off[5];
        row_offsets<5>(R, r, off);
        float *o = gx + off[0];
        const float *gr = g + off[1], *xr = x + off[2];
        float m = mean[off[3]], rs = rstd[off[4]];
        F2 t = {0.0f, 0.0f}; /* sums of h and of h * xhat */
        for (int64_t k = grp.rank(); k < n; k += grp.size()) {
            float h = gr[k * gk] * w[k * wk];
            t.a += h;
            t.b += h * ((xr[k * xk] - m) * rs);
        }
        t = grp.all(t, SumOp());
        float a = t.a / (float)n, c = t.b / (float)n;
        for (int64_t k = grp.rank(); k < n; k += grp.size()) {
            float xh = (xr[k * xk] - m) * rs;
            o[k * ok] = rs * (gr[k * gk] * w[k * wk] - a - xh * c);
        }
    }
}

#define PT 32 /* parameter-gradient tiles: PT rows x PT columns */
#define PY 8  /* blocks of PT x PY threads */

/* Partial sums of g * xhat and g over the rows of chunk blockIdx.y, for columns blockIdx.x * PT
 * onwards: pw/pb[chunk * n + column]. A tile is loaded with threadIdx.x along the columns when
 * they have unit stride (`rows_fast` false), else along the rows (channels-first: neighbouring
 * rows are neighbours in memory). views of R: gx, g, x, mean, rstd. */
__global__ void __launch_bounds__(PT * PY) ln_param_partial_kernel(ovRows R, const float *g, const float *x,
                                                                   const float *mean, const float *rstd,
                                                                   int64_t chunk_rows, bool rows_fast, float *pw,
                                                                   float *pb) {
    OV_SHARED(int64_t, og, PT);
    OV_SHARED(int64_t, ox, PT);
    OV_SHARED(float, mrow, PT);
    OV_SHARED(float, rrow, PT);
    OV_SHARED(float, tg, PT * (PT + 1)); /* +1: no bank conflicts along either dim */
    OV_SHARED(float, th, PT * (PT + 1));
    OV_SHARED(F2, red, PT * PY);
    int tx = (int)threadIdx.x, ty = (int)threadIdx.y;
    int64_t n = R.n, k0 = (int64_t)blockIdx.x * PT, gk = R.kstep[1], xk = R.kstep[2];
    int64_t r_begin = (int64_t)blockIdx.y * chunk_rows;
    int64_t r_end = r_begin + chunk_rows < R.items ? r_begin + chunk_rows : R.items;
    F2 acc = {0.0f, 0.0f};
    for (int64_t r0 = r_begin; r0 < r_end; r0 += PT) {
        if (ty == 0 && r0 + tx < r_end) {
            int64_t off[5];
            row_offsets<5>(R, r0 + tx, off);
            og[tx] = off[1];
            ox[tx] = off[2];
            mrow[tx] = mean[off[3]];
            rrow[tx] = rstd[off[4]];
        }
        __syncthreads();
        for (int i = ty; i < PT; i += PY) {
            int rr = rows_fast ? tx : i, cc = rows_fast ? i : tx;
            float gv = 0.0f, hv = 0.0f;
            if (r0 + rr < r_end && k0 + cc < n) {
                gv = g[og[rr] + (k0 + cc) * gk];
                hv = (x[ox[rr] + (k0 + cc) * xk] - mrow[rr]) * rrow[rr];
            }
            tg[rr * (PT + 1) + cc] = gv;
            th[rr * (PT + 1) + cc] = hv;
        }
        __syncthreads();
        for (int rr = ty; rr < PT; rr += PY) {
            float gv = tg[rr * (PT + 1) + tx];
            acc.a += gv * th[rr * (PT + 1) + tx];
            acc.b += gv;
        }
        __syncthreads(); /* the tile is read before the next one is loaded */
    }
    red[ty * PT + tx] = acc;
    __syncthreads();
    if (ty == 0 && k0 + tx < n) {
        F2 t = red[tx];
        for (int j = 1; j < PY; j++) t = SumOp()(t, red[j * PT + tx]);
        pw[(int64_t)blockIdx.y * n + k0 + tx] = t.a;
        pb[(int64_t)blockIdx.y * n + k0 + tx] = t.b;
    }
}

/* gw[k], gb[k] = the chunks' partials of column k added in chunk order (in double). */
__global__ void ln_param_final_kernel(const float *pw, const float *pb, int64_t chunks, int64_t n, float *gw,
                                      int64_t gws, float *gb, int64_t gbs) {
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n; k += (int64_t)gridDim.x * blockDim.x) {
        double sw = 0, sb = 0;
        for (int64_t c = 0; c < chunks; c++) {
            sw += pw[c * n + k];
            sb += pb[c * n + k];
        }
        if (gw) gw[k * gws] = (float)sw;
        if (gb) gb[k * gbs] = (float)sb;
    }
}

/* Blocks a two-stage column reduction aims for: enough to fill a GPU, few under the emulator. */
#if defined(OV_CUDA_EMULATED)
#define PARAM_BLOCKS 16
#else
#define PARAM_BLOCKS 1024
#endif

static void param_grads(const ovRows &R, const float *g, const float *x, const float *mean, const float *rstd,
                        const ovKView *gw, const ovKView *gb) {
    int64_t n = R.n, col_tiles = (n + PT - 1) / PT, row_tiles = (R.items + PT - 1) / PT;
    int64_t chunks = PARAM_BLOCKS / col_tiles;
    chunks = chunks < 1 ? 1 : chunks > row_tiles ? row_tiles : chunks;
    int64_t chunk_rows = (row_tiles + chunks - 1) / chunks * PT;
    chunks = (R.items + chunk_rows - 1) / chunk_rows;
    size_t bytes = (size_t)(2 * chunks * n) * sizeof(float);
    float *pw = (float *)ov_cuda_alloc(bytes), *pb = pw + chunks * n;
    bool rows_fast = R.kstep[1] != 1 && R.ndim > 1 && R.rstep[1] == 1;
    OV_LAUNCH(ln_param_partial_kernel, dim3((unsigned)col_tiles, (unsigned)chunks), dim3(PT, PY), 0, 0, R, g, x, mean,
              rstd, chunk_rows, rows_fast, pw, pb);
    OV_LAUNCH(ln_param_final_kernel, ov_grid(n, 256), 256, 0, 0, pw, pb, chunks, n, gw ? kv_f32(gw) : NULL,
              gw ? gw->stride[0] : 0, gb ? kv_f32(gb) : NULL, gb ? gb->stride[0] : 0);
    ov_cuda_free(pw, bytes);
}

extern "C" {

void ov_klayernorm_cuda(const ovKView *y, const ovKView *mean, const ovKView *rstd, const ovKView *x,
                        const ovKView *w, const ovKView *b, float eps) {
    ovRows R;
    const ovKView *v[] = {x, y, mean, rstd};
    ov_rows_init_single(&R, 4, v);
    ROW_LAUNCH(layernorm_kernel, R, row_mode(R, 0), kv_f32(x), kv_f32(y), kv_f32(mean), kv_f32(rstd), kv_f32(w),
               w->stride[0], kv_f32(b), b->stride[0], eps);
}

void ov_klayernorm_backward_cuda(const ovKView *gx, const ovKView *gw, const ovKView *gb, const ovKView *g,
                                 const ovKView *x, const ovKView *w, const ovKView *mean, const ovKView *rstd) {
    ovRows R;
    const ovKView *v[] = {gx, g, x, mean, rstd};
    ov_rows_init_single(&R, 5, v);
    if (R.items == 0) { /* no rows: the parameter gradients are zero */
        if ((gw || gb) && R.n)
            OV_LAUNCH(ln_param_final_kernel, ov_grid(R.n, 256), 256, 0, 0, (const float *)NULL, (const float *)NULL,
                      (int64_t)0, R.n, gw ? kv_f32(gw) : NULL, gw ? gw->stride[0] : 0, gb ? kv_f32(gb) : NULL,
                      gb ? gb->stride[0] : 0);
        return;
    }
    ROW_LAUNCH(layernorm_backward_kernel, R, row_mode(R, 1), kv_f32(gx), kv_f32(g), kv_f32(x), kv_f32(mean),
               kv_f32(rstd), kv_f32(w), w->stride[0]);
    if (gw || gb) param_grads(R, kv_f32(g), kv_f32(x), kv_f32(mean), kv_f32(rstd), gw, gb);
}

} /* extern "C" */
