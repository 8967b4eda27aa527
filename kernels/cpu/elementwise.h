/* elementwise.h: CPU kernels for unary, binary, comparison and select functions over strided f32
 * views. Inputs are already broadcast to the output's shape (stride 0 on broadcast dims).
 * _ref: one element at a time through kv_offset and the libm formulas of elementwise_math.h.
 * _fast: contiguous spans with specialised, vectorisable loops (vmath.h), OpenMP over chunks. */
#ifndef OV_KELEMENTWISE_H
#define OV_KELEMENTWISE_H

#include "kernels/elementwise_math.h"
#include "kernels/kview.h"

void ov_kunary_ref(ovUnaryFn f, const ovKView *out, const ovKView *x, float p1, float p2);
void ov_kunary_fast(ovUnaryFn f, const ovKView *out, const ovKView *x, float p1, float p2);

/* gin = g * f'(x) where y = f(x) (x or y may be unused by f'). */
void ov_kunary_backward_ref(ovUnaryFn f, const ovKView *gin, const ovKView *g, const ovKView *x,
                            const ovKView *y, float p1, float p2);
void ov_kunary_backward_fast(ovUnaryFn f, const ovKView *gin, const ovKView *g, const ovKView *x,
                             const ovKView *y, float p1, float p2);

void ov_kbinary_ref(ovBinaryFn f, const ovKView *out, const ovKView *a, const ovKView *b);
void ov_kbinary_fast(ovBinaryFn f, const ovKView *out, const ovKView *a, const ovKView *b);

/* out (BOOL) = a <op> b; a and b are F32 or BOOL (both the same). */
void ov_kcompare_ref(ovCompareFn f, const ovKView *out, const ovKView *a, const ovKView *b);
void ov_kcompare_fast(ovCompareFn f, const ovKView *out, const ovKView *a, const ovKView *b);

/* out = cond ? a : b (cond BOOL, a/b F32). */
void ov_kwhere_ref(const ovKView *out, const ovKView *cond, const ovKView *a, const ovKView *b);
void ov_kwhere_fast(const ovKView *out, const ovKView *cond, const ovKView *a, const ovKView *b);

#endif
