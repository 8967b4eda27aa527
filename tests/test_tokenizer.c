/* test_tokenizer.c: the CLIP BPE tokenizer (models/tokenizer.h) against the vocabulary's facts, the
 * spec's and the data README's reference vectors, and the ids of tools/tokenizer_ref.py (itself
 * checked against open_clip's code and Hugging Face `tokenizers`) in tests/fixtures/tokenizer:
 * cleaning, BPE ids and framing for both cleaning styles on accents, CJK, emoji, HTML references,
 * whitespace, special tokens and random text; ftfy's fixes; NFC against unicodedata; PCRE2's \p{L} / \p{N}
 * against unicodedata's categories; very long text; a round trip from ids back to the text; the
 * cache under threads; clear errors for missing or corrupt vocabularies and invalid UTF-8; and
 * `ovad tokenize`. Tests that need ../shared/data/bpe_simple_vocab_16e6.txt.gz skip with a
 * printed reason when it is missing; missing committed fixtures fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "models/tokenizer.h"
#include "models/tokenizer_clean.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tests/check_util.h"

#define FIX "tests/fixtures/tokenizer/"

static char vocab_path[1024];

/* The vocabulary, or NULL (and the test returns) with the reason printed once by ov_shared_data. */
static ovTokenizer *load_or_skip(void) {
    const char *dir = ov_shared_data("bpe_simple_vocab_16e6.txt.gz");
    if (!dir) return NULL;
    snprintf(vocab_path, sizeof vocab_path, "%s/bpe_simple_vocab_16e6.txt.gz", dir);
    ovTokenizer *t = ov_tokenizer_load(vocab_path);
    ck_assert_msg(t, "%s", ov_last_error());
    return t;
}

/* ---------------- fixture reading ---------------- */
typedef struct {
    char *buf;
    char *lines[16384];
    int n;
} Lines;

static void read_lines(const char *name, Lines *L) {
    uint8_t *data;
    size_t n;
    ck_assert_msg(!ov_read_file(name, &data, &n), "missing fixture (regenerate with tools/gen_tokenizer_fixtures.py): %s",
                  ov_last_error());
    L->buf = (char *)data, L->n = 0;
    for (char *save, *l = strtok_r(L->buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (l[0] != '#') {
            ck_assert(L->n < 16384);
            L->lines[L->n++] = l;
        }
}

/* Splits a line at tabs (empty fields kept). */
static int fields(char *line, char **f, int max) {
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') *p = 0, f[n++] = p + 1;
    return n;
}

static char *unhex(const char *h) {
    size_t n = strlen(h) / 2;
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        s[i] = (char)v;
    }
    s[n] = 0;
    return s;
}

static int parse_ids(const char *s, int32_t *ids, int max) {
    int n = 0;
    char *end;
    for (const char *p = s; *p && n < max; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p) break;
        ids[n++] = (int32_t)v;
    }
    return n;
}

static void ids_str(const int32_t *ids, int n, char *buf, size_t cap) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < n && k + 16 < cap; i++) k += (size_t)snprintf(buf + k, cap - k, i ? " %d" : "%d", ids[i]);
}

static ovTokStyle style_of(const char *s) { return !strcmp(s, "hf") ? OV_TOK_HF : OV_TOK_OPENAI; }

