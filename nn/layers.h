/* layers.h: the torch.nn layers that the backbones and detectors are built from. Each is a struct
 * whose first member is an ovModule, made inside a parent by `ov_<layer>_new(parent, name, ...)`,
 * which registers its parameters under PyTorch's names (so `ov_module_load` fills them from real
 * checkpoints) and initialises them like PyTorch's reset_parameters. The forward pass is
 * `ov_<layer>_forward(layer, x, ...)` (the bare `ov_<op>` names are the functional ops of
 * autograd/ops.h); it pushes the module path for error messages and uses only public ops, so it
 * runs on whichever device the parameters and inputs are on.
 *
 *     ovLinear *fc = ov_linear_new(&net->m, "c_fc", 768, 3072, true);
 *     ovTensor *h = ov_linear_forward(fc, x);                         // x W^T + b
 *
 * Layers with randomness (Dropout, DropPath, attention dropout) draw a fresh seed per call from
 * their module's generator (m.init_gen, itself derived from the root seed and the module path),
 * so masks differ between steps and a run is reproducible from the root seed. */
#ifndef OV_LAYERS_H
#define OV_LAYERS_H

#include <stdbool.h>
#include <stdint.h>

#include "nn/module.h"

/* ---------------- activations (nn/activation.c) ---------------- */
typedef enum {
    OV_ACT_GELU = 0,   /* nn.GELU(): erf form */
    OV_ACT_GELU_TANH,  /* nn.GELU(approximate='tanh') */
    OV_ACT_QUICK_GELU, /* CLIP's QuickGELU: x * sigmoid(1.702 x) */
    OV_ACT_RELU,
    OV_ACT_IDENTITY,
} ovActKind;

typedef struct {
    ovModule m;
    ovActKind kind;
} ovActivation;

ovTensor *ov_act(ovActKind kind, ovTensor *x); /* the function itself */
const char *ov_act_name(ovActKind kind);       /* "GELU", "QuickGELU", ... */
ovActivation *ov_activation_new(ovModule *parent, const char *name, ovActKind kind);
ovActivation *ov_gelu_new(ovModule *parent, const char *name, bool tanh_approx);
ovActivation *ov_quick_gelu_new(ovModule *parent, const char *name);
ovActivation *ov_relu_new(ovModule *parent, const char *name);
ovTensor *ov_activation_forward(ovActivation *a, ovTensor *x);

/* ---------------- Linear (nn/linear.c) ---------------- */
/* nn.Linear: weight [out, in], bias [out] (NULL without bias); kaiming_uniform(a=sqrt 5) weight,
 * U(+-1/sqrt(in)) bias. */
typedef struct {
    ovModule m;
    int64_t in, out;
    ovTensor *weight, *bias;
} ovLinear;

ovLinear *ov_linear_new(ovModule *parent, const char *name, int64_t in, int64_t out, bool bias);
ovTensor *ov_linear_forward(ovLinear *l, ovTensor *x); /* [..., in] -> [..., out] */

/* ---------------- normalisation (nn/norm.c) ---------------- */
/* nn.LayerNorm(normalized_shape, eps, elementwise_affine): normalises over the last `ndims` dims
 * (their sizes in `shape`); weight ones and bias zeros of that shape when affine. */
typedef struct {
    ovModule m;
    int ndims;
    int64_t shape[OV_MAX_DIMS];
    double eps;
    ovTensor *weight, *bias; /* NULL without affine */
} ovLayerNorm;

ovLayerNorm *ov_layer_norm_new(ovModule *parent, const char *name, int ndims, const int64_t *shape, double eps,
                               bool affine);
ovTensor *ov_layer_norm_forward(ovLayerNorm *ln, ovTensor *x);

/* STMixer's / ConvNeXt's channels-first LayerNorm: normalises dim 1 of [N, C, ...] with
 * weight/bias [C] (ones/zeros); STMixer uses eps 1e-6. */
