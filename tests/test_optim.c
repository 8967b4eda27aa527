/* test_optim.c: the optimizers, schedules and clipping against torch.optim.
 *
 * Parity: tools/gen_optim_fixtures.py trained an MLP (fc1 8->16, tanh, fc2 16->4) for 20 steps with
 * each SGD/AdamW variant and schedule, one or two parameter groups, and clipping in two cases; each
 * case is rebuilt here from its metadata (groups chosen with the same filters as the script) and
 * must follow torch: the lr of every group at every step, the clipped total norm, and every
 * parameter after every step within 1e-5 (relative, |a-b|/(|b| + rms)). The same runs on the
 * (emulated) device. Then by hand: schedule values, clipping, group building, gradient
 * accumulation, skipped parameters and hyperparameter checks. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/module.h"
#include "optim/optim.h"
#include "optim/sched.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

#define FIXTURE_DIR "tests/fixtures/optim"
#define TOL 1e-5

static bool have_device;

static const char *const CASES[] = {"sgd_plain",          "sgd_momentum",        "sgd_nesterov_wd",
                                    "sgd_dampening_groups_clip", "adamw_cosine", "adamw_wd_split_clip",
                                    "adamw_groups_const"};
#define N_CASES (int)(sizeof CASES / sizeof CASES[0])
static const char *const PNAMES[4] = {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};

typedef struct {
    ovModule m;
    ovTestLinear *fc1, *fc2;
} Mlp;

static Mlp *mlp(uint64_t seed) {
    Mlp *n = ov_module_root(sizeof *n, "MLP", seed);
    n->fc1 = ov_test_linear(&n->m, "fc1", 8, 16);
    n->fc2 = ov_test_linear(&n->m, "fc2", 16, 4);
    return n;
}

static ovTensor *forward(ovTensor *const P[4], ovTensor *x) {
    return ov_linear(ov_tanh(ov_linear(x, P[0], P[1])), P[2], P[3]);
}

static ovTensor *loss_of(const char *kind, ovTensor *out, ovTensor *y) {
    if (!strcmp(kind, "mse")) return ov_mean(ov_pow_scalar(ov_sub(out, y), 2), 0, NULL, false);
    /* cross-entropy with soft targets: -sum(y * log_softmax(out)) per row, mean over rows */
    ovTensor *nll = ov_neg(ov_sum(ov_mul(y, ov_log_softmax(out, 1, NULL)), 1, (int64_t[]){1}, false));
    return ov_mean(nll, 0, NULL, false);
}

static double num(const cJSON *o, const char *key, double dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsBool(v) ? (double)cJSON_IsTrue(v) : dflt;
}

static ovSchedConfig sched_config(const cJSON *s) {
    const char *kind = cJSON_GetObjectItemCaseSensitive(s, "kind")->valuestring;
    ovSchedConfig c = {.kind = !strcmp(kind, "constant")    ? OV_SCHED_CONSTANT
                               : !strcmp(kind, "multistep") ? OV_SCHED_MULTISTEP
                                                            : OV_SCHED_COSINE,
                       .warmup_iters = (int64_t)num(s, "warmup_iters", 0),
                       .warmup_factor = num(s, "warmup_factor", 1),
                       .gamma = num(s, "gamma", 0.1),
                       .cosine_iters = (int64_t)num(s, "cosine_iters", 0),
                       .min_factor = num(s, "min_factor", 0)};
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(s, "milestones")) c.milestones[c.n_milestones++] = (int64_t)m->valuedouble;
    return c;
}

/* Largest |a - b| over the elements (for the printed summary). */
static double max_abs(const ovTensor *a, const ovTensor *b) {
    double m = 0;
    for (int64_t i = 0; i < ov_numel(a); i++) m = fmax(m, fabs(ov_get_flat(a, i) - ov_get_flat(b, i)));
    return m;
}

/* One fixture case replayed; returns the worst parameter difference over all steps (and the
 * largest absolute one in *abs_diff). */
