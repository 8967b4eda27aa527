/* pickle_value.c: the values a pickle is read into (see pickle.h): the arena that owns them,
 * containers, Python's equality and hashing for dict keys (a dict is ordered and takes any
 * hashable key, like Python's), and a canonical text form used by the tests and `--dump`s.
 *
 * The text form mirrors Python's repr closely enough that tools/gen_pickle_fixtures.py can
 * print the same string from the original object: None True False 12 1.5 "str" b"bytes"
 * s"py2 str" ba"bytearray" (t, u) [l] {k: v} o{ordered} set{..} frozenset{..} <module.name>
 * reduce(<f>, (args)) newobj(..) persid(..), and .setstate(state) after a value a BUILD hit. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/pickle_impl.h"
#include "tensor/error.h"

#define SMALL_DICT 8   /* dicts up to this size are searched linearly */
#define HASH_DEPTH 64     /* keys nested deeper than this count as unhashable */
#define HASH_BUDGET 100000 /* values visited per hash or comparison: a shared-tuple DAG cannot blow up */

void *pk_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) ov_panic("pickle: out of memory allocating %zu bytes", n);
    return p;
}

void *pk_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) ov_panic("pickle: out of memory allocating %zu bytes", n);
    return q;
}

ovPkValue *pk_alloc(ovPickle *pk, ovPkKind kind) {
    if (!pk->chunks || pk->chunks->used == PK_CHUNK) {
        PkChunk *c = calloc(1, sizeof *c);
        if (!c) ov_panic("pickle: out of memory");
        c->next = pk->chunks;
        pk->chunks = c;
    }
    ovPkValue *v = &pk->chunks->v[pk->chunks->used++];
    v->kind = kind;
    v->offset = pk->cur_offset;
    return v;
}

ovPkValue *pk_alloc_bytes(ovPickle *pk, ovPkKind kind, const void *s, size_t len) {
    ovPkValue *v = pk_alloc(pk, kind);
    v->s = pk_xmalloc(len + 1);
    if (len) memcpy(v->s, s, len);
    v->s[len] = 0;
    v->len = len;
    return v;
}

ovPkValue *ov_pk_new(ovPickle *pk, ovPkKind kind) { return pk_alloc(pk, kind); }

ovPkValue *ov_pk_new_str(ovPickle *pk, ovPkKind kind, const char *s, size_t len) {
    return pk_alloc_bytes(pk, kind, s, len);
}

void ov_pickle_free(ovPickle *pk) {
    if (!pk) return;
    for (PkChunk *c = pk->chunks, *next; c; c = next) {
        next = c->next;
        for (int i = 0; i < c->used; i++) {
            ovPkValue *v = &c->v[i];
            free(v->s);
            free(v->name);
            free(v->items);
            free(v->values);
            free(v->hidx);
        }
        free(c);
    }
    free(pk->name);
    free(pk);
}

ovPkValue *ov_pickle_root(const ovPickle *pk) { return pk->root; }
size_t ov_pickle_end(const ovPickle *pk) { return pk->end; }
int ov_pickle_protocol(const ovPickle *pk) { return pk->proto; }
const char *ov_pickle_name(const ovPickle *pk) { return pk->name; }

static void grow(ovPkValue *v, int need) {
    if (need <= v->cap) return;
    int cap = v->cap ? v->cap : 4;
    while (cap < need) cap *= 2;
    v->items = pk_xrealloc(v->items, sizeof(ovPkValue *) * (size_t)cap);
    if (v->kind == OV_PK_DICT || v->kind == OV_PK_SET || v->kind == OV_PK_FROZENSET)
        v->values = pk_xrealloc(v->values, sizeof(ovPkValue *) * (size_t)cap);
    v->cap = cap;
}

void ov_pk_append(ovPkValue *seq, ovPkValue *item) {
    grow(seq, seq->n + 1);
    seq->items[seq->n++] = item;
}

/* ---- hashing and equality (Python's rules for the hashable kinds) ---- */

static bool is_text(const ovPkValue *v) {
    return v->kind == OV_PK_STR || (v->kind == OV_PK_BYTES && (v->flags & OV_PK_PY2STR));
}

