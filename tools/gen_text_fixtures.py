#!/usr/bin/python3
"""gen_text_fixtures.py: PyTorch references of the CLIP text towers (models/text.h) for
tests/test_text.c, written from ../shared/specs/vlm-backbones.md with the checkpoints' own parameter
names, so that the same state_dict loads on both sides:

  OpenAICLIPText   OpenAI CLIP's text side (token_embedding, positional_embedding,
                   transformer.resblocks.i.{attn (nn.MultiheadAttention), ln_1, mlp.c_fc/c_proj, ln_2},
                   ln_final, text_projection used as x @ P); ViCLIP holds it as `text_encoder`.
  HFCLIPText       transformers' CLIPTextTransformer (text_model.embeddings.{token_embedding,
                   position_embedding, position_ids}, text_model.encoder.layers.i.{self_attn.{q,k,v,
                   out}_proj, layer_norm1, mlp.fc1/fc2, layer_norm2}, text_model.final_layer_norm) and
                   CLIPModel.text_projection (Linear, no bias), with HF's finfo.min causal + padding masks.

Weights are drawn by a counter-based generator that test_text.c reimplements bit for bit
(det_weight below: splitmix64 of fnv1a64(key) ^ seed and the element index), so the 49408-row token
embedding, and the whole full-size ViCLIP-B/16 tower, need not be committed. Each case writes
tests/fixtures/text/<case>.safetensors with
    <key>            the float32 state_dict, except the generated keys listed in metadata `generated`
                     ("all" for the full-size case)
    input.ids        i64 [B, L] real CLIP token ids (tools/tokenizer_ref.py), input.mask i64 [B, L]
    output.<name>    embeddings, blocks.<i>, tokens, pooled, features (full-size case: every
                     [B, L, W] output cut to its first `keep` positions)
    grad.<key>       d(sum(features * grad_features))/d(param) for the small cases (not the embedding)
    grad_features    the random weights of that sum
    vocab.*          prompt-averaged vocabulary features (hf_small): mean, normalised, first caption
and metadata (layout, prefix, vocab, context, width, layers, heads, embed_dim, seed, keep). The
reference runs in float64 on float64 copies of the float32 weights. The same stored weights are also
written by torch.save: viclip_small.pth as ViCLIP's {'model': state_dict, ...} and clipvip_small.pt
(hf_small's) as CLIP-ViP's state_dict with the `clipmodel.` prefix.

Usage: /usr/bin/python3 tools/gen_text_fixtures.py [tests/fixtures/text] [VOCAB.gz]
"""
import collections
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402
import tokenizer_ref  # noqa: E402

M64 = (1 << 64) - 1


def fnv1a64(s):
    h = 1469598103934665603
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) & M64
    return h


def det_weight(key, shape, seed):
    """The deterministic float32 weights of parameter `key` (see test_text.c's det_fill)."""
    n = int(np.prod(shape)) if len(shape) else 1
    k = np.uint64(fnv1a64(key) ^ seed)
    with np.errstate(over="ignore"):
        z = k + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    offset, scale = det_rule(key, shape)
    v = offset + scale * (2 * u - 1)
    return torch.from_numpy(v.astype(np.float32)).reshape(shape)


def det_rule(key, shape):
    last = key.split(".")[-1]
    norm = any(s in key for s in ("ln_", "layer_norm", "ln_final", "final_layer_norm"))
    if "embedding" in key:
        return 0.0, 0.5
    if len(shape) == 1:
        return (1.0, 0.2) if norm and last == "weight" else (0.0, 0.1)
    if last == "text_projection":  # a raw [W, E] parameter used as x @ P
        return 0.0, math.sqrt(3.0 / shape[0])
    return 0.0, math.sqrt(3.0 / shape[1])


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


# ---------------- OpenAI CLIP / ViCLIP ----------------
class ResidualAttentionBlock(nn.Module):
    def __init__(self, w, h, mlp):
        super().__init__()
        self.attn = nn.MultiheadAttention(w, h)
        self.ln_1 = nn.LayerNorm(w)
        self.mlp = nn.Sequential(collections.OrderedDict([("c_fc", nn.Linear(w, mlp)), ("gelu", QuickGELU()),
                                                          ("c_proj", nn.Linear(mlp, w))]))
        self.ln_2 = nn.LayerNorm(w)

    def forward(self, x, mask):  # x [L, B, W]
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, w, layers, h, mlp):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(w, h, mlp) for _ in range(layers)])


