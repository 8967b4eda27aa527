/* vision_parity.h: the PyTorch parity run shared by the vision-encoder suites (test_viclip,
 * test_clipvip, test_clip_image). A case of tools/gen_vision_fixtures.py is a safetensors file in
 * tests/fixtures/vision holding the model's sizes and the name of its weights file as metadata,
 * the input pixels (pixels_u8), text features, every intermediate PyTorch computed and, for cases
 * with the "grad" flag, output gradients (grad_output.*) and parameter gradients (param_grad.*). */
#ifndef OV_TEST_VISION_PARITY_H
#define OV_TEST_VISION_PARITY_H

#include "models/vision_model.h"
#include "tensor/safetensors.h"

#define OV_VP_DIR "tests/fixtures/vision"

/* The case's fixture; a missing one fails the test and says how to regenerate it. */
ovSafetensors *ov_vp_open(const char *name);

/* An integer of the fixture's metadata (a missing key fails the test). */
int64_t ov_vp_meta_int(ovSafetensors *st, const char *key);

/* Every tensor of the fixture, under its name. */
ovTensorDict *ov_vp_fixture_dict(ovSafetensors *st);

/* A model of cfg (seed 7) in eval mode; with weights_ext (".safetensors", ".pth", ".pt") the
 * case's weights file (its "weights" metadata + weights_ext) loaded, every parameter of it. */
ovVisionModel *ov_vp_model(ovVisionCfg cfg, ovSafetensors *st, const char *weights_ext);

/* u8 pixels [B, 3, T, H, W] on dev, / 255, normalised with the statistics of arch. */
ovTensor *ov_vp_input(ovVisionArch arch, ovTensor *u8, ovDevice dev);

/* got against want within 1e-4 (ov_compare_dicts), with exactly expect_compared tensors compared;
 * the table of errors is printed on a failure, or always with OVAD_VISION_VERBOSE set. */
void ov_vp_expect_match(const char *what, ovTensorDict *got, ovTensorDict *want, int expect_compared);

/* One case end to end on dev: the model of cfg_of(st) with the case's weights (weights_ext); the
 * forward of pixels_u8 keeping every block, dumped with the fixture's text features and compared
 * (n_dumps tensors besides the blocks); then, when the case has gradients, the backward of
 * sum(f_v * grad_output.f_v) + sum(patch_map_proj * grad_output.patch_map_proj) and every
 * param_grad.* of the fixture (at least 10) against the gradient of that parameter. */
void ov_vision_parity(const char *name, ovDevice dev, const char *weights_ext, ovVisionCfg (*cfg_of)(ovSafetensors *st),
                      int n_dumps);

#endif
