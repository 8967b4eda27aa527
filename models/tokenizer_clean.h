/* tokenizer_clean.h: the text-cleaning steps of the CLIP tokenizer (models/tokenizer_clean.c), on
 * arrays of Unicode code points. Each step mirrors one Python function exactly (for the Unicode
 * version of tokenizer_tables.c). Output arrays are malloc'd; *n_out gets their length. */
#ifndef OV_TOKENIZER_CLEAN_H
#define OV_TOKENIZER_CLEAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/tokenizer_tables.h"

/* A growable code point array: the steps' output as they build it. */
typedef struct {
    uint32_t *p;
    size_t n, cap;
} ovCpBuf;

void ov_cp_put(ovCpBuf *b, uint32_t c); /* aborts on out-of-memory */

/* Strict UTF-8 -> code points (no overlong forms, surrogates or values past U+10FFFF). Returns 0,
 * or -1 with *bad_byte set to the offset of the first invalid byte. */
int ov_tok_utf8_decode(const char *s, size_t len, uint32_t **cps, size_t *n, size_t *bad_byte);
/* Code points -> NUL-terminated UTF-8 (malloc'd); *len gets the byte count. */
char *ov_tok_utf8_encode(const uint32_t *cps, size_t n, size_t *len);

/* ftfy.fix_text (ftfy 6.3) with fix_encoding=False: per line, until nothing changes, its own
 * HTML unescaping (until a line with '<' is seen), C1 controls read as windows-1252, Latin
 * ligatures and half/full-width forms expanded, curly quotes straightened, line breaks unified,
 * terminal escapes and control characters removed, NFC (models/tokenizer_ftfy.c). */
uint32_t *ov_tok_ftfy(const uint32_t *s, size_t n, size_t *n_out);
/* html.unescape (Python 3.11): numeric references with html's invalid-reference table, the
 * HTML5 named entities with and without ';' and the longest-prefix rule. */
uint32_t *ov_tok_html_unescape(const uint32_t *s, size_t n, size_t *n_out);
/* re.sub(r'\s+', ' ', s).strip() with Python's \s (str.isspace), or with Unicode White_Space and
 * no strip (Hugging Face's Replace normalizer). */
uint32_t *ov_tok_whitespace_clean(const uint32_t *s, size_t n, int python_space, size_t *n_out);
/* str.lower() (final_sigma != 0: with Python's final-sigma rule), or per-character lowercase. */
uint32_t *ov_tok_lower(const uint32_t *s, size_t n, int final_sigma, size_t *n_out);
/* unicodedata.normalize('NFC', s). */
uint32_t *ov_tok_nfc(const uint32_t *s, size_t n, size_t *n_out);

/* Membership of one code point, for tests. */
int ov_tok_is_python_space(uint32_t c);

/* Binary searches over the tables. */
bool ov_tok_in_ranges(const ovTokRange *r, int n, uint32_t c);
const ovTokMap2 *ov_tok_find_map(const ovTokMap2 *m, int n, uint32_t c);

#endif
