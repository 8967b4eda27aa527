/* checkpoint_load.c: resuming from a training state (see checkpoint.h). Two passes: the first
 * only reads (checksum, format, every expected tensor's presence, dtype and shape, the optimizer's
 * groups against the file's) and collects every problem into one message; the second copies. So
 * a file that does not match the model or optimizer changes nothing. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "optim/checkpoint.h"
#include "optim/ckpt_common.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

/* Problems found by the first pass, listed until the message is full, all counted. */
typedef struct {
    ovSafetensors *st;
    int n;
    char text[720];
    bool skip_frozen;
} Check;

static void problem(Check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(Check *c, const char *fmt, ...) {
    size_t at = strlen(c->text);
    if (c->n++ > 0 && at + 3 < sizeof c->text) at += (size_t)snprintf(c->text + at, sizeof c->text - at, "; ");
    if (at + 1 < sizeof c->text) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->text + at, sizeof c->text - at, fmt, ap);
        va_end(ap);
    }
}

/* Index of `key` in the file if it has this dtype and shape; otherwise a problem and -1. */
static int expect(Check *c, const char *key, ovDType dtype, int ndim, const int64_t *shape) {
    int i = ov_st_find(c->st, key);
    if (i < 0) {
        problem(c, "missing %s", key);
        return -1;
    }
    ovDType fd;
    int fn;
    int64_t fs[OV_MAX_DIMS];
    ov_st_info(c->st, i, &fd, &fn, fs);
    if (fd != dtype || fn != ndim || (ndim > 0 && memcmp(fs, shape, sizeof(int64_t) * (size_t)ndim))) {
        char a[96], b[96];
        ov_shape_str(fn, fs, a, sizeof a);
        ov_shape_str(ndim, shape, b, sizeof b);
        problem(c, "%s is %s %s in the file but %s %s here", key, ov_dtype_name(fd), a, ov_dtype_name(dtype), b);
        return -1;
    }
    return i;
}

static int64_t read_i64(ovSafetensors *st, const char *key, int k) {
    int64_t v;
    memcpy(&v, (const char *)ov_data_ptr(ov_st_get(st, key)) + 8 * k, 8);
    return v;
}

static void check_model(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    Check *c = ctx;
    char key[600];
    snprintf(key, sizeof key, "model.%s", name);
    if (c->skip_frozen && !is_buffer && !t->requires_grad && ov_st_find(c->st, key) < 0) return;
    expect(c, key, t->dtype, t->ndim, t->shape);
}

static void check_optim(Check *c, const ovOptimizer *o, const cJSON *j) {
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind"), *groups = cJSON_GetObjectItemCaseSensitive(j, "groups");
    if (!cJSON_IsString(kind) || !cJSON_IsArray(groups)) {
        problem(c, "the optimizer metadata is malformed");
        return;
    }
    if (strcmp(kind->valuestring, ov_optim_kind_name(o->kind))) {
        problem(c, "the optimizer is %s in the file but %s here", kind->valuestring, ov_optim_kind_name(o->kind));
        return;
    }
    if (cJSON_GetArraySize(groups) != o->n_groups) {
        problem(c, "the optimizer has %d groups in the file but %d here", cJSON_GetArraySize(groups), o->n_groups);
        return;
    }
    static const char *const numbers[] = {"lr", "initial_lr", "weight_decay", "momentum", "dampening", "beta1", "beta2", "eps"};
    for (int gi = 0; gi < o->n_groups; gi++) {
        const ovParamGroup *g = o->groups[gi];
        const cJSON *e = cJSON_GetArrayItem(groups, gi), *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(e, "params");
        bool ok = cJSON_IsString(name) && cJSON_IsArray(ps) && cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(e, "nesterov"));
        for (int k = 0; k < 8 && ok; k++) ok = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, numbers[k]));
        if (!ok) {
            problem(c, "optimizer group %d is malformed in the file", gi);
            continue;
        }
        if (strcmp(name->valuestring, g->name)) problem(c, "optimizer group %d is '%s' in the file but '%s' here", gi, name->valuestring, g->name);
        if (cJSON_GetArraySize(ps) != g->n) {
            problem(c, "optimizer group '%s' has %d parameters in the file but %d here", g->name, cJSON_GetArraySize(ps), g->n);
            continue;
        }
        for (int i = 0; i < g->n; i++) {
            const cJSON *pn = cJSON_GetArrayItem(ps, i);
            if (!cJSON_IsString(pn) || strcmp(pn->valuestring, g->ps[i].name)) {
                problem(c, "parameter %d of optimizer group '%s' is '%s' in the file but '%s' here", i, g->name,
                        cJSON_IsString(pn) ? pn->valuestring : "?", g->ps[i].name);
                continue;
            }
            const ovTensor *p = g->ps[i].p;
            char key[600];
            snprintf(key, sizeof key, "optim.%s.step", g->ps[i].name);
            if (expect(c, key, OV_I64, 0, NULL) >= 0 && read_i64(c->st, key, 0) < 0) problem(c, "%s is negative", key);
            snprintf(key, sizeof key, "optim.%s.%s", g->ps[i].name, ov_ckpt_buf_key(o->kind));
            bool has_buf = ov_st_find(c->st, key) >= 0;
            if (has_buf) expect(c, key, OV_F32, p->ndim, p->shape);
            if (o->kind == OV_ADAMW) {
                snprintf(key, sizeof key, "optim.%s.%s", g->ps[i].name, OV_CKPT_SQ_KEY);
                if (has_buf || ov_st_find(c->st, key) >= 0) expect(c, key, OV_F32, p->ndim, p->shape);
                if (!has_buf && ov_st_find(c->st, key) >= 0) problem(c, "optim.%s.exp_avg is missing", g->ps[i].name);
            }
        }
    }
}

