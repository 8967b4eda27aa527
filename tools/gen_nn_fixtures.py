#!/usr/bin/python3
"""gen_nn_fixtures.py: PyTorch references for the nn layers (nn/layers.h), read by tests/test_layers.c.

Each case builds a torch layer at small sizes from a fixed seed, runs its forward in float64 (on a
float64 copy of the float32 weights, so the reference is exact for the stored weights) and a
backward from a random grad_out, and writes tests/fixtures/nn/<case>.safetensors holding
    <state_dict key>         the layer's float32 weights under their PyTorch names
    input.<name>             the forward's inputs (tensors, masks, indices)
    output.<name>            its outputs
    grad_output.<name>       the random gradient given to each output
    grad_input.<name>        the gradient of every float input that takes one
    param_grad.<state key>   the gradient of every parameter
and metadata layer=<kind> plus the layer's configuration (see test_layers.c for the keys).
Torch 1.13 has no is_causal for nn.MultiheadAttention: causal cases pass the -inf upper triangle
as attn_mask to torch and set causal=1 for the C side, which uses its is_causal flag instead.

Usage: /usr/bin/python3 tools/gen_nn_fixtures.py [tests/fixtures/nn]
"""
import copy
import math
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ChannelLayerNorm(nn.Module):
    """STMixer's LayerNorm(data_format="channels_first")."""

    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return self.weight.view(shape) * x + self.bias.view(shape)


class CLIPAttention(nn.Module):
    """Hugging Face CLIPAttention (transformers 4.x), without dropout."""

    def __init__(self, e, h):
        super().__init__()
        self.embed_dim, self.num_heads, self.head_dim = e, h, e // h
        self.scale = self.head_dim ** -0.5
        self.k_proj = nn.Linear(e, e)
        self.v_proj = nn.Linear(e, e)
        self.q_proj = nn.Linear(e, e)
        self.out_proj = nn.Linear(e, e)

    def shape(self, t, B):
        return t.view(B, -1, self.num_heads, self.head_dim).transpose(1, 2).contiguous()

    def forward(self, x, attention_mask=None, causal_attention_mask=None):
        B, L, E = x.shape
        q = self.shape(self.q_proj(x) * self.scale, B).view(B * self.num_heads, -1, self.head_dim)
        k = self.shape(self.k_proj(x), B).view(B * self.num_heads, -1, self.head_dim)
        v = self.shape(self.v_proj(x), B).view(B * self.num_heads, -1, self.head_dim)
        w = torch.bmm(q, k.transpose(1, 2))
        if causal_attention_mask is not None:
            w = (w.view(B, self.num_heads, L, L) + causal_attention_mask).view(B * self.num_heads, L, L)
        if attention_mask is not None:
            w = (w.view(B, self.num_heads, L, L) + attention_mask).view(B * self.num_heads, L, L)
        w = F.softmax(w, dim=-1)
        o = torch.bmm(w, v).view(B, self.num_heads, L, self.head_dim).transpose(1, 2).reshape(B, L, E)
        return self.out_proj(o), w.view(B, self.num_heads, L, L)


def randn(*s):
    return torch.randn(*s)


def causal_mask(L):
    return torch.full((L, L), -math.inf).triu(1)


CASES = []


def case(name, layer, meta, make, inputs, fwd, grad_inputs=()):
    CASES.append((name, layer, meta, make, inputs, fwd, grad_inputs))


