/* check_util.h: shared pieces of the Check suites: a fixture that asserts nothing is left
 * allocated when a test ends, and tensor comparison helpers. */
#ifndef OV_CHECK_UTIL_H
#define OV_CHECK_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "tensor/tensor.h"

/* Adds the zero-live-allocations teardown to a test case. */
void ov_tcase_leak_check(TCase *tc);

/* Path of the shared data folder (../shared/data relative to the project root), or NULL after
 * printing why the calling test skips. */
const char *ov_shared_data(const char *file_for_message);

/* Largest |a-b| / (|b| + scale) over the elements, scale = rms of b (float), or -1 on shape or
 * dtype mismatch; ints and bools compare exactly (returns 0 or +inf). NaN == NaN. */
double ov_rel_diff(const ovTensor *a, const ovTensor *b, int64_t *where);

/* Turns the emulated CUDA device on (the real backend ignores that and looks for a GPU) and says
 * whether a device is usable; when not, prints why the device tests are skipped. */
bool ov_test_have_device(const char *suite);

/* Runs `ovad ARGS` ($OVAD_BIN, else build/ovad; ARGS go through the shell) with stderr merged
 * into stdout; fills out (n bytes, NUL-terminated, cut when longer) and returns the exit status
 * (-1 when it did not exit normally). */
int ov_run_ovad(const char *args, char *out, size_t n);

/* Runs a suite and returns the number of failures. */
int ov_run_suite(Suite *s);

#endif
