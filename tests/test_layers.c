/* test_layers.c: every layer of nn/layers.h against PyTorch. tools/gen_nn_fixtures.py stores, per
 * case, the torch layer's state_dict, its inputs, outputs, a random grad_out and every input and
 * parameter gradient; this suite builds the same layer from the case's metadata, loads the weights
 * with a strict ov_module_load, runs forward and backward, and compares everything. Selected cases
 * run again with the module moved to the (emulated) CUDA device. A missing fixture is a failure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/layers.h"
#include "nn/state.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

#define FIXTURE_DIR "tests/fixtures/nn"

static const char *cases[] = {
    "linear_bias", "linear_nobias", "layer_norm_1d", "layer_norm_1d_noaffine", "layer_norm_2d",
    "layer_norm_2d_noaffine", "channel_layer_norm", "mha_self_bf_weights", "mha_cross_seqfirst",
    "mha_float_mask_perhead_weights", "mha_bool_mask", "mha_key_padding_float_mask", "mha_key_padding_bool_mask",
    "mha_causal_self", "mha_perhead_bias_grad", "mha_unbatched", "mha_dropout_eval", "clip_attn_weights",
    "clip_attn_causal_pad", "mlp_clip", "mlp_hf", "mlp_gelu", "mlp_gelu_tanh", "mlp_mmcv_ffn", "act_gelu",
    "act_gelu_tanh", "act_quick_gelu", "act_relu", "conv2d_clipvip_patch", "conv2d_pad_stride",
    "conv3d_viclip_tubelet", "conv3d_1x1x1", "conv3d_3x3x3_nobias", "conv_transpose3d_up2",
    "conv_transpose3d_pad_outpad", "max_pool3d_122", "max_pool3d_pad_ceil", "embedding",
};
#define N_CASES (int)(sizeof cases / sizeof *cases)

/* On the device: one attention layer of each layout and mask kind, a conv, a transposed conv, the
 * norms, the pooling and the embedding. */
static const char *device_cases[] = {
    "mha_perhead_bias_grad", "mha_key_padding_bool_mask", "mha_float_mask_perhead_weights", "clip_attn_causal_pad",
    "conv3d_3x3x3_nobias", "conv_transpose3d_up2", "layer_norm_2d", "channel_layer_norm", "max_pool3d_122",
    "mlp_clip", "embedding",
};
#define N_DEVICE_CASES (int)(sizeof device_cases / sizeof *device_cases)

/* ---- metadata ---- */

static const char *meta(ovSafetensors *st, const char *key, const char *dflt) {
    const char *v = ov_st_meta(st, key);
    return v ? v : dflt;
}

static int64_t meta_int(ovSafetensors *st, const char *key, int64_t dflt) {
    const char *v = ov_st_meta(st, key);
    return v ? atoll(v) : dflt;
}

/* "1,2,2" -> {1,2,2}; returns the count (0 when absent, leaving out zeroed). */
static int meta_ints(ovSafetensors *st, const char *key, int64_t *out, int max) {
    memset(out, 0, sizeof(int64_t) * (size_t)max);
    const char *v = ov_st_meta(st, key);
    int n = 0;
    while (v && *v && n < max) {
        char *end;
        out[n++] = strtoll(v, &end, 10);
        v = *end == ',' ? end + 1 : end;
    }
    return n;
}

static ovActKind act_kind(const char *s) {
    if (!strcmp(s, "gelu")) return OV_ACT_GELU;
    if (!strcmp(s, "gelu_tanh")) return OV_ACT_GELU_TANH;
    if (!strcmp(s, "quick_gelu")) return OV_ACT_QUICK_GELU;
    if (!strcmp(s, "relu")) return OV_ACT_RELU;
    ck_abort_msg("unknown activation '%s'", s);
    return OV_ACT_IDENTITY;
}

/* ---- building and running a case's layer ---- */

