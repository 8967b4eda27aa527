/* conv.cu: convolutions on the device (the CUDA twins of kernels/cpu/conv.h, for F.conv2d/3d,
 * F.conv_transpose2d/3d and the weight gradient), with the plan of the CPU fast kernels: GEMMs
 * through cuBLAS (kernels/cuda/blas.h) over im2col/vol2col columns (kernels/cuda/im2col.h),
 * col2im for the transpose, and no columns at all for 1x1x1 kernels with stride 1 (the image is
 * the column matrix) or a patch-major copy for non-overlapping patch embeddings (kernel ==
 * stride). Columns cover all channels of nb images at once, so one strided-batched GEMM runs over
 * the images or over the groups (whichever is more). The column buffer is device scratch bounded
 * by COL_BUDGET: a 3x3x3 convolution over 512 channels (13824 rows) works on about 2400 columns
 * at a time. Every sum runs in a fixed order (GEMMs and gathers, no atomics): deterministic. */
#include "kernels/cuda/blas.h"
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/conv.h"
#include "kernels/cuda/copy.h"
#include "kernels/cuda/device.h"
#include "kernels/cuda/im2col.h"

#define THREADS 128
#define COL_BUDGET ((int64_t)1 << 25) /* floats of column buffer (128 MiB) */
#define MIN_COLS 1024                 /* columns per chunk however many rows: GEMMs wide enough */

/* ---- device scratch ---- */

typedef struct {
    float *p;
    size_t bytes;
} Scratch;

static float *scratch(Scratch *s, int64_t n) {
    s->bytes = (size_t)(n > 0 ? n : 1) * sizeof(float);
    s->p = (float *)ov_cuda_alloc(s->bytes);
    return s->p;
}

static void release(Scratch *s) {
    if (s->p) ov_cuda_free(s->p, s->bytes);
    s->p = NULL;
}

/* ---- GEMM operands ---- */

/* A view as GEMM rows over its first `lead` dims, whose remaining dims must be contiguous and
 * rows at least a row apart (what cuBLAS takes); otherwise a contiguous device copy. */
typedef struct {
    const float *p;
    Scratch own;
    int64_t st[2]; /* strides of the lead dims */
} Rows;

static Rows rows_of(const ovKView *v, int lead) {
    Rows r = {kv_f32(v), {NULL, 0}, {v->stride[0], lead > 1 ? v->stride[1] : 0}};
    int64_t row = 1;
    for (int d = v->ndim - 1; d >= lead; d--) row *= v->shape[d];
    if (ov_kv_tail_contiguous(v, lead) && (v->shape[lead - 1] == 1 || v->stride[lead - 1] >= row)) return r;
    ovKView dst = *v;
    dst.data = scratch(&r.own, kv_numel(v));
    int64_t st = 1;
    for (int d = v->ndim - 1; d >= 0; d--) {
        dst.stride[d] = st;
        st *= v->shape[d];
    }
    ov_kcopy_cuda(&dst, v);
    r.p = r.own.p;
    r.st[lead - 1] = row;
    if (lead > 1) r.st[0] = row * v->shape[1];
    return r;
}

/* The operand of image i and group g: p + i*si + g*sg, rows ld apart. */
typedef struct {
    const float *p;
    int64_t ld, si, sg;
} Opnd;

/* cuBLAS rejects a leading dimension below the row length even for a single row, where it is
 * never used: such an ld is raised. With several rows it would be a bug here (rows_of copies). */
static int64_t fit_ld(int64_t ld, int64_t rows, int64_t cols) {
    if (ld >= cols && ld >= 1) return ld;
    if (rows <= 1) return cols > 1 ? cols : 1;
    ov_panic("device convolution: a GEMM operand has %lld rows of %lld floats only %lld apart", (long long)rows,
             (long long)cols, (long long)ld);
}

/* C_ig = op(A_ig) op(B_ig) + beta C_ig for images i < ni and groups g < G, C_ig at C + i*ci + g*cg:
 * one strided-batched GEMM over the larger count, looped over the other. */