/* ---------------- the vocabulary ---------------- */
START_TEST(test_vocab_facts) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    ck_assert_int_eq(ov_tokenizer_id(t, "!"), 0);
    ck_assert_int_eq(ov_tokenizer_id(t, "a"), 64);
    ck_assert_int_eq(ov_tokenizer_id(t, "a</w>"), 320);
    ck_assert_int_eq(ov_tokenizer_id(t, "!</w>"), 256);
    ck_assert_int_eq(ov_tokenizer_id(t, "<|startoftext|>"), OV_TOK_SOT);
    ck_assert_int_eq(ov_tokenizer_id(t, "<|endoftext|>"), OV_TOK_EOT);
    ck_assert_int_eq(ov_tokenizer_id(t, "no such token"), -1);
    ck_assert_str_eq(ov_tokenizer_token(t, 512), "in"); /* merge 1 of the file: "i n" */
    ck_assert_str_eq(ov_tokenizer_token(t, 49405), "jekyll</w>");
    /* the 68 bytes that are not printable map to U+0100.. in order: byte 0 is U+0100, space U+0120 */
    ck_assert_str_eq(ov_tokenizer_token(t, 188), "\xc4\x80");
    ck_assert_int_eq(ov_tokenizer_id(t, "\xc4\xa0"), 188 + 32);
    ck_assert_ptr_null(ov_tokenizer_token(t, OV_TOK_VOCAB_SIZE));
    ck_assert_ptr_null(ov_tokenizer_token(t, -1));
    int n = 0; /* every id has a distinct, non-empty entry */
    for (int i = 0; i < OV_TOK_VOCAB_SIZE; i++) n += ov_tokenizer_id(t, ov_tokenizer_token(t, i)) == i;
    ck_assert_int_eq(n, 49408);
    ov_tokenizer_free(t);
}
END_TEST

/* ---------------- reference vectors ---------------- */
static const struct {
    const char *text;
    int n;
    int32_t ids[10];
} vectors[] = {
    {"Hi there", 2, {1883, 997}},
    {"hello", 1, {3306}},
    {"magnificent", 1, {10724}},
    {"magnificently", 2, {9725, 2922}},
    {"hello world!", 3, {3306, 1002, 256}},
    {"a person", 2, {320, 2533}},
    {"a person running", 3, {320, 2533, 2761}},
    {"a person riding a bike", 5, {320, 2533, 6765, 320, 3701}},
    {"a person brush hair", 4, {320, 2533, 8594, 2225}},
    {"a person catch", 3, {320, 2533, 3042}},
    {"a person climb_stairs", 5, {320, 2533, 10649, 318, 9577}},
    {"Don't  STOP", 3, {847, 713, 1691}},
    {"person's", 2, {2533, 568}},
    {"a 2nd-floor", 5, {320, 273, 1764, 268, 4125}},
    {"rock &amp; roll", 3, {2172, 261, 3341}},
    {"caf\xc3\xa9", 1, {15304}},
    {"a person bend/bow (at the waist)", 10, {320, 2533, 13332, 270, 4040, 263, 536, 518, 18459, 264}},
    {"2024", 4, {273, 271, 273, 275}}, /* digits one by one */
};

START_TEST(test_reference_vectors) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        for (int style = 0; style < 2; style++) {
            if (style == OV_TOK_HF && strstr(vectors[v].text, "&amp;")) continue; /* HF does not unescape */
            int32_t *ids;
            int n = ov_tokenizer_encode(t, vectors[v].text, (ovTokStyle)style, &ids);
            char got[256], want[256];
            ids_str(ids, n, got, sizeof got);
            ids_str(vectors[v].ids, vectors[v].n, want, sizeof want);
            ck_assert_msg(!strcmp(got, want), "'%s' (style %d): got [%s], want [%s]", vectors[v].text, style, got, want);
            /* framed for ViCLIP: SOT ids EOT, then zeros */
            int32_t row[32];
            uint8_t mask[32];
            ck_assert_int_eq(ov_tok_frame(ids, n, 32, 0, row, mask), n + 2);
            ck_assert_int_eq(row[0], OV_TOK_SOT);
            ck_assert_int_eq(row[n + 1], OV_TOK_EOT);
            ck_assert_int_eq(row[n + 2], 0);
            ck_assert_int_eq(mask[n + 1], 1);
            ck_assert_int_eq(mask[n + 2], 0);
            free(ids);
        }
    }
    /* HF keeps the entity: '&', 'amp', ';' */
    int32_t *ids;
    int n = ov_tokenizer_encode(t, "rock &amp; roll", OV_TOK_HF, &ids);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(ids[0], 2172);
    ck_assert_int_eq(ids[1], 261); /* "&</w>" */
    ck_assert_int_eq(ids[3], ov_tokenizer_id(t, ";</w>"));
    ck_assert_int_eq(ids[4], 3341);
    free(ids);
    ov_tokenizer_free(t);
}
END_TEST

