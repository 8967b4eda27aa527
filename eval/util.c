/* util.c: see util.h. */
#include "eval/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/error.h"

void *ov_ev_alloc(size_t nbytes) {
    void *p = calloc(1, nbytes ? nbytes : 1);
    if (!p) ov_panic("eval: out of memory allocating %zu bytes", nbytes);
    return p;
}

void *ov_ev_realloc(void *p, size_t nbytes) {
    void *q = realloc(p, nbytes ? nbytes : 1);
    if (!q) ov_panic("eval: out of memory allocating %zu bytes", nbytes);
    return q;
}

char *ov_ev_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = ov_ev_alloc(n);
    memcpy(d, s, n);
    return d;
}

/* Bottom-up merge sort of indices. Stable: an element of the right run goes first only when it
 * is strictly before the left one. */
void ov_argsort_by(int n, int *idx, int (*before)(int a, int b, const void *ctx), const void *ctx) {
    for (int i = 0; i < n; i++) idx[i] = i;
    if (n < 2) return;
    int *tmp = ov_ev_alloc((size_t)n * sizeof *tmp);
    int *src = idx, *dst = tmp;
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = before(src[j], src[i], ctx) ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        int *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx) memcpy(idx, src, (size_t)n * sizeof *idx);
    free(tmp);
}

static int before_desc(int a, int b, const void *key) { return ((const double *)key)[a] > ((const double *)key)[b]; }
static int before_asc(int a, int b, const void *key) { return ((const double *)key)[a] < ((const double *)key)[b]; }

static void argsort(const double *key, int n, int *idx, int desc) {
    ov_argsort_by(n, idx, desc ? before_desc : before_asc, key);
}

void ov_argsort_desc(const double *key, int n, int *idx) { argsort(key, n, idx, 1); }
void ov_argsort_asc(const double *key, int n, int *idx) { argsort(key, n, idx, 0); }

void ov_argsort_rev_asc(const double *key, int n, int *idx) {
    argsort(key, n, idx, 0);
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

/* numpy/core/src/umath/loops_utils.h: pairwise_sum. Each float32 operation rounds to float32
 * (x86-64 evaluates float in single precision; no FMA is involved in additions). */
static float pairwise_f32(const float *a, long n) {
    if (n < 8) {
        float res = 0.f;
        for (long i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= 128) {
        float r[8];
        for (int j = 0; j < 8; j++) r[j] = a[j];
        long i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    long n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_f32(a, n2) + pairwise_f32(a + n2, n - n2);
}

static double pairwise_f64(const double *a, long n) {
    if (n < 8) {
        double res = 0.;
        for (long i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++) r[j] = a[j];
        long i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    long n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_f64(a, n2) + pairwise_f64(a + n2, n - n2);
}

/* The reduction starts from the identity 0 and adds the pairwise sum of each 8192-element
 * buffer in turn. */
float ov_np_sum_f32(const float *a, long n) {
    float s = 0.f;
    for (long i = 0; i < n; i += 8192) s += pairwise_f32(a + i, n - i < 8192 ? n - i : 8192);
    return s;
}

double ov_np_sum_f64(const double *a, long n) {
    double s = 0.;
    for (long i = 0; i < n; i += 8192) s += pairwise_f64(a + i, n - i < 8192 ? n - i : 8192);
    return s;
}

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void ov_name_index_init(ovNameIndex *m, int expected) {
    int cap = 16;
    while (cap < 2 * expected) cap *= 2;
    m->cap = cap;
    m->n = 0;
    m->keys = ov_ev_alloc((size_t)cap * sizeof *m->keys);
    m->vals = ov_ev_alloc((size_t)cap * sizeof *m->vals);
}

static int slot_of(const ovNameIndex *m, const char *key) {
    int i = (int)(hash_str(key) & (uint64_t)(m->cap - 1));
    while (m->keys[i] && strcmp(m->keys[i], key)) i = (i + 1) & (m->cap - 1);
    return i;
}

void ov_name_index_put(ovNameIndex *m, const char *key, int val) {
    if (2 * (m->n + 1) > m->cap) { /* grow: rehash into a table twice as large */
        ovNameIndex g;
        ov_name_index_init(&g, m->cap);
        for (int i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                int s = slot_of(&g, m->keys[i]);
                g.keys[s] = m->keys[i];
                g.vals[s] = m->vals[i];
                g.n++;
            }
        ov_name_index_free(m);
        *m = g;
    }
    int s = slot_of(m, key);
    if (!m->keys[s]) m->n++;
    m->keys[s] = key;
    m->vals[s] = val;
}

int ov_name_index_get(const ovNameIndex *m, const char *key) {
    if (!m->cap) return -1;
    int s = slot_of(m, key);
    return m->keys[s] ? m->vals[s] : -1;
}

void ov_name_index_free(ovNameIndex *m) {
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}
