/* util.h: helpers shared by the op families: broadcasting, output allocation, attribute access,
 * kernel views, and reducing a broadcast gradient back to an input's shape. */
#ifndef OV_OPS_UTIL_H
#define OV_OPS_UTIL_H

#include "autograd/op.h"
#include "kernels/kview.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/kview_of.h"

/* Broadcast shape of the non-NULL tensors of c->in selected by `mask` (bit i = input i);
 * panics naming the op and shapes if they do not broadcast. */
int ov_broadcast_inputs(const ovOpCall *c, unsigned mask, int64_t *shape);
/* Kernel view of t broadcast to (ndim, shape): missing and size-1 dims get stride 0. */
ovKView ov_kview_bcast(const ovTensor *t, int ndim, const int64_t *shape);
/* Sums g over the dims that were broadcast to turn `like`'s shape into g's shape. */
ovTensor *ov_sum_to(ovTensor *g, const ovTensor *like);

/* Runs the kernel family `name` for the call's implementation: name_ref, name_fast (CPU) or
 * name_cuda (the device twin in kernels/cuda/, same arguments). */
#define OV_KERNEL(c, name, ...)                                \
    do {                                                       \
        switch ((c)->impl) {                                   \
        case OV_IMPL_REF: name##_ref(__VA_ARGS__); break;      \
        case OV_IMPL_FAST: name##_fast(__VA_ARGS__); break;    \
        default: name##_cuda(__VA_ARGS__); break;              \
        }                                                      \
    } while (0)

/* Attribute shorthands. */
static inline int64_t ov_attr_i(const ovOpCall *c, int k) { return c->attr[k].i; }
static inline double ov_attr_f(const ovOpCall *c, int k) { return c->attr[k].f; }
static inline bool ov_attr_set(const ovOpCall *c, int k) { return c->attr[k].set; }

/* Normalises a list-of-dims attribute (negative dims wrapped, duplicates rejected) into a bitmask;
 * an empty list means all dims. */
unsigned ov_dims_mask(const ovOpCall *c, int attr, int ndim);

#endif
