"""gen_optim_fixtures.py: torch.optim trajectories for tests/test_optim.c.

A small MLP (fc1 8->16, tanh, fc2 16->4) is trained for 20 steps with each optimizer variant and
schedule; every case file stores the initial parameters, the batches, and the parameters after every
step, plus (in its metadata, key "case") the configuration, the lr of each group at each step and,
when clipping, the total gradient norm of each step. The C test rebuilds the run from that and
requires the parameters to follow torch's.

Schedules use torch's own classes: warmup + multistep is ChainedScheduler(LinearLR, MultiStepLR),
warmup + cosine is SequentialLR(LinearLR, CosineAnnealingLR); the script checks that they give the
closed form of optim/sched.h.

Run: /usr/bin/python3 tools/gen_optim_fixtures.py tests/fixtures/optim
"""
import json
import math
import os
import sys
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402

STEPS, BATCH = 20, 6
NAMES = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(8, 16)
        self.fc2 = torch.nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def no_decay(name, p):  # optim/groups.c: ov_filter_no_decay
    return p.ndim <= 1 or name.endswith("bias")


def select(model, rule, taken):
    out = []
    for name, p in model.named_parameters():
        if name in taken:
            continue
        if rule == "decay" and no_decay(name, p):
            continue
        if rule == "no_decay" and not no_decay(name, p):
            continue
        if rule.startswith("prefix:") and not (name == rule[7:] or name.startswith(rule[7:] + ".")):
            continue
        out.append(name)
    return out


def closed_form(s, i):  # optim/sched.h
    f = 1.0
    W = s.get("warmup_iters", 0)
    if i < W:
        f = s["warmup_factor"] + (1 - s["warmup_factor"]) * i / W
    if s["kind"] == "multistep":
        f *= s["gamma"] ** sum(1 for m in s["milestones"] if m <= i)
    elif s["kind"] == "cosine":
        t = min(max(i - W, 0), s["cosine_iters"])
        m = s["min_factor"]
        f *= m + (1 - m) * 0.5 * (1 + math.cos(math.pi * t / s["cosine_iters"]))
    return f


def make_sched(opt, s):
    L = torch.optim.lr_scheduler
    W = s.get("warmup_iters", 0)
    warm = [L.LinearLR(opt, s["warmup_factor"], 1.0, total_iters=W)] if W else []
    if s["kind"] == "constant":
        return L.ChainedScheduler(warm) if warm else None
    if s["kind"] == "multistep":
        return L.ChainedScheduler(warm + [L.MultiStepLR(opt, s["milestones"], s["gamma"])])
    assert len(opt.param_groups) == 1, "CosineAnnealingLR has one eta_min for all groups"
    cos = L.CosineAnnealingLR(opt, s["cosine_iters"], eta_min=s["min_factor"] * opt.param_groups[0]["initial_lr"])
    return L.SequentialLR(opt, warm + [cos], milestones=[W]) if warm else cos


def run_case(name, seed, optim, groups, sched, loss, clip=0.0):
    torch.manual_seed(seed)
    model = MLP()
    init = {n: p.detach().clone() for n, p in model.named_parameters()}
    x = torch.randn(STEPS, BATCH, 8)
    if loss == "mse":
        y = torch.randn(STEPS, BATCH, 4)
    else:  # soft targets (rows of probabilities)
        y = torch.softmax(2 * torch.randn(STEPS, BATCH, 4), dim=-1)

    params = dict(model.named_parameters())
    taken, pgroups = set(), []
    for g in groups:
        names = select(model, g["select"], taken)
        taken.update(names)
        g["params"] = names
        pg = {k: v for k, v in g.items() if k in ("lr", "weight_decay", "momentum", "dampening", "nesterov", "eps")}
        if "betas" in g:
            pg["betas"] = tuple(g["betas"])
        pg["params"] = [params[n] for n in names]
        pgroups.append(pg)
    assert taken == set(NAMES), "every parameter is in a group"
    if optim == "sgd":
        opt = torch.optim.SGD(pgroups, lr=pgroups[0]["lr"], foreach=False)
    else:
        opt = torch.optim.AdamW(pgroups, lr=pgroups[0]["lr"], foreach=False)
    sch = make_sched(opt, sched)

    out = {f"init.{n}": t for n, t in init.items()}
    out["x"], out["y"] = x, y
    lrs, norms = [], []
    for k in range(STEPS):
        lrs.append([g["lr"] for g in opt.param_groups])
        for gi, g in enumerate(opt.param_groups):
            want = groups[gi]["lr"] * closed_form(sched, k)
            assert abs(g["lr"] - want) <= 1e-12 * want + 1e-300, (name, k, g["lr"], want)
        opt.zero_grad()
        o = model(x[k])
        if loss == "mse":
            l = F.mse_loss(o, y[k])
        else:
            l = -(y[k] * F.log_softmax(o, dim=1)).sum(1).mean()
        l.backward()
        if clip:
            norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip)))
        opt.step()
        if sch:
            sch.step()
        for n, p in model.named_parameters():
            out[f"step{k + 1}.{n}"] = p.detach().clone()
    meta = {"optim": optim, "groups": groups, "sched": sched, "loss": loss, "clip": clip, "steps": STEPS,
            "lrs": lrs, "norms": norms}
    clipped = sum(1 for v in norms if v > clip)
    moved = max(float((out[f"step{STEPS}.{n}"] - init[n]).abs().max()) for n in NAMES)
    print(f"{name}: loss {float(l):.4f}, largest move {moved:.3g}" + (f", clipped {clipped}/{STEPS}" if clip else ""))
    return out, {"case": json.dumps(meta)}


