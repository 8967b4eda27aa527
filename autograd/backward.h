/* backward.h: the reverse-mode engine. */
#ifndef OV_BACKWARD_H
#define OV_BACKWARD_H

#include "tensor/tensor.h"

/* Gradient of a one-element tensor (loss) with respect to every leaf that requires grad;
 * gradients accumulate into leaf->grad. */
void ov_backward(ovTensor *loss);
/* Vector-Jacobian product: seeds each outs[i] with grads[i] (same shape). */
void ov_backward_with(int n, ovTensor **outs, ovTensor **grads);

#endif
