/* test_viclip_model.c: the whole ViCLIP model (models/viclip.h) against the PyTorch reference of
 * tools/gen_viclip_fixtures.py (tests/fixtures/viclip_full): the logits cos(f_v, f_t) / temp and
 * the symmetric InfoNCE loss, with and without shared captions, and the loss's gradients with
 * respect to temp and weights of both towers, within 1e-4, from the safetensors and the torch.save
 * checkpoint and on the emulated CUDA device; configurations by name; strict loading errors; the
 * saved checkpoint that rebuilds its own model; the temperature clamp. A missing fixture is a
 * failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autograd/backward.h"
#include "autograd/ops.h"
#include "kernels/cuda/device.h"
#include "models/viclip.h"
#include "models/vision.h"
#include "models/vision_check.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"

#define DIR "tests/fixtures/viclip_full"
#define TOL 1e-4

static ovSafetensors *open_fixture(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s.safetensors", DIR, name);
    ovSafetensors *st = ov_st_open(path);
    ck_assert_msg(st, "missing fixture (regenerate with tools/gen_viclip_fixtures.py): %s", ov_last_error());
    return st;
}

static ovViCLIP *model_of(ovSafetensors *st, const char *weights) {
    ovViCLIPCfg cfg;
    ck_assert_msg(ov_viclip_cfg_named(ov_st_meta(st, "config"), &cfg) == 0, "%s", ov_last_error());
    ovViCLIP *vc = ov_viclip_new(&cfg, 5);
    ov_module_train(&vc->m, false);
    ovLoadReport rep;
    ck_assert_msg(ov_viclip_load_file(vc, weights, &rep) == 0, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, ov_module_count(&vc->m, true));
    return vc;
}

static void run_case(const char *name, const char *weights, ovDevice dev) {
    ov_scope_begin();
    ovSafetensors *st = open_fixture(name);
    ovViCLIP *vc = model_of(st, weights);
    if (dev != OV_DEV_CPU) ov_module_to_device(&vc->m, dev);
    ovTensor *pixels = ov_to_device(ov_st_get(st, "input.pixels"), dev);
    ovTensor *idx_t = ov_st_find(st, "input.idx") >= 0 ? ov_st_get(st, "input.idx") : NULL;
    int64_t idx[16];
    for (int64_t i = 0; idx_t && i < ov_numel(idx_t); i++) idx[i] = (int64_t)ov_get_flat(idx_t, i);
    ovTensor *fv = ov_viclip_encode_video(vc, ov_vision_normalize(OV_VISION_VICLIP, pixels), NULL);
    ovTensor *ft = ov_viclip_encode_text(vc, ov_st_get(st, "input.ids"));
    ovTensor *logits = ov_viclip_logits(vc, fv, ft);
    ovTensor *loss = ov_viclip_vtc_loss(logits, idx_t ? idx : NULL);
    ov_backward(loss);
    ovTensorDict *got = ov_dict_new(), *want = ov_dict_new();
    ov_dict_set(got, "output.logits", logits), ov_dict_set(want, "output.logits", ov_st_get(st, "output.logits"));
    ov_dict_set(got, "output.loss", loss), ov_dict_set(want, "output.loss", ov_st_get(st, "output.loss"));
    for (int i = 0; i < ov_st_count(st); i++) {
        const char *k = ov_st_name(st, i);
        if (strncmp(k, "grad.", 5)) continue;
        ovTensor *p = ov_module_get(&vc->m, k + 5);
        ck_assert_msg(p && p->grad, "%s: no gradient reached %s", name, k + 5);
        ov_dict_set(got, k, p->grad);
        ov_dict_set(want, k, ov_st_tensor(st, i));
    }
    int n, bad = ov_compare_dicts(got, want, TOL, NULL, &n);
    if (bad || getenv("OVAD_VISION_VERBOSE")) ov_compare_dicts(got, want, TOL, stdout, &n);
    ck_assert_msg(bad == 0, "%s (%s): %d tensors differ from PyTorch (table above)", name, weights, bad);
    ck_assert_int_eq(n, want->n);
    ck_assert_int_ge(n, 12); /* logits, loss, temp and weights of both towers */
    ov_st_close(st);
    ov_module_free(&vc->m);
    ov_scope_end();
}

START_TEST(test_parity) {
    run_case("plain", DIR "/weights.safetensors", OV_DEV_CPU);
    run_case("shared", DIR "/weights.safetensors", OV_DEV_CPU);
}
END_TEST

/* ViCLIP's own file format: torch.save({'model': state_dict, ...}) through the .pth reader. */
START_TEST(test_parity_pth) { run_case("shared", DIR "/weights.pth", OV_DEV_CPU); }
END_TEST

START_TEST(test_parity_on_device) { run_case("shared", DIR "/weights.safetensors", OV_DEV_CUDA); }
END_TEST