static ovModule *build(ovSafetensors *st, ovModule *root) {
    const char *layer = meta(st, "layer", "?");
    if (!strcmp(layer, "linear"))
        return &ov_linear_new(root, "layer", meta_int(st, "in", 0), meta_int(st, "out", 0), meta_int(st, "bias", 1))->m;
    if (!strcmp(layer, "layer_norm")) {
        int64_t shape[OV_MAX_DIMS];
        int nd = meta_ints(st, "shape", shape, OV_MAX_DIMS);
        return &ov_layer_norm_new(root, "layer", nd, shape, atof(meta(st, "eps", "1e-5")), meta_int(st, "affine", 1))->m;
    }
    if (!strcmp(layer, "channel_layer_norm"))
        return &ov_channel_layer_norm_new(root, "layer", meta_int(st, "channels", 0), atof(meta(st, "eps", "1e-6")))->m;
    if (!strcmp(layer, "mha")) {
        ovMHALayout lay = strcmp(meta(st, "layout", "packed"), "packed") ? OV_MHA_SEPARATE : OV_MHA_PACKED;
        return &ov_mha_new(root, "layer", meta_int(st, "embed_dim", 0), meta_int(st, "num_heads", 1), lay,
                           meta_int(st, "batch_first", 0), atof(meta(st, "dropout", "0")))->m;
    }
    if (!strcmp(layer, "mlp")) {
        ovMLPCfg cfg = {.fc1 = meta(st, "fc1", NULL), .fc2 = meta(st, "fc2", NULL), .act = act_kind(meta(st, "act", ""))};
        return &ov_mlp_new(root, "layer", meta_int(st, "in", 0), meta_int(st, "hidden", 0), meta_int(st, "out", 0), &cfg)->m;
    }
    if (!strcmp(layer, "activation")) return &ov_activation_new(root, "layer", act_kind(meta(st, "act", "")))->m;
    if (!strncmp(layer, "conv", 4)) {
        ovConvCfg cfg = {.no_bias = !meta_int(st, "bias", 1)};
        meta_ints(st, "kernel", cfg.kernel, 3);
        meta_ints(st, "stride", cfg.stride, 3);
        meta_ints(st, "padding", cfg.padding, 3);
        meta_ints(st, "output_padding", cfg.output_padding, 3);
        int64_t in = meta_int(st, "in", 0), out = meta_int(st, "out", 0);
        if (!strcmp(layer, "conv2d")) return &ov_conv2d_new(root, "layer", in, out, &cfg)->m;
        if (!strcmp(layer, "conv3d")) return &ov_conv3d_new(root, "layer", in, out, &cfg)->m;
        return &ov_conv_transpose3d_new(root, "layer", in, out, &cfg)->m;
    }
    if (!strcmp(layer, "max_pool3d")) {
        int64_t k[3], s[3], p[3];
        meta_ints(st, "kernel", k, 3);
        bool has_s = meta_ints(st, "stride", s, 3), has_p = meta_ints(st, "padding", p, 3);
        return &ov_max_pool3d_new(root, "layer", k, has_s ? s : NULL, has_p ? p : NULL, meta_int(st, "ceil_mode", 0))->m;
    }
    if (!strcmp(layer, "embedding"))
        return &ov_embedding_new(root, "layer", meta_int(st, "num", 0), meta_int(st, "dim", 0))->m;
    ck_abort_msg("%s: unknown layer '%s'", ov_st_path(st), layer);
    return NULL;
}

