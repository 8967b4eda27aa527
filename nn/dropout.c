/* dropout.c: nn.Dropout and timm's DropPath (stochastic depth, Huang et al. 2016, as in
 * timm.layers.drop_path: one Bernoulli(1-p) draw per sample, kept samples scaled by 1/(1-p)).
 * Both are the identity in eval mode. Every training call takes a new seed from the module's
 * generator, so the masks change from step to step yet follow from the root seed. */
#include <stdio.h>

#include "autograd/ops.h"
#include "kernels/philox.h"
#include "nn/layers.h"
#include "tensor/error.h"

uint64_t ov_draw_seed(ovGenerator *g) {
    ovPhilox4 r = ov_philox4x32(g->offset++, g->seed);
    return (uint64_t)r.v[0] | (uint64_t)r.v[1] << 32;
}

static void describe(const ovModule *m, char *buf, size_t n) {
    snprintf(buf, n, "p=%g", ((const ovDropout *)m)->p); /* ovDropPath has the same layout */
}

static void check_p(const char *what, const char *name, double p) {
    if (!(p >= 0 && p <= 1)) ov_panic("%s '%s': p must be in [0, 1], got %g", what, name, p);
}

ovDropout *ov_dropout_new(ovModule *parent, const char *name, double p) {
    check_p("Dropout", name, p);
    ovDropout *d = ov_module_new(parent, name, sizeof *d, "Dropout");
    d->m.describe = describe;
    d->p = p;
    return d;
}

ovTensor *ov_dropout_forward(ovDropout *d, ovTensor *x) {
    if (!d->m.training || d->p == 0) return x;
    ov_module_enter(&d->m);
    ovTensor *y = ov_dropout(x, d->p, true, ov_draw_seed(&d->m.init_gen));
    ov_module_leave(&d->m);
    return y;
}

ovDropPath *ov_drop_path_new(ovModule *parent, const char *name, double p) {
    check_p("DropPath", name, p);
    ovDropPath *d = ov_module_new(parent, name, sizeof *d, "DropPath");
    d->m.describe = describe;
    d->p = p;
    return d;
}

ovTensor *ov_drop_path_forward(ovDropPath *d, ovTensor *x) {
    if (!d->m.training || d->p == 0) return x;
    ov_module_enter(&d->m);
    if (x->ndim < 1) ov_panic("DropPath: the input needs a sample dim (dim 0)");
    /* keep mask [N, 1, ..., 1] drawn on x's device, scaled by 1/keep (timm's scale_by_keep) */
    int64_t shape[OV_MAX_DIMS];
    shape[0] = x->shape[0];
    for (int i = 1; i < x->ndim; i++) shape[i] = 1;
    double keep = 1.0 - d->p;
    ovGenerator g = ov_generator(ov_draw_seed(&d->m.init_gen));
    ovDevice prev = ov_set_default_device(ov_device(x));
    ovTensor *mask = ov_bernoulli(x->ndim, shape, keep, &g);
    ov_set_default_device(prev);
    ovTensor *y = keep > 0 ? ov_mul(x, ov_mul_scalar(mask, 1.0 / keep)) : ov_mul(x, mask);
    ov_module_leave(&d->m);
    return y;
}
