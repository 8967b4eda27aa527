/* norm.c: nn.LayerNorm over the last k dims (with or without the elementwise affine) and the
 * channels-first LayerNorm of STMixer/ConvNeXt (`LayerNorm(..., data_format="channels_first")`:
 * mean and biased variance over dim 1, then weight[c] * x + bias[c]). Both initialise weight to
 * ones and bias to zeros, like PyTorch. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/layers.h"
#include "tensor/error.h"

static void describe_ln(const ovModule *m, char *buf, size_t n) {
    const ovLayerNorm *ln = (const ovLayerNorm *)m;
    char s[128];
    snprintf(buf, n, "shape=%s, eps=%g%s", ov_shape_str(ln->ndims, ln->shape, s, sizeof s), ln->eps,
             ln->weight ? "" : ", no affine");
}

ovLayerNorm *ov_layer_norm_new(ovModule *parent, const char *name, int ndims, const int64_t *shape, double eps,
                               bool affine) {
    if (ndims < 1 || ndims > OV_MAX_DIMS) ov_panic("LayerNorm '%s': normalises over 1 to %d dims, got %d", name, OV_MAX_DIMS, ndims);
    ovLayerNorm *ln = ov_module_new(parent, name, sizeof *ln, "LayerNorm");
    ln->m.describe = describe_ln;
    ln->ndims = ndims;
    memcpy(ln->shape, shape, sizeof(int64_t) * (size_t)ndims);
    ln->eps = eps;
    if (affine) {
        ln->weight = ov_param(&ln->m, "weight", ndims, shape);
        ln->bias = ov_param(&ln->m, "bias", ndims, shape);
        ov_init_constant(ln->weight, 1.0);
        ov_init_constant(ln->bias, 0.0);
    }
    return ln;
}

ovTensor *ov_layer_norm_forward(ovLayerNorm *ln, ovTensor *x) {
    ov_module_enter(&ln->m);
    bool ok = x->ndim >= ln->ndims;
    for (int i = 0; ok && i < ln->ndims; i++) ok = x->shape[x->ndim - ln->ndims + i] == ln->shape[i];
    if (!ok) {
        char a[160], s[128];
        ov_panic("LayerNorm: input %s does not end with the normalized shape %s", ov_describe(x, a, sizeof a),
                 ov_shape_str(ln->ndims, ln->shape, s, sizeof s));
    }
    ovTensor *y = ov_layer_norm(x, ln->ndims, ln->weight, ln->bias, ln->eps);
    ov_module_leave(&ln->m);
    return y;
}

static void describe_cln(const ovModule *m, char *buf, size_t n) {
    const ovChannelLayerNorm *ln = (const ovChannelLayerNorm *)m;
    snprintf(buf, n, "channels=%" PRId64 ", eps=%g", ln->channels, ln->eps);
}

ovChannelLayerNorm *ov_channel_layer_norm_new(ovModule *parent, const char *name, int64_t channels, double eps) {
    ovChannelLayerNorm *ln = ov_module_new(parent, name, sizeof *ln, "ChannelLayerNorm");
    ln->m.describe = describe_cln;
    ln->channels = channels;
    ln->eps = eps;
    ln->weight = ov_param(&ln->m, "weight", OV_SHAPE(channels));
    ln->bias = ov_param(&ln->m, "bias", OV_SHAPE(channels));
    ov_init_constant(ln->weight, 1.0);
    ov_init_constant(ln->bias, 0.0);
    return ln;
}

ovTensor *ov_channel_layer_norm_forward(ovChannelLayerNorm *ln, ovTensor *x) {
    ov_module_enter(&ln->m);
    ovTensor *y = ov_channel_layer_norm(x, ln->weight, ln->bias, ln->eps);
    ov_module_leave(&ln->m);
    return y;
}
