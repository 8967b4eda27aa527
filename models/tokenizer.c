/* tokenizer.c: the CLIP byte-level BPE (OpenAI CLIP's simple_tokenizer.SimpleTokenizer, open_clip's
 * copy of it, and Hugging Face's CLIPTokenizerFast): reading the merges, the byte -> character
 * table, the vocabulary, pre-tokenisation with PCRE2, BPE with a per-piece cache, and framing to a
 * model's context. Text cleaning is in tokenizer_clean.c. See tokenizer.h for the deviations.
 *
 * BPE works on ids instead of strings: every symbol of a word is a vocabulary entry (a byte, a
 * byte + "</w>", or the result of a merge), and merge j of the file produces id 512 + j, so the
 * loop "merge every occurrence of the lowest-ranked adjacent pair" needs only a (left id, right id)
 * -> rank table. This is the same as Python's string version because the vocabulary has no
 * duplicate entries (checked at load). */
#define _GNU_SOURCE /* memmem */
#include "models/tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <limits.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "models/tokenizer_clean.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/file.h"

#define N_MERGES (49152 - 256 - 2) /* lines 1..48894 of the file */
#define VOCAB_HASH (1 << 17)       /* open addressing, power of two, > 2 x 49408 */
#define CACHE_SLOTS (1 << 16)      /* the piece cache is cleared when half full */

const ovTokCfg OV_TOK_CLIP = {"clip", 77, OV_TOK_OPENAI, 0};
const ovTokCfg OV_TOK_VICLIP = {"viclip", 32, OV_TOK_OPENAI, 0};
const ovTokCfg OV_TOK_CLIPVIP = {"clipvip", 77, OV_TOK_HF, OV_TOK_EOT};
const ovTokCfg OV_TOK_OPENMIXER = {"openmixer", 24, OV_TOK_HF, OV_TOK_EOT};

