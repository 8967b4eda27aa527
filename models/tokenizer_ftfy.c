/* tokenizer_ftfy.c: ftfy.fix_text (ftfy 6.3, which OpenAI CLIP, open_clip and ViCLIP run first) with
 * fix_encoding=False: everything but its heuristic mojibake repair. fix_text cuts the text after
 * each '\n' (and every 1,000,000 characters) and runs on each piece, until nothing changes:
 *   unescape_html          &name; from HTML5 (plus upper-cased names of lower-case entities) and
 *                          &#NN; / &#xHH; that html.unescape decodes whole; skipped from the first
 *                          piece that contains '<' on
 *   fix_c1_controls        U+0080..U+009F read as windows-1252 bytes
 *   fix_latin_ligatures    ﬁ -> fi, Ǆ -> DŽ, ...
 *   fix_character_width    half- and full-width forms -> NFKC, U+3000 -> ' '
 *   uncurl_quotes          U+02BC, U+2018..U+201B -> ', U+201C..U+201F -> "
 *   fix_line_breaks        \r\n, \r, U+2028, U+2029, U+0085 -> \n
 *   remove_terminal_escapes  ESC [ (digits | ;)* letter
 *   remove_control_chars   U+0000..08, 0B, 0E..1F, 7F, 206A..206F, FEFF, FFF9..FFFC
 *   NFC
 * tools/gen_tokenizer_fixtures.py checks the reference it shares with this file against ftfy. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "models/tokenizer_clean.h"


/* ftfy.chardata.LIGATURES */
static const struct {
    uint32_t cp, to[3];
} ligatures[] = {
    {0x132, {'I', 'J'}},      {0x133, {'i', 'j'}},      {0x149, {0x2BC, 'n'}},    {0x1C4, {'D', 0x17D}},
    {0x1C5, {'D', 0x17E}},    {0x1C6, {'d', 0x17E}},    {0x1C7, {'L', 'J'}},      {0x1C8, {'L', 'j'}},
    {0x1C9, {'l', 'j'}},      {0x1CA, {'N', 'J'}},      {0x1CB, {'N', 'j'}},      {0x1CC, {'n', 'j'}},
    {0x1F1, {'D', 'Z'}},      {0x1F2, {'D', 'z'}},      {0x1F3, {'d', 'z'}},      {0xFB00, {'f', 'f'}},
    {0xFB01, {'f', 'i'}},     {0xFB02, {'f', 'l'}},     {0xFB03, {'f', 'f', 'i'}}, {0xFB04, {'f', 'f', 'l'}},
    {0xFB05, {0x17F, 't'}},   {0xFB06, {'s', 't'}},
};

static bool is_control(uint32_t c) {
    return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F) ||
           c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

static bool alnum(uint32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* ftfy's entity table: name without '&' (with ';'), or NULL. */
static const ovTokEntity3 *ftfy_entity(const uint32_t *s, size_t n) {
    char name[40];
    if (n >= sizeof name) return NULL;
    for (size_t i = 0; i < n; i++) name[i] = (char)s[i]; /* the caller passes ASCII only */
    name[n] = 0;
    int lo = 0, hi = ov_tok_ftfy_entities_n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(name, ov_tok_ftfy_entities[mid].name);
        if (c < 0) hi = mid - 1;
        else if (c > 0) lo = mid + 1;
        else return &ov_tok_ftfy_entities[mid];
    }
    return NULL;
}

/* ftfy.fixes.unescape_html: every match of &#?[0-9A-Za-z]{1,24}; */
static void unescape(const uint32_t *s, size_t n, ovCpBuf *o) {
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, k;
        bool hash = s[i] == '&' && j < n && s[j] == '#';
        if (s[i] != '&') goto keep;
        j += hash;
        for (k = j; k < n && k - j < 24 && alnum(s[k]); k++) {}
        if (k == j || k >= n || s[k] != ';') goto keep;
        const ovTokEntity3 *e = ftfy_entity(s + i + 1, k - i);
        if (e) {
            for (int q = 0; q < 3 && e->v[q]; q++) ov_cp_put(o, e->v[q]);
        } else if (hash) { /* html.unescape of the reference alone, kept when it did not consume the ';' */
            size_t m;
            uint32_t *u = ov_tok_html_unescape(s + i, k + 1 - i, &m);
            bool semi = false;
            for (size_t q = 0; q < m; q++) semi |= u[q] == ';';
            for (size_t q = 0; q < (semi ? k + 1 - i : m); q++) ov_cp_put(o, semi ? s[i + q] : u[q]);
            free(u);
        } else {
            for (size_t q = i; q <= k; q++) ov_cp_put(o, s[q]);
        }
        i = k + 1;
        continue;
    keep:
        ov_cp_put(o, s[i++]);
    }
}

