/* safetensors.c: safetensors read (mmap) and write (temporary file + rename); see safetensors.h.
 * Validation follows the reference implementation: header size limit, JSON object of entries,
 * known dtypes, sizes that match shape x dtype (overflow checked), offsets inside the buffer and
 * not overlapping. */
#include "tensor/safetensors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernels/cpu/copy.h"
#include "tensor/alloc.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tensor/kview_of.h"

#define MAX_HEADER (100u << 20)

typedef struct {
    char *name;
    ovDType dtype;
    int ndim;
    int64_t shape[OV_MAX_DIMS];
    uint64_t begin, end;
} Entry;

/* The mapping outlives the handle while tensors use it. */
typedef struct {
    void *base;
    size_t size;
    int refs;
} Mapping;

struct ovSafetensors {
    char *path;
    Mapping *map;
    const unsigned char *data; /* start of the data buffer */
    uint64_t data_size;
    Entry *entries;
    int n;
    char **meta_keys, **meta_vals;
    int n_meta;
};

static void mapping_release(Mapping *m) {
    if (--m->refs > 0) return;
    if (m->base) munmap(m->base, m->size);
    ov_obj_free(m);
}

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void ov_st_close(ovSafetensors *st) {
    if (!st) return;
    for (int i = 0; i < st->n; i++) free(st->entries[i].name);
    free(st->entries);
    for (int i = 0; i < st->n_meta; i++) {
        free(st->meta_keys[i]);
        free(st->meta_vals[i]);
    }
    free(st->meta_keys);
    free(st->meta_vals);
    if (st->map) mapping_release(st->map);
    free(st->path);
    ov_obj_free(st);
}

static int cmp_begin(const void *a, const void *b) {
    const Entry *x = *(const Entry *const *)a, *y = *(const Entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : 0;
}

/* Parses one tensor entry; returns 0 or an error naming the file and tensor. */
static int parse_entry(ovSafetensors *st, const cJSON *item, Entry *e) {
    const char *p = st->path, *name = item->string;
    if (!cJSON_IsObject(item)) return ov_error("%s: entry '%s' is not a JSON object", p, name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(item, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(item, "shape");
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(item, "data_offsets");
    if (!cJSON_IsString(dt)) return ov_error("%s: tensor '%s' has no string \"dtype\"", p, name);
    if (ov_dtype_from_safetensors(dt->valuestring, &e->dtype) != 0)
        return ov_error("%s: tensor '%s' has dtype %s, which ovad does not read (F32, BF16, F16, I32, I64, U8, BOOL)",
                        p, name, dt->valuestring);
    if (!cJSON_IsArray(sh)) return ov_error("%s: tensor '%s' has no \"shape\" array", p, name);
    int nd = cJSON_GetArraySize(sh);
    if (nd > OV_MAX_DIMS) return ov_error("%s: tensor '%s' has %d dims (at most %d)", p, name, nd, OV_MAX_DIMS);
    e->ndim = nd;
    uint64_t numel = 1;
    for (int d = 0; d < nd; d++) {
        const cJSON *v = cJSON_GetArrayItem(sh, d);
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9.0e15 || /* range first: the cast */
            v->valuedouble != (double)(int64_t)v->valuedouble)
            return ov_error("%s: tensor '%s' has an invalid size in dim %d of its shape", p, name, d);
        e->shape[d] = (int64_t)v->valuedouble;
        if (e->shape[d] && numel > UINT64_MAX / (uint64_t)e->shape[d])
            return ov_error("%s: tensor '%s' has a shape whose size overflows", p, name);
        numel *= (uint64_t)e->shape[d];
    }
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2)
        return ov_error("%s: tensor '%s' has no \"data_offsets\" [begin, end]", p, name);
    const cJSON *b = cJSON_GetArrayItem(off, 0), *en = cJSON_GetArrayItem(off, 1);
    if (!cJSON_IsNumber(b) || !cJSON_IsNumber(en) || b->valuedouble < 0 || en->valuedouble < b->valuedouble ||
        en->valuedouble >= 18446744073709551616.0) /* beyond u64 the cast below is undefined */
        return ov_error("%s: tensor '%s' has invalid data_offsets", p, name);
    e->begin = (uint64_t)b->valuedouble;
    e->end = (uint64_t)en->valuedouble;
    size_t esz = ov_dtype_size(e->dtype);
    if (numel > UINT64_MAX / esz) return ov_error("%s: tensor '%s' is too large", p, name);
    if (e->end - e->begin != numel * esz)
        return ov_error("%s: tensor '%s' has %" PRIu64 " bytes of data but its shape and dtype need %" PRIu64, p, name,
                        e->end - e->begin, numel * esz);
    if (e->end > st->data_size)
        return ov_error("%s: tensor '%s' data [%" PRIu64 ", %" PRIu64 ") lies outside the %" PRIu64 "-byte data buffer",
                        p, name, e->begin, e->end, st->data_size);
    return 0;
}

static int parse_metadata(ovSafetensors *st, const cJSON *m) {
    if (!cJSON_IsObject(m)) return ov_error("%s: \"__metadata__\" is not a JSON object", st->path);
    if (st->meta_keys) return ov_error("%s: \"__metadata__\" appears twice in the header", st->path);
    int n = cJSON_GetArraySize(m);
    st->meta_keys = calloc((size_t)n + 1, sizeof(char *));
    st->meta_vals = calloc((size_t)n + 1, sizeof(char *));
    const cJSON *it;
    cJSON_ArrayForEach(it, m) {
        if (!cJSON_IsString(it))
            return ov_error("%s: metadata value of '%s' is not a string", st->path, it->string);
        st->meta_keys[st->n_meta] = dupstr(it->string);
        st->meta_vals[st->n_meta++] = dupstr(it->valuestring);
    }
    return 0;
}

static int parse_header(ovSafetensors *st, const char *json, size_t len) {
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t at = end ? (size_t)(end - json) : 0;
        return ov_error("%s: the header is not valid JSON (error near byte %zu of the header)", st->path, at);
    }
    int rc = 0;
    if (!cJSON_IsObject(root)) {
        rc = ov_error("%s: the header is not a JSON object", st->path);
        goto done;
    }
    int n = cJSON_GetArraySize(root);
    st->entries = calloc((size_t)n + 1, sizeof(Entry));
    const cJSON *item;
    cJSON_ArrayForEach(item, root) {
        if (!strcmp(item->string, "__metadata__")) {
            if ((rc = parse_metadata(st, item))) goto done;
            continue;
        }
        for (int i = 0; i < st->n; i++)
            if (!strcmp(st->entries[i].name, item->string)) {
                rc = ov_error("%s: tensor '%s' appears twice in the header", st->path, item->string);
                goto done;
            }
        Entry *e = &st->entries[st->n];
        e->name = dupstr(item->string);
        st->n++;
        if ((rc = parse_entry(st, item, e))) goto done;
    }
    /* no two tensors may share bytes */
    Entry **sorted = malloc(sizeof(Entry *) * ((size_t)st->n + 1));
    for (int i = 0; i < st->n; i++) sorted[i] = &st->entries[i];
    qsort(sorted, (size_t)st->n, sizeof *sorted, cmp_begin);
    for (int i = 1; i < st->n; i++)
        if (sorted[i]->begin < sorted[i - 1]->end && sorted[i]->begin != sorted[i]->end &&
            sorted[i - 1]->begin != sorted[i - 1]->end) {
            rc = ov_error("%s: tensors '%s' and '%s' have overlapping data offsets", st->path, sorted[i - 1]->name,
                          sorted[i]->name);
            break;
        }
    free(sorted);
done:
    cJSON_Delete(root);
    return rc;
}

