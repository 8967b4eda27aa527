/* families.h: the op families that make up the op table (one file each in autograd/ops/). */
#ifndef OV_OP_FAMILIES_H
#define OV_OP_FAMILIES_H

#include "autograd/op.h"

#define OV_FAMILIES        \
    OV_FAMILY(elementwise) \
    OV_FAMILY(shape)       \
    OV_FAMILY(reduce)      \
    OV_FAMILY(norm)        \
    OV_FAMILY(matmul)      \
    OV_FAMILY(index)       \
    OV_FAMILY(conv)        \
    OV_FAMILY(pool)        \
    OV_FAMILY(resample)    \
    OV_FAMILY(attention)   \
    OV_FAMILY(dropout)

#define OV_FAMILY(name) extern ovOpDef *const ov_ops_##name[];
OV_FAMILIES
#undef OV_FAMILY

#endif
