/* test_layer_props.c: what the PyTorch fixtures cannot pin down. Dropout and DropPath statistics
 * (fraction dropped, scaling, per-sample masks, identity in eval, gradients through the same
 * mask) and their seeding (masks differ between calls, repeat from the root seed); attention
 * dropout; the written-out attention path against the fused one; the qkv/out halves of the
 * attention; initial values with PyTorch's distributions; summaries; errors naming the module. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/layers.h"
#include "nn/state.h"
#include "tensor/error.h"
#include "tests/check_util.h"

typedef struct {
    ovModule m;
    ovDropout *drop;
    ovDropPath *path;
    ovMHA *attn;
    ovMLP *mlp;
} Net;

static Net *make_net(uint64_t seed, double p) {
    Net *n = ov_module_root(sizeof *n, "Net", seed);
    n->drop = ov_dropout_new(&n->m, "drop", p);
    n->path = ov_drop_path_new(&n->m, "drop_path", p);
    n->attn = ov_mha_new(&n->m, "attn", 8, 2, OV_MHA_PACKED, false, p);
    n->mlp = ov_mlp_new(&n->m, "mlp", 8, 16, 8, &(ovMLPCfg){.fc1 = "c_fc", .fc2 = "c_proj", .act = OV_ACT_QUICK_GELU, .dropout = p});
    return n;
}

static double frac_zero(ovTensor *t) {
    int64_t n = ov_numel(t), z = 0;
    for (int64_t i = 0; i < n; i++) z += ov_get_flat(t, i) == 0;
    return (double)z / (double)n;
}

START_TEST(test_dropout_statistics_and_seeding) {
    Net *a = make_net(11, 0.3), *b = make_net(11, 0.3);
    ov_scope_begin();
    ovTensor *x = ov_requires_grad(ov_full(OV_SHAPE(200, 100), 2.0, OV_F32), true);
    ovTensor *y1 = ov_dropout_forward(a->drop, x), *y2 = ov_dropout_forward(a->drop, x);
    /* 20000 draws: the fraction is within 4 sigma (0.013) of p; kept values are x / (1 - p) */
    ck_assert_double_eq_tol(frac_zero(y1), 0.3, 0.013);
    for (int64_t i = 0; i < 20000; i++) {
        double v = ov_get_flat(y1, i);
        ck_assert(v == 0 || fabs(v - 2.0 / 0.7) < 1e-5);
    }
    ck_assert(ov_rel_diff(y1, y2, NULL) > 0); /* a fresh mask per call */
    /* the same root seed gives the same sequence of masks */
    ck_assert(ov_rel_diff(ov_dropout_forward(b->drop, x), y1, NULL) == 0);
    ck_assert(ov_rel_diff(ov_dropout_forward(b->drop, x), y2, NULL) == 0);
    /* the gradient goes through the same mask */
    ov_backward(ov_sum(y1, 0, NULL, false));
    for (int64_t i = 0; i < 20000; i += 7) ck_assert_double_eq_tol(ov_get_flat(x->grad, i), ov_get_flat(y1, i) / 2.0, 1e-6);
    /* eval: the identity, the input itself */
    ov_module_train(&a->m, false);
    ck_assert_ptr_eq(ov_dropout_forward(a->drop, x), x);
    ov_scope_end();
    ov_module_free(&a->m), ov_module_free(&b->m);
}
END_TEST

