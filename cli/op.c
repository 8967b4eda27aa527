/* op.c: `ovad op`: print the op table's signatures, or run one op on tensors from a safetensors
 * file (forward, and backward when the file holds grad_out) and write the results to another,
 * so that anyone can audit an op against another framework. */
#include <stdio.h>
#include <string.h>

#include "autograd/op.h"
#include "autograd/op_run.h"
#include "cli/commands.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tensor/scope.h"

static const char *usage_text =
    "usage: ovad op --list\n"
    "       ovad op NAME IN.safetensors OUT.safetensors [attr=value ...]\n"
    "\n"
    "IN holds the op's tensor arguments under their argument names (a variadic argument\n"
    "`tensors` as tensors.0, tensors.1, ...) and optionally `grad_out` (grad_out0, ... for\n"
    "several outputs). OUT receives `out` (or out0, out1, ...) and, when a gradient was\n"
    "given, grad_<arg> for every floating-point argument. `ovad op --list` shows each op's\n"
    "arguments, attributes and defaults.\n";

static int list_ops(void) {
    char sig[1024];
    for (int i = 0; i < ov_op_count(); i++) {
        ovOpDef *op = ov_op_at(i);
        if (op->flags & OV_OP_INTERNAL) continue;
        ov_op_signature(op, sig, sizeof sig);
        printf("%s\n    %s\n", sig, op->doc);
    }
    return 0;
}

static int run_op(const char *name, const char *in_path, const char *out_path, int n_attrs, char **attrs) {
    ovOpDef *op = ov_op_find(name);
    if (!op) {
        fprintf(stderr, "ovad op: unknown op '%s' (ovad op --list shows them all)\n", name);
        return 1;
    }
    ovSafetensors *st = ov_st_open(in_path);
    if (!st) {
        fprintf(stderr, "ovad op: %s\n", ov_last_error());
        return 1;
    }
    int rc = 1;
    ov_scope_begin();
    static ovNamedTensors in, out;
    in.n = out.n = 0;
    for (int i = 0; i < ov_st_count(st); i++) ov_named_add(&in, ov_st_name(st, i), ov_st_tensor(st, i));
    if (ov_op_run_named(op, &in, n_attrs, (const char *const *)attrs, &out) != 0) {
        fprintf(stderr, "ovad op: %s\n", ov_last_error());
        goto done;
    }
    const char *names[OV_NAMED_MAX];
    for (int i = 0; i < out.n; i++) names[i] = out.name[i];
    const char *keys[] = {"op"}, *vals[] = {name};
    if (ov_st_save(out_path, out.n, names, out.t, 1, keys, vals) != 0) {
        fprintf(stderr, "ovad op: %s\n", ov_last_error());
        goto done;
    }
    for (int i = 0; i < out.n; i++) {
        char d[160];
        printf("%s: %s\n", out.name[i], ov_describe(out.t[i], d, sizeof d));
    }
    rc = 0;
done:
    ov_scope_end();
    ov_st_close(st);
    return rc;
}

int cmd_op(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "--list")) return list_ops();
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc < 4) {
        fputs(usage_text, stderr);
        return 2;
    }
    return run_op(argv[1], argv[2], argv[3], argc - 4, argv + 4);
}
