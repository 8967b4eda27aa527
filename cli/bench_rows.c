/* bench_rows.c: `ovad bench softmax|layernorm|elementwise`: the memory-bound kernels, in GB/s of
 * compulsory traffic (each input read once, each output written once), fast kernel against the
 * naive reference kernel of the same op timed in the same process. Shapes are the transformer
 * ones: attention scores of ViT-B/16 over one image ([12,197,197]) and over 8 frames
 * ([12,1569,1569]), the residual stream [1569,768], and the MLP hidden layer [1569,3072]. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/bench.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/layernorm.h"
#include "kernels/cpu/softmax.h"
#include "kernels/philox.h"

typedef enum { K_SOFTMAX, K_LAYERNORM, K_EXP, K_ADD, K_QUICK_GELU } Kind;

typedef struct {
    Kind kind;
    bool ref;
    ovKView x, y, z, w, b, mean, rstd;
} Job;

static ovKView view2(float *p, int64_t rows, int64_t cols) {
    ovKView v = {.data = p, .dtype = OV_F32, .ndim = 2, .shape = {rows, cols}, .stride = {cols, 1}};
    return v;
}

static void run(void *ctx) {
    Job *j = ctx;
    switch (j->kind) {
    case K_SOFTMAX:
        (j->ref ? ov_ksoftmax_ref : ov_ksoftmax_fast)(&j->y, &j->x, NULL, false);
        break;
    case K_LAYERNORM:
        (j->ref ? ov_klayernorm_ref : ov_klayernorm_fast)(&j->y, &j->mean, &j->rstd, &j->x, &j->w, &j->b, 1e-5f);
        break;
    case K_EXP: (j->ref ? ov_kunary_ref : ov_kunary_fast)(OV_U_EXP, &j->y, &j->x, 0, 0); break;
    case K_QUICK_GELU: (j->ref ? ov_kunary_ref : ov_kunary_fast)(OV_U_QUICK_GELU, &j->y, &j->x, 0, 0); break;
    case K_ADD: (j->ref ? ov_kbinary_ref : ov_kbinary_fast)(OV_B_ADD, &j->y, &j->x, &j->z); break;
    }
}

static float *floats(int64_t n, uint64_t seed) {
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, sizeof(float) * (size_t)(n > 0 ? n : 1)) != 0) return NULL;
    for (int64_t i = 0; i < n; i++) p[i] = ov_philox_normal_at(seed, 0, (uint64_t)i);
    return p;
}

/* Times one kernel at one shape for every thread count; bytes = its compulsory traffic. */
static int bench_one(const ovBenchOpts *o, const char *label, Kind kind, int64_t rows, int64_t cols, double bytes) {
    int64_t n = rows * cols;
    float *x = floats(n, 1), *y = floats(n, 2), *z = floats(n, 3), *w = floats(cols, 4), *b = floats(cols, 5);
    float *mean = floats(rows, 6), *rstd = floats(rows, 7);
    if (!x || !y || !z || !w || !b || !mean || !rstd) {
        fprintf(stderr, "ovad bench: out of memory\n");
        free(x), free(y), free(z), free(w), free(b), free(mean), free(rstd);
        return 1;
    }
    Job j = {.kind = kind, .x = view2(x, rows, cols), .y = view2(y, rows, cols), .z = view2(z, rows, cols),
             .w = view2(w, 1, cols), .b = view2(b, 1, cols), .mean = view2(mean, rows, cols), .rstd = view2(rstd, rows, cols)};
    /* per-row statistics: x's shape with stride 0 along the row (layernorm.h) */
    j.mean.stride[0] = j.rstd.stride[0] = 1;
    j.mean.stride[1] = j.rstd.stride[1] = 0;
    j.w.ndim = j.b.ndim = 1;
    j.w.shape[0] = j.b.shape[0] = cols;
    j.w.stride[0] = j.b.stride[0] = 1;
    for (int t = 0; t < o->n_threads; t++) {
        omp_set_num_threads(o->threads[t]);
        j.ref = false;
        double fast = ov_bench_time(run, &j, o->reps, 2.0);
        j.ref = true;
        double ref = ov_bench_time(run, &j, o->reps < 2 ? o->reps : 2, 2.0);
        printf("%-28s %6lld %6lld %3d %8.2f %9.2f %7.1fx\n", label, (long long)rows, (long long)cols, o->threads[t],
               bytes / fast * 1e-9, bytes / ref * 1e-9, ref / fast);
        fflush(stdout);
    }
    free(x), free(y), free(z), free(w), free(b), free(mean), free(rstd);
    return 0;
}

static void header(const char *what) {
    printf("%s: GB/s of compulsory traffic, fast kernel vs the naive reference kernel (same process);\n"
           "best of the repetitions after a warmup; ratio = reference time / fast time.\n\n",
           what);
    printf("%-28s %6s %6s %3s %8s %9s %8s\n", "shape", "rows", "cols", "thr", "GB/s", "ref GB/s", "ratio");
}

int ov_bench_softmax(const ovBenchOpts *o) {
    header("softmax over the last dim");
    int rc = bench_one(o, "attention 1 img [12x197,197]", K_SOFTMAX, 12 * 197, 197, 2.0 * 4 * 12 * 197 * 197);
    if (!rc) rc = bench_one(o, "attention 8 frm [12x1569,1569]", K_SOFTMAX, 12 * 1569, 1569, 2.0 * 4 * 12 * 1569.0 * 1569);
    return rc;
}

int ov_bench_layernorm(const ovBenchOpts *o) {
    header("layer_norm over the last dim, with weight and bias");
    int rc = bench_one(o, "residual 1 img [197,768]", K_LAYERNORM, 197, 768, 2.0 * 4 * 197 * 768);
    if (!rc) rc = bench_one(o, "residual 8 frm [1569,768]", K_LAYERNORM, 1569, 768, 2.0 * 4 * 1569 * 768);
    return rc;
}

int ov_bench_elementwise(const ovBenchOpts *o) {
    header("elementwise, contiguous");
    double n = 1569.0 * 3072;
    int rc = bench_one(o, "exp [1569,3072]", K_EXP, 1569, 3072, 2 * 4 * n);
    if (!rc) rc = bench_one(o, "quick_gelu [1569,3072]", K_QUICK_GELU, 1569, 3072, 2 * 4 * n);
    if (!rc) rc = bench_one(o, "add [1569,3072]", K_ADD, 1569, 3072, 3 * 4 * n);
    return rc;
}