CONST = {"kind": "constant"}
MULTI = {"kind": "multistep", "warmup_iters": 5, "warmup_factor": 0.1, "milestones": [10, 15], "gamma": 0.5}

CASES = {
    "sgd_plain": dict(seed=1, optim="sgd", groups=[{"select": "all", "lr": 0.1}], sched=CONST, loss="mse"),
    "sgd_momentum": dict(seed=2, optim="sgd", groups=[{"select": "all", "lr": 0.05, "momentum": 0.9}],
                         sched=CONST, loss="mse"),
    "sgd_nesterov_wd": dict(seed=3, optim="sgd",
                            groups=[{"select": "all", "lr": 0.05, "momentum": 0.9, "nesterov": True,
                                     "weight_decay": 1e-2}], sched=MULTI, loss="mse"),
    # two groups (fc1 slower, undecayed), dampening, clipping that bites
    "sgd_dampening_groups_clip": dict(
        seed=4, optim="sgd",
        groups=[{"select": "prefix:fc1", "lr": 0.02, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.0},
                {"select": "all", "lr": 0.1, "momentum": 0.8, "dampening": 0.3, "weight_decay": 1e-3}],
        sched={"kind": "multistep", "warmup_iters": 3, "warmup_factor": 0.25, "milestones": [12], "gamma": 0.2},
        loss="ce", clip=0.3),
    "adamw_cosine": dict(seed=5, optim="adamw",
                         groups=[{"select": "all", "lr": 1e-2, "weight_decay": 0.0, "betas": [0.9, 0.999], "eps": 1e-8}],
                         sched={"kind": "cosine", "warmup_iters": 4, "warmup_factor": 0.05, "cosine_iters": 16,
                                "min_factor": 0.05}, loss="ce"),
    # OpenMixer's recipe in small: decay / no-decay split, warmup from 0.1, x0.1 milestones, clipping
    "adamw_wd_split_clip": dict(
        seed=6, optim="adamw",
        groups=[{"select": "decay", "lr": 5e-3, "weight_decay": 0.05, "betas": [0.9, 0.999], "eps": 1e-8},
                {"select": "no_decay", "lr": 5e-3, "weight_decay": 0.0, "betas": [0.9, 0.999], "eps": 1e-8}],
        sched={"kind": "multistep", "warmup_iters": 5, "warmup_factor": 0.1, "milestones": [8, 14], "gamma": 0.1},
        loss="mse", clip=1.0),
    # ViCLIP's betas and eps, strong decay, a second group at a tenth of the lr
    "adamw_groups_const": dict(
        seed=7, optim="adamw",
        groups=[{"select": "prefix:fc2", "lr": 4e-4, "weight_decay": 0.2, "betas": [0.9, 0.98], "eps": 1e-6},
                {"select": "all", "lr": 4e-3, "weight_decay": 0.2, "betas": [0.9, 0.98], "eps": 1e-6}],
        sched=CONST, loss="ce"),
}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/optim"
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    # SequentialLR steps CosineAnnealingLR with an epoch argument itself; torch warns about that
    warnings.filterwarnings("ignore", message="The epoch parameter")
    for name, c in CASES.items():
        tensors, meta = run_case(name, **c)
        st_io.save(os.path.join(out_dir, f"{name}.safetensors"), tensors, meta)


if __name__ == "__main__":
    main()
