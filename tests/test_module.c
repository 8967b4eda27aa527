/* test_module.c: the module tree: full parameter names, lookup, visiting order, counts,
 * freezing by prefix, train/eval, summaries, gradients living with the parameters, seeded
 * initialisers (reproducible, different per module, the right bounds), module paths in errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/module.h"
#include "tensor/error.h"
#include "tests/check_util.h"

typedef struct {
    ovModule m;
    ovModule *blocks;
    ovTestLinear *fc[12];
    ovTensor *scale;
} Net;

static Net *make_net(uint64_t seed) {
    Net *n = ov_module_root(sizeof *n, "Net", seed);
    n->scale = ov_param(&n->m, "scale", OV_SHAPE(1));
    ov_init_constant(n->scale, 2.0);
    n->blocks = ov_module_new(&n->m, "blocks", sizeof(ovModule), "ModuleList");
    for (int i = 0; i < 12; i++) {
        char nm[12];
        snprintf(nm, sizeof nm, "%d", i);
        n->fc[i] = ov_test_linear(n->blocks, nm, 4, 3);
    }
    ov_scope_begin();
    ov_buffer(&n->m, "position_ids", ov_arange(0, 5, 1, OV_I64));
    ov_scope_end();
    return n;
}

static void collect(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    (void)t;
    char *buf = ctx;
    strcat(buf, name);
    strcat(buf, is_buffer ? "(b) " : " ");
}

START_TEST(test_names_lookup_and_counts) {
    Net *n = make_net(1);
    ck_assert_str_eq(n->fc[3]->weight->name, "blocks.3.weight");
    ck_assert_ptr_eq(ov_module_get(&n->m, "blocks.11.bias"), n->fc[11]->bias);
    ck_assert_ptr_null(ov_module_get(&n->m, "blocks.12.bias"));
    ck_assert_ptr_nonnull(ov_module_get(&n->m, "position_ids"));
    char names[2048] = "";
    ov_module_visit(&n->m, true, collect, names);
    ck_assert_msg(!strncmp(names, "scale position_ids(b) blocks.0.weight blocks.0.bias blocks.1.weight", 66), "%s", names);
    ck_assert_int_eq(ov_module_count(&n->m, false), 25);
    ck_assert_int_eq(ov_module_numel(&n->m, false), 1 + 12 * 15);
    ck_assert_int_eq(ov_module_freeze(&n->m, "blocks.1", true), 2); /* not blocks.10 or blocks.11 */
    ck_assert(!n->fc[1]->weight->requires_grad && n->fc[10]->weight->requires_grad);
    ck_assert_int_eq(ov_module_count(&n->m, true), 23);
    ck_assert_int_eq(ov_module_freeze(&n->m, "blocks.", true), 22);
    ck_assert_int_eq(ov_module_freeze(&n->m, "", false), 24);
    ov_module_train(&n->m, false);
    ck_assert(!n->fc[7]->m.training);
    ov_module_free(&n->m);
}
END_TEST

START_TEST(test_summary) {
    Net *n = make_net(1);
    ov_module_freeze(&n->m, "blocks.0", true);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ov_module_summary(&n->m, f);
    fclose(f);
    ck_assert_msg(strstr(buf, "blocks: (ModuleList)"), "%s", buf);
    ck_assert_msg(strstr(buf, "    weight [3,4] frozen 12"), "%s", buf);
    ck_assert_msg(strstr(buf, "position_ids [5] buffer 5"), "%s", buf);
    ck_assert_msg(strstr(buf, "parameters: 166 trainable, 15 frozen, 181 total"), "%s", buf);
    free(buf);
    ov_module_free(&n->m);
}
END_TEST

