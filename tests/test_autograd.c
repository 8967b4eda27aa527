/* test_autograd.c: the tape and the backward engine: accumulation into leaves, shared
 * subexpressions, no-grad, detach, hooks, retain_grad, backward with an explicit gradient,
 * in-place modification detection, graphs kept across scopes, and the Graphviz dump. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/dot.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"

static ovTensor *leaf(double v0, double v1) {
    float d[] = {(float)v0, (float)v1};
    return ov_requires_grad(ov_from_data(d, OV_SHAPE(2), OV_F32), true);
}

/* y = sum(x*x + x*3) reuses x three times: dy/dx = 2x + 3 */
START_TEST(test_diamond_and_accumulation) {
    ov_scope_begin();
    ovTensor *x = leaf(1, -2);
    ovTensor *y = ov_sum(ov_add(ov_mul(x, x), ov_mul_scalar(x, 3)), 0, NULL, false);
    ck_assert(y->requires_grad && y->grad_fn);
    ov_backward(y);
    ck_assert_double_eq(ov_get_flat(x->grad, 0), 5);
    ck_assert_double_eq(ov_get_flat(x->grad, 1), -1);
    /* a second backward through a new graph accumulates */
    ov_backward(ov_sum(ov_mul_scalar(x, 10), 0, NULL, false));
    ck_assert_double_eq(ov_get_flat(x->grad, 0), 15);
    ov_zero_grad(x);
    ck_assert_double_eq(ov_get_flat(x->grad, 1), 0);
    ov_scope_end();
}
END_TEST

START_TEST(test_backward_with_gradient) {
    ov_scope_begin();
    ovTensor *x = leaf(2, 3);
    ovTensor *y = ov_exp(x);
    float gd[] = {1, -1};
    ovTensor *g = ov_from_data(gd, OV_SHAPE(2), OV_F32);
    ov_backward_with(1, &y, &g);
    ck_assert_double_eq_tol(ov_get_flat(x->grad, 0), exp(2.0), 1e-4);
    ck_assert_double_eq_tol(ov_get_flat(x->grad, 1), -exp(3.0), 1e-3);
    ov_scope_end();
}
END_TEST

START_TEST(test_no_grad_and_detach) {
    ov_scope_begin();
    ovTensor *x = leaf(1, 2);
    ov_no_grad_begin();
    ovTensor *a = ov_mul(x, x);
    ov_no_grad_end();
    ck_assert(!a->requires_grad && !a->grad_fn);
    ovTensor *d = ov_detach(ov_mul(x, x));
    ck_assert(!d->requires_grad && !d->grad_fn);
    /* z depends on x only through the non-detached path */
    ovTensor *z = ov_sum(ov_add(ov_mul(d, x), x), 0, NULL, false);
    ov_backward(z);
    ck_assert_double_eq(ov_get_flat(x->grad, 0), 2); /* d + 1 = 1 + 1 */
    ck_assert_double_eq(ov_get_flat(x->grad, 1), 5); /* 4 + 1 */
    ov_scope_end();
}
END_TEST

static int hook_calls;
static ovTensor *double_it(ovTensor *t, ovTensor *grad, void *ctx) {
    (void)t;
    (void)ctx;
    hook_calls++;
    return ov_mul_scalar(grad, 2);
}

START_TEST(test_hooks_and_retain_grad) {
    ov_scope_begin();
    hook_calls = 0;
    ovTensor *x = leaf(1, 2);
    ovTensor *h = ov_retain_grad(ov_mul_scalar(x, 3));
    ov_set_grad_hook(h, double_it, NULL);
    ovTensor *y = ov_sum(h, 0, NULL, false);
    ov_backward(y);
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_double_eq(ov_get_flat(h->grad, 0), 2); /* retained after the hook replaced it */
    ck_assert_double_eq(ov_get_flat(x->grad, 0), 6);
    /* a hook on a leaf sees the gradient before it is stored */
    ovTensor *w = leaf(1, 1);
    ov_set_grad_hook(w, double_it, NULL);
    ov_backward(ov_sum(w, 0, NULL, false));
    ck_assert_double_eq(ov_get_flat(w->grad, 1), 2);
    ck_assert_int_eq(hook_calls, 2);
    ov_scope_end();
}
END_TEST

