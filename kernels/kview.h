/* kview.h: what a kernel sees of a tensor: a data pointer, dtype, shape and element strides.
 * Kernels know nothing of scopes, autograd or ops; the op layer turns tensors into views. */
#ifndef OV_KVIEW_H
#define OV_KVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/half.h"
#include "tensor/dtype.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OV_KMAX_DIMS 8

typedef struct {
    void *data; /* element 0 of the view */
    ovDType dtype;
    int ndim;
    int64_t shape[OV_KMAX_DIMS];
    int64_t stride[OV_KMAX_DIMS];
} ovKView;

OV_HD int64_t kv_numel(const ovKView *v) {
    int64_t n = 1;
    for (int i = 0; i < v->ndim; i++) n *= v->shape[i];
    return n;
}

OV_HD bool kv_is_contiguous(const ovKView *v) {
    int64_t expect = 1;
    for (int i = v->ndim - 1; i >= 0; i--) {
        if (v->shape[i] != 1 && v->stride[i] != expect) return false;
        expect *= v->shape[i];
    }
    return true;
}

/* Element offset of the i-th element in row-major order of the view (slow; for reference code). */
OV_HD int64_t kv_offset(const ovKView *v, int64_t i) {
    int64_t off = 0;
    for (int d = v->ndim - 1; d >= 0; d--) {
        int64_t n = v->shape[d];
        off += (i % n) * v->stride[d];
        i /= n;
    }
    return off;
}

OV_HD float *kv_f32(const ovKView *v) { return (float *)v->data; }
OV_HD int64_t *kv_i64(const ovKView *v) { return (int64_t *)v->data; }
OV_HD uint8_t *kv_u8(const ovKView *v) { return (uint8_t *)v->data; }

/* Reads/writes one element of any dtype as double. Float to integer conversions truncate
 * toward zero like PyTorch's .to(int); NaN becomes 0 (undefined in C and in PyTorch) so that the
 * result is deterministic. */
OV_HD double kv_load(ovDType t, const void *base, int64_t off) {
    switch (t) {
    case OV_F32: return ((const float *)base)[off];
    case OV_BF16: return ov_bf16_to_f32(((const uint16_t *)base)[off]);
    case OV_F16: return ov_f16_to_f32(((const uint16_t *)base)[off]);
    case OV_I32: return ((const int32_t *)base)[off];
    case OV_I64: return (double)((const int64_t *)base)[off];
    case OV_U8: return ((const uint8_t *)base)[off];
    case OV_BOOL: return ((const uint8_t *)base)[off] != 0;
    default: return 0.0 / 0.0;
    }
}

OV_HD int64_t kv_to_i64(double v) {
    if (v != v) return 0;
    if (v >= 9.2233720368547758e18) return INT64_MAX;
    if (v <= -9.2233720368547758e18) return INT64_MIN;
    return (int64_t)v;
}

OV_HD void kv_store(ovDType t, void *base, int64_t off, double v) {
    switch (t) {
    case OV_F32: ((float *)base)[off] = (float)v; break;
    case OV_BF16: ((uint16_t *)base)[off] = ov_f32_to_bf16((float)v); break;
    case OV_F16: ((uint16_t *)base)[off] = ov_f32_to_f16((float)v); break;
    case OV_I32: ((int32_t *)base)[off] = (int32_t)kv_to_i64(v); break;
    case OV_I64: ((int64_t *)base)[off] = kv_to_i64(v); break;
    case OV_U8: ((uint8_t *)base)[off] = (uint8_t)kv_to_i64(v); break;
    case OV_BOOL: ((uint8_t *)base)[off] = v != 0; break;
    default: break;
    }
}

/* Odometer over every dim but the last of up to four views that share the first view's shape
 * (views[k] may be NULL). Used by the fast strided kernels:
 *
 *     ovKRows it0; kv_rows_init(&it0, 3, (const ovKView *[]){out, a, b});
 *     for (r = 0; r < it0.rows; r++) {           // rows can be split among threads
 *         ovKRows it = it0; kv_rows_seek(&it, r);
 *         row r has it.inner elements at offsets it.off[k] + i * it.step[k]
 *     }
 */
#define OV_KROWS_MAX 4
typedef struct {
    int ndim, nv;
    int64_t shape[OV_KMAX_DIMS];
    int64_t stride[OV_KROWS_MAX][OV_KMAX_DIMS];
    int64_t idx[OV_KMAX_DIMS];
    int64_t off[OV_KROWS_MAX];
    int64_t inner, step[OV_KROWS_MAX];
    int64_t rows; /* number of rows in total */
} ovKRows;

void kv_rows_init(ovKRows *it, int nv, const ovKView *const *views);
/* Positions the iterator at row r (0 <= r < rows); lets OpenMP threads start anywhere. */
void kv_rows_seek(ovKRows *it, int64_t r);

/* Moves a positioned iterator to the next row (cheaper than seeking: rows of a few dozen elements
 * would otherwise spend their time in divisions). */
static inline void kv_rows_next(ovKRows *it) {
    for (int d = it->ndim - 2; d >= 0; d--) {
        for (int k = 0; k < it->nv; k++) it->off[k] += it->stride[k][d];
        if (++it->idx[d] < it->shape[d]) return;
        for (int k = 0; k < it->nv; k++) it->off[k] -= it->stride[k][d] * it->shape[d];
        it->idx[d] = 0;
    }
}

#ifdef __cplusplus
}
#endif

#endif
