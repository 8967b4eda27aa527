/* vision_block.h: the residual attention block of OpenAI CLIP and ViCLIP
 * (ResidualAttentionBlock): x += drop_path(attn(ln_1(x))); x += drop_path(mlp(ln_2(x))), with
 * nn.MultiheadAttention in the packed layout (in_proj_weight, out_proj), sequence first, and the
 * MLP c_fc -> QuickGELU -> c_proj (ViCLIP puts dropouts after the activation and after c_proj).
 * Parameter names: attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.{weight,bias},
 * ln_1.{weight,bias}, mlp.c_fc.{weight,bias}, mlp.c_proj.{weight,bias}, ln_2.{weight,bias}. */
#ifndef OV_MODELS_VISION_BLOCK_H
#define OV_MODELS_VISION_BLOCK_H

#include "nn/layers.h"

typedef struct {
    ovModule m;
    ovMHA *attn;
    ovLayerNorm *ln_1, *ln_2;
    ovMLP *mlp;
    ovDropPath *drop_path1, *drop_path2; /* NULL when drop_path is 0 (nn.Identity upstream) */
} ovResBlock;

/* width W, heads, MLP 4W; drop_path: stochastic depth rate of this block; dropout: on the
 * attention weights and in the MLP (training only). */
ovResBlock *ov_resblock_new(ovModule *parent, const char *name, int64_t width, int64_t heads, double drop_path,
                            double dropout);
/* x [L, B, W] (sequence first, as upstream; DropPath then drops whole token positions, as timm's
 * DropPath does on dim 0 there). */
ovTensor *ov_resblock_forward(ovResBlock *b, ovTensor *x);

#endif
