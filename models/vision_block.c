/* vision_block.c: OpenAI CLIP's / ViCLIP's ResidualAttentionBlock (see vision_block.h). The
 * attention half and the MLP half each run in their own scope, keeping only their result: under
 * no-grad that frees the 3W projections, the [B*H, L, L] attention weights and the 4W hidden
 * layer as soon as they are used, so inference holds one block's temporaries at a time; with
 * gradients ov_keep moves the graph out and nothing changes. */
#include "models/vision_block.h"

#include "autograd/grad_mode.h"
#include "autograd/ops.h"

ovResBlock *ov_resblock_new(ovModule *parent, const char *name, int64_t width, int64_t heads, double drop_path,
                            double dropout) {
    ovResBlock *b = ov_module_new(parent, name, sizeof *b, "ResidualAttentionBlock");
    /* registration order of the upstream __init__ (drop paths, attn, ln_1, mlp, ln_2) */
    if (drop_path > 0) {
        b->drop_path1 = ov_drop_path_new(&b->m, "drop_path1", drop_path);
        b->drop_path2 = ov_drop_path_new(&b->m, "drop_path2", drop_path);
    }
    b->attn = ov_mha_new(&b->m, "attn", width, heads, OV_MHA_PACKED, false, dropout);
    b->ln_1 = ov_layer_norm_new(&b->m, "ln_1", OV_SHAPE(width), 1e-5, true);
    ovMLPCfg cfg = {.fc1 = "c_fc", .fc2 = "c_proj", .act = OV_ACT_QUICK_GELU, .dropout = dropout};
    b->mlp = ov_mlp_new(&b->m, "mlp", width, 4 * width, width, &cfg);
    b->ln_2 = ov_layer_norm_new(&b->m, "ln_2", OV_SHAPE(width), 1e-5, true);
    return b;
}

static ovTensor *attention_half(ovResBlock *b, ovTensor *x) {
    ov_scope_begin();
    ovTensor *h = ov_layer_norm_forward(b->ln_1, x);
    h = ov_mha_forward(b->attn, h, h, h, NULL);
    if (b->drop_path1) h = ov_drop_path_forward(b->drop_path1, h);
    ovTensor *y = ov_keep(ov_add(x, h));
    ov_scope_end();
    return y;
}

static ovTensor *mlp_half(ovResBlock *b, ovTensor *x) {
    ov_scope_begin();
    ovTensor *h = ov_mlp_forward(b->mlp, ov_layer_norm_forward(b->ln_2, x));
    if (b->drop_path2) h = ov_drop_path_forward(b->drop_path2, h);
    ovTensor *y = ov_keep(ov_add(x, h));
    ov_scope_end();
    return y;
}

ovTensor *ov_resblock_forward(ovResBlock *b, ovTensor *x) {
    ov_module_enter(&b->m);
    ovTensor *y = mlp_half(b, attention_half(b, x));
    ov_module_leave(&b->m);
    return y;
}
