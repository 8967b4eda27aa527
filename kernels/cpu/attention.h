/* attention.h: scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention,
 * the math path), over views with identical batch dims:
 *     q [..., L, E], k [..., S, E], v [..., S, Ev]  ->  out [..., L, Ev], p [..., L, S]
 *     P = softmax(scale * Q K^T + mask), j > i also masked when causal;  out = P V
 * The backward, from dout (gradient of out) and dp (gradient reaching P), either may be NULL:
 *     dV = P^T dO;  dP = dO V^T + dp;  dS = P * (dP - rowsum(dP * P));
 *     dQ = scale dS K;  dK = scale dS^T Q
 * q, k, v, out, p, dout, dp and the gradients are contiguous; mask is an additive f32 view with
 * p's shape (broadcast with stride 0) or NULL. The products are batched GEMMs (gemm.h) and the
 * softmax is softmax.h's row kernel, run in place on the scores. */
#ifndef OV_KATTENTION_H
#define OV_KATTENTION_H

#include <stdbool.h>

#include "kernels/kview.h"

void ov_ksdpa_ref(const ovKView *out, const ovKView *p, const ovKView *q, const ovKView *k, const ovKView *v,
                  const ovKView *mask, bool causal, float scale);
void ov_ksdpa_fast(const ovKView *out, const ovKView *p, const ovKView *q, const ovKView *k, const ovKView *v,
                   const ovKView *mask, bool causal, float scale);

void ov_ksdpa_backward_ref(const ovKView *dq, const ovKView *dk, const ovKView *dv, const ovKView *dout,
                           const ovKView *dp, const ovKView *q, const ovKView *k, const ovKView *v, const ovKView *p,
                           float scale);
void ov_ksdpa_backward_fast(const ovKView *dq, const ovKView *dk, const ovKView *dv, const ovKView *dout,
                            const ovKView *dp, const ovKView *q, const ovKView *k, const ovKView *v, const ovKView *p,
                            float scale);

#endif
