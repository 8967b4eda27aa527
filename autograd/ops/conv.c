/* conv.c: op-table entries of the conv family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_conv[] = {NULL};