const ovTokCfg *ov_tok_cfg(const char *name) {
    const ovTokCfg *all[] = {&OV_TOK_CLIP, &OV_TOK_VICLIP, &OV_TOK_CLIPVIP, &OV_TOK_OPENMIXER};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

typedef struct {
    char *key; /* the piece's UTF-8 bytes; NULL = empty slot */
    int32_t *ids;
    int n;
} CacheSlot;

struct ovTokenizer {
    char *path;
    char *tokens[OV_TOK_VOCAB_SIZE]; /* byte-encoded strings, UTF-8 */
    int32_t vocab_hash[VOCAB_HASH];  /* token string -> id, -1 empty */
    uint64_t *pair_key;              /* (left << 32 | right) -> rank; key ~0 empty */
    int32_t *pair_rank;
    int32_t merge_left[N_MERGES], merge_right[N_MERGES]; /* the ids merge j joins into 512 + j */
    int32_t byte_id[256]; /* byte -> id of its character (add 256 for "</w>") */
    pcre2_code *pat[2];   /* per ovTokStyle */
    pthread_mutex_t lock; /* guards the cache */
    CacheSlot *cache;
    int cache_used;
    int64_t lookups, hits;
};

/* ---------------- hashing ---------------- */
static uint64_t fnv(const void *p, size_t n) {
    const uint8_t *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

int ov_tokenizer_id(const ovTokenizer *t, const char *token) {
    size_t n = strlen(token);
    for (uint64_t h = fnv(token, n) & (VOCAB_HASH - 1);; h = (h + 1) & (VOCAB_HASH - 1)) {
        int32_t id = t->vocab_hash[h];
        if (id < 0) return -1;
        if (!strcmp(t->tokens[id], token)) return id;
    }
}

/* Adds id under its string; -1 when the string is already there. */
static int vocab_insert(ovTokenizer *t, int32_t id) {
    const char *s = t->tokens[id];
    for (uint64_t h = fnv(s, strlen(s)) & (VOCAB_HASH - 1);; h = (h + 1) & (VOCAB_HASH - 1)) {
        if (t->vocab_hash[h] < 0) {
            t->vocab_hash[h] = id;
            return 0;
        }
        if (!strcmp(t->tokens[t->vocab_hash[h]], s)) return -1;
    }
}

static int32_t pair_rank(const ovTokenizer *t, int32_t a, int32_t b) {
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    for (uint64_t h = mix(key) & (VOCAB_HASH - 1);; h = (h + 1) & (VOCAB_HASH - 1)) {
        if (t->pair_key[h] == ~0ull) return -1;
        if (t->pair_key[h] == key) return t->pair_rank[h];
    }
}

static void pair_insert(ovTokenizer *t, int32_t a, int32_t b, int32_t rank) {
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    uint64_t h = mix(key) & (VOCAB_HASH - 1);
    while (t->pair_key[h] != ~0ull && t->pair_key[h] != key) h = (h + 1) & (VOCAB_HASH - 1);
    if (t->pair_key[h] == key) return; /* a repeated merge keeps its first rank (none in the real file) */
    t->pair_key[h] = key, t->pair_rank[h] = rank;
}

/* ---------------- loading ---------------- */
const char *ov_tokenizer_default_path(void) {
    const char *env = getenv("OVAD_BPE_VOCAB");
    return env && *env ? env : "../shared/data/bpe_simple_vocab_16e6.txt.gz";
}

/* gunzip of a whole buffer (malloc'd, NUL-terminated). */
static int gunzip(const uint8_t *in, size_t n, char **out, size_t *out_n, const char *path) {
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return ov_error("%s: zlib could not start", path);
    size_t cap = 4 * n + 1024, len = 0;
    char *buf = malloc(cap);
    z.next_in = (Bytef *)in, z.avail_in = (uInt)n;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        if (!buf) abort();
        z.next_out = (Bytef *)buf + len, z.avail_out = (uInt)(cap - len - 1);
        rc = inflate(&z, Z_NO_FLUSH);
        len = cap - 1 - z.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            free(buf);
            return ov_error("%s: corrupt gzip data (zlib: %s)%s", path, z.msg ? z.msg : zError(rc),
                            rc == Z_BUF_ERROR ? ": the file is truncated" : "");
        }
    }
    inflateEnd(&z);
    buf[len] = 0;
    *out = buf, *out_n = len;
    return 0;
}

/* The 256 byte -> character table: printable Latin-1 bytes keep their code point, the other 68
 * (0..32, 127..160, 173) take U+0100.. in order; id i is the i-th of that order. */
static void byte_table(ovTokenizer *t) {
    int order[256], n = 0;
    char printable[256] = {0};
    for (int b = '!'; b <= '~'; b++) printable[b] = 1;
    for (int b = 0xA1; b <= 0xAC; b++) printable[b] = 1;
    for (int b = 0xAE; b <= 0xFF; b++) printable[b] = 1;
    for (int b = 0; b < 256; b++)
        if (printable[b]) order[n++] = b;
    int extra = 0;
    for (int b = 0; b < 256; b++)
        if (!printable[b]) order[n++] = b;
    for (int i = 0; i < 256; i++) {
        uint32_t cp = printable[order[i]] ? (uint32_t)order[i] : 0x100u + (uint32_t)extra++;
        size_t len;
        char *s = ov_tok_utf8_encode(&cp, 1, &len);
        t->tokens[i] = s;
        t->tokens[256 + i] = malloc(len + 5);
        snprintf(t->tokens[256 + i], len + 5, "%s</w>", s);
        t->byte_id[order[i]] = i;
    }
}

