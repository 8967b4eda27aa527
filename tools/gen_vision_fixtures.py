#!/usr/bin/python3
"""gen_vision_fixtures.py: PyTorch references for the video encoders of models/ (ViCLIP, CLIP-ViP,
OpenAI CLIP per frame), read by tests/test_viclip.c, tests/test_clipvip.c and tests/test_clip_image.c.

The encoders are written from the spec in vision_ref.py with the checkpoints' parameter names.
Small models (width 32, 2 layers, 4 heads, patch 16, a 3x3 position table) get random weights,
saved as the checkpoints are laid out, text tower stand-ins and position_ids included so that the
loaders must pick the vision keys:
    viclip_s.safetensors / viclip_s.pth    {'model': {vision_encoder.*, text_encoder.*, temp}}
    clipvip_s.safetensors / clipvip_s.pt   {clipmodel.vision_model.*, clipmodel.visual_projection.weight, ...}
    clip_s.safetensors                     {visual.*, OpenAI's text-side names}
(the .pth/.pt copies are for the torch.save reader). Each case <model>_s_<case>.safetensors holds
the pixels (u8 [B,3,T,H,W], fed as value / 255), random text features `text`
[K,D], and every intermediate of a float64 forward (of the float32 weights): embed, pre, block.i,
f_v, patch_map (before the final norm), patch_map_ln, patch_map_proj (norm + projection),
patch_map_projraw (projection only), patch_text_sim, ritsm (CLIP-ViP), f_frames (CLIP); with
grad=1 also grad_output.{f_v,patch_map_proj} and param_grad.<key> for the parameters of at most
1024 elements (but k_proj.bias, whose gradient is zero up to round-off). Metadata: model, weights, the configuration and the case's options.

viclip_b16_full.safetensors: ViCLIP-B/16 at full size (8 frames of 224x224) with weights and
input made by vision_ref.fill_deterministic / deterministic_tensor, which the C test rebuilds from
the same formula (600 MB of weights are never written); it keeps f_v and strided samples of the
other outputs (steps in the metadata).

viclip_real.safetensors: 8 frames of ../shared/data/internvid_example1.mp4 (ViCLIP's middle
sampling, decoded by PyAV, resized to 64x64 bilinearly) through the small ViCLIP.

Usage: /usr/bin/python3 tools/gen_vision_fixtures.py [tests/fixtures/vision] [--no-full]
"""
import copy
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402
import vision_ref as vr  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = dict(width=32, layers=2, heads=4, patch=16, image_size=48)
OUT_DIM = 24
VICLIP_FRAMES = 4
CLIPVIP_TEMPORAL = 4


