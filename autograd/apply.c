/* apply.c: running an op from the table: generic argument checks, the op's shape rule, the forward
 * kernel for the tensors' device, and a tape node when a gradient will be needed. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/op.h"
#include "tensor/alloc.h"
#include "tensor/create.h"
#include "tensor/error.h"

static _Thread_local ovImpl cpu_impl = OV_IMPL_FAST;
static _Atomic uint64_t next_seq = 1;

void ov_no_grad_begin(void) { ov_thread_state()->no_grad_depth++; }

void ov_no_grad_end(void) {
    ovThreadState *st = ov_thread_state();
    if (st->no_grad_depth == 0) ov_panic("ov_no_grad_end without ov_no_grad_begin");
    st->no_grad_depth--;
}

bool ov_grad_enabled(void) { return ov_thread_state()->no_grad_depth == 0; }

void ov_set_cpu_impl(ovImpl impl) { cpu_impl = impl; }

ovImpl ov_cpu_impl(void) { return cpu_impl; }

/* ---- call construction ---- */

void ov_op_prepare(ovOpDef *op) {
    if (op->ready) return;
    int n = 0;
    while (n < OV_MAX_ARGS && op->args[n].name) n++;
    op->n_args = n;
    int m = 0;
    while (m < OV_MAX_ATTRS && op->attrs[m].name) m++;
    op->n_attrs = m;
    for (int i = 0; i < m; i++) {
        const ovAttrDef *d = &op->attrs[i];
        memset(&op->defaults[i], 0, sizeof op->defaults[i]);
        if (d->def && ov_attr_parse(d, d->def, &op->defaults[i]) != 0)
            ov_panic("op table: bad default for %s.%s: %s", op->name, d->name, ov_last_error());
    }
    for (int i = 0; i + 1 < n; i++)
        if (op->args[i].flags & OV_ARG_VARIADIC)
            ov_panic("op table: %s: only the last argument may be variadic", op->name);
    op->ready = true;
}

ovOpCall ov_call(ovOpDef *op) {
    ov_op_prepare(op);
    ovOpCall c;
    memset(&c, 0, sizeof c);
    c.op = op;
    c.n_in = op->n_args;
    for (int i = 0; i < op->n_attrs; i++) c.attr[i] = op->defaults[i];
    return c;
}

int ov_op_arg_index(const ovOpDef *op, const char *name) {
    for (int i = 0; i < OV_MAX_ARGS && op->args[i].name; i++)
        if (strcmp(op->args[i].name, name) == 0) return i;
    return -1;
}

int ov_op_attr_index(const ovOpDef *op, const char *name) {
    for (int i = 0; i < OV_MAX_ATTRS && op->attrs[i].name; i++)
        if (strcmp(op->attrs[i].name, name) == 0) return i;
    return -1;
}

int ov_call_arg_start(const ovOpCall *c, int arg) { (void)c; return arg; }

int ov_call_arg_count(const ovOpCall *c, int arg) {
    const ovOpDef *op = c->op;
    if (arg == op->n_args - 1 && (op->args[arg].flags & OV_ARG_VARIADIC)) return c->n_in - arg;
    return 1;
}

/* The declared argument that input slot i belongs to. */
static int arg_of_input(const ovOpDef *op, int i) { return i < op->n_args ? i : op->n_args - 1; }

/* ---- errors ---- */