ovSafetensors *ov_st_open(const char *path) {
    ovSafetensors *st = ov_obj_alloc(sizeof *st);
    st->path = dupstr(path);
    size_t size;
    int fd = ov_open_regular(path, &size);
    if (fd < 0) goto fail;
    if (size < 8) {
        ov_error("%s: the file has %zu bytes; a safetensors file starts with an 8-byte header length", path, size);
        close(fd);
        goto fail;
    }
    st->map = ov_obj_alloc(sizeof *st->map);
    st->map->refs = 1;
    st->map->size = size;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) {
        ov_error("%s: cannot map the file: %s", path, strerror(errno));
        goto fail;
    }
    st->map->base = base;
    const unsigned char *b = base;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | b[i];
    if (hlen > MAX_HEADER) {
        ov_error("%s: header length %" PRIu64 " is larger than the 100 MB limit (is this a safetensors file?)", path, hlen);
        goto fail;
    }
    if (8 + hlen > size) {
        ov_error("%s: header length %" PRIu64 " runs past the end of the %zu-byte file (truncated?)", path, hlen, size);
        goto fail;
    }
    if (hlen == 0 || b[8] != '{') {
        ov_error("%s: the header does not start with '{'", path);
        goto fail;
    }
    st->data = b + 8 + hlen;
    st->data_size = size - 8 - hlen;
    if (parse_header(st, (const char *)b + 8, (size_t)hlen) != 0) goto fail;
    return st;
fail:
    ov_st_close(st);
    return NULL;
}

int ov_st_count(const ovSafetensors *st) { return st->n; }
const char *ov_st_name(const ovSafetensors *st, int i) { return st->entries[i].name; }
const char *ov_st_path(const ovSafetensors *st) { return st->path; }

int ov_st_find(const ovSafetensors *st, const char *name) {
    for (int i = 0; i < st->n; i++)
        if (!strcmp(st->entries[i].name, name)) return i;
    return -1;
}

void ov_st_info(const ovSafetensors *st, int i, ovDType *dtype, int *ndim, int64_t *shape) {
    const Entry *e = &st->entries[i];
    if (dtype) *dtype = e->dtype;
    if (ndim) *ndim = e->ndim;
    if (shape) memcpy(shape, e->shape, sizeof(int64_t) * (size_t)e->ndim);
}

static void mapped_storage_release(ovStorage *s) { mapping_release(s->ctx); }

