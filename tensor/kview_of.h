/* kview_of.h: the kernel view (kernels/kview.h) of a tensor. */
#ifndef OV_KVIEW_OF_H
#define OV_KVIEW_OF_H

#include "kernels/kview.h"
#include "tensor/tensor.h"

static inline ovKView ov_kview(const ovTensor *t) {
    ovKView v;
    v.data = ov_data_ptr(t);
    v.dtype = t->dtype;
    v.ndim = t->ndim;
    for (int i = 0; i < t->ndim; i++) {
        v.shape[i] = t->shape[i];
        v.stride[i] = t->stride[i];
    }
    return v;
}

#endif