START_TEST(test_named_configs) {
    ovViCLIPCfg c;
    ck_assert_int_eq(ov_viclip_cfg_named("viclip", &c), 0);
    ck_assert_int_eq(c.vision.width, 768); ck_assert_int_eq(c.vision.output_dim, 512);
    ck_assert_int_eq(c.text.width, 512); ck_assert_int_eq(c.text.layers, 12); ck_assert_int_eq(c.text.heads, 8);
    ck_assert_int_eq(c.text.context, 32); ck_assert_int_eq(c.text.vocab, 49408); ck_assert_int_eq(c.text.embed_dim, 512);
    ck_assert_int_eq(c.frames, 8); ck_assert_int_eq(c.input, 224);
    ck_assert(c.temp_init == 0.01 && c.temp_min == 0.01);
    ck_assert_int_eq(ov_viclip_cfg_named("viclip-l14", &c), 0);
    ck_assert_int_eq(c.vision.width, 1024); ck_assert_int_eq(c.vision.patch, 14);
    ck_assert_int_eq(c.text.width, 768); ck_assert_int_eq(c.text.heads, 12); ck_assert_int_eq(c.text.embed_dim, 768);
    const char *name = "viclip:width=64,layers=2,heads=4,patch=8,image=32,table_frames=8,out=48,frames=8,input=32,"
                       "text_width=40,text_layers=3,text_heads=5,context=20,vocab=49408";
    ck_assert_msg(ov_viclip_cfg_named(name, &c) == 0, "%s", ov_last_error());
    ck_assert_int_eq(c.text.width, 40); ck_assert_int_eq(c.text.layers, 3); ck_assert_int_eq(c.text.heads, 5);
    ck_assert_int_eq(c.text.context, 20); ck_assert_int_eq(c.text.embed_dim, 48); ck_assert_int_eq(c.vision.patch, 8);
    char back[512];
    ov_viclip_cfg_string(&c, back, sizeof back);
    ck_assert_str_eq(back, name);
    /* the text keys may come in any order among the vision ones */
    ck_assert_int_eq(ov_viclip_cfg_named("viclip-b16:text_layers=2,width=96,heads=4", &c), 0);
    ck_assert_int_eq(c.text.layers, 2); ck_assert_int_eq(c.vision.width, 96);
    ck_assert_int_eq(ov_viclip_cfg_named("clip-b16", &c), -1);
    ck_assert_msg(strstr(ov_last_error(), "clip-b16"), "%s", ov_last_error());
    ck_assert_int_eq(ov_viclip_cfg_named("viclip:text_width=30,text_heads=4", &c), -1);
    ck_assert_msg(strstr(ov_last_error(), "text_heads"), "%s", ov_last_error());
    ck_assert_int_eq(ov_viclip_cfg_named("viclip:colour=3", &c), -1);
    ck_assert_msg(strstr(ov_last_error(), "colour"), "%s", ov_last_error());
    ck_assert_int_eq(ov_viclip_cfg_named("viclip:context=x", &c), -1);
    ck_assert_msg(strstr(ov_last_error(), "context"), "%s", ov_last_error());
}
END_TEST

START_TEST(test_load_errors) {
    ov_scope_begin();
    ovSafetensors *st = open_fixture("plain");
    ovViCLIPCfg cfg;
    ck_assert_int_eq(ov_viclip_cfg_named(ov_st_meta(st, "config"), &cfg), 0);
    ov_st_close(st);
    ovViCLIP *vc = ov_viclip_new(&cfg, 1);
    ovTensorDict *sd = ov_dict_load_safetensors(DIR "/weights.safetensors"), *bad = ov_dict_new(), *ddp = ov_dict_new();
    ck_assert_ptr_nonnull(sd);
    for (int i = 0; i < sd->n; i++) {
        const char *k = sd->names[i];
        char m[256];
        snprintf(m, sizeof m, "module.%s", k);
        ov_dict_set(ddp, m, sd->tensors[i]);
        if (!strcmp(k, "temp")) continue;
        ov_dict_set(bad, k, !strcmp(k, "text_encoder.text_projection") ? ov_zeros(OV_SHAPE(32, 25), OV_F32) : sd->tensors[i]);
    }
    ov_dict_set(bad, "logit_scale", ov_scalar(4.6, OV_F32));
    ovLoadReport rep;
    ck_assert_int_eq(ov_viclip_load(vc, bad, "bad.safetensors", &rep), -1);
    ck_assert_int_eq(rep.n_missing, 1); ck_assert_int_eq(rep.n_mismatched, 1); ck_assert_int_eq(rep.n_unexpected, 1);
    const char *e = ov_last_error();
    ck_assert_msg(strstr(e, "temp") && strstr(e, "text_projection") && strstr(e, "logit_scale"), "%s", e);
    ck_assert_msg(ov_viclip_load(vc, ddp, "ddp", &rep) == 0, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, ov_module_count(&vc->m, true));
    ck_assert_int_eq(ov_viclip_load_file(vc, DIR "/nonexistent.safetensors", NULL), -1);
    ck_assert_msg(strstr(ov_last_error(), "nonexistent"), "%s", ov_last_error());
    /* the fixture's weights carry their config: the model rebuilds itself; without it, it cannot */
    ovViCLIP *own = ov_viclip_from_file(DIR "/weights.safetensors", &rep);
    ck_assert_msg(own, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, ov_module_count(&own->m, true));
    ov_module_free(&own->m);
    char path[] = "/tmp/ovad_viclip_XXXXXX.safetensors";
    int fd = mkstemps(path, 12);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(ov_dict_save_safetensors(sd, path, 0, NULL, NULL), 0);
    ck_assert_ptr_null(ov_viclip_from_file(path, NULL));
    ck_assert_msg(strstr(ov_last_error(), "config"), "%s", ov_last_error());
    unlink(path);
    ov_module_free(&vc->m);
    ov_scope_end();
}
END_TEST