static void gemm_ig(bool ta, bool tb, int64_t M, int64_t N, int64_t K, Opnd A, Opnd B, float beta, float *C,
                    int64_t ldc, int64_t ci, int64_t cg, int64_t ni, int64_t G) {
    int64_t lda = fit_ld(A.ld, ta ? K : M, ta ? M : K), ldb = fit_ld(B.ld, tb ? N : K, tb ? K : N);
    ldc = fit_ld(ldc, M, N);
    bool by_g = G >= ni;
    int64_t outer = by_g ? ni : G, batch = by_g ? G : ni;
    for (int64_t o = 0; o < outer; o++)
        ov_sgemm_batched_cuda(ta, tb, M, N, K, 1.0f, A.p + o * (by_g ? A.si : A.sg), lda, by_g ? A.sg : A.si,
                              B.p + o * (by_g ? B.si : B.sg), ldb, by_g ? B.sg : B.si, beta,
                              C + o * (by_g ? ci : cg), ldc, by_g ? cg : ci, batch);
}

/* ---- bias ---- */

__global__ void bias_kernel(float *y, const float *b, int64_t bs, int64_t C, int64_t S, int64_t rows) {
    for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
        float v = b[(r % C) * bs];
        for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < S; j += (int64_t)gridDim.x * blockDim.x)
            y[r * S + j] = v;
    }
}

/* Rows (n, c) of Y, S long, set to the bias of c, or zero. */
static void fill_bias(float *Y, int64_t N, int64_t C, int64_t S, const ovKView *b) {
    int64_t rows = N * C;
    if (!rows || !S) return;
    if (!b || !b->data) {
        ov_cuda_memset(Y, 0, (size_t)(rows * S) * sizeof(float));
        return;
    }
    unsigned gx = ov_grid(S, THREADS), gy = 1;
#if !defined(OV_CUDA_EMULATED) /* the emulator's blocks are fibers: one row of blocks strides over the rows */
    gy = (unsigned)(rows < 65535 ? rows : 65535);
    if ((uint64_t)gx * gy > 65536) gx = 65536 / gy > 1 ? 65536 / gy : 1;
#endif
    OV_LAUNCH(bias_kernel, dim3(gx, gy), THREADS, 0, 0, Y, kv_f32(b), b->stride[0], C, S, rows);
}

/* ---- geometry and plan (as in kernels/cpu/conv.c) ---- */

typedef enum { P_POINTWISE, P_PATCH, P_GENERAL } Path;

/* POINTWISE uses the image in place as a GEMM operand: its pixels must be contiguous per channel
 * and its channels at least a plane apart. */
static Path pick_path(const ovColGeom *g) {
    bool one = true;
    for (int d = 0; d < 3; d++) one &= g->k[d] == 1 && g->s[d] == 1 && g->p[d] == 0 && g->out[d] == g->in[d];
    int64_t plane = g->in[0] * g->in[1] * g->in[2];
    bool contig = (g->in[2] == 1 || g->is[2] == 1) && (g->in[1] == 1 || g->is[1] == g->in[2]) &&
                  (g->in[0] == 1 || g->is[0] == g->in[1] * g->in[2]) && (g->C == 1 || g->cs >= plane);
    if (one && contig) return P_POINTWISE;
    if (ov_col_is_patch(g)) return P_PATCH;
    return P_GENERAL;
}

static int64_t forced_cols;

extern "C" void ov_kconv_set_chunk_cols_cuda(int64_t n) { forced_cols = n > 0 ? n : 0; }

/* Chunks of nb whole images when an image's R x S columns fit the buffer, else of m < S columns
 * of one image. */
static void chunking(int64_t R, int64_t S, int64_t N, int64_t *nb, int64_t *m) {
    int64_t cols = forced_cols ? forced_cols : COL_BUDGET / R;
    if (!forced_cols && cols < MIN_COLS) cols = MIN_COLS;
    *m = cols < S ? cols : S;
    *nb = cols < S ? 1 : cols / S < N ? cols / S : N;
    if (*nb < 1) *nb = 1;
}

