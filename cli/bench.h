/* bench.h: the registry of `ovad bench` and the timing helpers its entries share. An entry is a
 * name, a one-line description and a function; add yours to the table in cli/bench.c (GEMM lives
 * in cli/bench_gemm.c). Speed is printed, never asserted: each entry prints its throughput next to
 * its ratio against a simple baseline timed in the same process, so numbers from a loaded or
 * different machine still compare. */
#ifndef OV_CLI_BENCH_H
#define OV_CLI_BENCH_H

#include <stdbool.h>

#define OV_BENCH_MAX_THREADS 8

typedef struct {
    int n_threads;
    int threads[OV_BENCH_MAX_THREADS]; /* thread counts to run at (omp_set_num_threads) */
    int reps;                          /* timed repetitions (best one kept) */
    const char *isa;                   /* gemm micro-kernel to force, or NULL for auto */
    const char *model;                 /* encode: the vision model (NULL: viclip-b16) */
} ovBenchOpts;

typedef struct {
    const char *name;
    const char *help;
    int (*run)(const ovBenchOpts *o); /* 0 on success */
} ovBench;

/* Best wall-clock time (seconds) of fn(ctx) over up to `reps` runs after one warmup run; stops
 * early once `budget` seconds went into the timed runs (at least one timed run). */
double ov_bench_time(void (*fn)(void *), void *ctx, int reps, double budget);

/* The entries. */
int ov_bench_gemm(const ovBenchOpts *o);
int ov_bench_softmax(const ovBenchOpts *o);
int ov_bench_layernorm(const ovBenchOpts *o);
int ov_bench_elementwise(const ovBenchOpts *o);
int ov_bench_encode(const ovBenchOpts *o); /* cli/bench_encode.c */

#endif
