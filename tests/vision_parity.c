/* vision_parity.c: the vision encoders against PyTorch, case by case (see vision_parity.h). */
#include "tests/vision_parity.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "autograd/backward.h"
#include "autograd/ops.h"
#include "models/vision_check.h"
#include "tensor/error.h"

#define TOL 1e-4

ovSafetensors *ov_vp_open(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s.safetensors", OV_VP_DIR, name);
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "missing fixture (regenerate with tools/gen_vision_fixtures.py): %s", ov_last_error());
    return st;
}

int64_t ov_vp_meta_int(ovSafetensors *st, const char *key) {
    const char *v = ov_st_meta(st, key);
    ck_assert_msg(v, "%s: no metadata '%s'", ov_st_path(st), key);
    return atoll(v);
}

ovTensorDict *ov_vp_fixture_dict(ovSafetensors *st) {
    ovTensorDict *d = ov_dict_new();
    for (int i = 0; i < ov_st_count(st); i++) ov_dict_set(d, ov_st_name(st, i), ov_st_tensor(st, i));
    return d;
}

ovVisionModel *ov_vp_model(ovVisionCfg cfg, ovSafetensors *st, const char *weights_ext) {
    ovVisionModel *vm = ov_vision_model_new(&cfg, 7);
    ov_module_train(&vm->m, false);
    if (!weights_ext) return vm;
    char path[256];
    snprintf(path, sizeof path, "%s/%s%s", OV_VP_DIR, ov_st_meta(st, "weights"), weights_ext);
    ovLoadReport rep;
    ck_assert_msg(ov_vision_model_load_file(vm, path, &rep) == 0, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, ov_module_count(&vm->m, false));
    return vm;
}

ovTensor *ov_vp_input(ovVisionArch arch, ovTensor *u8, ovDevice dev) {
    ovTensor *x = ov_mul_scalar(ov_to(ov_to_device(u8, dev), OV_F32), 1.0 / 255.0);
    return ov_vision_normalize(arch, x);
}

void ov_vp_expect_match(const char *what, ovTensorDict *got, ovTensorDict *want, int expect_compared) {
    int n;
    int bad = ov_compare_dicts(got, want, TOL, NULL, &n);
    if (bad || n != expect_compared || getenv("OVAD_VISION_VERBOSE")) { /* the table of errors */
        printf("%s:\n", what);
        ov_compare_dicts(got, want, TOL, stdout, &n);
    }
    ck_assert_msg(bad == 0, "%s: %d tensors differ from PyTorch (table above)", what, bad);
    ck_assert_msg(n == expect_compared, "%s: compared %d tensors, expected %d", what, n, expect_compared);
}

/* The gradient of every parameter the fixture has one for, against it. */
static void expect_param_grads(const char *name, ovVisionModel *vm, ovTensorDict *want) {
    ovTensorDict *params = ov_module_state(&vm->m, false), *grads = ov_dict_new(), *ref = ov_dict_new();
    for (int i = 0; i < params->n; i++) {
        char key[200];
        snprintf(key, sizeof key, "param_grad.%s", params->names[i]);
        ovTensor *g = ov_dict_get(want, key);
        if (!g) continue;
        ck_assert_msg(params->tensors[i]->grad, "%s: no gradient reached %s", name, params->names[i]);
        ov_dict_set(grads, key, params->tensors[i]->grad);
        ov_dict_set(ref, key, g);
    }
    ck_assert_msg(ref->n >= 10, "%s: only %d parameter gradients in the fixture", name, ref->n);
    ov_vp_expect_match(name, grads, ref, ref->n);
}

void ov_vision_parity(const char *name, ovDevice dev, const char *weights_ext, ovVisionCfg (*cfg_of)(ovSafetensors *st),
                      int n_dumps) {
    ov_scope_begin();
    ovSafetensors *st = ov_vp_open(name);
    ovVisionModel *vm = ov_vp_model(cfg_of(st), st, weights_ext);
    if (dev != OV_DEV_CPU) ov_module_to_device(&vm->m, dev);
    ovTensorDict *want = ov_vp_fixture_dict(st), *got = ov_dict_new();
    ovTensor *x = ov_vp_input(vm->arch, ov_st_get(st, "pixels_u8"), dev);
    ovVisionOut out = ov_vision_model_forward(vm, x, &(ovVisionOpts){.keep_blocks = true});
    ov_vision_model_dump(vm, &out, ov_to_device(ov_st_get(st, "text"), dev), got);
    ov_vp_expect_match(name, got, want, n_dumps + out.n_blocks);
    if (ov_vp_meta_int(st, "grad")) {
        ovTensor *pm = ov_dict_get(got, "patch_map_proj");
        ovTensor *loss = ov_add(ov_sum(ov_mul(out.f_v, ov_to_device(ov_st_get(st, "grad_output.f_v"), dev)), 0, NULL, false),
                                ov_sum(ov_mul(pm, ov_to_device(ov_st_get(st, "grad_output.patch_map_proj"), dev)), 0, NULL, false));
        ov_backward(loss);
        expect_param_grads(name, vm, want);
    }
    ov_st_close(st);
    ov_module_free(&vm->m);
    ov_scope_end();
}