static int64_t spatial(const ovKView *v) { return v->shape[2] * v->shape[3] * v->shape[4]; }

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* ---- kernels ---- */

extern "C" void ov_kconv_cuda(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b,
                              const ovConvParams *p) {
    int64_t N = y->shape[0], Cout = y->shape[1], G = p->groups, Mg = Cout / G, Cg = w->shape[1], S = spatial(y);
    float *Y = kv_f32(y);
    fill_bias(Y, N, Cout, S, b);
    ovColGeom g = ov_col_geom(x, Cg * G, w->shape + 2, y->shape + 2, p);
    int64_t R = ov_col_rows(&g), K = R / G; /* rows of all channels, of one group */
    if (!N || !Mg || !S || !K) return;
    Rows wr = rows_of(w, 1);
    Opnd W = {wr.p, wr.st[0], 0, Mg * wr.st[0]};
    const float *X = kv_f32(x);
    int64_t xs0 = x->stride[0], xs1 = x->stride[1];
    Path path = pick_path(&g);
    if (path == P_POINTWISE) {
        Opnd B = {X, xs1, xs0, Cg * xs1};
        gemm_ig(false, false, Mg, S, Cg, W, B, 1.0f, Y, S, Cout * S, Mg * S, N, G);
    } else {
        int64_t nb, m;
        chunking(R, S, N, &nb, &m);
        Scratch col;
        scratch(&col, R * m * nb);
        for (int64_t n0 = 0; n0 < N; n0 += nb)
            for (int64_t j0 = 0; j0 < S; j0 += m) {
                int64_t ni = min64(nb, N - n0), mi = min64(m, S - j0);
                Opnd B;
                if (path == P_PATCH) {
                    ov_patch_gather_cuda(col.p, X + n0 * xs0, xs0, &g, ni, j0, mi);
                    B = Opnd{col.p, R, R * mi, K};
                } else {
                    ov_im2col_cuda(col.p, X + n0 * xs0, xs0, &g, ni, j0, mi);
                    B = Opnd{col.p, mi, R * mi, K * mi};
                }
                gemm_ig(false, path == P_PATCH, Mg, mi, K, W, B, 1.0f, Y + n0 * Cout * S + j0, S, Cout * S, Mg * S,
                        ni, G);
            }
        release(&col);
    }
    release(&wr.own);
}

extern "C" void ov_kconv_transpose_cuda(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b,
                                        const ovConvParams *p) {
    int64_t N = y->shape[0], Cout = y->shape[1], G = p->groups, Cig = x->shape[1] / G, Cog = w->shape[1];
    int64_t Sy = spatial(y), Sx = spatial(x);
    float *Y = kv_f32(y);
    fill_bias(Y, N, Cout, Sy, b);
    /* the convolution whose adjoint this is reads y (all Cout channels) and writes x's columns */
    ovColGeom g = ov_col_geom_contig(Cout, y->shape + 2, w->shape + 2, x->shape + 2, p);
    int64_t R = ov_col_rows(&g), K = R / G;
    if (!N || !Cig || !Sx || !K) return;
    Rows xr = rows_of(x, 2), wr = rows_of(w, 1);
    Opnd W = {wr.p, wr.st[0], 0, Cig * wr.st[0]};  /* group g: [Cig, K] */
    Opnd X = {xr.p, xr.st[1], xr.st[0], Cig * xr.st[1]}; /* image i, group g: [Cig, Sx] */
    Path path = pick_path(&g);
    if (path == P_POINTWISE) {
        gemm_ig(true, false, Cog, Sx, Cig, W, X, 1.0f, Y, Sy, Cout * Sy, Cog * Sy, N, G);
    } else {
        int64_t nb, m;
        chunking(R, Sx, N, &nb, &m);
        Scratch col;
        scratch(&col, R * m * nb);
        for (int64_t n0 = 0; n0 < N; n0 += nb)
            for (int64_t j0 = 0; j0 < Sx; j0 += m) {
                int64_t ni = min64(nb, N - n0), mi = min64(m, Sx - j0);
                Opnd Xc = X;
                Xc.p += n0 * xr.st[0] + j0;
                float *yn = Y + n0 * Cout * Sy;
                if (path == P_PATCH) { /* colT[i][jj][g*K + r] = (X_ig^T W_g)[jj][r] */
                    gemm_ig(true, false, mi, K, Cig, Xc, W, 0.0f, col.p, R, R * mi, K, ni, G);
                    ov_patch_add_cuda(yn, Cout * Sy, col.p, &g, ni, j0, mi);
                } else { /* col[i][g*K + r][jj] = (W_g^T X_ig)[r][jj] */
                    gemm_ig(true, false, K, mi, Cig, W, Xc, 0.0f, col.p, mi, R * mi, K * mi, ni, G);
                    ov_col2im_add_cuda(yn, Cout * Sy, col.p, &g, ni, j0, mi);
                }
            }
        release(&col);
    }
    release(&xr.own);
    release(&wr.own);
}