/* ---------------- the fixtures of tools/gen_tokenizer_fixtures.py ---------------- */
START_TEST(test_clean_matches_python) {
    Lines L;
    read_lines(FIX "clean.tsv", &L);
    ck_assert_int_gt(L.n, 300);
    for (int i = 0; i < L.n; i++) {
        char *f[3];
        ck_assert_int_eq(fields(L.lines[i], f, 3), 3);
        char *text = unhex(f[1]), *want = unhex(f[2]);
        char *got = ov_tokenizer_clean(text, style_of(f[0]));
        ck_assert_msg(got, "%s", ov_last_error());
        ck_assert_msg(!strcmp(got, want), "%s line %d: clean('%s') = '%s', Python gives '%s'", f[0], i, text, got, want);
        free(text), free(want), free(got);
    }
    free(L.buf);
}
END_TEST

START_TEST(test_encode_matches_reference) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    Lines L;
    read_lines(FIX "encode.tsv", &L);
    ck_assert_int_gt(L.n, 300);
    static int32_t want[16384];
    static char a[200000], b[200000];
    for (int i = 0; i < L.n; i++) {
        char *f[3];
        ck_assert_int_eq(fields(L.lines[i], f, 3), 3);
        char *text = unhex(f[1]);
        int nw = parse_ids(f[2], want, 16384);
        int32_t *ids;
        int n = ov_tokenizer_encode(t, text, style_of(f[0]), &ids);
        ck_assert_msg(n >= 0, "%s", ov_last_error());
        ids_str(ids, n, a, sizeof a);
        ids_str(want, nw, b, sizeof b);
        ck_assert_msg(n == nw && !strcmp(a, b), "%s line %d '%.200s':\n  ovad   [%.400s]\n  python [%.400s]", f[0], i, text, a,
                      b);
        free(ids), free(text);
    }
    free(L.buf);
    ov_tokenizer_free(t);
}
END_TEST

START_TEST(test_frame_matches_reference) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    Lines L;
    read_lines(FIX "frame.tsv", &L);
    ck_assert_int_ge(L.n, 40);
    int32_t want[128], row[128];
    uint8_t mask[128];
    int32_t wmask[128];
    for (int i = 0; i < L.n; i++) {
        char *f[6];
        ck_assert_int_eq(fields(L.lines[i], f, 6), 6);
        int ctx = atoi(f[1]), pad = atoi(f[2]);
        char *text = unhex(f[3]);
        ck_assert_int_eq(parse_ids(f[4], want, 128), ctx);
        ck_assert_int_eq(parse_ids(f[5], wmask, 128), ctx);
        int32_t *ids;
        int n = ov_tokenizer_encode(t, text, style_of(f[0]), &ids);
        int len = ov_tok_frame(ids, n, ctx, pad, row, mask);
        ck_assert_int_eq(len, n + 2 < ctx ? n + 2 : ctx);
        for (int j = 0; j < ctx; j++) {
            ck_assert_msg(row[j] == want[j], "line %d (context %d): id %d is %d, Python gives %d", i, ctx, j, row[j], want[j]);
            ck_assert_int_eq(mask[j], wmask[j]);
        }
        free(ids), free(text);
    }
    free(L.buf);
    ov_tokenizer_free(t);
}
END_TEST

