/* pickle.c: the pickle virtual machine (protocols 0 to 5), after Python's Lib/pickle.py
 * `_Unpickler` and Modules/_pickle.c: a value stack with a separate mark stack (items below the
 * newest mark are fenced off, as in _pickle.c), a memo that grows with the largest index stored,
 * and one case per opcode. Nothing is ever imported or called: see pickle.h for what globals
 * and calls become. Every fault is reported as "NAME: byte N (opcode X): what" and frees
 * everything made so far (the values live in the pickle's arena). */
#include "data/pickle.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/pickle_impl.h"
#include "tensor/error.h"

typedef struct {
    ovPickle *pk;
    const ovPkHooks *hooks;
    const unsigned char *p;
    size_t n, pos, op_at;
    int op;
    ovPkValue **stack;
    size_t sp, scap;
    size_t *marks;
    size_t nmarks, mcap;
    ovPkValue **memo;
    size_t memo_cap, memo_count;
} VM;

static const char *op_name(int op) {
    switch (op) {
    case '(': return "MARK";
    case '.': return "STOP";
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 'F': return "FLOAT";
    case 'I': return "INT";
    case 'J': return "BININT";
    case 'K': return "BININT1";
    case 'L': return "LONG";
    case 'M': return "BININT2";
    case 'N': return "NONE";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    case 'R': return "REDUCE";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'V': return "UNICODE";
    case 'X': return "BINUNICODE";
    case 'a': return "APPEND";
    case 'b': return "BUILD";
    case 'c': return "GLOBAL";
    case 'd': return "DICT";
    case '}': return "EMPTY_DICT";
    case 'e': return "APPENDS";
    case 'g': return "GET";
    case 'h': return "BINGET";
    case 'i': return "INST";
    case 'j': return "LONG_BINGET";
    case 'l': return "LIST";
    case ']': return "EMPTY_LIST";
    case 'o': return "OBJ";
    case 'p': return "PUT";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 's': return "SETITEM";
    case 't': return "TUPLE";
    case ')': return "EMPTY_TUPLE";
    case 'u': return "SETITEMS";
    case 'G': return "BINFLOAT";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x80: return "PROTO";
    case 0x81: return "NEWOBJ";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 0x8a: return "LONG1";
    case 0x8b: return "LONG4";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x93: return "STACK_GLOBAL";
    case 0x94: return "MEMOIZE";
    case 0x95: return "FRAME";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return NULL;
    }
}

__attribute__((format(printf, 2, 3))) static int fail(VM *vm, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *name = op_name(vm->op);
    if (name)
        ov_error("%s: byte %zu (opcode %s): %s", vm->pk->name, vm->op_at, name, msg);
    else
        ov_error("%s: byte %zu: %s", vm->pk->name, vm->op_at, msg);
    return -1;
}

/* ---- reading the opcode arguments ---- */

static int need(VM *vm, size_t k) {
    if (vm->n - vm->pos < k)
        return fail(vm, "truncated: needs %zu more bytes, the data ends after %zu", k, vm->n - vm->pos);
    return 0;
}

static int read_u(VM *vm, int bytes, uint64_t *out) {
    if (need(vm, (size_t)bytes)) return -1;
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | vm->p[vm->pos + (size_t)i];
    vm->pos += (size_t)bytes;
    *out = v;
    return 0;
}

/* A line of a text opcode, without its '\n'. */
static int read_line(VM *vm, const char **s, size_t *len) {
    *s = NULL;
    *len = 0;
    const unsigned char *nl = memchr(vm->p + vm->pos, '\n', vm->n - vm->pos);
    if (!nl) return fail(vm, "truncated: the argument line has no end ('\\n')");
    *s = (const char *)vm->p + vm->pos;
    *len = (size_t)(nl - (vm->p + vm->pos));
    vm->pos += *len + 1;
    return 0;
}

/* ---- stacks and memo ---- */

static size_t fence(const VM *vm) { return vm->nmarks ? vm->marks[vm->nmarks - 1] : 0; }

