/* sched.h: learning-rate schedules stepped once per iteration, each group's lr set to its
 * initial_lr times one factor:
 *
 *     factor(i) = warmup(i) * main(i)
 *     warmup(i) = warmup_factor + (1 - warmup_factor) * i / W   for i < W, else 1
 *                 (torch.optim.lr_scheduler.LinearLR; maskrcnn-benchmark's WarmupMultiStepLR,
 *                 which OpenMixer uses, writes the same line as factor*(1-a)+a)
 *     main(i)   = 1                                    constant
 *               = gamma ^ #{milestones m <= i}         multistep (milestones count from iteration
 *                                                      0, like MultiStepLR chained with the warmup)
 *               = m + (1 - m) * (1 + cos(pi * t / T)) / 2,  t = clamp(i - W, 0, T)
 *                                                      cosine after the warmup (SequentialLR of
 *                                                      LinearLR then CosineAnnealingLR with
 *                                                      eta_min = m * base lr), held at m past T
 *
 * As in torch, making the schedule records each group's lr as its initial_lr and sets the lr of
 * iteration 0; ov_sched_step after each optimizer step moves to the next iteration. */
#ifndef OV_SCHED_H
#define OV_SCHED_H

#include <stdint.h>

#include "optim/optim.h"

typedef enum { OV_SCHED_CONSTANT, OV_SCHED_MULTISTEP, OV_SCHED_COSINE } ovSchedKind;

#define OV_SCHED_MAX_MILESTONES 16

typedef struct {
    ovSchedKind kind;
    int64_t warmup_iters;  /* W; 0 means no warmup */
    double warmup_factor;  /* the factor at iteration 0 */
    int64_t milestones[OV_SCHED_MAX_MILESTONES]; /* multistep, increasing iterations */
    int n_milestones;
    double gamma;
    int64_t cosine_iters;  /* T, the cosine's length after the warmup */
    double min_factor;     /* the cosine's end, relative to each group's base lr */
} ovSchedConfig;

typedef struct {
    ovSchedConfig cfg;
    ovOptimizer *opt;
    int64_t iter; /* iterations done (torch's last_epoch) */
} ovLRSched;

/* Checks the config (panics naming the fault), records initial_lr = lr for every group, sets the
 * lrs of iteration 0. */
ovLRSched *ov_sched_new(ovOptimizer *o, const ovSchedConfig *cfg);
void ov_sched_free(ovLRSched *s);
double ov_sched_factor(const ovSchedConfig *cfg, int64_t iter);
void ov_sched_step(ovLRSched *s);
/* Jumps to an iteration (resuming) and sets the lrs of that iteration. */
void ov_sched_set_iter(ovLRSched *s, int64_t iter);
const char *ov_sched_kind_name(ovSchedKind kind); /* "constant", "multistep", "cosine" */

#endif