/* Runs the layer on the inputs (dict `in`, by name) and puts its outputs in `out`. */
static void forward(ovSafetensors *st, ovModule *m, ovTensorDict *in, ovTensorDict *out) {
    const char *layer = meta(st, "layer", "?");
    ovTensor *x = ov_dict_get(in, "x"), *y = NULL;
    if (!strcmp(layer, "linear")) y = ov_linear_forward((ovLinear *)m, x);
    if (!strcmp(layer, "layer_norm")) y = ov_layer_norm_forward((ovLayerNorm *)m, x);
    if (!strcmp(layer, "channel_layer_norm")) y = ov_channel_layer_norm_forward((ovChannelLayerNorm *)m, x);
    if (!strcmp(layer, "mlp")) y = ov_mlp_forward((ovMLP *)m, x);
    if (!strcmp(layer, "activation")) y = ov_activation_forward((ovActivation *)m, x);
    if (!strncmp(layer, "conv", 4)) y = ov_conv_forward((ovConv *)m, x);
    if (!strcmp(layer, "max_pool3d")) y = ov_max_pool3d_forward((ovMaxPool3d *)m, x);
    if (!strcmp(layer, "embedding")) y = ov_embedding_forward((ovEmbedding *)m, ov_dict_get(in, "indices"));
    if (y) {
        ov_dict_set(out, "y", y);
        return;
    }
    ck_assert_str_eq(layer, "mha");
    ovTensor *q = ov_dict_get(in, "query"), *w = NULL;
    bool self = meta_int(st, "self_attn", 0);
    ovMHAOpts o = {.attn_mask = ov_dict_get(in, "attn_mask"),
                   .key_padding_mask = ov_dict_get(in, "key_padding_mask"),
                   .is_causal = meta_int(st, "causal", 0),
                   .weights = meta_int(st, "need_weights", 0) ? &w : NULL,
                   .per_head_weights = !meta_int(st, "average", 1)};
    ovTensor *k = self ? q : ov_dict_get(in, "key"), *v = self ? q : ov_dict_get(in, "value");
    ov_dict_set(out, "out", ov_mha_forward((ovMHA *)m, q, k, v, &o));
    if (w) ov_dict_set(out, "weights", w);
}

static bool has_prefix(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

static bool is_state_key(const char *k) {
    return !has_prefix(k, "input.") && !has_prefix(k, "output.") && !has_prefix(k, "grad_output.") &&
           !has_prefix(k, "grad_input.") && !has_prefix(k, "param_grad.");
}

static ovTensor *host(ovTensor *t) { return ov_to_device(t, OV_DEV_CPU); }

/* Largest (|a-b| - atol) / (|b| + rms(b)): relative like ov_rel_diff, with an absolute floor for
 * values that are zero up to rounding (k_proj.bias gets none: softmax ignores a per-row constant,
 * so its gradient is float32 round-off in ovad and float64 round-off in PyTorch). */
#define ATOL 1e-6
static double rel_err(const ovTensor *a, const ovTensor *b, int64_t *where) {
    int64_t n = ov_numel(b);
    double ss = 0, worst = 0;
    for (int64_t i = 0; i < n; i++) ss += isfinite(ov_get_flat(b, i)) ? ov_get_flat(b, i) * ov_get_flat(b, i) : 0;
    double rms = n ? sqrt(ss / (double)n) : 0;
    *where = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = ov_get_flat(a, i), y = ov_get_flat(b, i);
        if ((isnan(x) && isnan(y)) || x == y) continue;
        double d = isfinite(x) && isfinite(y) ? (fabs(x - y) - ATOL) / (fabs(y) + rms + 1e-30) : INFINITY;
        if (!(d <= worst)) worst = d, *where = i;
    }
    return worst;
}

static void compare(const char *path, const char *what, ovTensor *got, ovTensor *want, double tol) {
    char a[160], b[160];
    ck_assert_msg(got, "%s: no '%s' from ovad", path, what);
    got = host(got);
    ck_assert_msg(ov_same_shape(got, want) && got->dtype == want->dtype, "%s: '%s' is %s, PyTorch's is %s", path, what,
                  ov_describe(got, a, sizeof a), ov_describe(want, b, sizeof b));
    int64_t where;
    double d = rel_err(got, want, &where);
    ck_assert_msg(d <= tol, "%s: '%s' differs from PyTorch: relative error %.3g > %.3g at element %lld (%.8g vs %.8g)",
                  path, what, d, tol, (long long)where, ov_get_flat(got, where), ov_get_flat(want, where));
}

