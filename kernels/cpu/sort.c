/* sort.c: torch.sort / torch.topk / torch.argsort along one dim (see index.h). Order: ascending or
 * descending by value, NaN above every number (PyTorch's order), ties in their original order
 * (stable), -0.0 equal to 0.0. topk is the first k of that order.
 *
 * _ref sorts (value, position) pairs with qsort and a comparator that breaks ties by position.
 * _fast maps each value to a 32-bit key whose unsigned order is that order (kernels/sort_key.h,
 * shared with the device sort) and sorts key|position with a stable LSD radix sort (insertion
 * sort for short lines), lines spread over threads. */
#include <math.h>
#include <stdlib.h>

#include "kernels/cpu/index.h"
#include "kernels/cpu/index_rows.h"
#include "kernels/sort_key.h"

/* Offsets of line l (all coordinates but dim) in a view with x's shape except along dim. */
static int64_t line_offset(const ovKView *x, const ovKView *v, int dim, int64_t l) {
    int64_t B = kidx_count(x->shape, dim + 1, x->ndim);
    return kidx_sub_offset(x->shape, v->stride, 0, dim, l / B) +
           kidx_sub_offset(x->shape, v->stride, dim + 1, x->ndim, l % B);
}

/* Writes the chosen order of one line: pos[i] = position in x of the i-th output. */
static void write_line(const ovKView *values, const ovKView *indices, const ovKView *x, int dim, int64_t l,
                       const float *xl, int64_t xs, const int64_t *pos, int64_t k) {
    if (values) {
        float *v = kv_f32(values) + line_offset(x, values, dim, l);
        for (int64_t i = 0; i < k; i++) v[i * values->stride[dim]] = xl[pos[i] * xs];
    }
    if (indices) {
        int64_t *ix = kv_i64(indices) + line_offset(x, indices, dim, l);
        for (int64_t i = 0; i < k; i++) ix[i * indices->stride[dim]] = pos[i];
    }
}

static int64_t out_k(const ovKView *values, const ovKView *indices, int dim) {
    return values ? values->shape[dim] : indices->shape[dim];
}

/* ---------------- reference ---------------- */

typedef struct {
    float v;
    int64_t i;
} Pair;

/* -1, 0, 1 for a < b, a == b, a > b in ascending order, NaN largest. */
static int cmp_value(float a, float b) {
    if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

static int cmp_asc(const void *p, const void *q) {
    const Pair *a = p, *b = q;
    int c = cmp_value(a->v, b->v);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

static int cmp_desc(const void *p, const void *q) {
    const Pair *a = p, *b = q;
    int c = -cmp_value(a->v, b->v);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

static int cmp_pos(const void *p, const void *q) {
    const Pair *a = p, *b = q;
    return (a->i > b->i) - (a->i < b->i);
}

void ov_ksort_ref(const ovKView *values, const ovKView *indices, const ovKView *x, int dim, bool descending,
                  bool by_index) {
    int64_t M = x->shape[dim], k = out_k(values, indices, dim), xs = x->stride[dim];
    int64_t lines = kidx_count(x->shape, 0, x->ndim) / (M ? M : 1);
    if (M == 0) return;
    Pair *p = malloc(sizeof(Pair) * (size_t)M);
    int64_t *pos = malloc(sizeof(int64_t) * (size_t)M);
    for (int64_t l = 0; l < lines; l++) {
        const float *xl = kv_f32(x) + line_offset(x, x, dim, l);
        for (int64_t j = 0; j < M; j++) p[j] = (Pair){xl[j * xs], j};
        qsort(p, (size_t)M, sizeof *p, descending ? cmp_desc : cmp_asc);
        if (by_index) qsort(p, (size_t)k, sizeof *p, cmp_pos);
        for (int64_t i = 0; i < k; i++) pos[i] = p[i].i;
        write_line(values, indices, x, dim, l, xl, xs, pos, k);
    }
    free(p);
    free(pos);
}

/* ---------------- fast ---------------- */

/* Stable sort of a[0..n) by bits [lo, hi) of each element (8-bit digits); tmp has room for n. */
static void radix_sort(uint64_t *a, uint64_t *tmp, int64_t n, int lo, int hi) {
    if (n <= 32) { /* insertion sort: stable, and faster on short lines */
        uint64_t mask = (hi - lo == 64 ? ~0ull : ((1ull << (hi - lo)) - 1)) << lo;
        for (int64_t i = 1; i < n; i++) {
            uint64_t v = a[i];
            int64_t j = i;
            for (; j > 0 && (a[j - 1] & mask) > (v & mask); j--) a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    uint64_t *src = a, *dst = tmp;
    for (int sh = lo; sh < hi; sh += 8) {
        int64_t count[257] = {0};
        for (int64_t i = 0; i < n; i++) count[((src[i] >> sh) & 255) + 1]++;
        if (count[((src[0] >> sh) & 255) + 1] == n) continue; /* one digit value: nothing moves */
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (int64_t i = 0; i < n; i++) dst[count[(src[i] >> sh) & 255]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, sizeof(uint64_t) * (size_t)n);
}

void ov_ksort_fast(const ovKView *values, const ovKView *indices, const ovKView *x, int dim, bool descending,
                   bool by_index) {
    int64_t M = x->shape[dim], k = out_k(values, indices, dim), xs = x->stride[dim];
    if (M == 0 || k == 0) return;
    int64_t total = kidx_count(x->shape, 0, x->ndim), lines = total / M;
#pragma omp parallel if (total > OV_KINDEX_PAR && lines > 1)
    {
        uint64_t *key = malloc(sizeof(uint64_t) * (size_t)M * 2);
        int64_t *pos = malloc(sizeof(int64_t) * (size_t)k);
#pragma omp for schedule(static)
        for (int64_t l = 0; l < lines; l++) {
            const float *xl = kv_f32(x) + line_offset(x, x, dim, l);
            /* key in the high half, position in the low half: sorting by the high half stably
             * keeps equal values in position order */
            for (int64_t j = 0; j < M; j++) key[j] = ov_sort_key_at(xl[j * xs], j, descending);
            radix_sort(key, key + M, M, 32, 64);
            if (by_index) radix_sort(key, key + M, k, 0, 32);
            for (int64_t i = 0; i < k; i++) pos[i] = (int64_t)(key[i] & 0xFFFFFFFFu);
            write_line(values, indices, x, dim, l, xl, xs, pos, k);
        }
        free(key);
        free(pos);
    }
}
