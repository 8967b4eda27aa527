/* stvg_text.c: splitting an HC-STVG description into one-action sentences (stvg.h).
 *
 * The ViCLIP region-text paper (§3.3) breaks "long sentences in descriptions into short sentences,
 * each containing only one action or activity" and pairs them in order with consecutive sub-tubes;
 * how it splits is in an appendix that is not public. HC-STVG descriptions are written in a regular
 * style: a subject, then a chain of present-tense actions joined by commas, "and" and "then"
 * ("The woman in red turns around, walks to the table and then sits down."). So the rule here:
 *   1. sentences end at . ! ? ; (a full stop inside a number or a one-letter abbreviation does not);
 *   2. inside a sentence a clause starts at "then" (", then", " and then"), and at a verb that
 *      follows "and" or a comma, a verb being a lower-case word ending in "s" (third person
 *      present: walks, turns, sits, is) that is not in the list of plural nouns and other words
 *      ending in s below, and that is not itself followed by such a word (so "pants and shoes walks"
 *      keeps "shoes" in the subject);
 *   3. the subject is the first clause's words before its first verb; a later clause that starts
 *      with a verb gets it in front;
 *   4. every piece gets a capital first letter and a full stop.
 * A description without any cue stays one sentence. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "data/stvg.h"
#include "eval/util.h"

static const char *const not_verbs[] = {
    "his", "hers", "its", "this", "thus", "us", "yes", "as", "plus", "less", "unless", "across", "whereas", "always",
    "sometimes", "towards", "afterwards", "backwards", "forwards", "upwards", "downwards", "sideways", "besides",
    "clothes", "glasses", "sunglasses", "pants", "trousers", "jeans", "shorts", "shoes", "boots", "sneakers", "slippers",
    "socks", "gloves", "earrings", "sleeves", "stripes", "dots", "spots", "arms", "legs", "eyes", "ears", "lips",
    "shoulders", "others", "things", "stairs", "flowers", "papers", "books", "cups", "ladies", "guys", "girls",
    "boys", "friends", "parents", "students", "kids", "bags", "braids", "bangs", "curls", "tables", "chairs", "doors",
    "windows", "cards", "bottles", "dishes", "chopsticks", "clothes", "headphones", "pajamas", "overalls",
    "suits", "shirts", "coats", "jackets", "hats", "dresses", "skirts", "vests", "sweaters", "uniforms", "heels",
    "hairs", "teeth", "toes", "fingers", "knees", "cheeks", "keys", "phones", "ones", "times", "minutes",
    "seconds", "years", "days", "ms", "mrs", "miss", NULL};

/* A word without surrounding punctuation, lower-cased, into buf. */
static void bare(const char *w, char *buf, size_t cap) {
    size_t k = 0;
    for (const char *p = w; *p && k + 1 < cap; p++)
        if (isalpha((unsigned char)*p) || *p == '\'') buf[k++] = (char)tolower((unsigned char)*p);
    buf[k] = 0;
}

static bool looks_like_verb(const char *w) {
    if (!islower((unsigned char)w[0])) return false;
    char b[64];
    bare(w, b, sizeof b);
    size_t n = strlen(b);
    if (!strcmp(b, "is")) return true;
    if (n < 3 || b[n - 1] != 's' || b[n - 2] == 's' || b[n - 2] == '\'' || b[n - 2] == 'u') return false;
    if (n >= 3 && !strcmp(b + n - 3, "ous")) return false;
    for (int i = 0; not_verbs[i]; i++)
        if (!strcmp(b, not_verbs[i])) return false;
    return true;
}

static bool ends_with_comma(const char *w) {
    size_t n = strlen(w);
    return n && w[n - 1] == ',';
}

static bool is_word(const char *w, const char *s) {
    char b[64];
    bare(w, b, sizeof b);
    return !strcmp(b, s);
}

typedef struct {
    char *s;
    size_t n, cap;
} Str;

static void str_add(Str *s, const char *t, size_t n) {
    if (s->n + n + 2 > s->cap) {
        s->cap = 2 * (s->n + n + 2);
        s->s = ov_ev_realloc(s->s, s->cap);
    }
    memcpy(s->s + s->n, t, n);
    s->n += n;
    s->s[s->n] = 0;
}

