/* util.c: broadcasting and gradient-reduction helpers for the op families (see util.h). */
#include "autograd/ops/util.h"

#include "autograd/ops.h"

int ov_broadcast_inputs(const ovOpCall *c, unsigned mask, int64_t *shape) {
    int ndim = 0;
    for (int i = 0; i < c->n_in; i++)
        if ((mask >> i & 1) && c->in[i] && c->in[i]->ndim > ndim) ndim = c->in[i]->ndim;
    for (int d = 0; d < ndim; d++) shape[d] = 1;
    for (int i = 0; i < c->n_in; i++) {
        const ovTensor *t = c->in[i];
        if (!(mask >> i & 1) || !t) continue;
        for (int d = 0; d < t->ndim; d++) {
            int od = d + ndim - t->ndim;
            int64_t s = t->shape[d];
            if (s == shape[od] || s == 1) continue;
            if (shape[od] != 1) {
                char a[128], b[128];
                ov_op_fail(c, "shapes %s and %s do not broadcast (dim %d: %lld vs %lld)",
                           ov_shape_str(ndim, shape, a, sizeof a), ov_shape_str(t->ndim, t->shape, b, sizeof b), od,
                           (long long)shape[od], (long long)s);
            }
            shape[od] = s;
        }
    }
    return ndim;
}

ovKView ov_kview_bcast(const ovTensor *t, int ndim, const int64_t *shape) {
    ovKView v = ov_kview(t);
    v.ndim = ndim;
    for (int d = 0; d < ndim; d++) {
        int td = d - (ndim - t->ndim);
        v.shape[d] = shape[d];
        v.stride[d] = (td < 0 || t->shape[td] == 1) ? 0 : t->stride[td];
    }
    return v;
}

ovTensor *ov_sum_to(ovTensor *g, const ovTensor *like) {
    if (ov_same_shape(g, like)) return g;
    int lead = g->ndim - like->ndim;
    int64_t dims[OV_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < g->ndim; d++) {
        int ld = d - lead;
        if (ld < 0 || (like->shape[ld] == 1 && g->shape[d] != 1)) dims[n++] = d;
    }
    ovTensor *s = n ? ov_sum(g, n, dims, true) : g;
    return ov_reshape(s, like->ndim, like->shape);
}

unsigned ov_dims_mask(const ovOpCall *c, int attr, int ndim) {
    const ovAttrVal *v = &c->attr[attr];
    if (v->n == 0) return ndim ? (1u << ndim) - 1 : 0;
    unsigned mask = 0;
    for (int i = 0; i < v->n; i++) {
        int64_t d = v->v[i];
        int n = ndim ? ndim : 1;
        if (d < -n || d >= n) ov_op_fail(c, "dim %lld out of range for %d dims", (long long)d, ndim);
        if (d < 0) d += n;
        if (mask >> d & 1) ov_op_fail(c, "dim %lld appears twice", (long long)d);
        if (ndim) mask |= 1u << d;
    }
    return mask;
}
