/* test_ops.c: the op table, walked. For every registered op and every test case its generator
 * makes: the fast CPU kernels and the CUDA kernels (on the emulator, or a GPU under
 * `make gpu-test`) against the naive reference, forward and backward, on contiguous, transposed,
 * strided and broadcast inputs; and a finite-difference gradient check. The PyTorch fixtures are
 * checked in test_fixtures.c. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/op.h"
#include "autograd/ops.h"
#include "kernels/cuda/device.h"
#include "tensor/create.h"
#include "tests/check_util.h"

#define MAX_CASES 64

static bool have_device; /* run the CUDA comparisons (emulated, or a GPU under make gpu-test) */

static bool differentiable_input(const ovOpCall *c, int i) {
    const ovArgDef *a = &c->op->args[i < c->op->n_args ? i : c->op->n_args - 1];
    return c->in[i] && c->in[i]->dtype == OV_F32 && !c->in[i]->grad_fn && !(a->flags & OV_ARG_NO_GRAD) &&
           (a->kind == OV_ARG_FLOAT || a->kind == OV_ARG_ANY);
}

/* Runs the call with the given implementation; returns outputs and input gradients (on the CPU). */
static int run_impl(ovOpCall *c, ovImpl impl, ovTensor **out, ovTensor **grads) {
    ov_set_cpu_impl(impl == OV_IMPL_CUDA ? OV_IMPL_FAST : impl);
    for (int i = 0; i < c->n_in; i++) {
        grads[i] = NULL;
        if (c->in[i]) c->in[i]->grad = NULL;
    }
    int n = ov_apply(c, out);
    ovTensor *roots[OV_MAX_OUTPUTS], *seeds[OV_MAX_OUTPUTS];
    int nr = 0;
    ovGenerator g = ov_generator(77);
    for (int k = 0; k < n; k++)
        if (out[k]->requires_grad) {
            roots[nr] = out[k];
            seeds[nr++] = ov_to_device(ov_randn(out[k]->ndim, out[k]->shape, 0, 1, &g), ov_device(out[k]));
        }
    if (nr) ov_backward_with(nr, roots, seeds);
    for (int i = 0; i < c->n_in; i++) grads[i] = c->in[i] && c->in[i]->grad ? ov_to_device(c->in[i]->grad, OV_DEV_CPU) : NULL;
    for (int k = 0; k < n; k++) out[k] = ov_to_device(out[k], OV_DEV_CPU);
    ov_set_cpu_impl(OV_IMPL_FAST);
    return n;
}

/* t on the device with the same geometry (the whole storage goes over, so views stay views). */
static ovTensor *to_device_same_layout(ovTensor *t) {
    ovStorage *s = ov_storage_new(t->storage->nbytes, OV_DEV_CUDA);
    ov_cuda_copy(s->data, t->storage->data, t->storage->nbytes, OV_COPY_H2D);
    int64_t n = (int64_t)(t->storage->nbytes / ov_dtype_size(t->dtype));
    ovTensor *whole = ov_from_storage(s, t->dtype, 1, &n, 0);
    ov_storage_release(s); /* `whole` holds it now */
    ovTensor *d = ov_view_of(whole, t->ndim, t->shape, t->stride, t->offset);
    d->requires_grad = t->requires_grad;
    return d;
}

static void expect_close(const char *op, int k, const char *what, int idx, ovTensor *fast, ovTensor *ref, double tol) {
    int64_t where;
    double d = ov_rel_diff(fast, ref, &where);
    ck_assert_msg(d >= 0, "%s case %d: %s %d: shape or dtype differs between fast and reference", op, k, what, idx);
    ck_assert_msg(d <= tol, "%s case %d: %s %d: fast vs reference relative error %.3g > %.3g at element %lld (%.8g vs %.8g)",
                  op, k, what, idx, d, tol, (long long)where, ov_get_flat(fast, where), ov_get_flat(ref, where));
}

