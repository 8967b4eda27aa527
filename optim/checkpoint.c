/* checkpoint.c: writing a training state (see checkpoint.h): the model's tensors, the optimizer's
 * state and groups (torch's optimizer.state_dict(), keyed by parameter name instead of index),
 * the schedule's iteration, generators and the step, as one safetensors file written through
 * ov_st_save (temporary file, fsync, rename). */
#define _GNU_SOURCE /* vasprintf */
#include "optim/checkpoint.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "optim/ckpt_common.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

typedef struct {
    int n, cap;
    char **names;
    ovTensor **ts;
    bool skip_frozen;
} List;

/* Adds a host, contiguous copy of t (or t itself when already so) under a printf name. */
static void add(List *l, ovTensor *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(List *l, ovTensor *t, const char *fmt, ...) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->names = realloc(l->names, sizeof(char *) * (size_t)l->cap);
        l->ts = realloc(l->ts, sizeof(ovTensor *) * (size_t)l->cap);
        if (!l->names || !l->ts) ov_panic("checkpoint: out of memory");
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&l->names[l->n], fmt, ap) < 0) ov_panic("checkpoint: out of memory");
    va_end(ap);
    l->ts[l->n++] = ov_contiguous(ov_to_device(t, OV_DEV_CPU));
}

static ovTensor *i64s(int n, const int64_t *v) { return ov_from_data(v, 1, (int64_t[]){n}, OV_I64); }
static ovTensor *i64_scalar(int64_t v) { return ov_from_data(&v, 0, NULL, OV_I64); }

static void add_model(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    List *l = ctx;
    if (l->skip_frozen && !is_buffer && !t->requires_grad) return;
    add(l, t, "model.%s", name);
}

static cJSON *optim_json(const ovOptimizer *o) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", ov_optim_kind_name(o->kind));
    cJSON *groups = cJSON_AddArrayToObject(j, "groups");
    for (int gi = 0; gi < o->n_groups; gi++) {
        const ovParamGroup *g = o->groups[gi];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", g->name);
        cJSON_AddNumberToObject(e, "lr", g->h.lr);
        cJSON_AddNumberToObject(e, "initial_lr", g->initial_lr);
        cJSON_AddNumberToObject(e, "weight_decay", g->h.weight_decay);
        cJSON_AddNumberToObject(e, "momentum", g->h.momentum);
        cJSON_AddNumberToObject(e, "dampening", g->h.dampening);
        cJSON_AddBoolToObject(e, "nesterov", g->h.nesterov);
        cJSON_AddNumberToObject(e, "beta1", g->h.beta1);
        cJSON_AddNumberToObject(e, "beta2", g->h.beta2);
        cJSON_AddNumberToObject(e, "eps", g->h.eps);
        cJSON *ps = cJSON_AddArrayToObject(e, "params");
        for (int i = 0; i < g->n; i++) cJSON_AddItemToArray(ps, cJSON_CreateString(g->ps[i].name));
        cJSON_AddItemToArray(groups, e);
    }
    return j;
}

static cJSON *sched_json(const ovLRSched *s) {
    const ovSchedConfig *c = &s->cfg;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", ov_sched_kind_name(c->kind));
    cJSON_AddNumberToObject(j, "warmup_iters", (double)c->warmup_iters);
    cJSON_AddNumberToObject(j, "warmup_factor", c->warmup_factor);
    cJSON *m = cJSON_AddArrayToObject(j, "milestones");
    for (int i = 0; i < c->n_milestones; i++) cJSON_AddItemToArray(m, cJSON_CreateNumber((double)c->milestones[i]));
    cJSON_AddNumberToObject(j, "gamma", c->gamma);
    cJSON_AddNumberToObject(j, "cosine_iters", (double)c->cosine_iters);
    cJSON_AddNumberToObject(j, "min_factor", c->min_factor);
    return j;
}

static char *print_free(cJSON *j) {
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s) ov_panic("checkpoint: out of memory");
    return s;
}

int ov_ckpt_save(const char *path, const ovTrainState *s) {
    if (!s->model) return ov_error("%s: a checkpoint needs a model", path);
    if (s->config) {
        cJSON *j = cJSON_Parse(s->config);
        if (!j) return ov_error("%s: the config to save is not JSON", path);
        cJSON_Delete(j);
    }
    ov_no_grad_begin();
    ov_scope_begin();
    List l = {.skip_frozen = s->skip_frozen};
    ov_module_visit(s->model, true, add_model, &l);
    const ovOptimizer *o = s->optim;
    for (int gi = 0; o && gi < o->n_groups; gi++)
        for (int i = 0; i < o->groups[gi]->n; i++) {
            const ovParamState *ps = &o->groups[gi]->ps[i];
            add(&l, i64_scalar(ps->step), "optim.%s.step", ps->name);
            if (ps->buf) add(&l, ps->buf, "optim.%s.%s", ps->name, ov_ckpt_buf_key(o->kind));
            if (ps->sq) add(&l, ps->sq, "optim.%s.%s", ps->name, OV_CKPT_SQ_KEY);
        }
    if (s->sched) add(&l, i64_scalar(s->sched->iter), "sched.iter");
    add(&l, i64_scalar(s->step), "train.step");
    for (int i = 0; i < s->n_gens; i++) {
        int64_t v[2];
        memcpy(&v[0], &s->gens[i].gen->seed, 8); /* u64 kept bit for bit */
        memcpy(&v[1], &s->gens[i].gen->offset, 8);
        add(&l, i64s(2, v), "rng.%s", s->gens[i].name);
    }

    uint32_t crc = 0;
    for (int i = 0; i < l.n; i++) crc ^= ov_ckpt_crc(l.names[i], ov_data_ptr(l.ts[i]), ov_nbytes(l.ts[i]));
    char crc_text[16];
    snprintf(crc_text, sizeof crc_text, "%08x", crc);
    const char *keys[6] = {"format", "checksum"}, *vals[6] = {OV_CKPT_FORMAT, crc_text};
    char *texts[2] = {NULL, NULL};
    int nm = 2;
    if (o) keys[nm] = "optim", vals[nm++] = texts[0] = print_free(optim_json(o));
    if (s->sched) keys[nm] = "sched", vals[nm++] = texts[1] = print_free(sched_json(s->sched));
    if (s->config) keys[nm] = "config", vals[nm++] = s->config;
    if (s->skip_frozen) keys[nm] = "skip_frozen", vals[nm++] = "1";

    int rc = ov_st_save(path, l.n, (const char *const *)l.names, l.ts, nm, keys, vals);
    for (int i = 0; i < l.n; i++) free(l.names[i]);
    free(l.names);
    free(l.ts);
    free(texts[0]);
    free(texts[1]);
    ov_scope_end();
    ov_no_grad_end();
    return rc;
}