START_TEST(test_save_and_rebuild) {
    ov_scope_begin();
    ovViCLIPCfg cfg;
    ck_assert_int_eq(ov_viclip_cfg_named("viclip:width=16,layers=1,heads=2,patch=8,image=16,table_frames=2,out=8,"
                                         "text_width=16,text_layers=1,text_heads=2,vocab=64,context=8",
                                         &cfg),
                     0);
    ovViCLIP *vc = ov_viclip_new(&cfg, 11);
    char path[] = "/tmp/ovad_viclip_XXXXXX.safetensors";
    int fd = mkstemps(path, 12);
    ck_assert_int_ge(fd, 0);
    close(fd);
    const char *k[] = {"note"}, *v[] = {"test"};
    ck_assert_msg(ov_viclip_save(vc, path, 1, k, v) == 0, "%s", ov_last_error());
    ovSafetensors *st = ov_st_open(path);
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(ov_st_meta(st, "note"), "test");
    ck_assert_int_eq(ov_st_count(st), ov_module_count(&vc->m, true));
    ck_assert_int_ge(ov_st_find(st, "temp"), 0);
    ck_assert_int_ge(ov_st_find(st, "text_encoder.token_embedding.weight"), 0);
    ov_st_close(st);
    ovLoadReport rep;
    ovViCLIP *back = ov_viclip_from_file(path, &rep);
    ck_assert_msg(back, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, ov_module_count(&vc->m, true));
    ovTensorDict *a = ov_module_state(&vc->m, true), *b = ov_module_state(&back->m, true);
    ck_assert_int_eq(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        ck_assert_str_eq(a->names[i], b->names[i]);
        ck_assert_msg(ov_rel_diff(a->tensors[i], b->tensors[i], NULL) == 0, "%s differs after the round trip", a->names[i]);
    }
    unlink(path);
    ov_module_free(&back->m);
    ov_module_free(&vc->m);
    ov_scope_end();
}
END_TEST

/* temp: a 0-dim parameter with the configured start, kept >= temp_min by the clamp, trained. */
START_TEST(test_temperature) {
    ov_scope_begin();
    ovViCLIPCfg cfg;
    ck_assert_int_eq(ov_viclip_cfg_named("viclip:width=16,layers=1,heads=2,patch=8,image=16,table_frames=2,out=8,"
                                         "text_width=16,text_layers=1,text_heads=2,vocab=64,context=8",
                                         &cfg),
                     0);
    cfg.temp_init = 0.07;
    ovViCLIP *vc = ov_viclip_new(&cfg, 2);
    ck_assert_int_eq(vc->temp->ndim, 0);
    ck_assert(fabs(ov_viclip_temp(vc) - 0.07) < 1e-7);
    ov_set_flat(vc->temp, 0, 0.001);
    ov_viclip_clamp_temp(vc);
    ck_assert(fabs(ov_viclip_temp(vc) - 0.01) < 1e-7);
    /* a larger temperature than the clamp is left alone */
    ov_set_flat(vc->temp, 0, 0.2);
    ov_viclip_clamp_temp(vc);
    ck_assert(fabs(ov_viclip_temp(vc) - 0.2) < 1e-7);
    ov_module_free(&vc->m);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("viclip_model");
    TCase *tc = tcase_create("model");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_parity);
    tcase_add_test(tc, test_parity_pth);
    tcase_add_test(tc, test_named_configs);
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_save_and_rebuild);
    tcase_add_test(tc, test_temperature);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "viclip_model", "device");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_parity_on_device);
    return ov_run_suite(s) ? 1 : 0;
}
