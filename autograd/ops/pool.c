/* pool.c: op-table entries of the pool family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_pool[] = {NULL};
