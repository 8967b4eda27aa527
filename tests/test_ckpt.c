/* test_ckpt.c: `ovad ckpt ls` and `ovad ckpt convert` as a user runs them (the binary named by
 * $OVAD_BIN, set by `make test`): listings of torch.save and safetensors files, conversion with
 * and without --entry checked tensor by tensor against what PyTorch saved, and the exit status
 * and message of every kind of failure (usage 2, unreadable input or output 1, no output file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

#define FIXDIR "tests/fixtures/pth"

static char output[65536];

static int run(const char *args) { return ov_run_ovad(args, output, sizeof output); }

#define HAS(s) ck_assert_msg(strstr(output, s), "expected '%s' in:\n%s", s, output)

START_TEST(test_ls) {
    ck_assert_msg(run("ckpt ls " FIXDIR "/model.p2.pth") == 0, "%s", output);
    HAS("steps        i64   []\n");
    HAS("conv.weight  f32   [4,2,3,3]\n");
    HAS("# 8 tensors, 115 elements");
    ck_assert_msg(run("ckpt ls " FIXDIR "/dtypes.p4.pth") == 0, "%s", output);
    HAS("bf16      bf16  [3,4]\n");
    HAS("f64_view  f32   [4,3]\n");
    HAS("2 float64 tensor(s) converted to f32");
    ck_assert_msg(run("ckpt ls " FIXDIR "/nested.p4.pth") == 0, "%s", output);
    HAS("tensors from entry 'model'");
    HAS("fc.bias      f32   [3]\n");
    ck_assert_msg(run("ckpt ls " FIXDIR "/nested.p4.pth --entry optimizer") == 0, "%s", output);
    HAS("state.0.exp_avg  f32   [3]\n");
    HAS("3 non-tensor value(s) skipped");
    ck_assert_msg(run("ckpt ls --entry=list " FIXDIR "/nested.p4.pth") == 0, "%s", output);
    HAS("# 2 tensors");
    ck_assert_msg(run("ckpt ls " FIXDIR "/legacy_nested.p2.pth") == 0, "%s", output); /* PyTorch < 1.6 */
    HAS("tensors from entry 'model'");
    HAS("conv.weight  f32   [4,2,3,3]\n");
    ck_assert_msg(run("ckpt ls " FIXDIR "/module_root.p4.pth") == 0, "%s", output); /* torch.save(model) */
    HAS("proj.weight  f32   [2,3]\n");
    ck_assert_msg(run("ckpt ls " FIXDIR "/views.p2.expected.safetensors") == 0, "%s", output);
    HAS("perm     f32   [5,2,3]\n");
    HAS("# metadata entry: \n");
    ck_assert_int_eq(run("ckpt --help"), 0);
    HAS("usage: ovad ckpt ls FILE");
    ck_assert_int_eq(run("--help"), 0);
    HAS("ckpt ");
}
END_TEST

START_TEST(test_convert) {
    char args[600];
    snprintf(args, sizeof args, "ckpt convert " FIXDIR "/nested.p4.pth %s", ov_tmp("m.safetensors"));
    ck_assert_msg(run(args) == 0, "%s", output);
    HAS("m.safetensors: 8 tensors");
    ov_scope_begin();
    ovSafetensors *got = ov_st_open(ov_tmp("m.safetensors")), *want = ov_st_open(FIXDIR "/nested.p4.expected.safetensors");
    ck_assert_msg(got && want, "%s", ov_last_error());
    ck_assert_int_eq(ov_st_count(got), ov_st_count(want));
    for (int i = 0; i < ov_st_count(got); i++) {
        ck_assert_str_eq(ov_st_name(got, i), ov_st_name(want, i));
        ck_assert(ov_rel_diff(ov_st_tensor(got, i), ov_st_tensor(want, i), NULL) == 0);
    }
    ck_assert_str_eq(ov_st_meta(got, "entry"), "model");
    ck_assert_str_eq(ov_st_meta(got, "source"), "nested.p4.pth");
    ov_st_close(got);
    ov_st_close(want);
    /* views and shared storages come out contiguous and separate */
    snprintf(args, sizeof args, "ckpt convert " FIXDIR "/views.p4.pth %s --entry ''", ov_tmp("v.safetensors"));
    ck_assert_msg(run(args) == 0, "%s", output);
    got = ov_st_open(ov_tmp("v.safetensors"));
    want = ov_st_open(FIXDIR "/views.p4.expected.safetensors");
    for (int i = 0; i < ov_st_count(want); i++)
        ck_assert_msg(ov_rel_diff(ov_st_get(got, ov_st_name(want, i)), ov_st_tensor(want, i), NULL) == 0, "%s",
                      ov_st_name(want, i));
    ov_st_close(got);
    ov_st_close(want);
    ov_scope_end();
    /* safetensors in, safetensors out */
    snprintf(args, sizeof args, "ckpt convert %s %s", ov_tmp("v.safetensors"), ov_tmp("v2.safetensors"));
    ck_assert_msg(run(args) == 0, "%s", output);
    snprintf(args, sizeof args, "ckpt ls %s", ov_tmp("v2.safetensors"));
    ck_assert_msg(run(args) == 0, "%s", output);
    HAS("# 11 tensors, 155 elements");
}
END_TEST

START_TEST(test_errors) {
    char args[600];
    ck_assert_int_eq(run("ckpt"), 2);
    HAS("usage: ovad ckpt");
    ck_assert_int_eq(run("ckpt ls"), 2);
    ck_assert_int_eq(run("ckpt frobnicate x"), 2);
    HAS("unknown subcommand 'frobnicate'");
    ck_assert_int_eq(run("ckpt ls a b"), 2);
    ck_assert_int_eq(run("ckpt ls --bogus x"), 2);
    HAS("unknown option '--bogus'");
    ck_assert_int_eq(run("ckpt ls x --entry"), 2);
    HAS("--entry needs a value");
    ck_assert_int_eq(run("ckpt ls /nonexistent/m.pth"), 1);
    HAS("ovad ckpt: /nonexistent/m.pth: cannot open");
    ck_assert_int_eq(run("ckpt ls " FIXDIR "/nested.p4.pth --entry nope"), 1);
    HAS("no entry 'nope' in the checkpoint (its keys: 'model'");
    ck_assert_int_eq(run("ckpt ls " FIXDIR "/stored.zip"), 1);
    HAS("no <folder>/data.pkl");
    ck_assert_int_eq(run("ckpt ls " FIXDIR "/model.p2.expected.safetensors --entry model"), 1);
    HAS("--entry applies to torch.save files");
    FILE *f = fopen(ov_tmp("junk.pth"), "wb");
    fputs("junk that is neither format", f);
    fclose(f);
    snprintf(args, sizeof args, "ckpt ls %s", ov_tmp("junk.pth"));
    ck_assert_int_eq(run(args), 1);
    HAS("junk.pth: ");
    snprintf(args, sizeof args, "ckpt convert %s %s", ov_tmp("junk.pth"), ov_tmp("out.safetensors"));
    ck_assert_int_eq(run(args), 1);
    ck_assert_int_eq(access(ov_tmp("out.safetensors"), F_OK), -1);
    ck_assert_int_eq(run("ckpt convert " FIXDIR "/model.p2.pth /nonexistent-dir/o.safetensors"), 1);
    HAS("/nonexistent-dir/o.safetensors");
}
END_TEST

int main(void) {
    Suite *s = suite_create("ckpt");
    TCase *tc = tcase_create("cli");
    ov_tcase_tmpdir(tc, "ckpt");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ls);
    tcase_add_test(tc, test_convert);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
