/* index.h: CUDA twins of the index family's kernels (kernels/cpu/index.h: cat, gather,
 * scatter-add, repeat, pad, flip, sort), same arguments and contract; the views point to device
 * memory. Files: join.cu (cat), gather.cu (gather, scatter-add, index checks), tile.cu (repeat,
 * pad, flip), sort.cu (sort/topk and the key sort that gather.cu's index_add path uses). */
#ifndef OV_CUDA_INDEX_H
#define OV_CUDA_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- join.cu ---- */
void ov_kcat_cuda(const ovKView *out, int n, const ovKView *ins, int dim);

/* ---- gather.cu ---- */
void ov_kgather_cuda(const ovKView *out, const ovKView *x, const ovKView *index, int dim);
void ov_kscatter_add_cuda(const ovKView *out, const ovKView *x, const ovKView *index, const ovKView *src, int dim);
/* Row-major position of the first index outside [0, n), or -1 when all are in range; *value gets
 * that index. One kernel, then the result is copied back to the host (a synchronisation). */
int64_t ov_kindex_find_bad_cuda(const ovKView *index, int64_t n, int64_t *value);

/* ---- tile.cu ---- */
void ov_krepeat_cuda(const ovKView *out, const ovKView *x);
void ov_kpad_cuda(const ovKView *out, const ovKView *x, const int64_t *lo, double value);
void ov_kflip_cuda(const ovKView *out, const ovKView *x, unsigned dims);

/* ---- sort.cu ---- */
void ov_ksort_cuda(const ovKView *values, const ovKView *indices, const ovKView *x, int dim, bool descending,
                   bool by_index);
/* Sorts each of `lines` lines of P keys (P a power of two; line l at keys + l * P) ascending in
 * place, on the device. Equal keys are not kept in order: make them distinct (sort_key.h puts the
 * position in the low bits) and pad a line with UINT64_MAX. */
void ov_cuda_sort_keys(uint64_t *keys, int64_t lines, int64_t P);

#ifdef __cplusplus
}
#endif

#endif
