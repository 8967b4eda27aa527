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

/* Written so that gcc vectorises it at plain -O3 (SSE2, trapping math): no floorf (a libm call
 * without SSE4.1), no float-to-int conversion, and no select that guards arithmetic or leads to
 * arithmetic that overflows or underflows on constants (gcc threads the clamp's constant arms
 * through the polynomial and will not if-convert a branch that may raise an FP exception).
 * Results below FLT_MIN (x < -87.34) are flushed to 0; x > 88.72 gives inf; NaN propagates. */
static inline float ov_fast_expf(float x) {
    /* xc = clamp(x, -87.3, 88.72) by bit masks (NaN passes) */
    float lo = -87.3f, hi = 88.72f, xc;
    uint32_t xb, lb, hb;
    memcpy(&xb, &x, 4);
    memcpy(&lb, &lo, 4);
    memcpy(&hb, &hi, 4);
    uint32_t below = -(uint32_t)(x < lo), above = -(uint32_t)(x > hi);
    xb = (xb & ~(below | above)) | (lb & below) | (hb & above);
    memcpy(&xc, &xb, 4);
    /* t = 1.5 * 2^23 + n with n = round(xc / ln 2): n sits in t's low mantissa bits, offset by 2^22 */
    float t = xc * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f;
    uint32_t tb;
    memcpy(&tb, &t, 4);
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t ni = (int32_t)(tb & 0x7fffff) - 0x400000;
    int32_t n1 = ni / 2; /* two steps: 2^128 is not a float, p * 2^64 * 2^64 may still be one */
    /* 1, or inf / 0 past the range, again by masks */
    float one = 1.0f, inf = __builtin_inff(), range;
    uint32_t ob, ib;
    memcpy(&ob, &one, 4);
    memcpy(&ib, &inf, 4);
    uint32_t over = -(uint32_t)(x > 88.7228394f), under = -(uint32_t)(x < -87.3365479f);
    ob = (ob & ~(over | under)) | (ib & over);
    memcpy(&range, &ob, 4);
    return p * ov_pow2i(n1) * ov_pow2i(ni - n1) * range;
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
