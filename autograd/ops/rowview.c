/* rowview.c: row views and raw copies for the row-wise op families (see rowview.h). */
#include "autograd/ops/rowview.h"

#include "autograd/ops/util.h"

ovKView ov_kview_move_last(ovKView v, int d) {
    if (v.ndim == 0) {
        v.ndim = 1;
        v.shape[0] = 1;
        v.stride[0] = 0;
        return v;
    }
    int64_t s = v.shape[d], st = v.stride[d];
    for (int i = d; i + 1 < v.ndim; i++) {
        v.shape[i] = v.shape[i + 1];
        v.stride[i] = v.stride[i + 1];
    }
    v.shape[v.ndim - 1] = s;
    v.stride[v.ndim - 1] = st;
    return v;
}

bool ov_kview_merge_last(ovKView v, int k, ovKView *out) {
    int first = v.ndim - k;
    int64_t n = 1, stride = 1, expect = -1;
    for (int d = first; d < v.ndim; d++) n *= v.shape[d];
    for (int d = v.ndim - 1; d >= first && n > 0; d--) {
        if (v.shape[d] == 1) continue;
        if (expect >= 0 && v.stride[d] != expect) return false;
        if (expect < 0) stride = expect = v.stride[d];
        expect *= v.shape[d];
    }
    *out = v;
    out->ndim = first + 1;
    out->shape[first] = n;
    out->stride[first] = stride;
    return true;
}

int ov_op_wrap_dim(const ovOpCall *c, int64_t dim, int ndim) {
    int n = ndim ? ndim : 1;
    if (dim < -n || dim >= n) ov_op_fail(c, "dim %lld out of range for %d dims", (long long)dim, ndim);
    return (int)(dim < 0 ? dim + n : dim);
}

ovTensor *ov_raw_contiguous(ovTensor *t) {
    if (!t || ov_is_contiguous(t)) return t;
    ovTensor *c = ov_empty_on(ov_device(t), t->ndim, t->shape, t->dtype);
    ov_copy_(c, t); /* the CPU or the device copy kernel, by t's device */
    return c;
}
