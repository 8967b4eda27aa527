/* tensor.c: tensor structs, storages, metadata helpers (see tensor.h). */
#include "tensor/tensor.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

#include "kernels/cuda/device.h"
#include "kernels/kview.h"
#include "tensor/alloc.h"
#include "tensor/error.h"
#include "tensor/kview_of.h"

static _Atomic uint64_t next_id = 1;
/* The default device lives in the thread state so that a panic's trap restores it. */
ovDevice ov_default_device(void) { return (ovDevice)ov_thread_state()->default_device; }

ovDevice ov_set_default_device(ovDevice dev) {
    ovDevice prev = ov_default_device();
    ov_thread_state()->default_device = dev;
    return prev;
}

const char *ov_device_name(ovDevice dev) { return dev == OV_DEV_CUDA ? "cuda" : "cpu"; }

/* ---- storage ---- */

static void device_storage_release(ovStorage *s) {
    ov_cuda_free(s->data, s->nbytes);
    ov_count_device_free(s->nbytes);
}

ovStorage *ov_storage_new(size_t nbytes, ovDevice dev) {
    void *data = dev == OV_DEV_CUDA ? ov_cuda_alloc(nbytes) : ov_host_alloc(nbytes);
    ovStorage *s = ov_obj_alloc(sizeof *s);
    s->data = data;
    s->nbytes = nbytes;
    s->refs = 1;
    s->device = dev;
    if (dev == OV_DEV_CUDA) {
        s->release = device_storage_release;
        ov_count_device_alloc(nbytes);
    }
    return s;
}

void ov_storage_retain(ovStorage *s) { s->refs++; }

void ov_storage_release(ovStorage *s) {
    if (!s || --s->refs > 0) return;
    if (s->release)
        s->release(s);
    else
        ov_host_free(s->data, s->nbytes);
    ov_obj_free(s);
}

/* ---- tensor objects ---- */

static void tensor_destroy(ovObj *o) {
    ovTensor *t = (ovTensor *)o;
    ov_storage_release(t->storage);
    ov_obj_free(t);
}

static void tensor_visit(ovObj *o, void (*fn)(ovObj *, void *), void *ctx) {
    ovTensor *t = (ovTensor *)o;
    if (t->grad) fn(&t->grad->obj, ctx);
    if (t->grad_fn) fn((ovObj *)t->grad_fn, ctx);
}

static ovTensor *tensor_new(ovStorage *s, ovDType dtype, int ndim, const int64_t *shape,
                            const int64_t *stride, int64_t offset) {
    if (ndim < 0 || ndim > OV_MAX_DIMS) ov_panic("tensor with %d dims: at most %d are supported", ndim, OV_MAX_DIMS);
    ovTensor *t = ov_obj_alloc(sizeof *t);
    t->obj.destroy = tensor_destroy;
    t->obj.visit = tensor_visit;
    t->storage = s;
    t->dtype = dtype;
    t->ndim = ndim;
    t->offset = offset;
    t->id = atomic_fetch_add(&next_id, 1);
    int64_t st = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        if (shape[d] < 0) ov_panic("tensor shape has a negative size %" PRId64 " in dim %d", shape[d], d);
        t->shape[d] = shape[d];
        t->stride[d] = stride ? stride[d] : st;
        st *= shape[d];
    }
    ov_scope_add(&t->obj);
    return t;
}

ovTensor *ov_empty_on(ovDevice dev, int ndim, const int64_t *shape, ovDType dtype) {
    int64_t n = ov_numel_shape(ndim, shape);
    ovStorage *s = ov_storage_new((size_t)n * ov_dtype_size(dtype), dev);
    return tensor_new(s, dtype, ndim, shape, NULL, 0);
}

ovTensor *ov_empty(int ndim, const int64_t *shape, ovDType dtype) {
    return ov_empty_on(ov_default_device(), ndim, shape, dtype);
}

ovTensor *ov_empty_like(const ovTensor *t) { return ov_empty_on(ov_device(t), t->ndim, t->shape, t->dtype); }

ovTensor *ov_view_of(const ovTensor *t, int ndim, const int64_t *shape, const int64_t *stride,
                     int64_t offset) {
    ov_storage_retain(t->storage);
    return tensor_new(t->storage, t->dtype, ndim, shape, stride, offset);
}

ovTensor *ov_from_storage(ovStorage *s, ovDType dtype, int ndim, const int64_t *shape, int64_t offset) {
    ov_storage_retain(s);
    return tensor_new(s, dtype, ndim, shape, NULL, offset);
}