bool ov_pk_is_str(const ovPkValue *v) { return v && is_text(v); }
bool ov_pk_is_int(const ovPkValue *v) { return v && (v->kind == OV_PK_INT || v->kind == OV_PK_BOOL); }

static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static uint64_t hash_bytes(const char *s, size_t n, uint64_t seed) {
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return mix(h);
}

/* Numbers equal in value (True == 1 == 1.0) must hash alike. */
static bool as_exact_int(const ovPkValue *v, int64_t *out) {
    if (v->kind == OV_PK_INT || v->kind == OV_PK_BOOL) {
        *out = v->i;
        return true;
    }
    if (v->kind == OV_PK_FLOAT && v->f == floor(v->f) && v->f >= -9.2e18 && v->f <= 9.2e18) {
        *out = (int64_t)v->f;
        return true;
    }
    return false;
}

/* 0 and *h, or -1 when v is not hashable. */
static int hash_value(const ovPkValue *v, uint64_t *h, int depth, int *budget) {
    if (depth > HASH_DEPTH || --*budget < 0) return -1;
    int64_t iv;
    switch (v->kind) {
    case OV_PK_NONE: *h = 0x9e3779b97f4a7c15ull; return 0;
    case OV_PK_BOOL:
    case OV_PK_INT:
    case OV_PK_FLOAT:
        if (as_exact_int(v, &iv)) {
            *h = mix((uint64_t)iv);
        } else {
            double f = v->f;
            uint64_t bits;
            memcpy(&bits, &f, 8);
            *h = mix(bits ^ 0x5555);
        }
        return 0;
    case OV_PK_BIGINT: *h = hash_bytes(v->s, v->len, 1); return 0;
    case OV_PK_STR: *h = hash_bytes(v->s, v->len, 2); return 0;
    case OV_PK_BYTES: *h = hash_bytes(v->s, v->len, is_text(v) ? 2 : 3); return 0;
    case OV_PK_GLOBAL: *h = hash_bytes(v->s, v->len, 4) ^ hash_bytes(v->name, strlen(v->name), 5); return 0;
    case OV_PK_TUPLE: {
        uint64_t acc = 0x345678;
        for (int i = 0; i < v->n; i++) {
            uint64_t hi;
            if (hash_value(v->items[i], &hi, depth + 1, budget)) return -1;
            acc = mix(acc * 1000003 ^ hi);
        }
        *h = acc;
        return 0;
    }
    case OV_PK_FROZENSET: {
        uint64_t acc = 0x1234;
        for (int i = 0; i < v->n; i++) {
            uint64_t hi;
            if (hash_value(v->items[i], &hi, depth + 1, budget)) return -1;
            acc += hi; /* order-free */
        }
        *h = mix(acc);
        return 0;
    }
    case OV_PK_OBJECT:
    case OV_PK_PERSID: *h = mix((uint64_t)(uintptr_t)v); return 0; /* identity, like object.__hash__ */
    default: return -1; /* list, dict, set */
    }
}

static bool equal(const ovPkValue *a, const ovPkValue *b, int depth, int *budget);

static bool set_contains(const ovPkValue *set, const ovPkValue *item, int depth, int *budget) {
    for (int i = 0; i < set->n; i++)
        if (equal(set->items[i], item, depth, budget)) return true;
    return false;
}

static bool equal(const ovPkValue *a, const ovPkValue *b, int depth, int *budget) {
    if (a == b) return true;
    if (depth > HASH_DEPTH || --*budget < 0) return false;
    int64_t x, y;
    if (as_exact_int(a, &x) && as_exact_int(b, &y)) return x == y;
    bool an = a->kind == OV_PK_INT || a->kind == OV_PK_BOOL || a->kind == OV_PK_FLOAT;
    bool bn = b->kind == OV_PK_INT || b->kind == OV_PK_BOOL || b->kind == OV_PK_FLOAT;
    if (an && bn) {
        double fa = a->kind == OV_PK_FLOAT ? a->f : (double)a->i, fb = b->kind == OV_PK_FLOAT ? b->f : (double)b->i;
        return fa == fb;
    }
    if (is_text(a) && is_text(b)) return a->len == b->len && !memcmp(a->s, b->s, a->len);
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case OV_PK_NONE: return true;
    case OV_PK_BIGINT:
    case OV_PK_BYTES: return a->len == b->len && !memcmp(a->s, b->s, a->len);
    case OV_PK_GLOBAL: return !strcmp(a->s, b->s) && !strcmp(a->name, b->name);
    case OV_PK_TUPLE:
    case OV_PK_LIST:
        if (a->n != b->n) return false;
        for (int i = 0; i < a->n; i++)
            if (!equal(a->items[i], b->items[i], depth + 1, budget)) return false;
        return true;
    case OV_PK_SET:
    case OV_PK_FROZENSET:
        if (a->n != b->n) return false;
        for (int i = 0; i < a->n; i++)
            if (!set_contains(b, a->items[i], depth + 1, budget)) return false;
        return true;
    default: return false; /* objects, dicts: identity only */
    }
}

