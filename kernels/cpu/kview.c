/* kview.c: the row odometer of kview.h. */
#include "kernels/kview.h"

#include <string.h>

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
