/* test_state.c: state_dicts and loading them into modules (nn/state.h): names relative to the
 * module, strict loads that copy everything or nothing, a report naming every missing,
 * unexpected and shape-mismatched key with its shape, renames and a skipped prefix, f16/bf16
 * checkpoints converted to the f32 parameters, buffers, a safetensors round trip, and moving a
 * module to the (emulated) device in place. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autograd/ops.h"
#include "nn/layers.h"
#include "nn/state.h"
#include "tensor/error.h"
#include "tests/check_util.h"

/* A little CLIP-like encoder: embeddings (with an i64 position_ids buffer), one block, a norm. */
typedef struct {
    ovModule m;
    ovModule *emb;
    ovEmbedding *tok;
    ovModule *block;
    ovMHA *attn;
    ovMLP *mlp;
    ovLayerNorm *ln;
} Enc;

static Enc *make_enc(uint64_t seed) {
    Enc *e = ov_module_root(sizeof *e, "Enc", seed);
    e->emb = ov_module_new(&e->m, "embeddings", sizeof(ovModule), "Embeddings");
    e->tok = ov_embedding_new(e->emb, "token_embedding", 10, 8);
    ov_scope_begin();
    ov_buffer(e->emb, "position_ids", ov_reshape(ov_arange(0, 5, 1, OV_I64), OV_SHAPE(1, 5)));
    ov_scope_end();
    e->block = ov_module_new(&e->m, "block", sizeof(ovModule), "Block");
    e->attn = ov_mha_new(e->block, "self_attn", 8, 2, OV_MHA_SEPARATE, true, 0.0);
    e->mlp = ov_mlp_new(e->block, "mlp", 8, 16, 8, &(ovMLPCfg){.act = OV_ACT_QUICK_GELU});
    e->ln = ov_layer_norm_new(&e->m, "final_layer_norm", OV_SHAPE(8), 1e-5, true);
    return e;
}

/* A state dict of the right names and shapes with distinct values (copies, in the current scope). */
static ovTensorDict *values_for(Enc *e, uint64_t seed) {
    ovTensorDict *want = ov_module_state(&e->m, true), *sd = ov_dict_new();
    ovGenerator g = ov_generator(seed);
    for (int i = 0; i < want->n; i++) {
        ovTensor *t = want->tensors[i];
        ov_dict_set(sd, want->names[i],
                    t->dtype == OV_F32 ? ov_randn(t->ndim, t->shape, 0, 1, &g) : ov_randint(t->ndim, t->shape, 0, 9, &g));
    }
    return sd;
}

static bool equal(ovTensor *a, ovTensor *b) { return ov_rel_diff(a, ov_to(b, a->dtype), NULL) == 0; }

START_TEST(test_state_names_and_identity) {
    Enc *e = make_enc(1);
    ov_scope_begin();
    ovTensorDict *sd = ov_module_state(&e->m, true);
    ck_assert_int_eq(sd->n, 1 + 1 + 8 + 4 + 2); /* token, position_ids, q/k/v/out, mlp, ln */
    /* a module's own parameters and buffers come before its children's, as in torch */
    ck_assert_str_eq(sd->names[0], "embeddings.position_ids");
    ck_assert_str_eq(sd->names[1], "embeddings.token_embedding.weight");
    ck_assert_str_eq(sd->names[2], "block.self_attn.k_proj.weight");
    ck_assert_ptr_eq(ov_dict_get(sd, "block.mlp.fc2.bias"), e->mlp->fc2->bias);
    ck_assert_int_eq(ov_module_state(&e->m, false)->n, 15);
    /* a sub-module's names are relative to it, like torch's submodule.state_dict() */
    ovTensorDict *sub = ov_module_state(e->block, false);
    ck_assert_str_eq(sub->names[0], "self_attn.k_proj.weight");
    ck_assert_ptr_eq(ov_dict_get(sub, "mlp.fc1.weight"), e->mlp->fc1->weight);
    ov_scope_end();
    ov_module_free(&e->m);
}
END_TEST

