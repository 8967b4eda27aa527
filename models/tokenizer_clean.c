/* tokenizer_clean.c: the text cleaning in front of the CLIP BPE, one Python function per step:
 * UTF-8 decoding, html.unescape, the whitespace clean-up (re.sub(r'\s+', ' ', .).strip()),
 * str.lower() with its final-sigma rule, and unicodedata.normalize('NFC') for the Hugging Face
 * normalizer. The data comes from tokenizer_tables.c, generated from Python itself, so these
 * reproduce CPython 3.11's results code point for code point. */
#include "models/tokenizer_clean.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "models/tokenizer_tables.h"

/* ---------------- a growable code point buffer ---------------- */
void ov_cp_put(ovCpBuf *b, uint32_t c) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->p = realloc(b->p, b->cap * sizeof *b->p);
        if (!b->p) abort();
    }
    b->p[b->n++] = c;
}

static uint32_t *done(ovCpBuf *b, size_t *n_out) {
    *n_out = b->n;
    if (!b->p) b->p = malloc(sizeof *b->p); /* a valid pointer for the empty result */
    return b->p;
}

/* ---------------- UTF-8 ---------------- */
int ov_tok_utf8_decode(const char *str, size_t len, uint32_t **cps, size_t *n, size_t *bad_byte) {
    const uint8_t *s = (const uint8_t *)str;
    ovCpBuf b = {0};
    for (size_t i = 0; i < len;) {
        uint32_t c = s[i];
        int k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
        bool ok = k >= 0 && i + (size_t)k < len;
        if (ok) {
            c = k == 0 ? c : c & (0x3Fu >> k);
            for (int j = 1; j <= k && ok; j++) {
                ok = (s[i + j] & 0xC0) == 0x80;
                c = c << 6 | (s[i + j] & 0x3F);
            }
            ok = ok && c >= min[k] && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
        }
        if (!ok) {
            free(b.p);
            *bad_byte = i;
            return -1;
        }
        ov_cp_put(&b, c);
        i += (size_t)k + 1;
    }
    *cps = done(&b, n);
    return 0;
}

char *ov_tok_utf8_encode(const uint32_t *cps, size_t n, size_t *len) {
    char *out = malloc(4 * n + 1);
    if (!out) abort();
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cps[i];
        if (c < 0x80) {
            out[j++] = (char)c;
        } else if (c < 0x800) {
            out[j++] = (char)(0xC0 | c >> 6);
            out[j++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[j++] = (char)(0xE0 | c >> 12);
            out[j++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[j++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[j++] = (char)(0xF0 | c >> 18);
            out[j++] = (char)(0x80 | (c >> 12 & 0x3F));
            out[j++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[j++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[j] = 0;
    if (len) *len = j;
    return out;
}

/* ---------------- table look-ups ---------------- */
bool ov_tok_in_ranges(const ovTokRange *r, int n, uint32_t c) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c < r[mid].lo) hi = mid - 1;
        else if (c > r[mid].hi) lo = mid + 1;
        else return true;
    }
    return false;
}

const ovTokMap2 *ov_tok_find_map(const ovTokMap2 *m, int n, uint32_t c) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c < m[mid].cp) hi = mid - 1;
        else if (c > m[mid].cp) lo = mid + 1;
        else return &m[mid];
    }
    return NULL;
}

int ov_tok_is_python_space(uint32_t c) { return ov_tok_in_ranges(ov_tok_isspace, ov_tok_isspace_n, c); }

/* ---------------- html.unescape ---------------- */
/* The entity whose name is the code points s[0..n) (ASCII only), or NULL. */
static const ovTokEntity *find_entity(const uint32_t *s, size_t n) {
    char name[40];
    if (n >= sizeof name) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 0x80) return NULL;
        name[i] = (char)s[i];
    }
    name[n] = 0;
    int lo = 0, hi = ov_tok_entities_n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(name, ov_tok_entities[mid].name);
        if (c < 0) hi = mid - 1;
        else if (c > 0) lo = mid + 1;
        else return &ov_tok_entities[mid];
    }
    return NULL;
}

static void put_entity(ovCpBuf *b, const ovTokEntity *e) {
    ov_cp_put(b, e->v[0]);
    if (e->v[1]) ov_cp_put(b, e->v[1]);
}

/* html._replace_charref for a numeric reference (num saturated past U+10FFFF). */
static void put_numeric(ovCpBuf *b, uint32_t num) {
    const ovTokMap2 *m = ov_tok_find_map(ov_tok_invalid_charrefs, ov_tok_invalid_charrefs_n, num);
    if (m) ov_cp_put(b, m->to[0]);
    else if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) ov_cp_put(b, 0xFFFD);
    else if (!ov_tok_in_ranges(ov_tok_invalid_codepoints, ov_tok_invalid_codepoints_n, num)) ov_cp_put(b, num);
}

