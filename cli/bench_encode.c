/* bench_encode.c: `ovad bench encode [--model NAME]`: one forward of a video encoder of the model
 * zoo (default ViCLIP-B/16: 8 frames of 224x224, 1 + 8*196 = 1569 tokens) on the CPU with seeded
 * random weights, under no-grad, at each thread count: the best wall-clock time, the arithmetic
 * rate it implies, and the peak of host memory (ov_alloc_stats) above what the weights and the
 * input already hold. tools/bench_viclip_torch.py makes the same measurement for the PyTorch
 * reference (with OpenBLAS's fast kernels), so the two can be put side by side. */
#include <omp.h>
#include <stdio.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "cli/bench.h"
#include "models/vision_model.h"
#include "tensor/alloc.h"
#include "tensor/error.h"

typedef struct {
    ovVisionModel *vm;
    ovTensor *x;
} Job;

static void run(void *ctx) {
    Job *j = ctx;
    ov_scope_begin();
    ovVisionOut o = ov_vision_model_forward(j->vm, j->x, NULL);
    (void)o;
    ov_scope_end();
}

/* Multiply-adds x 2 of the linear layers and attention products (patch embedding included). */
static double forward_flop(const ovVisionCfg *c, int64_t T, int64_t h, int64_t w) {
    double L = (double)(h * w), Tf = (double)T, f = 0;
    if (c->arch == OV_VISION_VICLIP) {
        double W = (double)c->viclip.width, N = 1 + L * Tf, p = (double)c->viclip.patch;
        f = (double)c->viclip.layers * (2 * N * 12 * W * W + 4 * N * N * W) + 2 * L * Tf * 3 * p * p * W;
    } else if (c->arch == OV_VISION_CLIPVIP) {
        double W = (double)c->clipvip.width, M = 1 + (double)c->clipvip.add_cls, N = M + L * Tf, p = (double)c->clipvip.patch;
        double mlp = (double)(c->clipvip.mlp ? c->clipvip.mlp : 4 * c->clipvip.width);
        f = (double)c->clipvip.layers * (2 * N * (4 * W * W + 2 * W * mlp) + 4 * Tf * L * (M + L) * W + 4 * M * N * W) +
            2 * L * Tf * 3 * p * p * W;
    } else {
        double W = (double)c->clip.width, N = 1 + L, p = (double)c->clip.patch;
        f = Tf * ((double)c->clip.layers * (2 * N * 12 * W * W + 4 * N * N * W) + 2 * L * 3 * p * p * W);
    }
    return f;
}

int ov_bench_encode(const ovBenchOpts *o) {
    const char *name = o->model ? o->model : "viclip-b16";
    ovVisionModel *vm = ov_vision_model_new_named(name, 0);
    if (!vm) {
        fprintf(stderr, "ovad bench encode: %s\n", ov_last_error());
        return 1;
    }
    ov_module_train(&vm->m, false);
    int64_t T = vm->cfg.frames, H = vm->cfg.input_h, W = vm->cfg.input_w;
    ov_scope_begin();
    ovGenerator g = ov_generator(1);
    Job j = {vm, ov_randn(OV_SHAPE(1, 3, T, H, W), 0, 1, &g)};
    ovVisionOut shape = {0};
    ov_no_grad_begin();
    ov_scope_begin();
    shape = ov_vision_model_forward(vm, j.x, NULL);
    int64_t gt = shape.T, gh = shape.h, gw = shape.w, tokens = shape.last->shape[1];
    ov_scope_end();
    double flop = forward_flop(&vm->cfg, gt, gh, gw);
    printf("encode: %s, 1 clip of %lld frames %lldx%lld (%lld tokens), seeded random weights (%.1f M parameters),\n"
           "no grad, CPU; best of %d after a warmup; memory = peak of live host allocations above the\n"
           "weights and input (%.0f MB). PyTorch: tools/bench_viclip_torch.py.\n\n",
           name, (long long)T, (long long)H, (long long)W, (long long)tokens, (double)ov_module_numel(&vm->m, false) / 1e6,
           o->reps, (double)ov_alloc_stats().host_bytes / 1e6);
    printf("%-14s %3s %9s %8s %10s\n", "model", "thr", "time s", "GFLOP/s", "peak MB");
    for (int t = 0; t < o->n_threads; t++) {
        omp_set_num_threads(o->threads[t]);
        int64_t base = ov_alloc_stats().host_bytes;
        ov_reset_peak();
        double best = ov_bench_time(run, &j, o->reps, 30.0);
        double peak = (double)(ov_alloc_stats().host_peak_bytes - base) / 1e6;
        printf("%-14s %3d %9.3f %8.1f %10.1f\n", name, o->threads[t], best, flop / best * 1e-9, peak);
        fflush(stdout);
    }
    ov_no_grad_end();
    ov_scope_end();
    ov_module_free(&vm->m);
    return 0;
}
