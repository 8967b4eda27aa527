#!/usr/bin/python3
"""gen_loss_fixtures.py: PyTorch, torchvision and scipy references for nn/boxes.c, nn/loss.c and
nn/hungarian.c (tests/test_boxes.c, test_loss.c, test_hungarian.c).

boxes/ and loss/: one safetensors file per case, holding the function's inputs under its argument
names, a random grad_out, and the reference's `out` and `grad_<arg>` computed in float64 from the
float32 inputs; metadata fn=<function> plus its scalar arguments (reduction, eps, legacy, ...).
hungarian/: cost matrices (f32, or f64 stored bit for bit in an i64 tensor `cost_f64bits`, since
safetensors readers here have no F64) with scipy.optimize.linear_sum_assignment's `rows` and `cols`,
or metadata expect=infeasible|invalid where scipy raises.
Each folder gets an index.txt listing its files; the C suites fail when a listed file is missing.

Usage: /usr/bin/python3 tools/gen_loss_fixtures.py [tests/fixtures]   (torch, torchvision, scipy)
"""
import os
import sys
import zlib

import numpy as np
import scipy
import scipy.optimize
import torch
import torch.nn.functional as F
import torchvision
import torchvision.ops as tvo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))
    return np.random.default_rng(zlib.crc32(name.encode()))


class Writer:
    """Collects the files of one folder and writes its index."""

    def __init__(self, root, sub):
        self.dir = os.path.join(root, sub)
        os.makedirs(self.dir, exist_ok=True)
        for f in os.listdir(self.dir):
            if f.endswith(".safetensors") or f == "index.txt":
                os.remove(os.path.join(self.dir, f))
        self.files = []

    def save(self, name, tensors, meta):
        fname = name + ".safetensors"
        assert fname not in self.files, fname
        st_io.save(os.path.join(self.dir, fname), tensors, {k: str(v) for k, v in meta.items()})
        self.files.append(fname)

    def close(self):
        with open(os.path.join(self.dir, "index.txt"), "w") as f:
            f.write("".join(x + "\n" for x in self.files))
        print(f"{self.dir}: {len(self.files)} files")


def fn_case(w, name, fn, inputs, ref, attrs=None, grads=()):
    """inputs: argument name -> float32/int64 tensor (float64 copies go to ref); grads: the float
    arguments whose gradients are stored."""
    ins = {}
    for k, v in inputs.items():
        if v.dtype == torch.float32:
            v = v.double().requires_grad_(k in grads)
        ins[k] = v
    out = ref(**ins)
    grad_out = torch.randn(out.shape, dtype=torch.float32) if out.dim() else torch.tensor(0.75, dtype=torch.float32)
    tensors = dict(inputs)
    tensors["out"] = out.detach().float()
    if grads:
        gs = torch.autograd.grad(out, [ins[k] for k in grads], grad_out.double())
        tensors["grad_out"] = grad_out
        for k, gk in zip(grads, gs):
            tensors["grad_" + k] = gk.float()
    meta = {"fn": fn}
    meta.update(attrs or {})
    w.save(name, tensors, meta)


# ---------------------------------------------------------------- boxes

def rand_xyxy(*lead, lo=0.0, hi=60.0, wmin=2.0, wmax=40.0):
    xy = torch.rand(*lead, 2) * (hi - lo) + lo
    wh = torch.rand(*lead, 2) * (wmax - wmin) + wmin
    return torch.cat([xy, xy + wh], -1).float()


def xyxy_to_xyzr(b):  # AdaMixer/OpenMixer bbox_xyxy_to_xyzr
    xy = 0.5 * (b[..., 0:2] + b[..., 2:4])
    wh = b[..., 2:4] - b[..., 0:2]
    z = wh.prod(-1, keepdim=True).sqrt().log2()
    r = (wh[..., 1:2] / wh[..., 0:1]).log2()
    return torch.cat([xy, z, r], -1)


def xyzr_to_xyxy(b):  # AdaMixer/OpenMixer decode_box
    scale = 2.00 ** b[..., 2:3]
    ratio = 2.00 ** torch.cat([b[..., 3:4] * -0.5, b[..., 3:4] * 0.5], dim=-1)
    wh = scale * ratio
    xy = b[..., 0:2]
    return torch.cat([xy - wh * 0.5, xy + wh * 0.5], dim=-1)