/* Words [a, b) as one sentence: commas trimmed at the end, capitalised, full stop. */
static char *finish(char **w, int a, int b, const char *subject) {
    Str s = {0};
    if (subject && *subject) {
        str_add(&s, subject, strlen(subject));
        str_add(&s, " ", 1);
    }
    for (int i = a; i < b; i++) {
        str_add(&s, w[i], strlen(w[i]));
        if (i + 1 < b) str_add(&s, " ", 1);
    }
    while (s.n && (s.s[s.n - 1] == ',' || s.s[s.n - 1] == ' ' || s.s[s.n - 1] == '.' || s.s[s.n - 1] == ';' ||
                   s.s[s.n - 1] == '!' || s.s[s.n - 1] == '?'))
        s.s[--s.n] = 0;
    if (!s.n) {
        free(s.s);
        return NULL;
    }
    s.s[0] = (char)toupper((unsigned char)s.s[0]);
    str_add(&s, ".", 1);
    return s.s;
}

static void push(char ***out, int *n, int *cap, char *s) {
    if (!s) return;
    OV_EV_GROW(*out, *n, *cap);
    (*out)[(*n)++] = s;
}

/* One sentence's words into clauses. */
static void split_clauses(char **w, int nw, char ***out, int *n, int *cap) {
    int start = 0, first_verb = -1;
    char *subject = NULL;
    bool first = true;
    for (int i = 0; i <= nw; i++) {
        bool cut = false;
        int skip = 0; /* words dropped at the cut ("and", "then") */
        if (i < nw && i > start) {
            bool prev_comma = ends_with_comma(w[i - 1]);
            bool verb_after = i + 1 < nw && looks_like_verb(w[i + 1]) && !(i + 2 < nw && looks_like_verb(w[i + 2]));
            bool verb_here = looks_like_verb(w[i]) && !(i + 1 < nw && looks_like_verb(w[i + 1]));
            bool have_verb = false;
            for (int k = start; k < i; k++) have_verb |= looks_like_verb(w[k]);
            if (is_word(w[i], "then")) {
                cut = have_verb;
                skip = 1;
            } else if (is_word(w[i], "and") && i + 1 < nw && is_word(w[i + 1], "then")) {
                cut = have_verb;
                skip = 2;
            } else if (is_word(w[i], "and") && verb_after) {
                cut = have_verb;
                skip = 1;
            } else if (prev_comma && verb_here) {
                cut = have_verb;
            }
        }
        if (i == nw) cut = true;
        if (!cut) continue;
        if (first) {
            for (int k = start; k < i && first_verb < 0; k++)
                if (looks_like_verb(w[k])) first_verb = k;
            if (first_verb > start) {
                Str s = {0};
                for (int k = start; k < first_verb; k++) {
                    str_add(&s, w[k], strlen(w[k]));
                    if (k + 1 < first_verb) str_add(&s, " ", 1);
                }
                while (s.n && s.s[s.n - 1] == ',') s.s[--s.n] = 0;
                subject = s.s;
            }
            push(out, n, cap, finish(w, start, i, NULL));
            first = false;
        } else {
            bool starts_with_verb = start < i && looks_like_verb(w[start]);
            push(out, n, cap, finish(w, start, i, starts_with_verb ? subject : NULL));
        }
        if (i == nw) break;
        start = i + skip;
        i = start - 1;
    }
    free(subject);
}

int ov_stvg_split_sentences(const char *text, char ***out) {
    *out = NULL;
    int n = 0, cap = 0;
    /* words, with a sentence mark after each word that ends one */
    char *copy = ov_ev_strdup(text);
    char **w = NULL;
    bool *ends = NULL;
    int nw = 0, cw = 0;
    for (char *p = strtok(copy, " \t\r\n"); p; p = strtok(NULL, " \t\r\n")) {
        OV_EV_GROW(w, nw, cw);
        ends = ov_ev_realloc(ends, (size_t)cw * sizeof *ends);
        size_t len = strlen(p);
        char last = p[len - 1];
        /* "2.5" or "U.S." are not sentence ends; "a." after one letter is an abbreviation */
        ends[nw] = (last == '.' || last == '!' || last == '?' || last == ';') && !(len == 2 && isupper((unsigned char)p[0]));
        w[nw++] = p;
    }
    int start = 0;
    for (int i = 0; i < nw; i++)
        if (ends[i] || i == nw - 1) {
            split_clauses(w + start, i + 1 - start, out, &n, &cap);
            start = i + 1;
        }
    free(w);
    free(ends);
    free(copy);
    return n;
}
