/* mat_check.c: the MAT 5 structure walk that runs before libmatio (mat_check.h), after the
 * "MAT-File Format" document of MATLAB (data elements, the small element format, miCOMPRESSED,
 * miMATRIX with its array flags, dimensions, name and class-specific parts). */
#include "data/mat_check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tensor/error.h"
#include "tensor/file.h"

#define MAX_INFLATED ((size_t)256 << 20)
#define MAX_DEPTH 32

enum { MI_INT8 = 1, MI_UINT8, MI_INT16, MI_UINT16, MI_INT32, MI_UINT32, MI_SINGLE, MI_DOUBLE = 9, MI_INT64 = 12,
       MI_UINT64, MI_MATRIX, MI_COMPRESSED, MI_UTF8, MI_UTF16, MI_UTF32 };

typedef struct {
    const char *name;
    bool swap;
    size_t inflated;      /* bytes inflated so far */
    const uint8_t *base;  /* the buffer being walked: the file, or an inflated element */
    long zip_at;          /* file offset of the compressed element being walked, or -1 */
} Mc;

static __attribute__((format(printf, 3, 4))) int fail(const Mc *m, const uint8_t *at, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t off = (size_t)(at - m->base);
    if (m->zip_at >= 0) ov_error("%s: the compressed variable at byte %ld, inflated byte %zu: %s", m->name, m->zip_at, off, msg);
    else ov_error("%s: byte %zu: %s", m->name, off, msg);
    return -1;
}

static uint32_t u32(const Mc *m, const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return m->swap ? __builtin_bswap32(v) : v;
}

static int type_size(uint32_t t) {
    switch (t) {
    case MI_INT8: case MI_UINT8: case MI_UTF8: return 1;
    case MI_INT16: case MI_UINT16: case MI_UTF16: return 2;
    case MI_INT32: case MI_UINT32: case MI_SINGLE: case MI_UTF32: return 4;
    case MI_DOUBLE: case MI_INT64: case MI_UINT64: return 8;
    default: return 0;
    }
}

typedef struct {
    uint32_t type, nbytes;
    const uint8_t *data;
    size_t size; /* bytes taken, tag and padding included */
} Elem;

/* The data element at p, inside [p, end). */
static int elem(const Mc *m, const uint8_t *p, const uint8_t *end, Elem *e) {
    if (end - p < 8) return fail(m, p, "truncated: a data element needs 8 bytes, %ld are left", (long)(end - p));
    uint32_t w = u32(m, p);
    if (w >> 16) { /* small data element: type and size in one word, data in the next */
        e->type = w & 0xffff;
        e->nbytes = w >> 16;
        if (e->nbytes > 4) return fail(m, p, "a small data element of %u bytes (at most 4)", e->nbytes);
        e->data = p + 4;
        e->size = 8;
        return 0;
    }
    e->type = w;
    e->nbytes = u32(m, p + 4);
    size_t left = (size_t)(end - p) - 8;
    if (e->nbytes > left) return fail(m, p, "an element of type %u declares %u bytes, %zu are left", e->type, e->nbytes, left);
    e->data = p + 8;
    size_t padded = ((size_t)e->nbytes + 7) & ~(size_t)7;
    e->size = 8 + (padded < left ? padded : left);
    return 0;
}

/* An element of the given type holding exactly `count` values. */
static int expect_values(const Mc *m, const uint8_t *at, const Elem *e, uint64_t count, const char *what) {
    int ts = type_size(e->type);
    if (!ts || e->type == MI_UTF8 || e->type == MI_UTF16 || e->type == MI_UTF32)
        return fail(m, at, "%s: data of type %u is not numeric", what, e->type);
    if ((uint64_t)e->nbytes != count * (uint64_t)ts)
        return fail(m, at, "%s: %u bytes of %d-byte values for %llu elements", what, e->nbytes, ts, (unsigned long long)count);
    return 0;
}

static int check_matrix(Mc *m, const uint8_t *p, const uint8_t *end, int depth);

