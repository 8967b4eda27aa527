/* scope.c: per-thread scope stack with intrusive object lists (see scope.h). */
#include "tensor/scope.h"

#include <stdlib.h>

#include "tensor/alloc.h"
#include "tensor/error.h"

struct ovScope {
    ovObj *head;
    ovScope *parent;  /* the scope that was current when this one was pushed */
    size_t count;
    int detached;
    const char *name;
};

#define MAX_DEPTH 256
static _Thread_local ovScope root_scope = {.name = "root"};
static _Thread_local ovScope *stack[MAX_DEPTH];
static _Thread_local int depth; /* stack[0..depth-1] are pushed above the root */

ovScope *ov_scope_current(void) { return depth ? stack[depth - 1] : &root_scope; }

int ov_scope_depth(void) { return depth; }

ovScope *ov_scope_parent(const ovScope *s) { return s->parent; }

static void push(ovScope *s) {
    if (depth >= MAX_DEPTH) ov_panic("scope stack overflow (more than %d nested scopes)", MAX_DEPTH);
    s->parent = ov_scope_current();
    stack[depth++] = s;
}

static void release_all(ovScope *s) {
    ovObj *o = s->head;
    while (o) {
        ovObj *next = o->next;
        o->destroy(o);
        o = next;
    }
    s->head = NULL;
    s->count = 0;
}

ovScope *ov_scope_begin(void) {
    ovScope *s = ov_obj_alloc(sizeof *s);
    s->name = "step";
    push(s);
    return s;
}

void ov_scope_end(void) {
    if (depth == 0) ov_panic("ov_scope_end: no open scope (the root scope cannot be closed)");
    ovScope *s = stack[depth - 1];
    if (s->detached)
        ov_panic("ov_scope_end: current scope '%s' is detached; use ov_scope_pop", s->name);
    depth--;
    release_all(s);
    ov_obj_free(s);
}

ovScope *ov_scope_new(const char *name) {
    ovScope *s = ov_obj_alloc(sizeof *s);
    s->detached = 1;
    s->name = name ? name : "detached";
    return s;
}

void ov_scope_push(ovScope *s) { push(s); }

void ov_scope_pop(ovScope *s) {
    if (depth == 0 || stack[depth - 1] != s)
        ov_panic("ov_scope_pop: scope '%s' is not the current scope", s ? s->name : "(null)");
    depth--;
}

void ov_scope_free(ovScope *s) {
    if (!s) return;
    for (int i = 0; i < depth; i++)
        if (stack[i] == s) ov_panic("ov_scope_free: scope '%s' is still pushed", s->name);
    release_all(s);
    ov_obj_free(s);
}

size_t ov_scope_count(const ovScope *s) { return s->count; }

static void link_into(ovObj *o, ovScope *s) {
    o->scope = s;
    o->prev = NULL;
    o->next = s->head;
    if (s->head) s->head->prev = o;
    s->head = o;
    s->count++;
}

static void unlink_from(ovObj *o) {
    ovScope *s = o->scope;
    if (o->prev)
        o->prev->next = o->next;
    else
        s->head = o->next;
    if (o->next) o->next->prev = o->prev;
    s->count--;
}

void ov_scope_add(ovObj *o) { link_into(o, ov_scope_current()); }

typedef struct {
    ovScope *from, *to;
} MoveCtx;

static void move_visit(ovObj *o, void *ctx) {
    MoveCtx *m = ctx;
    if (!o || o->scope != m->from) return;
    unlink_from(o);
    link_into(o, m->to);
    if (o->visit) o->visit(o, move_visit, m);
}

void ov_scope_move_graph(ovObj *o, ovScope *to) {
    if (!o || o->scope == to) return;
    MoveCtx m = {o->scope, to};
    move_visit(o, &m);
}