/* Every "model.*" tensor of the file must be a parameter or buffer of the model. */
static void check_unexpected(Check *c, ovModule *model) {
    for (int i = 0; i < ov_st_count(c->st); i++) {
        const char *key = ov_st_name(c->st, i);
        if (!strncmp(key, "model.", 6) && !ov_module_get(model, key + 6)) problem(c, "unexpected %s", key);
    }
}

static int verify_checksum(ovSafetensors *st, const char *path) {
    const char *want = ov_st_meta(st, "checksum");
    if (!want) return ov_error("%s: no checksum in the metadata (not a training checkpoint?)", path);
    uint32_t crc = 0;
    ov_scope_begin();
    for (int i = 0; i < ov_st_count(st); i++) {
        ovTensor *t = ov_st_tensor(st, i);
        crc ^= ov_ckpt_crc(ov_st_name(st, i), ov_data_ptr(t), ov_nbytes(t));
    }
    ov_scope_end();
    char got[16];
    snprintf(got, sizeof got, "%08x", crc);
    if (strcmp(got, want)) return ov_error("%s: checksum %s does not match the contents (%s): the file is corrupted", path, want, got);
    return 0;
}

typedef struct {
    ovSafetensors *st;
} Apply;

static void apply_model(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    (void)is_buffer;
    Apply *a = ctx;
    char key[600];
    snprintf(key, sizeof key, "model.%s", name);
    if (ov_st_find(a->st, key) < 0) return; /* a frozen parameter left out (skip_frozen) */
    ov_copy_(t, ov_st_get(a->st, key));
}