/* ov_tokenize: the tensors each model feeds its text encoder. */
START_TEST(test_tokenize_tensors) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    ov_scope_begin();
    const char *texts[] = {"a person riding a bike", "hello", ""};
    ovTensor *mask, *ids = ov_tokenize(t, 3, texts, &OV_TOK_OPENMIXER, &mask);
    ck_assert_int_eq(ids->dtype, OV_I64);
    ck_assert_int_eq(ids->shape[0], 3);
    ck_assert_int_eq(ids->shape[1], 24);
    ck_assert_int_eq(ov_get_flat(ids, 0), OV_TOK_SOT);
    ck_assert_int_eq(ov_get_flat(ids, 6), OV_TOK_EOT);
    ck_assert_int_eq(ov_get_flat(ids, 7), OV_TOK_EOT); /* HF pads with <|endoftext|> */
    ck_assert_int_eq(ov_get_flat(mask, 6), 1);
    ck_assert_int_eq(ov_get_flat(mask, 7), 0);
    ck_assert_int_eq(ov_get_flat(ids, 24 + 1), 3306);
    ck_assert_int_eq(ov_get_flat(ids, 48 + 1), OV_TOK_EOT); /* the empty text: SOT EOT */
    ovTensor *v = ov_tokenize(t, 3, texts, &OV_TOK_VICLIP, NULL);
    ck_assert_int_eq(v->shape[1], 32);
    ck_assert_int_eq(ov_get_flat(v, 7), 0);
    ck_assert_int_eq(ov_tok_cfg("clip")->context, 77);
    ck_assert_int_eq(ov_tok_cfg("clipvip")->pad, OV_TOK_EOT);
    ck_assert_ptr_null(ov_tok_cfg("bert"));
    const char *bad[] = {"ok", "bad \xff byte"};
    ck_assert_ptr_null(ov_tokenize(t, 2, bad, &OV_TOK_CLIP, NULL));
    ck_assert_msg(strstr(ov_last_error(), "text 1") && strstr(ov_last_error(), "UTF-8 (byte 4)"), "%s", ov_last_error());
    ov_scope_end();
    ov_tokenizer_free(t);
}
END_TEST

/* ---------------- Unicode data ---------------- */
START_TEST(test_nfc_matches_unicodedata) {
    Lines L;
    read_lines(FIX "nfc.tsv", &L);
    ck_assert_int_gt(L.n, 4000);
    for (int i = 0; i < L.n; i++) {
        char *f[2];
        ck_assert_int_eq(fields(L.lines[i], f, 2), 2);
        char *in = unhex(f[0]), *want = unhex(f[1]);
        uint32_t *cps, *out;
        size_t n, m, bad;
        ck_assert_int_eq(ov_tok_utf8_decode(in, strlen(in), &cps, &n, &bad), 0);
        out = ov_tok_nfc(cps, n, &m);
        char *got = ov_tok_utf8_encode(out, m, NULL);
        ck_assert_msg(!strcmp(got, want), "NFC of %s is %s in ovad, %s in Python", f[0], got, want);
        free(in), free(want), free(cps), free(out), free(got);
    }
    free(L.buf);
}
END_TEST

START_TEST(test_ftfy_matches_reference) {
    Lines L;
    read_lines(FIX "ftfy.tsv", &L);
    ck_assert_int_gt(L.n, 1500);
    for (int i = 0; i < L.n; i++) {
        char *f[2];
        ck_assert_int_eq(fields(L.lines[i], f, 2), 2);
        char *in = unhex(f[0]), *want = unhex(f[1]);
        uint32_t *cps, *out;
        size_t n, m, bad;
        ck_assert_int_eq(ov_tok_utf8_decode(in, strlen(f[0]) / 2, &cps, &n, &bad), 0);
        out = ov_tok_ftfy(cps, n, &m);
        char *got = ov_tok_utf8_encode(out, m, NULL);
        ck_assert_msg(!strcmp(got, want), "ftfy of %s is %s in ovad, %s in Python", f[0], got, want);
        free(in), free(want), free(cps), free(out), free(got);
    }
    free(L.buf);
}
END_TEST