static double replay(const char *name, ovDevice dev, double *abs_diff) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s.safetensors", FIXTURE_DIR, name);
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "missing fixture %s (%s); run /usr/bin/python3 tools/gen_optim_fixtures.py %s", path,
                  ov_last_error(), FIXTURE_DIR);
    cJSON *cfg = cJSON_Parse(ov_st_meta(st, "case"));
    ck_assert_msg(cfg, "%s: no case metadata", path);
    ov_scope_begin();

    /* The parameters: a module's on the CPU (groups built with the filters), plain device leaves
     * otherwise (groups from the script's lists). */
    Mlp *net = mlp(99);
    ovTensor *P[4] = {net->fc1->weight, net->fc1->bias, net->fc2->weight, net->fc2->bias};
    for (int i = 0; i < 4; i++) {
        char key[64];
        snprintf(key, sizeof key, "init.%s", PNAMES[i]);
        ov_copy_(P[i], ov_st_get(st, key));
        if (dev != OV_DEV_CPU) {
            P[i] = ov_requires_grad(ov_contiguous_copy(ov_to_device(ov_detach(P[i]), dev)), true);
            ov_named(P[i], "%s", PNAMES[i]);
        }
    }

    bool sgd = !strcmp(cJSON_GetObjectItemCaseSensitive(cfg, "optim")->valuestring, "sgd");
    ovOptimizer *opt = ov_optim_new(sgd ? OV_SGD : OV_ADAMW, sgd ? ov_sgd_hyper(0.1) : ov_adamw_hyper(1e-3));
    const cJSON *gj;
    cJSON_ArrayForEach(gj, cJSON_GetObjectItemCaseSensitive(cfg, "groups")) {
        const char *sel = cJSON_GetObjectItemCaseSensitive(gj, "select")->valuestring;
        ovParamGroup *g = ov_optim_group(opt, sel);
        g->h.lr = num(gj, "lr", g->h.lr);
        g->h.weight_decay = num(gj, "weight_decay", sgd ? 0 : 1e-2);
        g->h.momentum = num(gj, "momentum", 0);
        g->h.dampening = num(gj, "dampening", 0);
        g->h.nesterov = num(gj, "nesterov", 0) != 0;
        const cJSON *betas = cJSON_GetObjectItemCaseSensitive(gj, "betas");
        if (betas) g->h.beta1 = cJSON_GetArrayItem(betas, 0)->valuedouble, g->h.beta2 = cJSON_GetArrayItem(betas, 1)->valuedouble;
        g->h.eps = num(gj, "eps", g->h.eps);
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(gj, "params"), *pn;
        if (dev == OV_DEV_CPU) {
            bool prefix = !strncmp(sel, "prefix:", 7);
            ovParamFilter f = prefix ? ov_filter_prefix : !strcmp(sel, "decay") ? ov_filter_decay
                              : !strcmp(sel, "no_decay")                      ? ov_filter_no_decay
                                                                              : NULL;
            int added = ov_group_add_module(opt, g, &net->m, f, prefix ? (void *)(sel + 7) : NULL);
            ck_assert_int_eq(added, cJSON_GetArraySize(want));
            int i = 0;
            cJSON_ArrayForEach(pn, want) ck_assert_str_eq(g->ps[i++].name, pn->valuestring);
        } else {
            cJSON_ArrayForEach(pn, want) {
                for (int i = 0; i < 4; i++)
                    if (!strcmp(PNAMES[i], pn->valuestring)) ov_group_add(opt, g, NULL, P[i]);
            }
        }
    }
    ck_assert_int_eq(ov_optim_count(opt), 4);
    ovSchedConfig sc = sched_config(cJSON_GetObjectItemCaseSensitive(cfg, "sched"));
    ovLRSched *sched = ov_sched_new(opt, &sc);

    const char *loss_kind = cJSON_GetObjectItemCaseSensitive(cfg, "loss")->valuestring;
    double clip = num(cfg, "clip", 0);
    const cJSON *lrs = cJSON_GetObjectItemCaseSensitive(cfg, "lrs"), *norms = cJSON_GetObjectItemCaseSensitive(cfg, "norms");
    int steps = (int)num(cfg, "steps", 0);
    ovTensor *x = ov_to_device(ov_st_get(st, "x"), dev), *y = ov_to_device(ov_st_get(st, "y"), dev);
    double worst = 0;
    for (int k = 0; k < steps; k++) {
        for (int gi = 0; gi < opt->n_groups; gi++) {
            double want = cJSON_GetArrayItem(cJSON_GetArrayItem(lrs, k), gi)->valuedouble;
            ck_assert_msg(fabs(opt->groups[gi]->h.lr - want) <= 1e-12 * want, "%s step %d group %d: lr %.17g, torch %.17g",
                          name, k, gi, opt->groups[gi]->h.lr, want);
        }
        ov_optim_zero_grad(opt);
        ov_scope_begin();
        ov_backward(loss_of(loss_kind, forward(P, ov_select(x, 0, k)), ov_select(y, 0, k)));
        ov_scope_end();
        if (clip > 0) {
            double total = ov_clip_grad_norm(opt, clip), want = cJSON_GetArrayItem(norms, k)->valuedouble;
            ck_assert_msg(fabs(total - want) <= 1e-5 * want, "%s step %d: total norm %.9g, torch %.9g", name, k, total, want);
        }
        ov_optim_step(opt);
        ov_sched_step(sched);
        ov_scope_begin();
        for (int i = 0; i < 4; i++) {
            char key[64];
            snprintf(key, sizeof key, "step%d.%s", k + 1, PNAMES[i]);
            int64_t at;
            ovTensor *mine = ov_to_device(P[i], OV_DEV_CPU), *ref = ov_st_get(st, key);
            double d = ov_rel_diff(mine, ref, &at);
            ck_assert_msg(d >= 0 && d <= TOL, "%s on %s: %s after step %d differs from torch by %g (element %lld)", name,
                          ov_device_name(dev), PNAMES[i], k + 1, d, (long long)at);
            if (d > worst) worst = d;
            *abs_diff = fmax(*abs_diff, max_abs(mine, ref));
        }
        ov_scope_end();
    }
    ov_sched_free(sched);
    ov_optim_free(opt);
    ov_module_free(&net->m);
    ov_scope_end();
    cJSON_Delete(cfg);
    ov_st_close(st);
    return worst;
}

