/* test_train_state.c: training-state checkpoints (optim/checkpoint.h).
 *
 * - Resume is exact: a run of N steps (an MLP with dropout, batches drawn by a data-order
 *   generator, AdamW or Nesterov SGD over decay/no-decay groups, warmup + schedule, clipping) is
 *   stopped at step k, saved, and continued from the file in a fresh model, optimizer, schedule
 *   and generators made from other seeds; the parameters, optimizer state, lrs and generators at
 *   step N equal the uninterrupted run's bit for bit (k = 0 too, before any state exists). The
 *   same on the (emulated) device, where the state travels through the host.
 * - A file that does not fit the run (shapes, missing or unexpected tensors, another optimizer or
 *   grouping, a missing generator) is refused with a message that names each problem, and a
 *   truncated or corrupted file is refused too; in every case nothing is changed.
 * - Writes are atomic: no temporary file is left, and a write that fails (the file size limit)
 *   leaves the previous checkpoint whole. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "autograd/backward.h"
#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/module.h"
#include "optim/checkpoint.h"
#include "optim/optim.h"
#include "optim/sched.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

#define NDATA 40
#define BATCH 5
#define NSTEPS 12

static bool have_device;

typedef struct {
    ovModule m;
    ovTestLinear *fc1, *fc2;
    ovTensor *scale, *counts;
} Net;

/* hidden: fc1's width (a different one makes a model the file does not fit). */
static Net *net_new(uint64_t seed, int64_t hidden, ovDevice dev) {
    ovDevice prev = ov_set_default_device(dev);
    Net *n = ov_module_root(sizeof *n, "Net", seed);
    n->fc1 = ov_test_linear(&n->m, "fc1", 8, hidden);
    n->fc2 = ov_test_linear(&n->m, "fc2", hidden, 3);
    n->scale = ov_param(&n->m, "scale", OV_SHAPE(3));
    ov_init_constant(n->scale, 1.0);
    ov_scope_begin();
    n->counts = ov_buffer(&n->m, "counts", ov_full(OV_SHAPE(2), (double)seed, OV_I64));
    ov_scope_end();
    ov_set_default_device(prev);
    return n;
}

/* One training run's moving parts. */
typedef struct {
    Net *net;
    ovOptimizer *opt;
    ovLRSched *sched;
    ovGenerator data_gen, drop_gen;
    ovNamedGen gens[2];
    int64_t step;
    bool sgd;
    ovDevice dev;
} Run;

/* The optimizer (decay / no-decay groups, the second at half the lr) and its schedule. */
static void run_optim(Run *r) {
    bool sgd = r->sgd;
    r->opt = sgd ? ov_optim_new(OV_SGD, ov_sgd_hyper(0.05)) : ov_optim_new(OV_ADAMW, ov_adamw_hyper(3e-2));
    if (sgd) r->opt->defaults.momentum = 0.9, r->opt->defaults.nesterov = true, r->opt->defaults.weight_decay = 1e-3;
    ov_optim_split_decay(r->opt, &r->net->m);
    r->opt->groups[1]->h.lr *= 0.5;
    ovSchedConfig sc = sgd ? (ovSchedConfig){.kind = OV_SCHED_MULTISTEP, .warmup_iters = 3, .warmup_factor = 0.1,
                                             .milestones = {7}, .n_milestones = 1, .gamma = 0.1}
                           : (ovSchedConfig){.kind = OV_SCHED_COSINE, .warmup_iters = 3, .warmup_factor = 0.1,
                                             .cosine_iters = 8, .min_factor = 0.01};
    r->sched = ov_sched_new(r->opt, &sc);
}

/* A new optimizer and schedule over the model as it is now (after freezing, added parameters). */
static void run_reoptim(Run *r) {
    ov_sched_free(r->sched);
    ov_optim_free(r->opt);
    run_optim(r);
}

static Run *run_make(bool sgd, uint64_t seed, ovDevice dev, int64_t hidden) {
    Run *r = calloc(1, sizeof *r);
    r->sgd = sgd;
    r->dev = dev;
    r->net = net_new(seed, hidden, dev);
    run_optim(r);
    r->data_gen = ov_generator(seed * 7 + 1);
    r->drop_gen = ov_generator(seed * 7 + 2);
    r->gens[0] = (ovNamedGen){"data", &r->data_gen};
    r->gens[1] = (ovNamedGen){"dropout", &r->drop_gen};
    return r;
}

