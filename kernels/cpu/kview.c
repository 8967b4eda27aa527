/* kview.c: element load/store for every dtype and the row odometer of kview.h. */
#include "kernels/kview.h"

#include <math.h>
#include <string.h>

#include "kernels/half.h"

double kv_load(ovDType t, const void *base, int64_t off) {
    switch (t) {
    case OV_F32: return ((const float *)base)[off];
    case OV_BF16: return ov_bf16_to_f32(((const uint16_t *)base)[off]);
    case OV_F16: return ov_f16_to_f32(((const uint16_t *)base)[off]);
    case OV_I32: return ((const int32_t *)base)[off];
    case OV_I64: return (double)((const int64_t *)base)[off];
    case OV_U8: return ((const uint8_t *)base)[off];
    case OV_BOOL: return ((const uint8_t *)base)[off] != 0;
    default: return NAN;
    }
}

/* Float to integer conversions truncate toward zero like PyTorch's .to(int); NaN becomes 0 here
 * (undefined in C and in PyTorch) so that the result is deterministic. */
static int64_t to_i64(double v) {
    if (isnan(v)) return 0;
    if (v >= 9.2233720368547758e18) return INT64_MAX;
    if (v <= -9.2233720368547758e18) return INT64_MIN;
    return (int64_t)v;
}

void kv_store(ovDType t, void *base, int64_t off, double v) {
    switch (t) {
    case OV_F32: ((float *)base)[off] = (float)v; break;
    case OV_BF16: ((uint16_t *)base)[off] = ov_f32_to_bf16((float)v); break;
    case OV_F16: ((uint16_t *)base)[off] = ov_f32_to_f16((float)v); break;
    case OV_I32: ((int32_t *)base)[off] = (int32_t)to_i64(v); break;
    case OV_I64: ((int64_t *)base)[off] = to_i64(v); break;
    case OV_U8: ((uint8_t *)base)[off] = (uint8_t)to_i64(v); break;
    case OV_BOOL: ((uint8_t *)base)[off] = v != 0; break;
    default: break;
    }
}

void kv_rows_init(ovKRows *it, int nv, const ovKView *const *views) {
    memset(it, 0, sizeof *it);
    const ovKView *v0 = views[0];
    int ndim = v0->ndim;
    it->nv = nv;
    it->ndim = ndim;
    it->rows = 1;
    if (ndim == 0) { /* a scalar is one row of one element */
        it->inner = 1;
        return;
    }
    for (int d = 0; d < ndim; d++) {
        it->shape[d] = v0->shape[d];
        for (int k = 0; k < nv; k++) it->stride[k][d] = views[k] ? views[k]->stride[d] : 0;
        if (d < ndim - 1) it->rows *= v0->shape[d];
    }
    it->inner = v0->shape[ndim - 1];
    for (int k = 0; k < nv; k++) it->step[k] = it->stride[k][ndim - 1];
    if (it->inner == 0) it->rows = 0;
}

void kv_rows_seek(ovKRows *it, int64_t r) {
    for (int k = 0; k < it->nv; k++) it->off[k] = 0;
    for (int d = it->ndim - 2; d >= 0; d--) {
        int64_t i = r % it->shape[d];
        r /= it->shape[d];
        it->idx[d] = i;
        for (int k = 0; k < it->nv; k++) it->off[k] += i * it->stride[k][d];
    }
}