def seeded(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def randomize(module, prefix):
    """Random weights with the deterministic fill's offsets and scales (non-trivial norms and
    tables, so every parameter matters)."""
    with torch.no_grad():
        for name, p in module.state_dict().items():
            if p.is_floating_point():
                off, sc = vr.init_rule(prefix + name, tuple(p.shape))
                p.copy_(off + sc * (torch.rand(p.shape) - 0.5))


def models():
    seeded("viclip_s")
    viclip = vr.ViCLIPVision(frames=VICLIP_FRAMES, output_dim=OUT_DIM, **SMALL)
    randomize(viclip, "vision_encoder.")
    seeded("clipvip_s")
    clipvip = vr.CLIPViPModel(temporal_size=CLIPVIP_TEMPORAL, add_cls=3, output_dim=OUT_DIM, **SMALL)
    randomize(clipvip, "clipmodel.")
    seeded("clip_s")
    clip = vr.CLIPImage(output_dim=OUT_DIM, **SMALL)
    randomize(clip, "visual.")
    return {"viclip": viclip, "clipvip": clipvip, "clip": clip}


def checkpoints(out, ms):
    seeded("checkpoints")
    sd = {"vision_encoder." + k: v.float() for k, v in ms["viclip"].state_dict().items()}
    sd["text_encoder.ln_final.weight"] = torch.randn(8)
    sd["text_encoder.positional_embedding"] = torch.randn(4, 8)
    sd["temp"] = torch.tensor(0.01)
    st_io.save(f"{out}/viclip_s.safetensors", sd, {"format": "ViCLIP .pth 'model' entry"})
    torch.save({"model": sd, "epoch": 3}, f"{out}/viclip_s.pth")

    sd = {"clipmodel." + k: v for k, v in ms["clipvip"].state_dict().items()}
    sd["clipmodel.logit_scale"] = torch.tensor(4.6)
    sd["clipmodel.text_projection.weight"] = torch.randn(8, 8)
    sd["clipmodel.text_model.final_layer_norm.weight"] = torch.randn(8)
    st_io.save(f"{out}/clipvip_s.safetensors", sd, {"format": "CLIP-ViP VidCLIP state_dict"})
    torch.save(sd, f"{out}/clipvip_s.pt")

    sd = {"visual." + k: v for k, v in ms["clip"].state_dict().items()}
    sd["positional_embedding"] = torch.randn(5, 8)  # the text tower's, at the top level
    sd["text_projection"] = torch.randn(8, 8)
    sd["logit_scale"] = torch.tensor(4.6)
    st_io.save(f"{out}/clip_s.safetensors", sd, {"format": "OpenAI CLIP state_dict"})


def meta_of(kind, m):
    base = {k: str(v) for k, v in SMALL.items()}
    base.update(model=kind, weights=f"{kind}_s", output_dim=str(OUT_DIM))
    if kind == "viclip":
        base.update(frames=str(VICLIP_FRAMES), temporal_rule=m.temporal_rule)
    if kind == "clipvip":
        base.update(temporal_size=str(CLIPVIP_TEMPORAL), add_cls="3")
    return base


def forward64(m, pixels, stats, kind, text, grad):
    m64 = copy.deepcopy(m).double()
    x = vr.normalize(pixels.double(), stats)
    outs = m64(x, check_dense=True) if kind == "clipvip" else m64(x)
    outs["patch_text_sim"] = vr.patch_text_similarity(outs["patch_map_proj"], text.double())
    t = {}
    for k, v in outs.items():
        t[k] = v.detach().float()
    if grad:
        g1, g2 = torch.randn(outs["f_v"].shape), torch.randn(outs["patch_map_proj"].shape)
        loss = (outs["f_v"] * g1.double()).sum() + (outs["patch_map_proj"] * g2.double()).sum()
        loss.backward()
        t["grad_output.f_v"], t["grad_output.patch_map_proj"] = g1, g2
        prefix = {"viclip": "vision_encoder.", "clipvip": "clipmodel.", "clip": "visual."}[kind]
        for k, p in m64.named_parameters():
            # k_proj.bias has no gradient (softmax ignores a constant per query row): round-off only
            if p.numel() <= 1024 and not k.endswith("k_proj.bias"):
                t[f"param_grad.{prefix}{k}"] = p.grad.float()
    return t


def small_case(out, ms, name, kind, B, T, H, W, grad=False, temporal_rule=None):
    seeded(name)
    m = ms[kind]
    if temporal_rule:
        m = copy.deepcopy(m)
        m.temporal_rule = temporal_rule
    stats = vr.IMAGENET if kind == "viclip" else vr.CLIP
    pixels_u8 = torch.randint(0, 256, (B, 3, T, H, W), dtype=torch.uint8)
    pixels = pixels_u8.float() / 255
    text = torch.randn(5, OUT_DIM)
    t = {"pixels_u8": pixels_u8, "text": text}
    t.update(forward64(m, pixels, stats, kind, text, grad))
    meta = meta_of(kind, m)
    meta.update(case=name, grad=str(int(grad)))
    st_io.save(f"{out}/{name}.safetensors", t, meta)
    print(f"{name}: f_v {tuple(t['f_v'].shape)}, patch map {tuple(t['patch_map'].shape)}")


def middle_indices(vlen, T):
    """InternVideo get_frame_indices(..., 'middle')."""
    edges = np.linspace(0, vlen, T + 1).astype(int)
    return [int((edges[i] + edges[i + 1] - 1) // 2) for i in range(T)]


def real_case(out, ms):
    path = os.path.join(ROOT, "..", "shared", "data", "internvid_example1.mp4")
    try:
        import av
    except ImportError:
        print("viclip_real: skipped (no PyAV)")
        return
    if not os.path.exists(path):
        print(f"viclip_real: skipped ({path} not found)")
        return
    with av.open(path) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    idx = middle_indices(len(frames), 8)
    clip = torch.from_numpy(np.stack([frames[i] for i in idx])).permute(0, 3, 1, 2).float()  # [T,3,H,W]
    small = F.interpolate(clip, size=(64, 64), mode="bilinear", align_corners=False)
    small = torch.floor(small + 0.5).clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous()  # [T,64,64,3]
    pixels = (small.permute(3, 0, 1, 2).float() / 255).unsqueeze(0)  # [1,3,T,64,64]
    seeded("viclip_real")
    text = torch.randn(5, OUT_DIM)
    t = {"frames": small, "text": text}
    t.update(forward64(ms["viclip"], pixels, vr.IMAGENET, "viclip", text, False))
    meta = meta_of("viclip", ms["viclip"])
    meta.update(case="viclip_real", video="internvid_example1.mp4", indices=",".join(map(str, idx)), size="64,64")
    st_io.save(f"{out}/viclip_real.safetensors", t, meta)
    print(f"viclip_real: frames {idx} of {len(frames)}")


FULL_STEPS = dict(tok=97, ch=8, map="16,3,4,4", proj="8,1,5,5")


def full_case(out):
    torch.set_num_threads(2)
    m = vr.ViCLIPVision(width=768, layers=12, heads=12, patch=16, image_size=224, frames=8, output_dim=512)
    vr.fill_deterministic(m, "vision_encoder.")
    x = vr.deterministic_tensor("input", (1, 3, 8, 224, 224), 0.0, 4.0)
    with torch.no_grad():
        o = m.double()(x.double())
    t = {"input_head": x[0, :, 0, 0, :8].contiguous(),
         "weight_head.conv1": m.conv1.weight.float().flatten()[:8].contiguous(),
         "weight_head.in_proj": m.transformer.resblocks[5].attn.in_proj_weight.float().flatten()[-8:].contiguous(),
         "f_v": o["f_v"].float()}
    ts, cs = FULL_STEPS["tok"], FULL_STEPS["ch"]
    for k in ["embed", "pre"] + [f"block.{i}" for i in range(12)]:
        t[k] = o[k][:, ::ts, ::cs].float().contiguous()
    s = [int(v) for v in FULL_STEPS["map"].split(",")]
    t["patch_map"] = o["patch_map"][:, ::s[0], ::s[1], ::s[2], ::s[3]].float().contiguous()
    s = [int(v) for v in FULL_STEPS["proj"].split(",")]
    t["patch_map_proj"] = o["patch_map_proj"][:, ::s[0], ::s[1], ::s[2], ::s[3]].float().contiguous()
    meta = {"model": "viclip", "case": "viclip_b16_full", "tok_step": str(ts), "ch_step": str(cs),
            "map_steps": FULL_STEPS["map"], "proj_steps": FULL_STEPS["proj"]}
    st_io.save(f"{out}/viclip_b16_full.safetensors", t, meta)
    print("viclip_b16_full: f_v[:4]", o["f_v"][0, :4].tolist())


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = args[0] if args else os.path.join(ROOT, "tests", "fixtures", "vision")
    os.makedirs(out, exist_ok=True)
    ms = models()
    checkpoints(out, ms)
    small_case(out, ms, "viclip_s_interp", "viclip", 2, 3, 32, 48, grad=True)
    small_case(out, ms, "viclip_s_native", "viclip", 1, 4, 48, 48)
    small_case(out, ms, "viclip_s_t1", "viclip", 2, 1, 32, 48)
    small_case(out, ms, "viclip_s_truncate", "viclip", 1, 3, 48, 32, temporal_rule="truncate")
    small_case(out, ms, "clipvip_s_interp", "clipvip", 2, 3, 32, 48, grad=True)
    small_case(out, ms, "clipvip_s_native", "clipvip", 1, 4, 48, 48)
    small_case(out, ms, "clip_s_interp", "clip", 2, 3, 32, 48, grad=True)
    small_case(out, ms, "clip_s_image", "clip", 1, 1, 48, 48)
    real_case(out, ms)
    if "--no-full" not in sys.argv:
        full_case(out)
    names = sorted(f for f in os.listdir(out) if f.endswith(".safetensors"))
    with open(f"{out}/index.txt", "w") as f:
        f.write("\n".join(names) + "\n")


if __name__ == "__main__":
    main()