def run(outdir, name, layer, meta, make, inputs, fwd, grad_inputs):
    torch.manual_seed(zlib.crc32(name.encode()))
    module = make()
    ins = inputs() if callable(inputs) else inputs
    state = {k: v.detach().clone().float() for k, v in module.state_dict().items()}
    m64 = copy.deepcopy(module).double()
    m64.train(meta.get("train", "0") == "1")
    x64 = {}
    for k, v in ins.items():
        v = v.detach().clone()
        if v.is_floating_point():
            v = v.double().requires_grad_(k in grad_inputs)
        x64[k] = v
    outs = fwd(m64, x64)
    tensors = dict(state)
    for k, v in ins.items():
        tensors[f"input.{k}"] = v
    roots, seeds = [], []
    for k, o in outs.items():
        tensors[f"output.{k}"] = o.detach().float()
        if o.requires_grad:
            g = torch.randn(o.shape)
            tensors[f"grad_output.{k}"] = g
            roots.append(o)
            seeds.append(g.double())
    torch.autograd.backward(roots, seeds)
    for k in grad_inputs:
        tensors[f"grad_input.{k}"] = x64[k].grad.float()
    for k, p in m64.named_parameters():
        tensors[f"param_grad.{k}"] = (p.grad if p.grad is not None else torch.zeros_like(p)).float()
    st_io.save(os.path.join(outdir, f"{name}.safetensors"), tensors, dict(meta, layer=layer))


# ---- Linear ----
case("linear_bias", "linear", {"in": "6", "out": "5", "bias": "1"}, lambda: nn.Linear(6, 5),
     lambda: {"x": randn(2, 3, 6)}, lambda m, t: {"y": m(t["x"])}, ("x",))
case("linear_nobias", "linear", {"in": "7", "out": "3", "bias": "0"}, lambda: nn.Linear(7, 3, bias=False),
     lambda: {"x": randn(4, 7)}, lambda m, t: {"y": m(t["x"])}, ("x",))

# ---- LayerNorm over the last 1 or 2 dims, with and without affine; channels-first LayerNorm ----
for nd, shape in ((1, (8,)), (2, (4, 6))):
    for affine in (1, 0):
        def mk(shape=shape, affine=affine):
            m = nn.LayerNorm(shape, eps=1e-5, elementwise_affine=bool(affine))
            if affine:  # non-trivial weights so their gradients mean something
                with torch.no_grad():
                    m.weight.normal_(1, 0.5)
                    m.bias.normal_(0, 0.5)
            return m
        case(f"layer_norm_{nd}d{'' if affine else '_noaffine'}", "layer_norm",
             {"shape": ",".join(map(str, shape)), "eps": "1e-5", "affine": str(affine)}, mk,
             lambda shape=shape: {"x": randn(2, 3, *shape) * 2 + 1}, lambda m, t: {"y": m(t["x"])}, ("x",))


def mk_cln():
    m = ChannelLayerNorm(5)
    with torch.no_grad():
        m.weight.normal_(1, 0.5)
        m.bias.normal_(0, 0.5)
    return m


case("channel_layer_norm", "channel_layer_norm", {"channels": "5", "eps": "1e-6"}, mk_cln,
     lambda: {"x": randn(2, 5, 3, 2, 4)}, lambda m, t: {"y": m(t["x"])}, ("x",))

# ---- MultiheadAttention, packed (torch.nn.MultiheadAttention) ----
E, H, B, L, S = 8, 2, 2, 5, 6


def mk_mha(bf, dropout=0.0):
    def make():
        m = nn.MultiheadAttention(E, H, dropout=dropout, batch_first=bf)
        with torch.no_grad():  # torch starts the biases at zero: give them values to test
            m.in_proj_bias.normal_(0, 0.5)
            m.out_proj.bias.normal_(0, 0.5)
        return m
    return make


def mha_meta(bf, **kw):
    meta = {"embed_dim": str(E), "num_heads": str(H), "layout": "packed", "batch_first": str(int(bf))}
    meta.update({k: str(v) for k, v in kw.items()})
    return meta


def mha_fwd(need_weights=False, average=True, self_attn=False, causal=False):
    def fwd(m, t):
        q = t["query"]
        k, v = (q, q) if self_attn else (t["key"], t["value"])
        am = t.get("attn_mask")
        if causal:
            am = causal_mask(q.shape[1 if m.batch_first else 0]).double()
        out, w = m(q, k, v, key_padding_mask=t.get("key_padding_mask"), need_weights=need_weights, attn_mask=am,
                   average_attn_weights=average)
        return {"out": out, "weights": w} if need_weights else {"out": out}
    return fwd


