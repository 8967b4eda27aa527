/* check_util.c: fixture and comparison helpers for the Check suites (see check_util.h). */
#include "tests/check_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernels/cuda/device.h"
#include "tensor/alloc.h"
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
