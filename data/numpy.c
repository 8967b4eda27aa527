/* numpy.c: the pickle hooks that turn numpy's array, dtype and scalar reconstructions into tensors
 * and plain values (see numpy.h). What numpy's own unpickling does, in
 * numpy/core/src/multiarray/methods.c (array_setstate) and descriptor.c (arraydescr_setstate),
 * reduced to the plain numeric dtypes: the dtype's kind and size come from its constructor
 * argument ('f4'), its byte order from its BUILD state; an array's shape, dtype, order and raw
 * bytes come from its BUILD state (or from _frombuffer's arguments). */
#include "data/numpy.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/half.h"
#include "tensor/create.h"

typedef struct {
    const ovPkValue *key;
    ovTensor *t;
} Entry;

struct ovNumpy {
    Entry *tab; /* open addressing on the value's address */
    int cap, n;
    char why[256]; /* the last failure, for the pickle reader's message */
};

ovNumpy *ov_numpy_new(void) {
    ovNumpy *np = calloc(1, sizeof *np);
    if (!np) abort();
    return np;
}

void ov_numpy_free(ovNumpy *np) {
    if (!np) return;
    free(np->tab);
    free(np);
}

int ov_numpy_count(const ovNumpy *np) { return np->n; }

static size_t slot_of(const void *p, int cap) {
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 17) & (size_t)(cap - 1);
}

static void put(ovNumpy *np, const ovPkValue *key, ovTensor *t) {
    if (2 * (np->n + 1) > np->cap) {
        int cap = np->cap ? 2 * np->cap : 64;
        Entry *tab = calloc((size_t)cap, sizeof *tab);
        if (!tab) abort();
        for (int i = 0; i < np->cap; i++)
            if (np->tab[i].key) {
                size_t s = slot_of(np->tab[i].key, cap);
                while (tab[s].key) s = (s + 1) & (size_t)(cap - 1);
                tab[s] = np->tab[i];
            }
        free(np->tab);
        np->tab = tab;
        np->cap = cap;
    }
    size_t s = slot_of(key, np->cap);
    while (np->tab[s].key && np->tab[s].key != key) s = (s + 1) & (size_t)(np->cap - 1);
    if (!np->tab[s].key) np->n++;
    np->tab[s] = (Entry){key, t};
}

ovTensor *ov_numpy_array(const ovNumpy *np, const ovPkValue *v) {
    if (!np || !v || !np->cap) return NULL;
    size_t s = slot_of(v, np->cap);
    while (np->tab[s].key) {
        if (np->tab[s].key == v) return np->tab[s].t;
        s = (s + 1) & (size_t)(np->cap - 1);
    }
    return NULL;
}

int ov_pk_is_seq(const ovPkValue *v) { return v && (v->kind == OV_PK_LIST || v->kind == OV_PK_TUPLE); }

int ov_pk_as_int(const ovPkValue *v, int64_t *out) {
    if (!v) return -1;
    if (v->kind == OV_PK_INT || v->kind == OV_PK_BOOL) {
        *out = v->i;
        return 0;
    }
    if (v->kind == OV_PK_FLOAT && v->f == floor(v->f) && fabs(v->f) < 9.0e15) {
        *out = (int64_t)v->f;
        return 0;
    }
    return -1;
}

/* ---- globals ---- */

static bool in_numpy(const char *module, const char *sub) {
    /* numpy.core.X (numpy < 2) or numpy._core.X (numpy >= 2) */
    if (strncmp(module, "numpy.", 6)) return false;
    module += 6;
    if (!strncmp(module, "core.", 5)) module += 5;
    else if (!strncmp(module, "_core.", 6)) module += 6;
    else return false;
    return !strcmp(module, sub);
}

static bool is_fn(const ovPkValue *g, const char *sub, const char *name) {
    return g && g->kind == OV_PK_GLOBAL && in_numpy(g->s, sub) && !strcmp(g->name, name);
}

static int on_global(void *ctx, const char *module, const char *name, const char **why) {
    (void)ctx;
    static const char *const plain[][2] = {
        {"numpy", "ndarray"},        {"numpy", "dtype"},        {"collections", "OrderedDict"},
        {"_codecs", "encode"},       {"codecs", "encode"},      {"builtins", "set"},
        {"builtins", "frozenset"},   {"builtins", "bytes"},     {"builtins", "bytearray"},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(module, plain[i][0]) && !strcmp(name, plain[i][1])) return 0;
    if ((in_numpy(module, "multiarray") && (!strcmp(name, "_reconstruct") || !strcmp(name, "scalar"))) ||
        (in_numpy(module, "numeric") && !strcmp(name, "_frombuffer")))
        return 0;
    *why = "not allowed (only numpy arrays, dtypes and scalars, and plain containers are read)";
    return -1;
}