def convert(b, src, dst):
    if src == dst:
        return b * 1
    if src == "xyzr":
        b, src = xyzr_to_xyxy(b), "xyxy"
    if dst == "xyzr":
        return xyxy_to_xyzr(tvo.box_convert(b, src, "xyxy") if src != "xyxy" else b)
    return tvo.box_convert(b, src, dst)


def overlaps(a, b, mode, legacy=False, eps=0.0, aligned=False):
    """mmcv/mmdet bbox_overlaps with offset (legacy=+1), written out; also GIoU."""
    off = 1.0 if legacy else 0.0
    if not aligned:
        a, b = a[..., :, None, :], b[..., None, :, :]
    area_a = (a[..., 2] - a[..., 0] + off) * (a[..., 3] - a[..., 1] + off)
    area_b = (b[..., 2] - b[..., 0] + off) * (b[..., 3] - b[..., 1] + off)
    lt = torch.max(a[..., :2], b[..., :2])
    rb = torch.min(a[..., 2:], b[..., 2:])
    wh = (rb - lt + off).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    if mode == "iof":
        return inter / torch.clamp(area_a, min=eps)
    union = area_a + area_b - inter
    iou = inter / (union + eps)
    if mode == "iou":
        return iou
    lti = torch.min(a[..., :2], b[..., :2])
    rbi = torch.max(a[..., 2:], b[..., 2:])
    whi = (rbi - lti + off).clamp(min=0)
    encl = whi[..., 0] * whi[..., 1]
    return iou - (encl - union) / (encl + eps)


