/* splits.c: base/novel class splits (splits.h). */
#include "data/splits.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/json.h"
#include "data/pyrandom.h"
#include "data/rng.h"
#include "eval/util.h"
#include "tensor/error.h"
#include "tensor/file.h"

void ov_class_split_free(ovClassSplit *s) {
    for (int i = 0; i < s->n; i++) free(s->names[i]);
    free(s->names);
    free(s->base);
    memset(s, 0, sizeof *s);
}

static void split_init(ovClassSplit *s, const char *const *names, int n) {
    s->n = n;
    s->names = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *s->names);
    s->base = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *s->base);
    for (int i = 0; i < n; i++) s->names[i] = ov_ev_strdup(names[i]);
}

int ov_class_split_count(const ovClassSplit *s, bool base) {
    int k = 0;
    for (int i = 0; i < s->n; i++) k += s->base[i] == base;
    return k;
}

int ov_class_split_names(const ovClassSplit *s, bool base, const char **names) {
    int k = 0;
    for (int i = 0; i < s->n; i++)
        if (s->base[i] == base) names[k++] = s->names[i];
    return k;
}

int ov_class_split_expect(const ovClassSplit *s, int nbase, int nnovel) {
    int b = ov_class_split_count(s, true), v = s->n - b;
    if (b != nbase || v != nnovel) return ov_error("the split has %d base and %d novel classes, expected %d and %d", b, v, nbase, nnovel);
    return 0;
}

/* The class a name or id token refers to; -1 after ov_error. */
static int class_of(const char *const *names, const int *ids, int n, const char *tok, const char *file, long line) {
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], tok)) return i;
    if (ids) {
        char *end;
        long id = strtol(tok, &end, 10);
        if (*tok && !*end)
            for (int i = 0; i < n; i++)
                if (ids[i] == id) return i;
    }
    if (line > 0) return ov_error("%s:%ld: '%.100s' is not a class of the vocabulary", file, line, tok);
    return ov_error("%s: '%.100s' is not a class of the vocabulary", file, tok);
}

static int parse_json(const char *const *names, const int *ids, int n, const cJSON *root, const char *file, ovClassSplit *s) {
    const cJSON *lists[2] = {ov_json_get(root, "base"), ov_json_get(root, "novel")};
    if (!lists[0] && !lists[1]) return ov_error("%s: a JSON split needs a \"base\" or a \"novel\" list", file);
    signed char *mark = ov_ev_alloc((size_t)(n ? n : 1)); /* 0 unset, 1 base, 2 novel */
    int rc = 0;
    for (int l = 0; l < 2 && !rc; l++) {
        if (!lists[l]) continue;
        if (!cJSON_IsArray(lists[l])) {
            rc = ov_error("%s: \"%s\" is %s, not a list", file, l ? "novel" : "base", ov_json_what(lists[l]));
            break;
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, lists[l]) {
            char tok[32];
            const char *t = ov_json_str(e);
            long id;
            if (!t && !ov_json_int(e, 0, 1000000000L, &id)) {
                snprintf(tok, sizeof tok, "%ld", id);
                t = tok;
            }
            int c = t ? class_of(names, ids, n, t, file, 0) : ov_error("%s: a class in \"%s\" is %s", file, l ? "novel" : "base", ov_json_what(e));
            if (c < 0) {
                rc = -1;
                break;
            }
            if (mark[c]) {
                rc = ov_error("%s: class '%s' is listed twice", file, names[c]);
                break;
            }
            mark[c] = (signed char)(l + 1);
        }
    }
    for (int i = 0; i < n && !rc; i++) {
        if (!mark[i] && lists[0] && lists[1]) rc = ov_error("%s: class '%s' is in neither list", file, names[i]);
        s->base[i] = mark[i] == 1 || (!mark[i] && !lists[0]);
    }
    free(mark);
    return rc;
}

