/* tensor.h: the Tensor (a strided view of a reference-counted Storage) and its metadata.
 * Semantics follow PyTorch: row-major dimension order, strides in elements, views share storage,
 * a 0-dim tensor is a scalar. Tensors are owned by scopes (scope.h), never freed one by one. */
#ifndef OV_TENSOR_H
#define OV_TENSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tensor/dtype.h"
#include "tensor/scope.h"

#define OV_MAX_DIMS 8
#define OV_NAME_MAX 64

typedef enum { OV_DEV_CPU = 0, OV_DEV_CUDA = 1 } ovDevice;

typedef struct ovStorage {
    void *data;
    size_t nbytes;
    _Atomic int refs;
    ovDevice device;
    uint64_t version; /* bumped by every in-place write; autograd checks saved tensors with it */
    /* Frees data; NULL means data came from ov_host_alloc. ctx is for external owners (mmap). */
    void (*release)(struct ovStorage *s);
    void *ctx;
} ovStorage;

struct ovNode;
struct ovTensor;

/* A gradient hook sees the gradient computed for its tensor and returns the gradient to use in its
 * place (return `grad` unchanged to only read it). */
typedef struct ovTensor *(*ovGradHook)(struct ovTensor *t, struct ovTensor *grad, void *ctx);

typedef struct ovTensor {
    ovObj obj; /* scope membership; must be first */
    ovStorage *storage;
    int64_t offset; /* in elements */
    int ndim;
    int64_t shape[OV_MAX_DIMS];
    int64_t stride[OV_MAX_DIMS]; /* in elements */
    ovDType dtype;
    uint64_t id;
    char name[OV_NAME_MAX];
    /* autograd */
    bool requires_grad; /* leaf flag set by the user, or propagated to op outputs */
    bool retain_grad;   /* keep .grad on a non-leaf */
    struct ovTensor *grad;
    struct ovNode *grad_fn; /* NULL for leaves */
    int out_index;          /* which output of grad_fn this is */
    ovGradHook hook;
    void *hook_ctx;
} ovTensor;

/* ---- metadata ---- */
int64_t ov_numel(const ovTensor *t);
int64_t ov_numel_shape(int ndim, const int64_t *shape);
bool ov_is_contiguous(const ovTensor *t);
ovDevice ov_device(const ovTensor *t);
size_t ov_nbytes(const ovTensor *t); /* numel * element size */
/* Normalises a possibly negative dim against ndim; panics naming `what` when out of range. */
int ov_wrap_dim(int dim, int ndim, const char *what);
bool ov_same_shape(const ovTensor *a, const ovTensor *b);

/* Writes "name [2,3,4] f32" (or "#17 [2,3,4] f32" when unnamed) into buf; returns buf. */
const char *ov_describe(const ovTensor *t, char *buf, size_t n);
/* Writes "[2,3,4]". */
const char *ov_shape_str(int ndim, const int64_t *shape, char *buf, size_t n);

/* Sets the name (printf format) and returns t, so `ov_named(ov_add(a,b), "h%d", i)` reads well. */
ovTensor *ov_named(ovTensor *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Raw pointer to element 0 of the view (storage data + offset). */
void *ov_data_ptr(const ovTensor *t); /* a device pointer for CUDA tensors */
float *ov_f32(const ovTensor *t); /* same, panics unless dtype is F32 and device is CPU */

/* ---- construction (no autograd; see autograd/ops.h for differentiable ops) ---- */
/* Uninitialised contiguous tensor in the current scope, on the default device (the CPU, or the
 * device of the op being run: ov_apply and backward set it, so tensors an op makes land next to
 * its inputs). */
ovTensor *ov_empty(int ndim, const int64_t *shape, ovDType dtype);
ovTensor *ov_empty_on(ovDevice dev, int ndim, const int64_t *shape, ovDType dtype);
ovDevice ov_default_device(void);
/* Sets the default device and returns the previous one. */
ovDevice ov_set_default_device(ovDevice dev);
const char *ov_device_name(ovDevice dev);
ovTensor *ov_empty_like(const ovTensor *t);
/* A new tensor struct viewing t's storage with the given geometry (shares storage, refs++). */
ovTensor *ov_view_of(const ovTensor *t, int ndim, const int64_t *shape, const int64_t *stride,
                     int64_t offset);
/* Wraps an existing storage (refs++). */
ovTensor *ov_from_storage(ovStorage *s, ovDType dtype, int ndim, const int64_t *shape,
                          int64_t offset);

ovStorage *ov_storage_new(size_t nbytes, ovDevice dev);
void ov_storage_retain(ovStorage *s);
void ov_storage_release(ovStorage *s);
/* Marks t's storage as written in place (autograd version check). */
void ov_bump_version(ovTensor *t);

/* Element access for tests and small host code (converts any dtype to/from double). */
double ov_get(const ovTensor *t, const int64_t *idx);
double ov_get_flat(const ovTensor *t, int64_t i); /* i-th element in row-major order of the view */
void ov_set_flat(ovTensor *t, int64_t i, double v);

/* Prints a short summary and the first values (row-major), for debugging. */
void ov_print(FILE *f, const ovTensor *t);

#endif
