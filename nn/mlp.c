/* mlp.c: the transformer MLP / FFN, Linear -> activation -> Linear, as OpenAI CLIP and ViCLIP
 * write it (c_fc, QuickGELU, c_proj, with ViCLIP's drop1/drop2 dropouts), as Hugging Face CLIPMLP
 * does (fc1, fc2) and as mmcv's FFN does for STMixer/OpenMixer (layers.0.0 = Linear + ReLU +
 * Dropout, layers.1 = Linear + Dropout). Only the children's names differ; they are arguments. */
#include <inttypes.h>
#include <stdio.h>

#include "autograd/ops.h"
#include "nn/layers.h"
#include "tensor/error.h"

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovMLP *p = (const ovMLP *)m;
    snprintf(buf, n, "%" PRId64 " -> %" PRId64 " -> %" PRId64 ", %s, dropout=%g", p->fc1->in, p->fc1->out, p->fc2->out,
             ov_act_name(p->act), p->dropout);
}

ovMLP *ov_mlp_new(ovModule *parent, const char *name, int64_t in, int64_t hidden, int64_t out, const ovMLPCfg *cfg) {
    static const ovMLPCfg defaults = {0};
    if (!cfg) cfg = &defaults;
    if (!(cfg->dropout >= 0 && cfg->dropout < 1)) ov_panic("MLP '%s': dropout must be in [0, 1), got %g", name, cfg->dropout);
    if ((unsigned)cfg->act > OV_ACT_IDENTITY) ov_panic("MLP '%s': unknown activation %d", name, (int)cfg->act);
    ovMLP *p = ov_module_new(parent, name, sizeof *p, "MLP");
    p->m.describe = describe;
    p->act = cfg->act;
    p->dropout = cfg->dropout;
    p->fc1 = ov_linear_new(&p->m, cfg->fc1 ? cfg->fc1 : "fc1", in, hidden, !cfg->no_bias);
    p->fc2 = ov_linear_new(&p->m, cfg->fc2 ? cfg->fc2 : "fc2", hidden, out, !cfg->no_bias);
    return p;
}

static ovTensor *drop(ovMLP *p, ovTensor *x) {
    if (!p->m.training || p->dropout <= 0) return x;
    return ov_dropout(x, p->dropout, true, ov_draw_seed(&p->m.init_gen));
}

ovTensor *ov_mlp_forward(ovMLP *p, ovTensor *x) {
    ov_module_enter(&p->m);
    ovTensor *h = drop(p, ov_act(p->act, ov_linear_forward(p->fc1, x)));
    ovTensor *y = drop(p, ov_linear_forward(p->fc2, h));
    ov_module_leave(&p->m);
    return y;
}