def qkv(bf, L_=L, S_=S, unbatched=False):
    def shp(n):
        return (n, E) if unbatched else ((B, n, E) if bf else (n, B, E))
    return {"query": randn(*shp(L_)), "key": randn(*shp(S_)), "value": randn(*shp(S_))}


case("mha_self_bf_weights", "mha", mha_meta(True, self_attn=1, need_weights=1), mk_mha(True),
     lambda: {"query": randn(B, L, E)}, mha_fwd(True, self_attn=True), ("query",))
case("mha_cross_seqfirst", "mha", mha_meta(False), mk_mha(False), lambda: qkv(False), mha_fwd(),
     ("query", "key", "value"))


def float_mask():
    m = randn(L, S)
    m[1, 2] = -math.inf
    m[3, :4] = -math.inf
    return m


case("mha_float_mask_perhead_weights", "mha", mha_meta(True, need_weights=1, average=0), mk_mha(True),
     lambda: dict(qkv(True), attn_mask=float_mask()), mha_fwd(True, average=False), ("query", "key", "value"))


def bool_mask():
    m = torch.rand(L, S) < 0.3
    m[:, 0] = False  # every query keeps a key
    return m


case("mha_bool_mask", "mha", mha_meta(False, need_weights=1), mk_mha(False),
     lambda: dict(qkv(False), attn_mask=bool_mask()), mha_fwd(True), ("query", "key", "value"))


def kpm():
    m = torch.zeros(B, S, dtype=torch.bool)
    m[0, 4:] = True
    m[1, 1] = True
    return m


case("mha_key_padding_float_mask", "mha", mha_meta(True, need_weights=1), mk_mha(True),
     lambda: dict(qkv(True), attn_mask=randn(L, S), key_padding_mask=kpm()), mha_fwd(True),
     ("query", "key", "value"))
case("mha_key_padding_bool_mask", "mha", mha_meta(False), mk_mha(False),
     lambda: dict(qkv(False), attn_mask=bool_mask(), key_padding_mask=kpm()), mha_fwd(),
     ("query", "key", "value"))
case("mha_causal_self", "mha", mha_meta(True, self_attn=1, causal=1, need_weights=1, average=0), mk_mha(True),
     lambda: {"query": randn(B, L, E)}, mha_fwd(True, average=False, self_attn=True, causal=True), ("query",))


def iof_bias():
    # OpenMixer: log(IoF + 1e-7) * tau_h laid out [B*H, N, N], batch-major; learnable, so it takes a gradient
    iof = torch.rand(B, 1, L, L) * (torch.rand(B, 1, L, L) > 0.3)
    tau = torch.rand(1, H, 1, 1) * 4
    return (torch.log(iof + 1e-7) * tau).reshape(B * H, L, L)


case("mha_perhead_bias_grad", "mha", mha_meta(False, self_attn=1), mk_mha(False),
     lambda: {"query": randn(L, B, E), "attn_mask": iof_bias()}, mha_fwd(self_attn=True), ("query", "attn_mask"))
case("mha_unbatched", "mha", mha_meta(False, need_weights=1), mk_mha(False), lambda: qkv(False, unbatched=True),
     mha_fwd(True), ("query", "key", "value"))
# dropout 0.1 in eval mode: the identity
case("mha_dropout_eval", "mha", mha_meta(True, dropout=0.1), mk_mha(True, dropout=0.1), lambda: qkv(True),
     mha_fwd(), ("query", "key", "value"))


# ---- Hugging Face CLIPAttention (separate q/k/v/out projections) ----
def clip_meta(**kw):
    meta = {"embed_dim": str(E), "num_heads": str(H), "layout": "separate", "batch_first": "1", "self_attn": "1"}
    meta.update({k: str(v) for k, v in kw.items()})
    return meta


case("clip_attn_weights", "mha", clip_meta(need_weights=1, average=0), lambda: CLIPAttention(E, H),
     lambda: {"query": randn(B, L, E)}, lambda m, t: dict(zip(("out", "weights"), m(t["query"]))), ("query",))


