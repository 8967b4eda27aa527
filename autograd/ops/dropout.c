/* dropout.c: op-table entries of the dropout family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_dropout[] = {NULL};