/* PCRE2's \p{L} and \p{N} (what the pattern uses) against unicodedata's categories L* and N*. */
START_TEST(test_pcre2_classes_match_unicodedata) {
    Lines L;
    read_lines(FIX "classes.tsv", &L);
    static uint8_t want[2][0x110000];
    memset(want, 0, sizeof want);
    for (int i = 0; i < L.n; i++) {
        char *f[3];
        ck_assert_int_eq(fields(L.lines[i], f, 3), 3);
        unsigned long lo = strtoul(f[1], NULL, 16), hi = strtoul(f[2], NULL, 16);
        for (unsigned long c = lo; c <= hi; c++) want[f[0][0] == 'N'][c] = 1;
    }
    free(L.buf);
    const char *src[2] = {"\\p{L}", "\\p{N}"};
    for (int k = 0; k < 2; k++) {
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)src[k], PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED,
                                       &err, &off, NULL);
        ck_assert_ptr_nonnull(re);
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        int wrong = 0;
        uint32_t first = 0;
        for (uint32_t c = 0; c < 0x110000; c++) {
            if (c >= 0xD800 && c <= 0xDFFF) continue;
            char buf[5];
            size_t len;
            char *s = ov_tok_utf8_encode(&c, 1, &len);
            memcpy(buf, s, len + 1);
            free(s);
            int hit = pcre2_match(re, (PCRE2_SPTR)buf, len, 0, 0, md, NULL) >= 0;
            if (hit != want[k][c] && !wrong++) first = c;
        }
        ck_assert_msg(!wrong, "%s: PCRE2 and Python disagree on %d code points, the first U+%04X", src[k], wrong, first);
        pcre2_match_data_free(md);
        pcre2_code_free(re);
    }
    /* Python's \s (str.isspace) has 29 code points, U+001C..U+001F among them */
    int n = 0;
    for (uint32_t c = 0; c < 0x110000; c++) n += ov_tok_is_python_space(c);
    ck_assert_int_eq(n, 29);
    ck_assert(ov_tok_is_python_space(0x1F) && ov_tok_is_python_space(0x3000) && !ov_tok_is_python_space(0x200B));
}
END_TEST

START_TEST(test_invalid_utf8) {
    const char *bad[] = {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\x80"};
    size_t where[] = {0, 1, 0, 0, 0, 2};
    for (int i = 0; i < 6; i++) {
        uint32_t *cps;
        size_t n, b;
        ck_assert_int_eq(ov_tok_utf8_decode(bad[i], strlen(bad[i]), &cps, &n, &b), -1);
        ck_assert_int_eq(b, where[i]);
    }
    ck_assert_ptr_null(ov_tokenizer_clean("caf\xc3", OV_TOK_OPENAI));
    ck_assert_msg(strstr(ov_last_error(), "not valid UTF-8 (byte 3)"), "%s", ov_last_error());
}
END_TEST

/* ---------------- long text, round trip, special tokens ---------------- */
START_TEST(test_long_text) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    size_t cap = 200000;
    char *text = malloc(cap);
    size_t k = 0;
    while (k + 40 < cap) k += (size_t)snprintf(text + k, cap - k, "a person is riding a bike number %zu ", k);
    int32_t *ids;
    int n = ov_tokenizer_encode(t, text, OV_TOK_OPENAI, &ids);
    ck_assert_int_gt(n, 40000);
    const int ctxs[] = {77, 32, 24, 1};
    for (int c = 0; c < 4; c++) {
        int32_t row[77];
        uint8_t mask[77];
        int C = ctxs[c];
        ck_assert_int_eq(ov_tok_frame(ids, n, C, 0, row, mask), C);
        if (C > 1) ck_assert_int_eq(row[0], OV_TOK_SOT);
        for (int j = 1; j < C - 1; j++) ck_assert_int_eq(row[j], ids[j - 1]);
        ck_assert_int_eq(row[C - 1], OV_TOK_EOT); /* the EOT survives truncation */
        ck_assert_int_eq(mask[C - 1], 1);
    }
    free(ids);
    /* one very long word: BPE is quadratic in the word's length, but it must finish and give back
     * the same bytes */
    memset(text, 'z', 3000);
    memcpy(text + 3000, "ation", 6);
    n = ov_tokenizer_encode(t, text, OV_TOK_OPENAI, &ids);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        const char *tok = ov_tokenizer_token(t, ids[i]);
        total += strlen(tok) - (strstr(tok, "</w>") ? 4 : 0);
    }
    ck_assert_int_eq(total, 3005);
    ck_assert_int_eq(strcmp(ov_tokenizer_token(t, ids[n - 1]) + strlen(ov_tokenizer_token(t, ids[n - 1])) - 4, "</w>"), 0);
    free(ids);
    free(text);
    ov_tokenizer_free(t);
}
END_TEST

