/* reduce_fast.c: the fast reductions of reduce.h. One strided driver serves every reduction: a
 * reduction is one or two passes of a fold (sum of x, x^2, (x-c)^2 or exp(x-c), or a running
 * max/min) followed by a finish (divide, sqrt, log). Two layouts:
 *   - the last dim of x is reduced: each output folds its own block, span by span, with 8
 *     independent partial results per span (vectorisable, and better rounding);
 *   - the last dim is kept: each work item folds a chunk of up to COLS neighbouring outputs at once,
 *     walking the reduced positions and updating one accumulator per column.
 * OpenMP splits the outputs (never one output's sum), so results are deterministic. */
#include <math.h>
#include "kernels/cpu/simd.h"

#include "kernels/cpu/reduce.h"
#include "kernels/cpu/reduce_plan.h"
#include "kernels/cpu/vmath.h"

#define COLS 256          /* outputs per work item when the last dim is kept */
#define PAR_MIN 32768     /* elements below which a reduction stays on one thread */
#define INL static inline __attribute__((always_inline))

typedef enum { F_SUM, F_SQ, F_SQDEV, F_EXPDEV } Fold; /* the term each element adds */

INL float term(Fold f, float v, float c) {
    switch (f) {
    case F_SUM: return v;
    case F_SQ: return v * v;
    case F_SQDEV: return (v - c) * (v - c);
    default: return ov_fast_expf(v - c);
    }
}

/* NaN wins, then the larger (max) or smaller (min) */
INL float pick(bool mx, float v, float best) { return ((mx ? v > best : v < best) | (v != v)) ? v : best; }

/* ---------------- last dim reduced: one block per output ---------------- */

INL float span_fold(Fold f, const float *p, int64_t n, int64_t step, float c) {
    float part[8] = {0};
    int64_t i = 0;
    if (step == 1)
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++) part[k] += term(f, p[i + k], c);
    float s = 0;
    for (; i < n; i++) s += term(f, p[i * step], c);
    for (int k = 0; k < 8; k++) s += part[k];
    return s;
}

INL float span_best(bool mx, const float *p, int64_t n, int64_t step) {
    float b = p[0];
    int64_t i = 1;
    if (step == 1 && n >= 16) {
        float part[8];
        for (int k = 0; k < 8; k++) part[k] = p[k];
        for (i = 8; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++) part[k] = pick(mx, p[i + k], part[k]);
        for (int k = 0; k < 8; k++) b = pick(mx, part[k], b);
    }
    for (; i < n; i++) b = pick(mx, p[i * step], b);
    return b;
}

/* Sum of term() over the block at base (the rows of `red`, a kv_rows iterator). */
INL float block_fold_t(Fold f, const float *base, const ovKRows *r0, float c) {
    float s = 0;
    for (int64_t r = 0; r < r0->rows; r++) {
        ovKRows it = *r0;
        kv_rows_seek(&it, r);
        s += span_fold(f, base + it.off[0], it.inner, it.step[0], c);
    }
    return s;
}

OV_SIMD static float block_fold(Fold f, const float *base, const ovKRows *r0, float c) {
    switch (f) { /* one specialised copy of the loop per term */
    case F_SUM: return block_fold_t(F_SUM, base, r0, c);
    case F_SQ: return block_fold_t(F_SQ, base, r0, c);
    case F_SQDEV: return block_fold_t(F_SQDEV, base, r0, c);
    default: return block_fold_t(F_EXPDEV, base, r0, c);
    }
}

/* The block's max (or min) and the row-major position of its first occurrence. */
static float block_best(bool mx, const float *base, const ovKRows *r0, int64_t *pos) {
    float best = 0;
    for (int64_t r = 0; r < r0->rows; r++) {
        ovKRows it = *r0;
        kv_rows_seek(&it, r);
        const float *p = base + it.off[0];
        float v = mx ? span_best(true, p, it.inner, it.step[0]) : span_best(false, p, it.inner, it.step[0]);
        bool better = r == 0 || (mx ? v > best : v < best) || (v != v && best == best);
        if (!better) continue; /* ties keep the earlier position */
        best = v;
        int64_t i = 0;
        while (i < it.inner && !(p[i * it.step[0]] == v || (v != v && p[i * it.step[0]] != p[i * it.step[0]]))) i++;
        *pos = r * it.inner + i;
    }
    return best;
}

