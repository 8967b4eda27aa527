/* ops.h: the public, differentiable operations. Each is a thin wrapper that fills a call of its
 * op-table entry (autograd/ops/<family>.c) and runs it; gradients flow wherever PyTorch's do.
 * Semantics, argument order and defaults follow torch / torch.nn.functional unless noted.
 * Float arguments are f32; index arguments i64; masks bool. Dims may be negative. */
#ifndef OV_OPS_H
#define OV_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "tensor/tensor.h"

/* ---------------- elementwise (autograd/ops/elementwise.c) ---------------- */
/* Binary ops broadcast their arguments like PyTorch. */
ovTensor *ov_add(ovTensor *a, ovTensor *b);
ovTensor *ov_sub(ovTensor *a, ovTensor *b);
ovTensor *ov_mul(ovTensor *a, ovTensor *b);
ovTensor *ov_div(ovTensor *a, ovTensor *b);
ovTensor *ov_pow(ovTensor *a, ovTensor *b); /* tensor exponent */
ovTensor *ov_minimum(ovTensor *a, ovTensor *b);
ovTensor *ov_maximum(ovTensor *a, ovTensor *b);
ovTensor *ov_add_scalar(ovTensor *x, double v);
ovTensor *ov_mul_scalar(ovTensor *x, double v);
ovTensor *ov_pow_scalar(ovTensor *x, double exponent);
ovTensor *ov_neg(ovTensor *x);
ovTensor *ov_abs(ovTensor *x);
ovTensor *ov_exp(ovTensor *x);
ovTensor *ov_log(ovTensor *x);
ovTensor *ov_sqrt(ovTensor *x);
ovTensor *ov_rsqrt(ovTensor *x);
ovTensor *ov_sigmoid(ovTensor *x);
ovTensor *ov_tanh(ovTensor *x);
ovTensor *ov_relu(ovTensor *x);
ovTensor *ov_gelu(ovTensor *x, bool tanh_approx); /* erf form unless tanh_approx */
ovTensor *ov_quick_gelu(ovTensor *x);             /* x * sigmoid(1.702 x) */
ovTensor *ov_silu(ovTensor *x);
ovTensor *ov_softplus(ovTensor *x, double beta, double threshold); /* torch defaults 1, 20 */
ovTensor *ov_sin(ovTensor *x);
ovTensor *ov_cos(ovTensor *x);
/* Clamp to [lo, hi]; pass -INFINITY / INFINITY for an absent bound. */
ovTensor *ov_clamp(ovTensor *x, double lo, double hi);
ovTensor *ov_where(ovTensor *cond, ovTensor *a, ovTensor *b);
ovTensor *ov_masked_fill(ovTensor *x, ovTensor *mask, double value);
/* No gradient: */
ovTensor *ov_floor(ovTensor *x);
ovTensor *ov_round(ovTensor *x); /* half to even */
ovTensor *ov_eq(ovTensor *a, ovTensor *b);
ovTensor *ov_ne(ovTensor *a, ovTensor *b);
ovTensor *ov_lt(ovTensor *a, ovTensor *b);
ovTensor *ov_le(ovTensor *a, ovTensor *b);
ovTensor *ov_gt(ovTensor *a, ovTensor *b);
ovTensor *ov_ge(ovTensor *a, ovTensor *b);
ovTensor *ov_logical_and(ovTensor *a, ovTensor *b);
ovTensor *ov_logical_or(ovTensor *a, ovTensor *b);
ovTensor *ov_logical_xor(ovTensor *a, ovTensor *b);
ovTensor *ov_logical_not(ovTensor *a);
/* In place, no autograd: dst += src (src broadcast to dst). Used to accumulate gradients. */
void ov_acc_(ovTensor *dst, ovTensor *src);

/* ---------------- shape and views (autograd/ops/shape.c) ---------------- */
/* reshape: a view when strides allow, else a copy; one size may be -1. view: must be a view. */
ovTensor *ov_reshape(ovTensor *x, int ndim, const int64_t *shape);
ovTensor *ov_view(ovTensor *x, int ndim, const int64_t *shape);
ovTensor *ov_permute(ovTensor *x, int ndim, const int64_t *dims);
ovTensor *ov_transpose(ovTensor *x, int d0, int d1);
ovTensor *ov_narrow(ovTensor *x, int dim, int64_t start, int64_t length);
/* x[start:end:step] along dim (end clamped like Python slicing; step >= 1). */
ovTensor *ov_slice(ovTensor *x, int dim, int64_t start, int64_t end, int64_t step);
/* Select one index along dim, removing the dim (x[..., i, ...]). */
ovTensor *ov_select(ovTensor *x, int dim, int64_t index);
ovTensor *ov_expand(ovTensor *x, int ndim, const int64_t *shape); /* -1 keeps a size */
ovTensor *ov_squeeze(ovTensor *x, int dim);
ovTensor *ov_unsqueeze(ovTensor *x, int dim);
ovTensor *ov_flatten(ovTensor *x, int start_dim, int end_dim);
/* x itself when already contiguous, else a contiguous copy (gradient flows either way). */
ovTensor *ov_contiguous(ovTensor *x);
ovTensor *ov_contiguous_copy(ovTensor *x); /* always a new contiguous tensor (torch.clone) */
/* dtype conversion; gradient flows between float dtypes. */
ovTensor *ov_to(ovTensor *x, ovDType dtype);
/* x itself when already on dev, else a contiguous copy there (gradient flows back). */
ovTensor *ov_to_device(ovTensor *x, ovDevice dev);