typedef struct {
    ovModule m;
    int64_t channels;
    double eps;
    ovTensor *weight, *bias;
} ovChannelLayerNorm;

ovChannelLayerNorm *ov_channel_layer_norm_new(ovModule *parent, const char *name, int64_t channels, double eps);
ovTensor *ov_channel_layer_norm_forward(ovChannelLayerNorm *ln, ovTensor *x);

/* ---------------- multi-head attention (nn/attention.c) ---------------- */
typedef enum {
    /* torch.nn.MultiheadAttention: in_proj_weight [3E, E] (rows Wq, Wk, Wv), in_proj_bias [3E],
     * out_proj.weight/bias; xavier_uniform in_proj, zero biases. OpenMixer, ViCLIP. */
    OV_MHA_PACKED = 0,
    /* Hugging Face CLIPAttention: q_proj, k_proj, v_proj, out_proj, each a Linear with bias. */
    OV_MHA_SEPARATE,
} ovMHALayout;

typedef struct {
    ovModule m;
    int64_t embed_dim, num_heads, head_dim;
    ovMHALayout layout;
    bool batch_first; /* inputs [B, L, E] (else [L, B, E], torch's default); HF CLIP is batch first */
    double dropout;   /* on the attention weights, in training only */
    ovTensor *in_proj_weight, *in_proj_bias;   /* packed */
    ovLinear *q_proj, *k_proj, *v_proj;        /* separate */
    ovLinear *out_proj;
} ovMHA;

ovMHA *ov_mha_new(ovModule *parent, const char *name, int64_t embed_dim, int64_t num_heads, ovMHALayout layout,
                  bool batch_first, double dropout);

/* Options of a forward pass; a NULL pointer means none of them. Masks follow
 * nn.MultiheadAttention: attn_mask is [L, S], [B*H, L, S] (per head, batch-major: OpenMixer's IoF
 * bias) or [B, H or 1, L, S]; f32 masks are added to the scores (and get a gradient when they
 * require one), bool masks are true where attending is NOT allowed. key_padding_mask [B, S]:
 * bool true = ignore that key, or f32 added. is_causal masks keys after the query (j > i). */
typedef struct {
    ovTensor *attn_mask;
    ovTensor *key_padding_mask;
    bool is_causal;
    ovTensor **weights;    /* when set, receives the attention weights (after dropout, like torch) */
    bool per_head_weights; /* [B, H, L, S] instead of the head average [B, L, S] (average_attn_weights) */
} ovMHAOpts;

/* query [B, L, E] / [L, B, E] (or unbatched [L, E]); key and value likewise with S. Returns the
 * output in the query's layout. */
ovTensor *ov_mha_forward(ovMHA *a, ovTensor *query, ovTensor *key, ovTensor *value, const ovMHAOpts *o);
/* The two halves, for attention patterns that the forward does not cover (CLIP-ViP's in-frame
 * attention): the projected, head-split q, k, v as [B, H, L, head_dim] (batched inputs only), and
 * the merge of a [B, H, L, head_dim] context back into the module's layout through out_proj. */
void ov_mha_qkv(ovMHA *a, ovTensor *query, ovTensor *key, ovTensor *value, ovTensor **q, ovTensor **k, ovTensor **v);
ovTensor *ov_mha_out(ovMHA *a, ovTensor *ctx);

/* ---------------- MLP / FFN (nn/mlp.c) ---------------- */
/* Linear(in, hidden) -> activation -> [dropout] -> Linear(hidden, out) -> [dropout]. The children's
 * names follow the checkpoint: "c_fc"/"c_proj" (OpenAI CLIP, ViCLIP), "fc1"/"fc2" (Hugging Face,
 * the default when NULL), "layers.0.0"/"layers.1" (mmcv's FFN). */
typedef struct {
    const char *fc1, *fc2;
    ovActKind act;
    double dropout; /* after the activation and after the second Linear (ViCLIP, mmcv FFN) */
    bool no_bias;
} ovMLPCfg;