static void apply_optim(ovSafetensors *st, ovOptimizer *o, const cJSON *j) {
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(j, "groups");
    for (int gi = 0; gi < o->n_groups; gi++) {
        ovParamGroup *g = o->groups[gi];
        const cJSON *e = cJSON_GetArrayItem(groups, gi);
        /* torch's load_state_dict takes every hyperparameter of the saved param_groups */
        g->h.lr = cJSON_GetObjectItemCaseSensitive(e, "lr")->valuedouble;
        g->initial_lr = cJSON_GetObjectItemCaseSensitive(e, "initial_lr")->valuedouble;
        g->h.weight_decay = cJSON_GetObjectItemCaseSensitive(e, "weight_decay")->valuedouble;
        g->h.momentum = cJSON_GetObjectItemCaseSensitive(e, "momentum")->valuedouble;
        g->h.dampening = cJSON_GetObjectItemCaseSensitive(e, "dampening")->valuedouble;
        g->h.nesterov = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "nesterov"));
        g->h.beta1 = cJSON_GetObjectItemCaseSensitive(e, "beta1")->valuedouble;
        g->h.beta2 = cJSON_GetObjectItemCaseSensitive(e, "beta2")->valuedouble;
        g->h.eps = cJSON_GetObjectItemCaseSensitive(e, "eps")->valuedouble;
        for (int i = 0; i < g->n; i++) {
            ovParamState *ps = &g->ps[i];
            char key[600];
            snprintf(key, sizeof key, "optim.%s.step", ps->name);
            ps->step = read_i64(st, key, 0);
            snprintf(key, sizeof key, "optim.%s.%s", ps->name, ov_ckpt_buf_key(o->kind));
            if (ov_st_find(st, key) < 0) { /* no state yet: as a fresh parameter */
                ps->buf = ps->sq = NULL;
                continue;
            }
            ov_optim_init_state(o, ps, true);
            ov_copy_(ps->buf, ov_st_get(st, key));
            if (o->kind == OV_ADAMW) {
                snprintf(key, sizeof key, "optim.%s.%s", ps->name, OV_CKPT_SQ_KEY);
                ov_copy_(ps->sq, ov_st_get(st, key));
            }
        }
    }
}

static int check_all(Check *c, const char *path, ovTrainState *s, cJSON **optim) {
    const char *fmt = ov_st_meta(c->st, "format");
    if (!fmt || strcmp(fmt, OV_CKPT_FORMAT))
        return ov_error("%s: not a training checkpoint (format '%s', want '%s')", path, fmt ? fmt : "none", OV_CKPT_FORMAT);
    if (verify_checksum(c->st, path)) return -1;
    c->skip_frozen = ov_st_meta(c->st, "skip_frozen") != NULL;
    ov_module_visit(s->model, true, check_model, c);
    check_unexpected(c, s->model);
    if (s->optim) {
        const char *text = ov_st_meta(c->st, "optim");
        *optim = text ? cJSON_Parse(text) : NULL;
        if (!*optim)
            problem(c, text ? "the optimizer metadata is not JSON" : "the file has no optimizer state");
        else
            check_optim(c, s->optim, *optim);
    }
    if (s->sched && expect(c, "sched.iter", OV_I64, 0, NULL) >= 0 && read_i64(c->st, "sched.iter", 0) < 0)
        problem(c, "sched.iter is negative");
    expect(c, "train.step", OV_I64, 0, NULL);
    for (int i = 0; i < s->n_gens; i++) {
        char key[300];
        snprintf(key, sizeof key, "rng.%s", s->gens[i].name);
        expect(c, key, OV_I64, 1, (int64_t[]){2});
    }
    if (c->n) return ov_error("%s does not match this run (%d problem%s): %s", path, c->n, c->n > 1 ? "s" : "", c->text);
    return 0;
}

int ov_ckpt_load(const char *path, ovTrainState *s, char **config) {
    if (config) *config = NULL;
    if (!s->model) return ov_error("%s: loading a checkpoint needs a model", path);
    ovSafetensors *st = ov_st_open(path);
    if (!st) return -1;
    Check c = {.st = st};
    cJSON *optim = NULL;
    ov_scope_begin();
    int rc = check_all(&c, path, s, &optim);
    if (rc == 0) {
        ov_no_grad_begin();
        Apply a = {st};
        ov_module_visit(s->model, true, apply_model, &a);
        if (s->optim) apply_optim(st, s->optim, optim);
        if (s->sched) ov_sched_set_iter(s->sched, read_i64(st, "sched.iter", 0));
        s->step = read_i64(st, "train.step", 0);
        for (int i = 0; i < s->n_gens; i++) {
            char key[300];
            snprintf(key, sizeof key, "rng.%s", s->gens[i].name);
            int64_t seed = read_i64(st, key, 0), offset = read_i64(st, key, 1);
            memcpy(&s->gens[i].gen->seed, &seed, 8);
            memcpy(&s->gens[i].gen->offset, &offset, 8);
        }
        const char *cfg = ov_st_meta(st, "config");
        if (config && cfg) *config = strdup(cfg);
        ov_no_grad_end();
    }
    ov_scope_end();
    cJSON_Delete(optim);
    ov_st_close(st);
    return rc;
}