START_TEST(test_drop_path_per_sample) {
    Net *a = make_net(12, 0.25), *b = make_net(12, 0.25);
    ov_scope_begin();
    ovGenerator g = ov_generator(1);
    ovTensor *x = ov_requires_grad(ov_rand(OV_SHAPE(4000, 3, 2), 1, 2, &g), true);
    ovTensor *y = ov_drop_path_forward(a->path, x);
    int64_t dropped = 0;
    for (int64_t s = 0; s < 4000; s++) {
        bool zero = ov_get_flat(y, s * 6) == 0;
        dropped += zero;
        for (int64_t j = 0; j < 6; j++) { /* a whole sample goes, or all of it is scaled */
            double v = ov_get_flat(y, s * 6 + j), want = zero ? 0 : ov_get_flat(x, s * 6 + j) / 0.75;
            ck_assert_msg(fabs(v - want) < 1e-5, "sample %lld element %lld: %g vs %g", (long long)s, (long long)j, v, want);
        }
    }
    ck_assert_double_eq_tol((double)dropped / 4000, 0.25, 0.028); /* 4 sigma */
    ck_assert(ov_rel_diff(ov_drop_path_forward(a->path, x), y, NULL) > 0);
    ck_assert(ov_rel_diff(ov_drop_path_forward(b->path, x), y, NULL) == 0);
    ov_backward(ov_sum(y, 0, NULL, false));
    for (int64_t s = 0; s < 4000; s += 13)
        ck_assert_double_eq_tol(ov_get_flat(x->grad, s * 6 + 1), ov_get_flat(y, s * 6) == 0 ? 0 : 1 / 0.75, 1e-6);
    ov_module_train(&a->m, false);
    ck_assert_ptr_eq(ov_drop_path_forward(a->path, x), x);
    /* p = 1 drops everything, p = 0 nothing */
    ov_module_train(&a->m, true);
    a->path->p = 1.0;
    ck_assert_double_eq(frac_zero(ov_drop_path_forward(a->path, x)), 1.0);
    a->path->p = 0.0;
    ck_assert_ptr_eq(ov_drop_path_forward(a->path, x), x);
    ov_scope_end();
    ov_module_free(&a->m), ov_module_free(&b->m);
}
END_TEST

/* Attention and MLP dropout in training: reproducible from the seed, different per call, gone in
 * eval (where the layer equals one built with p = 0 and the same weights). */
START_TEST(test_attention_and_mlp_dropout) {
    Net *a = make_net(13, 0.5), *b = make_net(13, 0.5), *c = make_net(99, 0.0);
    ov_scope_begin();
    ovGenerator g = ov_generator(2);
    ovTensor *x = ov_randn(OV_SHAPE(6, 3, 8), 0, 1, &g), *w1, *w2;
    ovMHAOpts o1 = {.weights = &w1, .per_head_weights = true}, o2 = {.weights = &w2, .per_head_weights = true};
    ovTensor *y1 = ov_mha_forward(a->attn, x, x, x, &o1), *y2 = ov_mha_forward(a->attn, x, x, x, &o2);
    ck_assert(ov_rel_diff(y1, y2, NULL) > 0);
    ck_assert(ov_rel_diff(ov_mha_forward(b->attn, x, x, x, NULL), y1, NULL) == 0);
    /* the returned weights are after dropout (like torch): zeros, and the rest scaled by 2 */
    double z = frac_zero(w1);
    ck_assert(z > 0.3 && z < 0.7);
    ovTensor *m1 = ov_mlp_forward(a->mlp, x);
    ck_assert(ov_rel_diff(ov_mlp_forward(b->mlp, x), m1, NULL) == 0);
    ck_assert(ov_rel_diff(ov_mlp_forward(a->mlp, x), m1, NULL) > 0);
    ov_module_train(&a->m, false);
    ck_assert_int_eq(ov_module_load(&c->m, ov_module_state(&a->m, true), NULL, "a", NULL), 0);
    ck_assert(ov_rel_diff(ov_mha_forward(a->attn, x, x, x, NULL), ov_mha_forward(c->attn, x, x, x, NULL), NULL) == 0);
    ck_assert(ov_rel_diff(ov_mlp_forward(a->mlp, x), ov_mlp_forward(c->mlp, x), NULL) == 0);
    ov_scope_end();
    ov_module_free(&a->m), ov_module_free(&b->m), ov_module_free(&c->m);
}
END_TEST

/* A float mask that requires a gradient takes the written-out path; without one, sdpa. Both give
 * the same output and input gradients; causal masking agrees too. A [B, 1, L, S] mask works. */
