/* reduce.h: CPU reduction kernels (torch.sum, mean, var, logsumexp, linalg norm, amax/amin,
 * max/min/argmax/argmin). `out` is a view with x's number of dims in which every reduced dim has
 * size 1 (the keepdim shape); the dims where out is 1 and x is not are the reduced ones.
 * _ref accumulates in double, one element at a time; _fast uses float partial sums over
 * contiguous spans and OpenMP over independent outputs (deterministic for a thread count). */
#ifndef OV_KREDUCE_H
#define OV_KREDUCE_H

#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    OV_RED_SUM,  /* sum */
    OV_RED_MEAN, /* sum / n */
    OV_RED_VAR,  /* sum (x - mean)^2 / max(n - param, 0), param = the correction (two passes) */
    OV_RED_NORM, /* sqrt(sum x^2) */
    OV_RED_LSE,  /* m + log(sum exp(x - m)), m = the max (0 when infinite, as torch.logsumexp) */
    OV_RED_MAX,  /* the largest value, NaN winning (torch.amax); idx = its first position */
    OV_RED_MIN,  /* the smallest value, NaN winning; idx = its first position */
} ovRedKind;

/* out (F32) and idx (I64, the keepdim shape too) may each be NULL, not both; idx only for
 * MAX/MIN: the row-major position of the winner inside the reduced dims (first on ties). */
void ov_kreduce_ref(ovRedKind kind, const ovKView *out, const ovKView *idx, const ovKView *x, double param);
void ov_kreduce_fast(ovRedKind kind, const ovKView *out, const ovKView *idx, const ovKView *x, double param);

/* Shorthands for OV_RED_SUM (other families reduce broadcast gradients with them). */
void ov_ksum_ref(const ovKView *out, const ovKView *x);
void ov_ksum_fast(const ovKView *out, const ovKView *x);

#ifdef __cplusplus
}
#endif

#endif
