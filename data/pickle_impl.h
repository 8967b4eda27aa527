/* pickle_impl.h: what the pickle reader's files share (not part of the public API): the pickle
 * document that owns every value (an arena, so cyclic graphs free in one sweep), allocation,
 * UTF-8 helpers and the built-in interpretation of standard-library globals. */
#ifndef OV_PICKLE_IMPL_H
#define OV_PICKLE_IMPL_H

#include "data/pickle.h"

#define PK_CHUNK 256

typedef struct PkChunk {
    struct PkChunk *next;
    int used;
    ovPkValue v[PK_CHUNK];
} PkChunk;

struct ovPickle {
    char *name;
    ovPkValue *root;
    size_t end;
    int proto;
    size_t cur_offset; /* offset of the opcode being run: new values record it */
    PkChunk *chunks;
};

void *pk_xmalloc(size_t n);            /* panics on out-of-memory */
void *pk_xrealloc(void *p, size_t n);
ovPkValue *pk_alloc(ovPickle *pk, ovPkKind kind);
/* A STR/BYTES/BIGINT value owning a copy of s[0, len) (NUL-terminated). */
ovPkValue *pk_alloc_bytes(ovPickle *pk, ovPkKind kind, const void *s, size_t len);

/* UTF-8 as Python's 'surrogatepass' accepts it (lone surrogates allowed, nothing else odd). */
bool pk_utf8_valid(const unsigned char *s, size_t n);
/* Encodes code point cp (< 0x110000) at out; returns the byte count (1..4). */
size_t pk_utf8_put(unsigned char *out, uint32_t cp);
/* Decimal digits of a little-endian two's complement integer (malloc'd). */
char *pk_bigint_decimal(const unsigned char *b, size_t n);

/* pickle_text.c: integers, and the text arguments of protocol 0. The decoders return NULL and
 * *out, or what is wrong (a static string, or written into why[cap]). */
ovPkValue *pk_make_int(ovPickle *pk, int64_t i);
ovPkValue *pk_make_long(ovPickle *pk, const unsigned char *b, size_t n); /* INT when it fits 64 bits */
const char *pk_parse_decimal(ovPickle *pk, const char *s, size_t n, ovPkValue **out, char *why, size_t cap);
const char *pk_decode_string(ovPickle *pk, const char *s, size_t n, ovPkValue **out, char *why, size_t cap);
const char *pk_decode_unicode(ovPickle *pk, const char *s, size_t n, ovPkValue **out, char *why, size_t cap);

/* The standard-library globals that are pure data (pickle_builtins.c): 1 and *out when `obj`
 * (a fresh OBJECT) was one of them, 0 when not, -1 with *why on malformed arguments. */
int pk_builtin_call(ovPickle *pk, ovPkValue *obj, ovPkValue **out, const char **why);

#endif