START_TEST(test_strict_load_copies_everything) {
    Enc *e = make_enc(1);
    ov_scope_begin();
    ovTensorDict *sd = values_for(e, 5);
    /* f16 and bf16 sources convert to the f32 parameters */
    ov_dict_set(sd, "block.mlp.fc1.weight", ov_to(ov_dict_get(sd, "block.mlp.fc1.weight"), OV_BF16));
    ov_dict_set(sd, "final_layer_norm.weight", ov_to(ov_dict_get(sd, "final_layer_norm.weight"), OV_F16));
    ovLoadReport r;
    ck_assert_msg(ov_module_load(&e->m, sd, NULL, "ckpt", &r) == 0, "%s", ov_last_error()); /* NULL opts: strict */
    ck_assert_int_eq(r.loaded, 16);
    ck_assert_int_eq(r.n_missing + r.n_unexpected + r.n_mismatched, 0);
    for (int i = 0; i < sd->n; i++) ck_assert_msg(equal(ov_module_get(&e->m, sd->names[i]), sd->tensors[i]), "%s", sd->names[i]);
    ck_assert_int_eq(e->mlp->fc1->weight->dtype, OV_F32);
    ck_assert(e->mlp->fc1->weight->requires_grad && !e->mlp->fc1->weight->grad_fn);
    ov_scope_end();
    ov_module_free(&e->m);
}
END_TEST

/* Wrong shape, missing key, unexpected key, and a float into an i64 buffer: a strict load fails
 * naming each with its shape, and copies nothing. */
