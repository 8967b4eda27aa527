/* resample.c: op-table entries of the resample family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_resample[] = {NULL};