static bool keys_equal(const ovPkValue *a, const ovPkValue *b) {
    int budget = HASH_BUDGET;
    return equal(a, b, 0, &budget);
}

static int hash_key(const ovPkValue *v, uint64_t *h) {
    int budget = HASH_BUDGET;
    return hash_value(v, h, 0, &budget);
}

bool ov_pk_equal(const ovPkValue *a, const ovPkValue *b) { return a && b && keys_equal(a, b); }

/* Open addressing over entry indices + 1 (0 = empty); rebuilt as the dict grows. */
static void index_insert(ovPkValue *d, uint64_t h, int entry) {
    size_t mask = (size_t)d->hcap - 1;
    for (size_t at = h & mask;; at = (at + 1) & mask)
        if (!d->hidx[at]) {
            d->hidx[at] = entry + 1;
            return;
        }
}

static void index_rebuild(ovPkValue *d) {
    int cap = 64;
    while (cap < 2 * (d->n + 1)) cap *= 2;
    free(d->hidx);
    d->hidx = calloc((size_t)cap, sizeof(int32_t));
    if (!d->hidx) ov_panic("pickle: out of memory");
    d->hcap = cap;
    for (int i = 0; i < d->n; i++) {
        uint64_t h = 0;
        hash_key(d->items[i], &h); /* keys in the dict were hashable */
        index_insert(d, h, i);
    }
}

static int find_key(const ovPkValue *d, const ovPkValue *key, uint64_t h) {
    if (!d->hidx) {
        for (int i = 0; i < d->n; i++)
            if (keys_equal(d->items[i], key)) return i;
        return -1;
    }
    size_t mask = (size_t)d->hcap - 1;
    for (size_t at = h & mask; d->hidx[at]; at = (at + 1) & mask)
        if (keys_equal(d->items[d->hidx[at] - 1], key)) return d->hidx[at] - 1;
    return -1;
}

int ov_pk_dict_set(ovPkValue *d, ovPkValue *key, ovPkValue *value, const char **why) {
    uint64_t h;
    if (hash_key(key, &h)) {
        *why = key->kind == OV_PK_LIST   ? "unhashable key: a list"
               : key->kind == OV_PK_DICT ? "unhashable key: a dict"
               : key->kind == OV_PK_SET  ? "unhashable key: a set"
                                         : "unhashable key (holding a list, dict or set, or nested too deeply)";
        return -1;
    }
    int at = find_key(d, key, h);
    if (at >= 0) { /* Python keeps the first key object and replaces the value */
        d->values[at] = value;
        return 0;
    }
    grow(d, d->n + 1);
    d->items[d->n] = key;
    d->values[d->n] = value;
    d->n++;
    if (d->n > SMALL_DICT) {
        if (!d->hidx || 2 * d->n > d->hcap)
            index_rebuild(d);
        else
            index_insert(d, h, d->n - 1);
    }
    return 0;
}

ovPkValue *ov_pk_get(const ovPkValue *d, const char *key) {
    if (!d || d->kind != OV_PK_DICT) return NULL;
    ovPkValue k = {.kind = OV_PK_STR, .s = (char *)key, .len = strlen(key)};
    uint64_t h;
    hash_key(&k, &h);
    int at = find_key(d, &k, h);
    return at < 0 ? NULL : d->values[at];
}

bool ov_pk_is_global(const ovPkValue *v, const char *module, const char *name) {
    return v && v->kind == OV_PK_GLOBAL && !strcmp(v->s, module) && !strcmp(v->name, name);
}

