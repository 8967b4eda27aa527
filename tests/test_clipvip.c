/* test_clipvip.c: CLIP-ViP's video encoder (models/clipvip_vision.h) against the PyTorch reference
 * of tools/gen_vision_fixtures.py (XPretrain's forward2 attention, itself checked there against a
 * dense masked softmax): every intermediate, the RITSM map, patch-text similarities and parameter
 * gradients within 1e-4 with the temporal table resized 4 -> 3 and the 3x3 position table resized
 * bicubically to 2x3; the .pt checkpoint; Hugging Face names without `clipmodel.`; the emulated
 * device; and the block-wise attention against a dense mask, using a fraction of the dense
 * scores' memory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "models/vision_check.h"
#include "models/vision_model.h"
#include "tensor/alloc.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"
#include "tests/vision_parity.h"

static const char *cases[] = {"clipvip_s_interp", "clipvip_s_native"};
#define N_CASES (int)(sizeof cases / sizeof *cases)

static ovVisionCfg cfg_of(ovSafetensors *st) {
    ovVisionCfg cfg = {.arch = OV_VISION_CLIPVIP};
    cfg.clipvip = (ovCLIPViPVisionCfg){.width = ov_vp_meta_int(st, "width"), .layers = ov_vp_meta_int(st, "layers"),
                                       .heads = ov_vp_meta_int(st, "heads"), .patch = ov_vp_meta_int(st, "patch"),
                                       .image_size = ov_vp_meta_int(st, "image_size"),
                                       .output_dim = ov_vp_meta_int(st, "output_dim"),
                                       .temporal_size = ov_vp_meta_int(st, "temporal_size"),
                                       .add_cls = ov_vp_meta_int(st, "add_cls")};
    return cfg;
}

/* embed, pre, blocks, f_v, 4 maps, ritsm, patch_text_sim */
static void run_case(const char *name, ovDevice dev, const char *weights_ext) {
    ov_vision_parity(name, dev, weights_ext, cfg_of, 9);
}

START_TEST(test_parity) { run_case(cases[_i], OV_DEV_CPU, ".safetensors"); }
END_TEST

START_TEST(test_parity_on_device) { run_case("clipvip_s_interp", OV_DEV_CUDA, ".safetensors"); }
END_TEST

/* The torch.save copy (a plain state_dict with the clipmodel. prefix and position_ids buffers,
 * as pretrain_clipvip_base_16.pt) through the .pth reader. */
START_TEST(test_pt_checkpoint) { run_case("clipvip_s_interp", OV_DEV_CPU, ".pt"); }
END_TEST

/* Hugging Face CLIP names (vision_model.*, visual_projection.weight) load through the renames. */
START_TEST(test_hf_names) {
    ov_scope_begin();
    ovSafetensors *st = ov_vp_open("clipvip_s_native");
    ovVisionModel *vm = ov_vp_model(cfg_of(st), st, NULL), *ref = ov_vp_model(cfg_of(st), st, NULL);
    ovTensorDict *sd = ov_dict_load_safetensors(OV_VP_DIR "/clipvip_s.safetensors"), *hf = ov_dict_new();
    ck_assert_ptr_nonnull(sd);
    for (int i = 0; i < sd->n; i++) {
        const char *k = sd->names[i];
        ov_dict_set(hf, strncmp(k, "clipmodel.", 10) ? k : k + 10, sd->tensors[i]);
    }
    ovLoadReport rep;
    ck_assert_msg(ov_vision_model_load(vm, hf, "hf", &rep) == 0, "%s", ov_last_error());
    ck_assert_msg(ov_vision_model_load(ref, sd, "clipmodel", NULL) == 0, "%s", ov_last_error());
    ovTensorDict *a = ov_module_state(&vm->m, false), *b = ov_module_state(&ref->m, false);
    ck_assert_int_eq(ov_compare_dicts(a, b, 0.0, NULL, NULL), 0);
    /* without the ViP tables (a plain CLIP checkpoint) the load names what is missing */
    ovTensorDict *plain = ov_dict_new();
    for (int i = 0; i < hf->n; i++)
        if (!strstr(hf->names[i], "added_cls") && !strstr(hf->names[i], "temporal_embedding"))
            ov_dict_set(plain, hf->names[i], hf->tensors[i]);
    ck_assert_int_eq(ov_vision_model_load(vm, plain, "clip.safetensors", &rep), -1);
    ck_assert_int_eq(rep.n_missing, 2);
    ck_assert_msg(strstr(ov_last_error(), "added_cls") && strstr(ov_last_error(), "temporal_embedding"), "%s",
                  ov_last_error());
    ov_st_close(st);
    ov_module_free(&vm->m);
    ov_module_free(&ref->m);
    ov_scope_end();
}
END_TEST

