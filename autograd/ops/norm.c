/* norm.c: op-table entries of the norm family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_norm[] = {NULL};
