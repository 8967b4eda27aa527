/* init.h: parameter initialisers with torch.nn.init's rules (fan computation of
 * _calculate_fan_in_and_fan_out, the gains of calculate_gain), drawing from a module's seeded
 * generator (module.h) so that a model's initial weights depend only on its seed. They write in
 * place without recording autograd. Values differ from PyTorch's (different random generator);
 * the distributions are the same. */
#ifndef OV_INIT_H
#define OV_INIT_H

#include "tensor/create.h"

/* fan_in = size(1) * receptive field, fan_out = size(0) * receptive field (dims >= 2). */
void ov_fans(const ovTensor *t, int64_t *fan_in, int64_t *fan_out);

void ov_init_uniform(ovTensor *t, double lo, double hi, ovGenerator *g);
void ov_init_normal(ovTensor *t, double mean, double std, ovGenerator *g);
/* Normal(mean, std) restricted to [a, b] (inverse-CDF sampling, like torch's trunc_normal_). */
void ov_init_trunc_normal(ovTensor *t, double mean, double std, double a, double b, ovGenerator *g);
void ov_init_constant(ovTensor *t, double v);
/* U(-gain*sqrt(6/(fan_in+fan_out)), +...) */
void ov_init_xavier_uniform(ovTensor *t, double gain, ovGenerator *g);
/* U(-bound, bound), bound = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)) (leaky_relu);
 * with a = sqrt(5) this is nn.Linear's and nn.ConvNd's default weight init. */
void ov_init_kaiming_uniform(ovTensor *t, double a, ovGenerator *g);
/* nn.Linear / nn.ConvNd default: weight kaiming_uniform(a = sqrt(5)), bias U(+-1/sqrt(fan_in)). */
void ov_init_torch_default(ovTensor *weight, ovTensor *bias, ovGenerator *g);

#endif
