/* pickle.h: a reader for Python pickles (protocols 0 to 5) that never runs code.
 *
 * The pickle virtual machine of Python's Lib/pickle.py (the `_Unpickler` class) is replayed
 * opcode by opcode, but where Python would import a module and call a function, this reader
 * builds a value that records the reference: a GLOBAL (module, name), an OBJECT (callable,
 * arguments, and later the state a BUILD gave it) or a PERSID (a persistent id, which is how
 * torch.save points at tensor storages). The result is a tree of Python-like values (a graph,
 * in fact: memo references return the same node, and pickles may hold cycles) that the caller
 * interprets: nn/pth.c turns torch's `_rebuild_tensor_v2` objects into tensors, data/ will turn
 * numpy's `_reconstruct` objects into arrays.
 *
 * A few standard-library globals are pure data and are understood directly (see
 * pickle_builtins.c): collections.OrderedDict becomes a dict, builtins.set/frozenset become sets,
 * _codecs.encode(s, 'latin1') and bytearray(...) become bytes. Callers can veto globals
 * (a whitelist) and interpret calls and BUILDs of their own through ovPkHooks.
 *
 * Every malformed input (truncation, unknown opcode, stack underflow, a memo index never stored,
 * a length past the end) is rejected with a message naming the pickle, the byte offset of the
 * opcode and the fault; nothing leaks. */
#ifndef OV_PICKLE_H
#define OV_PICKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    OV_PK_NONE,
    OV_PK_BOOL,      /* i: 0 or 1 */
    OV_PK_INT,       /* i: any int that fits 64 bits */
    OV_PK_BIGINT,    /* s/len: little-endian two's complement bytes of a larger int */
    OV_PK_FLOAT,     /* f */
    OV_PK_STR,       /* s/len: UTF-8, NUL-terminated */
    OV_PK_BYTES,     /* s/len (NUL-terminated too); flags say Python-2 str or bytearray */
    OV_PK_TUPLE,     /* n items */
    OV_PK_LIST,      /* n items */
    OV_PK_DICT,      /* n entries: items[k] -> values[k], in insertion order */
    OV_PK_SET,       /* n items (stored like dict keys, values NULL) */
    OV_PK_FROZENSET, /* n items */
    OV_PK_GLOBAL,    /* s: module, name: attribute (an import that was not done) */
    OV_PK_OBJECT,    /* callable(*args, **kwargs), made by `how` */
    OV_PK_PERSID,    /* args: the persistent id (torch: a tuple ('storage', type, key, device, numel)) */
    OV_PK_KIND_COUNT
} ovPkKind;

enum {
    OV_PK_PY2STR = 1,    /* BYTES from a STRING/BINSTRING opcode: a Python-2 `str`, usually text */
    OV_PK_BYTEARRAY = 2, /* BYTES that were a bytearray */
    OV_PK_ORDERED = 4,   /* DICT that was a collections.OrderedDict */
};

/* How an OBJECT was made: REDUCE (callable(*args)), NEWOBJ (cls.__new__(cls, *args)),
 * NEWOBJ_EX (with kwargs), INST and OBJ (protocol 0/1 class instances). */
typedef enum { OV_PK_REDUCE, OV_PK_NEWOBJ, OV_PK_NEWOBJ_EX, OV_PK_INST, OV_PK_OBJ } ovPkHow;

typedef struct ovPkValue ovPkValue;
struct ovPkValue {
    ovPkKind kind;
    unsigned flags;
    int64_t i;
    double f;
    char *s; /* STR, BYTES, BIGINT bytes, GLOBAL module */
    size_t len;
    char *name; /* GLOBAL */
    int n;
    ovPkValue **items;  /* TUPLE, LIST, SET, FROZENSET items; DICT keys */
    ovPkValue **values; /* DICT values */
    ovPkHow how;
    ovPkValue *callable, *args, *kwargs; /* OBJECT (args is a TUPLE, kwargs a DICT or NULL); PERSID: args */
    ovPkValue *state;     /* what a BUILD gave this value (an object's __setstate__ argument), or NULL */
    ovPkValue *listitems; /* OBJECT: a LIST of what APPEND(S)/ADDITEMS gave it, or NULL */
    ovPkValue *dictitems; /* OBJECT: a DICT of what SETITEM(S) gave it, or NULL */
    size_t offset;        /* byte offset of the opcode that made it, for messages */
    /* private */
    int cap;
    int hcap;
    int32_t *hidx; /* DICT/SET hash index, once the dict is large */
};