static int compile_patterns(ovTokenizer *t) {
    static const char *src[2] = {
        /* U+0345 is a combining mark whose case partner is a letter: under the `regex` package's
         * IGNORECASE it matches neither \\p{L} nor the negated class, so open_clip drops it */
        "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}\\x{345}]+",
        "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
    };
    for (int s = 0; s < 2; s++) {
        int err;
        PCRE2_SIZE off;
        uint32_t flags = PCRE2_UTF | PCRE2_UCP | (s == OV_TOK_OPENAI ? PCRE2_CASELESS : 0);
        t->pat[s] = pcre2_compile((PCRE2_SPTR)src[s], PCRE2_ZERO_TERMINATED, flags, &err, &off, NULL);
        if (!t->pat[s]) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            return ov_error("tokenizer: PCRE2 rejected the pattern at %zu: %s", (size_t)off, (char *)msg);
        }
        pcre2_jit_compile(t->pat[s], PCRE2_JIT_COMPLETE); /* optional: the interpreter is used if JIT is absent */
    }
    return 0;
}

/* Splits the text into lines in place; fills the merges (ids 512..) and the pair table. */
static int parse_merges(ovTokenizer *t, char *text, size_t len, const char *path) {
    char *p = text, *end = text + len;
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl || !memmem(p, (size_t)(nl - p), "#version", 8))
        return ov_error("%s: not a CLIP BPE merges file (its first line has no '#version' header)", path);
    p = nl + 1;
    char **left = malloc(N_MERGES * sizeof *left), **right = malloc(N_MERGES * sizeof *right);
    int rc = 0;
    for (int j = 0; j < N_MERGES; j++) {
        nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        char *eol = nl ? nl : end;
        if (p >= end) {
            rc = ov_error("%s: has only %d merge lines, %d needed (truncated file?)", path, j, N_MERGES);
            break;
        }
        *eol = 0;
        if (eol > p && eol[-1] == '\r') eol[-1] = 0;
        char *sp = strchr(p, ' ');
        if (!sp || sp == p || !sp[1] || strchr(sp + 1, ' ')) {
            rc = ov_error("%s: line %d is not 'left right': '%.60s'", path, j + 1, p);
            break;
        }
        *sp = 0;
        left[j] = p, right[j] = sp + 1;
        size_t a = strlen(p), b = strlen(sp + 1);
        t->tokens[512 + j] = malloc(a + b + 1);
        memcpy(t->tokens[512 + j], p, a);
        memcpy(t->tokens[512 + j] + a, sp + 1, b + 1);
        p = eol + 1;
    }
    if (!rc) {
        t->tokens[OV_TOK_SOT] = strdup("<|startoftext|>");
        t->tokens[OV_TOK_EOT] = strdup("<|endoftext|>");
        memset(t->vocab_hash, 0xFF, sizeof t->vocab_hash);
        for (int32_t id = 0; id < OV_TOK_VOCAB_SIZE && !rc; id++)
            if (vocab_insert(t, id))
                rc = ov_error("%s: vocabulary entry %d ('%s', line %d) appears twice", path, id, t->tokens[id], id - 511);
    }
    for (int j = 0; j < N_MERGES && !rc; j++) {
        int32_t a = ov_tokenizer_id(t, left[j]), b = ov_tokenizer_id(t, right[j]);
        t->merge_left[j] = a, t->merge_right[j] = b;
        if (a >= 0 && b >= 0) pair_insert(t, a, b, j); /* parts outside the vocabulary never occur in a word */
    }
    free(left);
    free(right);
    return rc;
}

ovTokenizer *ov_tokenizer_load(const char *path) {
    uint8_t *raw;
    size_t n;
    if (ov_read_file(path, &raw, &n)) {
        char why[OV_ERRMSG_MAX];
        snprintf(why, sizeof why, "%s", ov_last_error());
        ov_error("tokenizer: cannot read the BPE vocabulary (%s); pass its path (--vocab, OVAD_BPE_VOCAB)", why);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    if (n >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        int rc = gunzip(raw, n, &text, &len, path);
        free(raw);
        if (rc) return NULL;
    } else {
        text = (char *)raw, len = n;
    }
    ovTokenizer *t = calloc(1, sizeof *t);
    t->path = strdup(path);
    t->pair_key = malloc(VOCAB_HASH * sizeof *t->pair_key);
    t->pair_rank = malloc(VOCAB_HASH * sizeof *t->pair_rank);
    memset(t->pair_key, 0xFF, VOCAB_HASH * sizeof *t->pair_key);
    t->cache = calloc(CACHE_SLOTS, sizeof *t->cache);
    pthread_mutex_init(&t->lock, NULL);
    byte_table(t);
    int rc = parse_merges(t, text, len, path);
    free(text);
    if (!rc) rc = compile_patterns(t);
    if (rc) {
        ov_tokenizer_free(t);
        return NULL;
    }
    return t;
}

static void cache_clear(ovTokenizer *t) {
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(t->cache[i].key);
        free(t->cache[i].ids);
        t->cache[i] = (CacheSlot){0};
    }
    t->cache_used = 0;
}

