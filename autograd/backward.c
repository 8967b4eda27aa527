/* backward.c: reverse-mode autodiff over the define-by-run tape (micrograd's idea, with nodes that
 * hold op-table entries). Nodes reachable from the outputs are visited in decreasing creation
 * order, which is a valid reverse topological order because a node's inputs always exist before
 * it; each node's output gradients are complete when it is reached. */
#include "autograd/backward.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/op.h"
#include "autograd/ops.h"
#include "tensor/alloc.h"
#include "tensor/create.h"
#include "tensor/error.h"

static _Atomic uint64_t next_epoch = 1;

typedef struct {
    ovNode **v;
    int n, cap;
} NodeList;

static void push_node(NodeList *l, ovNode *n) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
        if (!l->v) ov_panic("backward: out of memory for the node list");
    }
    l->v[l->n++] = n;
}

/* Iterative DFS (graphs can be deep) collecting every node reachable from the roots. */
static void collect(NodeList *out, ovTensor **roots, int n_roots, uint64_t epoch) {
    NodeList stack = {0};
    for (int i = 0; i < n_roots; i++)
        if (roots[i]->grad_fn && roots[i]->grad_fn->mark != epoch) {
            roots[i]->grad_fn->mark = epoch;
            push_node(&stack, roots[i]->grad_fn);
        }
    while (stack.n) {
        ovNode *n = stack.v[--stack.n];
        push_node(out, n);
        for (int i = 0; i < n->call.n_in; i++) {
            ovTensor *t = n->call.in[i];
            if (n->needs_grad[i] && t->grad_fn && t->grad_fn->mark != epoch) {
                t->grad_fn->mark = epoch;
                push_node(&stack, t->grad_fn);
            }
        }
    }
    free(stack.v);
}

/* Frees the per-pass gradient slots and the list itself. */
static void release_nodes(NodeList *l) {
    for (int i = 0; i < l->n; i++) {
        ov_obj_free(l->v[i]->gacc);
        l->v[i]->gacc = NULL;
    }
    free(l->v);
    *l = (NodeList){0};
}

static int by_seq_desc(const void *a, const void *b) {
    uint64_t x = (*(ovNode *const *)a)->seq, y = (*(ovNode *const *)b)->seq;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void check_shape(const ovTensor *t, const ovTensor *g, const char *what, const char *op) {
    if (!ov_same_shape(t, g)) {
        char a[160], b[160];
        ov_panic("backward of '%s': gradient %s does not match %s %s", op, ov_describe(g, b, sizeof b), what,
                 ov_describe(t, a, sizeof a));
    }
}

/* Adds g into *slot (a fresh sum; the first gradient is taken as is). */
static void accumulate(ovTensor **slot, ovTensor *g) { *slot = *slot ? ov_add(*slot, g) : g; }

/* A leaf's gradient lives in the leaf's own scope, so it outlives the step that computed it. */
static void accumulate_leaf(ovTensor *t, ovTensor *g) {
    if (t->hook) g = t->hook(t, g, t->hook_ctx);
    if (!g) return;
    if (t->grad) {
        ov_acc_(t->grad, g);
        return;
    }
    ovTensor *copy = ov_contiguous_copy(g);
    ov_scope_move_graph(&copy->obj, t->obj.scope);
    t->grad = copy;
}

static void verify_versions(const ovNode *n) {
    int v = 0;
    for (int i = 0; i < n->call.n_in; i++, v++)
        if (n->call.in[i] && n->call.in[i]->storage->version != n->version[v]) goto modified;
    for (int k = 0; k < n->n_out; k++, v++)
        if (n->out[k]->storage->version != n->version[v]) goto modified;
    for (int s = 0; s < n->saved.n; s++, v++)
        if (n->saved.t[s] && n->saved.t[s]->storage->version != n->version[v]) goto modified;
    return;
modified:
    ov_panic("backward of '%s': a tensor it saved was modified in place after the forward pass", n->call.op->name);
}

void ov_backward_with(int n_roots, ovTensor **outs, ovTensor **grads) {
    uint64_t epoch = atomic_fetch_add(&next_epoch, 1);
    for (int i = 0; i < n_roots; i++) {
        check_shape(outs[i], grads[i], "output", "backward");
        if (!outs[i]->requires_grad) {
            char d[160];
            ov_panic("backward: %s does not require grad (no input of its graph requires grad)",
                     ov_describe(outs[i], d, sizeof d));
        }
    }
    /* static (not a local) so that the cleanup after a panic sees it whole after longjmp */
    static _Thread_local NodeList nodes;
    static _Thread_local bool running;
    if (running) ov_panic("backward: called from inside a backward pass (e.g. from a gradient hook)");
    running = true;
    ovTrap trap;
    if (!OV_TRY(&trap)) { /* a backward formula panicked: release what this pass holds, pass the error on */
        release_nodes(&nodes);
        running = false;
        ov_rethrow();
    }
    collect(&nodes, outs, n_roots, epoch);
    qsort(nodes.v, (size_t)nodes.n, sizeof *nodes.v, by_seq_desc);
    for (int i = 0; i < nodes.n; i++) nodes.v[i]->gacc = ov_obj_alloc(sizeof(ovTensor *) * (size_t)nodes.v[i]->n_out);

    ov_no_grad_begin();
    for (int i = 0; i < n_roots; i++) {
        ovTensor *t = outs[i];
        if (t->grad_fn)
            accumulate(&t->grad_fn->gacc[t->out_index], grads[i]);
        else
            accumulate_leaf(t, grads[i]);
    }
    for (int i = 0; i < nodes.n; i++) {
        ovNode *n = nodes.v[i];
        bool any = false;
        for (int k = 0; k < n->n_out; k++) {
            ovTensor *o = n->out[k];
            if (!n->gacc[k]) continue;
            if (o->hook) n->gacc[k] = o->hook(o, n->gacc[k], o->hook_ctx);
            if (o->retain_grad && n->gacc[k]) {
                if (o->grad)
                    ov_acc_(o->grad, n->gacc[k]);
                else
                    o->grad = ov_contiguous_copy(n->gacc[k]);
            }
            any |= n->gacc[k] != NULL;
        }
        if (!any) continue;
        verify_versions(n);
        ovTensor *gin[OV_MAX_INPUTS] = {0};
        ovDevice prev = ov_set_default_device(ov_device(n->out[0]));
        n->call.op->backward(n, n->gacc, gin);
        ov_set_default_device(prev);
        for (int j = 0; j < n->call.n_in; j++) {
            ovTensor *t = n->call.in[j];
            if (!n->needs_grad[j] || !gin[j]) continue;
            check_shape(t, gin[j], "input", n->call.op->name);
            if (t->grad_fn)
                accumulate(&t->grad_fn->gacc[t->out_index], gin[j]);
            else
                accumulate_leaf(t, gin[j]);
        }
    }
    ov_no_grad_end();
    release_nodes(&nodes);
    running = false;
    ov_trap_pop(&trap);
}

void ov_backward(ovTensor *loss) {
    if (ov_numel(loss) != 1) {
        char d[160];
        ov_panic("backward: %s has more than one element; pass a gradient with ov_backward_with",
                 ov_describe(loss, d, sizeof d));
    }
    ovTensor *one = ov_empty_on(ov_device(loss), loss->ndim, loss->shape, OV_F32); /* next to the loss */
    ov_fill_(one, 1.0);
    ov_backward_with(1, &loss, &one);
}
