/* conv.c: fast convolution kernels (see conv.h): convolution as GEMM over im2col/vol2col columns,
 * as in Caffe and PyTorch's slow_conv (per image and group: Y[Cout_g, S] = W[Cout_g, K] col[K, S]),
 * the transpose as GEMM + col2im, the weight gradient as GEMM against the same columns. Two cases
 * skip im2col: 1x1x1 kernels with stride 1 and no padding (x itself is the column matrix) and
 * non-overlapping patch embeddings (kernel == stride, e.g. ViT/CLIP Conv2d(3,768,16,16) and
 * ViCLIP's Conv3d (1,16,16)), where a patch-major copy feeds one GEMM. Columns are built in
 * chunks so the buffer stays bounded for big 3x3x3 convolutions. Threads: inside im2col/col2im
 * and inside the GEMM; sums are never split across threads, so results are deterministic. */
#include "kernels/cpu/conv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/im2col.h"

/* Column chunks: about COL_BUDGET floats of buffer, but at least MIN_COLS columns so that each
 * GEMM call is wide enough to amortise its packing and thread start-up (3x3x3 convolutions over
 * 512 channels have 13824 rows: 512 columns are 28 MB). */
#define COL_BUDGET (1 << 22)
#define MIN_COLS 512
#define MAX_COLS 8192
#define PAR_MIN (1 << 17) /* elements below which threads cost more than they save */

static float *scratch(int64_t n) {
    void *p = NULL;
    size_t bytes = (size_t)(n > 0 ? n : 1) * sizeof(float);
    if (posix_memalign(&p, 64, bytes)) {
        fprintf(stderr, "convolution: out of memory for a %zu-byte column buffer\n", bytes);
        abort();
    }
    return p;
}

/* A view seen as rows over its first `lead` dims whose remaining dims are contiguous (what GEMM
 * needs of an operand); a contiguous copy is made when they are not. */
typedef struct {
    const float *p;
    float *owned;
    int64_t st[2]; /* strides of the lead dims */
} Rows;

static Rows rows_of(const ovKView *v, int lead) {
    Rows r = {kv_f32(v), NULL, {v->stride[0], lead > 1 ? v->stride[1] : 0}};
    if (ov_kv_tail_contiguous(v, lead)) return r;
    int64_t n = kv_numel(v), outer = v->shape[0] * v->shape[1], inner = n / (outer ? outer : 1);
    float *dst = scratch(n);
    const float *src = kv_f32(v);
    /* 5-D strided copy into row-major order */
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (int64_t ab = 0; ab < outer; ab++) {
        int64_t a = ab / v->shape[1], b = ab % v->shape[1];
        float *o = dst + ab * inner;
        const float *s = src + a * v->stride[0] + b * v->stride[1];
        for (int64_t c = 0; c < v->shape[2]; c++)
            for (int64_t d = 0; d < v->shape[3]; d++)
                for (int64_t e = 0; e < v->shape[4]; e++)
                    *o++ = s[c * v->stride[2] + d * v->stride[3] + e * v->stride[4]];
    }
    int64_t row = 1;
    for (int d = v->ndim - 1; d >= lead; d--) row *= v->shape[d];
    r.p = r.owned = dst;
    r.st[1] = row;
    r.st[0] = lead > 1 ? row * v->shape[1] : row;
    return r;
}

/* Y rows (n, c) of length S set to the bias of c, or zero. */
static void fill_bias(float *Y, int64_t N, int64_t C, int64_t S, const ovKView *b) {
    bool has = b && b->data;
#pragma omp parallel for schedule(static) if (N * C * S >= PAR_MIN)
    for (int64_t nc = 0; nc < N * C; nc++) {
        float v = has ? kv_f32(b)[(nc % C) * b->stride[0]] : 0.0f;
        float *o = Y + nc * S;
        for (int64_t j = 0; j < S; j++) o[j] = v;
    }
}

typedef enum { P_POINTWISE, P_PATCH, P_GENERAL } Path;

/* POINTWISE needs the image's pixels contiguous per channel when it is used as a GEMM operand
 * in place (need_contig). */
static Path pick_path(const ovColGeom *g, bool need_contig) {
    bool one = true, contig = true;
    for (int d = 0; d < 3; d++) one &= g->k[d] == 1 && g->s[d] == 1 && g->p[d] == 0 && g->out[d] == g->in[d];
    contig = (g->in[2] == 1 || g->is[2] == 1) && (g->in[1] == 1 || g->is[1] == g->in[2]) &&
             (g->in[0] == 1 || g->is[0] == g->in[1] * g->in[2]);
    if (one && (contig || !need_contig)) return P_POINTWISE;
    if (ov_col_is_patch(g)) return P_PATCH;
    return P_GENERAL;
}

