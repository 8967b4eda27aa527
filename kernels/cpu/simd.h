/* simd.h: OV_SIMD marks a hot loop function for function multiversioning: gcc/clang compile it for
 * AVX-512 (x86-64-v4), AVX2+FMA (x86-64-v3) and the baseline, and pick the widest the CPU runs at
 * load time (ifunc). The rest of the build stays generic x86-64, so the binary runs anywhere.
 * Put it on the function that contains the loop (clones are not inlined into their callers). */
#ifndef OV_SIMD_H
#define OV_SIMD_H

#if defined(__x86_64__) && !defined(__CUDACC__)
#define OV_SIMD __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define OV_SIMD
#endif

#endif
