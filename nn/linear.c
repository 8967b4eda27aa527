/* linear.c: nn.Linear, y = x W^T + b with weight [out, in] and an optional bias [out], initialised
 * like nn.Linear.reset_parameters (kaiming_uniform with a = sqrt(5), bias U(+-1/sqrt(in))). */
#include <inttypes.h>
#include <stdio.h>

#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/layers.h"

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovLinear *l = (const ovLinear *)m;
    snprintf(buf, n, "in=%" PRId64 ", out=%" PRId64 "%s", l->in, l->out, l->bias ? "" : ", no bias");
}

ovLinear *ov_linear_new(ovModule *parent, const char *name, int64_t in, int64_t out, bool bias) {
    ovLinear *l = ov_module_new(parent, name, sizeof *l, "Linear");
    l->m.describe = describe;
    l->in = in, l->out = out;
    l->weight = ov_param(&l->m, "weight", OV_SHAPE(out, in));
    if (bias) l->bias = ov_param(&l->m, "bias", OV_SHAPE(out));
    ov_init_torch_default(l->weight, l->bias, &l->m.init_gen);
    return l;
}

ovTensor *ov_linear_forward(ovLinear *l, ovTensor *x) {
    ov_module_enter(&l->m);
    ovTensor *y = ov_linear(x, l->weight, l->bias);
    ov_module_leave(&l->m);
    return y;
}
