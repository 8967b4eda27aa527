/* check_util.h: shared pieces of the Check suites: a fixture that asserts nothing is left
 * allocated when a test ends, and tensor comparison helpers; below ov_run_suite, the emulated
 * device around tests, a temporary folder, shared data files and a plain Linear module. */
#ifndef OV_CHECK_UTIL_H
#define OV_CHECK_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "nn/module.h"
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

/* ---- the emulated device around each test ---- */

/* Adds a fixture that turns the emulated CUDA device on before each test of tc and, after it,
 * empties the device cache and turns the emulator off again (the suites' other cases run on the
 * host). */
void ov_tcase_emulated_device(TCase *tc);

/* A test case `name` of s for the device: ov_tcase_emulated_device and the leak check around each
 * test. It joins s only when a device is usable (else ov_test_have_device prints why, for suite),
 * and the emulator is left off for the suite's host cases. */
TCase *ov_device_tcase(Suite *s, const char *suite, const char *name);

/* ---- a temporary folder for a test ---- */

/* Makes a fresh folder /tmp/ovad-<tag>-XXXXXX; returns its path (ov_tmpdir() from then on). */
const char *ov_tmpdir_make(const char *tag);
/* Removes that folder and everything in it. */
void ov_tmpdir_remove(void);
const char *ov_tmpdir(void);
/* name inside the folder, in one of eight buffers used in turn (a call may take several paths). */
const char *ov_tmp(const char *name);
/* Adds a fixture that makes the folder before each test of tc and removes it after. */
void ov_tcase_tmpdir(TCase *tc, const char *tag);

/* ---- a file of the shared data folder ---- */

/* The path of file in the shared data folder (a static buffer), or NULL after printing why the
 * calling test skips (ov_shared_data). */
const char *ov_shared_file(const char *file);

/* ---- a plain Linear module for the module, optimizer and training-state suites ---- */

typedef struct {
    ovModule m;
    ovTensor *weight, *bias;
} ovTestLinear;

/* A child `name` of parent (type "Linear") with weight [out, in] and bias [out], initialised
 * like torch.nn.Linear from the module's generator. */
ovTestLinear *ov_test_linear(ovModule *parent, const char *name, int64_t in, int64_t out);

#endif