bool ov_pk_is_call(const ovPkValue *v, const char *module, const char *name) {
    return v && v->kind == OV_PK_OBJECT && ov_pk_is_global(v->callable, module, name);
}

const char *ov_pk_kind_name(ovPkKind k) {
    static const char *names[OV_PK_KIND_COUNT] = {
        "None", "bool", "int", "int", "float", "str", "bytes", "tuple",
        "list", "dict", "set", "frozenset", "global", "object", "persistent id",
    };
    return (unsigned)k < OV_PK_KIND_COUNT ? names[k] : "?";
}

/* ---- integers and UTF-8 ---- */

char *pk_bigint_decimal(const unsigned char *b, size_t n) {
    bool neg = n && (b[n - 1] & 0x80);
    unsigned char *mag = pk_xmalloc(n + 1);
    unsigned carry = 1;
    for (size_t i = 0; i < n; i++) { /* |x|: two's complement negation when negative */
        unsigned v = neg ? (unsigned)(unsigned char)~b[i] + carry : b[i];
        mag[i] = (unsigned char)v;
        carry = neg ? v >> 8 : 0;
    }
    size_t len = n, cap = n * 3 + 3, k = 0;
    char *digits = pk_xmalloc(cap);
    while (len && !mag[len - 1]) len--;
    do { /* divide the magnitude by 10, collecting remainders */
        unsigned rem = 0;
        for (size_t i = len; i-- > 0;) {
            unsigned cur = rem << 8 | mag[i];
            mag[i] = (unsigned char)(cur / 10);
            rem = cur % 10;
        }
        digits[k++] = (char)('0' + rem);
        while (len && !mag[len - 1]) len--;
    } while (len);
    if (neg) digits[k++] = '-';
    for (size_t i = 0; i < k / 2; i++) {
        char t = digits[i];
        digits[i] = digits[k - 1 - i];
        digits[k - 1 - i] = t;
    }
    digits[k] = 0;
    free(mag);
    return digits;
}

const char *ov_pk_int_str(const ovPkValue *v, char *buf, size_t n) {
    if (!n) return buf;
    if (v->kind == OV_PK_BIGINT) {
        char *d = pk_bigint_decimal((const unsigned char *)v->s, v->len);
        snprintf(buf, n, "%s", d);
        free(d);
    } else {
        snprintf(buf, n, "%" PRId64, v->i);
    }
    return buf;
}

bool pk_utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int extra;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) extra = 1, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0) extra = 2, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0) extra = 3, cp = c & 0x07, min = 0x10000;
        else return false;
        if (n - i <= (size_t)extra) return false;
        for (int k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff) return false;
        i += (size_t)extra + 1;
    }
    return true;
}

