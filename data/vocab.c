/* vocab.c: prompt vocabularies (vocab.h). */
#include "data/vocab.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "data/json.h"
#include "eval/util.h"
#include "tensor/error.h"
#include "tensor/file.h"

static void entry_free(ovVocabEntry *e) {
    for (int i = 0; i < e->n; i++) free(e->prompts[i]);
    free(e->prompts);
    free(e->name);
}

void ov_vocab_free(ovVocab *v) {
    for (int i = 0; i < v->n; i++) entry_free(&v->e[i]);
    free(v->e);
    memset(v, 0, sizeof *v);
}

const ovVocabEntry *ov_vocab_find(const ovVocab *v, const char *name) {
    for (int i = 0; i < v->n; i++)
        if (!strcmp(v->e[i].name, name)) return &v->e[i];
    return NULL;
}

static ovVocabEntry *add_entry(ovVocab *v, const char *name, int n) {
    v->e = ov_ev_realloc(v->e, (size_t)(v->n + 1) * sizeof *v->e);
    ovVocabEntry *e = &v->e[v->n++];
    e->name = ov_ev_strdup(name);
    e->n = 0;
    e->prompts = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *e->prompts);
    return e;
}

int ov_vocab_parse_json(const char *text, size_t len, const char *file, ovVocab *v) {
    memset(v, 0, sizeof *v);
    cJSON *root = ov_json_parse(text, len, file);
    if (!root) return -1;
    int rc = 0;
    if (!cJSON_IsObject(root)) rc = ov_error("%s: the top level is %s, not an object {class: prompt(s)}", file, ov_json_what(root));
    const cJSON *c;
    if (!rc) cJSON_ArrayForEach(c, root) {
            if (!*c->string || ov_vocab_find(v, c->string)) {
                rc = ov_error("%s: class '%.100s' is %s", file, c->string, *c->string ? "listed twice" : "empty");
                break;
            }
            if (cJSON_IsString(c)) {
                ovVocabEntry *e = add_entry(v, c->string, 1);
                e->prompts[e->n++] = ov_ev_strdup(c->valuestring);
                continue;
            }
            if (!cJSON_IsArray(c) || !cJSON_GetArraySize(c)) {
                rc = ov_error("%s: class '%.100s' maps to %s, not a sentence or a non-empty list of sentences", file, c->string,
                              ov_json_what(c));
                break;
            }
            ovVocabEntry *e = add_entry(v, c->string, cJSON_GetArraySize(c));
            const cJSON *s;
            cJSON_ArrayForEach(s, c) {
                if (!cJSON_IsString(s)) {
                    rc = ov_error("%s: class '%.100s': prompt %d is %s, not a string", file, c->string, e->n, ov_json_what(s));
                    break;
                }
                e->prompts[e->n++] = ov_ev_strdup(s->valuestring);
            }
            if (rc) break;
        }
    if (!rc && !v->n) rc = ov_error("%s: no classes", file);
    cJSON_Delete(root);
    if (rc) ov_vocab_free(v);
    return rc;
}

int ov_vocab_read_json(const char *path, ovVocab *v) {
    uint8_t *text;
    size_t len;
    memset(v, 0, sizeof *v);
    if (ov_read_file(path, &text, &len)) return -1;
    int rc = ov_vocab_parse_json((const char *)text, len, path, v);
    free(text);
    return rc;
}

char *ov_class_name_clean(const char *name) {
    size_t n = strlen(name);
    char *out = ov_ev_alloc(2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '_' || c == '-') c = ' ';
        bool up = isupper((unsigned char)c);
        if (up && i > 0) {
            char p = name[i - 1], q = i + 1 < n ? name[i + 1] : 0;
            /* a word starts at a capital after a lower-case letter or digit ("DunkShot"), or at the
             * last capital of a run followed by lower case ("TVShow") */
            bool start = islower((unsigned char)p) || isdigit((unsigned char)p) ||
                         (isupper((unsigned char)p) && islower((unsigned char)q));
            if (start && k && out[k - 1] != ' ') out[k++] = ' ';
        }
        if (c == ' ' && (!k || out[k - 1] == ' ')) continue;
        out[k++] = c;
    }
    while (k && out[k - 1] == ' ') k--;
    out[k] = 0;
    /* lower-case each word unless it is an all-capital run of two or more letters */
    for (size_t a = 0; a < k;) {
        size_t z = a;
        while (z < k && out[z] != ' ') z++;
        bool acronym = z - a >= 2;
        for (size_t i = a; i < z && acronym; i++) acronym = !islower((unsigned char)out[i]);
        if (!acronym)
            for (size_t i = a; i < z; i++) out[i] = (char)tolower((unsigned char)out[i]);
        a = z + 1;
    }
    return out;
}

/* tmpl with its one "{}" replaced by s; NULL after ov_error when tmpl has not exactly one. */
static char *fill(const char *tmpl, const char *s) {
    const char *at = strstr(tmpl, "{}");
    if (!at || strstr(at + 2, "{}")) {
        ov_error("template '%.100s' must hold exactly one {}", tmpl);
        return NULL;
    }
    size_t a = (size_t)(at - tmpl), b = strlen(at + 2), m = strlen(s);
    char *out = ov_ev_alloc(a + m + b + 1);
    memcpy(out, tmpl, a);
    memcpy(out + a, s, m);
    memcpy(out + a + m, at + 2, b + 1);
    return out;
}

int ov_vocab_from_names(const char *const *names, int n, const char *tmpl, bool clean, ovVocab *v) {
    memset(v, 0, sizeof *v);
    for (int i = 0; i < n; i++) {
        char *c = clean ? ov_class_name_clean(names[i]) : ov_ev_strdup(names[i]);
        char *p = fill(tmpl, c);
        free(c);
        if (!p) {
            ov_vocab_free(v);
            return -1;
        }
        ovVocabEntry *e = add_entry(v, names[i], 1);
        e->prompts[e->n++] = p;
    }
    return 0;
}

int ov_vocab_apply_template(ovVocab *v, const char *tmpl) {
    if (!strstr(tmpl, "{}") || strstr(strstr(tmpl, "{}") + 2, "{}"))
        return ov_error("template '%.100s' must hold exactly one {}", tmpl);
    for (int i = 0; i < v->n; i++)
        for (int j = 0; j < v->e[i].n; j++) {
            char *p = fill(tmpl, v->e[i].prompts[j]);
            free(v->e[i].prompts[j]);
            v->e[i].prompts[j] = p;
        }
    return 0;
}

int ov_vocab_select(const ovVocab *v, const char *const *names, int n, ovVocab *out) {
    memset(out, 0, sizeof *out);
    for (int i = 0; i < n; i++) {
        const ovVocabEntry *src = ov_vocab_find(v, names[i]);
        if (!src) {
            ov_vocab_free(out);
            return ov_error("the vocabulary has no prompt for class '%s'", names[i]);
        }
        ovVocabEntry *e = add_entry(out, names[i], src->n);
        for (int j = 0; j < src->n; j++) e->prompts[e->n++] = ov_ev_strdup(src->prompts[j]);
    }
    return 0;
}