/* fix_c1_controls, fix_latin_ligatures, fix_character_width and uncurl_quotes, one after the other */
static void char_maps(const uint32_t *s, size_t n, ovCpBuf *o) {
    for (size_t i = 0; i < n; i++) {
        uint32_t a[8], b[8];
        int na = 1, nb = 0;
        a[0] = s[i];
        if (a[0] >= 0x80 && a[0] <= 0x9F) a[0] = ov_tok_find_map(ov_tok_invalid_charrefs, ov_tok_invalid_charrefs_n, a[0])->to[0];
        for (int q = 0; q < na; q++) { /* ligatures */
            size_t L = 0;
            for (; L < sizeof ligatures / sizeof ligatures[0] && ligatures[L].cp != a[q]; L++) {}
            if (L == sizeof ligatures / sizeof ligatures[0]) b[nb++] = a[q];
            else
                for (int r = 0; r < 3 && ligatures[L].to[r]; r++) b[nb++] = ligatures[L].to[r];
        }
        na = 0;
        for (int q = 0; q < nb; q++) { /* widths */
            const ovTokMap2 *m = ov_tok_find_map(ov_tok_width_map, ov_tok_width_map_n, b[q]);
            if (!m) a[na++] = b[q];
            else {
                a[na++] = m->to[0];
                if (m->to[1]) a[na++] = m->to[1];
            }
        }
        for (int q = 0; q < na; q++) { /* quotes */
            uint32_t c = a[q];
            if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B)) c = '\'';
            else if (c >= 0x201C && c <= 0x201F) c = '"';
            ov_cp_put(o, c);
        }
    }
}

static void line_breaks(const uint32_t *s, size_t n, ovCpBuf *o) {
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n') continue; /* \r\n -> \n */
        ov_cp_put(o, c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85 ? '\n' : c);
    }
}

/* Python's \d is any Unicode decimal digit, hence PCRE2 with UCP. */
static pcre2_code *ansi;
static pthread_once_t ansi_once = PTHREAD_ONCE_INIT;

static void compile_ansi(void) {
    int err;
    PCRE2_SIZE off;
    ansi = pcre2_compile((PCRE2_SPTR) "\\x1b\\[((?:\\d|;)*)([a-zA-Z])", PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &err, &off,
                         NULL);
    if (!ansi) abort();
}

static void terminal_escapes(const uint32_t *s, size_t n, ovCpBuf *o) {
    bool esc = false;
    for (size_t i = 0; i < n && !esc; i++) esc = s[i] == 0x1B;
    if (!esc) {
        for (size_t i = 0; i < n; i++) ov_cp_put(o, s[i]);
        return;
    }
    pthread_once(&ansi_once, compile_ansi);
    size_t len;
    char *u = ov_tok_utf8_encode(s, n, &len);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(ansi, NULL);
    size_t off = 0;
    char *t = malloc(len + 1);
    size_t tn = 0;
    while (off <= len) {
        int rc = pcre2_match(ansi, (PCRE2_SPTR)u, len, off, PCRE2_NO_UTF_CHECK, md, NULL);
        size_t start = rc >= 0 ? pcre2_get_ovector_pointer(md)[0] : len;
        memcpy(t + tn, u + off, start - off);
        tn += start - off;
        if (rc < 0) break;
        off = pcre2_get_ovector_pointer(md)[1];
    }
    t[tn] = 0;
    uint32_t *cps;
    size_t m, bad;
    ov_tok_utf8_decode(t, tn, &cps, &m, &bad); /* valid: cut at code point boundaries */
    for (size_t i = 0; i < m; i++) ov_cp_put(o, cps[i]);
    free(cps), free(t), free(u);
    pcre2_match_data_free(md);
}

/* One piece through the fixers until it stops changing; returns a malloc'd array. */
static uint32_t *fix_piece(const uint32_t *s, size_t n, bool do_unescape, size_t *n_out) {
    ovCpBuf cur = {0};
    for (size_t i = 0; i < n; i++) ov_cp_put(&cur, s[i]);
    for (;;) {
        ovCpBuf a = {0}, b = {0};
        if (do_unescape) unescape(cur.p, cur.n, &a);
        else
            for (size_t i = 0; i < cur.n; i++) ov_cp_put(&a, cur.p[i]);
        char_maps(a.p, a.n, &b);
        a.n = 0;
        line_breaks(b.p, b.n, &a);
        b.n = 0;
        terminal_escapes(a.p, a.n, &b);
        a.n = 0;
        for (size_t i = 0; i < b.n; i++)
            if (!is_control(b.p[i])) ov_cp_put(&a, b.p[i]);
        size_t m;
        uint32_t *next = ov_tok_nfc(a.p, a.n, &m);
        free(a.p), free(b.p);
        bool same = m == cur.n && (!m || !memcmp(next, cur.p, m * sizeof *next));
        free(cur.p);
        cur = (ovCpBuf){next, m, m};
        if (same) break;
    }
    *n_out = cur.n;
    return cur.p ? cur.p : malloc(sizeof(uint32_t));
}

uint32_t *ov_tok_ftfy(const uint32_t *s, size_t n, size_t *n_out) {
    ovCpBuf out = {0};
    bool do_unescape = true;
    for (size_t pos = 0; pos < n;) {
        size_t brk = pos;
        while (brk < n && s[brk] != '\n') brk++;
        brk = brk < n ? brk + 1 : n;
        if (brk - pos > 1000000) brk = pos + 1000000; /* ftfy's max_decode_length */
        for (size_t i = pos; i < brk && do_unescape; i++) do_unescape = s[i] != '<';
        size_t m;
        uint32_t *f = fix_piece(s + pos, brk - pos, do_unescape, &m);
        for (size_t i = 0; i < m; i++) ov_cp_put(&out, f[i]);
        free(f);
        pos = brk;
    }
    *n_out = out.n;
    return out.p ? out.p : malloc(sizeof(uint32_t));
}