static int digit_value(uint32_t c, int base) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (base == 16 && c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (base == 16 && c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* Parses the digits at s[i..] in base; returns the index after them (num saturates). */
static size_t parse_number(const uint32_t *s, size_t n, size_t i, int base, uint32_t *num) {
    uint64_t v = 0;
    for (; i < n && digit_value(s[i], base) >= 0; i++) {
        v = v * (uint64_t)base + (uint64_t)digit_value(s[i], base);
        if (v > 0x110000) v = 0x110000;
    }
    *num = (uint32_t)v;
    return i;
}

/* The characters a named reference may not contain: [^\t\n\f <&#;] */
static bool name_char(uint32_t c) { return !(c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';'); }

/* The regex &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?) scanned left to right, each
 * match replaced like html._replace_charref. */
uint32_t *ov_tok_html_unescape(const uint32_t *s, size_t n, size_t *n_out) {
    ovCpBuf b = {0};
    for (size_t i = 0; i < n;) {
        if (s[i] != '&') {
            ov_cp_put(&b, s[i++]);
            continue;
        }
        size_t j = i + 1;
        if (j < n && s[j] == '#') {
            uint32_t num;
            size_t end = 0;
            if (j + 1 < n && digit_value(s[j + 1], 10) >= 0) end = parse_number(s, n, j + 1, 10, &num);
            else if (j + 2 < n && (s[j + 1] == 'x' || s[j + 1] == 'X') && digit_value(s[j + 2], 16) >= 0)
                end = parse_number(s, n, j + 2, 16, &num);
            if (!end) { /* '#' cannot start a name either: no match, the '&' stays */
                ov_cp_put(&b, s[i++]);
                continue;
            }
            if (end < n && s[end] == ';') end++;
            put_numeric(&b, num);
            i = end;
            continue;
        }
        size_t k = j;
        while (k < n && k - j < 32 && name_char(s[k])) k++;
        if (k == j) {
            ov_cp_put(&b, s[i++]);
            continue;
        }
        size_t end = k < n && s[k] == ';' ? k + 1 : k, len = end - j;
        const ovTokEntity *e = find_entity(s + j, len);
        if (e) {
            put_entity(&b, e);
        } else {
            /* the longest prefix of at least 2 characters that is an entity, the rest kept */
            size_t x = len - 1;
            for (; x >= 2; x--)
                if ((e = find_entity(s + j, x))) break;
            if (e && x >= 2) {
                put_entity(&b, e);
                for (size_t q = j + x; q < end; q++) ov_cp_put(&b, s[q]);
            } else {
                for (size_t q = i; q < end; q++) ov_cp_put(&b, s[q]);
            }
        }
        i = end;
    }
    return done(&b, n_out);
}

/* ---------------- whitespace ---------------- */
uint32_t *ov_tok_whitespace_clean(const uint32_t *s, size_t n, int python_space, size_t *n_out) {
    ovCpBuf b = {0};
    const ovTokRange *r = python_space ? ov_tok_isspace : ov_tok_white_space;
    int rn = python_space ? ov_tok_isspace_n : ov_tok_white_space_n;
    for (size_t i = 0; i < n;) {
        if (!ov_tok_in_ranges(r, rn, s[i])) {
            ov_cp_put(&b, s[i++]);
            continue;
        }
        while (i < n && ov_tok_in_ranges(r, rn, s[i])) i++;
        ov_cp_put(&b, ' ');
    }
    if (python_space) { /* .strip(): only the single spaces left at the ends */
        size_t lo = 0, hi = b.n;
        if (hi > 0 && b.p[hi - 1] == ' ') hi--;
        if (lo < hi && b.p[0] == ' ') lo = 1;
        if (lo) memmove(b.p, b.p + lo, (hi - lo) * sizeof *b.p);
        b.n = hi - lo;
    }
    return done(&b, n_out);
}

/* ---------------- lower-casing ---------------- */
static bool case_ignorable(uint32_t c) { return ov_tok_in_ranges(ov_tok_case_ignorable, ov_tok_case_ignorable_n, c); }
static bool cased(uint32_t c) { return ov_tok_in_ranges(ov_tok_cased, ov_tok_cased_n, c); }

/* CPython's handle_capital_sigma: Σ at i is final when a cased letter precedes it and none
 * follows it (case-ignorable characters skipped on both sides). */
static bool final_sigma_at(const uint32_t *s, size_t n, size_t i) {
    size_t j = i;
    while (j > 0 && case_ignorable(s[j - 1])) j--;
    if (j == 0 || !cased(s[j - 1])) return false;
    for (j = i + 1; j < n && case_ignorable(s[j]); j++) {}
    return j == n || !cased(s[j]);
}

uint32_t *ov_tok_lower(const uint32_t *s, size_t n, int final_sigma, size_t *n_out) {
    ovCpBuf b = {0};
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c < 0x80) {
            ov_cp_put(&b, c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        if (c == 0x3A3 && final_sigma) {
            ov_cp_put(&b, final_sigma_at(s, n, i) ? 0x3C2 : 0x3C3);
            continue;
        }
        const ovTokMap2 *m = ov_tok_find_map(ov_tok_lower_map, ov_tok_lower_map_n, c);
        if (!m) {
            ov_cp_put(&b, c);
            continue;
        }
        ov_cp_put(&b, m->to[0]);
        if (m->to[1]) ov_cp_put(&b, m->to[1]);
    }
    return done(&b, n_out);
}

/* ---------------- NFC ---------------- */
enum { SBASE = 0xAC00, LBASE = 0x1100, VBASE = 0x1161, TBASE = 0x11A7, LCOUNT = 19, VCOUNT = 21, TCOUNT = 28,
       NCOUNT = VCOUNT * TCOUNT, SCOUNT = LCOUNT * NCOUNT };

static int ccc(uint32_t c) {
    int lo = 0, hi = ov_tok_ccc_n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c < ov_tok_ccc[mid].lo) hi = mid - 1;
        else if (c > ov_tok_ccc[mid].hi) lo = mid + 1;
        else return ov_tok_ccc[mid].ccc;
    }
    return 0;
}