def boxes_cases(root):
    w = Writer(root, "boxes")
    fmts = ["xyxy", "xywh", "cxcywh", "xyzr"]
    for src in fmts:
        for dst in fmts:
            if src == dst:
                continue
            seed(f"convert.{src}.{dst}")
            b = convert(rand_xyxy(3, 5).double(), "xyxy", src).float()
            if src == "xyzr":  # keep the round trip of the stored f32 exact enough: moderate z, r
                b = torch.cat([b[..., :2], torch.rand(3, 5, 1) * 4 + 2, torch.rand(3, 5, 1) * 2 - 1], -1)
            fn_case(w, f"convert_{src}_{dst}", "box_convert", {"boxes": b},
                    lambda boxes, s=src, d=dst: convert(boxes, s, d), {"from": src, "to": dst}, ["boxes"])

    seed("clip")
    b = rand_xyxy(7, lo=-20, hi=70)
    fn_case(w, "clip", "box_clip", {"boxes": b},
            lambda boxes: tvo.clip_boxes_to_image(boxes, (50, 64)), {"x_max": 64, "y_max": 50}, ["boxes"])
    fn_case(w, "clip_legacy", "box_clip", {"boxes": b},
            lambda boxes: tvo.clip_boxes_to_image(boxes, (49, 63)),
            {"x_max": 63, "y_max": 49}, ["boxes"])
    seed("clip_to")
    b = rand_xyxy(2, 6, lo=-20, hi=70)
    bounds = torch.tensor([[[64, 50, 64, 50]], [[40, 45, 40, 45]]], dtype=torch.float32)
    fn_case(w, "clip_to", "box_clip_to", {"boxes": b, "bounds": bounds},
            lambda boxes, bounds: torch.clamp(boxes, min=torch.zeros((), dtype=torch.float64), max=bounds), {},
            ["boxes", "bounds"])

    for legacy in (False, True):
        sfx = "_legacy" if legacy else ""
        L = {"legacy": int(legacy)}
        seed("area" + sfx)
        b = rand_xyxy(4, 3)
        fn_case(w, "area" + sfx, "box_area", {"boxes": b},
                lambda boxes, lg=legacy: tvo.box_area(boxes.reshape(-1, 4)).reshape(boxes.shape[:-1]) if not lg
                else (boxes[..., 2] - boxes[..., 0] + 1) * (boxes[..., 3] - boxes[..., 1] + 1),
                L, ["boxes"])
        seed("pair" + sfx)
        a, b = rand_xyxy(6), rand_xyxy(5)
        if not legacy:  # the written-out formulas are torchvision's
            assert torch.allclose(overlaps(a.double(), b.double(), "iou"), tvo.box_iou(a.double(), b.double()))
            assert torch.allclose(overlaps(a.double(), b.double(), "giou"), tvo.generalized_box_iou(a.double(), b.double()))
        fn_case(w, "iou" + sfx, "box_iou", {"a": a, "b": b},
                lambda a, b, lg=legacy: tvo.box_iou(a, b) if not lg else overlaps(a, b, "iou", True), L, ["a", "b"])
        fn_case(w, "giou" + sfx, "box_giou", {"a": a, "b": b},
                lambda a, b, lg=legacy: tvo.generalized_box_iou(a, b) if not lg else overlaps(a, b, "giou", True),
                L, ["a", "b"])
        fn_case(w, "iof" + sfx, "box_iof", {"a": a, "b": b},
                lambda a, b, lg=legacy: overlaps(a, b, "iof", lg, 1e-6), dict(L, eps=1e-6), ["a", "b"])
        seed("batched" + sfx)
        a, b = rand_xyxy(2, 5), rand_xyxy(2, 4)
        for mode in ("iou", "giou", "iof"):
            eps = 1e-6 if mode == "iof" else 0.0
            attrs = dict(L, eps=eps) if mode == "iof" else L
            fn_case(w, f"{mode}_batched{sfx}", f"box_{mode}", {"a": a, "b": b},
                    lambda a, b, m=mode, lg=legacy, e=eps: overlaps(a, b, m, lg, e), attrs, ["a", "b"])
        seed("aligned" + sfx)
        a, b = rand_xyxy(3, 4), rand_xyxy(3, 4)
        for eps in (0.0, 1e-7):
            fn_case(w, f"iou_aligned_eps{eps:g}{sfx}", "box_iou_aligned", {"a": a, "b": b},
                    lambda a, b, lg=legacy, e=eps: overlaps(a, b, "iou", lg, e, True), dict(L, eps=eps), ["a", "b"])
            fn_case(w, f"giou_aligned_eps{eps:g}{sfx}", "box_giou_aligned", {"a": a, "b": b},
                    lambda a, b, lg=legacy, e=eps: overlaps(a, b, "giou", lg, e, True), dict(L, eps=eps), ["a", "b"])
    # torchvision's own aligned forms agree with the written-out ones
    a, b = rand_xyxy(9).double(), rand_xyxy(9).double()
    assert torch.allclose(1 - tvo.generalized_box_iou_loss(a, b), overlaps(a, b, "giou", False, 1e-7, True))
    assert torch.allclose(torch.diag(tvo.generalized_box_iou(a, b)), overlaps(a, b, "giou", False, 0.0, True))
    # OpenMixer's IoF between a query set and itself, from xyzr boxes, batched (B, N, N)
    seed("iof_openmixer")
    q = torch.cat([torch.rand(2, 7, 2) * 200, torch.rand(2, 7, 1) * 3 + 4, torch.rand(2, 7, 1) - 0.5], -1).float()
    fn_case(w, "iof_xyzr_self", "box_iof", {"a": xyzr_to_xyxy(q.double()).float(), "b": xyzr_to_xyxy(q.double()).float()},
            lambda a, b: overlaps(a, b, "iof", False, 1e-6), {"legacy": 0, "eps": 1e-6}, ["a", "b"])
    seed("cdist")
    a, b = rand_xyxy(6) / 64, rand_xyxy(4) / 64
    fn_case(w, "l1_cdist", "box_l1_cdist", {"a": a, "b": b}, lambda a, b: torch.cdist(a, b, p=1), {}, ["a", "b"])
    a, b = rand_xyxy(2, 6) / 64, rand_xyxy(2, 3) / 64
    fn_case(w, "l1_cdist_batched", "box_l1_cdist", {"a": a, "b": b}, lambda a, b: torch.cdist(a, b, p=1), {}, ["a", "b"])
    w.close()


# ---------------------------------------------------------------- losses

