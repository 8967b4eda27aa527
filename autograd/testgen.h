/* testgen.h: inputs for the op table's test cases. Every op's make_case builds its inputs with
 * these, so that each op is tested on contiguous tensors, transposed and strided views, broadcast
 * shapes and sizes that are not multiples of any block size, with values kept where the op is
 * smooth (finite differences need that). */
#ifndef OV_TESTGEN_H
#define OV_TESTGEN_H

#include "tensor/create.h"

typedef enum {
    OV_TG_NORMAL,   /* N(0,1) */
    OV_TG_POSITIVE, /* in [0.5, 2.5) */
    OV_TG_AWAY0,    /* |x| in [0.2, 2), random sign: away from kinks at 0 */
    OV_TG_UNIT,     /* in (-0.9, 0.9) */
    OV_TG_DISTINCT, /* a random permutation of well-separated values (spacing 0.1): no ties, so
                       max/sort/pool choices do not flip under finite-difference steps */
} ovTgDomain;

typedef enum {
    OV_TG_CONTIG,     /* plain contiguous */
    OV_TG_TRANSPOSED, /* last two dims stored swapped (a transposed view); contiguous if ndim < 2 */
    OV_TG_STRIDED,    /* every other element of a wider tensor along the last dim */
    OV_TG_LAYOUTS
} ovTgLayout;

/* A fresh f32 tensor of the given logical shape, values from `dom`, memory from `layout`. */
ovTensor *ov_tg_tensor(int ndim, const int64_t *shape, ovTgDomain dom, ovTgLayout layout, uint64_t seed);
/* i64 indices uniform in [0, high). */
ovTensor *ov_tg_index(int ndim, const int64_t *shape, int64_t high, uint64_t seed);
/* bool mask with P(true) = 0.5. */
ovTensor *ov_tg_mask(int ndim, const int64_t *shape, uint64_t seed);
/* Case k's layout: cycles through the layouts so that every op sees all of them. */
static inline ovTgLayout ov_tg_layout(int k) { return (ovTgLayout)(k % OV_TG_LAYOUTS); }

#define OV_TG_SHAPE(...) OV_SHAPE(__VA_ARGS__)

#endif