static void push(VM *vm, ovPkValue *v) {
    if (vm->sp == vm->scap) {
        vm->scap = vm->scap ? 2 * vm->scap : 64;
        vm->stack = pk_xrealloc(vm->stack, sizeof(ovPkValue *) * vm->scap);
    }
    vm->stack[vm->sp++] = v;
}

static int pop(VM *vm, ovPkValue **out) {
    *out = NULL;
    if (vm->sp <= fence(vm))
        return fail(vm, "stack underflow (the stack holds %zu values above the last MARK)", vm->sp - fence(vm));
    *out = vm->stack[--vm->sp];
    return 0;
}

static int top(VM *vm, ovPkValue **out) {
    *out = NULL;
    if (vm->sp <= fence(vm)) return fail(vm, "stack underflow (an empty stack above the last MARK)");
    *out = vm->stack[vm->sp - 1];
    return 0;
}

/* Pops everything down to the newest MARK: items are stack[*from, sp). */
static int pop_mark(VM *vm, size_t *from) {
    *from = 0;
    if (!vm->nmarks) return fail(vm, "no MARK on the stack");
    *from = vm->marks[--vm->nmarks];
    return 0;
}

static int memo_put(VM *vm, uint64_t idx) {
    ovPkValue *v;
    if (top(vm, &v)) return -1;
    if (idx > vm->n) /* a pickler numbers its memo 0, 1, 2, ...: an index can't outgrow the data */
        return fail(vm, "memo index %" PRIu64 " is larger than the whole pickle (%zu bytes)", idx, vm->n);
    if (idx >= vm->memo_cap) {
        size_t cap = vm->memo_cap ? vm->memo_cap : 64;
        while (cap <= idx) cap *= 2;
        vm->memo = pk_xrealloc(vm->memo, sizeof(ovPkValue *) * cap);
        memset(vm->memo + vm->memo_cap, 0, sizeof(ovPkValue *) * (cap - vm->memo_cap));
        vm->memo_cap = cap;
    }
    if (!vm->memo[idx]) vm->memo_count++;
    vm->memo[idx] = v;
    return 0;
}

static int memo_get(VM *vm, uint64_t idx) {
    if (idx >= vm->memo_cap || !vm->memo[idx]) return fail(vm, "memo index %" PRIu64 " was never stored", idx);
    push(vm, vm->memo[idx]);
    return 0;
}

/* ---- values ---- */

static ovPkValue *make_int(VM *vm, int64_t i) { return pk_make_int(vm->pk, i); }

/* Runs one of pickle_text.c's decoders, turning its complaint into a fault at this opcode. */
typedef const char *(*TextFn)(ovPickle *pk, const char *s, size_t n, ovPkValue **out, char *why, size_t cap);
static int decode(VM *vm, TextFn fn, const char *s, size_t n, ovPkValue **out) {
    char why[200];
    const char *err = fn(vm->pk, s, n, out, why, sizeof why);
    return err ? fail(vm, "%s", err) : 0;
}

