/* clip.c: gradient-norm clipping, torch.nn.utils.clip_grad_norm_ (norm_type 2) op for op: the
 * norm of the stacked per-gradient norms, clip_coef = max_norm * reciprocal(total + 1e-6) (torch's
 * float / tensor is reciprocal-then-multiply), clamped to 1, and every gradient multiplied by it,
 * even when the coefficient is 1 (torch does the same to avoid a device sync; here it keeps the
 * arithmetic identical). Runs with ops, so gradients on the device stay there. */
#include <math.h>
#include <stdlib.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "optim/optim.h"
#include "tensor/create.h"

double ov_clip_grad_norm_list(int n, ovTensor *const *params, double max_norm) {
    ovTensor **norms = malloc(sizeof(ovTensor *) * (size_t)(n > 0 ? n : 1));
    ov_no_grad_begin();
    ov_scope_begin();
    int k = 0;
    ovDevice dev = OV_DEV_CPU;
    for (int i = 0; i < n; i++) {
        ovTensor *g = params[i]->grad;
        if (!g) continue;
        if (k == 0) dev = ov_device(g);
        norms[k++] = ov_to_device(ov_norm(g, 0, NULL, false), dev);
    }
    double total = 0;
    if (k > 0) {
        ovTensor *t = ov_norm(ov_stack(k, norms, 0), 0, NULL, false);
        ovTensor *one = ov_empty_like(t);
        ov_fill_(one, 1.0);
        ovTensor *coef = ov_clamp(ov_mul_scalar(ov_div(one, ov_add_scalar(t, 1e-6)), max_norm), -INFINITY, 1.0);
        for (int i = 0; i < n; i++) {
            ovTensor *g = params[i]->grad;
            if (g) ov_copy_(g, ov_mul(g, ov_to_device(coef, ov_device(g))));
        }
        total = ov_get_flat(ov_to_device(t, OV_DEV_CPU), 0);
    }
    ov_scope_end();
    ov_no_grad_end();
    free(norms);
    return total;
}

double ov_clip_grad_norm(ovOptimizer *o, double max_norm) {
    int n = ov_optim_count(o), k = 0;
    ovTensor **ps = malloc(sizeof(ovTensor *) * (size_t)(n > 0 ? n : 1));
    for (int gi = 0; gi < o->n_groups; gi++)
        for (int i = 0; i < o->groups[gi]->n; i++) ps[k++] = o->groups[gi]->ps[i].p;
    double total = ov_clip_grad_norm_list(n, ps, max_norm);
    free(ps);
    return total;
}
