/* op_run.c: an op call from named tensors and attribute strings, forward and backward (see op_run.h). */
#include "autograd/op_run.h"

#include <stdio.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "tensor/create.h"
#include "tensor/error.h"

void ov_named_add(ovNamedTensors *nt, const char *name, ovTensor *t) {
    if (nt->n >= OV_NAMED_MAX) ov_panic("too many named tensors (%d)", OV_NAMED_MAX);
    snprintf(nt->name[nt->n], sizeof nt->name[0], "%s", name);
    nt->t[nt->n++] = t;
}

ovTensor *ov_named_get(const ovNamedTensors *nt, const char *name) {
    for (int i = 0; i < nt->n; i++)
        if (!strcmp(nt->name[i], name)) return nt->t[i];
    return NULL;
}

/* Fills c's inputs from the named tensors; -1 on a missing argument. */
static int bind_inputs(ovOpDef *op, const ovNamedTensors *in, ovOpCall *c) {
    int k = 0;
    for (int a = 0; a < op->n_args; a++) {
        const ovArgDef *arg = &op->args[a];
        if (arg->flags & OV_ARG_VARIADIC) {
            for (int j = 0;; j++) {
                char nm[80];
                snprintf(nm, sizeof nm, "%s.%d", arg->name, j);
                ovTensor *t = ov_named_get(in, nm);
                if (!t) {
                    if (j == 0) return ov_error("op '%s': no tensor named %s.0 (argument '%s' takes %s.0, %s.1, ...)",
                                                op->name, arg->name, arg->name, arg->name, arg->name);
                    break;
                }
                if (k >= OV_MAX_INPUTS) return ov_error("op '%s': too many tensors for '%s'", op->name, arg->name);
                c->in[k++] = t;
            }
        } else {
            ovTensor *t = ov_named_get(in, arg->name);
            if (!t && !(arg->flags & OV_ARG_OPTIONAL))
                return ov_error("op '%s': argument '%s' is missing (no tensor named '%s')", op->name, arg->name, arg->name);
            c->in[k++] = t;
        }
    }
    c->n_in = k;
    return 0;
}

static int bind_attrs(ovOpDef *op, int n, const char *const *attrs, ovOpCall *c) {
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(attrs[i], '=');
        if (!eq) return ov_error("op '%s': attribute '%s' is not of the form name=value", op->name, attrs[i]);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - attrs[i]), attrs[i]);
        int a = ov_op_attr_index(op, key);
        if (a < 0) return ov_error("op '%s' has no attribute '%s'", op->name, key);
        if (ov_attr_parse(&op->attrs[a], eq + 1, &c->attr[a]) != 0) {
            char msg[OV_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "%s", ov_last_error());
            return ov_error("op '%s': %s", op->name, msg);
        }
    }
    for (int a = 0; a < op->n_attrs; a++)
        if (!op->attrs[a].def) {
            bool given = false;
            for (int i = 0; i < n; i++)
                given |= !strncmp(attrs[i], op->attrs[a].name, strlen(op->attrs[a].name)) &&
                         attrs[i][strlen(op->attrs[a].name)] == '=';
            if (!given) return ov_error("op '%s': attribute '%s' is required", op->name, op->attrs[a].name);
        }
    return 0;
}

static void arg_name(const ovOpDef *op, int i, char *buf, size_t n) {
    int a = i < op->n_args ? i : op->n_args - 1;
    if (op->args[a].flags & OV_ARG_VARIADIC)
        snprintf(buf, n, "%s.%d", op->args[a].name, i - a);
    else
        snprintf(buf, n, "%s", op->args[a].name);
}

int ov_op_run_named(ovOpDef *op, const ovNamedTensors *in, int n_attrs, const char *const *attrs, ovNamedTensors *out) {
    ovOpCall c = ov_call(op);
    if (bind_inputs(op, in, &c) || bind_attrs(op, n_attrs, attrs, &c)) return -1;
    bool want_grad = ov_named_get(in, "grad_out") || ov_named_get(in, "grad_out0");
    ovTrap trap;
    if (!OV_TRY(&trap)) return -1; /* the op's panic message is in ov_last_error() */
    if (want_grad) {
        /* differentiate with respect to fresh leaves that share the inputs' data */
        for (int i = 0; i < c.n_in; i++)
            if (c.in[i] && c.in[i]->dtype == OV_F32) c.in[i] = ov_requires_grad(ov_detach(c.in[i]), true);
    }
    ovTensor *res[OV_MAX_OUTPUTS];
    int n = ov_apply(&c, res);
    for (int k = 0; k < n; k++) {
        char nm[16];
        snprintf(nm, sizeof nm, n == 1 ? "out" : "out%d", k);
        ov_named_add(out, nm, res[k]);
    }
    if (want_grad) {
        ovTensor *roots[OV_MAX_OUTPUTS], *seeds[OV_MAX_OUTPUTS];
        int nr = 0;
        for (int k = 0; k < n; k++) {
            char nm[16];
            snprintf(nm, sizeof nm, n == 1 ? "grad_out" : "grad_out%d", k);
            ovTensor *g = ov_named_get(in, nm);
            if (!g || !res[k]->requires_grad) continue;
            if (g->dtype != OV_F32 || !ov_same_shape(g, res[k])) {
                char d1[160], d2[160];
                ov_panic("op '%s': %s %s does not match output %s", op->name, nm, ov_describe(g, d1, sizeof d1),
                         ov_describe(res[k], d2, sizeof d2));
            }
            roots[nr] = res[k];
            seeds[nr++] = g;
        }
        if (nr) ov_backward_with(nr, roots, seeds);
        for (int i = 0; i < c.n_in; i++) {
            if (!c.in[i] || !c.in[i]->requires_grad) continue;
            char an[64], nm[80];
            arg_name(op, i, an, sizeof an);
            snprintf(nm, sizeof nm, "grad_%s", an);
            ovTensor *g = c.in[i]->grad;
            ov_named_add(out, nm, g ? g : ov_zeros(c.in[i]->ndim, c.in[i]->shape, OV_F32));
        }
    }
    ov_trap_pop(&trap);
    return 0;
}
