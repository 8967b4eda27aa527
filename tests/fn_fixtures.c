/* fn_fixtures.c: runs the function fixtures of tools/gen_loss_fixtures.py (see fn_fixtures.h). */
#include "tests/fn_fixtures.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/error.h"
#include "tests/check_util.h"

ovTensor *ov_fn_in(const ovFnCase *c, const char *name) {
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->names[i], name)) return c->in[i];
    return NULL;
}

const char *ov_fn_meta(const ovFnCase *c, const char *key) {
    const char *v = ov_st_meta(c->st, key);
    ck_assert_msg(v, "%s: no '%s' in the metadata", c->path, key);
    return v;
}

double ov_fn_num(const ovFnCase *c, const char *key) { return atof(ov_fn_meta(c, key)); }

int ov_fn_index(const char *dir, const char ***paths) {
    char idx[512], line[256];
    snprintf(idx, sizeof idx, "%s/index.txt", dir);
    FILE *f = fopen(idx, "r");
    if (!f) return -1;
    int n = 0, cap = 0;
    const char **list = NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            list = realloc(list, (size_t)cap * sizeof *list);
        }
        char *p = malloc(strlen(dir) + strlen(line) + 2);
        sprintf(p, "%s/%s", dir, line);
        list[n++] = p;
    }
    fclose(f);
    *paths = list;
    return n;
}

static bool is_expected(const char *name) { return !strcmp(name, "out") || !strncmp(name, "grad_", 5); }

static ovSafetensors *open_case(const char *path) {
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "missing or unreadable fixture (regenerate with /usr/bin/python3 tools/gen_loss_fixtures.py): %s",
                  ov_last_error());
    return st;
}

static void compare(const char *path, const char *what, ovTensor *got, ovTensor *want, double tol) {
    char a[160], b[160];
    int64_t at;
    ck_assert_msg(got, "%s: no %s was computed", path, what);
    got = ov_to_device(got, OV_DEV_CPU);
    double d = ov_rel_diff(got, want, &at);
    ck_assert_msg(d >= 0, "%s: %s is %s, the reference's is %s", path, what, ov_describe(got, a, sizeof a),
                  ov_describe(want, b, sizeof b));
    ck_assert_msg(d <= tol, "%s: %s differs from the reference: relative error %.3g > %.3g at element %lld (%.9g vs %.9g)",
                  path, what, d, tol, (long long)at, ov_get_flat(got, at), ov_get_flat(want, at));
}

void ov_fn_check(const char *path, const ovFnEntry *table, ovDevice dev, double tol) {
    ov_scope_begin();
    ovFnCase c = {.st = open_case(path), .path = path, .dev = dev};
    const char *fn = ov_fn_meta(&c, "fn");
    const ovFnEntry *e = table;
    while (e->name && strcmp(e->name, fn)) e++;
    ck_assert_msg(e->name, "%s: function '%s' has no runner in this suite", path, fn);
    for (int i = 0; i < ov_st_count(c.st); i++) {
        const char *name = ov_st_name(c.st, i);
        if (is_expected(name)) continue;
        ck_assert_msg(c.n < OV_FN_MAX_INPUTS, "%s: too many inputs", path);
        char gname[80];
        snprintf(gname, sizeof gname, "grad_%s", name);
        ovTensor *leaf = ov_contiguous_copy(ov_st_tensor(c.st, i));
        if (ov_st_find(c.st, gname) >= 0) ov_requires_grad(leaf, true);
        c.names[c.n] = name;
        c.leaf[c.n] = leaf;
        c.in[c.n] = dev == OV_DEV_CPU ? leaf : ov_to_device(leaf, dev);
        c.n++;
    }
    ovTensor *out = e->run(&c);
    compare(path, "out", out, ov_st_get(c.st, "out"), tol);
    if (ov_st_find(c.st, "grad_out") >= 0) {
        ovTensor *g = ov_to_device(ov_st_get(c.st, "grad_out"), dev);
        ov_backward_with(1, &out, &g);
        for (int i = 0; i < c.n; i++) {
            char gname[80];
            snprintf(gname, sizeof gname, "grad_%s", c.names[i]);
            if (ov_st_find(c.st, gname) < 0) continue;
            compare(path, gname, c.leaf[i]->grad, ov_st_get(c.st, gname), tol);
        }
    }
    ov_st_close(c.st);
    ov_scope_end();
}

void ov_fn_check_coverage(const ovFnEntry *table, int n, const char *const *paths) {
    for (const ovFnEntry *e = table; e->name; e++) {
        bool any = false, grads = false;
        for (int i = 0; i < n && !(any && grads); i++) {
            ovSafetensors *st = open_case(paths[i]);
            const char *fn = ov_st_meta(st, "fn");
            if (fn && !strcmp(fn, e->name)) {
                any = true;
                grads = grads || ov_st_find(st, "grad_out") >= 0;
            }
            ov_st_close(st);
        }
        ck_assert_msg(any && grads, "'%s' has no fixture with gradients (add it to tools/gen_loss_fixtures.py)", e->name);
    }
}

/* ---- the cases of a suite (one per program: the tests below read these) ---- */

static struct {
    const char *dir;
    const ovFnEntry *table;
    double tol;
    const char **paths;
    int n_paths;
    const char *const *device_cases;
} g;

START_TEST(test_fixture_cpu) { ov_fn_check(g.paths[_i], g.table, OV_DEV_CPU, g.tol); }
END_TEST

START_TEST(test_fixture_device) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.safetensors", g.dir, g.device_cases[_i]);
    ov_fn_check(path, g.table, OV_DEV_CUDA, g.tol);
}
END_TEST

START_TEST(test_every_function_has_fixtures) {
    ck_assert_msg(g.n_paths > 0, "no fixtures listed in %s/index.txt", g.dir);
    ov_fn_check_coverage(g.table, g.n_paths, g.paths);
}
END_TEST

START_TEST(test_fixture_index_missing) {
    ck_abort_msg("%s/index.txt is missing: run /usr/bin/python3 tools/gen_loss_fixtures.py from the project root", g.dir);
}
END_TEST

TCase *ov_fn_add_cases(Suite *s, const char *suite, const char *dir, const ovFnEntry *table, double tol,
                       const char *const *device_cases, int n_device_cases) {
    g.dir = dir, g.table = table, g.tol = tol, g.device_cases = device_cases;
    g.n_paths = ov_fn_index(dir, &g.paths);
    TCase *tc = tcase_create("cpu");
    ov_tcase_leak_check(tc);
    if (g.n_paths < 0) {
        tcase_add_test(tc, test_fixture_index_missing);
    } else {
        tcase_add_test(tc, test_every_function_has_fixtures);
        tcase_add_loop_test(tc, test_fixture_cpu, 0, g.n_paths);
    }
    suite_add_tcase(s, tc);
    if (g.n_paths > 0) tcase_add_loop_test(ov_device_tcase(s, suite, "device"), test_fixture_device, 0, n_device_cases);
    return tc;
}
