/* activation.c: the activation modules nn.GELU (erf or tanh form), CLIP's QuickGELU
 * (x * sigmoid(1.702 x), open_clip / HF "quick_gelu") and nn.ReLU. They hold no parameters; as
 * modules they show up in summaries, and ov_act lets layers such as the MLP pick one by kind. */
#include <stdio.h>

#include "autograd/ops.h"
#include "nn/layers.h"
#include "tensor/error.h"

ovTensor *ov_act(ovActKind kind, ovTensor *x) {
    switch (kind) {
    case OV_ACT_GELU: return ov_gelu(x, false);
    case OV_ACT_GELU_TANH: return ov_gelu(x, true);
    case OV_ACT_QUICK_GELU: return ov_quick_gelu(x);
    case OV_ACT_RELU: return ov_relu(x);
    case OV_ACT_IDENTITY: return x;
    }
    ov_panic("activation: unknown kind %d", (int)kind);
}

const char *ov_act_name(ovActKind kind) {
    static const char *names[] = {"GELU", "GELU(tanh)", "QuickGELU", "ReLU", "Identity"};
    return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "?";
}

ovActivation *ov_activation_new(ovModule *parent, const char *name, ovActKind kind) {
    if ((unsigned)kind > OV_ACT_IDENTITY) ov_panic("activation '%s': unknown kind %d", name, (int)kind);
    ovActivation *a = ov_module_new(parent, name, sizeof *a, ov_act_name(kind));
    a->kind = kind;
    return a;
}

ovActivation *ov_gelu_new(ovModule *parent, const char *name, bool tanh_approx) {
    return ov_activation_new(parent, name, tanh_approx ? OV_ACT_GELU_TANH : OV_ACT_GELU);
}

ovActivation *ov_quick_gelu_new(ovModule *parent, const char *name) {
    return ov_activation_new(parent, name, OV_ACT_QUICK_GELU);
}

ovActivation *ov_relu_new(ovModule *parent, const char *name) { return ov_activation_new(parent, name, OV_ACT_RELU); }

ovTensor *ov_activation_forward(ovActivation *a, ovTensor *x) {
    ov_module_enter(&a->m);
    ovTensor *y = ov_act(a->kind, x);
    ov_module_leave(&a->m);
    return y;
}