START_TEST(test_fast_matches_reference) {
    ovOpDef *op = ov_op_at(_i);
    double tol = (op->fast_tol > 0 ? op->fast_tol : 4) * FLT_EPSILON;
    int cases = 0;
    for (int k = 0; k < MAX_CASES; k++) {
        ov_scope_begin();
        ovOpCall c = ov_call(op);
        if (!op->make_case(k, &c)) {
            ov_scope_end();
            break;
        }
        cases++;
        for (int i = 0; i < c.n_in; i++)
            if (differentiable_input(&c, i) && !(op->flags & OV_OP_NO_GRAD)) ov_requires_grad(c.in[i], true);
        ovTensor *out_r[OV_MAX_OUTPUTS], *out_f[OV_MAX_OUTPUTS], *g_r[OV_MAX_INPUTS], *g_f[OV_MAX_INPUTS];
        int nr = run_impl(&c, OV_IMPL_REF, out_r, g_r);
        int nf = run_impl(&c, OV_IMPL_FAST, out_f, g_f);
        ck_assert_msg(nr == nf, "%s case %d: %d outputs from the reference, %d from fast", op->name, k, nr, nf);
        for (int o = 0; o < nr; o++) {
            expect_close(op->name, k, "output", o, out_f[o], out_r[o], tol);
            if (op->flags & OV_OP_VIEW)
                ck_assert_msg(out_f[o]->storage == c.in[0]->storage, "%s case %d: a view op copied", op->name, k);
        }
        for (int i = 0; i < c.n_in; i++) {
            ck_assert_msg((g_r[i] == NULL) == (g_f[i] == NULL), "%s case %d: gradient of input %d missing in one run",
                          op->name, k, i);
            if (g_r[i]) expect_close(op->name, k, "gradient of input", i, g_f[i], g_r[i], tol);
        }
        if ((op->flags & OV_OP_CUDA) && have_device) { /* the same call with every input on the device */
            ovOpCall d = c;
            for (int i = 0; i < c.n_in; i++)
                if (c.in[i]) d.in[i] = to_device_same_layout(c.in[i]);
            ovTensor *out_d[OV_MAX_OUTPUTS], *g_d[OV_MAX_INPUTS];
            int nd = run_impl(&d, OV_IMPL_CUDA, out_d, g_d);
            ck_assert_int_eq(nd, nr);
            for (int o = 0; o < nr; o++) expect_close(op->name, k, "CUDA output", o, out_d[o], out_r[o], tol);
            for (int i = 0; i < c.n_in; i++)
                if (g_r[i]) {
                    ck_assert_msg(g_d[i] != NULL, "%s case %d: no CUDA gradient for input %d", op->name, k, i);
                    expect_close(op->name, k, "CUDA gradient of input", i, g_d[i], g_r[i], tol);
                }
        }
        ov_scope_end();
    }
    ck_assert_msg(cases > 0, "%s: its test-case generator made no case", op->name);
}
END_TEST

START_TEST(test_gradient_matches_finite_differences) {
    ovOpDef *op = ov_op_at(_i);
    if ((op->flags & OV_OP_NO_GRAD) || !op->backward) return;
    double eps = op->grad_eps > 0 ? op->grad_eps : 1e-2;
    double tol = op->grad_tol > 0 ? op->grad_tol : 2e-2;
    int checked = 0;
    for (int k = 0; k < MAX_CASES; k++) {
        ov_scope_begin();
        ovOpCall c = ov_call(op);
        if (!op->make_case(k, &c)) {
            ov_scope_end();
            break;
        }
        ovGradcheck r = ov_gradcheck(&c, eps, tol, 24);
        checked += r.checked;
        ck_assert_msg(r.ok, "%s case %d: gradient check failed, max error %.3g > %.3g at %s", op->name, k, r.max_err,
                      tol, r.worst);
        ov_scope_end();
    }
    ck_assert_msg(checked > 0, "%s: differentiable but no input element was checked", op->name);
}
END_TEST

START_TEST(test_every_op_is_complete) {
    for (int i = 0; i < ov_op_count(); i++) {
        ovOpDef *op = ov_op_at(i);
        ck_assert_msg(op->doc && op->doc[0], "%s has no doc line", op->name);
        ck_assert_msg(op->forward, "%s has no forward", op->name);
        ck_assert_msg(op->make_case, "%s has no test-case generator", op->name);
        ck_assert_msg((op->flags & OV_OP_NO_GRAD) || op->backward, "%s is differentiable but has no backward", op->name);
        ck_assert_msg(op->flags & OV_OP_CUDA, "%s has no CUDA kernels", op->name);
        ck_assert_msg(ov_op_find(op->name) == op, "%s is registered twice", op->name);
    }
}
END_TEST

Suite *ops_suite(void) {
    Suite *s = suite_create("ops");
    int n = ov_op_count();
    TCase *tc = tcase_create("table");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_every_op_is_complete);
    suite_add_tcase(s, tc);
    tc = tcase_create("fast_vs_reference");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_fast_matches_reference, 0, n);
    suite_add_tcase(s, tc);
    tc = tcase_create("gradcheck");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_gradient_matches_finite_differences, 0, n);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    have_device = ov_test_have_device("ops");
    int failed = ov_run_suite(ops_suite());
    ov_cuda_empty_cache();
    return failed ? 1 : 0;
}