/* count sub-matrices (cells, or struct fields) from p on. */
static int check_children(Mc *m, const uint8_t *p, const uint8_t *end, uint64_t count, int depth, const char *what) {
    if (count > (uint64_t)(end - p) / 8) /* each needs at least its 8-byte tag */
        return fail(m, p, "%llu %s cannot fit in the %ld bytes left", (unsigned long long)count, what, (long)(end - p));
    for (uint64_t i = 0; i < count; i++) {
        Elem e = {0};
        if (elem(m, p, end, &e)) return -1;
        if (e.type != MI_MATRIX) return fail(m, p, "%s %llu is an element of type %u, not a matrix", what, (unsigned long long)i, e.type);
        if (check_matrix(m, e.data, e.data + e.nbytes, depth + 1)) return -1;
        p += e.size;
    }
    return 0;
}

/* The contents of an miMATRIX element: [p, end). */
static int check_matrix(Mc *m, const uint8_t *p, const uint8_t *end, int depth) {
    if (p == end) return 0; /* an empty array (allowed inside cells and structs) */
    if (depth > MAX_DEPTH) return fail(m, p, "arrays nested deeper than %d", MAX_DEPTH);
    Elem flags, dims, name;
    if (elem(m, p, end, &flags)) return -1;
    if (flags.type != MI_UINT32 || flags.nbytes != 8) return fail(m, p, "the array flags are not two uint32");
    uint32_t f = u32(m, flags.data), cls = f & 0xff;
    bool complex = f & 0x800;
    p += flags.size;
    if (elem(m, p, end, &dims)) return -1;
    if (dims.type != MI_INT32 || dims.nbytes % 4 || dims.nbytes < 8 || dims.nbytes > 4 * 32)
        return fail(m, p, "the dimensions are not 2 to 32 int32 values");
    uint64_t numel = 1;
    for (uint32_t k = 0; k < dims.nbytes / 4; k++) {
        int32_t d = (int32_t)u32(m, dims.data + 4 * k);
        if (d < 0) return fail(m, p, "dimension %u is negative (%d)", k + 1, d);
        numel *= (uint64_t)d;
        if (numel > ((uint64_t)1 << 40)) return fail(m, p, "the dimensions multiply to more than 2^40 elements");
    }
    p += dims.size;
    if (elem(m, p, end, &name)) return -1;
    if (name.type != MI_INT8 && name.type != MI_UTF8) return fail(m, p, "the array name is not text");
    p += name.size;
    const uint8_t *at = p;
    Elem e;
    switch (cls) {
    case 6: case 7: case 8: case 9: case 10: case 11: case 12: case 13: case 14: case 15: /* numeric, logical */
        if (elem(m, p, end, &e) || expect_values(m, at, &e, numel, "the real part")) return -1;
        if (complex) {
            p += e.size;
            at = p;
            if (elem(m, p, end, &e) || expect_values(m, at, &e, numel, "the imaginary part")) return -1;
        }
        return 0;
    case 4: { /* char: any integer type, or UTF-8 with up to 4 bytes a character */
        if (elem(m, p, end, &e)) return -1;
        int ts = type_size(e.type);
        if (e.type == MI_UTF8) {
            if (e.nbytes < numel || e.nbytes > 4 * numel) return fail(m, at, "%u bytes of UTF-8 for %llu characters", e.nbytes, (unsigned long long)numel);
            return 0;
        }
        if (!ts || e.type == MI_SINGLE || e.type == MI_DOUBLE || (uint64_t)e.nbytes != numel * (uint64_t)ts)
            return fail(m, at, "the characters: %u bytes of type %u for %llu characters", e.nbytes, e.type, (unsigned long long)numel);
        return 0;
    }
    case 1: /* cell */
        return check_children(m, p, end, numel, depth, "cells");
    case 2: { /* struct: field name length, names, then every element's fields */
        Elem len, names;
        if (elem(m, p, end, &len)) return -1;
        if (len.type != MI_INT32 || len.nbytes != 4) return fail(m, p, "the field name length is not one int32");
        uint32_t fl = u32(m, len.data);
        p += len.size;
        if (elem(m, p, end, &names)) return -1;
        if (names.type != MI_INT8) return fail(m, p, "the field names are not int8 text");
        if (!fl || fl > 4096 || names.nbytes % fl) return fail(m, p, "%u bytes of field names of length %u", names.nbytes, fl);
        uint64_t nf = names.nbytes / fl;
        for (uint64_t k = 0; k < nf; k++)
            if (!memchr(names.data + k * fl, 0, fl)) return fail(m, p, "field name %llu is not NUL-terminated", (unsigned long long)k + 1);
        p += names.size;
        if (nf == 0) return 0;
        return check_children(m, p, end, numel * nf, depth, "struct fields");
    }
    case 5: return fail(m, at, "sparse arrays are not supported");
    case 3: return fail(m, at, "objects are not supported");
    default: return fail(m, at, "array class %u is not supported", cls);
    }
}