/* ---------------- reductions (autograd/ops/reduce.c) ---------------- */
/* dims: list of ndims dims (ndims == 0 reduces all). */
ovTensor *ov_sum(ovTensor *x, int ndims, const int64_t *dims, bool keepdim);
ovTensor *ov_mean(ovTensor *x, int ndims, const int64_t *dims, bool keepdim);
ovTensor *ov_var(ovTensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim);
ovTensor *ov_logsumexp(ovTensor *x, int ndims, const int64_t *dims, bool keepdim);
ovTensor *ov_norm(ovTensor *x, int ndims, const int64_t *dims, bool keepdim); /* L2 */
ovTensor *ov_amax(ovTensor *x, int ndims, const int64_t *dims, bool keepdim);
ovTensor *ov_amin(ovTensor *x, int ndims, const int64_t *dims, bool keepdim);
/* Values and (when indices != NULL) i64 indices of the max/min along one dim (first on ties). */
ovTensor *ov_max(ovTensor *x, int dim, bool keepdim, ovTensor **indices);
ovTensor *ov_min(ovTensor *x, int dim, bool keepdim, ovTensor **indices);
ovTensor *ov_argmax(ovTensor *x, int dim, bool keepdim);
ovTensor *ov_argmin(ovTensor *x, int dim, bool keepdim);

/* ---------------- products (autograd/ops/matmul.c) ---------------- */
ovTensor *ov_matmul(ovTensor *a, ovTensor *b); /* torch.matmul incl. 1-D and batch broadcasting */
ovTensor *ov_bmm(ovTensor *a, ovTensor *b);    /* [B,M,K] x [B,K,N] */
ovTensor *ov_linear(ovTensor *x, ovTensor *w, ovTensor *b); /* x W^T + b; b may be NULL */

/* ---------------- normalisation (autograd/ops/norm.c) ---------------- */
/* mask: optional additive float mask broadcast to x (e.g. -inf where not allowed). */
ovTensor *ov_softmax(ovTensor *x, int dim, ovTensor *mask);
ovTensor *ov_log_softmax(ovTensor *x, int dim, ovTensor *mask);
/* Normalises over the last `ndims` dims; weight/bias (shape of those dims) may be NULL. */
ovTensor *ov_layer_norm(ovTensor *x, int ndims, ovTensor *weight, ovTensor *bias, double eps);
/* Normalises over dim 1 of [N,C,...] (STMixer/ConvNeXt channels-first LN); weight/bias [C]. */
ovTensor *ov_channel_layer_norm(ovTensor *x, ovTensor *weight, ovTensor *bias, double eps);
/* x / max(||x||_2, eps) along dim (F.normalize). */
ovTensor *ov_normalize(ovTensor *x, int dim, double eps);

/* ---------------- joining, indexing, sorting (autograd/ops/index.c) ---------------- */
ovTensor *ov_cat(int n, ovTensor **ts, int dim);
ovTensor *ov_stack(int n, ovTensor **ts, int dim);
/* Splits into pieces of the given sizes along dim (one size: pieces of that size, the last maybe
 * shorter, like torch.split(x, int)); writes views to out, which needs room for every piece, and
 * returns how many. */