static float finish(ovRedKind kind, float s, float c, int64_t n, double param) {
    switch (kind) {
    case OV_RED_MEAN: return s / (float)n;
    case OV_RED_NORM: return sqrtf(s);
    case OV_RED_VAR: return (float)((double)s / fmax((double)n - param, 0.0));
    case OV_RED_LSE: return c + logf(s);
    default: return s;
    }
}

/* c for logsumexp's second pass: the max, or 0 when it is infinite (torch.logsumexp) */
static float lse_shift(float mx) { return isinf(mx) ? 0.0f : mx; }

static void reduce_blocks(ovRedKind kind, const ovRedPlan *p, const ovKView *x, float *o, int64_t *ix, double param) {
    ovKRows r0;
    kv_rows_init(&r0, 1, (const ovKView *[]){&p->red});
    const float *xp = kv_f32(x);
#pragma omp parallel for schedule(static) if (p->m * p->n > PAR_MIN)
    for (int64_t j = 0; j < p->m; j++) {
        const float *base = xp + kv_offset(&p->xk, j);
        float r = 0, c = 0;
        int64_t pos = 0;
        switch (kind) {
        case OV_RED_SUM: case OV_RED_MEAN: r = block_fold(F_SUM, base, &r0, 0); break;
        case OV_RED_NORM: r = block_fold(F_SQ, base, &r0, 0); break;
        case OV_RED_VAR:
            c = block_fold(F_SUM, base, &r0, 0) / (float)p->n;
            r = block_fold(F_SQDEV, base, &r0, c);
            break;
        case OV_RED_LSE:
            c = lse_shift(block_best(true, base, &r0, &pos));
            r = block_fold(F_EXPDEV, base, &r0, c);
            break;
        case OV_RED_MAX: case OV_RED_MIN: r = block_best(kind == OV_RED_MAX, base, &r0, &pos); break;
        }
        if (o) o[kv_offset(&p->ok, j)] = finish(kind, r, c, p->n, param);
        if (ix) ix[kv_offset(&p->ik, j)] = pos;
    }
}

/* ---------------- last dim kept: columns of outputs ---------------- */

/* Offsets of the reduced positions 0..n-1 in order: an odometer over `red`. */
typedef struct {
    const ovKView *v;
    int64_t idx[OV_KMAX_DIMS], off;
} Walk;

static void walk_next(Walk *w) {
    for (int d = w->v->ndim - 1; d >= 0; d--) {
        w->off += w->v->stride[d];
        if (++w->idx[d] < w->v->shape[d]) return;
        w->off -= w->v->stride[d] * w->v->shape[d];
        w->idx[d] = 0;
    }
}

INL void cols_fold_t(Fold f, const float *base, int64_t sx, const ovKView *red, int64_t n, int64_t w,
                     const float *c, float *acc) {
    Walk it = {.v = red};
    for (int64_t i = 0; i < w; i++) acc[i] = 0;
    for (int64_t q = 0; q < n; q++, walk_next(&it)) {
        const float *row = base + it.off;
        for (int64_t i = 0; i < w; i++) acc[i] += term(f, row[i * sx], c[i]);
    }
}

OV_SIMD static void cols_fold(Fold f, const float *base, int64_t sx, const ovKView *red, int64_t n, int64_t w,
                      const float *c, float *acc) {
    if (sx == 1) /* neighbouring outputs: the loop over columns vectorises */
        switch (f) {
        case F_SUM: cols_fold_t(F_SUM, base, 1, red, n, w, c, acc); return;
        case F_SQ: cols_fold_t(F_SQ, base, 1, red, n, w, c, acc); return;
        case F_SQDEV: cols_fold_t(F_SQDEV, base, 1, red, n, w, c, acc); return;
        default: cols_fold_t(F_EXPDEV, base, 1, red, n, w, c, acc); return;
        }
    switch (f) {
    case F_SUM: cols_fold_t(F_SUM, base, sx, red, n, w, c, acc); break;
    case F_SQ: cols_fold_t(F_SQ, base, sx, red, n, w, c, acc); break;
    case F_SQDEV: cols_fold_t(F_SQDEV, base, sx, red, n, w, c, acc); break;
    default: cols_fold_t(F_EXPDEV, base, sx, red, n, w, c, acc); break;
    }
}

INL void cols_best_t(bool mx, const float *base, int64_t sx, const ovKView *red, int64_t n, int64_t w, float *best,
                     int64_t *pos) {
    for (int64_t i = 0; i < w; i++) {
        best[i] = base[i * sx];
        pos[i] = 0;
    }
    Walk it = {.v = red};
    walk_next(&it);
    for (int64_t q = 1; q < n; q++, walk_next(&it)) {
        const float *row = base + it.off;
        for (int64_t i = 0; i < w; i++) {
            float v = row[i * sx];
            bool better = (mx ? v > best[i] : v < best[i]) | ((v != v) & (best[i] == best[i]));
            best[i] = better ? v : best[i];
            pos[i] = better ? q : pos[i];
        }
    }
}

