/* test_cli.c: the `ovad` command as a user runs it (the binary named by $OVAD_BIN, set by
 * `make test`): `ovad op --list`, `ovad op` forward and backward against the library, and the
 * errors for an unknown op, a missing argument, a bad attribute, a shape mismatch and a
 * malformed input file (non-zero exit, a clear message, no output file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

static char output[65536];

/* Runs `ovad ARGS` (stderr merged); returns the exit status and fills `output`. */
static int run(const char *args) { return ov_run_ovad(args, output, sizeof output); }

START_TEST(test_list) {
    ck_assert_int_eq(run("op --list"), 0);
    ck_assert_msg(strstr(output, "softplus(x: f32; beta: float = 1, threshold: float = 20) -> out"), "%s", output);
    ck_assert_msg(strstr(output, "where(cond: bool, a: f32, b: f32) -> out"), "%s", output);
    ck_assert_msg(!strstr(output, "unary_backward"), "internal ops are listed");
    ck_assert_int_eq(run(""), 2);
    ck_assert_msg(strstr(output, "usage: ovad COMMAND"), "%s", output);
    ck_assert_int_eq(run("nonsense"), 2);
    ck_assert_msg(strstr(output, "unknown command 'nonsense'"), "%s", output);
}
END_TEST

START_TEST(test_op_forward_backward) {
    ov_scope_begin();
    ovGenerator g = ov_generator(1);
    ovTensor *x = ov_randn(OV_SHAPE(3, 4), 0, 2, &g), *go = ov_randn(OV_SHAPE(3, 4), 0, 1, &g);
    ovTensor *ts[] = {x, go};
    const char *names[] = {"x", "grad_out"};
    ck_assert_int_eq(ov_st_save(ov_tmp("in.st"), 2, names, ts, 0, NULL, NULL), 0);
    char args[600];
    snprintf(args, sizeof args, "op softplus %s %s beta=2 threshold=3", ov_tmp("in.st"), ov_tmp("out.st"));
    ck_assert_msg(run(args) == 0, "%s", output);
    ovSafetensors *st = ov_st_open(ov_tmp("out.st"));
    ck_assert_msg(st, "%s", ov_last_error());
    ovTensor *xl = ov_requires_grad(ov_contiguous_copy(x), true);
    ovTensor *want = ov_softplus(xl, 2, 3);
    ov_backward_with(1, &want, &go);
    ck_assert(ov_rel_diff(ov_st_get(st, "out"), want, NULL) == 0);
    ck_assert(ov_rel_diff(ov_st_get(st, "grad_x"), xl->grad, NULL) == 0);
    ck_assert_str_eq(ov_st_meta(st, "op"), "softplus");
    ov_st_close(st);
    ov_scope_end();
}
END_TEST

START_TEST(test_op_errors) {
    ov_scope_begin();
    ovTensor *a = ov_ones(OV_SHAPE(2, 3), OV_F32), *b = ov_ones(OV_SHAPE(4, 3), OV_F32);
    ovTensor *ts[] = {a, b};
    const char *names[] = {"a", "x"};
    ck_assert_int_eq(ov_st_save(ov_tmp("a.st"), 2, names, ts, 0, NULL, NULL), 0);
    const char *names2[] = {"a", "b"};
    ck_assert_int_eq(ov_st_save(ov_tmp("ab.st"), 2, names2, ts, 0, NULL, NULL), 0);
    char args[600];
    struct {
        const char *fmt, *expect;
    } cases[] = {
        {"op no_such_op %s %s", "unknown op 'no_such_op'"},
        {"op add %s %s", "argument 'b' is missing"},
        {"op softplus %s %s beta=two", "expects a number, got 'two'"},
        {"op softplus %s %s gamma=1", "has no attribute 'gamma'"},
        {"op reshape %s %s", "attribute 'shape' is required"},
        {"op softplus %s %s beta", "not of the form name=value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(args, sizeof args, cases[i].fmt, ov_tmp("a.st"), ov_tmp("o.st")); /* a.st holds a and x */
        ck_assert_int_eq(run(args), 1);
        ck_assert_msg(strstr(output, cases[i].expect), "'%s': expected '%s' in: %s", args, cases[i].expect, output);
        ck_assert_int_eq(access(ov_tmp("o.st"), F_OK), -1);
    }
    snprintf(args, sizeof args, "op add %s %s", ov_tmp("ab.st"), ov_tmp("o.st"));
    ck_assert_int_eq(run(args), 1);
    ck_assert_msg(strstr(output, "op 'add'") && strstr(output, "[2,3]") && strstr(output, "[4,3]"), "%s", output);
    FILE *f = fopen(ov_tmp("bad.st"), "wb");
    fputs("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": 1", f);
    fclose(f);
    snprintf(args, sizeof args, "op neg %s %s", ov_tmp("bad.st"), ov_tmp("o.st"));
    ck_assert_int_eq(run(args), 1);
    ck_assert_msg(strstr(output, "bad.st"), "%s", output);
    ck_assert_int_eq(access(ov_tmp("o.st"), F_OK), -1);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("ovad");
    ov_tcase_leak_check(tc);
    ov_tcase_tmpdir(tc, "cli");
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_op_forward_backward);
    tcase_add_test(tc, test_op_errors);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
