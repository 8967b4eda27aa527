/* reduce_plan.h: how the reduction kernels see x (internal to kernels/cpu/reduce*.c). The dims of
 * x are split into the kept ones (one output each) and the reduced ones; size-1 dims are dropped
 * and, for the fast kernels, neighbouring dims that are contiguous with each other are merged, so
 * that most reductions become one strided loop. Positions inside the reduced dims stay in
 * row-major order, which is what max/min report as the index. */
#ifndef OV_KREDUCE_PLAN_H
#define OV_KREDUCE_PLAN_H

#include <stdbool.h>

#include "kernels/kview.h"

typedef struct {
    ovKView xk, ok, ik; /* kept dims of x, out, idx (one shape; a NULL output gets strides 0) */
    ovKView red;        /* reduced dims of x */
    int64_t m, n;       /* outputs, and elements reduced into each */
} ovRedPlan;

/* out or idx may be NULL (not both); merge = collapse contiguous neighbouring dims. */
void ov_red_plan(ovRedPlan *p, const ovKView *out, const ovKView *idx, const ovKView *x, bool merge);

#endif