/* PUT and GET: a non-negative decimal memo index. */
static int parse_index(VM *vm, const char *s, size_t n, uint64_t *out) {
    uint64_t v = 0;
    if (!n || n > 18) return fail(vm, "'%.*s' is not a memo index", (int)(n < 40 ? n : 40), s);
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return fail(vm, "'%.*s' is not a memo index", (int)(n < 40 ? n : 40), s);
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* A length-prefixed string argument: STR (validated UTF-8) or BYTES. */
static int read_counted(VM *vm, int len_bytes, ovPkKind kind, unsigned flags) {
    uint64_t len;
    if (read_u(vm, len_bytes, &len)) return -1;
    if (len_bytes == 4 && vm->op == 'T' && len > INT32_MAX) return fail(vm, "a negative length");
    if (len > vm->n - vm->pos)
        return fail(vm, "a %s of %" PRIu64 " bytes runs past the end of the data (%zu bytes left)",
                    kind == OV_PK_STR ? "string" : "bytes value", len, vm->n - vm->pos);
    const unsigned char *s = vm->p + vm->pos;
    if (kind == OV_PK_STR && !pk_utf8_valid(s, (size_t)len)) return fail(vm, "the string is not valid UTF-8");
    ovPkValue *v = pk_alloc_bytes(vm->pk, kind, s, (size_t)len);
    v->flags = flags;
    vm->pos += (size_t)len;
    push(vm, v);
    return 0;
}

static ovPkValue *make_seq(VM *vm, ovPkKind kind, size_t from) {
    ovPkValue *v = pk_alloc(vm->pk, kind);
    int n = (int)(vm->sp - from);
    if (n) {
        v->items = pk_xmalloc(sizeof(ovPkValue *) * (size_t)n);
        memcpy(v->items, vm->stack + from, sizeof(ovPkValue *) * (size_t)n);
    }
    v->n = v->cap = n;
    vm->sp = from;
    return v;
}

/* Python 2 module names that Python 3's unpickler renames (fix_imports), for the ones that matter. */
static const char *py3_module(const char *m) {
    if (!strcmp(m, "__builtin__")) return "builtins";
    if (!strcmp(m, "copy_reg")) return "copyreg";
    return m;
}

static int make_global(VM *vm, const char *mod, size_t mlen, const char *name, size_t nlen, ovPkValue **out) {
    if (!pk_utf8_valid((const unsigned char *)mod, mlen) || !pk_utf8_valid((const unsigned char *)name, nlen))
        return fail(vm, "a global's module or name is not valid UTF-8");
    if (memchr(mod, 0, mlen) || memchr(name, 0, nlen)) return fail(vm, "a global's module or name holds a NUL byte");
    ovPkValue *g = pk_alloc(vm->pk, OV_PK_GLOBAL);
    char *m = pk_xmalloc(mlen + 1);
    memcpy(m, mod, mlen);
    m[mlen] = 0;
    const char *m3 = vm->pk->proto < 3 ? py3_module(m) : m;
    g->len = strlen(m3);
    g->s = pk_xmalloc(g->len + 1);
    memcpy(g->s, m3, g->len + 1);
    free(m);
    g->name = pk_xmalloc(nlen + 1);
    memcpy(g->name, name, nlen);
    g->name[nlen] = 0;
    if (vm->hooks && vm->hooks->global) {
        const char *why = "not allowed";
        if (vm->hooks->global(vm->hooks->ctx, g->s, g->name, &why) != 0)
            return fail(vm, "global %s.%s: %s", g->s, g->name, why);
    }
    *out = g;
    return 0;
}

/* An OBJECT callable(args, kwargs), offered to the built-in interpretations and the call hook. */
static int make_object(VM *vm, ovPkHow how, ovPkValue *callable, ovPkValue *args, ovPkValue *kwargs) {
    if (args->kind != OV_PK_TUPLE) return fail(vm, "the arguments are a %s, not a tuple", ov_pk_kind_name(args->kind));
    if (kwargs && kwargs->kind != OV_PK_DICT)
        return fail(vm, "the keyword arguments are a %s, not a dict", ov_pk_kind_name(kwargs->kind));
    ovPkValue *obj = pk_alloc(vm->pk, OV_PK_OBJECT);
    obj->how = how;
    obj->callable = callable;
    obj->args = args;
    obj->kwargs = kwargs;
    ovPkValue *out = NULL;
    const char *why = "rejected";
    if (callable->kind == OV_PK_GLOBAL) {
        int r = pk_builtin_call(vm->pk, obj, &out, &why);
        if (r == 0 && vm->hooks && vm->hooks->call) r = vm->hooks->call(vm->pk, vm->hooks->ctx, obj, &out, &why);
        if (r < 0) return fail(vm, "calling %s.%s: %s", callable->s, callable->name, why);
        if (r > 0 && out) obj = out;
    }
    push(vm, obj);
    return 0;
}

static int add_pair(VM *vm, ovPkValue *d, ovPkValue *k, ovPkValue *v) {
    const char *why;
    if (ov_pk_dict_set(d, k, v, &why)) return fail(vm, "%s", why);
    return 0;
}

/* SETITEM(S) on a dict, or on an opaque object (recorded as its dictitems). */
static int set_items(VM *vm, ovPkValue *target, size_t from) {
    if ((vm->sp - from) % 2) return fail(vm, "an odd number of values (%zu) for key/value pairs", vm->sp - from);
    if (target->kind == OV_PK_OBJECT) {
        if (!target->dictitems) target->dictitems = pk_alloc(vm->pk, OV_PK_DICT);
        target = target->dictitems;
    } else if (target->kind != OV_PK_DICT) {
        return fail(vm, "setting items on a %s", ov_pk_kind_name(target->kind));
    }
    for (size_t i = from; i < vm->sp; i += 2)
        if (add_pair(vm, target, vm->stack[i], vm->stack[i + 1])) return -1;
    vm->sp = from;
    return 0;
}

/* APPEND(S) on a list, ADDITEMS on a set; either on an opaque object goes to its listitems. */
static int append_items(VM *vm, ovPkValue *target, size_t from, bool to_set) {
    if (target->kind == OV_PK_OBJECT) {
        if (!target->listitems) target->listitems = pk_alloc(vm->pk, OV_PK_LIST);
        target = target->listitems;
    } else if (target->kind != (to_set ? OV_PK_SET : OV_PK_LIST)) {
        return fail(vm, "adding items to a %s", ov_pk_kind_name(target->kind));
    }
    for (size_t i = from; i < vm->sp; i++) {
        if (target->kind == OV_PK_SET) {
            if (add_pair(vm, target, vm->stack[i], NULL)) return -1;
        } else {
            ov_pk_append(target, vm->stack[i]);
        }
    }
    vm->sp = from;
    return 0;
}

static int build(VM *vm) {
    ovPkValue *state, *obj;
    if (pop(vm, &state) || top(vm, &obj)) return -1;
    const char *why = "rejected";
    int r = 0;
    if (vm->hooks && vm->hooks->build) r = vm->hooks->build(vm->pk, vm->hooks->ctx, obj, state, &why);
    if (r < 0) return fail(vm, "%s", why);
    if (r == 0) obj->state = state;
    return 0;
}

/* A persistent id becomes a PERSID value (torch: a storage), seen by the persid hook. */
static int persistent(VM *vm, ovPkValue *pid) {
    ovPkValue *v = pk_alloc(vm->pk, OV_PK_PERSID);
    v->args = pid;
    const char *why = "rejected";
    if (vm->hooks && vm->hooks->persid && vm->hooks->persid(vm->pk, vm->hooks->ctx, pid, &why)) return fail(vm, "%s", why);
    push(vm, v);
    return 0;
}

/* One opcode; 1 at STOP. */
static int step(VM *vm) {
    vm->op_at = vm->pos;
    vm->op = vm->p[vm->pos++];
    vm->pk->cur_offset = vm->op_at;
    const char *s = NULL;
    size_t len = 0, from = 0;
    uint64_t u = 0;
    ovPkValue *a = NULL, *b = NULL, *c = NULL;
    switch (vm->op) {
    case '(':
        if (vm->nmarks == vm->mcap) {
            vm->mcap = vm->mcap ? 2 * vm->mcap : 32;
            vm->marks = pk_xrealloc(vm->marks, sizeof(size_t) * vm->mcap);
        }
        vm->marks[vm->nmarks++] = vm->sp;
        return 0;
    case '.':
        if (pop(vm, &a)) return -1;
        vm->pk->root = a;
        vm->pk->end = vm->pos;
        return 1;
    case '0': /* a MARK right at the top is what POP removes (as in _pickle.c) */
        if (vm->nmarks && vm->marks[vm->nmarks - 1] == vm->sp) {
            vm->nmarks--;
            return 0;
        }
        return pop(vm, &a);
    case '1': return pop_mark(vm, &from) ? -1 : (vm->sp = from, 0);
    case '2':
        if (top(vm, &a)) return -1;
        push(vm, a);
        return 0;
    case 0x80:
        if (read_u(vm, 1, &u)) return -1;
        if (u > 5) return fail(vm, "protocol %" PRIu64 " is newer than 5, the newest this reader knows", u);
        vm->pk->proto = (int)u;
        return 0;
    case 0x95:
        if (read_u(vm, 8, &u)) return -1;
        if (u > vm->n - vm->pos) return fail(vm, "a frame of %" PRIu64 " bytes runs past the end of the data", u);
        return 0; /* frames only batch reads */
    case 'N': push(vm, pk_alloc(vm->pk, OV_PK_NONE)); return 0;
    case 0x88:
    case 0x89:
        a = pk_alloc(vm->pk, OV_PK_BOOL);
        a->i = vm->op == 0x88;
        push(vm, a);
        return 0;
    case 'I':
        if (read_line(vm, &s, &len)) return -1;
        if (len == 2 && s[0] == '0' && (s[1] == '0' || s[1] == '1')) { /* Python 2's bools */
            a = pk_alloc(vm->pk, OV_PK_BOOL);
            a->i = s[1] == '1';
        } else if (decode(vm, pk_parse_decimal, s, len, &a)) {
            return -1;
        }
        push(vm, a);
        return 0;
    case 'L':
        if (read_line(vm, &s, &len)) return -1;
        if (len && s[len - 1] == 'L') len--;
        if (decode(vm, pk_parse_decimal, s, len, &a)) return -1;
        push(vm, a);
        return 0;
    case 'J':
        if (read_u(vm, 4, &u)) return -1;
        push(vm, make_int(vm, (int32_t)(uint32_t)u));
        return 0;
    case 'K':
    case 'M':
        if (read_u(vm, vm->op == 'K' ? 1 : 2, &u)) return -1;
        push(vm, make_int(vm, (int64_t)u));
        return 0;
    case 0x8a:
    case 0x8b:
        if (read_u(vm, vm->op == 0x8a ? 1 : 4, &u)) return -1;
        if (vm->op == 0x8b && u > INT32_MAX) return fail(vm, "a negative byte count");
        if (u > vm->n - vm->pos) return fail(vm, "an integer of %" PRIu64 " bytes runs past the end of the data", u);
        push(vm, pk_make_long(vm->pk, vm->p + vm->pos, (size_t)u));
        vm->pos += (size_t)u;
        return 0;
    case 'F': {
        if (read_line(vm, &s, &len)) return -1;
        char buf[64];
        if (len == 0 || len >= sizeof buf) return fail(vm, "a float literal of %zu characters", len);
        memcpy(buf, s, len);
        buf[len] = 0;
        char *end;
        double f = strtod(buf, &end);
        while (*end == ' ' || *end == '\r' || *end == '\t') end++;
        if (end == buf || *end) return fail(vm, "'%s' is not a float", buf);
        a = pk_alloc(vm->pk, OV_PK_FLOAT);
        a->f = f;
        push(vm, a);
        return 0;
    }
    case 'G': {
        if (read_u(vm, 8, &u)) return -1;
        uint64_t be = 0; /* big-endian on the wire */
        for (int i = 0; i < 8; i++) be = be << 8 | ((u >> (8 * i)) & 0xff);
        a = pk_alloc(vm->pk, OV_PK_FLOAT);
        memcpy(&a->f, &be, 8);
        push(vm, a);
        return 0;
    }
    case 'S':
        if (read_line(vm, &s, &len) || decode(vm, pk_decode_string, s, len, &a)) return -1;
        push(vm, a);
        return 0;
    case 'V':
        if (read_line(vm, &s, &len) || decode(vm, pk_decode_unicode, s, len, &a)) return -1;
        push(vm, a);
        return 0;
    case 'T': return read_counted(vm, 4, OV_PK_BYTES, OV_PK_PY2STR);
    case 'U': return read_counted(vm, 1, OV_PK_BYTES, OV_PK_PY2STR);
    case 'X': return read_counted(vm, 4, OV_PK_STR, 0);
    case 0x8c: return read_counted(vm, 1, OV_PK_STR, 0);
    case 0x8d: return read_counted(vm, 8, OV_PK_STR, 0);
    case 'B': return read_counted(vm, 4, OV_PK_BYTES, 0);
    case 'C': return read_counted(vm, 1, OV_PK_BYTES, 0);
    case 0x8e: return read_counted(vm, 8, OV_PK_BYTES, 0);
    case 0x96: return read_counted(vm, 8, OV_PK_BYTES, OV_PK_BYTEARRAY);
    case 0x97: return fail(vm, "out-of-band buffers are not supported");
    case 0x98: return top(vm, &a); /* marks a buffer read-only: nothing to do */
    case ')': push(vm, pk_alloc(vm->pk, OV_PK_TUPLE)); return 0;
    case 't':
        if (pop_mark(vm, &from)) return -1;
        push(vm, make_seq(vm, OV_PK_TUPLE, from));
        return 0;
    case 0x85:
    case 0x86:
    case 0x87: {
        size_t k = (size_t)(vm->op - 0x84);
        if (vm->sp - fence(vm) < k) return fail(vm, "stack underflow (needs %zu values)", k);
        push(vm, make_seq(vm, OV_PK_TUPLE, vm->sp - k));
        return 0;
    }
    case ']': push(vm, pk_alloc(vm->pk, OV_PK_LIST)); return 0;
    case 'l':
        if (pop_mark(vm, &from)) return -1;
        push(vm, make_seq(vm, OV_PK_LIST, from));
        return 0;
    case 'a':
        if (pop(vm, &a) || top(vm, &b)) return -1;
        push(vm, a);
        return append_items(vm, b, vm->sp - 1, false);
    case 'e':
    case 0x90:
        if (pop_mark(vm, &from)) return -1;
        if (from == 0 || (vm->nmarks && from <= vm->marks[vm->nmarks - 1]))
            return fail(vm, "stack underflow (no list or set below the MARK)");
        return append_items(vm, vm->stack[from - 1], from, vm->op == 0x90);
    case '}': push(vm, pk_alloc(vm->pk, OV_PK_DICT)); return 0;
    case 'd':
        if (pop_mark(vm, &from)) return -1;
        a = pk_alloc(vm->pk, OV_PK_DICT);
        if (set_items(vm, a, from)) return -1;
        push(vm, a);
        return 0;
    case 's':
        if (pop(vm, &c) || pop(vm, &b) || top(vm, &a)) return -1;
        push(vm, b);
        push(vm, c);
        return set_items(vm, a, vm->sp - 2);
    case 'u':
        if (pop_mark(vm, &from)) return -1;
        if (from == 0 || (vm->nmarks && from <= vm->marks[vm->nmarks - 1]))
            return fail(vm, "stack underflow (no dict below the MARK)");
        return set_items(vm, vm->stack[from - 1], from);
    case 0x8f: push(vm, pk_alloc(vm->pk, OV_PK_SET)); return 0;
    case 0x91:
        if (pop_mark(vm, &from)) return -1;
        a = pk_alloc(vm->pk, OV_PK_FROZENSET);
        for (size_t i = from; i < vm->sp; i++)
            if (add_pair(vm, a, vm->stack[i], NULL)) return -1;
        vm->sp = from;
        push(vm, a);
        return 0;
    case 'c': {
        const char *m;
        size_t mlen;
        if (read_line(vm, &m, &mlen) || read_line(vm, &s, &len) || make_global(vm, m, mlen, s, len, &a)) return -1;
        push(vm, a);
        return 0;
    }
    case 0x93:
        if (pop(vm, &b) || pop(vm, &a)) return -1;
        if (a->kind != OV_PK_STR || b->kind != OV_PK_STR) return fail(vm, "the module and name must be strings");
        if (make_global(vm, a->s, a->len, b->s, b->len, &c)) return -1;
        push(vm, c);
        return 0;
    case 'i': {
        const char *m;
        size_t mlen;
        if (read_line(vm, &m, &mlen) || read_line(vm, &s, &len) || make_global(vm, m, mlen, s, len, &a)) return -1;
        if (pop_mark(vm, &from)) return -1;
        return make_object(vm, OV_PK_INST, a, make_seq(vm, OV_PK_TUPLE, from), NULL);
    }
    case 'o':
        if (pop_mark(vm, &from)) return -1;
        if (vm->sp == from) return fail(vm, "no class after the MARK");
        a = vm->stack[from];
        b = make_seq(vm, OV_PK_TUPLE, from + 1);
        vm->sp = from;
        return make_object(vm, OV_PK_OBJ, a, b, NULL);
    case 'R':
    case 0x81:
        if (pop(vm, &b) || pop(vm, &a)) return -1;
        return make_object(vm, vm->op == 'R' ? OV_PK_REDUCE : OV_PK_NEWOBJ, a, b, NULL);
    case 0x92:
        if (pop(vm, &c) || pop(vm, &b) || pop(vm, &a)) return -1;
        return make_object(vm, OV_PK_NEWOBJ_EX, a, b, c);
    case 'b': return build(vm);
    case 'P':
        if (read_line(vm, &s, &len)) return -1;
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] >= 0x80) return fail(vm, "a protocol-0 persistent id must be ASCII");
        return persistent(vm, pk_alloc_bytes(vm->pk, OV_PK_STR, s, len));
    case 'Q':
        if (pop(vm, &b)) return -1;
        return persistent(vm, b);
    case 'p':
        if (read_line(vm, &s, &len) || parse_index(vm, s, len, &u)) return -1;
        return memo_put(vm, u);
    case 'q':
    case 'r':
        if (read_u(vm, vm->op == 'q' ? 1 : 4, &u)) return -1;
        return memo_put(vm, u);
    case 0x94: return memo_put(vm, vm->memo_count);
    case 'g':
        if (read_line(vm, &s, &len) || parse_index(vm, s, len, &u)) return -1;
        return memo_get(vm, u);
    case 'h':
    case 'j':
        if (read_u(vm, vm->op == 'h' ? 1 : 4, &u)) return -1;
        return memo_get(vm, u);
    case 0x82:
    case 0x83:
    case 0x84: return fail(vm, "extension registry codes (copyreg.add_extension) are not supported");
    default: return fail(vm, "unknown opcode 0x%02x", vm->op);
    }
}

