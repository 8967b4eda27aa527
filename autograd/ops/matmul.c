/* matmul.c: op-table entries of the matmul family. (Being written.) */
#include "autograd/ops/families.h"

ovOpDef *const ov_ops_matmul[] = {NULL};