START_TEST(test_gradients_live_with_parameters) {
    Net *n = make_net(2);
    for (int step = 0; step < 3; step++) {
        ov_scope_begin();
        ovTensor *x = ov_ones(OV_SHAPE(2, 4), OV_F32);
        ovTensor *y = ov_linear(x, n->fc[0]->weight, n->fc[0]->bias);
        ov_backward(ov_sum(ov_mul(y, n->scale), 0, NULL, false));
        ov_scope_end();
    }
    ck_assert_double_eq_tol(ov_get_flat(n->fc[0]->bias->grad, 0), 3 * 2 * 2.0, 1e-5);
    ov_module_zero_grad(&n->m);
    ck_assert_double_eq(ov_get_flat(n->fc[0]->bias->grad, 0), 0);
    ov_module_free(&n->m); /* the gradients go with the module's scope: the leak check agrees */
}
END_TEST

START_TEST(test_seeded_initialisers) {
    Net *a = make_net(7), *b = make_net(7), *c = make_net(8);
    ck_assert(ov_rel_diff(a->fc[5]->weight, b->fc[5]->weight, NULL) == 0);
    ck_assert(ov_rel_diff(a->fc[5]->weight, c->fc[5]->weight, NULL) > 0);
    ck_assert(ov_rel_diff(a->fc[5]->weight, a->fc[6]->weight, NULL) > 0);
    double bound = 1.0 / sqrt(4.0); /* kaiming_uniform(a=sqrt 5) on fan_in 4: 1/sqrt(fan_in) */
    for (int i = 0; i < 12; i++)
        ck_assert(fabs(ov_get_flat(a->fc[0]->weight, i)) <= bound && fabs(ov_get_flat(a->fc[0]->bias, i % 3)) <= bound);
    ov_module_free(&a->m), ov_module_free(&b->m), ov_module_free(&c->m);
    ov_scope_begin();
    ovGenerator g = ov_generator(3);
    ovTensor *w = ov_empty(OV_SHAPE(300, 200), OV_F32);
    ov_init_xavier_uniform(w, 1.0, &g);
    double lim = sqrt(6.0 / 500), mx = 0, s2 = 0;
    for (int64_t i = 0; i < 60000; i++) {
        double v = ov_get_flat(w, i);
        mx = fmax(mx, fabs(v));
        s2 += v * v;
    }
    ck_assert(mx <= lim && mx > 0.99 * lim);
    ck_assert_double_eq_tol(s2 / 60000, lim * lim / 3, 0.05 * lim * lim / 3);
    ov_init_trunc_normal(w, 0.0, 0.02, -0.04, 0.04, &g);
    s2 = 0, mx = 0;
    for (int64_t i = 0; i < 60000; i++) {
        double v = ov_get_flat(w, i);
        mx = fmax(mx, fabs(v));
        s2 += v * v;
    }
    ck_assert(mx <= 0.04);
    /* a normal truncated at 2 sigma has variance 0.774 sigma^2 */
    ck_assert_double_eq_tol(sqrt(s2 / 60000), 0.02 * sqrt(0.774), 0.0005);
    ov_scope_end();
}
END_TEST

START_TEST(test_module_path_in_errors) {
    Net *n = make_net(1);
    ov_scope_begin();
    ovTrap trap;
    ov_module_enter(n->blocks);
    ov_module_enter(&n->fc[4]->m);
    if (OV_TRY(&trap)) {
        ov_linear(ov_ones(OV_SHAPE(2, 5), OV_F32), n->fc[4]->weight, n->fc[4]->bias);
        ov_trap_pop(&trap);
        ck_abort_msg("a wrong input width was accepted");
    }
    ov_module_leave(&n->fc[4]->m);
    ov_module_leave(n->blocks);
    ck_assert_msg(strstr(ov_last_error(), "(in module blocks.4)") && strstr(ov_last_error(), "'blocks.4.weight' [3,4]"),
                  "%s", ov_last_error());
    ov_scope_end();
    ov_module_free(&n->m);
}
END_TEST

int main(void) {
    Suite *s = suite_create("module");
    TCase *tc = tcase_create("tree");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_names_lookup_and_counts);
    tcase_add_test(tc, test_summary);
    tcase_add_test(tc, test_gradients_live_with_parameters);
    tcase_add_test(tc, test_seeded_initialisers);
    tcase_add_test(tc, test_module_path_in_errors);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
