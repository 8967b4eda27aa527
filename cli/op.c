/* op.c: `ovad op`: list the op table, or run one op on tensors read from a safetensors file. */
#include <stdio.h>
#include <string.h>

#include "autograd/op.h"
#include "cli/commands.h"

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

int cmd_op(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "--list")) return list_ops();
    fprintf(stderr, "usage: ovad op --list | ovad op NAME IN.safetensors OUT.safetensors [attr=value ...]\n");
    return 2;
}