size_t pk_utf8_put(unsigned char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- canonical text ---- */

typedef struct {
    char *buf;
    size_t len, cap, max;
    bool cut;
} Out;

static void put(Out *o, const char *s, size_t n) {
    if (o->cut) return;
    if (o->len + n > o->max) {
        n = o->max > o->len ? o->max - o->len : 0;
        o->cut = true;
    }
    if (o->len + n + 4 > o->cap) {
        while (o->len + n + 4 > o->cap) o->cap = o->cap ? 2 * o->cap : 256;
        o->buf = pk_xrealloc(o->buf, o->cap);
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    if (o->cut) {
        memcpy(o->buf + o->len, "...", 3);
        o->len += 3;
    }
}

static void puts_(Out *o, const char *s) { put(o, s, strlen(s)); }

static void putf(Out *o, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    puts_(o, tmp);
}

/* Quoted with \\, \" and \xHH for control bytes (and for every byte >= 0x7f unless text). */
static void put_quoted(Out *o, const char *s, size_t n, bool text) {
    put(o, "\"", 1);
    for (size_t i = 0; i < n && !o->cut; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '"') {
            char e[2] = {'\\', (char)c};
            put(o, e, 2);
        } else if (c < 0x20 || c == 0x7f || (!text && c >= 0x80)) {
            putf(o, "\\x%02x", c);
        } else {
            put(o, (const char *)&c, 1);
        }
    }
    put(o, "\"", 1);
}

static void repr(Out *o, const ovPkValue *v, int depth);

static void repr_items(Out *o, ovPkValue *const *items, int n, int depth) {
    for (int i = 0; i < n && !o->cut; i++) {
        if (i) puts_(o, ", ");
        repr(o, items[i], depth);
    }
}

static void repr_dict(Out *o, const ovPkValue *v, int depth) {
    for (int i = 0; i < v->n && !o->cut; i++) {
        if (i) puts_(o, ", ");
        repr(o, v->items[i], depth);
        puts_(o, ": ");
        repr(o, v->values[i], depth);
    }
}

static void repr(Out *o, const ovPkValue *v, int depth) {
    if (o->cut) return;
    if (!v) {
        puts_(o, "NULL");
        return;
    }
    if (depth <= 0) {
        puts_(o, "...");
        return;
    }
    depth--;
    switch (v->kind) {
    case OV_PK_NONE: puts_(o, "None"); break;
    case OV_PK_BOOL: puts_(o, v->i ? "True" : "False"); break;
    case OV_PK_INT: putf(o, "%" PRId64, v->i); break;
    case OV_PK_BIGINT: {
        char *d = pk_bigint_decimal((const unsigned char *)v->s, v->len);
        puts_(o, d);
        free(d);
        break;
    }
    case OV_PK_FLOAT: {
        char t[40];
        if (isnan(v->f)) snprintf(t, sizeof t, "nan");
        else if (isinf(v->f)) snprintf(t, sizeof t, v->f < 0 ? "-inf" : "inf");
        else {
            snprintf(t, sizeof t, "%.17g", v->f);
            if (!strpbrk(t, ".e")) strcat(t, ".0");
        }
        puts_(o, t);
        break;
    }
    case OV_PK_STR: put_quoted(o, v->s, v->len, true); break;
    case OV_PK_BYTES:
        puts_(o, v->flags & OV_PK_PY2STR ? "s" : v->flags & OV_PK_BYTEARRAY ? "ba" : "b");
        put_quoted(o, v->s, v->len, false);
        break;
    case OV_PK_TUPLE:
        puts_(o, "(");
        repr_items(o, v->items, v->n, depth);
        puts_(o, ")");
        break;
    case OV_PK_LIST:
        puts_(o, "[");
        repr_items(o, v->items, v->n, depth);
        puts_(o, "]");
        break;
    case OV_PK_DICT:
        puts_(o, v->flags & OV_PK_ORDERED ? "o{" : "{");
        repr_dict(o, v, depth);
        puts_(o, "}");
        break;
    case OV_PK_SET:
    case OV_PK_FROZENSET:
        puts_(o, v->kind == OV_PK_SET ? "set{" : "frozenset{");
        repr_items(o, v->items, v->n, depth);
        puts_(o, "}");
        break;
    case OV_PK_GLOBAL:
        puts_(o, "<");
        puts_(o, v->s);
        puts_(o, ".");
        puts_(o, v->name);
        puts_(o, ">");
        break;
    case OV_PK_OBJECT: {
        static const char *how[] = {"reduce", "newobj", "newobj_ex", "inst", "obj"};
        puts_(o, how[v->how]);
        puts_(o, "(");
        repr(o, v->callable, depth);
        puts_(o, ", ");
        repr(o, v->args, depth);
        if (v->kwargs) {
            puts_(o, ", ");
            repr(o, v->kwargs, depth);
        }
        puts_(o, ")");
        if (v->listitems) {
            puts_(o, ".extend(");
            repr(o, v->listitems, depth);
            puts_(o, ")");
        }
        if (v->dictitems) {
            puts_(o, ".update(");
            repr(o, v->dictitems, depth);
            puts_(o, ")");
        }
        break;
    }
    case OV_PK_PERSID:
        puts_(o, "persid(");
        repr(o, v->args, depth);
        puts_(o, ")");
        break;
    default: puts_(o, "?"); break;
    }
    if (v->state) {
        puts_(o, ".setstate(");
        repr(o, v->state, depth);
        puts_(o, ")");
    }
}

char *ov_pk_repr(const ovPkValue *v, int max_depth, size_t max_len) {
    Out o = {.max = max_len ? max_len : SIZE_MAX / 2};
    put(&o, "", 0);
    repr(&o, v, max_depth);
    o.buf[o.len] = 0;
    return o.buf;
}