ovTensor *ov_st_tensor(ovSafetensors *st, int i) {
    const Entry *e = &st->entries[i];
    const unsigned char *p = st->data + e->begin;
    size_t esz = ov_dtype_size(e->dtype);
    if ((uintptr_t)p % esz != 0) { /* unaligned in the file: copy so kernels get aligned data */
        ovTensor *t = ov_empty(e->ndim, e->shape, e->dtype);
        memcpy(ov_data_ptr(t), p, e->end - e->begin);
        return t;
    }
    ovStorage *s = ov_obj_alloc(sizeof *s);
    s->data = (void *)p;
    s->nbytes = e->end - e->begin;
    s->refs = 0;
    s->device = OV_DEV_CPU;
    s->release = mapped_storage_release;
    s->ctx = st->map;
    st->map->refs++;
    ovTensor *t = ov_from_storage(s, e->dtype, e->ndim, e->shape, 0); /* takes the one reference */
    return t;
}

ovTensor *ov_st_get(ovSafetensors *st, const char *name) {
    int i = ov_st_find(st, name);
    if (i < 0) {
        ov_error("%s: no tensor named '%s'", st->path, name);
        return NULL;
    }
    return ov_st_tensor(st, i);
}

int ov_st_meta_count(const ovSafetensors *st) { return st->n_meta; }
const char *ov_st_meta_key(const ovSafetensors *st, int i) { return st->meta_keys[i]; }

const char *ov_st_meta(const ovSafetensors *st, const char *key) {
    for (int i = 0; i < st->n_meta; i++)
        if (!strcmp(st->meta_keys[i], key)) return st->meta_vals[i];
    return NULL;
}

/* ---- writing ---- */

static int write_all(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : -1; }

int ov_st_save(const char *path, int n, const char *const *names, ovTensor *const *tensors, int n_meta,
               const char *const *keys, const char *const *values) {
    cJSON *root = cJSON_CreateObject();
    if (n_meta > 0) {
        cJSON *m = cJSON_AddObjectToObject(root, "__metadata__");
        for (int i = 0; i < n_meta; i++) cJSON_AddStringToObject(m, keys[i], values[i]);
    }
    uint64_t off = 0;
    for (int i = 0; i < n; i++) {
        const ovTensor *t = tensors[i];
        if (ov_device(t) != OV_DEV_CPU) {
            cJSON_Delete(root);
            return ov_error("%s: tensor '%s' is not on the CPU", path, names[i]);
        }
        if (cJSON_GetObjectItemCaseSensitive(root, names[i])) {
            cJSON_Delete(root);
            return ov_error("%s: the name '%s' is used twice", path, names[i]);
        }
        cJSON *e = cJSON_AddObjectToObject(root, names[i]);
        cJSON_AddStringToObject(e, "dtype", ov_dtype_safetensors(t->dtype));
        cJSON *sh = cJSON_AddArrayToObject(e, "shape");
        for (int d = 0; d < t->ndim; d++) cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)t->shape[d]));
        uint64_t bytes = ov_nbytes(t);
        cJSON *o = cJSON_AddArrayToObject(e, "data_offsets");
        cJSON_AddItemToArray(o, cJSON_CreateNumber((double)off));
        cJSON_AddItemToArray(o, cJSON_CreateNumber((double)(off + bytes)));
        off += bytes;
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json) return ov_error("%s: out of memory building the header", path);
    size_t jlen = strlen(json), padded = (jlen + 7) & ~(size_t)7; /* data starts 8-aligned */

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        free(json);
        free(tmp);
        return ov_error("%s: cannot create a temporary file beside it: %s", path, strerror(err));
    }
    fchmod(fd, 0644);
    FILE *f = fdopen(fd, "wb");
    unsigned char hdr[8];
    for (int i = 0; i < 8; i++) hdr[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    int rc = write_all(f, hdr, 8) || write_all(f, json, jlen);
    for (size_t i = jlen; i < padded && !rc; i++) rc = fputc(' ', f) == EOF;
    free(json);
    for (int i = 0; i < n && !rc; i++) {
        const ovTensor *t = tensors[i];
        if (ov_is_contiguous(t)) {
            rc = write_all(f, ov_data_ptr(t), ov_nbytes(t));
        } else {
            void *buf = ov_host_alloc(ov_nbytes(t));
            ovKView dst = ov_kview(t), src = ov_kview(t);
            dst.data = buf;
            int64_t s = 1;
            for (int d = t->ndim - 1; d >= 0; d--) {
                dst.stride[d] = s;
                s *= t->shape[d];
            }
            ov_kcopy_fast(&dst, &src);
            rc = write_all(f, buf, ov_nbytes(t));
            ov_host_free(buf, ov_nbytes(t));
        }
    }
    int err = errno;
    if (fflush(f) != 0 || fsync(fd) != 0) rc = -1, err = errno;
    if (fclose(f) != 0) rc = -1, err = errno;
    if (!rc && rename(tmp, path) != 0) rc = -1, err = errno;
    if (rc) {
        unlink(tmp);
        free(tmp);
        return ov_error("%s: write failed: %s", path, strerror(err));
    }
    free(tmp);
    return 0;
}
