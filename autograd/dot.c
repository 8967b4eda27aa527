/* dot.c: Graphviz dump of a tape (see dot.h). */
#include "autograd/dot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/op.h"
#include "tensor/error.h"

static _Atomic uint64_t dot_epoch = 1ull << 62; /* disjoint from backward's epochs */

static void tensor_node(FILE *f, const ovTensor *t) {
    char shp[128];
    ov_shape_str(t->ndim, t->shape, shp, sizeof shp);
    bool leaf_param = !t->grad_fn && t->requires_grad;
    fprintf(f, "  t%" PRIu64 " [shape=ellipse%s, label=\"", t->id, leaf_param ? ", style=filled, fillcolor=lightblue" : "");
    if (t->name[0])
        fprintf(f, "%s", t->name);
    else
        fprintf(f, "#%" PRIu64, t->id);
    fprintf(f, "\\n%s %s\"];\n", shp, ov_dtype_name(t->dtype));
}

static void op_node(FILE *f, const ovNode *n) {
    fprintf(f, "  n%" PRIu64 " [shape=box, style=rounded, label=\"%s", n->seq, n->call.op->name);
    for (int a = 0; a < n->call.op->n_attrs; a++) {
        char v[128];
        ov_attr_format(&n->call.op->attrs[a], &n->call.attr[a], v, sizeof v);
        fprintf(f, "\\n%s=%s", n->call.op->attrs[a].name, v);
    }
    fprintf(f, "\"];\n");
}

void ov_graph_dot(FILE *f, int n_roots, ovTensor **roots) {
    uint64_t epoch = atomic_fetch_add(&dot_epoch, 1);
    fprintf(f, "digraph ovad {\n  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n");
    int cap = 64, top = 0;
    ovNode **stack = malloc((size_t)cap * sizeof *stack);
    for (int i = 0; i < n_roots; i++) {
        tensor_node(f, roots[i]);
        ovNode *n = roots[i]->grad_fn;
        if (n && n->mark != epoch) {
            n->mark = epoch;
            stack[top++] = n;
        }
    }
    while (top) {
        ovNode *n = stack[--top];
        op_node(f, n);
        for (int k = 0; k < n->n_out; k++) {
            if (n->out[k]->grad_fn != n) continue;
            bool is_root = false;
            for (int i = 0; i < n_roots; i++) is_root |= roots[i] == n->out[k];
            if (!is_root) tensor_node(f, n->out[k]);
            fprintf(f, "  n%" PRIu64 " -> t%" PRIu64 ";\n", n->seq, n->out[k]->id);
        }
        for (int i = 0; i < n->call.n_in; i++) {
            ovTensor *t = n->call.in[i];
            if (!t) continue;
            if (!t->grad_fn) tensor_node(f, t); /* leaves are drawn by their consumers */
            fprintf(f, "  t%" PRIu64 " -> n%" PRIu64 ";\n", t->id, n->seq);
            ovNode *p = t->grad_fn;
            if (p && p->mark != epoch) {
                p->mark = epoch;
                if (top == cap) stack = realloc(stack, (size_t)(cap *= 2) * sizeof *stack);
                stack[top++] = p;
            }
        }
    }
    free(stack);
    fprintf(f, "}\n");
}

int ov_graph_dot_file(const char *path, int n_roots, ovTensor **roots) {
    FILE *f = fopen(path, "w");
    if (!f) return ov_error("%s: cannot write the graph: %s", path, strerror(errno));
    ov_graph_dot(f, n_roots, roots);
    if (fclose(f) != 0) return ov_error("%s: write failed: %s", path, strerror(errno));
    return 0;
}
