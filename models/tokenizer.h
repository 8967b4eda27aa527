/* tokenizer.h: the CLIP byte-level BPE tokenizer (OpenAI CLIP's simple_tokenizer.py, as copied by
 * open_clip, ViCLIP and OpenMixer; and Hugging Face's CLIPTokenizerFast, which CLIP-ViP uses), bit
 * for bit: the 48,894 merges of bpe_simple_vocab_16e6.txt.gz, 49,408 ids, <|startoftext|> = 49406,
 * <|endoftext|> = 49407. Spec: ../shared/specs/vlm-backbones.md section 4.
 *
 *     ovTokenizer *tok = ov_tokenizer_load(ov_tokenizer_default_path());   // NULL: ov_last_error()
 *     ovTensor *mask, *ids = ov_tokenize(tok, n, texts, &OV_TOK_VICLIP, &mask); // i64 [n, 32]
 *
 * Text goes through one of two cleanings (ovTokStyle), then the pre-tokenisation pattern
 *   <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
 * (PCRE2, UTF), then BPE on each piece's UTF-8 bytes (mapped through the byte -> printable
 * character table), with a per-piece cache. What differs from the Python originals:
 *  - ftfy.fix_text (which OpenAI CLIP, open_clip and ViCLIP run first) is reproduced without its
 *    heuristic mojibake repair (fix_encoding): ligatures, full-width forms, curly quotes, C1 and
 *    other control characters, terminal escapes, ftfy's HTML unescaping and NFC are handled like
 *    ftfy 6.3 (tokenizer_ftfy.c), but text that is mojibake (UTF-8 decoded as Latin-1, "cafÃ©")
 *    is not repaired, and the rare clean text that ftfy mistakes for mojibake is left alone.
 *  - Invalid UTF-8 is refused (-1 and an error naming the byte) instead of being decoded.
 *  - The Unicode data (lower-casing, whitespace, NFC) is Python 3.11's (Unicode 14.0.0, generated
 *    into tokenizer_tables.c), and \p{L} / \p{N} are PCRE2's; the tests check that the two agree.
 *    Characters that later Unicode versions assign may classify differently.
 * Besides these, the ids agree with open_clip's own code (the `regex` package, and ftfy with
 * fix_encoding=False) and with Hugging Face `tokenizers` on every text of tests/fixtures/tokenizer
 * (tools/gen_tokenizer_fixtures.py checks both when they are installed), including U+0345, which
 * open_clip drops; with the full ftfy, 1 of its 214 texts differs (ftfy "repairs" 'ĀāĂăĄą').
 * The tokenizer is safe to share between threads (the cache takes a lock). */
#ifndef OV_TOKENIZER_H
#define OV_TOKENIZER_H

#include <stdbool.h>
#include <stdint.h>

#include "tensor/tensor.h"

#define OV_TOK_VOCAB_SIZE 49408
#define OV_TOK_SOT 49406 /* <|startoftext|> */
#define OV_TOK_EOT 49407 /* <|endoftext|> */

typedef enum {
    /* OpenAI CLIP / open_clip / ViCLIP: ftfy.fix_text (less its mojibake repair), html.unescape
     * twice, strip, whitespace runs to one space, str.lower() (full Unicode mapping with the
     * final-sigma rule); the pattern is case-insensitive and passes literal <|startoftext|> /
     * <|endoftext|> through as their ids. */
    OV_TOK_OPENAI = 0,
    /* Hugging Face CLIPTokenizerFast: literal special tokens split out first, then NFC, White_Space
     * runs to one space, per-character lowercase (no final sigma), no HTML unescaping; the pattern
     * is case-sensitive and has no special-token alternatives. */
    OV_TOK_HF,
} ovTokStyle;

/* How a model frames token ids: [SOT] + ids + [EOT], cut to `context` with EOT forced into the
 * last slot (open_clip's tokenize(truncate=True), ViCLIP's, and HF's truncation=True, which all
 * give the same ids), then padded with `pad`. */
typedef struct {
    const char *name;
    int context;
    ovTokStyle style;
    int32_t pad; /* 0 (OpenAI, ViCLIP) or 49407 (Hugging Face padding="max_length") */
} ovTokCfg;

extern const ovTokCfg OV_TOK_CLIP;      /* "clip": 77, OpenAI cleaning, pad 0 */
extern const ovTokCfg OV_TOK_VICLIP;    /* "viclip": 32, OpenAI cleaning, pad 0 */
extern const ovTokCfg OV_TOK_CLIPVIP;   /* "clipvip": 77, HF cleaning, pad 49407 + attention mask */
extern const ovTokCfg OV_TOK_OPENMIXER; /* "openmixer": 24 (LEN_CONTEXT), HF cleaning, pad 49407 */
/* The configuration named `name` (one of the four above), or NULL. */
const ovTokCfg *ov_tok_cfg(const char *name);

typedef struct ovTokenizer ovTokenizer;

/* $OVAD_BPE_VOCAB when set, else ../shared/data/bpe_simple_vocab_16e6.txt.gz (relative to the
 * project root, where the tests and the command run). */
const char *ov_tokenizer_default_path(void);

/* Reads the merges from a gzip'd (or plain) bpe_simple_vocab_16e6.txt: line 0 is a header,
 * lines 1..48894 are "left right". NULL with ov_last_error() naming the file when it is missing,
 * not gzip, too short, or has a malformed line. */
ovTokenizer *ov_tokenizer_load(const char *path);
void ov_tokenizer_free(ovTokenizer *t);

/* The vocabulary: the token of an id in its byte-encoded form ("a</w>", "<|endoftext|>"), or NULL
 * out of range; the id of such a token, or -1. */
const char *ov_tokenizer_token(const ovTokenizer *t, int id);
int ov_tokenizer_id(const ovTokenizer *t, const char *token);

/* The cleaned text the pattern sees (malloc'd UTF-8), or NULL on invalid UTF-8. */
char *ov_tokenizer_clean(const char *text, ovTokStyle style);

/* BPE ids of text without start/end tokens: returns their count and a malloc'd array in *ids
 * (NULL when the count is 0), or -1 with ov_last_error() on invalid UTF-8. */
int ov_tokenizer_encode(ovTokenizer *t, const char *text, ovTokStyle style, int32_t **ids);

/* Frames n ids into out[context] (and mask[context], 1 on real tokens, when not NULL); returns
 * the number of real tokens, min(n + 2, context). */
int ov_tok_frame(const int32_t *ids, int n, int context, int32_t pad, int32_t *out, uint8_t *mask);

/* n texts as an i64 [n, context] tensor in the current scope (on the CPU), with the i64 attention
 * mask [n, context] in *mask when mask is not NULL. NULL with ov_last_error() naming the text's
 * index when one is not valid UTF-8. */
ovTensor *ov_tokenize(ovTokenizer *t, int n, const char *const *texts, const ovTokCfg *cfg, ovTensor **mask);

/* Cache statistics (pieces looked up, found), for tests. */
void ov_tokenizer_cache_stats(const ovTokenizer *t, int64_t *lookups, int64_t *hits);

#endif
