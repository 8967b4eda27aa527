/* fn_fixtures.h: PyTorch fixtures for library functions that are not op-table entries (the box
 * utilities and losses of nn/), written by tools/gen_loss_fixtures.py. A folder holds one
 * safetensors file per case and an index.txt listing them; a case stores the function's inputs
 * under its argument names, metadata fn=<name> plus the scalar arguments, the reference `out`,
 * and `grad_<arg>` for the upstream gradient `grad_out`. A suite gives a table from fn names to
 * runners; this file does the rest: inputs as leaves (moved to the device under test, so that
 * gradients flow back across the copy), forward, backward, comparisons. */
#ifndef OV_FN_FIXTURES_H
#define OV_FN_FIXTURES_H

#include <check.h>

#include "tensor/safetensors.h"
#include "tensor/tensor.h"

#define OV_FN_MAX_INPUTS 8

typedef struct {
    ovSafetensors *st;
    const char *path;
    ovDevice dev;
    int n;
    const char *names[OV_FN_MAX_INPUTS];
    ovTensor *leaf[OV_FN_MAX_INPUTS]; /* CPU leaves (gradients land here) */
    ovTensor *in[OV_FN_MAX_INPUTS];   /* the same on the device under test */
} ovFnCase;

/* The input called name on the case's device, or NULL when the case has none. */
ovTensor *ov_fn_in(const ovFnCase *c, const char *name);
/* A metadata value (fails the test when absent), as text or as a number. */
const char *ov_fn_meta(const ovFnCase *c, const char *key);
double ov_fn_num(const ovFnCase *c, const char *key);

typedef struct {
    const char *name;
    ovTensor *(*run)(const ovFnCase *c);
} ovFnEntry;

/* Reads dir/index.txt into a list of paths (kept for the life of the process). Returns the count,
 * or -1 when the index is missing. */
int ov_fn_index(const char *dir, const char ***paths);

/* Runs one fixture file through the table on dev and asserts out and every stored gradient agree
 * within tol (relative, ov_rel_diff). Opens its own scope. */
void ov_fn_check(const char *path, const ovFnEntry *table, ovDevice dev, double tol);

/* Asserts that every function of the table has at least one fixture among the paths. */
void ov_fn_check_coverage(const ovFnEntry *table, int n, const char *const *paths);

/* The fixture cases of a suite, added to s: "cpu" runs every fixture of dir/index.txt on the host
 * (within tol) and asserts that every function of the table has one (a missing index fails and
 * says how to regenerate it); "device", when a device is usable, runs the few named device_cases
 * (dir/<name>.safetensors; the emulated device is slow) with the emulator on around each test.
 * Returns the cpu case, for the suite's own tests. Once per program. */
TCase *ov_fn_add_cases(Suite *s, const char *suite, const char *dir, const ovFnEntry *table, double tol,
                       const char *const *device_cases, int n_device_cases);

#endif