/* The inverse of CLIP's byte table: a vocabulary entry's characters back to bytes. */
static size_t token_bytes(const char *tok, char *out) {
    uint32_t *cps;
    size_t n, b, k = 0;
    ck_assert_int_eq(ov_tok_utf8_decode(tok, strlen(tok), &cps, &n, &b), 0);
    if (n >= 4 && cps[n - 4] == '<' && cps[n - 3] == '/' && cps[n - 2] == 'w' && cps[n - 1] == '>') n -= 4;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cps[i];
        bool printable = (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
        if (printable) {
            out[k++] = (char)c;
        } else { /* U+0100 + n: the n-th non-printable byte */
            int idx = (int)(c - 0x100), seen = 0;
            for (int byte = 0; byte < 256; byte++) {
                bool p = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
                if (!p && seen++ == idx) {
                    out[k++] = (char)byte;
                    break;
                }
            }
        }
    }
    free(cps);
    return k;
}

/* The ids of any text give back its cleaned text without the spaces (nothing is lost or unknown). */
START_TEST(test_round_trip) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    Lines L;
    read_lines(FIX "encode.tsv", &L);
    static char joined[400000];
    for (int i = 0; i < L.n; i++) {
        char *f[3];
        fields(L.lines[i], f, 3);
        char *text = unhex(f[1]);
        if (strstr(text, "\xcd\x85") || strstr(text, "<|")) { /* U+0345 is dropped; specials are ids */
            free(text);
            continue;
        }
        ovTokStyle st = style_of(f[0]);
        char *clean = ov_tokenizer_clean(text, st);
        size_t k = 0, m = 0;
        for (char *p = clean; *p; p++)
            if (*p != ' ' && !(st == OV_TOK_HF && strchr("\t\n\v\f\r", *p))) clean[m++] = *p;
        clean[m] = 0;
        int32_t *ids;
        int n = ov_tokenizer_encode(t, text, st, &ids);
        for (int j = 0; j < n; j++) k += token_bytes(ov_tokenizer_token(t, ids[j]), joined + k);
        joined[k] = 0;
        ck_assert_msg(k == m && !memcmp(joined, clean, m), "line %d: ids of '%s' spell '%s', cleaned text '%s'", i, text,
                      joined, clean);
        free(ids), free(clean), free(text);
    }
    free(L.buf);
    ov_tokenizer_free(t);
}
END_TEST

START_TEST(test_special_tokens) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    struct {
        const char *text;
        ovTokStyle style;
        int n;
        int32_t ids[8];
    } cases[] = {
        {"<|startoftext|>a<|endoftext|>", OV_TOK_OPENAI, 3, {OV_TOK_SOT, 320, OV_TOK_EOT}},
        {"<|startoftext|>a<|endoftext|>", OV_TOK_HF, 3, {OV_TOK_SOT, 320, OV_TOK_EOT}},
        {"<|ENDOFTEXT|>", OV_TOK_OPENAI, 1, {OV_TOK_EOT}}, /* lower-cased first */
        {"x<|endoftext|>y", OV_TOK_OPENAI, 3, {343, OV_TOK_EOT, 344}},
        {"a &lt;|endoftext|&gt;", OV_TOK_OPENAI, 2, {320, OV_TOK_EOT}}, /* unescaped into a special token */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int32_t *ids;
        int n = ov_tokenizer_encode(t, cases[c].text, cases[c].style, &ids);
        char a[128], b[128];
        ids_str(ids, n, a, sizeof a);
        ids_str(cases[c].ids, cases[c].n, b, sizeof b);
        ck_assert_msg(!strcmp(a, b), "'%s': [%s], want [%s]", cases[c].text, a, b);
        free(ids);
    }
    /* not at the start of a match: '!<|' is one punctuation run, so no special id */
    int32_t *ids;
    int n = ov_tokenizer_encode(t, "!<|endoftext|>", OV_TOK_OPENAI, &ids);
    for (int i = 0; i < n; i++) ck_assert_int_ne(ids[i], OV_TOK_EOT);
    free(ids);
    /* Hugging Face does not lower-case before matching specials */
    n = ov_tokenizer_encode(t, "<|ENDOFTEXT|>", OV_TOK_HF, &ids);
    ck_assert_int_gt(n, 1);
    free(ids);
    ck_assert_int_eq(ov_tokenizer_encode(t, "   ", OV_TOK_OPENAI, &ids), 0);
    ck_assert_ptr_null(ids);
    ov_tokenizer_free(t);
}
END_TEST