/* ---- dtypes ---- */

typedef struct {
    char kind;    /* 'f', 'i', 'u', 'b' */
    int size;     /* bytes */
    bool swap;    /* big-endian data */
    ovDType out;  /* tensor dtype */
} Dt;

static __attribute__((format(printf, 2, 3))) int bad(ovNumpy *np, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(np->why, sizeof np->why, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *text_of(const ovPkValue *v) {
    return v && (v->kind == OV_PK_STR || v->kind == OV_PK_BYTES) ? v->s : NULL;
}

/* A numpy.dtype OBJECT (after its BUILD) into Dt. */
static int parse_dtype(ovNumpy *np, const ovPkValue *d, Dt *out) {
    if (!d || d->kind != OV_PK_OBJECT || !d->callable || d->callable->kind != OV_PK_GLOBAL ||
        strcmp(d->callable->s, "numpy") || strcmp(d->callable->name, "dtype"))
        return bad(np, "the dtype is a %s, not a numpy.dtype", d ? ov_pk_kind_name(d->kind) : "nothing");
    const char *s = d->args->n ? text_of(d->args->items[0]) : NULL;
    if (!s) return bad(np, "numpy.dtype without a type string");
    char order = '|';
    if (*s == '<' || *s == '>' || *s == '=' || *s == '|') order = *s++;
    const ovPkValue *st = d->state;
    if (st) {
        if (st->kind != OV_PK_TUPLE || st->n < 2) return bad(np, "numpy.dtype state is not a tuple (version, byteorder, ...)");
        const char *bo = text_of(st->items[1]);
        if (!bo || strlen(bo) != 1) return bad(np, "numpy.dtype state has no byte order");
        order = bo[0];
        if (st->n >= 4 && (st->items[2]->kind != OV_PK_NONE || st->items[3]->kind != OV_PK_NONE))
            return bad(np, "structured dtype '%s' is not supported", s);
    }
    if (order != '<' && order != '>' && order != '=' && order != '|')
        return bad(np, "numpy.dtype byte order '%c' is not one of < > = |", order);
    char kind = s[0];
    char *end;
    long size = kind ? strtol(s + 1, &end, 10) : 0;
    if (!kind || end == s + 1 || *end) return bad(np, "dtype '%s' is not a plain numeric type", s);
    Dt t = {.kind = kind, .size = (int)size, .swap = order == '>' && size > 1};
    switch (kind) {
    case 'f':
        if (size != 2 && size != 4 && size != 8) return bad(np, "dtype '%s': no such float", s);
        t.out = size == 2 ? OV_F16 : OV_F32;
        break;
    case 'i':
        if (size != 1 && size != 2 && size != 4 && size != 8) return bad(np, "dtype '%s': no such integer", s);
        t.out = size == 8 ? OV_I64 : OV_I32;
        break;
    case 'u':
        if (size != 1 && size != 2 && size != 4 && size != 8) return bad(np, "dtype '%s': no such integer", s);
        t.out = size == 1 ? OV_U8 : size == 2 ? OV_I32 : OV_I64;
        break;
    case 'b':
        if (size != 1) return bad(np, "dtype '%s': no such bool", s);
        t.out = OV_BOOL;
        break;
    default:
        return bad(np, "dtype '%s' is not supported (only bool, integer and float arrays are read)", s);
    }
    *out = t;
    return 0;
}

/* One element's bytes as an unsigned number in host order. */
static uint64_t load(const unsigned char *p, const Dt *t) {
    uint64_t v = 0;
    for (int b = 0; b < t->size; b++) {
        int k = t->swap ? b : t->size - 1 - b;
        v = v << 8 | p[k];
    }
    return v;
}

static int64_t as_signed(uint64_t v, int size) {
    if (size == 8) return (int64_t)v;
    uint64_t sign = 1ull << (size * 8 - 1);
    return (int64_t)((v ^ sign) - sign);
}

static double as_double(uint64_t v, const Dt *t) {
    if (t->kind == 'f') {
        if (t->size == 2) return ov_f16_to_f32((uint16_t)v);
        if (t->size == 4) {
            uint32_t u = (uint32_t)v;
            float f;
            memcpy(&f, &u, 4);
            return f;
        }
        double d;
        memcpy(&d, &v, 8);
        return d;
    }
    if (t->kind == 'i') return (double)as_signed(v, t->size);
    if (t->kind == 'b') return v != 0;
    return (double)v;
}

/* Writes element k of the output from raw value v. */
static int store(ovNumpy *np, void *dst, int64_t k, uint64_t v, const Dt *t) {
    switch (t->out) {
    case OV_F32: ((float *)dst)[k] = (float)as_double(v, t); break;
    case OV_F16: ((uint16_t *)dst)[k] = (uint16_t)v; break;
    case OV_I32: ((int32_t *)dst)[k] = t->kind == 'i' ? (int32_t)as_signed(v, t->size) : (int32_t)v; break;
    case OV_I64:
        if (t->kind == 'u' && v > (uint64_t)INT64_MAX) return bad(np, "uint64 value %llu does not fit int64", (unsigned long long)v);
        ((int64_t *)dst)[k] = t->kind == 'i' ? as_signed(v, t->size) : (int64_t)v;
        break;
    case OV_U8: ((uint8_t *)dst)[k] = (uint8_t)v; break;
    case OV_BOOL: ((uint8_t *)dst)[k] = v != 0; break;
    default: return bad(np, "internal: unexpected output dtype");
    }
    return 0;
}

/* A tensor from raw bytes: shape (a TUPLE/LIST of ints), dtype, order. */
static ovTensor *make_array(ovNumpy *np, const ovPkValue *shape, const Dt *t, bool fortran, const ovPkValue *raw) {
    if (!ov_pk_is_seq(shape)) {
        bad(np, "the array shape is a %s, not a tuple", ov_pk_kind_name(shape->kind));
        return NULL;
    }
    if (shape->n > OV_MAX_DIMS) {
        bad(np, "the array has %d dimensions (at most %d are supported)", shape->n, OV_MAX_DIMS);
        return NULL;
    }
    if (!raw || raw->kind != OV_PK_BYTES) {
        bad(np, "the array data is a %s, not bytes (object arrays are not supported)", raw ? ov_pk_kind_name(raw->kind) : "nothing");
        return NULL;
    }
    int64_t dims[OV_MAX_DIMS];
    uint64_t numel = 1;
    bool empty = false;
    for (int d = 0; d < shape->n; d++) {
        const ovPkValue *e = shape->items[d];
        if (!ov_pk_is_int(e) || e->i < 0 || e->i > ((int64_t)1 << 40)) {
            bad(np, "array dimension %d is not a size in [0, 2^40]", d);
            return NULL;
        }
        dims[d] = e->i;
        if (!e->i) empty = true;
        else if (!empty && (numel *= (uint64_t)e->i) > ((uint64_t)1 << 48)) {
            bad(np, "the array is too large");
            return NULL;
        }
    }
    if (empty) numel = 0;
    if ((uint64_t)raw->len != numel * (uint64_t)t->size) {
        bad(np, "the array data holds %zu bytes, its shape and dtype need %llu", raw->len,
            (unsigned long long)(numel * (uint64_t)t->size));
        return NULL;
    }
    ovTensor *out = ov_empty_on(OV_DEV_CPU, shape->n, dims, t->out);
    void *dst = ov_data_ptr(out);
    const unsigned char *src = (const unsigned char *)raw->s;
    int64_t fstride[OV_MAX_DIMS];
    for (int d = 0; d < shape->n; d++) fstride[d] = d ? fstride[d - 1] * dims[d - 1] : 1;
    for (int64_t k = 0; k < (int64_t)numel; k++) {
        int64_t s = k;
        if (fortran && shape->n > 1) { /* element k in C order sits at the Fortran offset of its index */
            int64_t rest = k;
            s = 0;
            for (int d = shape->n - 1; d >= 0; d--) {
                s += (rest % dims[d]) * fstride[d];
                rest /= dims[d];
            }
        }
        if (store(np, dst, k, load(src + s * t->size, t), t)) return NULL;
    }
    return out;
}

/* ---- hooks ---- */

static int on_call(ovPickle *pk, void *ctx, ovPkValue *obj, ovPkValue **out, const char **why) {
    ovNumpy *np = ctx;
    const ovPkValue *f = obj->callable, *a = obj->args;
    *why = np->why;
    if (is_fn(f, "multiarray", "_reconstruct")) {
        if (a->n != 3 || !ov_pk_is_seq(a->items[1])) return bad(np, "expected _reconstruct(cls, shape, typecode)");
        const ovPkValue *cls = a->items[0];
        if (cls->kind != OV_PK_GLOBAL || strcmp(cls->s, "numpy") || strcmp(cls->name, "ndarray"))
            return bad(np, "_reconstruct of something other than numpy.ndarray");
        return 0; /* an empty array until its BUILD */
    }
    if (f->kind == OV_PK_GLOBAL && !strcmp(f->s, "numpy") && !strcmp(f->name, "dtype")) {
        if (a->n < 1 || !text_of(a->items[0])) return bad(np, "expected numpy.dtype(typestring, align, copy)");
        return 0; /* kept; its BUILD state (the byte order) is stored on it */
    }
    if (is_fn(f, "multiarray", "scalar")) {
        Dt t;
        if (a->n != 2) return bad(np, "expected scalar(dtype, bytes)");
        if (parse_dtype(np, a->items[0], &t)) return -1;
        const ovPkValue *raw = a->items[1];
        if (raw->kind != OV_PK_BYTES || raw->len != (size_t)t.size)
            return bad(np, "a numpy scalar of %d bytes holds %s", t.size, raw->kind == OV_PK_BYTES ? "another length" : ov_pk_kind_name(raw->kind));
        uint64_t v = load((const unsigned char *)raw->s, &t);
        ovPkValue *r;
        if (t.kind == 'f') {
            r = ov_pk_new(pk, OV_PK_FLOAT);
            r->f = as_double(v, &t);
        } else if (t.kind == 'b') {
            r = ov_pk_new(pk, OV_PK_BOOL);
            r->i = v != 0;
        } else {
            if (t.kind == 'u' && v > (uint64_t)INT64_MAX) return bad(np, "uint64 scalar %llu does not fit int64", (unsigned long long)v);
            r = ov_pk_new(pk, OV_PK_INT);
            r->i = t.kind == 'i' ? as_signed(v, t.size) : (int64_t)v;
        }
        *out = r;
        return 1;
    }
    if (is_fn(f, "numeric", "_frombuffer")) {
        Dt t;
        if (a->n != 4) return bad(np, "expected _frombuffer(buffer, dtype, shape, order)");
        if (parse_dtype(np, a->items[1], &t)) return -1;
        const char *order = text_of(a->items[3]);
        if (!order || (strcmp(order, "C") && strcmp(order, "F"))) return bad(np, "_frombuffer order is not 'C' or 'F'");
        ovTensor *arr = make_array(np, a->items[2], &t, order[0] == 'F', a->items[0]);
        if (!arr) return -1;
        put(np, obj, arr);
        return 0;
    }
    /* other globals passed the whitelist only as the pure-data builtins, which the reader handles */
    return 0;
}

static int on_build(ovPickle *pk, void *ctx, ovPkValue *obj, ovPkValue *state, const char **why) {
    (void)pk;
    ovNumpy *np = ctx;
    *why = np->why;
    if (obj->kind != OV_PK_OBJECT || !is_fn(obj->callable, "multiarray", "_reconstruct")) return 0;
    if (ov_numpy_array(np, obj)) return bad(np, "a numpy array is built twice");
    /* (version, shape, dtype, is_fortran, raw), or the same without version */
    if (state->kind != OV_PK_TUPLE || (state->n != 5 && state->n != 4))
        return bad(np, "the array state is not a tuple (version, shape, dtype, fortran, data)");
    ovPkValue **s = state->items + (state->n == 5);
    Dt t;
    if (parse_dtype(np, s[1], &t)) return -1;
    if (!ov_pk_is_int(s[2])) return bad(np, "the array's fortran flag is not a bool");
    ovTensor *arr = make_array(np, s[0], &t, s[2]->i != 0, s[3]);
    if (!arr) return -1;
    put(np, obj, arr);
    return 1;
}

ovPkHooks ov_numpy_hooks(ovNumpy *np) {
    return (ovPkHooks){.ctx = np, .global = on_global, .call = on_call, .build = on_build};
}
