/* reduce_plan.h: how the reduction kernels (kernels/cpu/reduce*.c, kernels/cuda/reduce.cu) see x. The dims of
 * x are split into the kept ones (one output each) and the reduced ones; size-1 dims are dropped
 * and, for the fast kernels, neighbouring dims that are contiguous with each other are merged, so
 * that most reductions become one strided loop. Positions inside the reduced dims stay in
 * row-major order, which is what max/min report as the index. */
#ifndef OV_KREDUCE_PLAN_H
#define OV_KREDUCE_PLAN_H

#include <stdbool.h>

#include "kernels/cpu/reduce.h"
#include "kernels/kview.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    ovKView xk, ok, ik; /* kept dims of x, out, idx (one shape; a NULL output gets strides 0) */
    ovKView red;        /* reduced dims of x */
    int64_t m, n;       /* outputs, and elements reduced into each */
} ovRedPlan;

/* out or idx may be NULL (not both); merge = collapse contiguous neighbouring dims. */
void ov_red_plan(ovRedPlan *p, const ovKView *out, const ovKView *idx, const ovKView *x, bool merge);

/* Whether v replaces best in a MAX (or MIN) reduction: NaN wins, then the larger (smaller) value;
 * ties keep the earlier one. */
OV_HD bool ov_red_beats(ovRedKind kind, double v, double best) {
    if (best != best) return false;
    if (v != v) return true;
    return kind == OV_RED_MAX ? v > best : v < best;
}

#ifdef __cplusplus
}
#endif

#endif
