"""vision_ref.py: PyTorch references of the three video encoders of models/, written from
specs/vlm-backbones.md §1-2 and openmixer.md §1.2/§1.5 with the parameter names of the real
checkpoints, so that one state_dict loads in both (used by gen_vision_fixtures.py and
bench_viclip_torch.py).

  ViCLIPVision   InternVideo viclip_vision.py::VisionTransformer (module "vision_encoder")
  CLIPViPModel   XPretrain CLIP_ViP.py vision side: "vision_model" + "visual_projection"
                 (the checkpoint's "clipmodel." level), with OpenMixer's bicubic position resize
  CLIPImage      OpenAI clip/model.py::VisionTransformer (module "visual") per frame, mean over T

Also the deterministic weights that the C tests rebuild (fill_deterministic): value i of tensor
`name` is offset + scale * (u - 0.5), u = top 24 bits of splitmix64(fnv1a64(name) + i * golden) / 2^24,
computed in float64 and rounded to float32, with offset/scale chosen from the name (init_rule)."""
import math
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
CLIP = ((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))


def normalize(x01, stats):
    """[B,3,T,H,W] pixels in [0,1] -> (x - mean) / std per channel."""
    mean = torch.tensor(stats[0], dtype=x01.dtype).view(1, 3, 1, 1, 1)
    std = torch.tensor(stats[1], dtype=x01.dtype).view(1, 3, 1, 1, 1)
    return (x01 - mean) / std


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


def resize_pos(table, h, w):
    """[g*g, W] -> [h*w, W]: bicubic on the [1, W, g, g] image, align_corners=False."""
    g = int(round(math.sqrt(table.shape[0])))
    if (g, g) == (h, w):
        return table
    img = table.reshape(1, g, g, -1).permute(0, 3, 1, 2)
    img = F.interpolate(img, size=(h, w), mode="bicubic", align_corners=False)
    return img.permute(0, 2, 3, 1).reshape(h * w, -1)


def resize_temporal(table, T):
    """[1, n, W] -> [1, T, W]: F.interpolate(mode='linear') along the frames (align_corners=False)."""
    if table.shape[1] == T:
        return table
    return F.interpolate(table.transpose(1, 2), size=T, mode="linear").transpose(1, 2)


# ---------------------------------------------------------------- ViCLIP / OpenAI CLIP blocks
class ResidualAttentionBlock(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads)
        self.ln_1 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(d, 4 * d)), ("gelu", QuickGELU()),
                                              ("c_proj", nn.Linear(4 * d, d))]))
        self.ln_2 = nn.LayerNorm(d)

    def forward(self, x):  # [L, B, W], sequence first
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])


def pre_and_blocks(model, x, out):
    """ln_pre and the resblocks on batch-first tokens x, keeping "pre" and every "block.i" (batch
    first); returns the last hidden state, batch first."""
    x = model.ln_pre(x)
    out["pre"] = x
    x = x.permute(1, 0, 2)
    for i, blk in enumerate(model.transformer.resblocks):
        x = blk(x)
        out[f"block.{i}"] = x.permute(1, 0, 2)
    return x.permute(1, 0, 2)


def put_patch_maps(out, tokens, as_map, norm, project):
    """The patch maps of the patch tokens in as_map's [B, C, T, h, w] layout: as they are, after
    the final norm, normed and projected, projected only (ovad's ov_vision_model_dump)."""
    out["patch_map"] = as_map(tokens)
    out["patch_map_ln"] = as_map(norm(tokens))
    out["patch_map_proj"] = as_map(project(norm(tokens)))
    out["patch_map_projraw"] = as_map(project(tokens))