START_TEST(test_parity_with_torch) {
    double a = 0, d = replay(CASES[_i], OV_DEV_CPU, &a);
    printf("optim parity %-26s cpu: worst %.2e relative, %.2e absolute\n", CASES[_i], d, a);
}
END_TEST

START_TEST(test_parity_on_device) {
    if (!have_device) return;
    double a = 0, d = replay(CASES[_i], OV_DEV_CUDA, &a);
    printf("optim parity %-26s device: worst %.2e relative, %.2e absolute\n", CASES[_i], d, a);
}
END_TEST

START_TEST(test_schedule_values) {
    ovSchedConfig m = {.kind = OV_SCHED_MULTISTEP, .warmup_iters = 4, .warmup_factor = 0.2, .milestones = {6, 9},
                       .n_milestones = 2, .gamma = 0.1};
    ck_assert_double_eq_tol(ov_sched_factor(&m, 0), 0.2, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&m, 2), 0.6, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&m, 4), 1.0, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&m, 5), 1.0, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&m, 6), 0.1, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&m, 9), 0.01, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&m, 1000), 0.01, 1e-15);
    ovSchedConfig c = {.kind = OV_SCHED_COSINE, .warmup_iters = 2, .warmup_factor = 0, .cosine_iters = 10, .min_factor = 0.1};
    ck_assert_double_eq(ov_sched_factor(&c, 0), 0); /* warmup from zero (HF / ViCLIP style) */
    ck_assert_double_eq_tol(ov_sched_factor(&c, 1), 0.5, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&c, 2), 1.0, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&c, 7), 0.55, 1e-15); /* half way: (1 + min) / 2 */
    ck_assert_double_eq_tol(ov_sched_factor(&c, 12), 0.1, 1e-15);
    ck_assert_double_eq_tol(ov_sched_factor(&c, 500), 0.1, 1e-15); /* held at the end */
    ovSchedConfig k = {.kind = OV_SCHED_CONSTANT};
    ck_assert_double_eq(ov_sched_factor(&k, 0), 1);
    ck_assert_double_eq(ov_sched_factor(&k, 77), 1);

    /* every group relative to its own base lr; set_iter jumps */
    ov_scope_begin();
    Mlp *net = mlp(1);
    ovOptimizer *opt = ov_optim_new(OV_ADAMW, ov_adamw_hyper(1e-3));
    ovParamGroup *a = ov_optim_group(opt, "fc1"), *b = ov_optim_group(opt, "rest");
    a->h.lr = 1e-4;
    ov_group_add_module(opt, a, &net->m, ov_filter_prefix, "fc1");
    ov_group_add_module(opt, b, &net->m, NULL, NULL);
    ovLRSched *s = ov_sched_new(opt, &m);
    ck_assert_double_eq_tol(a->h.lr, 2e-5, 1e-20);
    ck_assert_double_eq_tol(b->h.lr, 2e-4, 1e-19);
    for (int i = 0; i < 6; i++) ov_sched_step(s);
    ck_assert_double_eq_tol(a->h.lr, 1e-5, 1e-20);
    ck_assert_double_eq_tol(b->h.lr, 1e-4, 1e-19);
    ov_sched_set_iter(s, 3);
    ck_assert_double_eq_tol(b->h.lr, 1e-3 * 0.8, 1e-18);
    ck_assert_int_eq(s->iter, 3);
    ov_sched_free(s);

    /* bad configurations are refused with the reason */
    ovTrap trap;
    ovSchedConfig bad = {.kind = OV_SCHED_MULTISTEP, .milestones = {5, 3}, .n_milestones = 2, .gamma = 0.1};
    if (OV_TRY(&trap)) {
        ov_sched_new(opt, &bad);
        ov_trap_pop(&trap);
        ck_abort_msg("decreasing milestones were accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "milestones must increase"), "%s", ov_last_error());
    ovSchedConfig bad2 = {.kind = OV_SCHED_COSINE};
    if (OV_TRY(&trap)) {
        ov_sched_new(opt, &bad2);
        ov_trap_pop(&trap);
        ck_abort_msg("a cosine of no length was accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "cosine_iters"), "%s", ov_last_error());
    ov_optim_free(opt);
    ov_module_free(&net->m);
    ov_scope_end();
}
END_TEST

/* grads (3, 4) and (12): total norm 13; with max_norm 6.5 every gradient halves (up to the 1e-6). */
static void set_grads(ovTensor *a, ovTensor *b, ovDevice dev) {
    a->grad = ov_to_device(ov_from_data((float[]){3, 4}, OV_SHAPE(2), OV_F32), dev);
    b->grad = ov_to_device(ov_from_data((float[]){12}, OV_SHAPE(1), OV_F32), dev);
}

START_TEST(test_clip_grad_norm) {
    ov_scope_begin();
    for (int d = 0; d < (have_device ? 2 : 1); d++) {
        ovDevice dev = d ? OV_DEV_CUDA : OV_DEV_CPU;
        ovTensor *a = ov_requires_grad(ov_zeros(OV_SHAPE(2), OV_F32), true), *b = ov_requires_grad(ov_zeros(OV_SHAPE(1), OV_F32), true);
        ovTensor *c = ov_requires_grad(ov_zeros(OV_SHAPE(5), OV_F32), true); /* no gradient: skipped */
        ovTensor *ps[3] = {a, c, b};
        set_grads(a, b, dev);
        double total = ov_clip_grad_norm_list(3, ps, 6.5);
        ck_assert_double_eq_tol(total, 13.0, 1e-6);
        double coef = 6.5 / (13.0 + 1e-6);
        ovTensor *ga = ov_to_device(a->grad, OV_DEV_CPU), *gb = ov_to_device(b->grad, OV_DEV_CPU);
        ck_assert_double_eq_tol(ov_get_flat(ga, 0), 3 * coef, 1e-6);
        ck_assert_double_eq_tol(ov_get_flat(ga, 1), 4 * coef, 1e-6);
        ck_assert_double_eq_tol(ov_get_flat(gb, 0), 12 * coef, 1e-5);
        ck_assert_ptr_eq(c->grad, NULL);
        /* under the limit: unchanged (times exactly 1) */
        set_grads(a, b, dev);
        ck_assert_double_eq_tol(ov_clip_grad_norm_list(3, ps, 100), 13.0, 1e-6);
        ck_assert_double_eq(ov_get_flat(ov_to_device(a->grad, OV_DEV_CPU), 1), 4);
        ck_assert_double_eq(ov_get_flat(ov_to_device(b->grad, OV_DEV_CPU), 0), 12);
        ck_assert_double_eq(ov_clip_grad_norm_list(1, &c, 1.0), 0); /* no gradients at all */
    }
    ov_scope_end();
}
END_TEST

/* Groups from a module: the decay split, a prefix at a dot boundary, frozen parameters and
 * buffers left out, one group per tensor. */
START_TEST(test_groups_from_module) {
    ov_scope_begin();
    typedef struct {
        ovModule m;
        ovTestLinear *blocks[12];
        ovTensor *norm_w, *cls;
    } Net;
    Net *n = ov_module_root(sizeof *n, "Net", 3);
    ovModule *bl = ov_module_new(&n->m, "blocks", sizeof(ovModule), "ModuleList");
    for (int i = 0; i < 12; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "%d", i);
        n->blocks[i] = ov_test_linear(bl, nm, 3, 2);
    }
    n->norm_w = ov_param(&n->m, "norm_weight", OV_SHAPE(2));
    n->cls = ov_param(&n->m, "cls_token", OV_SHAPE(1, 1, 2));
    ov_buffer(&n->m, "position_ids", ov_arange(0, 4, 1, OV_I64));
    ov_module_freeze(&n->m, "blocks.11", true);

    ovOptimizer *o = ov_optim_new(OV_ADAMW, ov_adamw_hyper(1e-3));
    ovParamGroup *one = ov_optim_group(o, "blocks.1");
    ck_assert_int_eq(ov_group_add_module(o, one, &n->m, ov_filter_prefix, "blocks.1"), 2); /* not blocks.10/11 */
    ck_assert_str_eq(one->ps[0].name, "blocks.1.weight");
    ck_assert_int_eq(ov_optim_split_decay(o, &n->m), 2 * 12 - 2 - 2 + 2); /* 10 blocks left, norm, cls */
    ovParamGroup *decay, *no_decay;
    ck_assert_ptr_nonnull(ov_optim_find(o, "blocks.10.weight", &decay));
    ck_assert_ptr_nonnull(ov_optim_find(o, "blocks.0.bias", &no_decay));
    ck_assert_str_eq(decay->name, "decay");
    ck_assert_str_eq(no_decay->name, "no_decay");
    ck_assert_double_eq(no_decay->h.weight_decay, 0);
    ck_assert_double_eq(decay->h.weight_decay, 1e-2);
    ovParamGroup *g;
    ck_assert_ptr_nonnull(ov_optim_find(o, "norm_weight", &g));
    ck_assert_ptr_eq(g, no_decay);
    ck_assert_ptr_nonnull(ov_optim_find(o, "cls_token", &g)); /* 3-D: decayed, as timm's rule */
    ck_assert_ptr_eq(g, decay);
    ck_assert_ptr_null(ov_optim_find(o, "blocks.11.weight", NULL)); /* frozen */
    ck_assert_ptr_null(ov_optim_find(o, "position_ids", NULL));     /* buffer */
    ck_assert_int_eq(ov_optim_count(o), 2 + 22);

    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_group_add(o, one, NULL, n->blocks[3]->weight);
        ov_trap_pop(&trap);
        ck_abort_msg("a parameter went into two groups");
    }
    ck_assert_msg(strstr(ov_last_error(), "blocks.3.weight' is already in a group"), "%s", ov_last_error());
    ov_optim_free(o);
    ov_module_free(&n->m);
    ov_scope_end();
}
END_TEST

static void train_steps(Mlp *net, ovOptimizer *opt, ovTensor *x, ovTensor *y, int k) {
    ovTensor *P[4] = {net->fc1->weight, net->fc1->bias, net->fc2->weight, net->fc2->bias};
    int64_t b = x->shape[0] / k;
    ov_optim_zero_grad(opt);
    for (int i = 0; i < k; i++) {
        ov_scope_begin();
        ovTensor *l = loss_of("mse", forward(P, ov_narrow(x, 0, i * b, b)), ov_narrow(y, 0, i * b, b));
        ov_backward(ov_mul_scalar(l, 1.0 / k));
        ov_scope_end();
    }
    ov_optim_step(opt);
}

/* k micro-batches with the loss scaled by 1/k, then one step == one step on the whole batch. */
START_TEST(test_gradient_accumulation) {
    ov_scope_begin();
    ovGenerator g = ov_generator(4);
    ovTensor *x = ov_randn(OV_SHAPE(12, 8), 0, 1, &g), *y = ov_randn(OV_SHAPE(12, 4), 0, 1, &g);
    Mlp *whole = mlp(5), *acc = mlp(5);
    ovOptimizer *o1 = ov_optim_new(OV_ADAMW, ov_adamw_hyper(1e-2)), *o2 = ov_optim_new(OV_ADAMW, ov_adamw_hyper(1e-2));
    ov_optim_split_decay(o1, &whole->m);
    ov_optim_split_decay(o2, &acc->m);
    for (int step = 0; step < 3; step++) {
        train_steps(whole, o1, x, y, 1);
        train_steps(acc, o2, x, y, 3);
        double dg = ov_rel_diff(acc->fc1->weight->grad, whole->fc1->weight->grad, NULL);
        ck_assert_msg(dg >= 0 && dg < 1e-6, "accumulated gradient differs by %g", dg);
    }
    double d = ov_rel_diff(acc->fc2->weight, whole->fc2->weight, NULL);
    ck_assert_msg(d >= 0 && d < 1e-5, "accumulated run differs by %g", d);
    ov_optim_free(o1);
    ov_optim_free(o2);
    ov_module_free(&whole->m);
    ov_module_free(&acc->m);
    ov_scope_end();
}
END_TEST

/* A parameter without a gradient is skipped (no state, no step count); AdamW's first step moves
 * by about lr; steps are counted per parameter; state is made on first use. */
START_TEST(test_state_and_skipping) {
    ov_scope_begin();
    Mlp *net = mlp(6);
    ovOptimizer *o = ov_optim_new(OV_ADAMW, ov_adamw_hyper(0.1));
    ov_optim_group(o, "all")->h.weight_decay = 0;
    ov_group_add_module(o, o->groups[0], &net->m, NULL, NULL);
    ovTensor *x = ov_ones(OV_SHAPE(2, 8), OV_F32);
    ovTensor *w1 = ov_contiguous_copy(net->fc1->weight), *b2 = ov_contiguous_copy(net->fc2->bias);
    ov_scope_begin();
    /* only fc1 gets gradients */
    ov_backward(ov_sum(ov_tanh(ov_linear(x, net->fc1->weight, net->fc1->bias)), 0, NULL, false));
    ov_scope_end();
    ov_optim_step(o);
    ovParamState *s1 = ov_optim_find(o, "fc1.weight", NULL), *s2 = ov_optim_find(o, "fc2.bias", NULL);
    ck_assert_int_eq(s1->step, 1);
    ck_assert_ptr_nonnull(s1->buf);
    ck_assert_ptr_nonnull(s1->sq);
    ck_assert_int_eq(s2->step, 0);
    ck_assert_ptr_null(s2->buf);
    ck_assert(ov_rel_diff(net->fc2->bias, b2, NULL) == 0);
    for (int64_t i = 0; i < ov_numel(w1); i++) {
        double moved = fabs(ov_get_flat(net->fc1->weight, i) - ov_get_flat(w1, i));
        double g = ov_get_flat(net->fc1->weight->grad, i);
        ck_assert_msg(fabs(g) < 1e-6 || fabs(moved - 0.1) < 1e-4, "first AdamW step moved %g", moved);
    }
    ov_optim_free(o);
    ov_module_free(&net->m);
    ov_scope_end();
}
END_TEST

START_TEST(test_bad_hyperparameters) {
    ov_scope_begin();
    Mlp *net = mlp(7);
    ovOptimizer *o = ov_optim_new(OV_SGD, ov_sgd_hyper(0.1));
    ovParamGroup *g = ov_optim_group(o, "main");
    ov_group_add_module(o, g, &net->m, NULL, NULL);
    g->h.nesterov = true; /* without momentum */
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_optim_step(o);
        ov_trap_pop(&trap);
        ck_abort_msg("Nesterov without momentum was accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "sgd group 'main': Nesterov momentum needs momentum > 0"), "%s", ov_last_error());
    ov_optim_free(o);
    o = ov_optim_new(OV_ADAMW, ov_adamw_hyper(0.1));
    g = ov_optim_group(o, "main");
    ov_group_add_module(o, g, &net->m, NULL, NULL);
    g->h.beta2 = 1.0;
    if (OV_TRY(&trap)) {
        ov_optim_step(o);
        ov_trap_pop(&trap);
        ck_abort_msg("beta2 = 1 was accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "betas must be in [0, 1)"), "%s", ov_last_error());
    ov_optim_free(o);
    ov_module_free(&net->m);
    ov_scope_end();
}
END_TEST

int main(void) {
    have_device = ov_test_have_device("optim");
    Suite *s = suite_create("optim");
    TCase *tc = tcase_create("optim");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_parity_with_torch, 0, N_CASES);
    tcase_add_loop_test(tc, test_parity_on_device, 0, N_CASES);
    tcase_add_test(tc, test_schedule_values);
    tcase_add_test(tc, test_clip_grad_norm);
    tcase_add_test(tc, test_groups_from_module);
    tcase_add_test(tc, test_gradient_accumulation);
    tcase_add_test(tc, test_state_and_skipping);
    tcase_add_test(tc, test_bad_hyperparameters);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