def loss_cases(root):
    w = Writer(root, "loss")
    R = ("mean", "sum", "none")

    def ce(name, logits, target, weight=None, ignore=None, reductions=R):
        ins = {"logits": logits, "target": target}
        if weight is not None:
            ins["weight"] = weight
        for r in reductions:
            attrs = {"reduction": r, "ignore_index": "none" if ignore is None else ignore}
            fn_case(w, f"ce_{name}_{r}", "cross_entropy", ins,
                    lambda logits, target, weight=None, r=r: F.cross_entropy(
                        logits, target, weight=weight, ignore_index=-100 if ignore is None else ignore, reduction=r),
                    attrs, ["logits"])

    seed("ce")
    ce("plain", torch.randn(9, 5), torch.randint(0, 5, (9,)))
    ce("weighted", torch.randn(11, 2) * 2, torch.randint(0, 2, (11,)), weight=torch.tensor([1.0, 0.1]))
    t = torch.randint(0, 6, (10,))
    t[[1, 4, 7]] = -100
    ce("ignore", torch.randn(10, 6), t, weight=torch.rand(6) + 0.5, ignore=-100)
    t = torch.randint(0, 4, (8,))
    t[[0, 5]] = 2
    ce("ignore_class", torch.randn(8, 4), t, ignore=2, reductions=("mean",))
    ce("spatial", torch.randn(2, 4, 3, 5), torch.randint(0, 4, (2, 3, 5)), weight=torch.rand(4) + 0.2)
    ce("unbatched", torch.randn(7), torch.tensor(3), reductions=("mean", "none"))

    seed("ce_soft")
    logits = torch.randn(6, 5)
    probs = torch.softmax(torch.randn(6, 5), -1)
    onehot = F.one_hot(torch.randint(0, 5, (6,)), 5).float()
    for tname, tgt in (("probs", probs), ("onehot", onehot)):
        for r in R:
            fn_case(w, f"ce_soft_{tname}_{r}", "cross_entropy_soft", {"logits": logits, "target": tgt},
                    lambda logits, target, r=r: F.cross_entropy(logits, target, reduction=r), {"reduction": r},
                    ["logits", "target"])
    cw = torch.rand(5) + 0.5
    for r in R:
        fn_case(w, f"ce_soft_weighted_{r}", "cross_entropy_soft", {"logits": logits, "target": probs, "weight": cw},
                lambda logits, target, weight, r=r: F.cross_entropy(logits, target, weight=weight, reduction=r),
                {"reduction": r}, ["logits", "target"])
    lg4, pr4 = torch.randn(2, 3, 4, 2), torch.softmax(torch.randn(2, 3, 4, 2), 1)
    fn_case(w, "ce_soft_spatial_mean", "cross_entropy_soft", {"logits": lg4, "target": pr4, "weight": torch.rand(3) + 0.5},
            lambda logits, target, weight: F.cross_entropy(logits, target, weight=weight), {"reduction": "mean"},
            ["logits", "target"])

    seed("bce")
    x = torch.randn(5, 7) * 4
    x[0, :3] = torch.tensor([30.0, -30.0, 0.0])  # saturated and zero logits
    t = (torch.rand(5, 7) < 0.4).float()
    t[1] = torch.rand(7)  # soft targets too
    wt, pw = torch.rand(5, 7) + 0.5, torch.rand(7) * 3 + 0.2
    for r in R:
        fn_case(w, f"bce_{r}", "bce_with_logits", {"logits": x, "target": t},
                lambda logits, target, r=r: F.binary_cross_entropy_with_logits(logits, target, reduction=r),
                {"reduction": r}, ["logits", "target"])
        fn_case(w, f"bce_weights_{r}", "bce_with_logits", {"logits": x, "target": t, "weight": wt, "pos_weight": pw},
                lambda logits, target, weight, pos_weight, r=r: F.binary_cross_entropy_with_logits(
                    logits, target, weight=weight, pos_weight=pos_weight, reduction=r),
                {"reduction": r}, ["logits", "target"])
    fn_case(w, "bce_pos_weight_mean", "bce_with_logits", {"logits": x, "target": t, "pos_weight": pw},
            lambda logits, target, pos_weight: F.binary_cross_entropy_with_logits(logits, target, pos_weight=pos_weight),
            {"reduction": "mean"}, ["logits", "target"])

    seed("focal")
    x = torch.randn(6, 8) * 3
    t = (torch.rand(6, 8) < 0.3).float()
    for alpha, gamma in ((0.25, 2.0), (-1.0, 2.0), (0.5, 0.0), (0.75, 1.5), (0.25, 1.0)):
        for r in R:
            fn_case(w, f"focal_a{alpha:g}_g{gamma:g}_{r}", "sigmoid_focal_loss", {"logits": x, "target": t},
                    lambda logits, target, a=alpha, g=gamma, r=r: tvo.sigmoid_focal_loss(logits, target, a, g, r),
                    {"alpha": alpha, "gamma": gamma, "reduction": r}, ["logits"])
    # the region-text detector's use: sum over classes, mean over boxes = sum / boxes, soft targets
    fn_case(w, "focal_soft_targets_sum", "sigmoid_focal_loss", {"logits": x, "target": torch.rand(6, 8)},
            lambda logits, target: tvo.sigmoid_focal_loss(logits, target, 0.25, 2.0, "sum"),
            {"alpha": 0.25, "gamma": 2.0, "reduction": "sum"}, ["logits", "target"])

    seed("l1")
    a, b = torch.randn(4, 6), torch.randn(4, 6)
    for r in R:
        fn_case(w, f"l1_{r}", "l1_loss", {"input": a, "target": b},
                lambda input, target, r=r: F.l1_loss(input, target, reduction=r), {"reduction": r}, ["input", "target"])
        for beta in (1.0, 0.3, 0.0):
            fn_case(w, f"smooth_l1_beta{beta:g}_{r}", "smooth_l1_loss", {"input": a, "target": b},
                    lambda input, target, r=r, be=beta: F.smooth_l1_loss(input, target, reduction=r, beta=be),
                    {"reduction": r, "beta": beta}, ["input", "target"])

    seed("giou_loss")
    p, g = rand_xyxy(9), rand_xyxy(9)
    p[:3] = g[:3] + torch.randn(3, 4)  # some close matches, some far apart
    for r in R:
        fn_case(w, f"giou_detr_{r}", "giou_loss", {"boxes1": p, "boxes2": g},
                lambda boxes1, boxes2, r=r: reduce_t(1 - torch.diag(tvo.generalized_box_iou(boxes1, boxes2)), r),
                {"eps": 0, "legacy": 0, "reduction": r}, ["boxes1", "boxes2"])
        fn_case(w, f"giou_tv_{r}", "giou_loss", {"boxes1": p, "boxes2": g},
                lambda boxes1, boxes2, r=r: tvo.generalized_box_iou_loss(boxes1, boxes2, reduction=r, eps=1e-7),
                {"eps": 1e-7, "legacy": 0, "reduction": r}, ["boxes1", "boxes2"])
    fn_case(w, "giou_legacy_mean", "giou_loss", {"boxes1": p, "boxes2": g},
            lambda boxes1, boxes2: (1 - overlaps(boxes1, boxes2, "giou", True, 0.0, True)).mean(),
            {"eps": 0, "legacy": 1, "reduction": "mean"}, ["boxes1", "boxes2"])
    w.close()