static void cols_best(bool mx, const float *base, int64_t sx, const ovKView *red, int64_t n, int64_t w, float *best,
                      int64_t *pos) {
    if (sx == 1)
        mx ? cols_best_t(true, base, 1, red, n, w, best, pos) : cols_best_t(false, base, 1, red, n, w, best, pos);
    else
        mx ? cols_best_t(true, base, sx, red, n, w, best, pos) : cols_best_t(false, base, sx, red, n, w, best, pos);
}

static void reduce_cols(ovRedKind kind, const ovRedPlan *p, const ovKView *x, float *o, int64_t *ix, double param) {
    /* the last kept dim is the column dim; the dims before it pick a line of columns */
    int nk = p->xk.ndim;
    int64_t ncol = p->xk.shape[nk - 1], sx = p->xk.stride[nk - 1], so = p->ok.stride[nk - 1], si = p->ik.stride[nk - 1];
    ovKView xl = p->xk, ol = p->ok, il = p->ik;
    xl.ndim = ol.ndim = il.ndim = nk - 1;
    int64_t lines = p->m / ncol, chunks = (ncol + COLS - 1) / COLS;
    const float *xp = kv_f32(x);
#pragma omp parallel for schedule(static) if (p->m * p->n > PAR_MIN)
    for (int64_t item = 0; item < lines * chunks; item++) {
        int64_t line = item / chunks, c0 = item % chunks * COLS;
        int64_t w = ncol - c0 < COLS ? ncol - c0 : COLS;
        const float *base = xp + kv_offset(&xl, line) + c0 * sx;
        float acc[COLS], c[COLS] = {0};
        int64_t pos[COLS];
        switch (kind) {
        case OV_RED_SUM: case OV_RED_MEAN: cols_fold(F_SUM, base, sx, &p->red, p->n, w, c, acc); break;
        case OV_RED_NORM: cols_fold(F_SQ, base, sx, &p->red, p->n, w, c, acc); break;
        case OV_RED_VAR:
            cols_fold(F_SUM, base, sx, &p->red, p->n, w, c, c);
            for (int64_t i = 0; i < w; i++) c[i] /= (float)p->n;
            cols_fold(F_SQDEV, base, sx, &p->red, p->n, w, c, acc);
            break;
        case OV_RED_LSE:
            cols_best(true, base, sx, &p->red, p->n, w, c, pos);
            for (int64_t i = 0; i < w; i++) c[i] = lse_shift(c[i]);
            cols_fold(F_EXPDEV, base, sx, &p->red, p->n, w, c, acc);
            break;
        case OV_RED_MAX: cols_best(true, base, sx, &p->red, p->n, w, acc, pos); break;
        case OV_RED_MIN: cols_best(false, base, sx, &p->red, p->n, w, acc, pos); break;
        }
        if (o) {
            float *orow = o + kv_offset(&ol, line) + c0 * so;
            for (int64_t i = 0; i < w; i++) orow[i * so] = finish(kind, acc[i], c[i], p->n, param);
        }
        if (ix) {
            int64_t *irow = ix + kv_offset(&il, line) + c0 * si;
            for (int64_t i = 0; i < w; i++) irow[i * si] = pos[i];
        }
    }
}

void ov_kreduce_fast(ovRedKind kind, const ovKView *out, const ovKView *idx, const ovKView *x, double param) {
    ovRedPlan p;
    ov_red_plan(&p, out, idx, x, true);
    if (p.m == 0) return;
    if (p.n == 0) { /* empty reductions (0, NaN or -inf): rare, leave them to the reference */
        ov_kreduce_ref(kind, out, idx, x, param);
        return;
    }
    float *o = out ? kv_f32(out) : NULL;
    int64_t *ix = idx ? kv_i64(idx) : NULL;
    /* blocks when the innermost remaining dim is reduced (or nothing is kept) */
    bool blocks = p.xk.ndim == 0 ||
                  (p.red.ndim > 0 && p.red.stride[p.red.ndim - 1] < p.xk.stride[p.xk.ndim - 1]);
    if (blocks)
        reduce_blocks(kind, &p, x, o, ix, param);
    else
        reduce_cols(kind, &p, x, o, ix, param);
}
