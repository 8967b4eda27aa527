/* optim.h: optimizers over parameter groups, following torch.optim.SGD and torch.optim.AdamW
 * (torch 1.13, single-tensor path) step for step, so that a C run follows a PyTorch run.
 *
 * An optimizer holds groups; a group is a list of parameters with its own hyperparameters (lr,
 * weight decay, momentum/betas), like torch's param_groups:
 *
 *     ovOptimizer *opt = ov_optim_new(OV_ADAMW, ov_adamw_hyper(1e-4));
 *     ovParamGroup *bb = ov_optim_group(opt, "backbone");
 *     bb->h.lr = 1e-5;
 *     ov_group_add_module(opt, bb, root, ov_filter_prefix, "backbone");  // by name prefix
 *     ov_optim_split_decay(opt, root);  // the rest: "decay" and "no_decay" (biases, norms) groups
 *
 *     for (step ...) {
 *         ov_optim_zero_grad(opt);
 *         ov_scope_begin(); ov_backward(loss(...)); ov_scope_end();
 *         ov_clip_grad_norm(opt, 1.0);   // optional (clip.c)
 *         ov_optim_step(opt);
 *         ov_sched_step(sched);           // sched.h
 *     }
 *
 * Gradient accumulation needs no helper: gradients add up in p->grad across backward passes
 * (as in torch), so k micro-batches with each loss scaled by 1/k, then one step, equal one step on
 * the whole batch with a mean loss (tests/test_optim.c checks this):
 *
 *     ov_optim_zero_grad(opt);
 *     for (int i = 0; i < k; i++) {
 *         ov_scope_begin(); ov_backward(ov_mul_scalar(loss(micro[i]), 1.0 / k)); ov_scope_end();
 *     }
 *     ov_optim_step(opt);
 *
 * State (momentum buffers, exp_avg, exp_avg_sq) is made on the parameter's device at its first
 * step, in the optimizer's own scope; a parameter whose grad is NULL is skipped (torch skips
 * p.grad is None). The updates run the fused kernels (kernels/cpu/optim.h, kernels/cuda/optim.h)
 * on contiguous f32 parameters and gradients, on the CPU or on the device. */
#ifndef OV_OPTIM_H
#define OV_OPTIM_H

#include <stdbool.h>
#include <stdint.h>

#include "nn/module.h"
#include "tensor/tensor.h"

typedef enum { OV_SGD, OV_ADAMW } ovOptimKind;

/* One group's hyperparameters (torch's param_group entries). */
typedef struct {
    double lr;
    double weight_decay;
    double momentum, dampening; /* SGD */
    bool nesterov;              /* SGD; needs momentum > 0 and dampening 0 (torch's rule) */
    double beta1, beta2, eps;   /* AdamW */
} ovOptimHyper;

/* torch.optim.SGD's defaults (no momentum, dampening or decay) with this lr. */
ovOptimHyper ov_sgd_hyper(double lr);
/* torch.optim.AdamW's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
ovOptimHyper ov_adamw_hyper(double lr);

/* One parameter and its optimizer state (torch's optimizer.state[p]). */
typedef struct {
    char *name;      /* full name; the key of its state in checkpoints */
    ovTensor *p;
    ovTensor *buf;   /* SGD: momentum_buffer; AdamW: exp_avg. NULL before the first step */
    ovTensor *sq;    /* AdamW: exp_avg_sq */
    int64_t step;    /* steps taken on this parameter (torch's state['step']) */
} ovParamState;

typedef struct {
    char name[64];
    ovOptimHyper h;
    double initial_lr; /* the lr a schedule scales (torch's group['initial_lr']); set by ov_sched_new */
    ovParamState *ps;
    int n, cap;
} ovParamGroup;

typedef struct {
    ovOptimKind kind;
    ovOptimHyper defaults;
    ovParamGroup **groups; /* pointers: a group stays where it is as groups are added */
    int n_groups, cap_groups;
    ovScope *scope;        /* the state tensors */
} ovOptimizer;

ovOptimizer *ov_optim_new(ovOptimKind kind, ovOptimHyper defaults);
void ov_optim_free(ovOptimizer *o);
const char *ov_optim_kind_name(ovOptimKind kind); /* "sgd", "adamw" */

/* A new empty group with the optimizer's defaults (edit g->h before the first step). */
ovParamGroup *ov_optim_group(ovOptimizer *o, const char *name);
/* Adds one parameter under `name` (NULL: the tensor's own name). A tensor may be in one group of
 * an optimizer only (torch raises the same). */
void ov_group_add(ovOptimizer *o, ovParamGroup *g, const char *name, ovTensor *p);

/* Chooses parameters by full name and tensor. */
typedef bool (*ovParamFilter)(const char *full_name, const ovTensor *t, void *ctx);
/* Adds every trainable parameter of root's tree (no buffers, nothing frozen) that `keep` accepts
 * (NULL accepts all) and that no group of o holds yet, in registration order; returns how many.
 * Skipping those already placed makes "the rest" a group: add the special ones first. */
int ov_group_add_module(ovOptimizer *o, ovParamGroup *g, ovModule *root, ovParamFilter keep, void *ctx);
/* The usual no-decay rule (timm, DETR-style recipes): biases and every tensor of at most one dim
 * (norm weights, scales, 1-D embeddings). */
bool ov_filter_no_decay(const char *full_name, const ovTensor *t, void *ctx);
bool ov_filter_decay(const char *full_name, const ovTensor *t, void *ctx);
/* ctx is a const char * prefix; matches at a dot boundary ("blocks.1" takes blocks.1.* only). */
bool ov_filter_prefix(const char *full_name, const ovTensor *t, void *ctx);
/* Adds root's remaining trainable parameters to two new groups: "decay" (the defaults) and
 * "no_decay" (weight decay 0, ov_filter_no_decay); returns how many parameters were added. */
int ov_optim_split_decay(ovOptimizer *o, ovModule *root);

/* Sets every gradient of the optimizer's parameters to zero (the tensors are kept and reused;
 * torch's zero_grad(set_to_none=False), the 1.13 default). */
void ov_optim_zero_grad(ovOptimizer *o);
/* One update of every parameter that has a gradient. */
void ov_optim_step(ovOptimizer *o);

/* The state of parameter `name` (NULL when o has no such parameter). */
ovParamState *ov_optim_find(ovOptimizer *o, const char *name, ovParamGroup **group);
int ov_optim_count(const ovOptimizer *o); /* parameters in all groups */
/* Makes ps's state tensors (zeros, on the parameter's device) if missing: what the first step
 * does; used by checkpoint loading. */
void ov_optim_init_state(ovOptimizer *o, ovParamState *ps, bool with_buf);

/* torch.nn.utils.clip_grad_norm_(params, max_norm) over every gradient of o (clip.c): the total
 * L2 norm of all gradients as one vector, each gradient scaled by min(1, max_norm/(total+1e-6));
 * returns the total norm before clipping (NaN/inf pass through, as torch's default). Gradients
 * may live on the device. */
double ov_clip_grad_norm(ovOptimizer *o, double max_norm);
/* The same over an explicit list of tensors' gradients (NULL gradients skipped). */
double ov_clip_grad_norm_list(int n, ovTensor *const *params, double max_norm);

#endif