class OpenAICLIPText(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = Transformer(c["width"], c["layers"], c["heads"], 4 * c["width"])
        self.token_embedding = nn.Embedding(c["vocab"], c["width"])
        self.positional_embedding = nn.Parameter(torch.empty(c["context"], c["width"]))
        self.ln_final = nn.LayerNorm(c["width"])
        self.text_projection = nn.Parameter(torch.empty(c["width"], c["embed_dim"]))

    def forward(self, ids, mask=None):
        L = ids.shape[1]
        out = {}
        x = self.token_embedding(ids) + self.positional_embedding[:L]
        out["embeddings"] = x
        causal = torch.full((L, L), float("-inf"), dtype=x.dtype).triu(1)  # CLIP.build_attention_mask
        x = x.permute(1, 0, 2)
        for i, b in enumerate(self.transformer.resblocks):
            x = b(x, causal)
            out["blocks.%d" % i] = x.permute(1, 0, 2)
        x = self.ln_final(x.permute(1, 0, 2))
        out["tokens"] = x
        out["pooled"] = x[torch.arange(x.shape[0]), ids.argmax(dim=-1)]
        out["features"] = out["pooled"] @ self.text_projection
        return out


class ViCLIP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.text_encoder = OpenAICLIPText(c)

    def forward(self, ids, mask=None):
        return self.text_encoder(ids, mask)


# ---------------- Hugging Face CLIP ----------------
class CLIPAttention(nn.Module):
    def __init__(self, w, h):
        super().__init__()
        self.h, self.hd = h, w // h
        self.k_proj, self.v_proj, self.q_proj, self.out_proj = (nn.Linear(w, w) for _ in range(4))

    def forward(self, x, mask):
        B, L, W = x.shape
        split = lambda t: t.view(B, L, self.h, self.hd).transpose(1, 2)  # noqa: E731
        q = split(self.q_proj(x) * self.hd ** -0.5)
        k, v = split(self.k_proj(x)), split(self.v_proj(x))
        w = torch.softmax(q @ k.transpose(-1, -2) + mask, dim=-1)
        return self.out_proj((w @ v).transpose(1, 2).reshape(B, L, W))


class CLIPMLP(nn.Module):
    def __init__(self, w, hidden):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(w, hidden), nn.Linear(hidden, w)

    def forward(self, x):
        return self.fc2(QuickGELU()(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, w, h):
        super().__init__()
        self.self_attn = CLIPAttention(w, h)
        self.layer_norm1 = nn.LayerNorm(w)
        self.mlp = CLIPMLP(w, 4 * w)
        self.layer_norm2 = nn.LayerNorm(w)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c["vocab"], c["width"])
        self.position_embedding = nn.Embedding(c["context"], c["width"])
        self.register_buffer("position_ids", torch.arange(c["context"]).expand((1, -1)))


class CLIPEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(c["width"], c["heads"]) for _ in range(c["layers"])])


class CLIPTextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = CLIPTextEmbeddings(c)
        self.encoder = CLIPEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c["width"])


class HFCLIPText(nn.Module):
    """CLIPModel's text half: text_model + text_projection."""

    def __init__(self, c):
        super().__init__()
        self.text_model = CLIPTextTransformer(c)
        self.text_projection = nn.Linear(c["width"], c["embed_dim"], bias=False)

    def forward(self, ids, mask):
        tm = self.text_model
        B, L = ids.shape
        out = {}
        x = tm.embeddings.token_embedding(ids) + tm.embeddings.position_embedding(tm.embeddings.position_ids[:, :L])
        out["embeddings"] = x
        lo = torch.finfo(x.dtype).min
        causal = torch.full((L, L), lo, dtype=x.dtype).triu(1)[None, None]  # _build_causal_attention_mask
        pad = (1.0 - mask[:, None, None, :].to(x.dtype)) * lo  # _expand_mask
        for i, layer in enumerate(tm.encoder.layers):
            x = layer(x, causal + pad)
            out["blocks.%d" % i] = x
        x = tm.final_layer_norm(x)
        out["tokens"] = x
        out["pooled"] = x[torch.arange(B), ids.argmax(dim=-1)]
        out["features"] = self.text_projection(out["pooled"])
        return out


# ---------------- cases ----------------
TEXTS = ["a person riding a bike", "Climb stairs: He ascended the staircase with haste, not wanting to waste any time.",
         "hello world!", "a video of a person golfing in the rain while a dog chases a ball across the wet green grass "
         "and the crowd watches from under their umbrellas, cheering and clapping"]