/* One fixture: build, load (strict), forward, backward, compare; on `dev`. */
static void run_fixture(const char *name, ovDevice dev) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s.safetensors", FIXTURE_DIR, name);
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "missing fixture (regenerate with tools/gen_nn_fixtures.py): %s", ov_last_error());
    ovModule *root = ov_module_root(sizeof(ovModule), "Test", 1);
    ovModule *m = build(st, root);
    ovTensorDict *sd = ov_dict_new(), *in = ov_dict_new(), *out = ov_dict_new();
    for (int i = 0; i < ov_st_count(st); i++)
        if (is_state_key(ov_st_name(st, i))) ov_dict_set(sd, ov_st_name(st, i), ov_st_tensor(st, i));
    ovLoadReport rep;
    ck_assert_msg(ov_module_load(m, sd, &(ovLoadOpts){.strict = true}, path, &rep) == 0, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, sd->n);
    if (dev != OV_DEV_CPU) ov_module_to_device(root, dev);
    ov_module_train(root, meta_int(st, "train", 0));

    for (int i = 0; i < ov_st_count(st); i++) {
        const char *k = ov_st_name(st, i);
        if (!has_prefix(k, "input.")) continue;
        char g[160];
        snprintf(g, sizeof g, "grad_%s", k);
        ovTensor *t = ov_contiguous_copy(ov_to_device(ov_st_tensor(st, i), dev));
        if (ov_st_find(st, g) >= 0) ov_requires_grad(t, true);
        ov_dict_set(in, k + 6, t);
    }
    forward(st, m, in, out);

    double tol = atof(meta(st, "tol", "1e-4"));
    ovTensor *loss = NULL;
    for (int i = 0; i < ov_st_count(st); i++) {
        const char *k = ov_st_name(st, i);
        if (has_prefix(k, "output.")) compare(path, k, ov_dict_get(out, k + 7), ov_st_tensor(st, i), tol);
        if (!has_prefix(k, "grad_output.")) continue;
        ovTensor *o = ov_dict_get(out, k + 12);
        ovTensor *term = ov_sum(ov_mul(o, ov_to_device(ov_st_tensor(st, i), dev)), 0, NULL, false);
        loss = loss ? ov_add(loss, term) : term;
    }
    if (loss) ov_backward(loss);
    ovTensorDict *params = ov_module_state(m, false);
    int compared_grads = 0;
    for (int i = 0; i < ov_st_count(st); i++) {
        const char *k = ov_st_name(st, i);
        ovTensor *t = NULL;
        if (has_prefix(k, "grad_input.")) t = ov_dict_get(in, k + 11);
        if (has_prefix(k, "param_grad.")) {
            t = ov_dict_get(params, k + 11);
            ck_assert_msg(t, "%s: the layer has no parameter '%s'", path, k + 11);
        }
        if (!t) continue;
        ck_assert_msg(t->grad, "%s: no gradient reached '%s'", path, k);
        compare(path, k, t->grad, ov_st_tensor(st, i), tol);
        compared_grads++;
    }
    ck_assert_msg(compared_grads > 0 || !loss, "%s: no gradients compared", path);
    ov_st_close(st);
    ov_module_free(root);
    ov_scope_end();
}

START_TEST(test_layer_matches_pytorch) { run_fixture(cases[_i], OV_DEV_CPU); }
END_TEST

START_TEST(test_layer_on_device) { run_fixture(device_cases[_i], OV_DEV_CUDA); }
END_TEST

int main(void) {
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("pytorch");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_layer_matches_pytorch, 0, N_CASES);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "layers", "device");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_layer_on_device, 0, N_DEVICE_CASES);
    return ov_run_suite(s) ? 1 : 0;
}
