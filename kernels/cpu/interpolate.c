/* interpolate.c: F.interpolate on the CPU (PyTorch's upsample_{nearest,linear1d,bilinear2d,
 * bicubic2d,trilinear3d} kernels and their backward). Every mode is separable: output element
 * (o0, o1, o2) is the sum over the taps of each dim of the product of their weights times the
 * input at the tapped indices (ov_interp_taps in kernels/resample_math.h). Inputs with fewer than three spatial
 * dims get leading dims of size 1 that take one tap of weight 1. */
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/resample.h"

/* The spatial geometry padded to three dims, leading dims first. */
typedef struct {
    int64_t in[3], out[3];
    int64_t sx[3], so[3]; /* strides of the input and output views (0 on padded dims) */
    double scale[3];
    ovKInterpKind kind[3];
} Geo;

static Geo geo_of(const ovKInterp *p, const ovKView *out, const ovKView *x) {
    Geo g;
    int nsp = x->ndim - 2, pad = 3 - nsp;
    for (int d = 0; d < 3; d++) {
        int k = d - pad; /* spatial dim of the views, < 0 when padded */
        g.in[d] = k < 0 ? 1 : x->shape[2 + k];
        g.out[d] = k < 0 ? 1 : out->shape[2 + k];
        g.sx[d] = k < 0 ? 0 : x->stride[2 + k];
        g.so[d] = k < 0 ? 0 : out->stride[2 + k];
        g.scale[d] = k < 0 ? 0.0 : p->scale[k];
        g.kind[d] = k < 0 ? OV_KI_NEAREST : p->kind;
    }
    return g;
}

static int taps(const ovKInterp *p, const Geo *g, int d, int64_t i, int64_t idx[4], float w[4]) {
    return ov_interp_taps(g->kind[d], g->in[d], g->out[d], p->align_corners, g->scale[d], i, idx, w);
}

/* ---------------- reference ---------------- */

void ov_kinterp_ref(const ovKInterp *p, const ovKView *out, const ovKView *x) {
    Geo g = geo_of(p, out, x);
    int64_t n = kv_numel(out), C = x->shape[1];
    int64_t per_plane = g.out[0] * g.out[1] * g.out[2];
    const float *xp = kv_f32(x);
    for (int64_t e = 0; e < n; e++) {
        int64_t plane = e / per_plane, r = e % per_plane;
        int64_t o[3] = {r / (g.out[1] * g.out[2]), r / g.out[2] % g.out[1], r % g.out[2]};
        int64_t idx[3][4];
        float w[3][4];
        int nt[3];
        for (int d = 0; d < 3; d++) nt[d] = taps(p, &g, d, o[d], idx[d], w[d]);
        int64_t base = plane / C * x->stride[0] + plane % C * x->stride[1];
        double acc = 0;
        for (int a = 0; a < nt[0]; a++)
            for (int b = 0; b < nt[1]; b++)
                for (int c = 0; c < nt[2]; c++)
                    acc += (double)w[0][a] * w[1][b] * w[2][c] *
                           xp[base + idx[0][a] * g.sx[0] + idx[1][b] * g.sx[1] + idx[2][c] * g.sx[2]];
        kv_f32(out)[kv_offset(out, e)] = (float)acc;
    }
}

void ov_kinterp_backward_ref(const ovKInterp *p, const ovKView *gx, const ovKView *gy) {
    Geo g = geo_of(p, gy, gx); /* gx has the input's shape, gy the output's */
    int64_t n = kv_numel(gy), m = kv_numel(gx);
    int64_t per_out = g.out[0] * g.out[1] * g.out[2], per_in = g.in[0] * g.in[1] * g.in[2];
    double *acc = calloc((size_t)(m ? m : 1), sizeof *acc);
    for (int64_t e = 0; e < n; e++) {
        int64_t plane = e / per_out, r = e % per_out;
        int64_t o[3] = {r / (g.out[1] * g.out[2]), r / g.out[2] % g.out[1], r % g.out[2]};
        int64_t idx[3][4];
        float w[3][4];
        int nt[3];
        for (int d = 0; d < 3; d++) nt[d] = taps(p, &g, d, o[d], idx[d], w[d]);
        double v = kv_f32(gy)[kv_offset(gy, e)];
        for (int a = 0; a < nt[0]; a++)
            for (int b = 0; b < nt[1]; b++)
                for (int c = 0; c < nt[2]; c++)
                    acc[plane * per_in + (idx[0][a] * g.in[1] + idx[1][b]) * g.in[2] + idx[2][c]] +=
                        (double)w[0][a] * w[1][b] * w[2][c] * v;
    }
    for (int64_t j = 0; j < m; j++) kv_f32(gx)[kv_offset(gx, j)] = (float)acc[j];
    free(acc);
}

