/* half.h: bfloat16 and IEEE binary16 <-> float32 conversions, round-to-nearest-even.
 * Bit-level so that the CPU backend, the CUDA kernels and their CPU emulation convert identically
 * (PyTorch's c10/util/BFloat16.h and Half.h round the same way). NaN stays NaN (quiet). */
#ifndef OV_HALF_H
#define OV_HALF_H

#include <stdint.h>
#include <string.h>

#if defined(__CUDACC__)
#define OV_HD __host__ __device__ __forceinline__
#else
#define OV_HD static inline
#endif

OV_HD uint32_t ov_f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

OV_HD float ov_bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

OV_HD float ov_bf16_to_f32(uint16_t h) { return ov_bits_f32((uint32_t)h << 16); }

OV_HD uint16_t ov_f32_to_bf16(float f) {
    uint32_t u = ov_f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    uint32_t rounding_bias = 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)((u + rounding_bias) >> 16);
}

OV_HD float ov_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1f) return ov_bits_f32(sign | 0x7f800000u | (mant << 13)); /* inf / nan */
    if (exp == 0) {
        if (mant == 0) return ov_bits_f32(sign);
        /* subnormal: value = mant * 2^-24 */
        float v = (float)mant * 5.9604644775390625e-8f;
        return sign ? -v : v;
    }
    return ov_bits_f32(sign | ((exp + 112u) << 23) | (mant << 13));
}

OV_HD uint16_t ov_f32_to_f16(float f) {
    uint32_t u = ov_f32_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u);   /* NaN */
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);  /* rounds to inf (>= 65520) */
    if (a < 0x38800000u) {                                    /* below 2^-14: subnormal or zero */
        if (a < 0x33000000u) return sign;                     /* below half the smallest subnormal */
        uint32_t exp = a >> 23;
        uint32_t mant = (a & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - exp; /* 14..24: number of bits dropped below the f16 subnormal lsb */
        uint32_t q = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1u);
        if (rem > half || (rem == half && (q & 1u))) q++;
        return (uint16_t)(sign | q);
    }
    /* normal: rebias exponent (127 -> 15) and round the 13 dropped mantissa bits to nearest even */
    uint32_t r = a - 0x38000000u;
    r += 0xfffu + ((r >> 13) & 1u);
    return (uint16_t)(sign | (r >> 13));
}

#endif
