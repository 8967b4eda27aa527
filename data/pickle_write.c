/* pickle_write.c: protocol-2 pickles of plain data and numpy float32 arrays (see pickle_write.h).
 *
 * The calls build a tree; ov_pkw_bytes_out serializes it the way Python's pickle.dumps does at
 * protocol 2, followed by pickletools.optimize, so the bytes equal
 * pickletools.optimize(pickle.dumps(obj, 2)) of the object Python loads back:
 *   - containers: EMPTY_LIST / EMPTY_DICT then batches of 1000 (MARK ... APPENDS / SETITEMS; a
 *     container of one item with APPEND / SETITEM), as the C pickler (Modules/_pickle.c) does;
 *     tuples of up to 3 items with TUPLE1..3;
 *   - the memo: Python memoizes every object, and optimize keeps a PUT only where a GET follows.
 *     Objects met more than once are the globals, the 'latin1' constant, the dtype, and the
 *     strings and bytes CPython keeps as singletons (empty, or one character below 256). A first
 *     pass counts their uses; the second puts those used twice or more, numbered in order.
 *   - bytes as _codecs.encode(u'<one code point per byte>', 'latin1'), b'' as __builtin__.bytes(). */
#include "data/pickle_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/error.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pickle_write.c writes host floats as numpy '<f4' and assumes a little-endian host"
#endif

enum { BATCH = 1000, MAX_DEPTH = 64 };

typedef enum { N_NONE, N_BOOL, N_INT, N_FLOAT, N_STR, N_BYTES, N_LIST, N_TUPLE, N_DICT, N_ARRAY } Kind;

typedef struct Node Node;
struct Node {
    Kind kind;
    int64_t i;
    double f;
    uint8_t *s; /* STR (UTF-8), BYTES, ARRAY data */
    size_t len;
    int ndim;
    int64_t *shape;
    Node **items;
    int n, cap;
};

/* Objects that can be met more than once. */
enum {
    K_RECONSTRUCT, K_NDARRAY, K_ENCODE, K_LATIN1, K_DTYPE, K_BYTES_EMPTY,
    K_BYTES1,               /* + byte value: the 256 one-byte bytes objects */
    K_STR_EMPTY = K_BYTES1 + 256,
    K_STR1,                 /* + code point < 256: one-character strings */
    K_COUNT = K_STR1 + 256
};

struct ovPickleWriter {
    Node *root;
    Node *stack[MAX_DEPTH];
    int depth;
    /* serialization */
    uint8_t *buf;
    size_t len, cap;
    int count_only;
    int uses[K_COUNT];
    int memo[K_COUNT]; /* memo index once put, else -1 */
    int next_memo;
};

/* ---- the tree ---- */

static void *xalloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p) ov_panic("pickle_write: out of memory for %zu bytes", n);
    return p;
}

static void add(ovPickleWriter *w, Node *nd) {
    if (!w->depth) {
        if (w->root) ov_panic("pickle_write: a second top-level object (wrap them in a container)");
        w->root = nd;
        return;
    }
    Node *p = w->stack[w->depth - 1];
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        Node **it = realloc(p->items, (size_t)p->cap * sizeof *it);
        if (!it) ov_panic("pickle_write: out of memory");
        p->items = it;
    }
    p->items[p->n++] = nd;
}

static Node *leaf(ovPickleWriter *w, Kind k) {
    if (w->buf) ov_panic("pickle_write: writing after the pickle was finished");
    Node *nd = xalloc(sizeof *nd);
    nd->kind = k;
    add(w, nd);
    return nd;
}

static void free_node(Node *nd) {
    if (!nd) return;
    for (int i = 0; i < nd->n; i++) free_node(nd->items[i]);
    free(nd->items);
    free(nd->s);
    free(nd->shape);
    free(nd);
}

ovPickleWriter *ov_pkw_new(void) { return xalloc(sizeof(ovPickleWriter)); }

void ov_pkw_free(ovPickleWriter *w) {
    if (!w) return;
    free_node(w->root); /* every node hangs from the root, open containers too */
    free(w->buf);
    free(w);
}

void ov_pkw_none(ovPickleWriter *w) { leaf(w, N_NONE); }
void ov_pkw_bool(ovPickleWriter *w, int v) { leaf(w, N_BOOL)->i = v != 0; }
void ov_pkw_int(ovPickleWriter *w, int64_t v) { leaf(w, N_INT)->i = v; }
void ov_pkw_float(ovPickleWriter *w, double v) { leaf(w, N_FLOAT)->f = v; }

static void copy_into(Node *nd, const void *p, size_t n) {
    nd->s = xalloc(n + 1);
    if (n) memcpy(nd->s, p, n);
    nd->len = n;
}