static Run *run_new(bool sgd, uint64_t seed, ovDevice dev) { return run_make(sgd, seed, dev, 6); }

static void run_free(Run *r) {
    ov_sched_free(r->sched);
    ov_optim_free(r->opt);
    ov_module_free(&r->net->m);
    free(r);
}

static ovTrainState state_of(Run *r) {
    return (ovTrainState){.model = &r->net->m, .optim = r->opt, .sched = r->sched, .gens = r->gens, .n_gens = 2,
                          .step = r->step, .config = "{\"lr\": 0.03, \"name\": \"resume test\"}"};
}

/* The data set: fixed, not part of the state. */
static ovTensor *data_x, *data_y;

static void train_step(Run *r) {
    Net *n = r->net;
    ov_scope_begin();
    ovTensor *idx = ov_randint(OV_SHAPE(BATCH), 0, NDATA, &r->data_gen);
    ovTensor *x = ov_to_device(ov_index_select(data_x, 0, idx), r->dev);
    ovTensor *y = ov_to_device(ov_index_select(data_y, 0, idx), r->dev);
    uint64_t seed = (uint64_t)ov_get_flat(ov_randint(OV_SHAPE(1), 0, 1 << 30, &r->drop_gen), 0);
    ovTensor *h = ov_dropout(ov_tanh(ov_linear(x, n->fc1->weight, n->fc1->bias)), 0.25, true, seed);
    ovTensor *out = ov_mul(ov_linear(h, n->fc2->weight, n->fc2->bias), n->scale);
    ov_optim_zero_grad(r->opt);
    ov_backward(ov_mean(ov_pow_scalar(ov_sub(out, y), 2), 0, NULL, false));
    ov_scope_end();
    ov_clip_grad_norm(r->opt, 0.5);
    ov_optim_step(r->opt);
    ov_sched_step(r->sched);
    r->step++;
}

static bool same_bits(ovTensor *a, ovTensor *b) {
    ov_scope_begin();
    ovTensor *ha = ov_contiguous(ov_to_device(a, OV_DEV_CPU)), *hb = ov_contiguous(ov_to_device(b, OV_DEV_CPU));
    bool same = ov_same_shape(ha, hb) && ha->dtype == hb->dtype && !memcmp(ov_data_ptr(ha), ov_data_ptr(hb), ov_nbytes(ha));
    ov_scope_end();
    return same;
}

/* Everything the runs keep: parameters and buffers, optimizer state, lrs, generators, steps. */
static void assert_same_run(Run *a, Run *b, const char *what) {
    ovTensor *ta[] = {a->net->fc1->weight, a->net->fc1->bias, a->net->fc2->weight, a->net->fc2->bias, a->net->scale, a->net->counts};
    ovTensor *tb[] = {b->net->fc1->weight, b->net->fc1->bias, b->net->fc2->weight, b->net->fc2->bias, b->net->scale, b->net->counts};
    for (int i = 0; i < 6; i++) ck_assert_msg(same_bits(ta[i], tb[i]), "%s: %s differs", what, ta[i]->name);
    ck_assert_int_eq(a->opt->n_groups, b->opt->n_groups);
    for (int gi = 0; gi < a->opt->n_groups; gi++) {
        ovParamGroup *ga = a->opt->groups[gi], *gb = b->opt->groups[gi];
        ck_assert_msg(ga->h.lr == gb->h.lr && ga->initial_lr == gb->initial_lr, "%s: group %d lr %.17g vs %.17g", what,
                      gi, ga->h.lr, gb->h.lr);
        for (int i = 0; i < ga->n; i++) {
            ovParamState *pa = &ga->ps[i], *pb = &gb->ps[i];
            ck_assert_int_eq(pa->step, pb->step);
            ck_assert_msg(!pa->buf == !pb->buf && (!pa->buf || same_bits(pa->buf, pb->buf)), "%s: %s state differs", what, pa->name);
            ck_assert_msg(!pa->sq == !pb->sq && (!pa->sq || same_bits(pa->sq, pb->sq)), "%s: %s state differs", what, pa->name);
        }
    }
    ck_assert_int_eq(a->sched->iter, b->sched->iter);
    ck_assert(a->data_gen.seed == b->data_gen.seed && a->data_gen.offset == b->data_gen.offset);
    ck_assert(a->drop_gen.seed == b->drop_gen.seed && a->drop_gen.offset == b->drop_gen.offset);
    ck_assert_int_eq(a->step, b->step);
}