def clip_causal_pad(m, t):
    x = t["query"]
    # HF text model: causal mask plus an additive padding mask [B, 1, L, L] from the attention mask
    pad = torch.zeros(B, 1, L, L, dtype=x.dtype).masked_fill(t["key_padding_mask"].view(B, 1, 1, L), -math.inf)
    out, _ = m(x, attention_mask=pad, causal_attention_mask=causal_mask(L).double())
    return {"out": out}


def text_pad():
    m = torch.zeros(B, L, dtype=torch.bool)
    m[1, 3:] = True
    return m


case("clip_attn_causal_pad", "mha", clip_meta(causal=1), lambda: CLIPAttention(E, H),
     lambda: {"query": randn(B, L, E), "key_padding_mask": text_pad()}, clip_causal_pad, ("query",))


# ---- MLP / FFN ----
class MLP(nn.Module):
    def __init__(self, fc1, fc2, act, i, h, o):
        super().__init__()
        self.names = (fc1, fc2)
        self.add_module(fc1, nn.Linear(i, h))
        self.act = act
        self.add_module(fc2, nn.Linear(h, o))

    def forward(self, x):
        return getattr(self, self.names[1])(self.act(getattr(self, self.names[0])(x)))


class MMCVFFN(nn.Module):
    """mmcv.cnn.bricks.transformer.FFN(num_fcs=2, ReLU): layers = Seq(Seq(Linear, ReLU, Drop), Linear, Drop)."""

    def __init__(self, i, h):
        super().__init__()
        self.layers = nn.Sequential(nn.Sequential(nn.Linear(i, h), nn.ReLU(inplace=True), nn.Dropout(0.0)),
                                    nn.Linear(h, i), nn.Dropout(0.0))

    def forward(self, x):
        return self.layers(x)


for nm, fc1, fc2, act, actname in (("clip", "c_fc", "c_proj", QuickGELU(), "quick_gelu"),
                                   ("hf", "fc1", "fc2", QuickGELU(), "quick_gelu"),
                                   ("gelu", "fc1", "fc2", nn.GELU(), "gelu"),
                                   ("gelu_tanh", "fc1", "fc2", nn.GELU(approximate="tanh"), "gelu_tanh")):
    case(f"mlp_{nm}", "mlp", {"in": "6", "hidden": "12", "out": "5", "fc1": fc1, "fc2": fc2, "act": actname},
         lambda fc1=fc1, fc2=fc2, act=act: MLP(fc1, fc2, act, 6, 12, 5), lambda: {"x": randn(2, 3, 6)},
         lambda m, t: {"y": m(t["x"])}, ("x",))
case("mlp_mmcv_ffn", "mlp", {"in": "6", "hidden": "10", "out": "6", "fc1": "layers.0.0", "fc2": "layers.1",
                             "act": "relu"},
     lambda: MMCVFFN(6, 10), lambda: {"x": randn(3, 4, 6)}, lambda m, t: {"y": m(t["x"])}, ("x",))


# ---- activations ----
for nm, mod in (("gelu", nn.GELU()), ("gelu_tanh", nn.GELU(approximate="tanh")), ("quick_gelu", QuickGELU()),
                ("relu", nn.ReLU())):
    case(f"act_{nm}", "activation", {"act": nm}, lambda mod=mod: mod, lambda: {"x": randn(3, 7) * 2},
         lambda m, t: {"y": m(t["x"])}, ("x",))


# ---- convolutions and pooling: the ViCLIP / CLIP-ViP patch embeddings and OpenMixer's pyramid ----
def conv_meta(k, s=None, p=None, bias=1, op=None):
    meta = {"kernel": ",".join(map(str, k)), "bias": str(bias)}
    if s:
        meta["stride"] = ",".join(map(str, s))
    if p:
        meta["padding"] = ",".join(map(str, p))
    if op:
        meta["output_padding"] = ",".join(map(str, op))
    return meta