START_TEST(test_strict_failure_copies_nothing) {
    Enc *e = make_enc(1);
    ov_scope_begin();
    ovTensorDict *before = ov_dict_new(), *sd = values_for(e, 5);
    ovTensorDict *state = ov_module_state(&e->m, true);
    for (int i = 0; i < state->n; i++) ov_dict_set(before, state->names[i], ov_contiguous_copy(state->tensors[i]));
    ovGenerator g = ov_generator(9);
    ov_dict_set(sd, "block.mlp.fc1.weight", ov_randn(OV_SHAPE(16, 7), 0, 1, &g));           /* wrong shape */
    ov_dict_set(sd, "embeddings.position_ids", ov_zeros(OV_SHAPE(1, 5), OV_F32));             /* wrong dtype */
    ov_dict_set(sd, "block.self_attn.extra_bias", ov_zeros(OV_SHAPE(3), OV_F32));             /* unexpected */
    ovTensorDict *pruned = ov_dict_new();
    for (int i = 0; i < sd->n; i++)
        if (strcmp(sd->names[i], "final_layer_norm.bias")) ov_dict_set(pruned, sd->names[i], sd->tensors[i]); /* missing */
    ovLoadReport r;
    ck_assert_int_eq(ov_module_load(&e->m, pruned, &(ovLoadOpts){.strict = true}, "model.safetensors", &r), -1);
    const char *msg = ov_last_error();
    ck_assert_msg(strstr(msg, "model.safetensors") && strstr(msg, "nothing copied"), "%s", msg);
    ck_assert_msg(strstr(msg, "1 missing (final_layer_norm.bias [8] f32)"), "%s", msg);
    ck_assert_msg(strstr(msg, "1 unexpected (block.self_attn.extra_bias [3] f32)"), "%s", msg);
    ck_assert_msg(strstr(msg, "block.mlp.fc1.weight: checkpoint [16,7] f32, model [16,8] f32"), "%s", msg);
    ck_assert_msg(strstr(msg, "embeddings.position_ids: checkpoint [1,5] f32, model [1,5] i64"), "%s", msg);
    ck_assert_int_eq(r.n_missing, 1);
    ck_assert_int_eq(r.n_unexpected, 1);
    ck_assert_int_eq(r.n_mismatched, 2);
    ck_assert_int_eq(r.loaded, 0);
    for (int i = 0; i < before->n; i++)
        ck_assert_msg(equal(ov_module_get(&e->m, before->names[i]), before->tensors[i]), "%s changed", before->names[i]);
    /* the same without strict: everything that matches is copied, the rest reported */
    ck_assert_int_eq(ov_module_load(&e->m, pruned, &(ovLoadOpts){.strict = false}, "model.safetensors", &r), 0);
    ck_assert_int_eq(r.loaded, 16 - 3);
    ck_assert(equal(e->mlp->fc2->weight, ov_dict_get(sd, "block.mlp.fc2.weight")));
    ck_assert(equal(e->mlp->fc1->weight, ov_dict_get(before, "block.mlp.fc1.weight")));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ov_load_report_print(&r, f);
    fclose(f);
    ck_assert_msg(strstr(buf, "loaded 13 tensors; 1 missing, 1 unexpected, 2 shape-mismatched"), "%s", buf);
    ck_assert_msg(strstr(buf, "missing (1):\n  final_layer_norm.bias [8] f32\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "unexpected (1):\n  block.self_attn.extra_bias [3] f32\n"), "%s", buf);
    free(buf);
    ov_scope_end();
    ov_module_free(&e->m);
}
END_TEST

/* CLIP-ViP's checkpoint keys carry a "clipmodel." prefix and a text tower we skip; a bf16 file. */
START_TEST(test_renames_and_skip_prefix) {
    Enc *e = make_enc(1);
    ov_scope_begin();
    ovTensorDict *plain = values_for(e, 6), *sd = ov_dict_new();
    for (int i = 0; i < plain->n; i++) {
        char k[256];
        bool emb = !strncmp(plain->names[i], "embeddings.", 11);
        snprintf(k, sizeof k, "clipmodel.%s%s", emb ? "vision_model." : "encoder.", plain->names[i]);
        ovTensor *t = plain->tensors[i];
        ov_dict_set(sd, k, t->dtype == OV_F32 ? ov_to(t, OV_BF16) : t);
    }
    ov_dict_set(sd, "clipmodel.text_model.anything", ov_zeros(OV_SHAPE(2), OV_F32));
    ov_dict_set(sd, "clipmodel.logit_scale", ov_zeros(OV_SHAPE(1), OV_F32));
    const ovRename ren[] = {{"clipmodel.vision_model.", ""}, {"clipmodel.encoder.", ""}};
    ovLoadOpts o = {.strict = true, .renames = ren, .n_renames = 2, .skip_prefix = "clipmodel.text_model."};
    ovLoadReport r;
    ck_assert_int_eq(ov_module_load(&e->m, sd, &o, "clip-vip", &r), -1);
    ck_assert_msg(strstr(ov_last_error(), "1 unexpected (clipmodel.logit_scale [1] f32)"), "%s", ov_last_error());
    ck_assert_msg(!strstr(ov_last_error(), "text_model"), "%s", ov_last_error());
    o.strict = false;
    ck_assert_int_eq(ov_module_load(&e->m, sd, &o, "clip-vip", &r), 0);
    ck_assert_int_eq(r.loaded, 16);
    for (int i = 0; i < plain->n; i++) {
        ovTensor *t = plain->tensors[i];
        ck_assert(equal(ov_module_get(&e->m, plain->names[i]), t->dtype == OV_F32 ? ov_to(t, OV_BF16) : t));
    }
    /* a rename that lands two keys on one parameter, and a renamed key of the wrong shape */
    ovTensorDict *dup = ov_dict_new();
    ov_dict_set(dup, "a.weight", ov_zeros(OV_SHAPE(8), OV_F32));
    ov_dict_set(dup, "b.weight", ov_zeros(OV_SHAPE(8), OV_F32));
    ov_dict_set(dup, "a.bias", ov_zeros(OV_SHAPE(9), OV_F32));
    const ovRename ren2[] = {{"a.", "final_layer_norm."}, {"b.", "final_layer_norm."}};
    ck_assert_int_eq(ov_module_load(&e->m, dup, &(ovLoadOpts){.renames = ren2, .n_renames = 2}, "dup", &r), 0);
    ck_assert_int_eq(r.loaded, 1);
    ck_assert_msg(strstr(r.unexpected[0], "b.weight (as final_layer_norm.weight) [8] f32: that parameter is already given by a.weight"),
                  "%s", r.unexpected[0]);
    ck_assert_str_eq(r.mismatched[0], "final_layer_norm.bias from a.bias: checkpoint [9] f32, model [8] f32");
    ov_scope_end();
    ov_module_free(&e->m);
}
END_TEST

/* Save a trained module's state with safetensors, load it into a module with another seed: the
 * same parameters and buffers, and the same forward. Also loads into a sub-module. */
START_TEST(test_safetensors_round_trip) {
    Enc *a = make_enc(1), *b = make_enc(2);
    ov_scope_begin();
    char path[] = "/tmp/ovad_state_XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    ovTensorDict *sd = ov_module_state(&a->m, true);
    ck_assert_int_eq(ov_dict_save_safetensors(sd, path, 0, NULL, NULL), 0);
    ovTensorDict *back = ov_dict_load_safetensors(path);
    ck_assert_msg(back, "%s", ov_last_error());
    ck_assert(!equal(b->attn->q_proj->weight, a->attn->q_proj->weight));
    ck_assert_int_eq(ov_module_load(&b->m, back, NULL, path, NULL), 0);
    ovGenerator g = ov_generator(3);
    ovTensor *x = ov_randn(OV_SHAPE(2, 5, 8), 0, 1, &g);
    ovTensor *ya = ov_mlp_forward(a->mlp, ov_mha_forward(a->attn, x, x, x, NULL));
    ovTensor *yb = ov_mlp_forward(b->mlp, ov_mha_forward(b->attn, x, x, x, NULL));
    ck_assert(ov_rel_diff(ya, yb, NULL) == 0);
    /* a checkpoint of the block alone goes into the block */
    Enc *c = make_enc(3);
    ck_assert_int_eq(ov_module_load(c->block, ov_module_state(a->block, true), NULL, "block", NULL), 0);
    ck_assert(equal(c->mlp->fc1->weight, a->mlp->fc1->weight));
    ov_module_free(&c->m);
    unlink(path);
    ov_scope_end();
    ov_module_free(&a->m), ov_module_free(&b->m);
}
END_TEST

/* ov_module_to_device keeps the tensors (layers hold pointers to them) and moves their data. */
START_TEST(test_module_to_device) {
    Enc *e = make_enc(1);
    ov_scope_begin();
    ovTensor *w = e->mlp->fc1->weight, *host_copy = ov_contiguous_copy(w);
    ovTensor *pos = ov_module_get(&e->m, "embeddings.position_ids");
    ov_module_to_device(&e->m, OV_DEV_CUDA);
    ck_assert_ptr_eq(e->mlp->fc1->weight, w);
    ck_assert_int_eq(ov_device(w), OV_DEV_CUDA);
    ck_assert_int_eq(ov_device(pos), OV_DEV_CUDA);
    ck_assert(w->requires_grad);
    ck_assert(ov_rel_diff(ov_to_device(w, OV_DEV_CPU), host_copy, NULL) == 0);
    /* loading a host checkpoint into device parameters */
    ovTensorDict *sd = values_for(e, 8);
    ck_assert_int_eq(ov_module_load(&e->m, sd, NULL, "host", NULL), 0);
    ck_assert(equal(ov_to_device(e->ln->bias, OV_DEV_CPU), ov_dict_get(sd, "final_layer_norm.bias")));
    ov_module_to_device(&e->m, OV_DEV_CPU);
    ck_assert_int_eq(ov_device(w), OV_DEV_CPU);
    ck_assert(equal(w, ov_dict_get(sd, "block.mlp.fc1.weight")));
    ov_scope_end();
    ov_module_free(&e->m);
}
END_TEST

int main(void) {
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("load");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_state_names_and_identity);
    tcase_add_test(tc, test_strict_load_copies_everything);
    tcase_add_test(tc, test_strict_failure_copies_nothing);
    tcase_add_test(tc, test_renames_and_skip_prefix);
    tcase_add_test(tc, test_safetensors_round_trip);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "state", "device");
    tcase_add_test(tc, test_module_to_device);
    return ov_run_suite(s) ? 1 : 0;
}