void ov_pkw_str_n(ovPickleWriter *w, const char *s, size_t n) { copy_into(leaf(w, N_STR), s, n); }
void ov_pkw_str(ovPickleWriter *w, const char *s) { ov_pkw_str_n(w, s, strlen(s)); }
void ov_pkw_bytes(ovPickleWriter *w, const void *data, size_t n) { copy_into(leaf(w, N_BYTES), data, n); }

static void begin(ovPickleWriter *w, Kind k) {
    if (w->depth == MAX_DEPTH) ov_panic("pickle_write: containers nested deeper than %d", MAX_DEPTH);
    Node *nd = leaf(w, k);
    w->stack[w->depth++] = nd;
}

static void end(ovPickleWriter *w, Kind k) {
    static const char *const names[] = {[N_LIST] = "list", [N_TUPLE] = "tuple", [N_DICT] = "dict"};
    if (!w->depth || w->stack[w->depth - 1]->kind != k)
        ov_panic("pickle_write: %s_end without a matching %s_begin", names[k], names[k]);
    if (k == N_DICT && w->stack[w->depth - 1]->n % 2) ov_panic("pickle_write: a dict ended with a key and no value");
    w->depth--;
}

void ov_pkw_list_begin(ovPickleWriter *w) { begin(w, N_LIST); }
void ov_pkw_list_end(ovPickleWriter *w) { end(w, N_LIST); }
void ov_pkw_tuple_begin(ovPickleWriter *w) { begin(w, N_TUPLE); }
void ov_pkw_tuple_end(ovPickleWriter *w) { end(w, N_TUPLE); }
void ov_pkw_dict_begin(ovPickleWriter *w) { begin(w, N_DICT); }
void ov_pkw_dict_end(ovPickleWriter *w) { end(w, N_DICT); }

void ov_pkw_array_f32(ovPickleWriter *w, const float *data, int ndim, const int64_t *shape) {
    if (ndim < 0 || ndim > 32) ov_panic("pickle_write: an array of %d dimensions", ndim);
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) ov_panic("pickle_write: negative array dimension %lld", (long long)shape[i]);
        numel *= shape[i];
    }
    Node *nd = leaf(w, N_ARRAY);
    nd->ndim = ndim;
    nd->shape = xalloc((size_t)(ndim ? ndim : 1) * sizeof *nd->shape);
    if (ndim) memcpy(nd->shape, shape, (size_t)ndim * sizeof *shape);
    copy_into(nd, data, (size_t)numel * 4);
}

/* ---- serialization ---- */

/* n more bytes at the end of the output (NULL while counting). */
static uint8_t *reserve(ovPickleWriter *w, size_t n) {
    if (w->count_only) return NULL;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n) cap *= 2;
        uint8_t *b = realloc(w->buf, cap);
        if (!b) ov_panic("pickle_write: out of memory for %zu bytes", cap);
        w->buf = b;
        w->cap = cap;
    }
    w->len += n;
    return w->buf + w->len - n;
}

static void put(ovPickleWriter *w, const void *p, size_t n) {
    uint8_t *d = reserve(w, n);
    if (d) memcpy(d, p, n);
}

static void op(ovPickleWriter *w, uint8_t c) { put(w, &c, 1); }

static void le32(ovPickleWriter *w, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(w, b, 4);
}

static void memo_op(ovPickleWriter *w, uint8_t short_op, uint8_t long_op, int k) {
    if (k < 256) {
        uint8_t b[2] = {short_op, (uint8_t)k};
        put(w, b, 2);
    } else {
        op(w, long_op);
        le32(w, (uint32_t)k);
    }
}

/* A shared object: 1 when it was fetched from the memo (nothing more to write). While counting,
 * only counts. */
static int shared_get(ovPickleWriter *w, int key) {
    if (w->count_only) return w->uses[key]++ > 0;
    if (w->memo[key] < 0) return 0;
    memo_op(w, 'h', 'j', w->memo[key]); /* BINGET / LONG_BINGET */
    return 1;
}

/* After writing a shared object for the first time: PUT it if it will be fetched again. */
static void shared_put(ovPickleWriter *w, int key) {
    if (w->count_only || w->uses[key] < 2) return;
    w->memo[key] = w->next_memo++;
    memo_op(w, 'q', 'r', w->memo[key]); /* BINPUT / LONG_BINPUT */
}

static void global(ovPickleWriter *w, const char *module, const char *name) {
    op(w, 'c');
    put(w, module, strlen(module));
    op(w, '\n');
    put(w, name, strlen(name));
    op(w, '\n');
}

static void shared_global(ovPickleWriter *w, int key, const char *module, const char *name) {
    if (shared_get(w, key)) return;
    global(w, module, name);
    shared_put(w, key);
}

