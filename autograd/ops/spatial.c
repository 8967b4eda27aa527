/* spatial.c: shared pieces of the N-d convolution and pooling ops (see spatial.h). */
#include "autograd/ops/spatial.h"

#include "tensor/kview_of.h"

ovKView ov_kview5(const ovTensor *t) {
    ovKView v = ov_kview(t);
    if (t->ndim == 4) {
        v.ndim = 5;
        for (int d = 4; d >= 3; d--) {
            v.shape[d] = v.shape[d - 1];
            v.stride[d] = v.stride[d - 1];
        }
        v.shape[2] = 1;
        v.stride[2] = v.shape[3] * v.stride[3]; /* never stepped: size 1 */
    }
    return v;
}

void ov_spatial_want(const ovOpCall *c, const ovTensor *t, const char *what, int rank) {
    if (t->ndim != rank + 2)
        ov_op_fail(c, "%s must have %d dims (%s), got %d", what, rank + 2,
                   rank == 2 ? "batch, channels, height, width" : "batch, channels, depth, height, width", t->ndim);
}

void ov_spatial_attr(const ovOpCall *c, int a, int rank, int64_t neutral, int64_t min, int64_t out[3]) {
    const ovAttrVal *v = &c->attr[a];
    const char *name = c->op->attrs[a].name;
    if (v->n != 1 && v->n != rank)
        ov_op_fail(c, "%s takes 1 or %d values, got %d", name, rank, v->n);
    out[0] = neutral;
    for (int i = 0; i < rank; i++) {
        int64_t x = v->v[v->n == 1 ? 0 : i];
        if (x < min) ov_op_fail(c, "%s must be >= %lld, got %lld", name, (long long)min, (long long)x);
        out[3 - rank + i] = x;
    }
}

void ov_spatial_set(ovOpCall *c, int a, int rank, const int64_t v[3]) {
    c->attr[a].set = true;
    c->attr[a].n = rank;
    for (int i = 0; i < rank; i++) c->attr[a].v[i] = v[3 - rank + i];
}

void ov_spatial_sizes(const ovTensor *t, int rank, int64_t out[3]) {
    out[0] = out[1] = out[2] = 1;
    for (int i = 0; i < rank; i++) out[3 - rank + i] = t->shape[2 + i];
}

void ov_spatial_shape(int rank, int64_t n, int64_t ch, const int64_t sizes[3], int64_t *shape) {
    shape[0] = n;
    shape[1] = ch;
    for (int i = 0; i < rank; i++) shape[2 + i] = sizes[3 - rank + i];
}

const char *ov_spatial_dim_name(int i) { return i == 0 ? "depth" : i == 1 ? "height" : "width"; }
