/* grad_mode.h: turning gradient recording off and on, and the per-tensor autograd switches. */
#ifndef OV_GRAD_MODE_H
#define OV_GRAD_MODE_H

#include <stdbool.h>

#include "tensor/tensor.h"

/* No-grad scopes nest: ops run inside record nothing (like torch.no_grad()). */
void ov_no_grad_begin(void);
void ov_no_grad_end(void);
bool ov_grad_enabled(void);

/* Marks a leaf as needing a gradient (panics on a non-leaf or a non-float tensor). Returns t. */
ovTensor *ov_requires_grad(ovTensor *t, bool on);
/* Keeps .grad on a non-leaf after backward. Returns t. */
ovTensor *ov_retain_grad(ovTensor *t);
/* A view of t's data with no history (like tensor.detach()). */
ovTensor *ov_detach(const ovTensor *t);
/* Calls hook(t, grad, ctx) when t's gradient is known; the hook's return value replaces it. */
void ov_set_grad_hook(ovTensor *t, ovGradHook hook, void *ctx);
/* Sets t->grad to zeros if it exists (the gradient tensor is reused, so training loops do not grow
 * the parameter scope). */
void ov_zero_grad(ovTensor *t);

/* Moves t, and the graph behind it that lives in the current scope, to the parent scope, so that it
 * survives ov_scope_end(). Returns t. */
ovTensor *ov_keep(ovTensor *t);

#endif