/* ---------------- cache and threads ---------------- */
START_TEST(test_cache_and_threads) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    int64_t look0, hit0, look1, hit1;
    int32_t *a, *b;
    ov_tokenizer_cache_stats(t, &look0, &hit0);
    int na = ov_tokenizer_encode(t, "a person riding a bike", OV_TOK_OPENAI, &a);
    ov_tokenizer_cache_stats(t, &look1, &hit1);
    ck_assert_int_eq(look1 - look0, 5);
    ck_assert_int_eq(hit1 - hit0, 1); /* the second "a" */
    int nb = ov_tokenizer_encode(t, "a person riding a bike", OV_TOK_OPENAI, &b);
    ov_tokenizer_cache_stats(t, &look0, &hit0);
    ck_assert_int_eq(hit0 - hit1, 5);
    ck_assert_int_eq(na, nb);
    ck_assert(!memcmp(a, b, (size_t)na * sizeof *a));
    free(a), free(b);
    /* the same texts from several threads give the same ids as one thread */
    Lines L;
    read_lines(FIX "encode.tsv", &L);
    int bad = 0;
#pragma omp parallel for num_threads(4) reduction(+ : bad) schedule(dynamic)
    for (int i = 0; i < L.n; i++) {
        char line[1 << 16];
        snprintf(line, sizeof line, "%s", L.lines[i]);
        char *f[3];
        fields(line, f, 3);
        char *text = unhex(f[1]);
        int32_t want[8192], *ids;
        int nw = parse_ids(f[2], want, 8192);
        int n = ov_tokenizer_encode(t, text, style_of(f[0]), &ids);
        bad += n != nw || (n && memcmp(ids, want, (size_t)n * sizeof *ids));
        free(ids), free(text);
    }
    ck_assert_int_eq(bad, 0);
    free(L.buf);
    ov_tokenizer_free(t);
}
END_TEST

/* ---------------- errors ---------------- */
static char tmpdir[64];

static void write_file(const char *name, const void *data, size_t n) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(data, 1, n, f);
    fclose(f);
}

static void expect_load_error(const char *name, const char *what) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    ck_assert_ptr_null(ov_tokenizer_load(p));
    ck_assert_msg(strstr(ov_last_error(), p) && strstr(ov_last_error(), what), "%s: '%s' lacks the path or '%s'", name,
                  ov_last_error(), what);
}

