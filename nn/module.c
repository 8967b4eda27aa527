/* module.c: the module tree and its parameter registry (see module.h). A module struct is
 * allocated behind an ovObj header in the tree's scope, so closing that scope frees modules,
 * parameters and gradients together. */
#include "nn/module.h"

#include <inttypes.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "tensor/alloc.h"
#include "tensor/error.h"

/* Header in front of every module struct; the struct starts at the next max-aligned address. */
typedef struct {
    ovObj obj;
} ModHeader;
#define HEADER_SIZE ((sizeof(ModHeader) + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t))

static ovModule *module_of(ovObj *o) { return (ovModule *)((char *)o + HEADER_SIZE); }

static void module_destroy(ovObj *o) {
    ovModule *m = module_of(o);
    free(m->children);
    free(m->params);
    ov_obj_free(o);
}

static void *grow(void *p, int *cap, size_t elem) {
    *cap = *cap ? *cap * 2 : 4;
    void *q = realloc(p, (size_t)*cap * elem);
    if (!q) ov_panic("module: out of memory");
    return q;
}

static uint64_t hash_str(uint64_t h, const char *s) { /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static ovModule *alloc_module(size_t size, const char *type) {
    if (size < sizeof(ovModule)) ov_panic("module '%s': struct of %zu bytes cannot start with an ovModule", type, size);
    ovObj *o = ov_obj_alloc(HEADER_SIZE + size);
    o->destroy = module_destroy;
    ov_scope_add(o);
    ovModule *m = module_of(o);
    m->type = type;
    m->training = true;
    return m;
}

void *ov_module_root(size_t size, const char *type, uint64_t seed) {
    ovScope *s = ov_scope_new(type);
    ov_scope_push(s);
    ovModule *m = alloc_module(size, type);
    ov_scope_pop(s);
    m->scope = s;
    m->init_gen = ov_generator(seed);
    return m;
}

void ov_module_path(const ovModule *m, char *buf, size_t n) {
    const ovModule *chain[64];
    int k = 0;
    for (const ovModule *p = m; p && p->parent && k < 64; p = p->parent) chain[k++] = p;
    size_t at = 0;
    buf[0] = 0;
    for (int i = k - 1; i >= 0 && at < n; i--) at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? "." : "", chain[i]->name);
}

void *ov_module_new(ovModule *parent, const char *name, size_t size, const char *type) {
    if (!parent) ov_panic("module '%s' (%s) needs a parent; make the top module with ov_module_root", name, type);
    for (int i = 0; i < parent->n_children; i++)
        if (!strcmp(parent->children[i]->name, name)) ov_panic("module: '%s' already has a child named '%s'", parent->type, name);
    ov_scope_push(parent->scope);
    ovModule *m = alloc_module(size, type);
    ov_scope_pop(parent->scope);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->parent = parent;
    m->scope = parent->scope;
    m->training = parent->training;
    if (parent->n_children == parent->cap_children)
        parent->children = grow(parent->children, &parent->cap_children, sizeof(ovModule *));
    parent->children[parent->n_children++] = m;
    /* each module draws its initial values from its own stream: root seed + its path */
    const ovModule *root = parent;
    while (root->parent) root = root->parent;
    char path[512];
    ov_module_path(m, path, sizeof path);
    m->init_gen = ov_generator(hash_str(root->init_gen.seed ^ 0xcbf29ce484222325ull, path));
    return m;
}

void ov_module_free(ovModule *root) {
    if (!root) return;
    if (root->parent) ov_panic("ov_module_free: '%s' is not a root module", root->name);
    ov_scope_free(root->scope);
}