/* ---------------- fast ----------------
 * Separable: an output row (o0, o1) is a weighted sum of a few input rows (i0, i1), each first
 * resampled along the last dim. A thread resamples each input row of its current plane once, when
 * first tapped, into a cache; the sums over rows are then contiguous, vectorisable loops. The
 * backward mirrors it: gradient rows are summed per tapped input row, then scattered along the
 * last dim. */

/* Taps of every output index of one dim: nt per index, input offsets (index * stride), weights. */
typedef struct {
    int nt;
    int64_t *off;
    float *w;
} Table;

static Table table_of(const ovKInterp *p, const Geo *g, int d, int64_t stride) {
    Table t;
    int64_t idx[4];
    float w[4];
    t.nt = taps(p, g, d, 0, idx, w);
    t.off = malloc((size_t)(g->out[d] * t.nt) * sizeof *t.off);
    t.w = malloc((size_t)(g->out[d] * t.nt) * sizeof *t.w);
    for (int64_t i = 0; i < g->out[d]; i++) {
        taps(p, g, d, i, idx, w);
        for (int j = 0; j < t.nt; j++) {
            t.off[i * t.nt + j] = idx[j] * stride;
            t.w[i * t.nt + j] = w[j];
        }
    }
    return t;
}

static void table_free(Table *t) {
    free(t->off);
    free(t->w);
}

/* h[i] = the last-dim taps of output i read from input row x. */
static void resample_row(float *h, const float *x, const Table *t, int64_t n) {
    const int64_t *off = t->off;
    const float *w = t->w;
    if (t->nt == 1) {
        for (int64_t i = 0; i < n; i++) h[i] = x[off[i]];
    } else if (t->nt == 2) {
        for (int64_t i = 0; i < n; i++) h[i] = w[2 * i] * x[off[2 * i]] + w[2 * i + 1] * x[off[2 * i + 1]];
    } else {
        for (int64_t i = 0; i < n; i++) {
            const int64_t *o = off + 4 * i;
            const float *ww = w + 4 * i;
            h[i] = ww[0] * x[o[0]] + ww[1] * x[o[1]] + ww[2] * x[o[2]] + ww[3] * x[o[3]];
        }
    }
}

/* The input rows (i0, i1) that output row (o0, o1) taps, as cache keys i0 * in1 + i1, with their
 * weights; zero weights (the unused tap of a copied dim) are dropped. */
static int row_taps(const Table *t0, const Table *t1, int64_t in1, int64_t o0, int64_t o1, int64_t *key, float *wr) {
    int nr = 0;
    for (int a = 0; a < t0->nt; a++)
        for (int b = 0; b < t1->nt; b++) {
            float wab = t0->w[o0 * t0->nt + a] * t1->w[o1 * t1->nt + b];
            if (wab == 0.0f) continue;
            key[nr] = t0->off[o0 * t0->nt + a] * in1 + t1->off[o1 * t1->nt + b];
            wr[nr++] = wab;
        }
    return nr;
}

/* Output rows (n, c, o0, o1) in parallel, in contiguous blocks, so a thread mostly stays in one
 * plane and reuses its cache of resampled input rows. */