START_TEST(test_attention_paths_agree) {
    Net *n = make_net(14, 0.0);
    ov_scope_begin();
    ovGenerator g = ov_generator(3);
    int64_t L = 5, B = 2, H = 2;
    ovTensor *x = ov_requires_grad(ov_randn(OV_SHAPE(L, B, 8), 0, 1, &g), true);
    ovTensor *bias = ov_randn(OV_SHAPE(B * H, L, L), 0, 1, &g), *bias_g = ov_requires_grad(ov_contiguous_copy(bias), true);
    ovTensor *gy = ov_randn(OV_SHAPE(L, B, 8), 0, 1, &g);
    for (int causal = 0; causal < 2; causal++) {
        ovTensor *wa, *wb;
        ovTensor *ya = ov_mha_forward(n->attn, x, x, x, &(ovMHAOpts){.attn_mask = bias, .is_causal = causal, .weights = &wa});
        ov_backward(ov_sum(ov_mul(ya, gy), 0, NULL, false));
        ovTensor *ga = ov_contiguous_copy(x->grad);
        ov_zero_grad(x);
        ovTensor *yb = ov_mha_forward(n->attn, x, x, x, &(ovMHAOpts){.attn_mask = bias_g, .is_causal = causal, .weights = &wb});
        ov_backward(ov_sum(ov_mul(yb, gy), 0, NULL, false));
        ck_assert(ov_rel_diff(yb, ya, NULL) < 1e-5);
        ck_assert(ov_rel_diff(wb, wa, NULL) < 1e-5);
        ck_assert(ov_rel_diff(x->grad, ga, NULL) < 1e-5);
        ck_assert(bias_g->grad && !bias->grad);
        ov_zero_grad(x);
        if (causal) ck_assert_double_eq(ov_get(wa, (int64_t[]){1, 0, 3}), 0.0); /* key 3 is after query 0 */
    }
    /* an HF-style additive [B, 1, L, S] mask equals the same mask given per head [B*H, L, S] */
    ovTensor *m4 = ov_randn(OV_SHAPE(B, 1, L, L), 0, 1, &g);
    ovTensor *m3 = ov_reshape(ov_expand(m4, OV_SHAPE(B, H, L, L)), OV_SHAPE(B * H, L, L));
    ck_assert(ov_rel_diff(ov_mha_forward(n->attn, x, x, x, &(ovMHAOpts){.attn_mask = m4}),
                          ov_mha_forward(n->attn, x, x, x, &(ovMHAOpts){.attn_mask = m3}), NULL) < 1e-6);
    ov_scope_end();
    ov_module_free(&n->m);
}
END_TEST

/* ov_mha_qkv + ov_sdpa + ov_mha_out is the forward (the pieces CLIP-ViP's attention is made of). */
START_TEST(test_attention_halves) {
    ovModule *root = ov_module_root(sizeof(ovModule), "Root", 15);
    ovMHA *a = ov_mha_new(root, "attn", 12, 3, OV_MHA_SEPARATE, true, 0.0);
    ov_scope_begin();
    ovGenerator g = ov_generator(4);
    ovTensor *x = ov_randn(OV_SHAPE(2, 7, 12), 0, 1, &g), *q, *k, *v;
    ov_mha_qkv(a, x, x, x, &q, &k, &v);
    ck_assert_int_eq(q->ndim, 4);
    ck_assert(q->shape[0] == 2 && q->shape[1] == 3 && q->shape[2] == 7 && q->shape[3] == 4);
    ovTensor *y = ov_mha_out(a, ov_sdpa(q, k, v, NULL, false, 0.0, NULL));
    ck_assert(ov_rel_diff(y, ov_mha_forward(a, x, x, x, NULL), NULL) < 1e-6);
    ov_scope_end();
    ov_module_free(root);
}
END_TEST

static double max_abs(ovTensor *t, double *rms) {
    double m = 0, ss = 0;
    int64_t n = ov_numel(t);
    for (int64_t i = 0; i < n; i++) {
        double v = ov_get_flat(t, i);
        m = fmax(m, fabs(v));
        ss += v * v;
    }
    if (rms) *rms = sqrt(ss / (double)n);
    return m;
}

