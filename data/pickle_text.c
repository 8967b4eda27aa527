/* pickle_text.c: the arguments of the protocol-0 text opcodes and of the integer opcodes, decoded
 * as Python's unpickler does: INT/LONG decimal text (bigger than 64 bits allowed), STRING's
 * quoted Python-2 repr (codecs.escape_decode: \n, \xHH, octal, unknown escapes kept), UNICODE's
 * raw-unicode-escape (Latin-1 bytes, \uXXXX and \UXXXXXXXX after an odd run of backslashes), and
 * LONG1/LONG4's little-endian two's complement. Each decoder returns NULL, or what is wrong. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/pickle_impl.h"
#include "tensor/error.h"

#define MAX_DIGITS 5000 /* text integers; Python itself refuses int('...') over 4300 digits */

ovPkValue *pk_make_int(ovPickle *pk, int64_t i) {
    ovPkValue *v = pk_alloc(pk, OV_PK_INT);
    v->i = i;
    return v;
}

/* A little-endian two's complement integer (LONG1/LONG4, and text integers): INT when it fits
 * 64 bits, else BIGINT with the shortest bytes. */
ovPkValue *pk_make_long(ovPickle *pk, const unsigned char *b, size_t n) {
    if (!n) return pk_make_int(pk, 0);
    bool neg = b[n - 1] & 0x80;
    while (n > 1 && b[n - 1] == (neg ? 0xff : 0x00) && ((b[n - 2] & 0x80) != 0) == neg) n--;
    if (n <= 8) {
        uint64_t u = neg ? ~(uint64_t)0 : 0;
        for (size_t i = 0; i < n; i++) u = (u & ~((uint64_t)0xff << (8 * i))) | (uint64_t)b[i] << (8 * i);
        return pk_make_int(pk, (int64_t)u);
    }
    return pk_alloc_bytes(pk, OV_PK_BIGINT, b, n);
}

/* Decimal text (INT, LONG): optional sign and digits, surrounding blanks allowed. */
const char *pk_parse_decimal(ovPickle *pk, const char *s, size_t n, ovPkValue **out, char *why, size_t cap) {
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    bool neg = false;
    if (n && (*s == '-' || *s == '+')) neg = *s == '-', s++, n--;
    if (!n) return "an empty integer";
    if (n > MAX_DIGITS) {
        snprintf(why, cap, "an integer of %zu digits (at most %d)", n, MAX_DIGITS);
        return why;
    }
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') {
            snprintf(why, cap, "'%.*s' is not a decimal integer", (int)(n < 40 ? n : 40), s);
            return why;
        }
    /* magnitude as little-endian bytes, times 10 plus digit */
    size_t bytes = n / 2 + 2, len = 1; /* 10^n < 256^(n/2+1) */
    unsigned char *m = calloc(bytes, 1);
    if (!m) ov_panic("pickle: out of memory");
    for (size_t i = 0; i < n; i++) {
        unsigned carry = (unsigned)(s[i] - '0');
        for (size_t k = 0; k < len; k++) {
            unsigned cur = m[k] * 10u + carry;
            m[k] = (unsigned char)cur;
            carry = cur >> 8;
        }
        if (carry) m[len++] = (unsigned char)carry;
    }
    m[len++] = 0; /* room for the sign bit */
    if (neg) {
        unsigned carry = 1;
        for (size_t k = 0; k < len; k++) {
            unsigned cur = (unsigned)(unsigned char)~m[k] + carry;
            m[k] = (unsigned char)cur;
            carry = cur >> 8;
        }
    }
    *out = pk_make_long(pk, m, len);
    free(m);
    return NULL;
}

static int hex_digit(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* STRING: a quoted Python-2 repr, decoded like codecs.escape_decode. */
const char *pk_decode_string(ovPickle *pk, const char *s, size_t n, ovPkValue **out, char *why, size_t cap) {
    if (n < 2 || s[0] != s[n - 1] || (s[0] != '\'' && s[0] != '"'))
        return "the STRING argument must be quoted";
    s++, n -= 2;
    unsigned char *o = pk_xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\\') {
            o[k++] = c;
            continue;
        }
        if (++i == n) {
            free(o);
            return "a trailing \\ in the string";
        }
        c = (unsigned char)s[i];
        switch (c) {
        case '\n': break;
        case '\\': case '\'': case '"': o[k++] = c; break;
        case 'a': o[k++] = 7; break;
        case 'b': o[k++] = 8; break;
        case 't': o[k++] = 9; break;
        case 'n': o[k++] = 10; break;
        case 'v': o[k++] = 11; break;
        case 'f': o[k++] = 12; break;
        case 'r': o[k++] = 13; break;
        case 'x': {
            int hi = i + 1 < n ? hex_digit(s[i + 1]) : -1, lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(o);
                snprintf(why, cap, "an invalid \\x escape at position %zu of the string", i - 1);
                return why;
            }
            o[k++] = (unsigned char)(hi << 4 | lo);
            i += 2;
            break;
        }
        default:
            if (c >= '0' && c <= '7') { /* up to three octal digits */
                unsigned v = c - '0';
                for (int d = 0; d < 2 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; d++) v = v * 8 + (unsigned)(s[++i] - '0');
                o[k++] = (unsigned char)v;
            } else { /* unknown escapes stay as they are */
                o[k++] = '\\';
                o[k++] = c;
            }
        }
    }
    ovPkValue *v = pk_alloc(pk, OV_PK_BYTES);
    o[k] = 0;
    v->s = (char *)o;
    v->len = k;
    v->flags = OV_PK_PY2STR;
    *out = v;
    return NULL;
}

/* UNICODE: raw-unicode-escape: bytes are Latin-1 code points, except \uXXXX and \UXXXXXXXX
 * after an odd number of backslashes. */
const char *pk_decode_unicode(ovPickle *pk, const char *s, size_t n, ovPkValue **out, char *why, size_t cap) {
    unsigned char *o = pk_xmalloc(n * 2 + 1); /* an escape never grows: 6 bytes -> at most 3, 10 -> 4 */
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\\') {
            k += pk_utf8_put(o + k, c);
            i++;
            continue;
        }
        size_t run = 0;
        while (i + run < n && s[i + run] == '\\') run++;
        bool esc = (run & 1) && i + run < n && (s[i + run] == 'u' || s[i + run] == 'U');
        size_t literal = esc ? run - 1 : run;
        for (size_t j = 0; j < literal; j++) o[k++] = '\\';
        i += run;
        if (!esc) continue;
        int digits = s[i] == 'u' ? 4 : 8;
        i++;
        uint32_t cp = 0;
        for (int d = 0; d < digits; d++) {
            int h = i < n ? hex_digit(s[i]) : -1;
            if (h < 0) {
                free(o);
                snprintf(why, cap, "a truncated \\%c escape in the string", digits == 4 ? 'u' : 'U');
                return why;
            }
            cp = cp << 4 | (uint32_t)h;
            i++;
        }
        if (cp > 0x10ffff) {
            free(o);
            snprintf(why, cap, "\\U%08" PRIx32 " is not a Unicode code point", cp);
            return why;
        }
        k += pk_utf8_put(o + k, cp);
    }
    ovPkValue *v = pk_alloc(pk, OV_PK_STR);
    o[k] = 0;
    v->s = (char *)o;
    v->len = k;
    *out = v;
    return NULL;
}

