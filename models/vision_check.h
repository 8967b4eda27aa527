/* vision_check.h: comparing named intermediates with a reference dump (PyTorch's, or an earlier
 * ovad run): the parity tests of the encoders and `ovad encode --compare` use it. The error of a
 * tensor is max |got - want| / (|want| + rms(want)): relative to each element, with the tensor's
 * scale as a floor for elements near zero. */
#ifndef OV_MODELS_VISION_CHECK_H
#define OV_MODELS_VISION_CHECK_H

#include <stdio.h>

#include "tensor/dict.h"

/* The error of got against want (any devices and layouts; f32 compared as floats, integers and
 * bools exactly), -1 when their shapes differ; *where gets the worst element's flat index. */
double ov_tensor_rel_error(const ovTensor *got, const ovTensor *want, int64_t *where);

/* Compares every tensor of `want` that `got` also has. Prints one line per tensor to `report`
 * (when not NULL): name, shape, error, and the worst element when it is over tol. Returns the
 * number over tol or mis-shaped; *compared (may be NULL) gets how many were compared. */
int ov_compare_dicts(const ovTensorDict *got, const ovTensorDict *want, double tol, FILE *report, int *compared);

#endif
