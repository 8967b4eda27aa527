/* index.c: op-table entries of the index family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_index[] = {NULL};
