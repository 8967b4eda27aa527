/* gather.c: torch.gather and the scatter-add that is its gradient. index_select, index_add and
 * embedding run through the same two kernels with the index broadcast (stride 0) along every dim
 * but `dim` (see index.h).
 *
 * The fast kernels see the iteration space (out's shape for gather, index's for scatter-add) as
 * A x M x B: A = the dims before dim, M = dim itself, B = the dims after. The B part of each view
 * usually walks memory with one step; when it does not (a transposed view), a table of offsets
 * stands in for the step. */
#include <stdlib.h>

#include "kernels/cpu/copy.h"
#include "kernels/cpu/index.h"
#include "kernels/cpu/index_rows.h"

/* ---------------- reference ---------------- */

void ov_kgather_ref(const ovKView *out, const ovKView *x, const ovKView *index, int dim) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t n = kv_numel(out), c[OV_KMAX_DIMS];
    for (int64_t i = 0; i < n; i++) {
        kidx_unravel(out->ndim, out->shape, i, c);
        c[dim] = kv_i64(index)[kv_offset(index, i)];
        int64_t xo = 0;
        for (int d = 0; d < out->ndim; d++) xo += c[d] * x->stride[d];
        memcpy(kidx_at(out, kv_offset(out, i), esz), kidx_at(x, xo, esz), esz);
    }
}

void ov_kscatter_add_ref(const ovKView *out, const ovKView *x, const ovKView *index, const ovKView *src, int dim) {
    int64_t n = kv_numel(out), m = kv_numel(index), c[OV_KMAX_DIMS];
    double *acc = malloc(sizeof(double) * (size_t)(n ? n : 1));
    for (int64_t i = 0; i < n; i++) acc[i] = kv_f32(x)[kv_offset(x, i)];
    for (int64_t p = 0; p < m; p++) {
        kidx_unravel(index->ndim, index->shape, p, c);
        c[dim] = kv_i64(index)[kv_offset(index, p)];
        int64_t pos = 0; /* row-major position of the target in out */
        for (int d = 0; d < out->ndim; d++) pos = pos * out->shape[d] + c[d];
        acc[pos] += kv_f32(src)[kv_offset(src, p)];
    }
    for (int64_t i = 0; i < n; i++) kv_f32(out)[kv_offset(out, i)] = (float)acc[i];
    free(acc);
}

int64_t ov_kindex_find_bad(const ovKView *index, int64_t n) {
    if (kv_numel(index) == 0) return -1;
    ovKRows it0;
    kv_rows_init(&it0, 1, (const ovKView *[]){index});
    for (int64_t r = 0; r < it0.rows; r++) {
        ovKRows it = it0;
        kv_rows_seek(&it, r);
        const int64_t *p = kv_i64(index) + it.off[0];
        for (int64_t i = 0; i < it.inner; i++) {
            int64_t v = p[i * it.step[0]];
            if (v < 0 || v >= n) return r * it.inner + i;
        }
    }
    return -1;
}

/* ---------------- fast ---------------- */

/* The B part of a view seen with the iteration shape: one step, or a table when it has none. */
typedef struct {
    int64_t step;
    int64_t *tab;
} BPart;

static BPart bpart(const int64_t *shape, const ovKView *v, int dim, int nd, int64_t B) {
    BPart p = {0, NULL};
    if (kidx_linear(shape, v->stride, dim + 1, nd, &p.step)) return p;
    p.tab = malloc(sizeof(int64_t) * (size_t)B);
    for (int64_t b = 0; b < B; b++) p.tab[b] = kidx_sub_offset(shape, v->stride, dim + 1, nd, b);
    return p;
}

static inline int64_t boff(const BPart *p, int64_t b) { return p->tab ? p->tab[b] : b * p->step; }

/* n gathered elements: o[i*os] = x[idx[i*is]*xd + i*xs]. */
static void gather_span(void *o, const void *x, const int64_t *idx, int64_t n, int64_t os, int64_t is, int64_t xd,
                        int64_t xs, size_t esz) {
#define GATHER(T)                                                                             \
    for (int64_t i = 0; i < n; i++) ((T *)o)[i * os] = ((const T *)x)[idx[i * is] * xd + i * xs]; \
    break
    switch (esz) {
    case 1: GATHER(uint8_t);
    case 2: GATHER(uint16_t);
    case 4: GATHER(uint32_t);
    default: GATHER(uint64_t);
    }
#undef GATHER
}

/* Row iterator over the A part of three views seen with the iteration shape: row a is
 * position a of the dims before dim, it.off[k] its offset in view k, it.inner = M. */
static ovKRows head_rows(int dim, const int64_t *sh, const ovKView *v0, const ovKView *v1, const ovKView *v2) {
    const ovKView *v[3] = {v0, v1, v2};
    ovKView h[3];
    for (int k = 0; k < 3; k++) {
        h[k] = *v[k];
        h[k].ndim = dim + 1;
        memcpy(h[k].shape, sh, sizeof(int64_t) * (size_t)(dim + 1));
    }
    ovKRows it;
    kv_rows_init(&it, 3, (const ovKView *[]){&h[0], &h[1], &h[2]});
    return it;
}