class ViCLIPVision(nn.Module):
    """InternVideo VisionTransformer (eval: no dropout, drop path or masking)."""

    def __init__(self, width, layers, heads, patch, image_size, frames, output_dim, temporal_rule="linear"):
        super().__init__()
        self.patch, self.temporal_rule = patch, temporal_rule
        self.conv1 = nn.Conv3d(3, width, (1, patch, patch), (1, patch, patch), bias=False)
        s = width ** -0.5
        self.class_embedding = nn.Parameter(s * torch.randn(width))
        self.positional_embedding = nn.Parameter(s * torch.randn((image_size // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.temporal_positional_embedding = nn.Parameter(torch.zeros(1, frames, width))
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(s * torch.randn(width, output_dim))

    def temporal(self, T):
        t = self.temporal_positional_embedding
        if T == 1:
            return t.mean(1)  # upstream's workaround for a single frame
        if T < t.shape[1] and self.temporal_rule == "truncate":
            return t[:, :T]
        return resize_temporal(t, T)

    def forward_fv(self, x):
        """Upstream's forward as written (f_v only, nothing kept): for timing."""
        x = self.conv1(x)
        B, C, T, H, W = x.shape
        x = x.permute(0, 2, 3, 4, 1).reshape(B * T, H * W, C)
        x = torch.cat([self.class_embedding + torch.zeros(x.shape[0], 1, C, dtype=x.dtype), x], dim=1)
        x = x + self.positional_embedding
        cls_tokens = x[:B, :1, :]
        x = x[:, 1:].reshape(B, T, H * W, C).permute(0, 2, 1, 3).reshape(B * H * W, T, C)
        x = x + self.temporal(T)
        x = torch.cat((cls_tokens, x.reshape(B, H * W * T, C)), dim=1)
        x = self.ln_pre(x).permute(1, 0, 2)
        for blk in self.transformer.resblocks:
            x = blk(x)
        return self.ln_post(x)[0] @ self.proj

    def forward(self, x):
        """x [B,3,T,H,W] -> dict of every intermediate (token tensors batch first)."""
        out = {}
        x = self.conv1(x)
        B, C, T, H, W = x.shape
        x = x.permute(0, 2, 3, 4, 1).reshape(B * T, H * W, C)
        x = torch.cat([self.class_embedding + torch.zeros(x.shape[0], 1, C, dtype=x.dtype), x], dim=1)
        pos = self.positional_embedding
        pos = torch.cat([pos[:1], resize_pos(pos[1:], H, W)], 0)
        x = x + pos
        cls_tokens = x[:B, :1, :]
        x = x[:, 1:]
        # '(b t) n m -> (b n) t m'
        x = x.reshape(B, T, H * W, C).permute(0, 2, 1, 3).reshape(B * H * W, T, C)
        x = x + self.temporal(T)
        # '(b n) t m -> b (n t) m'
        x = x.reshape(B, H * W * T, C)
        x = torch.cat((cls_tokens, x), dim=1)
        out["embed"] = x
        last = pre_and_blocks(self, x, out)
        out["f_v"] = self.ln_post(last[:, 0]) @ self.proj

        def as_map(t):  # token n*T + t
            return t.reshape(B, H, W, T, -1).permute(0, 4, 3, 1, 2).contiguous()
        put_patch_maps(out, last[:, 1:], as_map, self.ln_post, lambda t: t @ self.proj)
        return out


class CLIPImage(nn.Module):
    """OpenAI clip/model.py VisionTransformer applied per frame; f_v = mean over frames."""

    def __init__(self, width, layers, heads, patch, image_size, output_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        s = width ** -0.5
        self.class_embedding = nn.Parameter(s * torch.randn(width))
        self.positional_embedding = nn.Parameter(s * torch.randn((image_size // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(s * torch.randn(width, output_dim))

    def forward(self, x):
        out = {}
        B, _, T, Hi, Wi = x.shape
        x = self.conv1(x.permute(0, 2, 1, 3, 4).reshape(B * T, 3, Hi, Wi))
        _, C, H, W = x.shape
        x = x.reshape(B * T, C, H * W).permute(0, 2, 1)
        x = torch.cat([self.class_embedding + torch.zeros(x.shape[0], 1, C, dtype=x.dtype), x], dim=1)
        pos = self.positional_embedding
        x = x + torch.cat([pos[:1], resize_pos(pos[1:], H, W)], 0)
        out["embed"] = x
        last = pre_and_blocks(self, x, out)
        ff = (self.ln_post(last[:, 0]) @ self.proj).reshape(B, T, -1)
        out["f_frames"] = ff
        out["f_v"] = ff.mean(1)

        def as_map(t):
            return t.reshape(B, T, H, W, -1).permute(0, 4, 1, 2, 3).contiguous()
        put_patch_maps(out, last[:, 1:], as_map, self.ln_post, lambda t: t @ self.proj)
        return out


# ---------------------------------------------------------------- CLIP-ViP
class CLIPVisionViPEmbeddings(nn.Module):
    def __init__(self, width, patch, image_size, temporal_size, add_cls):
        super().__init__()
        self.add_cls_num = add_cls
        self.added_cls = nn.Parameter(torch.randn(add_cls, width))
        self.class_embedding = nn.Parameter(torch.randn(width))
        self.patch_embedding = nn.Conv2d(3, width, patch, patch, bias=False)
        n = (image_size // patch) ** 2 + 1
        self.position_embedding = nn.Embedding(n, width)
        self.register_buffer("position_ids", torch.arange(n).expand((1, -1)))
        self.temporal_embedding = nn.Parameter(torch.zeros(1, temporal_size, width))

    def forward(self, pixel_values):  # [B, T, 3, H, W]
        B, T, C, H, W = pixel_values.shape
        time_embed = resize_temporal(self.temporal_embedding, T)
        pe = self.patch_embedding(pixel_values.reshape(-1, C, H, W))
        h, w = pe.shape[2:]
        pe = pe.flatten(2).transpose(1, 2)
        pe = pe.reshape(B, T, h * w, -1)
        pe = pe + time_embed.unsqueeze(2)
        table = self.position_embedding.weight
        pe = pe + resize_pos(table[1:], h, w).unsqueeze(0).unsqueeze(0)  # OpenMixer's online resize
        cls = self.class_embedding.expand(B, 1, -1) + table[0:1]
        added = self.added_cls.expand(B, self.add_cls_num, -1) + table[0:1]
        M = 1 + self.add_cls_num
        return torch.cat([cls, added, pe.reshape(B, -1, pe.shape[-1])], dim=1), (M, T, h * w), (h, w)


class CLIPAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.num_heads, self.head_dim = heads, width // heads
        self.scale = self.head_dim ** -0.5
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.q_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def _shape(self, t, bsz):
        return t.view(bsz, -1, self.num_heads, self.head_dim).transpose(1, 2).contiguous()

    def forward2(self, x, inputs_size):
        """XPretrain CLIPAttention.forward2: frame queries see [proxies, own frame]; proxies see all."""
        M, N, L = inputs_size
        bsz, tgt_len, embed_dim = x.size()
        proj_shape = (bsz * self.num_heads, -1, self.head_dim)
        q = self._shape(self.q_proj(x) * self.scale, bsz).view(*proj_shape)
        k = self._shape(self.k_proj(x), bsz).view(*proj_shape)
        v = self._shape(self.v_proj(x), bsz).view(*proj_shape)
        qf = q[:, M:].reshape(-1, L, self.head_dim)
        kf = torch.cat([k[:, :M].repeat(1, N, 1).reshape(-1, M, self.head_dim), k[:, M:].reshape(-1, L, self.head_dim)], 1)
        vf = torch.cat([v[:, :M].repeat(1, N, 1).reshape(-1, M, self.head_dim), v[:, M:].reshape(-1, L, self.head_dim)], 1)
        o = torch.bmm(F.softmax(torch.bmm(qf, kf.transpose(1, 2)), -1), vf)
        o = o.view(bsz, self.num_heads, N, L, self.head_dim).permute(0, 2, 3, 1, 4).reshape(bsz, N * L, embed_dim)
        oc = torch.bmm(F.softmax(torch.bmm(q[:, :M], k.transpose(1, 2)), -1), v)
        oc = oc.view(bsz, self.num_heads, M, self.head_dim).transpose(1, 2).reshape(bsz, M, embed_dim)
        return self.out_proj(torch.cat([oc, o], 1))

    def dense(self, x, inputs_size):
        """The same pattern as one softmax with a dense -inf mask (a cross-check only)."""
        M, N, L = inputs_size
        S = M + N * L
        allow = torch.zeros(S, S, dtype=torch.bool)
        allow[:M] = True
        for t in range(N):
            r = slice(M + t * L, M + (t + 1) * L)
            allow[r, :M] = True
            allow[r, r] = True
        mask = torch.zeros(S, S, dtype=x.dtype).masked_fill(~allow, float("-inf"))
        bsz = x.shape[0]
        q = self._shape(self.q_proj(x) * self.scale, bsz)
        k, v = self._shape(self.k_proj(x), bsz), self._shape(self.v_proj(x), bsz)
        o = torch.softmax(q @ k.transpose(-1, -2) + mask, -1) @ v
        return self.out_proj(o.transpose(1, 2).reshape(bsz, S, -1))


class CLIPMLP(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)
        self.act = QuickGELU()

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.self_attn = CLIPAttention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width)
        self.mlp = CLIPMLP(width, hidden)
        self.layer_norm2 = nn.LayerNorm(width)

    def forward(self, x, inputs_size, check_dense=False):
        h = self.layer_norm1(x)
        a = self.self_attn.forward2(h, inputs_size)
        if check_dense:
            d = self.self_attn.dense(h, inputs_size)
            assert torch.allclose(a, d, rtol=1e-9, atol=1e-9), "block-wise and dense attention disagree"
        x = x + a
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, width, layers, heads, hidden):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(width, heads, hidden) for _ in range(layers)])


class CLIPViPVisionTransformer(nn.Module):
    def __init__(self, width, layers, heads, patch, image_size, temporal_size, add_cls, hidden):
        super().__init__()
        self.embeddings = CLIPVisionViPEmbeddings(width, patch, image_size, temporal_size, add_cls)
        self.pre_layrnorm = nn.LayerNorm(width)
        self.encoder = CLIPEncoder(width, layers, heads, hidden)
        self.post_layernorm = nn.LayerNorm(width)


class CLIPViPModel(nn.Module):
    """The vision side of VidCLIP's `clipmodel`: vision_model and visual_projection."""

    def __init__(self, width, layers, heads, patch, image_size, temporal_size, add_cls, output_dim, hidden=None):
        super().__init__()
        self.vision_model = CLIPViPVisionTransformer(width, layers, heads, patch, image_size, temporal_size, add_cls,
                                                     hidden or 4 * width)
        self.visual_projection = nn.Linear(width, output_dim, bias=False)

    def forward(self, x, check_dense=False):
        """x [B,3,T,H,W] (ovad's clip layout; upstream takes [B,T,3,H,W])."""
        vm = self.vision_model
        out = {}
        emb, size, (h, w) = vm.embeddings(x.permute(0, 2, 1, 3, 4))
        M, T, L = size
        out["embed"] = emb
        s = vm.pre_layrnorm(emb)
        out["pre"] = s
        for i, layer in enumerate(vm.encoder.layers):
            s = layer(s, size, check_dense)
            out[f"block.{i}"] = s
        B = x.shape[0]
        out["f_v"] = self.visual_projection(vm.post_layernorm(s[:, 0]))
        V = s[:, M:]

        def as_map(t):
            return t.reshape(B, T, h, w, -1).permute(0, 4, 1, 2, 3).contiguous()
        put_patch_maps(out, V, as_map, vm.post_layernorm, self.visual_projection)
        out["ritsm"] = as_map(F.normalize(self.visual_projection(vm.post_layernorm(V)), dim=-1))
        return out


def patch_text_similarity(pmap, text):
    """[B,D,T,h,w] x [K,D] -> [B,K,T,h,w] cosine."""
    p = F.normalize(pmap, dim=1)
    t = F.normalize(text, dim=1)
    return torch.einsum("bdthw,kd->bkthw", p, t)


# ---------------------------------------------------------------- deterministic weights
M64 = (1 << 64) - 1


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) & M64
    return h


def uniform_stream(name, n):
    """n values u in [0, 1) with 24 bits: splitmix64(fnv1a64(name) + i * 0x9E3779B97F4A7C15) >> 40."""
    with np.errstate(over="ignore"):
        i = np.arange(n, dtype=np.uint64)
        z = np.uint64(fnv1a64(name)) + i * np.uint64(0x9E3779B97F4A7C15)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)


def init_rule(name, shape):
    """(offset, scale) of the deterministic fill for a parameter (mirrored in tests/test_viclip.c)."""
    leaf = name.rsplit(".", 1)[-1]
    norm = any(k in name for k in ("ln_", "layer_norm", "layrnorm", "layernorm"))
    if norm:
        return (1.0 if leaf == "weight" else 0.0), 0.4
    if "embedding" in name or leaf == "added_cls":
        return 0.0, 1.0
    if leaf.endswith("bias"):
        return 0.0, 0.2
    numel = int(np.prod(shape))
    fan_in = shape[0] if leaf == "proj" else numel // shape[0]
    return 0.0, math.sqrt(12.0 / fan_in)


def fill_deterministic(module, prefix=""):
    """Every float tensor of module.state_dict(), hashed under prefix + its name (the checkpoint key)."""
    with torch.no_grad():
        for name, p in module.state_dict().items():
            if not p.is_floating_point():
                continue
            name = prefix + name
            off, sc = init_rule(name, tuple(p.shape))
            v = off + sc * (uniform_stream(name, p.numel()) - 0.5)
            p.copy_(torch.from_numpy(v.astype(np.float32)).reshape(p.shape))


def deterministic_tensor(name, shape, offset, scale):
    n = int(np.prod(shape))
    return torch.from_numpy((offset + scale * (uniform_stream(name, n) - 0.5)).astype(np.float32)).reshape(shape)
