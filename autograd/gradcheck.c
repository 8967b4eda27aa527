/* gradcheck.c: central-difference gradient checks (see gradcheck.h). */
#include "autograd/gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/create.h"

/* sum_k <w_k, out_k> in double over the float outputs. */
static double weighted_loss(ovOpCall *c, ovTensor **w) {
    ovTensor *out[OV_MAX_OUTPUTS];
    int n = ov_apply(c, out);
    double s = 0;
    for (int k = 0; k < n; k++) {
        if (!w[k]) continue;
        int64_t m = ov_numel(out[k]);
        for (int64_t i = 0; i < m; i++) {
            double v = ov_get_flat(out[k], i);
            if (isfinite(v)) s += v * ov_get_flat(w[k], i); /* +-inf outputs (masked) are constants */
        }
    }
    return s;
}

static bool differentiable(const ovOpCall *c, int i) {
    const ovArgDef *a = &c->op->args[i < c->op->n_args ? i : c->op->n_args - 1];
    return c->in[i] && c->in[i]->dtype == OV_F32 && !(a->flags & OV_ARG_NO_GRAD) &&
           (a->kind == OV_ARG_FLOAT || a->kind == OV_ARG_ANY);
}

ovGradcheck ov_gradcheck(const ovOpCall *call, double eps, double tol, int max_per_input) {
    ovGradcheck r = {.ok = true};
    ovScope *scope = ov_scope_begin();
    (void)scope;
    ovOpCall c = *call;
    for (int i = 0; i < c.n_in; i++)
        if (differentiable(&c, i)) c.in[i] = ov_requires_grad(ov_contiguous_copy(c.in[i]), true);

    /* analytic */
    ovTensor *out[OV_MAX_OUTPUTS], *w[OV_MAX_OUTPUTS] = {0}, *roots[OV_MAX_OUTPUTS], *seeds[OV_MAX_OUTPUTS];
    int n_out = ov_apply(&c, out), n_roots = 0;
    ovGenerator g = ov_generator(0xC0FFEE);
    for (int k = 0; k < n_out; k++) {
        if (out[k]->dtype != OV_F32) continue;
        w[k] = ov_randn(out[k]->ndim, out[k]->shape, 0, 1, &g);
        if (out[k]->requires_grad) {
            roots[n_roots] = out[k];
            seeds[n_roots++] = w[k];
        }
    }
    if (n_roots) ov_backward_with(n_roots, roots, seeds);

    /* numeric, perturbing the leaf's storage element by element */
    ov_no_grad_begin();
    for (int i = 0; i < c.n_in; i++) {
        if (!differentiable(&c, i)) continue;
        ovTensor *x = c.in[i];
        int64_t n = ov_numel(x);
        int64_t step = n > max_per_input ? (n + max_per_input - 1) / max_per_input : 1;
        float *p = ov_f32(x);
        for (int64_t j = (int64_t)(i * 7) % (step ? step : 1); j < n; j += step) {
            float orig = p[j];
            p[j] = (float)(orig + eps);
            double lp = weighted_loss(&c, w);
            p[j] = (float)(orig - eps);
            double lm = weighted_loss(&c, w);
            p[j] = orig;
            double h = ((double)(float)(orig + eps) - (double)(float)(orig - eps)); /* the step taken */
            double num = (lp - lm) / h;
            double ana = x->grad ? ov_get_flat(x->grad, j) : 0.0;
            double err = fabs(ana - num) / fmax(1.0, fabs(num));
            r.checked++;
            if (err > r.max_err || isnan(err)) {
                r.max_err = isnan(err) ? INFINITY : err;
                snprintf(r.worst, sizeof r.worst, "input %d (%s) element %lld: analytic %.6g numeric %.6g", i,
                         c.op->args[i < c.op->n_args ? i : c.op->n_args - 1].name, (long long)j, ana, num);
            }
        }
    }
    ov_no_grad_end();
    r.ok = r.max_err <= tol;
    ov_scope_end();
    return r;
}
