/* bench.c: `ovad bench`: runs the benchmarks of the registry below, all of them or those named.
 * Other op families add a line to `benches` and a function (see bench.h). */
#include "cli/bench.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "tensor/error.h"

static const ovBench benches[] = {
    {"gemm", "fp32 matrix products (square sizes, ViT-B/16 linear layers) in GFLOP/s", ov_bench_gemm},
    {"softmax", "row softmax of ViT-B/16 attention scores in GB/s", ov_bench_softmax},
    {"layernorm", "layer norm of the ViT-B/16 residual stream in GB/s", ov_bench_layernorm},
    {"elementwise", "exp, quick_gelu and add over the ViT-B/16 MLP activations in GB/s", ov_bench_elementwise},
    {"encode", "one forward of a video encoder (--model, default viclip-b16: 8x224x224) in s and peak MB", ov_bench_encode},
};
#define N_BENCHES (int)(sizeof benches / sizeof benches[0])

static const char *usage_text =
    "usage: ovad bench [--threads 1,2] [--reps N] [--isa auto|scalar|avx2|avx512] [--model NAME]\n"
    "                  [all | NAME ...]\n"
    "\n"
    "Runs the named benchmarks (all when none or `all` is given) at each thread count and prints\n"
    "throughput with its ratio against a simple baseline timed in the same process. Times are the\n"
    "best of N repetitions (default 5) after a warmup. --isa forces the GEMM micro-kernel.\n"
    "--model picks the encoder of `encode` (viclip-b16, viclip-l14, clipvip-b16, clip-b16).\n"
    "\nbenchmarks:\n";

static void usage(FILE *f) {
    fputs(usage_text, f);
    for (int i = 0; i < N_BENCHES; i++) fprintf(f, "  %-12s %s\n", benches[i].name, benches[i].help);
}

double ov_bench_time(void (*fn)(void *), void *ctx, int reps, double budget) {
    fn(ctx); /* warmup: page faults, thread pool start */
    double best = 1e300, spent = 0;
    for (int r = 0; r < (reps > 0 ? reps : 1); r++) {
        double t0 = omp_get_wtime();
        fn(ctx);
        double t = omp_get_wtime() - t0;
        best = t < best ? t : best;
        spent += t;
        if (spent > budget) break;
    }
    return best;
}

static int parse_threads(const char *s, ovBenchOpts *o) {
    o->n_threads = 0;
    while (*s && o->n_threads < OV_BENCH_MAX_THREADS) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 1024) return -1;
        o->threads[o->n_threads++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return o->n_threads ? 0 : -1;
}

int cmd_bench(int argc, char **argv) {
    ovBenchOpts o = {.n_threads = 2, .threads = {1, 2}, .reps = 5, .isa = NULL, .model = NULL};
    const char *names[64];
    int n_names = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (parse_threads(argv[++i], &o) != 0) {
                fprintf(stderr, "ovad bench: --threads takes a list of counts like 1,2 (got '%s')\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--reps") && i + 1 < argc) {
            long reps;
            if (ov_arg_long(a, argv[++i], 1, 1000000, &reps)) {
                fprintf(stderr, "ovad bench: %s\n", ov_last_error());
                return 2;
            }
            o.reps = (int)reps;
        } else if (!strcmp(a, "--isa") && i + 1 < argc) {
            o.isa = argv[++i];
        } else if (!strcmp(a, "--model") && i + 1 < argc) {
            o.model = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "ovad bench: unknown option '%s'\n\n", a);
            usage(stderr);
            return 2;
        } else if (n_names < 64) {
            names[n_names++] = a;
        }
    }
    bool all = n_names == 0;
    for (int i = 0; i < n_names; i++) {
        if (!strcmp(names[i], "all")) {
            all = true;
            continue;
        }
        int k = 0;
        while (k < N_BENCHES && strcmp(benches[k].name, names[i])) k++;
        if (k == N_BENCHES) {
            fprintf(stderr, "ovad bench: unknown benchmark '%s'\n\n", names[i]);
            usage(stderr);
            return 2;
        }
    }
    int rc = 0;
    for (int k = 0; k < N_BENCHES; k++) {
        bool chosen = all;
        for (int i = 0; i < n_names && !chosen; i++) chosen = !strcmp(names[i], benches[k].name);
        if (chosen && benches[k].run(&o) != 0) rc = 1;
    }
    return rc;
}