static int64_t forced_cols;

void ov_kconv_set_chunk_cols(int64_t n) { forced_cols = n > 0 ? n : 0; }

static int64_t chunk_cols(int64_t K, int64_t S) {
    if (forced_cols) return forced_cols < S ? forced_cols : S;
    int64_t nc = COL_BUDGET / (K > 0 ? K : 1);
    if (nc < MIN_COLS) nc = MIN_COLS;
    if (nc > MAX_COLS) nc = MAX_COLS;
    return nc < S ? nc : S;
}

static int64_t spatial(const ovKView *v) { return v->shape[2] * v->shape[3] * v->shape[4]; }

/* Patch embeddings of small images (CLIP: 196 patches a frame) make GEMMs too narrow to run
 * well, so the patches of several images go through one GEMM into Z, whose per-image column
 * blocks are then added to the output rows (which hold the bias). */
static void conv_patch_folded(float *Y, const ovKView *x, const Rows *wr, const ovColGeom *g, int64_t Cout,
                              int64_t G, int64_t Mg, int64_t K, int64_t S) {
    int64_t N = x->shape[0], nb = chunk_cols(K, N * S) / S;
    nb = nb < 1 ? 1 : nb > N ? N : nb;
    float *colT = scratch(nb * S * K), *Z = scratch(Mg * nb * S);
    for (int64_t gi = 0; gi < G; gi++) {
        const float *wg = wr->p + gi * Mg * wr->st[0];
        for (int64_t n0 = 0; n0 < N; n0 += nb) {
            int64_t m = N - n0 < nb ? N - n0 : nb;
            for (int64_t i = 0; i < m; i++)
                ov_patch_gather(colT + i * S * K, kv_f32(x) + (n0 + i) * x->stride[0] + gi * g->C * x->stride[1], g,
                                0, S);
            ov_sgemm(false, true, Mg, m * S, K, 1.0f, wg, wr->st[0], colT, K, 0.0f, Z, m * S);
#pragma omp parallel for schedule(static) if (m * Mg * S >= PAR_MIN)
            for (int64_t r = 0; r < m * Mg; r++) {
                int64_t i = r / Mg, co = r % Mg;
                float *yr = Y + ((n0 + i) * Cout + gi * Mg + co) * S;
                const float *zr = Z + co * m * S + i * S;
                for (int64_t j = 0; j < S; j++) yr[j] += zr[j];
            }
        }
    }
    free(colT);
    free(Z);
}

void ov_kconv_fast(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b, const ovConvParams *p) {
    int64_t N = y->shape[0], Cout = y->shape[1], G = p->groups, Mg = Cout / G, Cg = w->shape[1];
    int64_t S = spatial(y);
    float *Y = kv_f32(y);
    fill_bias(Y, N, Cout, S, b);
    ovColGeom g = ov_col_geom(x, Cg, w->shape + 2, y->shape + 2, p);
    int64_t K = ov_col_rows(&g);
    if (!N || !Mg || !S || !K) return;
    Rows wr = rows_of(w, 1);
    Path path = pick_path(&g, true);
    if (path == P_PATCH && N > 1 && S < MIN_COLS) {
        conv_patch_folded(Y, x, &wr, &g, Cout, G, Mg, K, S);
        free(wr.owned);
        return;
    }
    int64_t nc = chunk_cols(K, S);
    float *col = path == P_POINTWISE ? NULL : scratch(K * nc);
    const float *X = kv_f32(x);
    for (int64_t n = 0; n < N; n++)
        for (int64_t gi = 0; gi < G; gi++) {
            const float *xg = X + n * x->stride[0] + gi * Cg * x->stride[1];
            const float *wg = wr.p + gi * Mg * wr.st[0];
            float *yg = Y + (n * Cout + gi * Mg) * S;
            if (path == P_POINTWISE) {
                ov_sgemm(false, false, Mg, S, Cg, 1.0f, wg, wr.st[0], xg, x->stride[1], 1.0f, yg, S);
            } else {
                for (int64_t j0 = 0; j0 < S; j0 += nc) {
                    int64_t m = S - j0 < nc ? S - j0 : nc;
                    if (path == P_PATCH) {
                        ov_patch_gather(col, xg, &g, j0, j0 + m);
                        ov_sgemm(false, true, Mg, m, K, 1.0f, wg, wr.st[0], col, K, 1.0f, yg + j0, S);
                    } else {
                        ov_im2col(col, m, xg, &g, j0, j0 + m);
                        ov_sgemm(false, false, Mg, m, K, 1.0f, wg, wr.st[0], col, m, 1.0f, yg + j0, S);
                    }
                }
            }
        }
    free(col);
    free(wr.owned);
}

