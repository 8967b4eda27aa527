/* im2col.c: image <-> column-matrix lowering for the fast convolutions (see im2col.h). Mirrors the
 * im2col/col2im (vol2col/col2vol) idea of Caffe and PyTorch's THNN, written for any strides, 5-D
 * geometry and column ranges. Rows are independent in im2col, channels in col2im (a channel's
 * rows only touch that channel's plane), and patches in the patch variants, so each is split
 * among OpenMP threads without atomics. */
#include "kernels/cpu/im2col.h"

#include <string.h>

#define PAR_MIN (1 << 17) /* elements below which a parallel region costs more than it saves */

static inline int64_t clampi(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Outputs q whose tap q*s + off lies in [0, in): q in [*lo, *hi), clipped to [0, out). */
static void tap_range(int64_t off, int64_t s, int64_t in, int64_t out, int64_t *lo, int64_t *hi) {
    int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
    int64_t h = in - off <= 0 ? 0 : (in - off + s - 1) / s;
    *hi = clampi(h, 0, out);
    *lo = clampi(l, 0, *hi);
}

/* Kernel offsets of row r of one channel's block: tap (kd, kh, kw) as offsets o*s + off. */
typedef struct {
    int64_t offd, offh, offw, wlo, whi, wstep;
} Tap;

static Tap tap_of(const ovColGeom *g, int64_t t) {
    int64_t K1 = g->k[1], K2 = g->k[2];
    int64_t kd = t / (K1 * K2), kh = (t / K2) % K1, kw = t % K2;
    Tap tp = {kd * g->d[0] - g->p[0], kh * g->d[1] - g->p[1], kw * g->d[2] - g->p[2], 0, 0, g->s[2] * g->is[2]};
    tap_range(tp.offw, g->s[2], g->in[2], g->out[2], &tp.wlo, &tp.whi);
    return tp;
}

/* Walks the columns [j0, j1) as runs along ow: calls body with (od, oh, ow_start, ow_end, col).
 * Written as a macro so the run bodies below stay inlined and vectorisable. */
#define FOR_RUNS(g, j0, j1, ...)                                                \
    do {                                                                         \
        int64_t O1_ = (g)->out[1], O2_ = (g)->out[2];                            \
        int64_t j_ = (j0), ow = (j0) % O2_, oh = ((j0) / O2_) % O1_;             \
        int64_t od = (j0) / (O2_ * O1_);                                         \
        while (j_ < (j1)) {                                                      \
            int64_t len_ = O2_ - ow < (j1) - j_ ? O2_ - ow : (j1) - j_;          \
            int64_t owe = ow + len_, jc = j_ - (j0) - ow; /* column of ow = 0 */ \
            __VA_ARGS__;                                                         \
            j_ += len_;                                                          \
            ow = 0;                                                              \
            if (++oh == O1_) {                                                   \
                oh = 0;                                                          \
                od++;                                                            \
            }                                                                    \
        }                                                                        \
    } while (0)

void ov_im2col(float *col, int64_t ld, const float *img, const ovColGeom *g, int64_t j0, int64_t j1) {
    int64_t kvol = g->k[0] * g->k[1] * g->k[2], rows = g->C * kvol;
#pragma omp parallel for schedule(static) if (rows * (j1 - j0) >= PAR_MIN)
    for (int64_t r = 0; r < rows; r++) {
        const float *src = img + (r / kvol) * g->cs;
        float *dst = col + r * ld;
        Tap tp = tap_of(g, r % kvol);
        FOR_RUNS(g, j0, j1, {
            float *o = dst + jc;
            int64_t id = od * g->s[0] + tp.offd, ih = oh * g->s[1] + tp.offh;
            int64_t a = ow, b = ow;
            if (id >= 0 && id < g->in[0] && ih >= 0 && ih < g->in[1]) {
                a = clampi(tp.wlo, ow, owe);
                b = clampi(tp.whi, a, owe);
                /* pixel of output q: base + q * wstep (only formed for valid q) */
                int64_t base = id * g->is[0] + ih * g->is[1] + tp.offw * g->is[2];
                if (tp.wstep == 1)
                    for (int64_t q = a; q < b; q++) o[q] = src[base + q];
                else
                    for (int64_t q = a; q < b; q++) o[q] = src[base + q * tp.wstep];
            }
            for (int64_t q = ow; q < a; q++) o[q] = 0.0f;
            for (int64_t q = b; q < owe; q++) o[q] = 0.0f;
        });
    }
}

void ov_col2im_add(float *img, const float *col, int64_t ld, const ovColGeom *g, int64_t j0, int64_t j1) {
    int64_t kvol = g->k[0] * g->k[1] * g->k[2];
#pragma omp parallel for schedule(static) if (g->C * kvol * (j1 - j0) >= PAR_MIN && g->C > 1)
    for (int64_t c = 0; c < g->C; c++) {
        float *dst = img + c * g->cs;
        for (int64_t t = 0; t < kvol; t++) {
            const float *src = col + (c * kvol + t) * ld;
            Tap tp = tap_of(g, t);
            FOR_RUNS(g, j0, j1, {
                int64_t id = od * g->s[0] + tp.offd, ih = oh * g->s[1] + tp.offh;
                if (id >= 0 && id < g->in[0] && ih >= 0 && ih < g->in[1]) {
                    const float *s = src + jc;
                    int64_t a = clampi(tp.wlo, ow, owe), b = clampi(tp.whi, a, owe);
                    int64_t base = id * g->is[0] + ih * g->is[1] + tp.offw * g->is[2];
                    if (tp.wstep == 1)
                        for (int64_t q = a; q < b; q++) dst[base + q] += s[q];
                    else
                        for (int64_t q = a; q < b; q++) dst[base + q * tp.wstep] += s[q];
                }
            });
        }
    }
}

bool ov_col_is_patch(const ovColGeom *g) {
    for (int d = 0; d < 3; d++)
        if (g->k[d] != g->s[d] || g->p[d] != 0 || (g->k[d] > 1 && g->d[d] != 1) || g->out[d] * g->k[d] > g->in[d])
            return false;
    return true;
}

/* Patch j = (od, oh, ow) covers pixels (od*K0 + kd, oh*K1 + kh, ow*K2 + kw); its row of colT lists
 * them in (c, kd, kh, kw) order, so each (c, kd, kh) is a run of K2 pixels along w. Patches are
 * disjoint, so threads can take different patches even when scattering. */
#define FOR_PATCH_RUNS(g, j0, j1, ...)                                                                \
    do {                                                                                             \
        int64_t K0 = (g)->k[0], K1 = (g)->k[1], K2 = (g)->k[2], O1 = (g)->out[1], O2 = (g)->out[2]; \
        int64_t rows = ov_col_rows(g), ws = (g)->is[2];                                              \
        _Pragma("omp parallel for schedule(static) if (((j1) - (j0)) * rows >= PAR_MIN)")            \
        for (int64_t j = (j0); j < (j1); j++) {                                                      \
            int64_t ow = j % O2, oh = j / O2 % O1, od = j / (O2 * O1), r = 0;                        \
            __typeof__(colT_) cell = colT_ + (j - (j0)) * rows;                                      \
            for (int64_t c = 0; c < (g)->C; c++)                                                     \
                for (int64_t kd = 0; kd < K0; kd++)                                                  \
                    for (int64_t kh = 0; kh < K1; kh++, r += K2) {                                   \
                        int64_t pix = c * (g)->cs + (od * K0 + kd) * (g)->is[0] +                    \
                                      (oh * K1 + kh) * (g)->is[1] + ow * K2 * ws;                    \
                        __VA_ARGS__;                                                                 \
                    }                                                                                \
        }                                                                                            \
    } while (0)

void ov_patch_gather(float *colT, const float *img, const ovColGeom *g, int64_t j0, int64_t j1) {
    float *colT_ = colT;
    FOR_PATCH_RUNS(g, j0, j1, {
        if (ws == 1)
            for (int64_t kw = 0; kw < K2; kw++) cell[r + kw] = img[pix + kw];
        else
            for (int64_t kw = 0; kw < K2; kw++) cell[r + kw] = img[pix + kw * ws];
    });
}

void ov_patch_scatter_add(float *img, const float *colT, const ovColGeom *g, int64_t j0, int64_t j1) {
    const float *colT_ = colT;
    FOR_PATCH_RUNS(g, j0, j1, {
        if (ws == 1)
            for (int64_t kw = 0; kw < K2; kw++) img[pix + kw] += cell[r + kw];
        else
            for (int64_t kw = 0; kw < K2; kw++) img[pix + kw * ws] += cell[r + kw];
    });
}

ovColGeom ov_col_geom(const ovKView *img, int64_t C, const int64_t *k, const int64_t *out, const ovConvParams *p) {
    ovColGeom g;
    g.C = C;
    g.cs = img->stride[1];
    for (int d = 0; d < 3; d++) {
        g.in[d] = img->shape[2 + d];
        g.is[d] = img->stride[2 + d];
        g.k[d] = k[d];
        g.out[d] = out[d];
        g.s[d] = p->stride[d];
        g.p[d] = p->pad[d];
        g.d[d] = p->dil[d];
    }
    return g;
}

ovColGeom ov_col_geom_contig(int64_t C, const int64_t *in, const int64_t *k, const int64_t *out,
                             const ovConvParams *p) {
    ovKView v;
    memset(&v, 0, sizeof v);
    v.ndim = 5;
    v.shape[1] = C;
    for (int d = 0; d < 3; d++) v.shape[2 + d] = in[d];
    v.stride[4] = 1;
    v.stride[3] = in[2];
    v.stride[2] = in[1] * in[2];
    v.stride[1] = in[0] * in[1] * in[2];
    return ov_col_geom(&v, C, k, out, p);
}

bool ov_kv_tail_contiguous(const ovKView *v, int lead) {
    int64_t expect = 1;
    for (int d = v->ndim - 1; d >= lead; d--) {
        if (v->shape[d] != 1 && v->stride[d] != expect) return false;
        expect *= v->shape[d];
    }
    return true;
}