def reduce_t(x, r):
    return x.mean() if r == "mean" else x.sum() if r == "sum" else x


# ---------------------------------------------------------------- Hungarian (scipy)

def hungarian_cases(root):
    w = Writer(root, "hungarian")

    def case(name, cost, maximize=False, f64=False):
        cost = np.asarray(cost, dtype=np.float64 if f64 else np.float32)
        meta = {"maximize": int(maximize), "scipy": scipy.__version__}
        tensors = {}
        if f64:
            tensors["cost_f64bits"] = torch.from_numpy(np.ascontiguousarray(cost).view(np.int64).copy())
        else:
            tensors["cost"] = torch.from_numpy(np.ascontiguousarray(cost))
        try:
            r, c = scipy.optimize.linear_sum_assignment(cost.astype(np.float64), maximize=maximize)
            tensors["rows"] = torch.from_numpy(r.astype(np.int64))
            tensors["cols"] = torch.from_numpy(c.astype(np.int64))
            meta["expect"] = "ok"
        except ValueError as e:
            meta["expect"] = "infeasible" if "infeasible" in str(e) else "invalid"
        w.save(name, tensors, meta)

    g = seed("hungarian")
    for n, m in ((1, 1), (1, 7), (7, 1), (2, 2), (3, 3), (5, 5), (8, 8), (13, 13), (30, 30), (50, 50),
                 (4, 9), (9, 4), (20, 35), (35, 20), (100, 3), (3, 100), (64, 17)):
        case(f"uniform_{n}x{m}", g.random((n, m)))
    for n, m in ((6, 6), (25, 25), (12, 40), (40, 12)):
        case(f"uniform_f64_{n}x{m}", g.random((n, m)), f64=True)
        case(f"normal_f64_{n}x{m}", g.normal(size=(n, m)) * 1e3, f64=True)
    # ties: small integers, constant matrices, 0/1 matrices, repeated rows and columns
    for n, m, hi in ((4, 4, 2), (5, 5, 3), (6, 9, 3), (9, 6, 3), (12, 12, 4), (30, 30, 3), (10, 25, 2), (25, 10, 2),
                     (40, 40, 10), (7, 7, 1)):
        case(f"ties_int{hi}_{n}x{m}", g.integers(0, hi + 1, (n, m)))
    for n, m in ((5, 5), (4, 7), (7, 4), (1, 5)):
        case(f"constant_{n}x{m}", np.full((n, m), 3.0))
    rep = np.repeat(g.integers(0, 3, (3, 8)), 3, axis=0)
    case("repeated_rows_9x8", rep)
    case("repeated_cols_8x9", rep.T)
    case("ties_f64_quarters_20x20", g.integers(0, 8, (20, 20)) * 0.25 + 1e6, f64=True)
    # very different magnitudes
    case("magnitudes_f64_15x15", np.sign(g.normal(size=(15, 15))) * 10.0 ** g.uniform(-12, 12, (15, 15)), f64=True)
    case("magnitudes_f64_10x24", 10.0 ** g.uniform(-8, 8, (10, 24)), f64=True)
    case("magnitudes_f64_24x10", 10.0 ** g.uniform(-8, 8, (24, 10)), f64=True)
    case("row_scales_f64_12x12", g.random((12, 12)) * (10.0 ** (np.arange(12) * 3 - 18))[:, None], f64=True)
    case("huge_plus_tiny_f64_10x10", 1e15 + g.random((10, 10)) * 1e-2, f64=True)
    case("magnitudes_f32_16x16", 10.0 ** g.uniform(-20, 20, (16, 16)))
    # infinities as forbidden pairs (feasible), and infeasible ones
    for n, m, p in ((8, 8, 0.4), (10, 14, 0.6), (14, 10, 0.6), (30, 30, 0.8), (6, 6, 0.0)):
        c = g.random((n, m))
        c[g.random((n, m)) < p] = np.inf
        for i in range(min(n, m)):  # a feasible diagonal
            c[i, i] = g.random()
        case(f"forbidden_{n}x{m}", c)
    c = g.random((5, 5))
    c[:, 2] = np.inf
    case("infeasible_column_5x5", c)
    c = g.random((6, 8))
    c[:3, :] = np.inf
    c[:3, :2] = 1.0  # three rows share two columns
    case("infeasible_hall_6x8", c)
    c = g.random((8, 4))
    c[:, :] = np.inf
    c[:, 0] = 1.0
    c[0, 1] = 2.0
    case("infeasible_tall_8x4", c)
    c = g.random((4, 4))
    c[1, 2] = np.nan
    case("invalid_nan_4x4", c)
    c = g.random((3, 5))
    c[2, 0] = -np.inf
    case("invalid_neginf_3x5", c)
    # maximize
    case("maximize_9x9", g.random((9, 9)), maximize=True)
    case("maximize_ties_6x10", g.integers(0, 3, (6, 10)), maximize=True)
    c = g.random((7, 5))
    c[g.random((7, 5)) < 0.3] = -np.inf
    for i in range(5):
        c[i, i] = 0.5
    case("maximize_forbidden_7x5", c, maximize=True)
    c = g.random((4, 4))
    c[0, 0] = np.inf
    case("maximize_invalid_posinf_4x4", c, maximize=True)
    # OpenMixer's matcher: 100 queries against a few ground-truth boxes, f32 costs as torch makes them
    for k, n_gt in enumerate((1, 3, 7)):
        seed(f"matcher{k}")
        whwh = torch.tensor([320.0, 240.0, 320.0, 240.0])
        pred = rand_xyxy(100, hi=200, wmax=120)
        gt = rand_xyxy(n_gt, hi=200, wmax=120)
        prob = torch.softmax(torch.randn(100, 2), -1)
        cost = (2 * torch.cdist(pred / whwh, gt / whwh, p=1) - 2 * prob[:, :1]
                - 2 * tvo.generalized_box_iou(pred, gt)).float()
        case(f"openmixer_matcher_100x{n_gt}", cost.numpy())
    w.close()


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, scipy {scipy.__version__}")
    boxes_cases(root)
    loss_cases(root)
    hungarian_cases(root)


if __name__ == "__main__":
    main()