extern "C" void ov_kconv_wgrad_cuda(const ovKView *gw, const ovKView *x, const ovKView *gy, const ovConvParams *p) {
    int64_t N = gy->shape[0], Cout = gw->shape[0], Cg = gw->shape[1], G = p->groups, Mg = Cout / G, S = spatial(gy);
    ovColGeom g = ov_col_geom(x, Cg * G, gw->shape + 2, gy->shape + 2, p);
    int64_t R = ov_col_rows(&g), K = R / G;
    float *GW = kv_f32(gw);
    if (Cout > 0 && K > 0) ov_cuda_memset(GW, 0, (size_t)(Cout * K) * sizeof(float));
    if (!N || !Mg || !S || !K) return;
    Rows gr = rows_of(gy, 2);
    Opnd GY = {gr.p, gr.st[1], gr.st[0], Mg * gr.st[1]}; /* image i, group g: [Mg, S] */
    const float *X = kv_f32(x);
    int64_t xs0 = x->stride[0], xs1 = x->stride[1];
    Path path = pick_path(&g);
    /* images add into the same gw: one GEMM (batched over groups) per image, in image order */
    if (path == P_POINTWISE) {
        for (int64_t n = 0; n < N; n++) {
            Opnd A = GY, B = {X + n * xs0, xs1, 0, Cg * xs1};
            A.p += n * gr.st[0];
            gemm_ig(false, true, Mg, Cg, S, A, B, 1.0f, GW, K, 0, Mg * K, 1, G);
        }
    } else {
        int64_t nb, m;
        chunking(R, S, N, &nb, &m);
        Scratch col;
        scratch(&col, R * m * nb);
        for (int64_t n0 = 0; n0 < N; n0 += nb)
            for (int64_t j0 = 0; j0 < S; j0 += m) {
                int64_t ni = min64(nb, N - n0), mi = min64(m, S - j0);
                if (path == P_PATCH)
                    ov_patch_gather_cuda(col.p, X + n0 * xs0, xs0, &g, ni, j0, mi);
                else
                    ov_im2col_cuda(col.p, X + n0 * xs0, xs0, &g, ni, j0, mi);
                for (int64_t i = 0; i < ni; i++) {
                    Opnd A = GY;
                    A.p += (n0 + i) * gr.st[0] + j0;
                    Opnd B = path == P_PATCH ? Opnd{col.p + i * R * mi, R, 0, K}
                                             : Opnd{col.p + i * R * mi, mi, 0, K * mi};
                    gemm_ig(false, path != P_PATCH, Mg, K, mi, A, B, 1.0f, GW, K, 0, Mg * K, 1, G);
                }
            }
        release(&col);
    }
    release(&gr.own);
}
