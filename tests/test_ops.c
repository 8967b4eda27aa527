/* test_ops.c: the op table, walked. For every registered op and every test case its generator
 * makes: the fast CPU kernels against the naive reference (forward and backward, on contiguous,
 * transposed, strided and broadcast inputs), and a finite-difference gradient check. The PyTorch
 * fixtures are checked in test_fixtures.c. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/op.h"
#include "autograd/ops.h"
#include "tensor/create.h"
#include "tests/check_util.h"

#define MAX_CASES 64

static bool differentiable_input(const ovOpCall *c, int i) {
    const ovArgDef *a = &c->op->args[i < c->op->n_args ? i : c->op->n_args - 1];
    return c->in[i] && c->in[i]->dtype == OV_F32 && !c->in[i]->grad_fn && !(a->flags & OV_ARG_NO_GRAD) &&
           (a->kind == OV_ARG_FLOAT || a->kind == OV_ARG_ANY);
}

/* Runs the call with the given implementation; returns outputs and input gradients. */
static int run_impl(ovOpCall *c, ovImpl impl, ovTensor **out, ovTensor **grads) {
    ov_set_cpu_impl(impl);
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
            seeds[nr++] = ov_randn(out[k]->ndim, out[k]->shape, 0, 1, &g);
        }
    if (nr) ov_backward_with(nr, roots, seeds);
    for (int i = 0; i < c->n_in; i++) grads[i] = c->in[i] ? c->in[i]->grad : NULL;
    ov_set_cpu_impl(OV_IMPL_FAST);
    return n;
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

int main(void) { return ov_run_suite(ops_suite()) ? 1 : 0; }