case("conv2d_clipvip_patch", "conv2d", dict(conv_meta((16, 16), (16, 16), bias=0), **{"in": "3", "out": "4"}),
     lambda: nn.Conv2d(3, 4, 16, 16, bias=False), lambda: {"x": randn(1, 3, 32, 32)}, lambda m, t: {"y": m(t["x"])},
     ("x",))
case("conv2d_pad_stride", "conv2d", dict(conv_meta((3, 3), (2, 1), (1, 1)), **{"in": "4", "out": "5"}),
     lambda: nn.Conv2d(4, 5, 3, (2, 1), 1), lambda: {"x": randn(2, 4, 7, 6)}, lambda m, t: {"y": m(t["x"])}, ("x",))
case("conv3d_viclip_tubelet", "conv3d",
     dict(conv_meta((1, 16, 16), (1, 16, 16), bias=0), **{"in": "3", "out": "4"}),
     lambda: nn.Conv3d(3, 4, (1, 16, 16), (1, 16, 16), bias=False), lambda: {"x": randn(1, 3, 2, 16, 32)},
     lambda m, t: {"y": m(t["x"])}, ("x",))
case("conv3d_1x1x1", "conv3d", dict(conv_meta((1, 1, 1)), **{"in": "8", "out": "6"}),
     lambda: nn.Conv3d(8, 6, 1), lambda: {"x": randn(2, 8, 3, 4, 5)}, lambda m, t: {"y": m(t["x"])}, ("x",))
case("conv3d_3x3x3_nobias", "conv3d", dict(conv_meta((3, 3, 3), p=(1, 1, 1), bias=0), **{"in": "6", "out": "6"}),
     lambda: nn.Conv3d(6, 6, 3, padding=1, bias=False), lambda: {"x": randn(1, 6, 3, 4, 5)},
     lambda m, t: {"y": m(t["x"])}, ("x",))
case("conv_transpose3d_up2", "conv_transpose3d", dict(conv_meta((1, 2, 2), (1, 2, 2)), **{"in": "8", "out": "4"}),
     lambda: nn.ConvTranspose3d(8, 4, (1, 2, 2), (1, 2, 2)), lambda: {"x": randn(2, 8, 3, 4, 5)},
     lambda m, t: {"y": m(t["x"])}, ("x",))
case("conv_transpose3d_pad_outpad", "conv_transpose3d",
     dict(conv_meta((3, 3, 3), (1, 2, 2), (1, 1, 1), op=(0, 1, 1)), **{"in": "4", "out": "3"}),
     lambda: nn.ConvTranspose3d(4, 3, 3, (1, 2, 2), 1, output_padding=(0, 1, 1)),
     lambda: {"x": randn(1, 4, 2, 3, 4)}, lambda m, t: {"y": m(t["x"])}, ("x",))


def distinct(*shape):
    n = math.prod(shape)
    return (torch.randperm(n).float() * 0.1 - 0.05 * n).reshape(shape)


case("max_pool3d_122", "max_pool3d", {"kernel": "1,2,2"}, lambda: nn.MaxPool3d((1, 2, 2)),
     lambda: {"x": distinct(2, 3, 3, 4, 5)}, lambda m, t: {"y": m(t["x"])}, ("x",))
case("max_pool3d_pad_ceil", "max_pool3d", {"kernel": "2,3,3", "stride": "1,2,2", "padding": "0,1,1", "ceil_mode": "1"},
     lambda: nn.MaxPool3d((2, 3, 3), (1, 2, 2), (0, 1, 1), ceil_mode=True), lambda: {"x": distinct(1, 2, 3, 5, 6)},
     lambda m, t: {"y": m(t["x"])}, ("x",))

# ---- Embedding ----
case("embedding", "embedding", {"num": "10", "dim": "4"}, lambda: nn.Embedding(10, 4),
     lambda: {"indices": torch.tensor([[1, 3, 3, 9], [0, 1, 7, 3]])}, lambda m, t: {"y": m(t["indices"])})


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/nn"
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)
    for c in CASES:
        run(outdir, *c)
    print(f"wrote {len(CASES)} fixtures to {outdir}")


if __name__ == "__main__":
    main()
