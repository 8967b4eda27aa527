/* checkpoint.h: training-state checkpoints in one safetensors file, so that a run stopped at step
 * k and resumed continues the same trajectory bit for bit on the CPU.
 *
 * What goes in (tensor names, then __metadata__ keys):
 *   model.<full name>               every parameter and buffer of the module tree
 *   optim.<param>.step              i64, steps taken on that parameter (torch's state['step'])
 *   optim.<param>.exp_avg           AdamW moments, or
 *   optim.<param>.exp_avg_sq
 *   optim.<param>.momentum_buffer   SGD (only once made, as torch)
 *   sched.iter                      i64, the schedule's iteration
 *   train.step                      i64, the caller's step counter
 *   rng.<name>                      i64 [2]: a generator's (seed, offset), bit for bit
 *   format                          "ovad.train_state.v1"
 *   optim                           JSON: the kind and, per group, its name, hyperparameters
 *                                   (lr, initial_lr, ...) and parameter names (torch's
 *                                   param_groups), numbers printed to round-trip exactly
 *   sched                           JSON: the schedule's configuration (informative)
 *   config                          the caller's configuration text (JSON), as given
 *   checksum                        CRC-32 of every tensor's name and bytes, so that a corrupted
 *                                   file is refused rather than loaded
 *
 * The file is written to a temporary name beside the target and renamed (ov_st_save), so a crash
 * or a failed write leaves the previous checkpoint whole. Loading checks everything first (the
 * checksum; every tensor present with the right dtype and shape; the optimizer's kind, groups and
 * their parameters) and only then copies, so a file that does not match changes nothing; the
 * error lists what is missing, unexpected or mismatched.
 *
 *     ovNamedGen gens[] = {{"data", &data_gen}, {"dropout", &drop_gen}};
 *     ovTrainState ts = {.model = &net->m, .optim = opt, .sched = sched, .gens = gens, .n_gens = 2,
 *                        .step = step, .config = config_json};
 *     if (ov_ckpt_save("run/last.safetensors", &ts)) fprintf(stderr, "%s\n", ov_last_error());
 *     ...  // a new process: the same model, optimizer groups, schedule and generators, then
 *     if (ov_ckpt_load("run/last.safetensors", &ts, NULL) == 0) step = ts.step; */
#ifndef OV_CHECKPOINT_H
#define OV_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "nn/module.h"
#include "optim/optim.h"
#include "optim/sched.h"
#include "tensor/create.h"

typedef struct {
    const char *name;
    ovGenerator *gen;
} ovNamedGen;

typedef struct {
    ovModule *model;         /* required */
    ovOptimizer *optim;      /* may be NULL (then not saved or restored) */
    ovLRSched *sched;        /* may be NULL */
    const ovNamedGen *gens;  /* generators to save and restore (data order, dropout, ...) */
    int n_gens;
    int64_t step;            /* saved; set by ov_ckpt_load */
    const char *config;      /* saved as metadata "config" (may be NULL) */
    /* Leave out parameters that do not train (a frozen backbone that loads from its own
     * checkpoint); loading then does not ask for them. */
    bool skip_frozen;
} ovTrainState;

/* Returns 0, or -1 with ov_last_error(). Tensors on the device are copied to the host to write. */
int ov_ckpt_save(const char *path, const ovTrainState *s);
/* Restores everything s points to from the file, and s->step. When config is non-NULL it
 * receives a malloc'd copy of the saved config (NULL if none). Returns 0, or -1 with
 * ov_last_error() and nothing changed. */
int ov_ckpt_load(const char *path, ovTrainState *s, char **config);

#endif