typedef struct ovPickle ovPickle;

/* Hooks, all optional. `why` receives a static or pickle-owned message on failure; the reader
 * adds the pickle name, the byte offset and the global's name. */
typedef struct {
    void *ctx;
    /* Every GLOBAL, STACK_GLOBAL and INST: return 0 to keep the reference, -1 to reject the pickle. */
    int (*global)(void *ctx, const char *module, const char *name, const char **why);
    /* Every call of a GLOBAL (REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ), after the built-in
     * interpretations declined it: `obj` is the new OBJECT. Return 0 to keep it, 1 after setting
     * *out to a value (made with ov_pk_new) that replaces it, -1 to fail. */
    int (*call)(ovPickle *pk, void *ctx, ovPkValue *obj, ovPkValue **out, const char **why);
    /* Every BUILD: return 0 to store `state` in obj->state, 1 when the hook consumed it, -1 to fail. */
    int (*build)(ovPickle *pk, void *ctx, ovPkValue *obj, ovPkValue *state, const char **why);
    /* Every PERSID/BINPERSID (where Python calls persistent_load) with the persistent id; the
     * value stays a PERSID. Return 0, or -1 to fail. */
    int (*persid)(ovPickle *pk, void *ctx, const ovPkValue *pid, const char **why);
} ovPkHooks;

/* Runs the pickle in data[0, size) up to its STOP. `name` is used in messages (a file name, or
 * "file.pth:archive/data.pkl"). NULL with ov_last_error() on a malformed pickle. */
ovPickle *ov_pickle_parse(const void *data, size_t size, const char *name, const ovPkHooks *hooks);
/* Reads and parses a whole file. */
ovPickle *ov_pickle_load(const char *path, const ovPkHooks *hooks);
void ov_pickle_free(ovPickle *pk);

ovPkValue *ov_pickle_root(const ovPickle *pk);  /* the value STOP returned */
size_t ov_pickle_end(const ovPickle *pk);        /* offset just past STOP (pickles can be concatenated) */
int ov_pickle_protocol(const ovPickle *pk);      /* from PROTO, 0 when absent */
const char *ov_pickle_name(const ovPickle *pk);

/* For hooks: a new value owned by the pickle (freed by ov_pickle_free). */
ovPkValue *ov_pk_new(ovPickle *pk, ovPkKind kind);
ovPkValue *ov_pk_new_str(ovPickle *pk, ovPkKind kind, const char *s, size_t len); /* STR or BYTES */
/* Appends an item to a TUPLE or LIST. */
void ov_pk_append(ovPkValue *seq, ovPkValue *item);
/* Sets key -> value in a DICT (an equal key keeps its place and gets the new value), or adds key
 * to a SET/FROZENSET (value NULL). 0, or -1 with *why for an unhashable key. */
int ov_pk_dict_set(ovPkValue *dict, ovPkValue *key, ovPkValue *value, const char **why);

/* ---- reading the tree ---- */
const char *ov_pk_kind_name(ovPkKind k);
bool ov_pk_is_str(const ovPkValue *v); /* STR, or a Python-2 str (BYTES with OV_PK_PY2STR) */
bool ov_pk_is_int(const ovPkValue *v); /* INT or BOOL */
bool ov_pk_is_global(const ovPkValue *v, const char *module, const char *name);
/* An OBJECT whose callable is the GLOBAL module.name. */
bool ov_pk_is_call(const ovPkValue *v, const char *module, const char *name);
/* Python equality of two hashable values (None, bool, int, float, str, bytes, tuples of them,
 * globals; objects by identity). */
bool ov_pk_equal(const ovPkValue *a, const ovPkValue *b);
/* DICT lookup by a string key (STR or Python-2 str); NULL when absent or v is not a dict. */
ovPkValue *ov_pk_get(const ovPkValue *dict, const char *key);
/* Text in a canonical, Python-like notation (see pickle_value.c), at most max_depth levels deep
 * and about max_len bytes long (cycles and huge shared graphs are cut with "..."). malloc'd. */
char *ov_pk_repr(const ovPkValue *v, int max_depth, size_t max_len);
/* Decimal digits of an INT/BOOL/BIGINT into buf; returns buf. */
const char *ov_pk_int_str(const ovPkValue *v, char *buf, size_t n);

#endif
