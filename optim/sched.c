/* sched.c: per-iteration learning-rate schedules (see sched.h). The factor is computed in closed
 * form in double; torch's chainable schedulers reach the same values by repeated multiplication,
 * which differs only in the last bits of a double. */
#include "optim/sched.h"

#include <math.h>
#include <stdlib.h>

#include "tensor/error.h"

const char *ov_sched_kind_name(ovSchedKind kind) {
    return kind == OV_SCHED_CONSTANT ? "constant" : kind == OV_SCHED_MULTISTEP ? "multistep" : "cosine";
}

double ov_sched_factor(const ovSchedConfig *c, int64_t iter) {
    double f = 1.0;
    if (iter < c->warmup_iters) f = c->warmup_factor + (1.0 - c->warmup_factor) * (double)iter / (double)c->warmup_iters;
    if (c->kind == OV_SCHED_MULTISTEP) {
        for (int i = 0; i < c->n_milestones; i++)
            if (c->milestones[i] <= iter) f *= c->gamma;
    } else if (c->kind == OV_SCHED_COSINE) {
        int64_t t = iter - c->warmup_iters;
        t = t < 0 ? 0 : t > c->cosine_iters ? c->cosine_iters : t;
        f *= c->min_factor + (1.0 - c->min_factor) * 0.5 * (1.0 + cos(M_PI * (double)t / (double)c->cosine_iters));
    }
    return f;
}

static void check(const ovSchedConfig *c) {
    const char *bad = NULL;
    if (c->warmup_iters < 0) bad = "warmup_iters must be >= 0";
    else if (c->warmup_iters > 0 && !(c->warmup_factor >= 0 && c->warmup_factor <= 1)) bad = "warmup_factor must be in [0, 1]";
    else if (c->kind == OV_SCHED_MULTISTEP && (c->n_milestones < 0 || c->n_milestones > OV_SCHED_MAX_MILESTONES))
        bad = "at most 16 milestones";
    else if (c->kind == OV_SCHED_MULTISTEP && !(c->gamma > 0)) bad = "gamma must be > 0";
    else if (c->kind == OV_SCHED_COSINE && c->cosine_iters <= 0) bad = "cosine_iters must be > 0";
    else if (c->kind == OV_SCHED_COSINE && !(c->min_factor >= 0 && c->min_factor <= 1)) bad = "min_factor must be in [0, 1]";
    if (!bad && c->kind == OV_SCHED_MULTISTEP)
        for (int i = 1; i < c->n_milestones; i++)
            if (c->milestones[i] <= c->milestones[i - 1]) bad = "milestones must increase";
    if (bad) ov_panic("lr schedule (%s): %s", ov_sched_kind_name(c->kind), bad);
}

static void apply(ovLRSched *s) {
    double f = ov_sched_factor(&s->cfg, s->iter);
    for (int gi = 0; gi < s->opt->n_groups; gi++) s->opt->groups[gi]->h.lr = s->opt->groups[gi]->initial_lr * f;
}

ovLRSched *ov_sched_new(ovOptimizer *o, const ovSchedConfig *cfg) {
    check(cfg);
    ovLRSched *s = calloc(1, sizeof *s);
    if (!s) ov_panic("lr schedule: out of memory");
    s->cfg = *cfg;
    s->opt = o;
    for (int gi = 0; gi < o->n_groups; gi++) o->groups[gi]->initial_lr = o->groups[gi]->h.lr;
    apply(s);
    return s;
}

void ov_sched_free(ovLRSched *s) { free(s); }

void ov_sched_step(ovLRSched *s) {
    s->iter++;
    apply(s);
}

void ov_sched_set_iter(ovLRSched *s, int64_t iter) {
    if (iter < 0) ov_panic("lr schedule: iteration %lld is negative", (long long)iter);
    s->iter = iter;
    apply(s);
}