/* Inflates one miCOMPRESSED element into *out. */
static int inflate_all(Mc *m, const uint8_t *at, const Elem *e, uint8_t **out, size_t *n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return fail(m, at, "zlib cannot start");
    size_t cap = (size_t)e->nbytes * 4 + 4096, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) abort();
    z.next_in = (Bytef *)e->data;
    z.avail_in = e->nbytes;
    int r = Z_OK;
    while (r == Z_OK) {
        if (len == cap) {
            if (m->inflated + cap >= MAX_INFLATED) {
                r = Z_MEM_ERROR;
                break;
            }
            cap = 2 * cap < MAX_INFLATED ? 2 * cap : MAX_INFLATED;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
        z.next_out = buf + len;
        z.avail_out = (uInt)(cap - len);
        r = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (r == Z_BUF_ERROR && z.avail_out) break; /* input exhausted before the stream's end */
        if (r == Z_BUF_ERROR) r = Z_OK;
    }
    const char *msg = z.msg;
    inflateEnd(&z);
    if (r != Z_STREAM_END) {
        free(buf);
        if (r == Z_MEM_ERROR) return fail(m, at, "the compressed data inflates to more than %zu MiB", MAX_INFLATED >> 20);
        if (r == Z_BUF_ERROR) return fail(m, at, "the compressed data ends early");
        return fail(m, at, "the compressed data is corrupt (zlib: %s)", msg ? msg : "error");
    }
    m->inflated += len;
    *out = buf;
    *n = len;
    return 0;
}

int ov_mat_check(const uint8_t *data, size_t n, const char *name) {
    Mc m = {.name = name, .base = data, .zip_at = -1};
    if (n < 128) return ov_error("%s: %zu bytes, shorter than a MAT file's 128-byte header", name, n);
    if (data[126] == 'I' && data[127] == 'M') m.swap = false;
    else if (data[126] == 'M' && data[127] == 'I') m.swap = true;
    else return ov_error("%s: byte 126: no MAT byte-order mark (IM or MI)", name);
    unsigned version = m.swap ? (unsigned)(data[124] << 8 | data[125]) : (unsigned)(data[125] << 8 | data[124]);
    if (version == 0x0200) return ov_error("%s: a MAT 7.3 (HDF5) file; save it with -v7 or -v6", name);
    if (version != 0x0100) return ov_error("%s: byte 124: MAT version 0x%04x (expected 0x0100)", name, version);
    const uint8_t *p = data + 128, *end = data + n;
    while (p < end) {
        bool zeros = true; /* trailing zero padding ends the file */
        for (const uint8_t *q = p; q < end && zeros; q++) zeros = !*q;
        if (zeros) break;
        Elem e = {0};
        if (elem(&m, p, end, &e)) return -1;
        if (e.type == MI_COMPRESSED) {
            uint8_t *buf = NULL;
            size_t len = 0;
            if (inflate_all(&m, p, &e, &buf, &len)) return -1;
            Mc z = m;
            z.base = buf;
            z.zip_at = (long)(p - data);
            Elem in;
            int rc = elem(&z, buf, buf + len, &in);
            if (!rc && in.type != MI_MATRIX) rc = fail(&z, buf, "the compressed element holds type %u, not a matrix", in.type);
            if (!rc) rc = check_matrix(&z, in.data, in.data + in.nbytes, 0);
            m.inflated = z.inflated;
            free(buf);
            if (rc) return -1;
            p = e.data + e.nbytes; /* compressed elements are not padded */
        } else if (e.type == MI_MATRIX) {
            if (check_matrix(&m, e.data, e.data + e.nbytes, 0)) return -1;
            p += e.size;
        } else {
            return fail(&m, p, "a top-level element of type %u (expected a matrix or compressed data)", e.type);
        }
    }
    return 0;
}

int ov_mat_check_file(const char *path) {
    uint8_t *data;
    size_t n;
    if (ov_read_file(path, &data, &n)) return -1;
    int rc = ov_mat_check(data, n, path);
    free(data);
    return rc;
}