static ovParamSlot *add_slot(ovModule *m, const char *name) {
    for (int i = 0; i < m->n_params; i++)
        if (!strcmp(m->params[i].name, name)) ov_panic("module '%s' already has a parameter named '%s'", m->type, name);
    if (m->n_params == m->cap_params) m->params = grow(m->params, &m->cap_params, sizeof(ovParamSlot));
    ovParamSlot *s = &m->params[m->n_params++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

ovTensor *ov_param(ovModule *m, const char *name, int ndim, const int64_t *shape) {
    ov_scope_push(m->scope);
    ovTensor *t = ov_zeros(ndim, shape, OV_F32);
    ov_scope_pop(m->scope);
    char path[512];
    ov_module_path(m, path, sizeof path);
    ov_named(t, "%s%s%s", path, path[0] ? "." : "", name);
    ov_requires_grad(t, true);
    add_slot(m, name)->t = t;
    return t;
}

ovTensor *ov_buffer(ovModule *m, const char *name, ovTensor *value) {
    ov_scope_push(m->scope);
    ovTensor *t = ov_empty_like(value);
    ov_copy_(t, value);
    ov_scope_pop(m->scope);
    char path[512];
    ov_module_path(m, path, sizeof path);
    ov_named(t, "%s%s%s", path, path[0] ? "." : "", name);
    ovParamSlot *s = add_slot(m, name);
    s->t = t;
    s->is_buffer = true;
    return t;
}

/* Depth-first walk in registration order: parameters of a module, then its children. */
static void walk(ovModule *m, const char *prefix, bool with_buffers, ovParamVisitor fn, void *ctx) {
    char full[512];
    for (int i = 0; i < m->n_params; i++) {
        if (m->params[i].is_buffer && !with_buffers) continue;
        snprintf(full, sizeof full, "%s%s%s", prefix, prefix[0] ? "." : "", m->params[i].name);
        fn(full, m->params[i].t, m->params[i].is_buffer, ctx);
    }
    for (int c = 0; c < m->n_children; c++) {
        snprintf(full, sizeof full, "%s%s%s", prefix, prefix[0] ? "." : "", m->children[c]->name);
        walk(m->children[c], full, with_buffers, fn, ctx);
    }
}

void ov_module_visit(ovModule *root, bool with_buffers, ovParamVisitor fn, void *ctx) {
    char prefix[512];
    ov_module_path(root, prefix, sizeof prefix);
    walk(root, prefix, with_buffers, fn, ctx);
}

typedef struct {
    const char *want;
    ovTensor *found;
} FindCtx;

static void find_visit(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    (void)is_buffer;
    FindCtx *f = ctx;
    if (!f->found && !strcmp(name, f->want)) f->found = t;
}

ovTensor *ov_module_get(ovModule *root, const char *full_name) {
    FindCtx f = {full_name, NULL};
    ov_module_visit(root, true, find_visit, &f);
    return f.found;
}

typedef struct {
    bool trainable_only;
    int count;
    int64_t numel;
} CountCtx;

static void count_visit(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    (void)name;
    CountCtx *c = ctx;
    if (c->trainable_only && (is_buffer || !t->requires_grad)) return;
    c->count++;
    c->numel += ov_numel(t);
}

int ov_module_count(ovModule *root, bool trainable_only) {
    CountCtx c = {trainable_only, 0, 0};
    ov_module_visit(root, false, count_visit, &c);
    return c.count;
}

int64_t ov_module_numel(ovModule *root, bool trainable_only) {
    CountCtx c = {trainable_only, 0, 0};
    ov_module_visit(root, false, count_visit, &c);
    return c.numel;
}

void ov_module_train(ovModule *m, bool on) {
    m->training = on;
    for (int c = 0; c < m->n_children; c++) ov_module_train(m->children[c], on);
}

typedef struct {
    const char *prefix;
    bool frozen;
    int changed;
} FreezeCtx;

static void freeze_visit(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    FreezeCtx *f = ctx;
    if (is_buffer || strncmp(name, f->prefix, strlen(f->prefix))) return;
    /* "blocks.1" must not match "blocks.10": the prefix ends at a dot or at the name's end */
    size_t n = strlen(f->prefix);
    if (n && name[n] && name[n] != '.' && f->prefix[n - 1] != '.') return;
    if (t->requires_grad == !f->frozen) return;
    t->requires_grad = !f->frozen;
    f->changed++;
}

int ov_module_freeze(ovModule *root, const char *prefix, bool frozen) {
    FreezeCtx f = {prefix ? prefix : "", frozen, 0};
    ov_module_visit(root, false, freeze_visit, &f);
    return f.changed;
}

static void zero_visit(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    (void)name, (void)is_buffer, (void)ctx;
    ov_zero_grad(t);
}

void ov_module_zero_grad(ovModule *root) { ov_module_visit(root, false, zero_visit, NULL); }

static void summary_rec(const ovModule *m, FILE *f, int depth, int64_t *tr, int64_t *fr) {
    char cfg[256] = "";
    if (m->describe) m->describe(m, cfg, sizeof cfg);
    fprintf(f, "%*s%s%s(%s)%s%s\n", 2 * depth, "", m->name, m->name[0] ? ": " : "", m->type, cfg[0] ? " " : "", cfg);
    for (int i = 0; i < m->n_params; i++) {
        const ovTensor *t = m->params[i].t;
        char shp[128];
        ov_shape_str(t->ndim, t->shape, shp, sizeof shp);
        const char *state = m->params[i].is_buffer ? "buffer" : t->requires_grad ? "trains" : "frozen";
        fprintf(f, "%*s%s %s %s %" PRId64 "\n", 2 * depth + 2, "", m->params[i].name, shp, state, ov_numel(t));
        if (!m->params[i].is_buffer) *(t->requires_grad ? tr : fr) += ov_numel(t);
    }
    for (int c = 0; c < m->n_children; c++) summary_rec(m->children[c], f, depth + 1, tr, fr);
}

void ov_module_summary(ovModule *root, FILE *f) {
    int64_t tr = 0, fr = 0;
    summary_rec(root, f, 0, &tr, &fr);
    fprintf(f, "parameters: %" PRId64 " trainable, %" PRId64 " frozen, %" PRId64 " total\n", tr, fr, tr + fr);
}

void ov_module_enter(const ovModule *m) { ov_path_push(m->name[0] ? m->name : m->type); }

void ov_module_leave(const ovModule *m) {
    (void)m;
    ov_path_pop();
}
