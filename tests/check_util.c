/* check_util.c: fixture and comparison helpers for the Check suites (see check_util.h). */
#include "tests/check_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernels/cuda/device.h"
#include "nn/init.h"
#include "tensor/alloc.h"
#include "tensor/create.h"
#include "tensor/scope.h"

static void leak_teardown(void) {
    ovAllocStats s = ov_alloc_stats();
    ck_assert_msg(ov_scope_depth() == 0, "a scope was left open (depth %d)", ov_scope_depth());
    ck_assert_msg(ov_live_allocations() == 0,
                  "live allocations at the end of the test: %lld host buffers (%lld bytes), %lld objects",
                  (long long)s.host_buffers, (long long)s.host_bytes, (long long)s.objects);
}

void ov_tcase_leak_check(TCase *tc) { tcase_add_checked_fixture(tc, NULL, leak_teardown); }

const char *ov_shared_data(const char *file) {
    static char path[1024];
    const char *root = getenv("OVAD_SHARED_DATA");
    snprintf(path, sizeof path, "%s", root ? root : "../shared/data");
    char probe[1200];
    snprintf(probe, sizeof probe, "%s/%s", path, file);
    if (access(probe, R_OK) != 0) {
        printf("SKIP: %s not found (set OVAD_SHARED_DATA or run from the project root beside ../shared)\n", probe);
        return NULL;
    }
    return path;
}

double ov_rel_diff(const ovTensor *a, const ovTensor *b, int64_t *where) {
    if (!ov_same_shape(a, b) || a->dtype != b->dtype) return -1;
    int64_t n = ov_numel(a);
    if (where) *where = -1;
    if (!ov_dtype_is_float(a->dtype)) {
        for (int64_t i = 0; i < n; i++)
            if (ov_get_flat(a, i) != ov_get_flat(b, i)) {
                if (where) *where = i;
                return INFINITY;
            }
        return 0;
    }
    double ss = 0;
    int64_t finite = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = ov_get_flat(b, i);
        if (isfinite(v)) {
            ss += v * v;
            finite++;
        }
    }
    double scale = finite ? sqrt(ss / (double)finite) : 0;
    double worst = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = ov_get_flat(a, i), y = ov_get_flat(b, i);
        if (isnan(x) && isnan(y)) continue;
        if (isinf(x) || isinf(y)) {
            if (x == y) continue;
            if (where) *where = i;
            return INFINITY;
        }
        double d = fabs(x - y) / (fabs(y) + scale + 1e-30);
        if (isnan(d)) d = INFINITY;
        if (d > worst) {
            worst = d;
            if (where) *where = i;
        }
    }
    return worst;
}

int ov_run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

bool ov_test_have_device(const char *suite) {
    ov_cuda_emulate(true);
    if (ov_cuda_device_count() > 0) return true;
    printf("SKIP: %s: the CUDA device tests need a device: %s\n", suite, ov_cuda_unavailable_reason());
    return false;
}

int ov_run_ovad(const char *args, char *out, size_t n) {
    const char *bin = getenv("OVAD_BIN");
    if (!bin) bin = "build/ovad";
    size_t len = strlen(bin) + strlen(args) + 16;
    char *cmd = malloc(len);
    ck_assert_ptr_nonnull(cmd);
    snprintf(cmd, len, "%s %s 2>&1", bin, args);
    FILE *p = popen(cmd, "r");
    free(cmd);
    ck_assert_ptr_nonnull(p);
    size_t got = 0;
    for (int c; (c = fgetc(p)) != EOF;) /* past n, read on so the child never blocks on a full pipe */
        if (got + 1 < n) out[got++] = (char)c;
    out[got] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the emulated device around each test ---- */

static void emulate_on(void) { ov_cuda_emulate(true); }

static void emulate_off(void) {
    ov_cuda_empty_cache();
    ov_cuda_emulate(false);
}

void ov_tcase_emulated_device(TCase *tc) { tcase_add_checked_fixture(tc, emulate_on, emulate_off); }

TCase *ov_device_tcase(Suite *s, const char *suite, const char *name) {
    bool have = ov_test_have_device(suite);
    ov_cuda_emulate(false);
    TCase *tc = tcase_create(name);
    ov_tcase_emulated_device(tc);
    ov_tcase_leak_check(tc);
    if (have) suite_add_tcase(s, tc);
    return tc;
}

/* ---- a temporary folder for a test ---- */

static char tmpdir[256];
static const char *tmpdir_tag = "test";

const char *ov_tmpdir_make(const char *tag) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ovad-%s-XXXXXX", tag);
    ck_assert_msg(mkdtemp(tmpdir), "cannot make %s", tmpdir);
    return tmpdir;
}

void ov_tmpdir_remove(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

const char *ov_tmpdir(void) { return tmpdir; }

const char *ov_tmp(const char *name) {
    static char p[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

static void tmpdir_setup(void) { ov_tmpdir_make(tmpdir_tag); }

void ov_tcase_tmpdir(TCase *tc, const char *tag) {
    tmpdir_tag = tag; /* read in the test's process, forked after this */
    tcase_add_checked_fixture(tc, tmpdir_setup, ov_tmpdir_remove);
}

/* ---- a file of the shared data folder ---- */

const char *ov_shared_file(const char *file) {
    static char path[1200];
    const char *dir = ov_shared_data(file);
    if (!dir) return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return path;
}

/* ---- a plain Linear module for the module, optimizer and training-state suites ---- */

ovTestLinear *ov_test_linear(ovModule *parent, const char *name, int64_t in, int64_t out) {
    ovTestLinear *l = ov_module_new(parent, name, sizeof *l, "Linear");
    l->weight = ov_param(&l->m, "weight", OV_SHAPE(out, in));
    l->bias = ov_param(&l->m, "bias", OV_SHAPE(out));
    ov_init_torch_default(l->weight, l->bias, &l->m.init_gen);
    return l;
}