int ov_split(ovTensor *x, int n_sizes, const int64_t *sizes, int dim, ovTensor **out);
int ov_chunk(ovTensor *x, int chunks, int dim, ovTensor **out); /* torch.chunk: may give fewer pieces */
ovTensor *ov_index_select(ovTensor *x, int dim, ovTensor *index);
ovTensor *ov_gather(ovTensor *x, int dim, ovTensor *index);
/* x with src added at index along dim (out-of-place torch.scatter_add). */
ovTensor *ov_scatter_add(ovTensor *x, int dim, ovTensor *index, ovTensor *src);
ovTensor *ov_embedding(ovTensor *weight, ovTensor *indices);
ovTensor *ov_repeat(ovTensor *x, int n, const int64_t *repeats);
/* Constant pad: pads = (last_lo, last_hi, prev_lo, prev_hi, ...) like F.pad; negative crops. */
ovTensor *ov_pad(ovTensor *x, int n_pads, const int64_t *pads, double value);
ovTensor *ov_flip(ovTensor *x, int n, const int64_t *dims);
/* indices may be NULL; sorted=false gives the k chosen elements in their original order. */
ovTensor *ov_topk(ovTensor *x, int64_t k, int dim, bool largest, bool sorted, ovTensor **indices);
ovTensor *ov_sort(ovTensor *x, int dim, bool descending, ovTensor **indices); /* stable */
ovTensor *ov_argsort(ovTensor *x, int dim, bool descending);

/* ---------------- convolution and pooling (autograd/ops/conv.c, pool.c) ---------------- */
/* 2-D arrays take (h, w), 3-D arrays (t, h, w); b may be NULL. A NULL array takes PyTorch's
 * default: stride 1 (pooling: the kernel size), padding 0, output_padding 0, dilation 1.
 * Transposed convolutions take weight [Cin, Cout/groups, k...] like PyTorch. */
ovTensor *ov_conv2d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[2], const int64_t padding[2],
                    const int64_t dilation[2], int64_t groups);
ovTensor *ov_conv3d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[3], const int64_t padding[3],
                    const int64_t dilation[3], int64_t groups);
ovTensor *ov_conv_transpose2d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[2],
                              const int64_t padding[2], const int64_t output_padding[2], const int64_t dilation[2],
                              int64_t groups);
ovTensor *ov_conv_transpose3d(ovTensor *x, ovTensor *w, ovTensor *b, const int64_t stride[3],
                              const int64_t padding[3], const int64_t output_padding[3], const int64_t dilation[3],
                              int64_t groups);
ovTensor *ov_max_pool2d(ovTensor *x, const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                        bool ceil_mode);
ovTensor *ov_max_pool3d(ovTensor *x, const int64_t kernel[3], const int64_t stride[3], const int64_t padding[3],
                        bool ceil_mode);
ovTensor *ov_avg_pool2d(ovTensor *x, const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                        bool ceil_mode, bool count_include_pad);
ovTensor *ov_avg_pool3d(ovTensor *x, const int64_t kernel[3], const int64_t stride[3], const int64_t padding[3],
                        bool ceil_mode, bool count_include_pad);

/* ---------------- resampling (autograd/ops/resample.c) ---------------- */
typedef enum { OV_INTERP_NEAREST, OV_INTERP_LINEAR, OV_INTERP_BILINEAR, OV_INTERP_BICUBIC, OV_INTERP_TRILINEAR } ovInterpMode;
/* F.interpolate to an explicit output size (1, 2 or 3 spatial dims after [N,C]). */
ovTensor *ov_interpolate(ovTensor *x, ovInterpMode mode, int n, const int64_t *size, bool align_corners);
/* Same, given scale factors (output = floor(in * scale); source index uses 1/scale like PyTorch). */
ovTensor *ov_interpolate_scale(ovTensor *x, ovInterpMode mode, int n, const double *scale, bool align_corners);
/* F.grid_sample, bilinear, zero padding: x [N,C,H,W], grid [N,Ho,Wo,2] in [-1,1] (x, y). */
ovTensor *ov_grid_sample(ovTensor *x, ovTensor *grid, bool align_corners);
/* torchvision.ops.roi_align: boxes [K,5] = (batch index, x1, y1, x2, y2); gradient to x only. */
ovTensor *ov_roi_align(ovTensor *x, ovTensor *boxes, int64_t out_h, int64_t out_w, double spatial_scale,
                       int64_t sampling_ratio, bool aligned);

/* ---------------- attention and dropout (autograd/ops/attention.c, dropout.c) ---------------- */
/* softmax(q k^T * scale + mask) v over [..., L, E] x [..., S, E] x [..., S, Ev]. mask: optional
 * additive float mask or bool mask (true = may attend), broadcast to [..., L, S]; is_causal masks
 * j > i; scale <= 0 means 1/sqrt(E). When weights != NULL it receives the attention weights. */
ovTensor *ov_sdpa(ovTensor *q, ovTensor *k, ovTensor *v, ovTensor *mask, bool is_causal, double scale,
                  ovTensor **weights);
/* Inverted dropout: zero with probability p and scale by 1/(1-p) when train; the mask comes from
 * Philox(seed) so backward and the CUDA backend regenerate it exactly. */
ovTensor *ov_dropout(ovTensor *x, double p, bool train, uint64_t seed);

#endif