START_TEST(test_inplace_modification_detected) {
    ov_scope_begin();
    ovTensor *x = leaf(1, 2);
    ovTensor *y = ov_exp(x); /* exp's backward uses its output */
    ovTensor *s = ov_sum(y, 0, NULL, false);
    ov_fill_(y, 0);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_backward(s);
        ov_trap_pop(&trap);
        ck_abort_msg("backward used a tensor modified in place");
    }
    ck_assert_msg(strstr(ov_last_error(), "modified in place"), "%s", ov_last_error());
    ck_assert(ov_grad_enabled()); /* the trap restored the no-grad depth */
    ov_scope_end();
}
END_TEST

START_TEST(test_graph_kept_across_scopes) {
    ov_scope_begin();
    ovTensor *x = leaf(3, 4);
    ov_scope_begin();
    ovTensor *inner = ov_mul(x, x);
    ovTensor *y = ov_keep(ov_sum(inner, 0, NULL, false));
    ov_scope_end();
    ov_backward(y); /* the kept graph is intact */
    ck_assert_double_eq(ov_get_flat(x->grad, 0), 6);
    ck_assert_double_eq(ov_get_flat(x->grad, 1), 8);
    ov_scope_end();
}
END_TEST

START_TEST(test_leaf_grad_lives_in_leaf_scope) {
    ovScope *params = ov_scope_new("params");
    ov_scope_push(params);
    ovTensor *w = leaf(1, 2);
    ov_scope_pop(params);
    for (int step = 0; step < 3; step++) {
        ov_scope_begin();
        ov_backward(ov_sum(ov_mul_scalar(w, 2), 0, NULL, false));
        ov_scope_end();
        ck_assert_double_eq(ov_get_flat(w->grad, 0), 2.0 * (step + 1));
    }
    ck_assert_int_eq(ov_scope_count(params), 2); /* w and its one gradient tensor */
    ov_scope_free(params);
}
END_TEST

START_TEST(test_backward_errors) {
    ov_scope_begin();
    ovTensor *x = leaf(1, 2);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        ov_backward(ov_mul(x, x));
        ov_trap_pop(&trap);
        ck_abort_msg("non-scalar loss accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "more than one element"), "%s", ov_last_error());
    ovTensor *c = ov_ones(OV_SHAPE(1), OV_F32);
    if (OV_TRY(&trap)) {
        ov_backward(c);
        ov_trap_pop(&trap);
        ck_abort_msg("constant loss accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "does not require grad"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

START_TEST(test_graphviz_dump) {
    ov_scope_begin();
    ovTensor *w = ov_named(leaf(1, 2), "weight");
    ovTensor *x = ov_named(ov_ones(OV_SHAPE(2), OV_F32), "input");
    ovTensor *y = ov_named(ov_sum(ov_softplus(ov_mul(w, x), 2, 20), 0, NULL, false), "loss");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ov_graph_dot(f, 1, &y);
    fclose(f);
    ck_assert_msg(strstr(buf, "digraph"), "%s", buf);
    ck_assert_msg(strstr(buf, "weight\\n[2] f32"), "%s", buf);
    ck_assert_msg(strstr(buf, "input\\n[2] f32"), "%s", buf);
    ck_assert_msg(strstr(buf, "loss\\n[] f32"), "%s", buf);
    ck_assert_msg(strstr(buf, "label=\"softplus\\nbeta=2"), "%s", buf);
    ck_assert_msg(strstr(buf, "label=\"mul\""), "%s", buf);
    ck_assert_msg(strstr(buf, "label=\"sum\\ndims=\\nkeepdim=false\""), "%s", buf);
    free(buf);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("autograd");
    TCase *tc = tcase_create("engine");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_diamond_and_accumulation);
    tcase_add_test(tc, test_backward_with_gradient);
    tcase_add_test(tc, test_no_grad_and_detach);
    tcase_add_test(tc, test_hooks_and_retain_grad);
    tcase_add_test(tc, test_inplace_modification_detected);
    tcase_add_test(tc, test_graph_kept_across_scopes);
    tcase_add_test(tc, test_leaf_grad_lives_in_leaf_scope);
    tcase_add_test(tc, test_backward_errors);
    tcase_add_test(tc, test_graphviz_dump);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