void ov_tokenizer_free(ovTokenizer *t) {
    if (!t) return;
    for (int i = 0; i < OV_TOK_VOCAB_SIZE; i++) free(t->tokens[i]);
    for (int s = 0; s < 2; s++) pcre2_code_free(t->pat[s]);
    cache_clear(t);
    free(t->cache);
    free(t->pair_key);
    free(t->pair_rank);
    pthread_mutex_destroy(&t->lock);
    free(t->path);
    free(t);
}

const char *ov_tokenizer_token(const ovTokenizer *t, int id) {
    return id >= 0 && id < OV_TOK_VOCAB_SIZE ? t->tokens[id] : NULL;
}

void ov_tokenizer_cache_stats(const ovTokenizer *t, int64_t *lookups, int64_t *hits) {
    if (lookups) *lookups = t->lookups;
    if (hits) *hits = t->hits;
}

/* ---------------- BPE ---------------- */
typedef struct {
    int32_t *p;
    int n, cap;
} Ids;

static void ids_put(Ids *b, int32_t v) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 32;
        b->p = realloc(b->p, (size_t)b->cap * sizeof *b->p);
        if (!b->p) abort();
    }
    b->p[b->n++] = v;
}

/* The ids of one piece (its UTF-8 bytes), written into w (len entries); returns their count. */
static int bpe(const ovTokenizer *t, const uint8_t *piece, size_t len, int32_t *w) {
    int n = (int)len;
    for (int i = 0; i < n; i++) w[i] = t->byte_id[piece[i]];
    w[n - 1] += 256; /* the last symbol carries "</w>" */
    while (n > 1) {
        int32_t best = INT32_MAX;
        for (int i = 0; i + 1 < n; i++) {
            int32_t r = pair_rank(t, w[i], w[i + 1]);
            if (r >= 0 && r < best) best = r;
        }
        if (best == INT32_MAX) break;
        int32_t a = t->merge_left[best], b = t->merge_right[best];
        int j = 0;
        for (int i = 0; i < n;) {
            if (i + 1 < n && w[i] == a && w[i + 1] == b) {
                w[j++] = 512 + best;
                i += 2;
            } else {
                w[j++] = w[i++];
            }
        }
        n = j;
    }
    return n;
}

/* One piece through the cache (the special tokens are pre-seeded in Python's cache: they map to
 * themselves, hence to their ids). */
