/* conv.c: nn.Conv2d, nn.Conv3d, nn.ConvTranspose3d and nn.MaxPool3d as modules: ViCLIP's and
 * CLIP-ViP's patch embeddings (kernel = stride = patch, no bias) and STMixer/OpenMixer's feature
 * pyramid (ConvTranspose3d k = s = (1,2,2), Conv3d 1x1x1 and 3x3x3, MaxPool3d (1,2,2)). Weights and
 * biases start like _ConvNd.reset_parameters: kaiming_uniform(a = sqrt 5) and U(+-1/sqrt(fan_in)),
 * where a transposed weight [in, out/groups, k...] has fan_in = out/groups * prod(k), as in torch. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/layers.h"
#include "tensor/error.h"

static const char *triple(char *buf, size_t n, int dims, const int64_t *v) {
    if (dims == 2)
        snprintf(buf, n, "(%" PRId64 ",%" PRId64 ")", v[0], v[1]);
    else
        snprintf(buf, n, "(%" PRId64 ",%" PRId64 ",%" PRId64 ")", v[0], v[1], v[2]);
    return buf;
}

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovConv *c = (const ovConv *)m;
    char k[64], s[64], p[64];
    snprintf(buf, n, "%" PRId64 " -> %" PRId64 ", kernel=%s, stride=%s, padding=%s%s", c->in, c->out,
             triple(k, sizeof k, c->dims, c->cfg.kernel), triple(s, sizeof s, c->dims, c->cfg.stride),
             triple(p, sizeof p, c->dims, c->cfg.padding), c->bias ? "" : ", no bias");
}

static ovConv *conv_new(ovModule *parent, const char *name, const char *type, int dims, bool transposed, int64_t in,
                        int64_t out, const ovConvCfg *cfg) {
    if (!cfg) ov_panic("%s '%s': needs a configuration with the kernel size", type, name);
    ovConvCfg r = *cfg;
    if (!r.groups) r.groups = 1;
    for (int i = 0; i < dims; i++) {
        if (r.kernel[i] < 1) ov_panic("%s '%s': kernel size %d is %" PRId64 "; give every kernel dim", type, name, i, r.kernel[i]);
        if (!r.stride[i]) r.stride[i] = 1;
        if (!r.dilation[i]) r.dilation[i] = 1;
    }
    if (in % r.groups || out % r.groups)
        ov_panic("%s '%s': in %" PRId64 " and out %" PRId64 " channels must be divisible by groups %" PRId64, type, name, in, out,
                 r.groups);
    ovConv *c = ov_module_new(parent, name, sizeof *c, type);
    c->m.describe = describe;
    c->dims = dims, c->transposed = transposed, c->in = in, c->out = out, c->cfg = r;
    int64_t shape[5] = {transposed ? in : out, transposed ? out / r.groups : in / r.groups};
    memcpy(shape + 2, r.kernel, sizeof(int64_t) * (size_t)dims);
    c->weight = ov_param(&c->m, "weight", 2 + dims, shape);
    if (!r.no_bias) c->bias = ov_param(&c->m, "bias", OV_SHAPE(out));
    ov_init_torch_default(c->weight, c->bias, &c->m.init_gen);
    return c;
}

ovConv *ov_conv2d_new(ovModule *parent, const char *name, int64_t in, int64_t out, const ovConvCfg *cfg) {
    return conv_new(parent, name, "Conv2d", 2, false, in, out, cfg);
}

ovConv *ov_conv3d_new(ovModule *parent, const char *name, int64_t in, int64_t out, const ovConvCfg *cfg) {
    return conv_new(parent, name, "Conv3d", 3, false, in, out, cfg);
}

ovConv *ov_conv_transpose3d_new(ovModule *parent, const char *name, int64_t in, int64_t out, const ovConvCfg *cfg) {
    return conv_new(parent, name, "ConvTranspose3d", 3, true, in, out, cfg);
}

ovTensor *ov_conv_forward(ovConv *c, ovTensor *x) {
    ov_module_enter(&c->m);
    const ovConvCfg *g = &c->cfg;
    ovTensor *y;
    if (c->dims == 2)
        y = ov_conv2d(x, c->weight, c->bias, g->stride, g->padding, g->dilation, g->groups);
    else if (!c->transposed)
        y = ov_conv3d(x, c->weight, c->bias, g->stride, g->padding, g->dilation, g->groups);
    else
        y = ov_conv_transpose3d(x, c->weight, c->bias, g->stride, g->padding, g->output_padding, g->dilation, g->groups);
    ov_module_leave(&c->m);
    return y;
}

static void describe_pool(const ovModule *m, char *buf, size_t n) {
    const ovMaxPool3d *p = (const ovMaxPool3d *)m;
    char k[64], s[64], q[64];
    snprintf(buf, n, "kernel=%s, stride=%s, padding=%s%s", triple(k, sizeof k, 3, p->kernel),
             triple(s, sizeof s, 3, p->stride), triple(q, sizeof q, 3, p->padding), p->ceil_mode ? ", ceil_mode" : "");
}

ovMaxPool3d *ov_max_pool3d_new(ovModule *parent, const char *name, const int64_t kernel[3], const int64_t stride[3],
                               const int64_t padding[3], bool ceil_mode) {
    ovMaxPool3d *p = ov_module_new(parent, name, sizeof *p, "MaxPool3d");
    p->m.describe = describe_pool;
    for (int i = 0; i < 3; i++) {
        p->kernel[i] = kernel[i];
        p->stride[i] = stride ? stride[i] : kernel[i];
        p->padding[i] = padding ? padding[i] : 0;
    }
    p->ceil_mode = ceil_mode;
    return p;
}

ovTensor *ov_max_pool3d_forward(ovMaxPool3d *p, ovTensor *x) {
    ov_module_enter(&p->m);
    ovTensor *y = ov_max_pool3d(x, p->kernel, p->stride, p->padding, p->ceil_mode);
    ov_module_leave(&p->m);
    return y;
}