static void make_data(void) {
    ovGenerator g = ov_generator(2024);
    data_x = ov_randn(OV_SHAPE(NDATA, 8), 0, 1, &g);
    data_y = ov_randn(OV_SHAPE(NDATA, 3), 0, 1, &g);
}

/* _i: bit 0 SGD (else AdamW), bit 1 save at step 0 (else at step 5), bit 2 on the device. */
START_TEST(test_resume_is_exact) {
    bool sgd = _i & 1, dev = _i & 4;
    int k = (_i & 2) ? 0 : 5;
    if (dev && !have_device) return;
    ovDevice d = dev ? OV_DEV_CUDA : OV_DEV_CPU;
    ov_tmpdir_make("ckpt");
    ov_scope_begin();
    make_data();
    Run *full = run_new(sgd, 11, d);
    for (int s = 0; s < NSTEPS; s++) train_step(full);

    Run *first = run_new(sgd, 11, d);
    for (int s = 0; s < k; s++) train_step(first);
    ovTrainState st = state_of(first);
    ck_assert_msg(ov_ckpt_save(ov_tmp("run.safetensors"), &st) == 0, "%s", ov_last_error());
    run_free(first);

    Run *resumed = run_new(sgd, 99, d); /* other initial weights and generators: the file decides */
    ovTrainState rs = state_of(resumed);
    char *config = NULL;
    ck_assert_msg(ov_ckpt_load(ov_tmp("run.safetensors"), &rs, &config) == 0, "%s", ov_last_error());
    ck_assert_str_eq(config, "{\"lr\": 0.03, \"name\": \"resume test\"}");
    free(config);
    ck_assert_int_eq(rs.step, k);
    resumed->step = rs.step;
    for (int s = k; s < NSTEPS; s++) train_step(resumed);
    assert_same_run(full, resumed, dev ? "device resume" : "resume");
    run_free(full);
    run_free(resumed);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

/* Snapshot of everything a failed load must leave alone. */
typedef struct {
    ovTensor *params[6];
    int64_t steps[8], iter, step;
    ovGenerator data;
} Snap;

static void snap(Run *r, Snap *s) {
    ovTensor *t[] = {r->net->fc1->weight, r->net->fc1->bias, r->net->fc2->weight, r->net->fc2->bias, r->net->scale, r->net->counts};
    for (int i = 0; i < 6; i++) s->params[i] = ov_contiguous_copy(t[i]);
    int k = 0;
    for (int gi = 0; gi < r->opt->n_groups; gi++)
        for (int i = 0; i < r->opt->groups[gi]->n && k < 8; i++) s->steps[k++] = r->opt->groups[gi]->ps[i].step;
    s->iter = r->sched->iter;
    s->step = r->step;
    s->data = r->data_gen;
}

static void assert_unchanged(Run *r, const Snap *s, const char *what) {
    ovTensor *t[] = {r->net->fc1->weight, r->net->fc1->bias, r->net->fc2->weight, r->net->fc2->bias, r->net->scale, r->net->counts};
    for (int i = 0; i < 6; i++) ck_assert_msg(same_bits(t[i], s->params[i]), "%s: %s changed", what, t[i]->name);
    int k = 0;
    for (int gi = 0; gi < r->opt->n_groups; gi++)
        for (int i = 0; i < r->opt->groups[gi]->n && k < 8; i++) ck_assert_int_eq(r->opt->groups[gi]->ps[i].step, s->steps[k++]);
    ck_assert_int_eq(r->sched->iter, s->iter);
    ck_assert_int_eq(r->step, s->step);
    ck_assert(r->data_gen.seed == s->data.seed && r->data_gen.offset == s->data.offset);
}

/* Loads path into r and expects failure with `want` in the message and nothing changed. */
static void expect_refused(Run *r, const char *path, const char *want, const char *what) {
    Snap s;
    snap(r, &s);
    ovTrainState st = state_of(r);
    int rc = ov_ckpt_load(path, &st, NULL);
    ck_assert_msg(rc == -1, "%s: the load succeeded", what);
    ck_assert_msg(!want || strstr(ov_last_error(), want), "%s: message '%s' does not say '%s'", what, ov_last_error(), want);
    r->step = st.step;
    assert_unchanged(r, &s, what);
}

START_TEST(test_mismatched_files_are_refused) {
    ov_tmpdir_make("ckpt");
    ov_scope_begin();
    make_data();
    Run *r = run_new(false, 3, OV_DEV_CPU);
    for (int s = 0; s < 3; s++) train_step(r);
    ovTrainState st = state_of(r);
    ck_assert_msg(ov_ckpt_save(ov_tmp("a.safetensors"), &st) == 0, "%s", ov_last_error());

    /* the target runs have trained a little, so that "unchanged" is not "fresh" */
    Run *other = run_make(false, 4, OV_DEV_CPU, 7); /* a wider fc1 */
    train_step(other);
    expect_refused(other, ov_tmp("a.safetensors"), "model.fc1.weight is f32 [6,8] in the file but f32 [7,8] here", "shape");
    printf("train_state: shape mismatch: %s\n", ov_last_error());
    ck_assert_msg(strstr(ov_last_error(), "model.fc2.weight is f32 [3,6] in the file but f32 [3,7] here"), "%s", ov_last_error());
    run_free(other);

    /* an extra parameter here, and the file's fc2.bias not in the model */
    Run *extra = run_new(false, 5, OV_DEV_CPU);
    ov_param(&extra->net->fc2->m, "gain", OV_SHAPE(3));
    run_reoptim(extra);
    train_step(extra);
    expect_refused(extra, ov_tmp("a.safetensors"), "missing model.fc2.gain", "missing");
    run_free(extra);

    /* another optimizer, another grouping, a generator the file lacks */
    Run *sgd = run_new(true, 6, OV_DEV_CPU);
    expect_refused(sgd, ov_tmp("a.safetensors"), "the optimizer is adamw in the file but sgd here", "kind");
    run_free(sgd);
    Run *one = run_new(false, 7, OV_DEV_CPU);
    ovParamGroup *g = ov_optim_group(one->opt, "extra");
    (void)g;
    expect_refused(one, ov_tmp("a.safetensors"), "has 2 groups in the file but 3 here", "groups");
    run_free(one);
    Run *gens = run_new(false, 8, OV_DEV_CPU);
    ovNamedGen more[3] = {gens->gens[0], gens->gens[1], {"augment", &gens->data_gen}};
    Snap s;
    snap(gens, &s);
    ovTrainState gs = state_of(gens);
    gs.gens = more;
    gs.n_gens = 3;
    ck_assert_int_eq(ov_ckpt_load(ov_tmp("a.safetensors"), &gs, NULL), -1);
    ck_assert_msg(strstr(ov_last_error(), "missing rng.augment"), "%s", ov_last_error());
    assert_unchanged(gens, &s, "generators");
    run_free(gens);

    /* a model whose parameter the file lacks under skip_frozen is fine when frozen */
    Run *fz = run_new(false, 9, OV_DEV_CPU);
    ov_module_freeze(&fz->net->m, "fc1", true);
    run_reoptim(fz);
    ovTrainState fs = state_of(fz);
    fs.skip_frozen = true;
    ck_assert_msg(ov_ckpt_save(ov_tmp("frozen.safetensors"), &fs) == 0, "%s", ov_last_error());
    ovSafetensors *f = ov_st_open(ov_tmp("frozen.safetensors"));
    ck_assert_int_lt(ov_st_find(f, "model.fc1.weight"), 0);
    ck_assert_int_ge(ov_st_find(f, "model.fc2.weight"), 0);
    ov_st_close(f);
    ck_assert_msg(ov_ckpt_load(ov_tmp("frozen.safetensors"), &fs, NULL) == 0, "%s", ov_last_error());
    ov_module_freeze(&fz->net->m, "fc1", false); /* now it trains: the file must have it */
    run_reoptim(fz);
    expect_refused(fz, ov_tmp("frozen.safetensors"), "missing model.fc1.weight", "unfrozen");
    run_free(fz);

    /* the config must be JSON; a plain safetensors file is not a checkpoint */
    ovTrainState bad = state_of(r);
    bad.config = "lr: 3";
    ck_assert_int_eq(ov_ckpt_save(ov_tmp("b.safetensors"), &bad), -1);
    ck_assert_msg(strstr(ov_last_error(), "not JSON"), "%s", ov_last_error());
    ck_assert_int_eq(access(ov_tmp("b.safetensors"), F_OK), -1);
    ovTensor *one_t = r->net->scale;
    const char *nm = "x";
    ck_assert_int_eq(ov_st_save(ov_tmp("plain.safetensors"), 1, &nm, &one_t, 0, NULL, NULL), 0);
    expect_refused(r, ov_tmp("plain.safetensors"), "not a training checkpoint", "plain");
    run_free(r);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

static long file_size(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void copy_prefix(const char *from, const char *to, long n, long flip) {
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    for (long i = 0; i < n; i++) {
        int ch = fgetc(a);
        fputc(i == flip ? ch ^ 0x5a : ch, b);
    }
    fclose(a);
    fclose(b);
}

START_TEST(test_truncated_and_corrupted_files_are_refused) {
    ov_tmpdir_make("ckpt");
    ov_scope_begin();
    make_data();
    Run *r = run_new(false, 3, OV_DEV_CPU);
    for (int s = 0; s < 2; s++) train_step(r);
    ovTrainState st = state_of(r);
    ck_assert_msg(ov_ckpt_save(ov_tmp("a.safetensors"), &st) == 0, "%s", ov_last_error());
    long n = file_size(ov_tmp("a.safetensors"));
    Run *t = run_new(false, 4, OV_DEV_CPU);
    train_step(t);
    long cuts[] = {0, 5, 8, 100, n / 2, n - 1};
    for (int i = 0; i < 6; i++) {
        copy_prefix(ov_tmp("a.safetensors"), ov_tmp("cut.safetensors"), cuts[i], -1);
        expect_refused(t, ov_tmp("cut.safetensors"), NULL, "truncated");
    }
    printf("train_state: truncated: %s\n", ov_last_error());
    /* a flipped byte in the data (the last tensor ends the file), then in the header */
    copy_prefix(ov_tmp("a.safetensors"), ov_tmp("flip.safetensors"), n, n - 3);
    expect_refused(t, ov_tmp("flip.safetensors"), "the file is corrupted", "flipped data");
    printf("train_state: corrupted: %s\n", ov_last_error());
    for (long at = 9; at < 400; at += 37) {
        copy_prefix(ov_tmp("a.safetensors"), ov_tmp("flip.safetensors"), n, at);
        expect_refused(t, ov_tmp("flip.safetensors"), NULL, "flipped header");
    }
    expect_refused(t, ov_tmp("absent.safetensors"), "absent.safetensors", "absent");
    run_free(t);
    run_free(r);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

static int count_files(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A save that fails half way (the file size limit makes write() fail with EFBIG) leaves the old
 * checkpoint as it was and no temporary file behind. */
START_TEST(test_writes_are_atomic) {
    ov_tmpdir_make("ckpt");
    ov_scope_begin();
    make_data();
    Run *r = run_new(false, 3, OV_DEV_CPU);
    ovTrainState st = state_of(r);
    ck_assert_msg(ov_ckpt_save(ov_tmp("a.safetensors"), &st) == 0, "%s", ov_last_error());
    ck_assert_int_eq(count_files(ov_tmpdir()), 1);
    long before = file_size(ov_tmp("a.safetensors"));
    for (int s = 0; s < 2; s++) train_step(r); /* the optimizer state makes the next file larger */
    st = state_of(r);

    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)before + 100;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = ov_ckpt_save(ov_tmp("a.safetensors"), &st);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    ck_assert_int_eq(rc, -1);
    printf("train_state: failed write: %s\n", ov_last_error());
    ck_assert_int_eq(count_files(ov_tmpdir()), 1);
    ck_assert_int_eq(file_size(ov_tmp("a.safetensors")), before);
    Run *fresh = run_new(false, 5, OV_DEV_CPU);
    ovTrainState fs = state_of(fresh);
    ck_assert_msg(ov_ckpt_load(ov_tmp("a.safetensors"), &fs, NULL) == 0, "%s", ov_last_error());
    ck_assert_int_eq(fs.step, 0);
    ck_assert_msg(ov_ckpt_save(ov_tmp("a.safetensors"), &st) == 0, "%s", ov_last_error()); /* now it fits */
    ck_assert_int_gt(file_size(ov_tmp("a.safetensors")), before);
    ck_assert_int_eq(count_files(ov_tmpdir()), 1);
    run_free(fresh);
    run_free(r);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

int main(void) {
    have_device = ov_test_have_device("train_state");
    Suite *s = suite_create("train_state");
    TCase *tc = tcase_create("train_state");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_resume_is_exact, 0, 8);
    tcase_add_test(tc, test_mismatched_files_are_refused);
    tcase_add_test(tc, test_truncated_and_corrupted_files_are_refused);
    tcase_add_test(tc, test_writes_are_atomic);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