void ov_kgather_fast(const ovKView *out, const ovKView *x, const ovKView *index, int dim) {
    size_t esz = ov_dtype_size(out->dtype);
    int nd = out->ndim;
    const int64_t *sh = out->shape;
    int64_t total = kv_numel(out);
    if (total == 0) return;
    int64_t A = kidx_count(sh, 0, dim), M = sh[dim], B = kidx_count(sh, dim + 1, nd);
    const int64_t *idx = kv_i64(index);
    int64_t od = out->stride[dim], id = index->stride[dim], xd = x->stride[dim];
    ovKRows it0 = head_rows(dim, sh, out, index, x);
    if (B == 1) {
        /* dim is the innermost: one span of M gathered elements per A position */
#pragma omp parallel if (total > OV_KINDEX_PAR)
        {
            int64_t a0, a1;
            ov_thread_range(A, &a0, &a1);
            ovKRows it = it0;
            if (a0 < a1) kv_rows_seek(&it, a0);
            for (int64_t a = a0; a < a1; a++, kv_rows_next(&it))
                gather_span(kidx_at(out, it.off[0], esz), kidx_at(x, it.off[2], esz), idx + it.off[1], M, od, id, xd,
                            0, esz);
        }
        return;
    }
    BPart bo = bpart(sh, out, dim, nd, B), bi = bpart(sh, index, dim, nd, B), bx = bpart(sh, x, dim, nd, B);
    bool linear = !bo.tab && !bi.tab && !bx.tab;
    /* one (a, j) pair per work item; each writes its own B elements */
#pragma omp parallel if (total > OV_KINDEX_PAR)
    {
        int64_t w0, w1;
        ov_thread_range(A * M, &w0, &w1);
        ovKRows it = it0;
        if (w0 < w1) kv_rows_seek(&it, w0 / M);
        for (int64_t w = w0, j = w0 % M; w < w1; w++) {
            int64_t oo = it.off[0] + j * od, io = it.off[1] + j * id, xo = it.off[2];
            if (linear && bi.step == 0) /* one index for the whole row (index_select, embedding): a row copy */
                ov_row_copy(kidx_at(out, oo, esz), kidx_at(x, xo + idx[io] * xd, esz), B, bo.step, bx.step, esz);
            else if (linear)
                gather_span(kidx_at(out, oo, esz), kidx_at(x, xo, esz), idx + io, B, bo.step, bi.step, xd, bx.step,
                            esz);
            else
                for (int64_t b = 0; b < B; b++)
                    memcpy(kidx_at(out, oo + boff(&bo, b), esz),
                           kidx_at(x, xo + idx[io + boff(&bi, b)] * xd + boff(&bx, b), esz), esz);
            if (++j == M) {
                j = 0;
                kv_rows_next(&it);
            }
        }
    }
    free(bo.tab);
    free(bi.tab);
    free(bx.tab);
}

#define SCATTER_TILE 256 /* B elements per work item */

void ov_kscatter_add_fast(const ovKView *out, const ovKView *x, const ovKView *index, const ovKView *src, int dim) {
    ov_kcopy_fast(out, x);
    int nd = index->ndim;
    const int64_t *sh = index->shape;
    int64_t m = kv_numel(index);
    if (m == 0) return;
    int64_t A = kidx_count(sh, 0, dim), M = sh[dim], B = kidx_count(sh, dim + 1, nd);
    BPart bo = bpart(sh, out, dim, nd, B), bi = bpart(sh, index, dim, nd, B), bs = bpart(sh, src, dim, nd, B);
    bool linear = !bo.tab && !bi.tab && !bs.tab;
    float *o = kv_f32(out);
    const float *s = kv_f32(src);
    const int64_t *idx = kv_i64(index);
    int64_t od = out->stride[dim], id = index->stride[dim], sd = src->stride[dim];
    int64_t nt = (B + SCATTER_TILE - 1) / SCATTER_TILE;
    ovKRows it0 = head_rows(dim, sh, out, index, src);
    /* Work item = (a, tile of B). The output elements it can reach, (a, any, b in tile), are
     * reached by no other item, and it adds its sources in index order j = 0..M-1: the sums come
     * out the same for any number of threads, without atomics. */
#pragma omp parallel if (m > OV_KINDEX_PAR)
    {
        int64_t w0, w1;
        ov_thread_range(A * nt, &w0, &w1);
        ovKRows it = it0;
        if (w0 < w1) kv_rows_seek(&it, w0 / nt);
        for (int64_t w = w0, t = w0 % nt; w < w1; w++) {
            int64_t b0 = t * SCATTER_TILE, b1 = b0 + SCATTER_TILE < B ? b0 + SCATTER_TILE : B;
            int64_t oa = it.off[0], ia = it.off[1], sa = it.off[2];
            for (int64_t j = 0; j < M; j++) {
                const int64_t *ir = idx + ia + j * id;
                const float *sr = s + sa + j * sd;
                if (linear && bi.step == 0) { /* index_add: the whole row goes to one target row */
                    float *orow = o + oa + ir[0] * od;
                    int64_t ostep = bo.step, sstep = bs.step;
                    if (ostep == 1 && sstep == 1)
                        for (int64_t b = b0; b < b1; b++) orow[b] += sr[b];
                    else
                        for (int64_t b = b0; b < b1; b++) orow[b * ostep] += sr[b * sstep];
                } else if (linear) {
                    for (int64_t b = b0; b < b1; b++) o[oa + ir[b * bi.step] * od + b * bo.step] += sr[b * bs.step];
                } else {
                    for (int64_t b = b0; b < b1; b++) o[oa + ir[boff(&bi, b)] * od + boff(&bo, b)] += sr[boff(&bs, b)];
                }
            }
            if (++t == nt) {
                t = 0;
                kv_rows_next(&it);
            }
        }
    }
    free(bo.tab);
    free(bi.tab);
    free(bs.tab);
}
