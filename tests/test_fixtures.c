/* test_fixtures.c: every op against PyTorch. tools/gen_op_fixtures.py stores, per case, the op's
 * inputs, attributes, a random grad_out, and PyTorch's outputs and input gradients (computed in
 * float64); this suite runs the same call through ov_op_run_named (the `ovad op` path) and compares.
 * It also asserts that every public op of the table has fixtures, with gradients when it is
 * differentiable. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/op.h"
#include "autograd/op_run.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

#define FIXTURE_DIR "tests/fixtures/ops"
#define MAX_FILES 2048

static char *files[MAX_FILES];
static int n_files;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list_fixtures(void) {
    DIR *d = opendir(FIXTURE_DIR);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && n_files < MAX_FILES) {
        size_t n = strlen(e->d_name);
        if (n > 12 && !strcmp(e->d_name + n - 12, ".safetensors")) {
            files[n_files] = malloc(strlen(FIXTURE_DIR) + n + 2);
            sprintf(files[n_files++], "%s/%s", FIXTURE_DIR, e->d_name);
        }
    }
    closedir(d);
    qsort(files, (size_t)n_files, sizeof *files, cmp_str);
}

static bool is_expected(const char *name) {
    return !strncmp(name, "out", 3) || (!strncmp(name, "grad_", 5) && strncmp(name, "grad_out", 8));
}

START_TEST(test_fixture_matches_pytorch) {
    const char *path = files[_i];
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "%s", ov_last_error());
    const char *opname = ov_st_meta(st, "op");
    ck_assert_msg(opname, "%s: no 'op' metadata", path);
    ovOpDef *op = ov_op_find(opname);
    ck_assert_msg(op, "%s: op '%s' is not in the table", path, opname);

    static ovNamedTensors in, out;
    in.n = out.n = 0;
    for (int i = 0; i < ov_st_count(st); i++)
        if (!is_expected(ov_st_name(st, i))) ov_named_add(&in, ov_st_name(st, i), ov_st_tensor(st, i));
    char attr_buf[OV_MAX_ATTRS][256];
    const char *attrs[OV_MAX_ATTRS];
    int na = 0;
    for (int i = 0; i < ov_st_meta_count(st) && na < OV_MAX_ATTRS; i++) {
        const char *k = ov_st_meta_key(st, i);
        if (strncmp(k, "attr.", 5)) continue;
        snprintf(attr_buf[na], sizeof attr_buf[na], "%s=%s", k + 5, ov_st_meta(st, k));
        attrs[na] = attr_buf[na];
        na++;
    }
    int rc = ov_op_run_named(op, &in, na, attrs, &out);
    ck_assert_msg(rc == 0, "%s: %s", path, ov_last_error());

    double tol = op->torch_tol > 0 ? op->torch_tol : 1e-4;
    if (ov_st_meta(st, "tol")) tol = atof(ov_st_meta(st, "tol"));
    int compared = 0;
    for (int i = 0; i < ov_st_count(st); i++) {
        const char *name = ov_st_name(st, i);
        if (!is_expected(name)) continue;
        ovTensor *want = ov_st_tensor(st, i), *got = ov_named_get(&out, name);
        ck_assert_msg(got, "%s: ovad produced no '%s'", path, name);
        char a[160], b[160];
        int64_t where;
        double d = ov_rel_diff(got, want, &where);
        ck_assert_msg(d >= 0, "%s: '%s' is %s, PyTorch's is %s", path, name, ov_describe(got, a, sizeof a),
                      ov_describe(want, b, sizeof b));
        ck_assert_msg(d <= tol, "%s: '%s' differs from PyTorch: relative error %.3g > %.3g at element %lld (%.8g vs %.8g)",
                      path, name, d, tol, (long long)where, ov_get_flat(got, where), ov_get_flat(want, where));
        compared++;
    }
    ck_assert_msg(compared > 0, "%s: nothing to compare", path);
    ov_st_close(st);
    ov_scope_end();
}
END_TEST

/* Every public op has a fixture; differentiable ones have one with gradients. */
START_TEST(test_every_op_has_fixtures) {
    for (int i = 0; i < ov_op_count(); i++) {
        ovOpDef *op = ov_op_at(i);
        if (op->flags & OV_OP_INTERNAL) continue;
        bool any = false, with_grad = false;
        size_t n = strlen(op->name);
        for (int f = 0; f < n_files; f++) {
            const char *base = files[f] + strlen(FIXTURE_DIR) + 1;
            if (strncmp(base, op->name, n) || base[n] != '.') continue;
            any = true;
            ovSafetensors *st = ov_st_open(files[f]);
            ck_assert_msg(st, "%s", ov_last_error());
            for (int k = 0; k < ov_st_count(st); k++)
                with_grad |= !strncmp(ov_st_name(st, k), "grad_out", 8);
            ov_st_close(st);
        }
        ck_assert_msg(any, "op '%s' has no PyTorch fixture in %s (add it to tools/fixtures/)", op->name, FIXTURE_DIR);
        ck_assert_msg(with_grad || (op->flags & OV_OP_NO_GRAD), "op '%s' has no fixture with gradients", op->name);
    }
}
END_TEST

int main(void) {
    list_fixtures();
    Suite *s = suite_create("fixtures");
    TCase *tc = tcase_create("pytorch");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_every_op_has_fixtures);
    if (n_files)
        tcase_add_loop_test(tc, test_fixture_matches_pytorch, 0, n_files);
    else
        printf("no fixtures found in %s (run from the project root)\n", FIXTURE_DIR);
    suite_add_tcase(s, tc);
    int failed = ov_run_suite(s);
    for (int i = 0; i < n_files; i++) free(files[i]);
    return failed || !n_files ? 1 : 0;
}
