/* elementwise_math.h: the scalar formula of every elementwise function and of its derivative,
 * written once for the CPU reference, the fast CPU loops (which specialise them) and the CUDA
 * kernels. Formulas follow PyTorch's (aten/src/ATen/native, tools/autograd/derivatives.yaml). */
#ifndef OV_ELEMENTWISE_MATH_H
#define OV_ELEMENTWISE_MATH_H

#include <math.h>

#include "kernels/half.h" /* OV_HD */

typedef enum {
    OV_U_NEG,
    OV_U_ABS,
    OV_U_EXP,
    OV_U_LOG,
    OV_U_SQRT,
    OV_U_RSQRT,
    OV_U_SIGMOID,
    OV_U_TANH,
    OV_U_RELU,
    OV_U_GELU,      /* x * Phi(x), erf form */
    OV_U_GELU_TANH, /* tanh approximation */
    OV_U_QUICK_GELU,/* x * sigmoid(1.702 x) (CLIP) */
    OV_U_SILU,
    OV_U_SOFTPLUS,  /* p1 = beta, p2 = threshold */
    OV_U_SIN,
    OV_U_COS,
    OV_U_POW_SCALAR,/* p1 = exponent */
    OV_U_CLAMP,     /* p1 = min, p2 = max (+-inf when absent) */
    OV_U_ADD_SCALAR,/* p1 */
    OV_U_MUL_SCALAR,/* p1 */
    OV_U_FLOOR,
    OV_U_ROUND,     /* half to even, like torch.round */
    OV_U_COUNT
} ovUnaryFn;

typedef enum {
    OV_B_ADD,
    OV_B_SUB,
    OV_B_MUL,
    OV_B_DIV,
    OV_B_POW,
    OV_B_MINIMUM,
    OV_B_MAXIMUM,
    OV_B_COUNT
} ovBinaryFn;

typedef enum { OV_C_EQ, OV_C_NE, OV_C_LT, OV_C_LE, OV_C_GT, OV_C_GE, OV_C_AND, OV_C_OR, OV_C_XOR, OV_C_COUNT } ovCompareFn;

#define OV_SQRT_2_OVER_PI 0.7978845608028654f
#define OV_INV_SQRT_2 0.7071067811865476f
#define OV_INV_SQRT_2PI 0.3989422804014327f

OV_HD float ov_sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

OV_HD float ov_unary(ovUnaryFn f, float x, float p1, float p2) {
    switch (f) {
    case OV_U_NEG: return -x;
    case OV_U_ABS: return fabsf(x);
    case OV_U_EXP: return expf(x);
    case OV_U_LOG: return logf(x);
    case OV_U_SQRT: return sqrtf(x);
    case OV_U_RSQRT: return 1.0f / sqrtf(x);
    case OV_U_SIGMOID: return ov_sigmoidf(x);
    case OV_U_TANH: return tanhf(x);
    case OV_U_RELU: return x < 0 ? 0.0f : x; /* relu(nan) = nan, as in torch */
    case OV_U_GELU: return 0.5f * x * (1.0f + erff(x * OV_INV_SQRT_2));
    case OV_U_GELU_TANH: return 0.5f * x * (1.0f + tanhf(OV_SQRT_2_OVER_PI * (x + 0.044715f * x * x * x)));
    case OV_U_QUICK_GELU: return x * ov_sigmoidf(1.702f * x);
    case OV_U_SILU: return x * ov_sigmoidf(x);
    case OV_U_SOFTPLUS: return x * p1 > p2 ? x : log1pf(expf(x * p1)) / p1;
    case OV_U_SIN: return sinf(x);
    case OV_U_COS: return cosf(x);
    case OV_U_POW_SCALAR: return powf(x, p1);
    case OV_U_CLAMP: return fminf(fmaxf(x, p1), p2);
    case OV_U_ADD_SCALAR: return x + p1;
    case OV_U_MUL_SCALAR: return x * p1;
    case OV_U_FLOOR: return floorf(x);
    case OV_U_ROUND: return nearbyintf(x);
    default: return NAN;
    }
}

/* d f / d x, given the input x and the output y = f(x). */
OV_HD float ov_unary_deriv(ovUnaryFn f, float x, float y, float p1, float p2) {
    switch (f) {
    case OV_U_NEG: return -1.0f;
    case OV_U_ABS: return x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f;
    case OV_U_EXP: return y;
    case OV_U_LOG: return 1.0f / x;
    case OV_U_SQRT: return 0.5f / y;
    case OV_U_RSQRT: return -0.5f * y * y * y;
    case OV_U_SIGMOID: return y * (1.0f - y);
    case OV_U_TANH: return 1.0f - y * y;
    case OV_U_RELU: return x > 0 ? 1.0f : 0.0f;
    case OV_U_GELU: return 0.5f * (1.0f + erff(x * OV_INV_SQRT_2)) + x * OV_INV_SQRT_2PI * expf(-0.5f * x * x);
    case OV_U_GELU_TANH: {
        float inner = OV_SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
        float t = tanhf(inner);
        float dinner = OV_SQRT_2_OVER_PI * (1.0f + 3.0f * 0.044715f * x * x);
        return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * dinner;
    }
    case OV_U_QUICK_GELU: {
        float s = ov_sigmoidf(1.702f * x);
        return s + 1.702f * x * s * (1.0f - s);
    }
    case OV_U_SILU: {
        float s = ov_sigmoidf(x);
        return s * (1.0f + x * (1.0f - s));
    }
    case OV_U_SOFTPLUS: {
        if (x * p1 > p2) return 1.0f;
        float z = expf(x * p1);
        return z / (z + 1.0f);
    }
    case OV_U_SIN: return cosf(x);
    case OV_U_COS: return -sinf(x);
    case OV_U_POW_SCALAR: return p1 == 0.0f ? 0.0f : p1 * powf(x, p1 - 1.0f);
    case OV_U_CLAMP: return (x >= p1 && x <= p2) ? 1.0f : 0.0f;
    case OV_U_ADD_SCALAR: return 1.0f;
    case OV_U_MUL_SCALAR: return p1;
    default: return 0.0f; /* floor, round: zero almost everywhere (not differentiable ops) */
    }
}

OV_HD float ov_binary(ovBinaryFn f, float a, float b) {
    switch (f) {
    case OV_B_ADD: return a + b;
    case OV_B_SUB: return a - b;
    case OV_B_MUL: return a * b;
    case OV_B_DIV: return a / b;
    case OV_B_POW: return powf(a, b);
    /* torch.minimum/maximum propagate NaN from either side */
    case OV_B_MINIMUM: return (a != a || b != b) ? a + b : (a < b ? a : b);
    case OV_B_MAXIMUM: return (a != a || b != b) ? a + b : (a > b ? a : b);
    default: return NAN;
    }
}

OV_HD int ov_compare(ovCompareFn f, float a, float b) {
    switch (f) {
    case OV_C_EQ: return a == b;
    case OV_C_NE: return a != b;
    case OV_C_LT: return a < b;
    case OV_C_LE: return a <= b;
    case OV_C_GT: return a > b;
    case OV_C_GE: return a >= b;
    case OV_C_AND: return (a != 0) && (b != 0);
    case OV_C_OR: return (a != 0) || (b != 0);
    case OV_C_XOR: return (a != 0) != (b != 0);
    default: return 0;
    }
}

#endif