static const ovTokDecomp *find_decomp(uint32_t c) {
    int lo = 0, hi = ov_tok_decomp_n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c < ov_tok_decomp[mid].cp) hi = mid - 1;
        else if (c > ov_tok_decomp[mid].cp) lo = mid + 1;
        else return &ov_tok_decomp[mid];
    }
    return NULL;
}

static void decompose(ovCpBuf *b, uint32_t c) {
    if (c >= SBASE && c < SBASE + SCOUNT) { /* Hangul syllables decompose algorithmically */
        uint32_t si = c - SBASE;
        ov_cp_put(b, LBASE + si / NCOUNT);
        ov_cp_put(b, VBASE + si % NCOUNT / TCOUNT);
        if (si % TCOUNT) ov_cp_put(b, TBASE + si % TCOUNT);
        return;
    }
    const ovTokDecomp *d = find_decomp(c);
    if (!d) {
        ov_cp_put(b, c);
        return;
    }
    decompose(b, d->d[0]);
    if (d->d[1]) decompose(b, d->d[1]);
}

/* The primary composites, sorted by (first, second), built once. */
typedef struct {
    uint32_t a, b, c;
} Pair;
static Pair *pairs;
static int n_pairs;
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;

static int pair_cmp(const void *x, const void *y) {
    const Pair *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static void build_pairs(void) {
    pairs = malloc((size_t)ov_tok_decomp_n * sizeof *pairs);
    if (!pairs) abort();
    for (int i = 0; i < ov_tok_decomp_n; i++)
        if (ov_tok_decomp[i].composes)
            pairs[n_pairs++] = (Pair){ov_tok_decomp[i].d[0], ov_tok_decomp[i].d[1], ov_tok_decomp[i].cp};
    qsort(pairs, (size_t)n_pairs, sizeof *pairs, pair_cmp);
}

/* The composite of a + b, or 0. */
static uint32_t compose(uint32_t a, uint32_t b) {
    if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT)
        return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
    if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE && b < TBASE + TCOUNT)
        return a + (b - TBASE);
    Pair key = {a, b, 0};
    const Pair *p = bsearch(&key, pairs, (size_t)n_pairs, sizeof *pairs, pair_cmp);
    return p ? p->c : 0;
}

uint32_t *ov_tok_nfc(const uint32_t *s, size_t n, size_t *n_out) {
    ovCpBuf b = {0};
    bool simple = true; /* nothing below U+0300 changes under NFC */
    for (size_t i = 0; i < n && simple; i++) simple = s[i] < 0x300;
    if (simple) {
        for (size_t i = 0; i < n; i++) ov_cp_put(&b, s[i]);
        return done(&b, n_out);
    }
    pthread_once(&pairs_once, build_pairs);
    for (size_t i = 0; i < n; i++) decompose(&b, s[i]);
    /* canonical ordering: a stable sort by combining class within each run of non-starters */
    for (size_t i = 1; i < b.n; i++) {
        int ci = ccc(b.p[i]);
        if (!ci) continue;
        for (size_t j = i; j > 0; j--) {
            int cj = ccc(b.p[j - 1]);
            if (cj <= ci) break;
            uint32_t t = b.p[j];
            b.p[j] = b.p[j - 1], b.p[j - 1] = t;
        }
    }
    /* canonical composition (UAX #15): a character joins the last starter unless blocked */
    if (b.n) {
        size_t starter = 0, out = 1;
        int last = ccc(b.p[0]) ? 256 : 0;
        for (size_t i = 1; i < b.n; i++) {
            uint32_t c = b.p[i];
            int cc = ccc(c);
            uint32_t comp = last == 256 ? 0 : compose(b.p[starter], c);
            if (comp && (last < cc || last == 0)) {
                b.p[starter] = comp;
                continue;
            }
            if (cc == 0) starter = out;
            last = cc;
            b.p[out++] = c;
        }
        b.n = out;
    }
    return done(&b, n_out);
}
