/* op_run.h: running an op of the table on named tensors, as `ovad op` and the PyTorch fixture
 * tests do. Inputs are named like the op's arguments (a variadic argument `tensors` takes
 * tensors.0, tensors.1, ...); an optional `grad_out` (or grad_out0, grad_out1, ... for several
 * outputs) asks for the backward pass. Outputs are `out` (or out0, out1, ...) and, with a
 * gradient, grad_<arg> for every floating-point argument. */
#ifndef OV_OP_RUN_H
#define OV_OP_RUN_H

#include "autograd/op.h"

#define OV_NAMED_MAX 160

typedef struct {
    int n;
    char name[OV_NAMED_MAX][96];
    ovTensor *t[OV_NAMED_MAX];
} ovNamedTensors;

void ov_named_add(ovNamedTensors *nt, const char *name, ovTensor *t);
ovTensor *ov_named_get(const ovNamedTensors *nt, const char *name);

/* attrs: "name=value" strings. Returns 0, or -1 with ov_last_error() (unknown attribute, missing
 * argument, bad value, or the op's own shape error). Tensors are made in the current scope. */
int ov_op_run_named(ovOpDef *op, const ovNamedTensors *in, int n_attrs, const char *const *attrs, ovNamedTensors *out);

#endif