CASES = [
    # name, layout, prefix, context, width, layers, heads, embed_dim, batch texts, style, keep
    ("openai_small", "openai", "", 77, 32, 2, 4, 24, TEXTS[:3], "openai", 0),
    ("viclip_small", "openai", "text_encoder", 32, 48, 2, 6, 40, TEXTS, "openai", 0),
    ("hf_small", "hf", "", 24, 32, 3, 2, 16, TEXTS, "hf", 0),
    ("viclip_b16", "openai", "text_encoder", 32, 512, 12, 8, 512, TEXTS[:2], "openai", 8),
]

VOCAB = [["a person golfing", "somebody swings a golf club", "a golfer on the green"], ["a dog running"],
         ["a person riding a bike", "cycling down a hill"]]


def build(layout, prefix, c):
    m = (ViCLIP(c) if prefix == "text_encoder" else OpenAICLIPText(c)) if layout == "openai" else HFCLIPText(c)
    return m


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures",
                                                               "text")
    vocab = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data",
                                                               "bpe_simple_vocab_16e6.txt.gz")
    if not os.path.exists(vocab):
        print("SKIP: %s not found: the text fixtures tokenize real captions" % vocab)
        return
    os.makedirs(out_dir, exist_ok=True)
    tok = tokenizer_ref.Tokenizer(vocab)
    torch.manual_seed(0)
    for name, layout, prefix, ctx, width, layers, heads, embed, texts, style, keep in CASES:
        c = dict(vocab=49408, context=ctx, width=width, layers=layers, heads=heads, embed_dim=embed)
        seed = fnv1a64(name) & 0xFFFFFFFF
        model = build(layout, prefix, c)
        sd = model.state_dict()
        weights = {}
        for k, v in sd.items():
            weights[k] = v.clone() if v.dtype == torch.int64 else det_weight(k, tuple(v.shape), seed)
        model.load_state_dict(weights)
        model = model.double()
        pad = tokenizer_ref.EOT if style == "hf" else 0
        framed = [tok.frame(tok.encode(t, style), ctx, pad) for t in texts]
        ids = torch.tensor([f[0] for f in framed], dtype=torch.int64)
        mask = torch.tensor([f[1] for f in framed], dtype=torch.int64)
        for p in model.parameters():
            p.requires_grad_(keep == 0)
        outs = model(ids, mask)
        tensors = {}
        gen = [k for k in weights if "token_embedding" in k] if keep == 0 else ["all"]
        if keep == 0:
            tensors.update({k: v for k, v in weights.items() if k not in gen})
            g = torch.randn(outs["features"].shape, dtype=torch.float64)
            (outs["features"] * g).sum().backward()
            tensors["grad_features"] = g.float()
            for k, p in model.named_parameters():
                if "token_embedding" not in k:
                    tensors["grad." + k] = p.grad.float()
        for k, v in outs.items():
            v = v.detach()
            if keep and v.dim() == 3:
                v = v[:, :keep]
            tensors["output." + k] = v.float().contiguous()
        tensors["input.ids"] = ids
        tensors["input.mask"] = mask
        if name == "hf_small":
            with torch.no_grad():
                feats = []
                for caps in VOCAB:
                    fr = [tok.frame(tok.encode(t, "hf"), ctx, tokenizer_ref.EOT) for t in caps]
                    o = model(torch.tensor([f[0] for f in fr]), torch.tensor([f[1] for f in fr]))
                    feats.append(o["features"])
                mean = torch.stack([f.mean(0) for f in feats])
                tensors["vocab.mean"] = mean.float()
                tensors["vocab.normalized"] = (mean / mean.norm(dim=-1, keepdim=True)).float()
                tensors["vocab.first"] = torch.stack([f[0] for f in feats]).float()
        meta = dict(layout=layout, prefix=prefix, vocab=49408, context=ctx, width=width, layers=layers, heads=heads,
                    embed_dim=embed, seed=seed, keep=keep, generated=",".join(gen), style=style)
        path = os.path.join(out_dir, name + ".safetensors")
        st_io.save(path, tensors, meta)
        print("wrote %s (%d KB)" % (path, os.path.getsize(path) // 1024))
        # the same weights as torch.save writes them: ViCLIP's {'model': state_dict, ...} and
        # CLIP-ViP's plain state_dict with the `clipmodel.` prefix
        stored = {k: v for k, v in weights.items() if k not in gen}
        if name == "viclip_small":
            pth = os.path.join(out_dir, "viclip_small.pth")
            torch.save({"model": stored, "epoch": 9, "config": {"size": "s"}}, pth)
        elif name == "hf_small":
            pth = os.path.join(out_dir, "clipvip_small.pt")
            torch.save({"clipmodel." + k: v for k, v in stored.items()}, pth)
        else:
            continue
        print("wrote %s (%d KB)" % (pth, os.path.getsize(pth) // 1024))


if __name__ == "__main__":
    main()
