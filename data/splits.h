/* splits.h: open-vocabulary class splits: which classes of a vocabulary are base (trained on)
 * and which novel (held out, evaluated zero-shot).
 *
 *   - from a class-list file: one class per line (OpenMixer's vocab_closed_N.txt), the listed
 *     classes are base; or a JSON object {"base": [...], "novel": [...]} (either list may be
 *     left out: it is then the other classes). Classes are named, or given by id where the
 *     vocabulary has ids (AVA's action ids), so the OV-AVA 45/15 split file can be either.
 *   - seeded random: the classes are shuffled by Fisher-Yates with ovad's Philox stream
 *     (data/rng.h, ov_data_rng(seed)) and the first floor(n * base_fraction) of the permutation are
 *     base (50% of J-HMDB's 21 classes: 10, 75%: 15; UCF101-24: 12 and 18);
 *   - OpenMixer's procedure (preprocess/openworld_split_{jhmdb,ucf24}.py): Python's random.seed(42),
 *     64 rounds of weighted draws (random.choices) that add classes to a set until it holds
 *     int(ratio * n) of them, a class's weight halving each time it joins a set (the weights carry
 *     over from round to round), the distinct sets in order of first appearance, the last 32 kept:
 *     split N is the N-th of those. Reproduced exactly with data/pyrandom.h; for J-HMDB's
 *     alphabetical labels split 0 gives catch, clap, jump, kick_ball, pour, pullup, shoot_bow,
 *     stand, swing_baseball, wave (openmixer.md §4). Only the class set is reproducible: the order
 *     OpenMixer wrote them in came from a Python set, so here they keep the vocabulary's order.
 *   - the UCF-JHMDB benchmark of the ViCLIP region-text paper: the 24 UCF101-24 classes are base,
 *     the 21 J-HMDB classes novel, in one vocabulary of 45 (UCF's first).
 * A split always lists the whole vocabulary in its order, each class flagged base or novel. */
#ifndef OV_DATA_SPLITS_H
#define OV_DATA_SPLITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int n;
    char **names;
    bool *base;
} ovClassSplit;

void ov_class_split_free(ovClassSplit *s);
int ov_class_split_count(const ovClassSplit *s, bool base);
/* The names of the base (or novel) classes, in vocabulary order, into names[] (room for s->n). */
int ov_class_split_names(const ovClassSplit *s, bool base, const char **names);
/* -1 after ov_error unless the split has exactly nbase base and nnovel novel classes. */
int ov_class_split_expect(const ovClassSplit *s, int nbase, int nnovel);

/* ids may be NULL (classes are then named only). */
int ov_class_split_parse(const char *const *names, const int *ids, int n, const char *text, size_t len,
                         const char *file, ovClassSplit *s);
int ov_class_split_read(const char *const *names, const int *ids, int n, const char *path, ovClassSplit *s);

int ov_class_split_random(const char *const *names, int n, double base_fraction, uint64_t seed, ovClassSplit *s);
/* ratio 0.5 (or 0.75), index 0..31. */
int ov_class_split_openmixer(const char *const *names, int n, double ratio, int index, ovClassSplit *s);
int ov_class_split_cross(const char *const *base, int nbase, const char *const *novel, int nnovel, ovClassSplit *s);

#endif
