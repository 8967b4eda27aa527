/* init.c: parameter initialisers (see init.h). */
#include "nn/init.h"

#include <math.h>

#include "kernels/philox.h"
#include "tensor/error.h"

void ov_fans(const ovTensor *t, int64_t *fan_in, int64_t *fan_out) {
    char d[160];
    if (t->ndim < 2) ov_panic("fan in/out need at least 2 dims, got %s", ov_describe(t, d, sizeof d));
    int64_t rf = 1;
    for (int i = 2; i < t->ndim; i++) rf *= t->shape[i];
    *fan_in = t->shape[1] * rf;
    *fan_out = t->shape[0] * rf;
}

/* Copies a freshly drawn host tensor into t (any device), outside autograd. */
static void assign(ovTensor *t, ovTensor *v) {
    ov_copy_(t, v);
}

void ov_init_uniform(ovTensor *t, double lo, double hi, ovGenerator *g) {
    ov_scope_begin();
    ovDevice prev = ov_set_default_device(OV_DEV_CPU);
    assign(t, ov_rand(t->ndim, t->shape, lo, hi, g));
    ov_set_default_device(prev);
    ov_scope_end();
}

void ov_init_normal(ovTensor *t, double mean, double std, ovGenerator *g) {
    ov_scope_begin();
    ovDevice prev = ov_set_default_device(OV_DEV_CPU);
    assign(t, ov_randn(t->ndim, t->shape, mean, std, g));
    ov_set_default_device(prev);
    ov_scope_end();
}

/* Inverse of the standard normal CDF through erfinv (Giles' single-precision approximation,
 * refined by two Newton steps on erf in double). */
static double erfinv(double y) {
    double w = -log((1.0 - y) * (1.0 + y)), x;
    if (w < 5.0) {
        w -= 2.5;
        x = 2.81022636e-08;
        x = 3.43273939e-07 + x * w;
        x = -3.5233877e-06 + x * w;
        x = -4.39150654e-06 + x * w;
        x = 0.00021858087 + x * w;
        x = -0.00125372503 + x * w;
        x = -0.00417768164 + x * w;
        x = 0.246640727 + x * w;
        x = 1.50140941 + x * w;
    } else {
        w = sqrt(w) - 3.0;
        x = -0.000200214257;
        x = 0.000100950558 + x * w;
        x = 0.00134934322 + x * w;
        x = -0.00367342844 + x * w;
        x = 0.00573950773 + x * w;
        x = -0.0076224613 + x * w;
        x = 0.00943887047 + x * w;
        x = 1.00167406 + x * w;
        x = 2.83297682 + x * w;
    }
    x *= y;
    for (int i = 0; i < 2; i++) x -= (erf(x) - y) / (2.0 / sqrt(M_PI) * exp(-x * x));
    return x;
}

void ov_init_trunc_normal(ovTensor *t, double mean, double std, double a, double b, ovGenerator *g) {
    /* like torch: uniform in [cdf(a), cdf(b)] mapped back through the inverse CDF */
    double l = 0.5 * (1 + erf((a - mean) / std / sqrt(2.0))), u = 0.5 * (1 + erf((b - mean) / std / sqrt(2.0)));
    ov_scope_begin();
    ovDevice prev = ov_set_default_device(OV_DEV_CPU);
    ovTensor *v = ov_rand(t->ndim, t->shape, 2 * l - 1, 2 * u - 1, g);
    float *p = ov_f32(v);
    int64_t n = ov_numel(v);
    for (int64_t i = 0; i < n; i++) {
        double x = mean + std * sqrt(2.0) * erfinv(p[i]);
        p[i] = (float)(x < a ? a : x > b ? b : x);
    }
    assign(t, v);
    ov_set_default_device(prev);
    ov_scope_end();
}

void ov_init_constant(ovTensor *t, double v) { ov_fill_(t, v); }

void ov_init_xavier_uniform(ovTensor *t, double gain, ovGenerator *g) {
    int64_t fi, fo;
    ov_fans(t, &fi, &fo);
    double a = gain * sqrt(6.0 / (double)(fi + fo));
    ov_init_uniform(t, -a, a, g);
}

void ov_init_kaiming_uniform(ovTensor *t, double a, ovGenerator *g) {
    int64_t fi, fo;
    ov_fans(t, &fi, &fo);
    double gain = sqrt(2.0 / (1.0 + a * a)), bound = gain * sqrt(3.0 / (double)fi);
    ov_init_uniform(t, -bound, bound, g);
}

void ov_init_torch_default(ovTensor *weight, ovTensor *bias, ovGenerator *g) {
    ov_init_kaiming_uniform(weight, sqrt(5.0), g);
    if (bias) {
        int64_t fi, fo;
        ov_fans(weight, &fi, &fo);
        double bound = fi > 0 ? 1.0 / sqrt((double)fi) : 0.0;
        ov_init_uniform(bias, -bound, bound, g);
    }
}
