/* attention.c: op-table entries of the attention family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_attention[] = {NULL};