static void encode_piece(ovTokenizer *t, const char *piece, size_t len, Ids *out) {
    if (len == 15 && !memcmp(piece, "<|startoftext|>", 15)) return ids_put(out, OV_TOK_SOT);
    if (len == 13 && !memcmp(piece, "<|endoftext|>", 13)) return ids_put(out, OV_TOK_EOT);
    uint64_t h0 = fnv(piece, len) & (CACHE_SLOTS - 1), h = h0;
    pthread_mutex_lock(&t->lock);
    t->lookups++;
    for (; t->cache[h].key; h = (h + 1) & (CACHE_SLOTS - 1)) {
        CacheSlot *c = &t->cache[h];
        if (strlen(c->key) == len && !memcmp(c->key, piece, len)) {
            t->hits++;
            for (int i = 0; i < c->n; i++) ids_put(out, c->ids[i]);
            pthread_mutex_unlock(&t->lock);
            return;
        }
    }
    pthread_mutex_unlock(&t->lock);
    int32_t *w = malloc(len * sizeof *w);
    int n = bpe(t, (const uint8_t *)piece, len, w);
    for (int i = 0; i < n; i++) ids_put(out, w[i]);
    pthread_mutex_lock(&t->lock);
    if (t->cache_used >= CACHE_SLOTS / 2) cache_clear(t); /* bounded: start afresh */
    for (h = fnv(piece, len) & (CACHE_SLOTS - 1); t->cache[h].key; h = (h + 1) & (CACHE_SLOTS - 1))
        if (strlen(t->cache[h].key) == len && !memcmp(t->cache[h].key, piece, len)) break; /* another thread */
    if (!t->cache[h].key) {
        CacheSlot *c = &t->cache[h];
        c->key = strndup(piece, len);
        c->ids = w, c->n = n;
        t->cache_used++;
        w = NULL;
    }
    pthread_mutex_unlock(&t->lock);
    free(w);
}

/* ---------------- cleaning and encoding ---------------- */
/* Replaces the code points *a (length *n) by fn(*a). */
static void step(uint32_t **a, size_t *n, uint32_t *(*fn)(const uint32_t *, size_t, size_t *)) {
    size_t m;
    uint32_t *b = fn(*a, *n, &m);
    free(*a);
    *a = b, *n = m;
}

static uint32_t *unescape(const uint32_t *s, size_t n, size_t *m) { return ov_tok_html_unescape(s, n, m); }
static uint32_t *ws_python(const uint32_t *s, size_t n, size_t *m) { return ov_tok_whitespace_clean(s, n, 1, m); }
static uint32_t *ws_unicode(const uint32_t *s, size_t n, size_t *m) { return ov_tok_whitespace_clean(s, n, 0, m); }
static uint32_t *lower_python(const uint32_t *s, size_t n, size_t *m) { return ov_tok_lower(s, n, 1, m); }
static uint32_t *lower_chars(const uint32_t *s, size_t n, size_t *m) { return ov_tok_lower(s, n, 0, m); }

static char *clean(const char *text, size_t len, ovTokStyle style) {
    uint32_t *a;
    size_t n, bad;
    if (ov_tok_utf8_decode(text, len, &a, &n, &bad)) {
        ov_error("text is not valid UTF-8 (byte %zu)", bad);
        return NULL;
    }
    if (style == OV_TOK_OPENAI) {
        /* basic_clean: ftfy.fix_text, html.unescape twice, strip; whitespace_clean; lower */
        step(&a, &n, ov_tok_ftfy);
        step(&a, &n, unescape);
        step(&a, &n, unescape);
        step(&a, &n, ws_python);
        step(&a, &n, lower_python);
    } else {
        /* the HF normalizer: NFC, Replace(\s+, " "), Lowercase */
        step(&a, &n, ov_tok_nfc);
        step(&a, &n, ws_unicode);
        step(&a, &n, lower_chars);
    }
    char *s = ov_tok_utf8_encode(a, n, NULL);
    free(a);
    return s;
}

char *ov_tokenizer_clean(const char *text, ovTokStyle style) { return clean(text, strlen(text), style); }

/* Cleans text[0..len) and appends the ids of every piece the pattern finds. */
static int encode_span(ovTokenizer *t, const char *text, size_t len, ovTokStyle style, Ids *out) {
    char *s = clean(text, len, style);
    if (!s) return -1;
    size_t n = strlen(s);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(t->pat[style], NULL);
    for (size_t off = 0; off < n;) {
        /* the text is valid UTF-8 (we encoded it): skip PCRE2's own check */
        int rc = pcre2_match(t->pat[style], (PCRE2_SPTR)s, n, off, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc < 0) break; /* PCRE2_ERROR_NOMATCH: only whitespace is left */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[1] == ov[0]) break; /* the pattern cannot match empty; be safe */
        encode_piece(t, s + ov[0], ov[1] - ov[0], out);
        off = ov[1];
    }
    pcre2_match_data_free(md);
    free(s);
    return 0;
}

