/* tokenize.c: `ovad tokenize`: the CLIP BPE ids of texts (models/tokenizer.h), framed the way a
 * model feeds them to its text encoder: [SOT] ids [EOT], truncated to the context length with EOT
 * kept in the last slot, then padded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "models/tokenizer.h"
#include "tensor/error.h"

static const char *usage_text =
    "usage: ovad tokenize [--model clip|viclip|clipvip|openmixer] [--context N] [--style openai|hf]\n"
    "                     [--vocab FILE] [--raw] [--mask] [--tokens] [--clean] [TEXT ...]\n"
    "\n"
    "Prints one line of ids per TEXT (one text per line of standard input when no TEXT is given).\n"
    "--model    framing and cleaning of a model (default clip):\n"
    "             clip       context 77, OpenAI cleaning, pad 0 (OpenAI CLIP, open_clip)\n"
    "             viclip     context 32, OpenAI cleaning, pad 0\n"
    "             clipvip    context 77, Hugging Face cleaning, pad 49407 + attention mask\n"
    "             openmixer  context 24, Hugging Face cleaning, pad 49407 + attention mask\n"
    "--context  another context length (>= 1); --style the other cleaning:\n"
    "             openai  ftfy.fix_text, html.unescape twice, whitespace runs to one space,\n"
    "                     str.lower()\n"
    "             hf      NFC, whitespace runs to one space, lowercase, no HTML unescaping\n"
    "--vocab    the BPE merges (default $OVAD_BPE_VOCAB, else\n"
    "           ../shared/data/bpe_simple_vocab_16e6.txt.gz relative to the current directory)\n"
    "--raw      the BPE ids only (no start/end ids, no truncation or padding)\n"
    "--mask     also a line with the attention mask (1 on real tokens)\n"
    "--tokens   also each id with its vocabulary entry (bytes shown through CLIP's byte table)\n"
    "--clean    also the cleaned text that the pre-tokenisation pattern sees\n"
    "ftfy.fix_text is reproduced without its mojibake repair: text that is mojibake (\"cafÃ©\")\n"
    "is not repaired.\n";

typedef struct {
    const ovTokCfg *model;
    int context;
    int style; /* -1: the model's */
    const char *vocab;
    int raw, mask, tokens, clean;
} Args;

static int parse(int argc, char **argv, Args *a, int *first_text) {
    *a = (Args){.model = &OV_TOK_CLIP, .context = 0, .style = -1, .vocab = NULL};
    int i = 1;
    for (; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--help") || !strcmp(k, "-h")) return 1;
        if (!strcmp(k, "--")) {
            i++;
            break;
        }
        if (!strcmp(k, "--raw")) a->raw = 1;
        else if (!strcmp(k, "--mask")) a->mask = 1;
        else if (!strcmp(k, "--tokens")) a->tokens = 1;
        else if (!strcmp(k, "--clean")) a->clean = 1;
        else if (!strcmp(k, "--model") || !strcmp(k, "--context") || !strcmp(k, "--style") || !strcmp(k, "--vocab")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ovad tokenize: %s needs a value\n\n", k);
                return -1;
            }
            const char *v = argv[++i];
            if (!strcmp(k, "--model") && !(a->model = ov_tok_cfg(v))) {
                fprintf(stderr, "ovad tokenize: unknown model '%s' (clip, viclip, clipvip, openmixer)\n", v);
                return -1;
            }
            if (!strcmp(k, "--context")) {
                long c;
                if (ov_arg_long(k, v, 1, 1 << 20, &c)) {
                    fprintf(stderr, "ovad tokenize: %s\n", ov_last_error());
                    return -1;
                }
                a->context = (int)c;
            }
            if (!strcmp(k, "--style")) {
                if (!strcmp(v, "openai")) a->style = OV_TOK_OPENAI;
                else if (!strcmp(v, "hf")) a->style = OV_TOK_HF;
                else {
                    fprintf(stderr, "ovad tokenize: --style is openai or hf, got '%s'\n", v);
                    return -1;
                }
            }
            if (!strcmp(k, "--vocab")) a->vocab = v;
        } else if (k[0] == '-' && k[1] == '-') {
            fprintf(stderr, "ovad tokenize: unknown option '%s'\n\n", k);
            return -1;
        } else {
            break;
        }
    }
    *first_text = i;
    return 0;
}

static void print_ids(const int32_t *ids, int n) {
    for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
    printf("\n");
}

static int one(ovTokenizer *tok, const Args *a, const char *text) {
    ovTokCfg cfg = *a->model;
    if (a->context) cfg.context = a->context;
    if (a->style >= 0) cfg.style = (ovTokStyle)a->style;
    int32_t *ids;
    int n = ov_tokenizer_encode(tok, text, cfg.style, &ids);
    if (n < 0) {
        fprintf(stderr, "ovad tokenize: %s\n", ov_last_error());
        return 1;
    }
    if (a->clean) {
        char *c = ov_tokenizer_clean(text, cfg.style);
        printf("clean: %s\n", c);
        free(c);
    }
    int32_t *row = ids, len = n;
    uint8_t *mask = NULL;
    if (!a->raw) {
        row = malloc((size_t)cfg.context * sizeof *row);
        mask = malloc((size_t)cfg.context);
        len = ov_tok_frame(ids, n, cfg.context, cfg.pad, row, mask);
    }
    print_ids(row, a->raw ? n : cfg.context);
    if (a->mask && !a->raw) {
        for (int i = 0; i < cfg.context; i++) printf(i ? " %d" : "%d", mask[i]);
        printf("\n");
    }
    if (a->tokens)
        for (int i = 0; i < len; i++) printf("  %6d  %s\n", row[i], ov_tokenizer_token(tok, row[i]));
    if (row != ids) free(row);
    free(mask);
    free(ids);
    return 0;
}

int cmd_tokenize(int argc, char **argv) {
    Args a;
    int first, rc = parse(argc, argv, &a, &first);
    if (rc) {
        fputs(usage_text, rc > 0 ? stdout : stderr);
        return rc > 0 ? 0 : 2;
    }
    const char *path = a.vocab ? a.vocab : ov_tokenizer_default_path();
    ovTokenizer *tok = ov_tokenizer_load(path);
    if (!tok) {
        fprintf(stderr, "ovad tokenize: %s\n", ov_last_error());
        return 1;
    }
    rc = 0;
    if (first < argc) {
        for (int i = first; i < argc && !rc; i++) rc = one(tok, &a, argv[i]);
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while (!rc && (len = getline(&line, &cap, stdin)) >= 0) {
            if (len > 0 && line[len - 1] == '\n') line[len - 1] = 0;
            rc = one(tok, &a, line);
        }
        free(line);
    }
    ov_tokenizer_free(tok);
    return rc;
}
