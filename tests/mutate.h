/* mutate.h: the "mutations never crash" runs of the parser suites (pickle, zip, pth,
 * safetensors, the dataset readers): copies of a valid file cut short or with a few bytes
 * overwritten, drawn with Philox from a trial number and a stream so that every run sees the same
 * copies, go through a parser that must either accept a copy or reject it with an error that names
 * it. What the parser does in between is watched by ASan, UBSan and the leak fixture. */
#ifndef OV_TEST_MUTATE_H
#define OV_TEST_MUTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a trial damages its copy. */
typedef struct {
    int truncate_every; /* trials with trial % truncate_every == 0 cut the copy at a random length */
    int max_flips;      /* the others overwrite 1..max_flips bytes (at most 7) */
    /* where set, a flip takes its byte from these alphabet_n bytes (the format's own punctuation
     * and opcodes, which reach deeper into a parser than noise) one time in alphabet_odds */
    const char *alphabet;
    int alphabet_n, alphabet_odds;
    size_t from;    /* flips land at byte `from` or later (past a header the parser ignores) */
    long focus_at;  /* with focus_n > 0, the flips of even trials land in the focus_n bytes from */
    size_t focus_n; /* focus_at (counted from the end when negative): where the format's index is */
} ovMutation;

/* An alphabet written as a string literal; its terminating NUL is not one of the bytes (write a
 * NUL inside the literal to have one). */
#define OV_MUT_ALPHABET(lit, odds) .alphabet = (lit), .alphabet_n = (int)sizeof(lit) - 1, .alphabet_odds = (odds)

/* Copies src[0..n) to dst (n bytes) with trial's damage; returns the copy's length (n, or less
 * when the trial cuts it). */
size_t ov_mutate(uint8_t *dst, const uint8_t *src, size_t n, int trial, uint64_t stream, const ovMutation *m);

/* Parses one damaged copy: data holds exactly n bytes (and a NUL after them with ovMutRun.nul),
 * name is what the copy is called. Returns 0 when accepted, nonzero when rejected with
 * ov_last_error() set. A callback may assert more of its own. */
typedef int (*ovMutParse)(const uint8_t *data, size_t n, const char *name, void *ctx);

typedef struct {
    const char *label; /* the source, as failure messages name it (a fixture file) */
    int trials;
    uint64_t stream;      /* with a list of files, file i draws from stream + i * stream_step */
    uint64_t stream_step;
    ovMutation how;
    const char *name;   /* the copy's name for the parser ("mut" when NULL) */
    const char *expect; /* a rejection's error starts with this (the name when NULL) */
    bool as_file;       /* the copy is a memory file; the parser gets its path (/proc/self/fd/N) as the
                         * name, and a rejection's error must contain that path */
    bool nul;           /* a NUL byte after the copy */
    ovMutParse parse;
    void *ctx;
} ovMutRun;

/* Runs r->trials damaged copies of src[0..n) through r->parse, adding to *ok and *rejected, and
 * fails the test when a rejection does not name the copy. */
void ov_mutations_run(const ovMutRun *r, const uint8_t *src, size_t n, int *ok, int *rejected);

/* The same over the file at path (a missing file fails the test); label defaults to the path. */
void ov_mutations_run_file(const ovMutRun *r, const char *path, int *ok, int *rejected);

/* A file of a list and its parser (NULL: the run's). A {NULL} entry ends the list. */
typedef struct {
    const char *file;
    ovMutParse parse;
} ovMutFile;

/* The same over every file of the list, in folder dir. */
void ov_mutations_run_files(const ovMutRun *r, const char *dir, const ovMutFile *files, int *ok, int *rejected);

#endif