/* The next literal special token in text[0..len) (Hugging Face splits them out first). */
static const char *find_special(const char *s, size_t len, size_t *slen) {
    const char *best = NULL;
    for (int k = 0; k < 2; k++) {
        const char *sp = k ? "<|endoftext|>" : "<|startoftext|>";
        const char *p = memmem(s, len, sp, strlen(sp));
        if (p && (!best || p < best)) best = p, *slen = strlen(sp);
    }
    return best;
}

int ov_tokenizer_encode(ovTokenizer *t, const char *text, ovTokStyle style, int32_t **ids) {
    Ids out = {0};
    size_t len = strlen(text);
    int rc = 0;
    if (style == OV_TOK_OPENAI) {
        rc = encode_span(t, text, len, style, &out);
    } else {
        while (!rc) {
            size_t slen = 0;
            const char *sp = find_special(text, len, &slen);
            size_t head = sp ? (size_t)(sp - text) : len;
            if (head) rc = encode_span(t, text, head, style, &out);
            if (!sp || rc) break;
            ids_put(&out, slen == 15 ? OV_TOK_SOT : OV_TOK_EOT);
            text += head + slen, len -= head + slen;
        }
    }
    if (rc) {
        free(out.p);
        *ids = NULL;
        return -1;
    }
    if (!out.n) {
        free(out.p);
        out.p = NULL;
    }
    *ids = out.p;
    return out.n;
}

/* ---------------- framing ---------------- */
int ov_tok_frame(const int32_t *ids, int n, int context, int32_t pad, int32_t *out, uint8_t *mask) {
    int len = n + 2 < context ? n + 2 : context;
    out[0] = OV_TOK_SOT;
    for (int i = 1; i < len; i++) out[i] = i - 1 < n ? ids[i - 1] : OV_TOK_EOT;
    out[len - 1] = OV_TOK_EOT; /* also when truncated, and context 1 gives just EOT like Python */
    for (int i = len; i < context; i++) out[i] = pad;
    if (mask)
        for (int i = 0; i < context; i++) mask[i] = i < len;
    return len;
}

ovTensor *ov_tokenize(ovTokenizer *t, int n, const char *const *texts, const ovTokCfg *cfg, ovTensor **mask) {
    if (cfg->context < 1) ov_panic("ov_tokenize: context length must be at least 1, got %d", cfg->context);
    int C = cfg->context;
    int64_t *ids = malloc((size_t)(n ? n : 1) * (size_t)C * sizeof *ids);
    int64_t *m = malloc((size_t)(n ? n : 1) * (size_t)C * sizeof *m);
    int32_t *row = malloc((size_t)C * sizeof *row);
    uint8_t *mrow = malloc((size_t)C);
    for (int i = 0; i < n; i++) {
        int32_t *bpe_ids;
        int k = ov_tokenizer_encode(t, texts[i], cfg->style, &bpe_ids);
        if (k < 0) {
            char why[OV_ERRMSG_MAX];
            snprintf(why, sizeof why, "%s", ov_last_error());
            ov_error("ov_tokenize: text %d: %s", i, why);
            free(ids), free(m), free(row), free(mrow);
            return NULL;
        }
        ov_tok_frame(bpe_ids, k, C, cfg->pad, row, mrow);
        free(bpe_ids);
        for (int j = 0; j < C; j++) ids[(size_t)i * C + j] = row[j], m[(size_t)i * C + j] = mrow[j];
    }
    ovTensor *out = ov_from_data(ids, OV_SHAPE(n, C), OV_I64);
    if (mask) *mask = ov_from_data(m, OV_SHAPE(n, C), OV_I64);
    free(ids), free(m), free(row), free(mrow);
    return out;
}