/* The video-proxy pattern as a dense [S, S] bool mask through nn.MultiheadAttention's path: the
 * block-wise computation gives the same result, and its temporaries stay far below the dense
 * [B, H, S, S] scores. */
START_TEST(test_blockwise_attention) {
    ov_scope_begin();
    ovModule *root = ov_module_root(sizeof(ovModule), "Test", 4);
    int64_t W = 32, H = 4, M = 4, T = 8, L = 64, S = M + T * L;
    ovMHA *a = ov_mha_new(root, "self_attn", W, H, OV_MHA_SEPARATE, true, 0.0);
    ovGenerator g = ov_generator(9);
    ovTensor *h = ov_randn(OV_SHAPE(1, S, W), 0, 1, &g);
    ovTensor *blocked = ov_ones(OV_SHAPE(S, S), OV_BOOL); /* true = may not attend */
    uint8_t *bm = ov_data_ptr(blocked);
    for (int64_t i = 0; i < S; i++)
        for (int64_t j = 0; j < S; j++) {
            bool proxy_q = i < M, proxy_k = j < M, same_frame = i >= M && j >= M && (i - M) / L == (j - M) / L;
            bm[i * S + j] = !(proxy_q || proxy_k || same_frame);
        }
    ov_no_grad_begin();
    ovTensor *dense = ov_mha_forward(a, h, h, h, &(ovMHAOpts){.attn_mask = blocked});
    ov_scope_begin();
    int64_t base = ov_alloc_stats().host_bytes;
    ov_reset_peak();
    ovTensor *blockwise = ov_keep(ov_clipvip_attention(a, h, M, T, L));
    int64_t peak = ov_alloc_stats().host_peak_bytes - base;
    ov_scope_end();
    ov_no_grad_end();
    int64_t at;
    double e = ov_tensor_rel_error(blockwise, dense, &at);
    ck_assert_msg(e >= 0 && e < 1e-5, "block-wise attention differs from the dense mask: %.3g at %lld", e, (long long)at);
    int64_t dense_scores = H * S * S * (int64_t)sizeof(float);
    printf("test_clipvip: block-wise attention peak %.2f MB, dense scores alone %.2f MB\n", (double)peak / 1e6,
           (double)dense_scores / 1e6);
    ck_assert_msg(peak < dense_scores / 2, "block-wise attention used %lld bytes, dense scores take %lld", (long long)peak,
                  (long long)dense_scores);
    ov_module_free(root);
    ov_scope_end();
}
END_TEST

int main(void) {
    Suite *s = suite_create("clipvip");
    TCase *tc = tcase_create("parity");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_parity, 0, N_CASES);
    tcase_add_test(tc, test_pt_checkpoint);
    tcase_add_test(tc, test_hf_names);
    tcase_add_test(tc, test_blockwise_attention);
    suite_add_tcase(s, tc);
    tc = ov_device_tcase(s, "clipvip", "device");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_parity_on_device);
    return ov_run_suite(s) ? 1 : 0;
}
