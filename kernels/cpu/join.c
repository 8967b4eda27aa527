/* join.c: torch.cat (and torch.stack, which the op layer feeds as a cat of views with a new size-1
 * dim): each input is copied into its window of the output along dim (see index.h). */
#include <stdlib.h>

#include "kernels/cpu/copy.h"
#include "kernels/cpu/index.h"
#include "kernels/cpu/index_rows.h"

/* The part of out that input k fills: out narrowed to [start, start + ins[k].shape[dim]). */
static ovKView window(const ovKView *out, const ovKView *in, int dim, int64_t start, size_t esz) {
    ovKView w = *out;
    w.shape[dim] = in->shape[dim];
    w.data = kidx_at(out, start * out->stride[dim], esz);
    return w;
}

void ov_kcat_ref(const ovKView *out, int n, const ovKView *ins, int dim) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t start = 0;
    for (int k = 0; k < n; k++) {
        ovKView w = window(out, &ins[k], dim, start, esz);
        int64_t m = kv_numel(&ins[k]);
        for (int64_t i = 0; i < m; i++)
            memcpy(kidx_at(&w, kv_offset(&w, i), esz), kidx_at(&ins[k], kv_offset(&ins[k], i), esz), esz);
        start += ins[k].shape[dim];
    }
}

void ov_kcat_fast(const ovKView *out, int n, const ovKView *ins, int dim) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t total = kv_numel(out);
    if (total == 0) return;
    bool contig = kv_is_contiguous(out);
    for (int k = 0; k < n && contig; k++) contig = kv_is_contiguous(&ins[k]);
    if (!contig) {
        /* strided inputs: one strided copy per window (each parallel over its rows) */
        int64_t start = 0;
        for (int k = 0; k < n; k++) {
            ovKView w = window(out, &ins[k], dim, start, esz);
            ov_kcopy_fast(&w, &ins[k]);
            start += ins[k].shape[dim];
        }
        return;
    }
    /* All contiguous: for every index before dim, input k is one block of its rows that lands at
     * a fixed place in the output row; blocks are independent, so (outer, k) pairs go to threads. */
    int64_t outer = kidx_count(out->shape, 0, dim), inner = kidx_count(out->shape, dim + 1, out->ndim);
    int64_t row = out->shape[dim] * inner;
    int64_t *start = malloc(sizeof(int64_t) * (size_t)(n + 1));
    start[0] = 0;
    for (int k = 0; k < n; k++) start[k + 1] = start[k] + ins[k].shape[dim] * inner;
    int64_t items = outer * n;
#pragma omp parallel for schedule(static) if (total > OV_KINDEX_PAR)
    for (int64_t w = 0; w < items; w++) {
        int64_t o = w / n;
        int k = (int)(w % n);
        int64_t len = start[k + 1] - start[k];
        if (len) memcpy(kidx_at(out, o * row + start[k], esz), kidx_at(&ins[k], o * len, esz), (size_t)len * esz);
    }
    free(start);
}
