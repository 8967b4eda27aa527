/* optim.c: SGD and AdamW over parameter groups (torch.optim.SGD / torch.optim.AdamW, single-tensor
 * path of torch 1.13). The arithmetic of one element is kernels/optim_math.h's; this file keeps
 * the groups and the per-parameter state, computes each step's scalars (bias corrections in
 * double, as torch does in Python) and picks the CPU or CUDA kernel. */
#include "optim/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/optim.h"
#include "kernels/cuda/optim.h"
#include "tensor/create.h"
#include "tensor/error.h"

ovOptimHyper ov_sgd_hyper(double lr) {
    return (ovOptimHyper){.lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
}

ovOptimHyper ov_adamw_hyper(double lr) {
    return (ovOptimHyper){.lr = lr, .weight_decay = 1e-2, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
}

const char *ov_optim_kind_name(ovOptimKind kind) { return kind == OV_SGD ? "sgd" : "adamw"; }

ovOptimizer *ov_optim_new(ovOptimKind kind, ovOptimHyper defaults) {
    ovOptimizer *o = calloc(1, sizeof *o);
    if (!o) ov_panic("optimizer: out of memory");
    o->kind = kind;
    o->defaults = defaults;
    o->scope = ov_scope_new("optimizer");
    return o;
}

void ov_optim_free(ovOptimizer *o) {
    if (!o) return;
    for (int gi = 0; gi < o->n_groups; gi++) {
        ovParamGroup *g = o->groups[gi];
        for (int i = 0; i < g->n; i++) free(g->ps[i].name);
        free(g->ps);
        free(g);
    }
    free(o->groups);
    ov_scope_free(o->scope);
    free(o);
}

ovParamGroup *ov_optim_group(ovOptimizer *o, const char *name) {
    if (o->n_groups == o->cap_groups) {
        o->cap_groups = o->cap_groups ? 2 * o->cap_groups : 4;
        o->groups = realloc(o->groups, sizeof(ovParamGroup *) * (size_t)o->cap_groups);
        if (!o->groups) ov_panic("optimizer: out of memory");
    }
    ovParamGroup *g = calloc(1, sizeof *g);
    if (!g) ov_panic("optimizer: out of memory");
    snprintf(g->name, sizeof g->name, "%s", name ? name : "");
    g->h = o->defaults;
    g->initial_lr = o->defaults.lr;
    o->groups[o->n_groups++] = g;
    return g;
}

static ovParamState *find_tensor(ovOptimizer *o, const ovTensor *p) {
    for (int gi = 0; gi < o->n_groups; gi++)
        for (int i = 0; i < o->groups[gi]->n; i++)
            if (o->groups[gi]->ps[i].p == p) return &o->groups[gi]->ps[i];
    return NULL;
}

ovParamState *ov_optim_find(ovOptimizer *o, const char *name, ovParamGroup **group) {
    for (int gi = 0; gi < o->n_groups; gi++)
        for (int i = 0; i < o->groups[gi]->n; i++)
            if (!strcmp(o->groups[gi]->ps[i].name, name)) {
                if (group) *group = o->groups[gi];
                return &o->groups[gi]->ps[i];
            }
    return NULL;
}

int ov_optim_count(const ovOptimizer *o) {
    int n = 0;
    for (int gi = 0; gi < o->n_groups; gi++) n += o->groups[gi]->n;
    return n;
}

void ov_group_add(ovOptimizer *o, ovParamGroup *g, const char *name, ovTensor *p) {
    if (!name) name = p->name;
    if (!name[0]) ov_panic("optimizer group '%s': a parameter needs a name (its checkpoint key)", g->name);
    if (find_tensor(o, p)) ov_panic("optimizer: parameter '%s' is already in a group (a tensor may be in one only)", name);
    if (ov_optim_find(o, name, NULL)) ov_panic("optimizer: two parameters are named '%s'", name);
    if (p->dtype != OV_F32) ov_panic("optimizer: parameter '%s' is %s; the updates need f32", name, ov_dtype_name(p->dtype));
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->ps = realloc(g->ps, sizeof(ovParamState) * (size_t)g->cap);
        if (!g->ps) ov_panic("optimizer: out of memory");
    }
    ovParamState *ps = &g->ps[g->n++];
    memset(ps, 0, sizeof *ps);
    ps->name = strdup(name);
    ps->p = p;
}

void ov_optim_zero_grad(ovOptimizer *o) {
    for (int gi = 0; gi < o->n_groups; gi++)
        for (int i = 0; i < o->groups[gi]->n; i++)
            if (o->groups[gi]->ps[i].p->grad) ov_fill_(o->groups[gi]->ps[i].p->grad, 0.0);
}

static ovTensor *state_zeros(ovOptimizer *o, const ovTensor *p) {
    ov_scope_push(o->scope);
    ovTensor *t = ov_empty_on(ov_device(p), p->ndim, p->shape, OV_F32);
    ov_fill_(t, 0.0);
    ov_scope_pop(o->scope);
    return t;
}

void ov_optim_init_state(ovOptimizer *o, ovParamState *ps, bool with_buf) {
    if (with_buf && !ps->buf) ps->buf = state_zeros(o, ps->p);
    if (o->kind == OV_ADAMW && !ps->sq) ps->sq = state_zeros(o, ps->p);
}

/* torch checks these when a group is made; here when it is used, with the group's name. */
static void check_hyper(const ovOptimizer *o, const ovParamGroup *g) {
    const ovOptimHyper *h = &g->h;
    const char *bad = NULL;
    if (!(h->lr >= 0)) bad = "lr must be >= 0";
    else if (!(h->weight_decay >= 0)) bad = "weight_decay must be >= 0";
    else if (o->kind == OV_SGD && !(h->momentum >= 0)) bad = "momentum must be >= 0";
    else if (o->kind == OV_SGD && h->nesterov && (h->momentum <= 0 || h->dampening != 0))
        bad = "Nesterov momentum needs momentum > 0 and zero dampening";
    else if (o->kind == OV_ADAMW && !(h->beta1 >= 0 && h->beta1 < 1 && h->beta2 >= 0 && h->beta2 < 1))
        bad = "betas must be in [0, 1)";
    else if (o->kind == OV_ADAMW && !(h->eps >= 0)) bad = "eps must be >= 0";
    if (bad) ov_panic("%s group '%s': %s", ov_optim_kind_name(o->kind), g->name, bad);
}

static void check_pair(const ovParamState *ps) {
    const ovTensor *p = ps->p, *g = p->grad;
    if (!ov_is_contiguous(p) || !ov_is_contiguous(g) || g->dtype != OV_F32 || !ov_same_shape(p, g) ||
        ov_device(p) != ov_device(g)) {
        char a[160], b[160];
        ov_panic("optimizer: parameter %s and its gradient %s must be contiguous f32 of one shape on one device",
                 ov_describe(p, a, sizeof a), ov_describe(g, b, sizeof b));
    }
}

static void step_sgd(ovOptimizer *o, const ovParamGroup *g, ovParamState *ps) {
    const ovOptimHyper *h = &g->h;
    bool first = h->momentum != 0 && !ps->buf;
    if (first) ov_optim_init_state(o, ps, true);
    /* torch passes lr and the factors as Python floats; the float kernel rounds them once */
    ovSgdHyper k = {(float)h->lr, (float)h->momentum, (float)h->dampening, (float)h->weight_decay, h->nesterov, first};
    float *p = ov_data_ptr(ps->p), *gr = ov_data_ptr(ps->p->grad), *buf = h->momentum != 0 ? ov_data_ptr(ps->buf) : NULL;
    if (ov_device(ps->p) == OV_DEV_CPU)
        ov_ksgd_fast(&k, p, gr, buf, ov_numel(ps->p));
    else
        ov_ksgd_cuda(&k, p, gr, buf, ov_numel(ps->p));
}

static void step_adamw(ovOptimizer *o, const ovParamGroup *g, ovParamState *ps) {
    const ovOptimHyper *h = &g->h;
    ov_optim_init_state(o, ps, true);
    double st = (double)ps->step; /* already counted: torch increments before the update */
    ovAdamwHyper k = {(float)h->lr, (float)h->beta1, (float)h->beta2, (float)h->eps, (float)h->weight_decay,
                      (float)(1.0 - pow(h->beta1, st)), (float)sqrt(1.0 - pow(h->beta2, st))};
    float *p = ov_data_ptr(ps->p), *gr = ov_data_ptr(ps->p->grad), *m = ov_data_ptr(ps->buf), *v = ov_data_ptr(ps->sq);
    if (ov_device(ps->p) == OV_DEV_CPU)
        ov_kadamw_fast(&k, p, gr, m, v, ov_numel(ps->p));
    else
        ov_kadamw_cuda(&k, p, gr, m, v, ov_numel(ps->p));
}

void ov_optim_step(ovOptimizer *o) {
    for (int gi = 0; gi < o->n_groups; gi++) {
        ovParamGroup *g = o->groups[gi];
        check_hyper(o, g);
        for (int i = 0; i < g->n; i++) {
            ovParamState *ps = &g->ps[i];
            if (!ps->p->grad) continue;
            check_pair(ps);
            ps->step++;
            if (o->kind == OV_SGD)
                step_sgd(o, g, ps);
            else
                step_adamw(o, g, ps);
            /* an in-place write: a graph that saved the old value must not run backward on it */
            ov_bump_version(ps->p);
        }
    }
}
