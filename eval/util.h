/* util.h: small pieces shared by the evaluators: checked allocation, a growable array macro,
 * stable argsorts, a string-to-index hash, and numpy's float32/float64 summation order (the
 * reference evaluators sum with np.sum, whose pairwise order we reproduce where it changes the
 * last bits of a published number). */
#ifndef OV_EVAL_UTIL_H
#define OV_EVAL_UTIL_H

#include <stddef.h>

/* calloc / realloc that panic (ov_panic) on out-of-memory instead of returning NULL. */
void *ov_ev_alloc(size_t nbytes);
void *ov_ev_realloc(void *p, size_t nbytes);
char *ov_ev_strdup(const char *s);

/* Makes room for one more element in a growable array (ptr, count, capacity). */
#define OV_EV_GROW(ptr, n, cap)                                                  \
    do {                                                                         \
        if ((n) >= (cap)) {                                                      \
            (cap) = (cap) ? 2 * (cap) : 16;                                      \
            (ptr) = ov_ev_realloc((ptr), (size_t)(cap) * sizeof *(ptr));         \
        }                                                                        \
    } while (0)

/* Fills idx with 0..n-1 ordered by key, descending (ties keep index order: a stable sort, which
 * is also what numpy's argsort(-key) does for the n <= 16 it sorts by insertion). */
void ov_argsort_desc(const double *key, int n, int *idx);
/* The same, ascending. */
void ov_argsort_asc(const double *key, int n, int *idx);
/* numpy's np.argsort(key)[::-1]: a stable ascending sort, reversed (equal keys come out last
 * index first), which is what numpy gives for the n <= 16 it sorts by insertion. */
void ov_argsort_rev_asc(const double *key, int n, int *idx);

/* A stable merge sort of idx (filled with 0..n-1) under a strict "a before b" predicate. */
void ov_argsort_by(int n, int *idx, int (*before)(int a, int b, const void *ctx), const void *ctx);

/* numpy's np.sum of a contiguous float32 / float64 array: pairwise summation (8 accumulators,
 * blocks of 128) inside chunks of 8192 elements (the ufunc buffer), chunks added in order. */
float ov_np_sum_f32(const float *a, long n);
double ov_np_sum_f64(const double *a, long n);

/* Open-addressing map from strings (not copied: they must outlive the map) to ints. */
typedef struct {
    int cap, n;
    const char **keys;
    int *vals;
} ovNameIndex;

void ov_name_index_init(ovNameIndex *m, int expected);
void ov_name_index_put(ovNameIndex *m, const char *key, int val); /* replaces an existing key */
int ov_name_index_get(const ovNameIndex *m, const char *key);     /* -1 when absent */
void ov_name_index_free(ovNameIndex *m);

#endif
