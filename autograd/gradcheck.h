/* gradcheck.h: finite-difference gradient checks of op-table calls (ggml's test-backend-ops grad
 * mode, torch.autograd.gradcheck). The loss is sum_k <w_k, out_k> with fixed random weights w; the
 * analytic gradient comes from backward, the numeric one from central differences in double. */
#ifndef OV_GRADCHECK_H
#define OV_GRADCHECK_H

#include <stdbool.h>

#include "autograd/op.h"

typedef struct {
    bool ok;
    int checked;        /* elements compared */
    double max_err;     /* max |analytic - numeric| / max(1, |numeric|) */
    char worst[256];    /* where the worst error was, for the failure message */
} ovGradcheck;

/* Checks every differentiable float input of the call (inputs are cloned to contiguous leaves).
 * At most max_per_input elements per input are perturbed (spread over the tensor). */
ovGradcheck ov_gradcheck(const ovOpCall *call, double eps, double tol, int max_per_input);

#endif