int ov_class_split_parse(const char *const *names, const int *ids, int n, const char *text, size_t len,
                         const char *file, ovClassSplit *s) {
    split_init(s, names, n);
    const char *p = text, *end = text + len;
    while (p < end && isspace((unsigned char)*p)) p++;
    int rc = 0;
    if (p < end && *p == '{') {
        cJSON *root = ov_json_parse(text, len, file);
        rc = root ? parse_json(names, ids, n, root, file, s) : -1;
        cJSON_Delete(root);
    } else {
        long line = 0;
        p = text;
        while (p < end && !rc) { /* one class per line: the base classes */
            const char *e = memchr(p, '\n', (size_t)(end - p));
            if (!e) e = end;
            line++;
            char tok[512];
            const char *a = p, *z = e;
            while (a < z && isspace((unsigned char)*a)) a++;
            while (z > a && isspace((unsigned char)z[-1])) z--;
            p = e + 1;
            if (a == z || *a == '#') continue;
            if (memchr(a, 0, (size_t)(z - a)) || z - a >= (long)sizeof tok) {
                rc = ov_error("%s:%ld: not a class name", file, line);
                break;
            }
            memcpy(tok, a, (size_t)(z - a));
            tok[z - a] = 0;
            int c = class_of(names, ids, n, tok, file, line);
            if (c < 0) rc = -1;
            else if (s->base[c]) rc = ov_error("%s:%ld: class '%s' is listed twice", file, line, names[c]);
            else s->base[c] = true;
        }
        if (!rc && !ov_class_split_count(s, true)) rc = ov_error("%s: lists no class", file);
    }
    if (rc) ov_class_split_free(s);
    return rc;
}

int ov_class_split_read(const char *const *names, const int *ids, int n, const char *path, ovClassSplit *s) {
    uint8_t *text;
    size_t len;
    memset(s, 0, sizeof *s);
    if (ov_read_file(path, &text, &len)) return -1;
    int rc = ov_class_split_parse(names, ids, n, (const char *)text, len, path, s);
    free(text);
    return rc;
}

int ov_class_split_random(const char *const *names, int n, double base_fraction, uint64_t seed, ovClassSplit *s) {
    memset(s, 0, sizeof *s);
    if (n < 1 || !(base_fraction >= 0 && base_fraction <= 1)) return ov_error("a random split needs classes and a fraction in [0, 1]");
    split_init(s, names, n);
    int64_t *perm = ov_ev_alloc((size_t)n * sizeof *perm);
    ovDataRng r = ov_data_rng(seed);
    ov_data_rng_permutation(&r, n, perm);
    int nb = (int)floor(base_fraction * n + 1e-9);
    for (int i = 0; i < nb; i++) s->base[perm[i]] = true;
    free(perm);
    return 0;
}

int ov_class_split_openmixer(const char *const *names, int n, double ratio, int index, ovClassSplit *s) {
    memset(s, 0, sizeof *s);
    int want = (int)(ratio * n); /* int(train_ratio * len(classes_ow)) */
    if (n < 1 || n > 256 || want < 1 || want > n || index < 0 || index > 31)
        return ov_error("OpenMixer's split needs 1..256 classes, a ratio that selects some and an index in 0..31");
    ovPyRandom r;
    ov_pyrandom_seed(&r, 42);
    double w[256];
    for (int i = 0; i < n; i++) w[i] = 1;
    unsigned char (*sets)[256] = ov_ev_alloc(64 * sizeof *sets); /* the distinct sets, as membership flags */
    int nsets = 0;
    for (int round = 0; round < 64; round++) {
        unsigned char cur[256] = {0};
        int size = 0;
        while (size < want) {
            int c = ov_pyrandom_choice_weighted(&r, w, n);
            if (c < 0) { /* the weights underflowed: impossible within 64 rounds, but never loop forever */
                free(sets);
                return ov_error("OpenMixer's split: the class weights are no longer positive");
            }
            if (!cur[c]) {
                cur[c] = 1;
                size++;
                w[c] *= 0.5;
            }
        }
        bool seen = false;
        for (int k = 0; k < nsets && !seen; k++) seen = !memcmp(sets[k], cur, (size_t)n);
        if (!seen) memcpy(sets[nsets++], cur, sizeof cur);
    }
    int first = nsets > 32 ? nsets - 32 : 0; /* all_selections[-32:] */
    if (first + index >= nsets) {
        free(sets);
        return ov_error("OpenMixer's split: only %d distinct class sets, no split %d", nsets - first, index);
    }
    split_init(s, names, n);
    for (int i = 0; i < n; i++) s->base[i] = sets[first + index][i];
    free(sets);
    return 0;
}

int ov_class_split_cross(const char *const *base, int nbase, const char *const *novel, int nnovel, ovClassSplit *s) {
    memset(s, 0, sizeof *s);
    const char **all = ov_ev_alloc((size_t)(nbase + nnovel + 1) * sizeof *all);
    for (int i = 0; i < nbase; i++) all[i] = base[i];
    for (int i = 0; i < nnovel; i++) all[nbase + i] = novel[i];
    for (int i = 0; i < nbase + nnovel; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(all[i], all[j])) {
                ov_error("class '%s' is in both vocabularies", all[i]);
                free(all);
                return -1;
            }
    split_init(s, all, nbase + nnovel);
    for (int i = 0; i < nbase; i++) s->base[i] = true;
    free(all);
    return 0;
}