/* PyTorch's reset_parameters rules: bounds, constants, and the seed. */
START_TEST(test_initial_values) {
    ovModule *root = ov_module_root(sizeof(ovModule), "Root", 16);
    ovMHA *mha = ov_mha_new(root, "attn", 64, 4, OV_MHA_PACKED, false, 0.0);
    ovLinear *lin = ov_linear_new(root, "fc", 50, 30, true);
    ovLayerNorm *ln = ov_layer_norm_new(root, "ln", OV_SHAPE(4, 6), 1e-5, true);
    ovChannelLayerNorm *cln = ov_channel_layer_norm_new(root, "cln", 7, 1e-6);
    ovEmbedding *emb = ov_embedding_new(root, "emb", 100, 50);
    ovConv *ct = ov_conv_transpose3d_new(root, "up", 16, 8, &(ovConvCfg){.kernel = {1, 2, 2}, .stride = {1, 2, 2}});
    ovConv *c3 = ov_conv3d_new(root, "c3", 8, 4, &(ovConvCfg){.kernel = {3, 3, 3}, .padding = {1, 1, 1}, .no_bias = true});
    ov_scope_begin();
    double rms;
    double xb = sqrt(6.0 / (64 + 3 * 64)); /* xavier_uniform on [3E, E] */
    ck_assert(max_abs(mha->in_proj_weight, NULL) <= xb && max_abs(mha->in_proj_weight, NULL) > 0.95 * xb);
    ck_assert_double_eq(max_abs(mha->in_proj_bias, NULL), 0);
    ck_assert_double_eq(max_abs(mha->out_proj->bias, NULL), 0);
    ck_assert(max_abs(mha->out_proj->weight, NULL) <= 1 / 8.0); /* kaiming(a=sqrt 5): 1/sqrt(fan_in) */
    ck_assert(max_abs(lin->weight, NULL) <= 1 / sqrt(50.0) && max_abs(lin->bias, NULL) <= 1 / sqrt(50.0));
    ck_assert(max_abs(lin->bias, NULL) > 0);
    ck_assert_double_eq(ov_get_flat(ln->weight, 23), 1);
    ck_assert_int_eq(ln->weight->ndim, 2);
    ck_assert_double_eq(max_abs(ln->bias, NULL), 0);
    ck_assert_double_eq(ov_get_flat(cln->weight, 6), 1);
    max_abs(emb->weight, &rms);
    ck_assert_double_eq_tol(rms, 1.0, 0.05); /* N(0, 1) */
    /* transposed weight [in, out, k]: fan_in = out * prod(k) = 32 */
    ck_assert_int_eq(ct->weight->shape[0], 16);
    ck_assert(max_abs(ct->weight, NULL) <= 1 / sqrt(32.0) && max_abs(ct->bias, NULL) <= 1 / sqrt(32.0));
    ck_assert(max_abs(ct->weight, NULL) > 0.9 / sqrt(32.0));
    ck_assert_ptr_null(c3->bias);
    ck_assert(max_abs(c3->weight, NULL) <= 1 / sqrt(8 * 27.0));
    ov_scope_end();
    ov_module_free(root);
}
END_TEST

START_TEST(test_summary_describes_layers) {
    Net *n = make_net(17, 0.1);
    ovModule *root = &n->m;
    ov_conv3d_new(root, "proj", 3, 8, &(ovConvCfg){.kernel = {1, 16, 16}, .stride = {1, 16, 16}, .no_bias = true});
    ov_max_pool3d_new(root, "pool", (int64_t[]){1, 2, 2}, NULL, NULL, false);
    ov_layer_norm_new(root, "ln", OV_SHAPE(8), 1e-5, false);
    ov_gelu_new(root, "act", false);
    ov_quick_gelu_new(root, "qg");
    ov_relu_new(root, "relu");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ov_module_summary(root, f);
    fclose(f);
    const char *want[] = {"drop: (Dropout) p=0.1", "drop_path: (DropPath) p=0.1",
                          "attn: (MultiheadAttention) embed_dim=8, heads=2, packed in_proj, dropout=0.1",
                          "in_proj_weight [24,8] trains 192", "out_proj: (Linear) in=8, out=8",
                          "mlp: (MLP) 8 -> 16 -> 8, QuickGELU, dropout=0.1", "c_fc: (Linear) in=8, out=16",
                          "proj: (Conv3d) 3 -> 8, kernel=(1,16,16), stride=(1,16,16), padding=(0,0,0), no bias",
                          "pool: (MaxPool3d) kernel=(1,2,2), stride=(1,2,2), padding=(0,0,0)",
                          "ln: (LayerNorm) shape=[8], eps=1e-05, no affine", "act: (GELU)", "qg: (QuickGELU)",
                          "relu: (ReLU)"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) ck_assert_msg(strstr(buf, want[i]), "no '%s' in\n%s", want[i], buf);
    free(buf);
    ov_module_free(root);
}
END_TEST

