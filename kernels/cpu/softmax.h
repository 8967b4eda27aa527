/* softmax.h: softmax and log_softmax of x + mask along the last dim of the views (torch.softmax,
 * torch.log_softmax; the additive mask holds -inf where a position is not allowed, and a row with
 * nothing allowed gives NaN like PyTorch), and their backward passes:
 *     softmax:      gx = y * (g - sum(g * y))
 *     log_softmax:  gx = g - exp(y) * sum(g)
 * All views have one shape (mask may be NULL or broadcast with stride 0); y may be x itself.
 * Rows are walked with rowwise.h, so dim-1 (channels-first) and last-dim softmax share the kernels;
 * attention (attention.h) uses them for its scaled, masked softmax. */
#ifndef OV_KSOFTMAX_H
#define OV_KSOFTMAX_H

#include <stdbool.h>

#include "kernels/kview.h"

void ov_ksoftmax_ref(const ovKView *y, const ovKView *x, const ovKView *mask, bool log);
void ov_ksoftmax_fast(const ovKView *y, const ovKView *x, const ovKView *mask, bool log);

void ov_ksoftmax_backward_ref(const ovKView *gx, const ovKView *g, const ovKView *y, bool log);
void ov_ksoftmax_backward_fast(const ovKView *gx, const ovKView *g, const ovKView *y, bool log);

#endif
