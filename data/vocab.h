/* vocab.h: prompt vocabularies: the text(s) the text encoder turns into each class's embedding.
 *
 *   - a JSON file mapping a class name to one sentence or to a list of sentences (OpenMixer's GPT
 *     prompt files, openmixer.md §1.3: vocab_gpt3.5.json for J-HMDB holds one "Prefix:
 *     description" string per class, vocab_gpt4.json for UCF101-24 a list of 16 per class, whose
 *     features are averaged);
 *   - class names through a template with one "{}" ("a person {}", "a video of a person {}.")
 *     after clean-up: underscores and hyphens become spaces and CamelCase is split into lower-case
 *     words ("brush_hair" -> "brush hair", "BasketballDunk" -> "basketball dunk",
 *     "WalkingWithDog" -> "walking with dog"; an all-capital run stays: "TVShow" -> "TV show").
 *   - a template applied to every prompt of a JSON vocabulary (OpenMixer feeds
 *     CONTEXT_INIT + " " + caption, i.e. the template "a {}" for J-HMDB).
 * ov_vocab_select orders a vocabulary by a class list (the dataset's labels, or a split's base
 * classes) and fails naming the first class it has no prompt for. */
#ifndef OV_DATA_VOCAB_H
#define OV_DATA_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;
    int n;
    char **prompts;
} ovVocabEntry;

typedef struct {
    int n;
    ovVocabEntry *e;
} ovVocab;

void ov_vocab_free(ovVocab *v);
const ovVocabEntry *ov_vocab_find(const ovVocab *v, const char *name);

int ov_vocab_parse_json(const char *text, size_t len, const char *file, ovVocab *v);
int ov_vocab_read_json(const char *path, ovVocab *v);

/* One prompt per class: tmpl with "{}" replaced by the (cleaned, when clean) name. */
int ov_vocab_from_names(const char *const *names, int n, const char *tmpl, bool clean, ovVocab *v);
/* Every prompt p becomes tmpl with "{}" replaced by p. */
int ov_vocab_apply_template(ovVocab *v, const char *tmpl);
/* out: the entries of v for names[0..n), in that order (copies). */
int ov_vocab_select(const ovVocab *v, const char *const *names, int n, ovVocab *out);

/* The clean-up above, malloc'd. */
char *ov_class_name_clean(const char *name);

#endif
