/* vmath.h: branch-free float math that compilers vectorise (unlike libm calls), for the fast CPU
 * kernels. Accuracy is within a few ulp of libm; the reference kernels use libm.
 * expf: Cephes' range reduction (Cody-Waite) and degree-6 polynomial; tanhf: Cephes' odd
 * polynomial below 0.625 and 1 - 2/(e^{2x}+1) above. */
#ifndef OV_VMATH_H
#define OV_VMATH_H

#include <stdint.h>
#include <string.h>

static inline float ov_pow2i(int32_t n) { /* 2^n for -126 <= n <= 127 */
    uint32_t u = (uint32_t)(n + 127) << 23;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline float ov_fast_expf(float x) {
    float xc = x < -103.0f ? -103.0f : (x > 88.8f ? 88.8f : x);
    float n = __builtin_floorf(xc * 1.44269504088896341f + 0.5f);
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t ni = (int32_t)n;
    int32_t n1 = ni / 2; /* two steps so that 2^n stays representable for subnormal results */
    float y = p * ov_pow2i(n1) * ov_pow2i(ni - n1);
    y = x > 88.72283935546875f ? __builtin_inff() : y;
    y = x < -103.972077083991796f ? 0.0f : y;
    return x != x ? x : y;
}

static inline float ov_fast_sigmoidf(float x) { return 1.0f / (1.0f + ov_fast_expf(-x)); }

static inline float ov_fast_tanhf(float x) {
    float ax = x < 0 ? -x : x;
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                    1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float big = 1.0f - 2.0f / (ov_fast_expf(2.0f * ax) + 1.0f);
    big = x < 0 ? -big : big;
    return ax < 0.625f ? small : big;
}

#endif
