/* optim_math.h: one parameter's update for SGD and AdamW, written once for the CPU kernels
 * (kernels/cpu/optim.c) and the CUDA kernels (kernels/cuda/optim.cu). The operations and their
 * order follow torch.optim's single-tensor implementations (SGD: weight decay added to the
 * gradient, momentum buffer started as the first gradient, optional dampening and Nesterov;
 * AdamW: decoupled decay p *= 1 - lr*wd, moments as mul+add, denom = sqrt(v)/sqrt(bc2) + eps,
 * p -= lr/bc1 * m/denom), so a run follows torch's trajectory. */
#ifndef OV_OPTIM_MATH_H
#define OV_OPTIM_MATH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels/half.h" /* OV_HD */

typedef struct {
    float lr, momentum, dampening, weight_decay;
    bool nesterov;
    bool first; /* the momentum buffer is empty: it starts as this step's gradient */
} ovSgdHyper;

typedef struct {
    float lr, beta1, beta2, eps, weight_decay;
    float bias1, bias2_sqrt; /* 1 - beta1^step and sqrt(1 - beta2^step), computed once per step */
} ovAdamwHyper;

/* Updates p (and the momentum buffer *buf) in place for gradient g. */
OV_HD void ov_sgd_update(const ovSgdHyper *h, float *p, float g, float *buf) {
    float d = g;
    if (h->weight_decay != 0.0f) d = d + h->weight_decay * *p;
    if (h->momentum != 0.0f) {
        float b = h->first ? d : h->momentum * *buf + (1.0f - h->dampening) * d;
        *buf = b;
        d = h->nesterov ? d + h->momentum * b : b;
    }
    *p = *p - h->lr * d;
}

OV_HD void ov_adamw_update(const ovAdamwHyper *h, float *p, float g, float *m, float *v) {
    *p = *p * (1.0f - h->lr * h->weight_decay);
    *m = *m * h->beta1 + (1.0f - h->beta1) * g;
    *v = *v * h->beta2 + (1.0f - h->beta2) * g * g;
    float denom = sqrtf(*v) / h->bias2_sqrt + h->eps;
    *p = *p + (-(h->lr / h->bias1)) * (*m / denom);
}

#endif