/* Shape errors name the layer's path, what it expected and what it got. */
static const char *error_of(void (*fn)(void *), void *ctx) {
    ovTrap trap;
    if (OV_TRY(&trap)) {
        fn(ctx);
        ov_trap_pop(&trap);
        ck_abort_msg("no error");
    }
    return ov_last_error();
}

static void bad_mask(void *ctx) {
    Net *n = ctx;
    ovTensor *x = ov_zeros(OV_SHAPE(5, 2, 8), OV_F32);
    ov_mha_forward(n->attn, x, x, x, &(ovMHAOpts){.attn_mask = ov_zeros(OV_SHAPE(3, 5, 5), OV_F32)});
}

static void bad_width(void *ctx) {
    Net *n = ctx;
    ovTensor *x = ov_zeros(OV_SHAPE(5, 2, 6), OV_F32);
    ov_mha_forward(n->attn, x, x, x, NULL);
}

static void bad_ln(void *ctx) {
    ovLayerNorm *ln = ov_layer_norm_new(ctx, "norm", OV_SHAPE(4, 6), 1e-5, true);
    ov_layer_norm_forward(ln, ov_zeros(OV_SHAPE(2, 6, 4), OV_F32));
}

START_TEST(test_errors_name_the_module) {
    Net *n = make_net(18, 0.0);
    ov_scope_begin();
    const char *e = error_of(bad_mask, n);
    ck_assert_msg(strstr(e, "attn_mask must be [L, S] = [5, 5], [B*H, L, S]") && strstr(e, "[3,5,5]") &&
                      strstr(e, "(in module attn)"), "%s", e);
    e = error_of(bad_width, n);
    ck_assert_msg(strstr(e, "[L, B, E] with E = 8") && strstr(e, "[5,2,6]") && strstr(e, "(in module attn)"), "%s", e);
    e = error_of(bad_ln, &n->m);
    ck_assert_msg(strstr(e, "does not end with the normalized shape [4,6]") && strstr(e, "(in module norm)"), "%s", e);
    ov_scope_end();
    ov_module_free(&n->m);
}
END_TEST

/* On the device the same seeds give the same masks as on the CPU (Philox on both). */
START_TEST(test_dropout_on_device_matches_cpu) {
    Net *a = make_net(19, 0.4), *b = make_net(19, 0.4);
    ov_module_to_device(&b->m, OV_DEV_CUDA);
    ov_scope_begin();
    ovGenerator g = ov_generator(5);
    ovTensor *x = ov_randn(OV_SHAPE(30, 4, 8), 0, 1, &g), *xd = ov_to_device(x, OV_DEV_CUDA);
    ovTensor *ya = ov_drop_path_forward(a->path, ov_dropout_forward(a->drop, x));
    ovTensor *yb = ov_drop_path_forward(b->path, ov_dropout_forward(b->drop, xd));
    ck_assert_int_eq(ov_device(yb), OV_DEV_CUDA);
    ck_assert(ov_rel_diff(ov_to_device(yb, OV_DEV_CPU), ya, NULL) == 0);
    ovTensor *ma = ov_mlp_forward(a->mlp, ov_mha_forward(a->attn, x, x, x, NULL));
    ovTensor *mb = ov_mlp_forward(b->mlp, ov_mha_forward(b->attn, xd, xd, xd, NULL));
    ck_assert(ov_rel_diff(ov_to_device(mb, OV_DEV_CPU), ma, NULL) < 1e-5);
    ov_scope_end();
    ov_module_free(&a->m), ov_module_free(&b->m);
}
END_TEST

int main(void) {
    Suite *s = suite_create("layer_props");
    TCase *tc = tcase_create("props");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_dropout_statistics_and_seeding);
    tcase_add_test(tc, test_drop_path_per_sample);
    tcase_add_test(tc, test_attention_and_mlp_dropout);
    tcase_add_test(tc, test_attention_paths_agree);
    tcase_add_test(tc, test_attention_halves);
    tcase_add_test(tc, test_initial_values);
    tcase_add_test(tc, test_summary_describes_layers);
    tcase_add_test(tc, test_errors_name_the_module);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "layer_props", "device");
    tcase_add_test(tc, test_dropout_on_device_matches_cpu);
    return ov_run_suite(s) ? 1 : 0;
}