ovPickle *ov_pickle_parse(const void *data, size_t size, const char *name, const ovPkHooks *hooks) {
    ovPickle *pk = calloc(1, sizeof *pk);
    if (!pk) ov_panic("pickle: out of memory");
    size_t nlen = strlen(name);
    pk->name = pk_xmalloc(nlen + 1);
    memcpy(pk->name, name, nlen + 1);
    VM vm = {.pk = pk, .hooks = hooks, .p = data, .n = size};
    int r = 0;
    while (r == 0) {
        if (vm.pos >= vm.n) {
            vm.op = -1;
            vm.op_at = vm.n;
            r = fail(&vm, "truncated: the data ends before the STOP opcode");
            break;
        }
        r = step(&vm);
    }
    free(vm.stack);
    free(vm.marks);
    free(vm.memo);
    if (r < 0) {
        ov_pickle_free(pk);
        return NULL;
    }
    return pk;
}

ovPickle *ov_pickle_load(const char *path, const ovPkHooks *hooks) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        ov_error("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        ov_error("%s: not a regular file", path);
        return NULL;
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *buf = pk_xmalloc(n);
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    if (got != n) {
        free(buf);
        ov_error("%s: read %zu of %zu bytes", path, got, n);
        return NULL;
    }
    ovPickle *pk = ov_pickle_parse(buf, n, path, hooks);
    free(buf);
    return pk;
}