void ov_kinterp_fast(const ovKInterp *p, const ovKView *out, const ovKView *x) {
    Geo g = geo_of(p, out, x);
    int64_t C = x->shape[1], rows = x->shape[0] * C * g.out[0] * g.out[1], W = g.out[2];
    int64_t in_rows = g.in[0] * g.in[1];
    if (rows == 0 || W == 0) return;
    Table t0 = table_of(p, &g, 0, 1), t1 = table_of(p, &g, 1, 1), t2 = table_of(p, &g, 2, g.sx[2]);
    const float *xp = kv_f32(x);
    float *op = kv_f32(out);
    int64_t so2 = g.so[2];
#pragma omp parallel if (rows * W * t2.nt > 32768)
    {
        float *cache = malloc((size_t)(in_rows * W) * sizeof *cache);
        float *tmp = malloc((size_t)W * sizeof *tmp);
        unsigned char *ready = malloc((size_t)in_rows);
        int64_t cur = -1;
#pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            int64_t plane = r / (g.out[0] * g.out[1]), o0 = r / g.out[1] % g.out[0], o1 = r % g.out[1];
            int64_t n = plane / C, c = plane % C;
            const float *xb = xp + n * x->stride[0] + c * x->stride[1];
            float *orow = op + n * out->stride[0] + c * out->stride[1] + o0 * g.so[0] + o1 * g.so[1];
            if (plane != cur) {
                memset(ready, 0, (size_t)in_rows);
                cur = plane;
            }
            int64_t key[16];
            float wr[16];
            int nr = row_taps(&t0, &t1, g.in[1], o0, o1, key, wr);
            const float *h[16];
            for (int j = 0; j < nr; j++) {
                float *hj = cache + key[j] * W;
                if (!ready[key[j]]) {
                    resample_row(hj, xb + key[j] / g.in[1] * g.sx[0] + key[j] % g.in[1] * g.sx[1], &t2, W);
                    ready[key[j]] = 1;
                }
                h[j] = hj;
            }
            float *acc = so2 == 1 ? orow : tmp;
            for (int64_t i = 0; i < W; i++) acc[i] = wr[0] * h[0][i];
            for (int j = 1; j < nr; j++)
                for (int64_t i = 0; i < W; i++) acc[i] += wr[j] * h[j][i];
            if (acc == tmp)
                for (int64_t i = 0; i < W; i++) orow[i * so2] = tmp[i];
        }
        free(cache);
        free(tmp);
        free(ready);
    }
    table_free(&t0);
    table_free(&t1);
    table_free(&t2);
}

/* (n, c) planes in parallel: each thread owns whole planes of gx, so the scatter needs no atomics.
 * Per plane, the gradient rows are first summed into one row per tapped input row (contiguous),
 * then each of those is scattered along the last dim. */
void ov_kinterp_backward_fast(const ovKInterp *p, const ovKView *gx, const ovKView *gy) {
    Geo g = geo_of(p, gy, gx);
    int64_t C = gx->shape[1], planes = gx->shape[0] * C, W = g.out[2], Wi = g.in[2];
    int64_t in_rows = g.in[0] * g.in[1];
    if (planes == 0) return;
    Table t0 = table_of(p, &g, 0, 1), t1 = table_of(p, &g, 1, 1), t2 = table_of(p, &g, 2, g.sx[2]);
    const float *gp = kv_f32(gy);
    float *xp = kv_f32(gx);
    int64_t sg2 = g.so[2];
    int64_t work = planes * g.out[0] * g.out[1] * W * t2.nt;
#pragma omp parallel if (work > 32768)
    {
        float *sum = malloc((size_t)(in_rows * W) * sizeof *sum);
        unsigned char *used = malloc((size_t)in_rows);
#pragma omp for schedule(static)
        for (int64_t plane = 0; plane < planes; plane++) {
            int64_t n = plane / C, c = plane % C;
            float *xb = xp + n * gx->stride[0] + c * gx->stride[1];
            const float *gb = gp + n * gy->stride[0] + c * gy->stride[1];
            memset(used, 0, (size_t)in_rows);
            for (int64_t o0 = 0; o0 < g.out[0]; o0++)
                for (int64_t o1 = 0; o1 < g.out[1]; o1++) {
                    const float *grow = gb + o0 * g.so[0] + o1 * g.so[1];
                    int64_t key[16];
                    float wr[16];
                    int nr = row_taps(&t0, &t1, g.in[1], o0, o1, key, wr);
                    for (int j = 0; j < nr; j++) {
                        float *s = sum + key[j] * W, w = wr[j];
                        if (!used[key[j]]) {
                            for (int64_t i = 0; i < W; i++) s[i] = w * grow[i * sg2];
                            used[key[j]] = 1;
                        } else {
                            for (int64_t i = 0; i < W; i++) s[i] += w * grow[i * sg2];
                        }
                    }
                }
            for (int64_t k = 0; k < in_rows; k++) {
                float *row = xb + k / g.in[1] * g.sx[0] + k % g.in[1] * g.sx[1];
                for (int64_t i = 0; i < Wi; i++) row[i * g.sx[2]] = 0.0f;
                if (!used[k]) continue;
                const float *s = sum + k * W;
                const int64_t *off = t2.off;
                const float *w = t2.w;
                int nt = t2.nt;
                for (int64_t i = 0; i < W; i++)
                    for (int j = 0; j < nt; j++) row[off[i * nt + j]] += w[i * nt + j] * s[i];
            }
        }
        free(sum);
        free(used);
    }
    table_free(&t0);
    table_free(&t1);
    table_free(&t2);
}