typedef struct {
    ovModule m;
    ovLinear *fc1, *fc2;
    ovActKind act;
    double dropout;
} ovMLP;

ovMLP *ov_mlp_new(ovModule *parent, const char *name, int64_t in, int64_t hidden, int64_t out, const ovMLPCfg *cfg);
ovTensor *ov_mlp_forward(ovMLP *mlp, ovTensor *x);

/* ---------------- convolution and pooling (nn/conv.c) ---------------- */
/* Geometry of a convolution; zeros take PyTorch's defaults (stride 1, padding 0, dilation 1,
 * groups 1, bias on), so `&(ovConvCfg){.kernel = {3, 3, 3}, .padding = {1, 1, 1}, .no_bias = true}`
 * reads like the Python. 2-D layers use the first two entries. */
typedef struct {
    int64_t kernel[3], stride[3], padding[3], output_padding[3], dilation[3];
    int64_t groups;
    bool no_bias;
} ovConvCfg;

/* nn.Conv2d / Conv3d (weight [out, in/groups, k...]) and nn.ConvTranspose3d (weight
 * [in, out/groups, k...]); kaiming_uniform(a=sqrt 5) weight and U(+-1/sqrt(fan_in)) bias. */
typedef struct {
    ovModule m;
    int dims; /* 2 or 3 */
    bool transposed;
    int64_t in, out;
    ovConvCfg cfg; /* defaults resolved */
    ovTensor *weight, *bias;
} ovConv;

ovConv *ov_conv2d_new(ovModule *parent, const char *name, int64_t in, int64_t out, const ovConvCfg *cfg);
ovConv *ov_conv3d_new(ovModule *parent, const char *name, int64_t in, int64_t out, const ovConvCfg *cfg);
ovConv *ov_conv_transpose3d_new(ovModule *parent, const char *name, int64_t in, int64_t out, const ovConvCfg *cfg);
ovTensor *ov_conv_forward(ovConv *c, ovTensor *x);

/* nn.MaxPool3d(kernel, stride = kernel when NULL, padding = 0 when NULL, ceil_mode). */
typedef struct {
    ovModule m;
    int64_t kernel[3], stride[3], padding[3];
    bool ceil_mode;
} ovMaxPool3d;

ovMaxPool3d *ov_max_pool3d_new(ovModule *parent, const char *name, const int64_t kernel[3], const int64_t stride[3],
                               const int64_t padding[3], bool ceil_mode);
ovTensor *ov_max_pool3d_forward(ovMaxPool3d *p, ovTensor *x);

/* ---------------- Embedding (nn/embedding.c) ---------------- */
/* nn.Embedding: weight [num, dim] ~ N(0, 1); indices of any shape (i64) -> [..., dim]. */
typedef struct {
    ovModule m;
    int64_t num, dim;
    ovTensor *weight;
} ovEmbedding;

ovEmbedding *ov_embedding_new(ovModule *parent, const char *name, int64_t num, int64_t dim);
ovTensor *ov_embedding_forward(ovEmbedding *e, ovTensor *indices);

/* ---------------- Dropout and DropPath (nn/dropout.c) ---------------- */
/* nn.Dropout(p): inverted dropout in training, the identity in eval. */
typedef struct {
    ovModule m;
    double p;
} ovDropout;

ovDropout *ov_dropout_new(ovModule *parent, const char *name, double p);
ovTensor *ov_dropout_forward(ovDropout *d, ovTensor *x);

/* timm's DropPath (stochastic depth): in training each sample (index of dim 0) is zeroed with
 * probability p and the others scaled by 1/(1-p); the identity in eval. */
typedef struct {
    ovModule m;
    double p;
} ovDropPath;

ovDropPath *ov_drop_path_new(ovModule *parent, const char *name, double p);
ovTensor *ov_drop_path_forward(ovDropPath *d, ovTensor *x);

/* A fresh 64-bit seed from the generator (advances it by one Philox block). */
uint64_t ov_draw_seed(ovGenerator *g);

#endif