void ov_kconv_transpose_fast(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b,
                             const ovConvParams *p) {
    int64_t N = y->shape[0], Cout = y->shape[1], G = p->groups, Cig = x->shape[1] / G, Cog = w->shape[1];
    int64_t Sy = spatial(y), Sx = spatial(x);
    float *Y = kv_f32(y);
    fill_bias(Y, N, Cout, Sy, b);
    /* the convolution whose adjoint this is reads y's group (Cog channels) and writes x's */
    ovColGeom g = ov_col_geom_contig(Cog, y->shape + 2, w->shape + 2, x->shape + 2, p);
    int64_t K = ov_col_rows(&g);
    if (!N || !Cig || !Sx || !K) return;
    Rows xr = rows_of(x, 2), wr = rows_of(w, 1);
    Path path = pick_path(&g, false);
    int64_t nc = chunk_cols(K, Sx);
    float *col = path == P_POINTWISE ? NULL : scratch(K * nc);
    for (int64_t n = 0; n < N; n++)
        for (int64_t gi = 0; gi < G; gi++) {
            const float *xg = xr.p + n * xr.st[0] + gi * Cig * xr.st[1];
            const float *wg = wr.p + gi * Cig * wr.st[0];
            float *yg = Y + (n * Cout + gi * Cog) * Sy;
            int64_t ldx = xr.st[1], ldw = wr.st[0];
            if (path == P_POINTWISE) {
                ov_sgemm(true, false, Cog, Sx, Cig, 1.0f, wg, ldw, xg, ldx, 1.0f, yg, Sy);
            } else {
                for (int64_t j0 = 0; j0 < Sx; j0 += nc) {
                    int64_t m = Sx - j0 < nc ? Sx - j0 : nc;
                    if (path == P_PATCH) {
                        ov_sgemm(true, false, m, K, Cig, 1.0f, xg + j0, ldx, wg, ldw, 0.0f, col, K);
                        ov_patch_scatter_add(yg, col, &g, j0, j0 + m);
                    } else {
                        ov_sgemm(true, false, K, m, Cig, 1.0f, wg, ldw, xg + j0, ldx, 0.0f, col, m);
                        ov_col2im_add(yg, col, m, &g, j0, j0 + m);
                    }
                }
            }
        }
    free(col);
    free(xr.owned);
    free(wr.owned);
}

void ov_kconv_wgrad_fast(const ovKView *gw, const ovKView *x, const ovKView *gy, const ovConvParams *p) {
    int64_t N = gy->shape[0], Cout = gw->shape[0], Cg = gw->shape[1], G = p->groups, Mg = Cout / G;
    int64_t S = spatial(gy);
    ovColGeom g = ov_col_geom(x, Cg, gw->shape + 2, gy->shape + 2, p);
    int64_t K = ov_col_rows(&g);
    float *GW = kv_f32(gw);
    memset(GW, 0, (size_t)(Cout * K) * sizeof(float));
    if (!N || !Mg || !S || !K) return;
    Rows gr = rows_of(gy, 2);
    Path path = pick_path(&g, true);
    int64_t nc = chunk_cols(K, S);
    float *col = path == P_POINTWISE ? NULL : scratch(K * nc);
    const float *X = kv_f32(x);
    /* sums over images and chunks run in a fixed order: deterministic */
    for (int64_t gi = 0; gi < G; gi++) {
        float *gwg = GW + gi * Mg * K;
        for (int64_t n = 0; n < N; n++) {
            const float *xg = X + n * x->stride[0] + gi * Cg * x->stride[1];
            const float *gyg = gr.p + n * gr.st[0] + gi * Mg * gr.st[1];
            int64_t ldg = gr.st[1];
            if (path == P_POINTWISE) {
                ov_sgemm(false, true, Mg, Cg, S, 1.0f, gyg, ldg, xg, x->stride[1], 1.0f, gwg, K);
            } else {
                for (int64_t j0 = 0; j0 < S; j0 += nc) {
                    int64_t m = S - j0 < nc ? S - j0 : nc;
                    if (path == P_PATCH) {
                        ov_patch_gather(col, xg, &g, j0, j0 + m);
                        ov_sgemm(false, false, Mg, K, m, 1.0f, gyg + j0, ldg, col, K, 1.0f, gwg, K);
                    } else {
                        ov_im2col(col, m, xg, &g, j0, j0 + m);
                        ov_sgemm(false, true, Mg, K, m, 1.0f, gyg + j0, ldg, col, m, 1.0f, gwg, K);
                    }
                }
            }
        }
    }
    free(col);
    free(gr.owned);
}
