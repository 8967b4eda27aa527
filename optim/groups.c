/* groups.c: building parameter groups from a module tree by a filter on full names, the way
 * training recipes build torch param_groups (a backbone at a lower lr by name prefix; no weight
 * decay on biases and norm weights, as timm's param_groups_weight_decay and DETR-style recipes). */
#include <string.h>

#include "optim/optim.h"

typedef struct {
    ovOptimizer *o;
    ovParamGroup *g;
    ovParamFilter keep;
    void *ctx;
    int added;
} AddCtx;

static bool already_placed(ovOptimizer *o, const ovTensor *t) {
    for (int gi = 0; gi < o->n_groups; gi++)
        for (int i = 0; i < o->groups[gi]->n; i++)
            if (o->groups[gi]->ps[i].p == t) return true;
    return false;
}

static void add_visit(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    AddCtx *a = ctx;
    if (is_buffer || !t->requires_grad || already_placed(a->o, t)) return;
    if (a->keep && !a->keep(name, t, a->ctx)) return;
    ov_group_add(a->o, a->g, name, t);
    a->added++;
}

int ov_group_add_module(ovOptimizer *o, ovParamGroup *g, ovModule *root, ovParamFilter keep, void *ctx) {
    AddCtx a = {o, g, keep, ctx, 0};
    ov_module_visit(root, false, add_visit, &a);
    return a.added;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

bool ov_filter_no_decay(const char *full_name, const ovTensor *t, void *ctx) {
    (void)ctx;
    return t->ndim <= 1 || ends_with(full_name, "bias");
}

bool ov_filter_decay(const char *full_name, const ovTensor *t, void *ctx) { return !ov_filter_no_decay(full_name, t, ctx); }

bool ov_filter_prefix(const char *full_name, const ovTensor *t, void *ctx) {
    (void)t;
    const char *prefix = ctx;
    size_t n = strlen(prefix);
    if (strncmp(full_name, prefix, n)) return false;
    /* "blocks.1" must not take "blocks.10.*": the prefix ends at a dot or at the name's end */
    return n == 0 || prefix[n - 1] == '.' || full_name[n] == '.' || full_name[n] == 0;
}

int ov_optim_split_decay(ovOptimizer *o, ovModule *root) {
    ovParamGroup *decay = ov_optim_group(o, "decay");
    int n = ov_group_add_module(o, decay, root, ov_filter_decay, NULL);
    ovParamGroup *no_decay = ov_optim_group(o, "no_decay");
    no_decay->h.weight_decay = 0;
    return n + ov_group_add_module(o, no_decay, root, ov_filter_no_decay, NULL);
}
