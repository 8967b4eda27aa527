/* pickle_builtins.c: the standard-library globals a pickle calls that are pure data, turned into
 * plain values instead of opaque objects. Python's pickler writes them for its own types:
 * collections.OrderedDict (torch state_dicts: `OrderedDict, ()` then SETITEMS; Python 2 wrote
 * `OrderedDict, ([[k, v], ...],)`), set/frozenset below protocol 4 (`set, ([items],)`), bytes
 * below protocol 3 (`_codecs.encode(text, 'latin1')`, or `bytes, ()` when empty) and bytearray.
 * Anything else, or these with arguments of an unexpected shape, stays an opaque OBJECT. */
#include <string.h>
#include <strings.h>

#include "data/pickle_impl.h"

static bool is_latin1_name(const ovPkValue *v) {
    if (!v || v->kind != OV_PK_STR) return false;
    return !strcasecmp(v->s, "latin1") || !strcasecmp(v->s, "latin-1") || !strcasecmp(v->s, "iso-8859-1");
}

/* The code points of a UTF-8 string as bytes; -1 when one is above U+00FF. */
static int latin1_bytes(ovPickle *pk, const ovPkValue *str, ovPkValue **out, const char **why) {
    ovPkValue *b = pk_alloc(pk, OV_PK_BYTES);
    b->s = pk_xmalloc(str->len + 1);
    size_t k = 0;
    const unsigned char *s = (const unsigned char *)str->s;
    for (size_t i = 0; i < str->len;) {
        if (s[i] < 0x80) {
            b->s[k++] = (char)s[i++];
        } else if ((s[i] & 0xe0) == 0xc0 && i + 1 < str->len && s[i] <= 0xc3) {
            b->s[k++] = (char)(((s[i] & 0x1f) << 6) | (s[i + 1] & 0x3f));
            i += 2;
        } else {
            *why = "latin-1 text holds a character above U+00FF";
            return -1;
        }
    }
    b->s[k] = 0;
    b->len = k;
    *out = b;
    return 0;
}

/* Adds the items of a list or tuple to a set; -1 with *why on an unhashable item. */
static int fill_set(ovPkValue *set, const ovPkValue *src, const char **why) {
    for (int i = 0; i < src->n; i++)
        if (ov_pk_dict_set(set, src->items[i], NULL, why)) return -1;
    return 0;
}

int pk_builtin_call(ovPickle *pk, ovPkValue *obj, ovPkValue **out, const char **why) {
    const ovPkValue *f = obj->callable, *args = obj->args;
    const char *m = f->s, *n = f->name;
    int argc = args->n;
    const ovPkValue *a0 = argc > 0 ? args->items[0] : NULL;
    if (obj->kwargs && obj->kwargs->n) return 0;

    if (!strcmp(m, "collections") && !strcmp(n, "OrderedDict")) {
        ovPkValue *d = pk_alloc(pk, OV_PK_DICT);
        d->flags = OV_PK_ORDERED;
        if (argc == 0) {
            *out = d;
            return 1;
        }
        if (argc != 1) return 0;
        if (a0->kind == OV_PK_DICT) {
            for (int i = 0; i < a0->n; i++)
                if (ov_pk_dict_set(d, a0->items[i], a0->values[i], why)) return -1;
        } else if (a0->kind == OV_PK_LIST || a0->kind == OV_PK_TUPLE) {
            for (int i = 0; i < a0->n; i++) {
                const ovPkValue *pair = a0->items[i];
                if ((pair->kind != OV_PK_LIST && pair->kind != OV_PK_TUPLE) || pair->n != 2) {
                    *why = "an item is not a (key, value) pair";
                    return -1;
                }
                if (ov_pk_dict_set(d, pair->items[0], pair->items[1], why)) return -1;
            }
        } else {
            return 0;
        }
        *out = d;
        return 1;
    }
    if (!strcmp(m, "builtins") && (!strcmp(n, "set") || !strcmp(n, "frozenset"))) {
        if (argc > 1 || (a0 && a0->kind != OV_PK_LIST && a0->kind != OV_PK_TUPLE)) return 0;
        ovPkValue *s = pk_alloc(pk, n[0] == 's' ? OV_PK_SET : OV_PK_FROZENSET);
        if (a0 && fill_set(s, a0, why)) return -1;
        *out = s;
        return 1;
    }
    if ((!strcmp(m, "_codecs") || !strcmp(m, "codecs")) && !strcmp(n, "encode")) {
        if (argc != 2 || a0->kind != OV_PK_STR || !is_latin1_name(args->items[1])) return 0;
        return latin1_bytes(pk, a0, out, why) ? -1 : 1;
    }
    if (!strcmp(m, "builtins") && !strcmp(n, "bytes") && argc == 0) {
        *out = pk_alloc_bytes(pk, OV_PK_BYTES, "", 0);
        return 1;
    }
    if (!strcmp(m, "builtins") && !strcmp(n, "bytearray")) {
        ovPkValue *b = NULL;
        if (argc == 0) {
            b = pk_alloc_bytes(pk, OV_PK_BYTES, "", 0);
        } else if (argc == 1 && a0->kind == OV_PK_BYTES) {
            b = pk_alloc_bytes(pk, OV_PK_BYTES, a0->s, a0->len);
        } else if (argc == 2 && a0->kind == OV_PK_STR && is_latin1_name(args->items[1])) {
            if (latin1_bytes(pk, a0, &b, why)) return -1;
        } else {
            return 0;
        }
        b->flags = OV_PK_BYTEARRAY;
        *out = b;
        return 1;
    }
    return 0;
}