void ov_bump_version(ovTensor *t) { t->storage->version++; }

/* ---- metadata ---- */

int64_t ov_numel_shape(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
}

int64_t ov_numel(const ovTensor *t) { return ov_numel_shape(t->ndim, t->shape); }

bool ov_is_contiguous(const ovTensor *t) {
    int64_t expect = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] != 1 && t->stride[i] != expect) return false;
        expect *= t->shape[i];
    }
    return true;
}

ovDevice ov_device(const ovTensor *t) { return t->storage->device; }

size_t ov_nbytes(const ovTensor *t) { return (size_t)ov_numel(t) * ov_dtype_size(t->dtype); }

int ov_wrap_dim(int dim, int ndim, const char *what) {
    int n = ndim == 0 ? 1 : ndim; /* a scalar accepts dim 0 and -1, like PyTorch */
    if (dim < -n || dim >= n)
        ov_panic("%s: dim %d out of range for a tensor with %d dims", what, dim, ndim);
    return dim < 0 ? dim + n : dim;
}

bool ov_same_shape(const ovTensor *a, const ovTensor *b) {
    if (a->ndim != b->ndim) return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return false;
    return true;
}

const char *ov_shape_str(int ndim, const int64_t *shape, char *buf, size_t n) {
    size_t k = 0;
    k += (size_t)snprintf(buf + k, n > k ? n - k : 0, "[");
    for (int i = 0; i < ndim; i++)
        k += (size_t)snprintf(buf + k, n > k ? n - k : 0, "%s%" PRId64, i ? "," : "", shape[i]);
    snprintf(buf + k, n > k ? n - k : 0, "]");
    return buf;
}

const char *ov_describe(const ovTensor *t, char *buf, size_t n) {
    char shp[128];
    ov_shape_str(t->ndim, t->shape, shp, sizeof shp);
    if (t->name[0])
        snprintf(buf, n, "'%s' %s %s", t->name, shp, ov_dtype_name(t->dtype));
    else
        snprintf(buf, n, "#%" PRIu64 " %s %s", t->id, shp, ov_dtype_name(t->dtype));
    return buf;
}

ovTensor *ov_named(ovTensor *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->name, sizeof t->name, fmt, ap);
    va_end(ap);
    return t;
}

void *ov_data_ptr(const ovTensor *t) {
    return (char *)t->storage->data + t->offset * (int64_t)ov_dtype_size(t->dtype);
}

float *ov_f32(const ovTensor *t) {
    char d[160];
    if (t->dtype != OV_F32) ov_panic("ov_f32: tensor %s is not f32", ov_describe(t, d, sizeof d));
    if (ov_device(t) != OV_DEV_CPU) ov_panic("ov_f32: tensor %s is not on the CPU", ov_describe(t, d, sizeof d));
    return ov_data_ptr(t);
}

/* ---- element access ---- */

static void require_host(const ovTensor *t, const char *what) {
    char d[160];
    if (ov_device(t) != OV_DEV_CPU)
        ov_panic("%s: %s is on %s; copy it to the CPU first (ov_to_device)", what, ov_describe(t, d, sizeof d),
                 ov_device_name(ov_device(t)));
}

double ov_get(const ovTensor *t, const int64_t *idx) {
    require_host(t, "ov_get");
    int64_t off = t->offset;
    for (int d = 0; d < t->ndim; d++) off += idx[d] * t->stride[d];
    return kv_load(t->dtype, t->storage->data, off);
}

double ov_get_flat(const ovTensor *t, int64_t i) {
    require_host(t, "ov_get_flat");
    ovKView v = ov_kview(t);
    return kv_load(t->dtype, v.data, kv_offset(&v, i));
}

void ov_set_flat(ovTensor *t, int64_t i, double val) {
    require_host(t, "ov_set_flat");
    ovKView v = ov_kview(t);
    kv_store(t->dtype, v.data, kv_offset(&v, i), val);
}

void ov_print(FILE *f, const ovTensor *t) {
    char d[160];
    fprintf(f, "%s:", ov_describe(t, d, sizeof d));
    if (ov_device(t) != OV_DEV_CPU) {
        fprintf(f, " (on %s)\n", ov_device_name(ov_device(t)));
        return;
    }
    int64_t n = ov_numel(t);
    for (int64_t i = 0; i < n && i < 16; i++) fprintf(f, " %.6g", ov_get_flat(t, i));
    if (n > 16) fprintf(f, " ...");
    fprintf(f, "\n");
}
