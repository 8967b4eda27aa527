/* scope.h: lifetimes by scopes (DESIGN.md, "Lifetimes").
 *
 * Every tensor struct and every tape node belongs to exactly one scope: the current one when it was
 * made. Closing a scope frees everything in it. Storages are reference counted, so a view made in
 * an inner scope of a tensor from an outer one stays valid, and freeing the view leaves the data.
 *
 *     ov_scope_begin();              // a training step
 *     ovTensor *loss = model_loss(...);
 *     ov_backward(loss);
 *     ovTensor *kept = ov_keep(loss) // moves loss (and the graph behind it) to the parent scope
 *     ov_scope_end();                // frees every other tensor and node of the step
 *
 * Long-lived owners (a model's parameters) use a detached scope: ov_scope_new(), push it while
 * creating, pop it, and ov_scope_free() it at the end. Scopes are per thread; each thread starts
 * with a root scope that is never closed. */
#ifndef OV_SCOPE_H
#define OV_SCOPE_H

#include <stddef.h>

typedef struct ovScope ovScope;
typedef struct ovObj ovObj;

/* The header every scope-owned object starts with. */
struct ovObj {
    ovScope *scope;
    ovObj *prev, *next;
    void (*destroy)(ovObj *self);
    /* Calls fn on every object this one keeps alive (graph edges); used by ov_scope_move_graph. */
    void (*visit)(ovObj *self, void (*fn)(ovObj *child, void *ctx), void *ctx);
};

ovScope *ov_scope_begin(void);     /* new scope, child of the current one, made current */
void ov_scope_end(void);           /* closes the current scope (must not be a pushed detached one) */
ovScope *ov_scope_current(void);
int ov_scope_depth(void);          /* 0 at the root */

ovScope *ov_scope_new(const char *name); /* detached: lives until ov_scope_free */
void ov_scope_push(ovScope *s);
void ov_scope_pop(ovScope *s);     /* s must be the current scope */
void ov_scope_free(ovScope *s);    /* frees all objects of s and s itself */
size_t ov_scope_count(const ovScope *s);

/* Registers a freshly made object in the current scope. */
void ov_scope_add(ovObj *o);
/* Moves o, and every object reachable from it that lives in o's current scope, into `to`. */
void ov_scope_move_graph(ovObj *o, ovScope *to);
ovScope *ov_scope_parent(const ovScope *s);

#endif