static void emit_int(ovPickleWriter *w, int64_t v) {
    if (v >= 0 && v <= 0xff) {
        uint8_t b[2] = {'K', (uint8_t)v};
        put(w, b, 2);
    } else if (v >= 0 && v <= 0xffff) {
        uint8_t b[3] = {'M', (uint8_t)v, (uint8_t)(v >> 8)};
        put(w, b, 3);
    } else if (v >= -0x80000000LL && v <= 0x7fffffffLL) {
        op(w, 'J');
        le32(w, (uint32_t)v);
    } else {
        /* LONG1: the shortest little-endian two's complement that keeps the sign */
        uint8_t b[10] = {0x8a};
        int n = 0;
        uint64_t u = (uint64_t)v;
        for (;;) {
            uint8_t byte = (uint8_t)u;
            b[2 + n++] = byte;
            u = (uint64_t)((int64_t)u >> 8);
            if ((u == 0 && !(byte & 0x80)) || (u == UINT64_MAX && (byte & 0x80))) break;
        }
        b[1] = (uint8_t)n;
        put(w, b, (size_t)(2 + n));
    }
}

/* The memo key of a str CPython keeps as a singleton (empty, or one code point below 256), or -1. */
static int str_key(const uint8_t *s, size_t n) {
    if (n == 0) return K_STR_EMPTY;
    if (n == 1 && s[0] < 0x80) return K_STR1 + s[0];
    if (n == 2 && (s[0] == 0xc2 || s[0] == 0xc3) && (s[1] & 0xc0) == 0x80) return K_STR1 + (((s[0] & 3) << 6) | (s[1] & 0x3f));
    return -1;
}

static void emit_str(ovPickleWriter *w, const uint8_t *s, size_t n) {
    int key = str_key(s, n);
    if (key >= 0 && shared_get(w, key)) return;
    op(w, 'X'); /* BINUNICODE: u32 length, UTF-8 */
    le32(w, (uint32_t)n);
    put(w, s, n);
    if (key >= 0) shared_put(w, key);
}

static void emit_bytes(ovPickleWriter *w, const uint8_t *p, size_t n) {
    if (n == 0) { /* __builtin__.bytes() */
        if (shared_get(w, K_BYTES_EMPTY)) return;
        global(w, "__builtin__", "bytes");
        op(w, ')');
        op(w, 'R');
        shared_put(w, K_BYTES_EMPTY);
        return;
    }
    if (n == 1 && shared_get(w, K_BYTES1 + p[0])) return;
    /* _codecs.encode(<str of code points p[i]>, 'latin1'); the str is UTF-8, two bytes above 0x7f */
    shared_global(w, K_ENCODE, "_codecs", "encode");
    size_t m = n;
    for (size_t i = 0; i < n; i++) m += p[i] >> 7;
    if (n == 1) {
        uint8_t u[2] = {p[0] < 0x80 ? p[0] : (uint8_t)(0xc0 | (p[0] >> 6)), (uint8_t)(0x80 | (p[0] & 0x3f))};
        emit_str(w, u, m);
    } else {
        op(w, 'X');
        le32(w, (uint32_t)m);
        uint8_t *d = reserve(w, m);
        for (size_t i = 0; d && i < n; i++) {
            if (p[i] < 0x80) {
                *d++ = p[i];
            } else {
                *d++ = (uint8_t)(0xc0 | (p[i] >> 6));
                *d++ = (uint8_t)(0x80 | (p[i] & 0x3f));
            }
        }
    }
    if (!shared_get(w, K_LATIN1)) {
        emit_str(w, (const uint8_t *)"latin1", 6);
        shared_put(w, K_LATIN1);
    }
    op(w, 0x86); /* TUPLE2 */
    op(w, 'R');  /* REDUCE */
    if (n == 1) shared_put(w, K_BYTES1 + p[0]);
}

/* dtype('f4', False, True) with its state (3, '<', None, None, None, -1, -1, 0). */
static void emit_dtype(ovPickleWriter *w) {
    if (shared_get(w, K_DTYPE)) return;
    global(w, "numpy", "dtype");
    emit_str(w, (const uint8_t *)"f4", 2);
    op(w, 0x89); /* NEWFALSE */
    op(w, 0x88); /* NEWTRUE */
    op(w, 0x87); /* TUPLE3 */
    op(w, 'R');
    shared_put(w, K_DTYPE);
    op(w, '(');
    emit_int(w, 3);
    emit_str(w, (const uint8_t *)"<", 1);
    op(w, 'N');
    op(w, 'N');
    op(w, 'N');
    emit_int(w, -1);
    emit_int(w, -1);
    emit_int(w, 0);
    op(w, 't');
    op(w, 'b'); /* BUILD */
}

