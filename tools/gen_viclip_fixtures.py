#!/usr/bin/python3
"""gen_viclip_fixtures.py: a PyTorch reference of the whole ViCLIP model (models/viclip.h) for
tests/test_viclip_model.c: InternVideo's ViCLIP with its checkpoint key names (vision_encoder.* from
vision_ref.ViCLIPVision, text_encoder.* from gen_text_fixtures.OpenAICLIPText, the scalar `temp`),
the logits cos(f_v, f_t) / temp and the VTC loss of criterions.py::vtc_loss:

    targets = eq(idx, idx^T) / rowsum          (the identity when idx is None)
    loss = (-(log_softmax(logits, 1) * targets).sum(1).mean()
            - (log_softmax(logits^T, 1) * targets).sum(1).mean()) / 2

A small model (vision width 32, 2 blocks, patch 8 on 16x16 frames, 4 frames; text width 32, 2
blocks, a 100-token vocabulary, context 12; joint width 24; temp 0.07) gets random weights, written
as tests/fixtures/viclip_full/weights.safetensors and, as ViCLIP's {'model': state_dict, ...}, as
weights.pth. Each case <case>.safetensors holds the input (pixels f32 [B,3,T,H,W] in [0, 1], fed
through the ImageNet normalisation; ids i64 [B, L], the largest id ending each text; idx i64 [B]),
the float64 reference's outputs (logits [B, B], loss []) and grad.<key>, the loss's gradient with
respect to temp and a few weights of both towers. Metadata `config` is the model's name for
ov_viclip_cfg_named.

Usage: /usr/bin/python3 tools/gen_viclip_fixtures.py [tests/fixtures/viclip_full]
"""
import copy
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_text_fixtures as tf  # noqa: E402
import st_io  # noqa: E402
import vision_ref as vr  # noqa: E402

VISION = dict(width=32, layers=2, heads=4, patch=8, image_size=16, frames=4, output_dim=24)
TEXT = dict(vocab=100, context=12, width=32, layers=2, heads=4, embed_dim=24)
TEMP = 0.07
CONFIG = ("viclip:width=32,layers=2,heads=4,patch=8,image=16,table_frames=4,out=24,frames=4,input=16,"
          "text_width=32,text_layers=2,text_heads=4,context=12,vocab=100")
GRADS = ["temp", "vision_encoder.proj", "vision_encoder.conv1.weight", "vision_encoder.class_embedding",
         "vision_encoder.transformer.resblocks.1.mlp.c_fc.weight", "vision_encoder.ln_post.weight",
         "text_encoder.text_projection", "text_encoder.transformer.resblocks.0.attn.in_proj_weight",
         "text_encoder.positional_embedding", "text_encoder.token_embedding.weight", "text_encoder.ln_final.bias"]


class ViCLIP(nn.Module):
    """InternVideo viclip.py::ViCLIP at any size: the two towers and temp (eval mode: no masking,
    dropout or drop path)."""

    def __init__(self):
        super().__init__()
        self.vision_encoder = vr.ViCLIPVision(**VISION)
        self.text_encoder = tf.OpenAICLIPText(TEXT)
        self.temp = nn.Parameter(torch.ones([]) * TEMP)

    def forward(self, pixels, ids, idx):
        fv = F.normalize(self.vision_encoder(vr.normalize(pixels, vr.IMAGENET))["f_v"], dim=-1)
        ft = F.normalize(self.text_encoder(ids)["features"], dim=-1)
        logits = fv @ ft.t() / self.temp
        if idx is None:
            targets = torch.eye(logits.shape[0], dtype=logits.dtype)
        else:
            targets = (idx.view(-1, 1) == idx.view(1, -1)).to(logits.dtype)
            targets = targets / targets.sum(1, keepdim=True)
        i2t = -(F.log_softmax(logits, 1) * targets).sum(1).mean()
        t2i = -(F.log_softmax(logits.t(), 1) * targets).sum(1).mean()
        return logits, (i2t + t2i) / 2


def seeded(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def randomize(model):
    """Random weights with the vision and text fixtures' offsets and scales (norms near 1, small
    biases, tables of +-0.5, matrices of unit output scale), so that every parameter matters."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "temp":
                continue
            if name.startswith("vision_encoder."):
                off, sc = vr.init_rule(name, tuple(p.shape))
                p.copy_(off + sc * (torch.rand(p.shape) - 0.5))
            else:
                off, sc = tf.det_rule(name, tuple(p.shape))
                p.copy_(off + sc * (2 * torch.rand(p.shape) - 1))


def text_ids(B):
    """[B, L] ids: 98 ("start"), 1..97, then 99 (the largest: "end") and zero padding."""
    L = TEXT["context"]
    ids = torch.zeros(B, L, dtype=torch.int64)
    for b in range(B):
        n = int(torch.randint(1, L - 1, ()))
        ids[b, 0] = 98
        ids[b, 1:n] = torch.randint(1, 98, (n - 1,))
        ids[b, n] = 99
    return ids


def case(out, model, name, idx):
    seeded(name)
    B, T, S = 4, VISION["frames"], 16
    pixels = torch.rand(B, 3, T, S, S)
    ids = text_ids(B)
    m64 = copy.deepcopy(model).double()
    logits, loss = m64(pixels.double(), ids, idx)
    loss.backward()
    params = dict(m64.named_parameters())
    t = {"input.pixels": pixels, "input.ids": ids, "output.logits": logits.detach().float(),
         "output.loss": loss.detach().float()}
    if idx is not None:
        t["input.idx"] = idx
    for k in GRADS:
        t["grad." + k] = params[k].grad.float()
    st_io.save(f"{out}/{name}.safetensors", t, {"config": CONFIG, "temp": str(TEMP)})
    print(f"{name}: loss {loss.item():.6f}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "tests", "fixtures", "viclip_full")
    os.makedirs(out, exist_ok=True)
    seeded("viclip_full")
    model = ViCLIP().eval()
    randomize(model)
    sd = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    st_io.save(f"{out}/weights.safetensors", sd, {"config": CONFIG, "format": "ViCLIP state_dict"})
    torch.save({"model": sd, "epoch": 1}, f"{out}/weights.pth")
    case(out, model, "plain", None)                                  # every pair its own
    case(out, model, "shared", torch.tensor([3, 7, 3, 1]))           # clips 0 and 2 share a caption


if __name__ == "__main__":
    main()