START_TEST(test_vocab_errors) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ovad-tok-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_ptr_null(ov_tokenizer_load("/nonexistent/bpe_simple_vocab_16e6.txt.gz"));
    ck_assert_msg(strstr(ov_last_error(), "/nonexistent/bpe_simple_vocab_16e6.txt.gz") && strstr(ov_last_error(), "--vocab"),
                  "%s", ov_last_error());
    write_file("empty.txt", "", 0);
    expect_load_error("empty.txt", "no '#version' header");
    write_file("short.txt", "#version: 0.2\ni n\nt h\n", 21);
    expect_load_error("short.txt", "has only 2 merge lines, 48894 needed");
    write_file("bad.txt", "#version: 0.2\ni n\nthree parts here\n", 35);
    expect_load_error("bad.txt", "line 2 is not 'left right'");
    const uint8_t gz_garbage[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02};
    write_file("garbage.gz", gz_garbage, sizeof gz_garbage);
    expect_load_error("garbage.gz", "corrupt gzip data");
    const char *dir = ov_shared_data("bpe_simple_vocab_16e6.txt.gz");
    if (dir) { /* the real file cut short */
        char p[1024];
        snprintf(p, sizeof p, "%s/bpe_simple_vocab_16e6.txt.gz", dir);
        uint8_t *data;
        size_t n;
        ck_assert_int_eq(ov_read_file(p, &data, &n), 0);
        write_file("cut.gz", data, n / 2);
        expect_load_error("cut.gz", "truncated");
        free(data);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---------------- the command ---------------- */
static char output[1 << 16];

static int run(const char *args) {
    char full[2048];
    snprintf(full, sizeof full, "tokenize %s", args);
    return ov_run_ovad(full, output, sizeof output);
}

START_TEST(test_cli) {
    ovTokenizer *t = load_or_skip();
    if (!t) return;
    ov_tokenizer_free(t);
    char args[1200];
    snprintf(args, sizeof args, "--vocab %s 'hello world!'", vocab_path);
    ck_assert_int_eq(run(args), 0);
    ck_assert_msg(!strncmp(output, "49406 3306 1002 256 49407 0 0", 29), "%s", output);
    int n = 0;
    for (char *p = output; *p; p++) n += *p == ' ';
    ck_assert_int_eq(n, 76); /* 77 ids by default */
    snprintf(args, sizeof args, "--vocab %s --model openmixer --mask 'a person'", vocab_path);
    ck_assert_int_eq(run(args), 0);
    ck_assert_msg(strstr(output, "49406 320 2533 49407 49407") && strstr(output, "\n1 1 1 1 0 0"), "%s", output);
    snprintf(args, sizeof args, "--vocab %s --raw --context 5 \"Don't  STOP\" 'rock &amp; roll'", vocab_path);
    ck_assert_int_eq(run(args), 0);
    ck_assert_str_eq(output, "847 713 1691\n2172 261 3341\n");
    snprintf(args, sizeof args, "--vocab %s --model viclip --context 4 'a person riding'", vocab_path);
    ck_assert_int_eq(run(args), 0);
    ck_assert_str_eq(output, "49406 320 2533 49407\n");
    snprintf(args, sizeof args, "--vocab %s --raw < /dev/null", vocab_path);
    ck_assert_int_eq(run(args), 0);
    ck_assert_str_eq(output, "");
    ck_assert_int_eq(run("--vocab /nonexistent.gz hello"), 1);
    ck_assert_msg(strstr(output, "/nonexistent.gz") && strstr(output, "cannot open"), "%s", output);
    ck_assert_int_eq(run("--model bert hello"), 2);
    ck_assert_msg(strstr(output, "unknown model 'bert'"), "%s", output);
    ck_assert_int_eq(run("--context 0 hello"), 2);
    ck_assert_int_eq(run("--help"), 0);
    ck_assert_msg(strstr(output, "ftfy"), "%s", output);
}
END_TEST

int main(void) {
    Suite *s = suite_create("tokenizer");
    TCase *tc = tcase_create("tokenizer");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_vocab_facts);
    tcase_add_test(tc, test_reference_vectors);
    tcase_add_test(tc, test_clean_matches_python);
    tcase_add_test(tc, test_encode_matches_reference);
    tcase_add_test(tc, test_frame_matches_reference);
    tcase_add_test(tc, test_tokenize_tensors);
    tcase_add_test(tc, test_nfc_matches_unicodedata);
    tcase_add_test(tc, test_ftfy_matches_reference);
    tcase_add_test(tc, test_pcre2_classes_match_unicodedata);
    tcase_add_test(tc, test_invalid_utf8);
    tcase_add_test(tc, test_long_text);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_special_tokens);
    tcase_add_test(tc, test_cache_and_threads);
    tcase_add_test(tc, test_vocab_errors);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