static void emit(ovPickleWriter *w, const Node *nd);

/* The items as the C pickler's batch_list_exact / batch_dict_exact write them: a lone item
 * with APPEND / SETITEM, otherwise batches of 1000 (key-value pairs for a dict: group 2), each
 * MARK ... APPENDS / SETITEMS, the last one too however short. */
static void emit_batches(ovPickleWriter *w, const Node *nd, int group, uint8_t one, uint8_t many) {
    if (nd->n == group) {
        for (int i = 0; i < nd->n; i++) emit(w, nd->items[i]);
        op(w, one);
        return;
    }
    for (int from = 0; from < nd->n; from += BATCH * group) {
        int to = from + BATCH * group < nd->n ? from + BATCH * group : nd->n;
        op(w, '(');
        for (int i = from; i < to; i++) emit(w, nd->items[i]);
        op(w, many);
    }
}

static void emit(ovPickleWriter *w, const Node *nd) {
    switch (nd->kind) {
    case N_NONE:
        op(w, 'N');
        break;
    case N_BOOL:
        op(w, nd->i ? 0x88 : 0x89);
        break;
    case N_INT:
        emit_int(w, nd->i);
        break;
    case N_FLOAT: { /* BINFLOAT: the IEEE double, big-endian */
        uint64_t u;
        memcpy(&u, &nd->f, 8);
        uint8_t b[9] = {'G'};
        for (int i = 0; i < 8; i++) b[1 + i] = (uint8_t)(u >> (56 - 8 * i));
        put(w, b, 9);
        break;
    }
    case N_STR:
        emit_str(w, nd->s, nd->len);
        break;
    case N_BYTES:
        emit_bytes(w, nd->s, nd->len);
        break;
    case N_LIST:
        op(w, ']');
        emit_batches(w, nd, 1, 'a', 'e');
        break;
    case N_DICT:
        op(w, '}');
        emit_batches(w, nd, 2, 's', 'u');
        break;
    case N_TUPLE:
        if (nd->n == 0) {
            op(w, ')');
            break;
        }
        if (nd->n > 3) op(w, '(');
        for (int i = 0; i < nd->n; i++) emit(w, nd->items[i]);
        op(w, nd->n > 3 ? 't' : (uint8_t)(0x84 + nd->n)); /* TUPLE or TUPLE1..3 */
        break;
    case N_ARRAY:
        /* _reconstruct(ndarray, (0,), b'b'), then BUILD (1, shape, dtype, False, data) */
        shared_global(w, K_RECONSTRUCT, "numpy.core.multiarray", "_reconstruct");
        shared_global(w, K_NDARRAY, "numpy", "ndarray");
        emit_int(w, 0);
        op(w, 0x85);
        emit_bytes(w, (const uint8_t *)"b", 1);
        op(w, 0x87);
        op(w, 'R');
        op(w, '(');
        emit_int(w, 1);
        if (nd->ndim == 0) {
            op(w, ')');
        } else {
            if (nd->ndim > 3) op(w, '(');
            for (int i = 0; i < nd->ndim; i++) emit_int(w, nd->shape[i]);
            op(w, nd->ndim > 3 ? 't' : (uint8_t)(0x84 + nd->ndim));
        }
        emit_dtype(w);
        op(w, 0x89);
        emit_bytes(w, nd->s, nd->len);
        op(w, 't');
        op(w, 'b');
        break;
    }
}

const uint8_t *ov_pkw_bytes_out(ovPickleWriter *w, size_t *n) {
    if (w->depth) ov_panic("pickle_write: %d container(s) still open", w->depth);
    if (!w->root) ov_panic("pickle_write: nothing was written");
    if (!w->buf) {
        /* pass 1 counts the uses of shared objects, pass 2 writes */
        memset(w->uses, 0, sizeof w->uses);
        w->count_only = 1;
        emit(w, w->root);
        w->count_only = 0;
        for (int k = 0; k < K_COUNT; k++) w->memo[k] = -1;
        w->next_memo = 0;
        uint8_t proto[2] = {0x80, 2};
        put(w, proto, 2);
        emit(w, w->root);
        op(w, '.'); /* STOP */
    }
    *n = w->len;
    return w->buf;
}

int ov_pkw_save(ovPickleWriter *w, const char *path) {
    size_t n;
    const uint8_t *b = ov_pkw_bytes_out(w, &n);
    FILE *f = fopen(path, "wb");
    if (!f) return ov_error("%s: cannot create: %s", path, strerror(errno));
    size_t k = fwrite(b, 1, n, f);
    int bad = fclose(f) != 0 || k != n;
    if (bad) {
        remove(path);
        return ov_error("%s: write error: %s", path, strerror(errno));
    }
    return 0;
}