_Noreturn void ov_op_fail(const ovOpCall *c, const char *fmt, ...) {
    char msg[OV_ERRMSG_MAX], desc[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t k = strlen(msg);
    const char *sep = "; inputs: ";
    for (int i = 0; i < c->n_in && k < sizeof msg; i++) {
        const ovArgDef *a = &c->op->args[arg_of_input(c->op, i)];
        char argname[48];
        if (a->flags & OV_ARG_VARIADIC)
            snprintf(argname, sizeof argname, "%s.%d", a->name, i - arg_of_input(c->op, i));
        else
            snprintf(argname, sizeof argname, "%s", a->name);
        if (c->in[i])
            k += (size_t)snprintf(msg + k, sizeof msg - k, "%s%s=%s", sep, argname,
                                  ov_describe(c->in[i], desc, sizeof desc));
        else
            k += (size_t)snprintf(msg + k, sizeof msg - k, "%s%s=none", sep, argname);
        sep = ", ";
    }
    ov_panic("op '%s': %s", c->op->name, msg);
}

static const char *kind_name(ovArgKind k) {
    switch (k) {
    case OV_ARG_FLOAT: return "f32";
    case OV_ARG_INDEX: return "i64";
    case OV_ARG_BOOL: return "bool";
    default: return "any dtype";
    }
}

static void generic_checks(const ovOpCall *c) {
    const ovOpDef *op = c->op;
    bool variadic = op->n_args && (op->args[op->n_args - 1].flags & OV_ARG_VARIADIC);
    if (variadic ? c->n_in < op->n_args : c->n_in != op->n_args)
        ov_op_fail(c, "expects %s%d tensor arguments, got %d", variadic ? "at least " : "", op->n_args, c->n_in);
    if (c->n_in > OV_MAX_INPUTS) ov_op_fail(c, "too many tensor arguments (%d > %d)", c->n_in, OV_MAX_INPUTS);
    const ovTensor *first = NULL;
    for (int i = 0; i < c->n_in; i++) {
        const ovArgDef *a = &op->args[arg_of_input(op, i)];
        const ovTensor *t = c->in[i];
        if (!t) {
            if (!(a->flags & OV_ARG_OPTIONAL)) ov_op_fail(c, "argument '%s' is required", a->name);
            continue;
        }
        bool ok = a->kind == OV_ARG_ANY || (a->kind == OV_ARG_FLOAT && t->dtype == OV_F32) ||
                  (a->kind == OV_ARG_INDEX && t->dtype == OV_I64) || (a->kind == OV_ARG_BOOL && t->dtype == OV_BOOL);
        if (!ok) {
            char d[160];
            ov_op_fail(c, "argument '%s' must be %s, got %s%s", a->name, kind_name(a->kind),
                       ov_describe(t, d, sizeof d),
                       a->kind == OV_ARG_FLOAT ? " (convert with ov_to(t, OV_F32))" : "");
        }
        if (first && ov_device(first) != ov_device(t)) {
            char d1[160], d2[160];
            ov_op_fail(c, "tensors on different devices: %s on %s and %s on %s", ov_describe(first, d1, sizeof d1),
                       ov_device(first) == OV_DEV_CPU ? "cpu" : "cuda", ov_describe(t, d2, sizeof d2),
                       ov_device(t) == OV_DEV_CPU ? "cpu" : "cuda");
        }
        if (!first) first = t;
    }
}

/* ---- tape nodes ---- */

static void node_destroy(ovObj *o) {
    ovNode *n = (ovNode *)o;
    ov_obj_free(n->gacc);
    ov_obj_free(n);
}

static void node_visit(ovObj *o, void (*fn)(ovObj *, void *), void *ctx) {
    ovNode *n = (ovNode *)o;
    for (int i = 0; i < n->call.n_in; i++)
        if (n->call.in[i]) fn(&n->call.in[i]->obj, ctx);
    for (int i = 0; i < n->n_out; i++) fn(&n->out[i]->obj, ctx);
    for (int i = 0; i < n->saved.n; i++)
        if (n->saved.t[i]) fn(&n->saved.t[i]->obj, ctx);
}

static bool needs_grad(const ovOpCall *c, int i) {
    const ovArgDef *a = &c->op->args[arg_of_input(c->op, i)];
    const ovTensor *t = c->in[i];
    bool differentiable = a->kind == OV_ARG_FLOAT || (a->kind == OV_ARG_ANY && t && ov_dtype_is_float(t->dtype));
    return t && t->requires_grad && differentiable && !(a->flags & OV_ARG_NO_GRAD);
}

int ov_apply(ovOpCall *c, ovTensor **out) {
    ov_op_prepare(c->op);
    generic_checks(c);
    if (c->op->check) c->op->check(c);
    ovDevice dev = OV_DEV_CPU;
    for (int i = 0; i < c->n_in; i++)
        if (c->in[i]) dev = ov_device(c->in[i]);
    c->impl = dev == OV_DEV_CUDA ? OV_IMPL_CUDA : cpu_impl;
    if (dev == OV_DEV_CUDA && !(c->op->flags & OV_OP_CUDA))
        ov_op_fail(c, "has no CUDA kernel yet; move its inputs to the CPU (ov_to_device)");

    bool record = false;
    if (ov_grad_enabled() && !(c->op->flags & OV_OP_NO_GRAD) && c->op->backward)
        for (int i = 0; i < c->n_in; i++) record |= needs_grad(c, i);

    ovSaved saved = {0};
    ovDevice prev = ov_set_default_device(dev); /* what the forward makes lands next to its inputs */
    int n_out = c->op->forward(c, out, record ? &saved : NULL);
    ov_set_default_device(prev);
    if (!record) return n_out;

    ovNode *n = ov_obj_alloc(sizeof *n);
    n->obj.destroy = node_destroy;
    n->obj.visit = node_visit;
    n->call = *c;
    n->n_out = n_out;
    n->saved = saved;
    n->seq = atomic_fetch_add(&next_seq, 1);
    int v = 0;
    for (int i = 0; i < c->n_in; i++) {
        n->needs_grad[i] = needs_grad(c, i);
        n->version[v++] = c->in[i] ? c->in[i]->storage->version : 0;
    }
    for (int k = 0; k < n_out; k++) {
        n->out[k] = out[k];
        n->version[v++] = out[k]->storage->version;
        if (ov_dtype_is_float(out[k]->dtype)) {
            out[k]->grad_fn = n;
            out[k]->out_index = k;
            out[k]->requires_grad = true;
        }
    }
    for (int s = 0; s < saved.n; s++) n->version[v++] = saved.t[s] ? saved.t[s]->storage->version : 0;
    ov_scope_add(&n->obj);
    return n_out;
}

ovTensor *ov_apply1(ovOpCall *c) {
    ovTensor *out[OV_MAX_OUTPUTS];
    int n = ov_apply(c, out);
    if (n != 1) ov_op_fail(c, "returns %d outputs where one was expected", n);
    return out[0];
}

/* ---- per-tensor switches ---- */

ovTensor *ov_requires_grad(ovTensor *t, bool on) {
    char d[160];
    if (t->grad_fn) ov_panic("requires_grad: %s is not a leaf (it has a grad_fn); use ov_detach first", ov_describe(t, d, sizeof d));
    if (on && t->dtype != OV_F32) ov_panic("requires_grad: %s is not f32", ov_describe(t, d, sizeof d));
    t->requires_grad = on;
    return t;
}

ovTensor *ov_retain_grad(ovTensor *t) {
    t->retain_grad = true;
    return t;
}

ovTensor *ov_detach(const ovTensor *t) {
    ovTensor *d = ov_view_of(t, t->ndim, t->shape, t->stride, t->offset);
    memcpy(d->name, t->name, sizeof d->name);
    return d;
}

void ov_set_grad_hook(ovTensor *t, ovGradHook hook, void *ctx) {
    t->hook = hook;
    t->hook_ctx = ctx;
}

void ov_zero_grad(ovTensor *t) {
    if (t->grad) ov_fill_(t->grad, 0.0);
}

ovTensor *ov_keep(ovTensor *t) {
    ovScope *cur = ov_scope_current();
    ovScope *parent = ov_scope_parent(cur);
    if (!parent) ov_panic("ov_keep: the current scope has no parent");
    if (t->obj.scope == cur) ov_scope_move_graph(&t->obj, parent);
    return t;
}
