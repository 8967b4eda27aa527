/* index.h: CPU kernels of the joining, indexing and sorting family (autograd/ops/index*.c):
 * torch.cat/stack, index_select/gather/scatter_add/embedding, repeat, F.pad, flip, sort/topk.
 *
 * Data movement kernels (cat, gather, repeat, pad, flip) work on any dtype: they move elements by
 * their size and never convert. scatter_add and sort read and write F32 (indices I64).
 * Every _ref kernel walks one element at a time through kv_offset; every _fast one walks rows or
 * lines with OpenMP over independent outputs, so its result does not depend on the thread count. */
#ifndef OV_KINDEX_H
#define OV_KINDEX_H

#include <stdbool.h>

#include "kernels/kview.h"

/* ---- join.c ---- */
/* out = the n inputs laid end to end along dim (every view has out's ndim; ins[i] has out's shape
 * except along dim, where the sizes add up to out's). */
void ov_kcat_ref(const ovKView *out, int n, const ovKView *ins, int dim);
void ov_kcat_fast(const ovKView *out, int n, const ovKView *ins, int dim);

/* ---- gather.c ---- */
/* out[p] = x[p with p[dim] replaced by index[p]] for every position p of out. index has out's
 * shape (stride 0 where it is broadcast, as index_select and embedding view it); x has out's
 * ndim. Indices must already be in range. */
void ov_kgather_ref(const ovKView *out, const ovKView *x, const ovKView *index, int dim);
void ov_kgather_fast(const ovKView *out, const ovKView *x, const ovKView *index, int dim);
/* out = x, then out[p with p[dim] replaced by index[p]] += src[p] for every position p of index
 * (src is read with index's shape). out has x's shape and is contiguous; it must not alias x.
 * The fast kernel gives every output line (all coordinates but dim) to one thread, which adds its
 * sources in index order: no atomics, the same bits for any thread count. */
void ov_kscatter_add_ref(const ovKView *out, const ovKView *x, const ovKView *index, const ovKView *src, int dim);
void ov_kscatter_add_fast(const ovKView *out, const ovKView *x, const ovKView *index, const ovKView *src, int dim);
/* Row-major position of the first index outside [0, n), or -1 when all are in range. */
int64_t ov_kindex_find_bad(const ovKView *index, int64_t n);

/* ---- tile.c ---- */
/* out = x tiled: out[p] = x[p mod x.shape] (x has out's ndim; torch.Tensor.repeat). */
void ov_krepeat_ref(const ovKView *out, const ovKView *x);
void ov_krepeat_fast(const ovKView *out, const ovKView *x);
/* Constant pad: out[p] = x[p - lo] where that is inside x, else value (lo[d] < 0 crops). */
void ov_kpad_ref(const ovKView *out, const ovKView *x, const int64_t *lo, double value);
void ov_kpad_fast(const ovKView *out, const ovKView *x, const int64_t *lo, double value);
/* out = x reversed along the dims whose bit is set in `dims`. */
void ov_kflip_ref(const ovKView *out, const ovKView *x, unsigned dims);
void ov_kflip_fast(const ovKView *out, const ovKView *x, unsigned dims);

/* ---- sort.c ---- */
/* Sorts every line of x (F32) along dim, ascending or descending, stably (equal values keep their
 * order; NaN sorts above every number, like PyTorch), and writes the first k of each sorted line,
 * k = the size of values/indices along dim. With by_index the k chosen elements are written in
 * their original order instead (topk with sorted=false). values or indices may be NULL. */
void ov_ksort_ref(const ovKView *values, const ovKView *indices, const ovKView *x, int dim, bool descending,
                  bool by_index);
void ov_ksort_fast(const ovKView *values, const ovKView *indices, const ovKView *x, int dim, bool descending,
                   bool by_index);

#endif
