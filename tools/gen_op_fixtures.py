#!/usr/bin/python3
"""gen_op_fixtures.py: writes one safetensors file per (op, case) for tests/test_fixtures.c.

Each op family has a module in tools/fixtures/ with a cases() generator of Case objects. A case
gives the op's inputs (named like the op's arguments), its attributes as text, and the PyTorch
function it must agree with. This script computes the outputs and, for differentiable ops, the
gradients for a random grad_out, in float64 from the float32 inputs, and stores
    inputs, grad_out (grad_out0, ...), out (out0, ...), grad_<arg>
with metadata op=<name> and attr.<name>=<value>.

Usage: /usr/bin/python3 tools/gen_op_fixtures.py tests/fixtures/ops   (needs python3-torch)
"""
import importlib
import os
import pkgutil
import sys
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402
import fixtures  # noqa: E402


def run_case(case, outdir):
    torch.manual_seed(zlib.crc32(f"{case.op}.{case.name}".encode()))
    ins = {}
    for k, v in case.inputs.items():
        v = v.detach().clone()
        if v.dtype == torch.float32 and case.grad and k not in case.no_grad:
            v = v.double().requires_grad_(True)
        elif v.dtype == torch.float32:
            v = v.double()
        ins[k] = v
    outs = case.fn(ins)
    if not isinstance(outs, (tuple, list)):
        outs = [outs]
    outs = list(outs)
    single = len(outs) == 1
    tensors = {k: (v.detach().float() if v.dtype == torch.float64 else v) for k, v in case.inputs.items()}
    for k, o in enumerate(outs):
        o = o.detach()
        tensors["out" if single else f"out{k}"] = o.float() if o.dtype == torch.float64 else o
    if case.grad:
        roots, seeds = [], []
        for k, o in enumerate(outs):
            if o.dtype == torch.float64 and o.requires_grad:
                g = torch.randn(o.shape).float()
                tensors["grad_out" if single else f"grad_out{k}"] = g
                roots.append(o)
                seeds.append(g.double())
        if roots:
            torch.autograd.backward(roots, seeds)
        for k, v in ins.items():
            if v.dtype == torch.float64 and v.requires_grad:
                g = v.grad if v.grad is not None else torch.zeros_like(v)
                tensors[f"grad_{k}"] = g.float()
    meta = {"op": case.op}
    for k, v in case.attrs.items():
        meta[f"attr.{k}"] = v
    if case.tol is not None:
        meta["tol"] = repr(case.tol)
    st_io.save(os.path.join(outdir, f"{case.op}.{case.name}.safetensors"), tensors, meta)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/ops"
    only = set(sys.argv[2:])  # optional family names
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)
    count = 0
    for mod in pkgutil.iter_modules(fixtures.__path__):
        if mod.name == "common" or (only and mod.name not in only):
            continue
        for case in importlib.import_module(f"fixtures.{mod.name}").cases():
            run_case(case, outdir)
            count += 1
    print(f"wrote {count} fixtures to {outdir}")


if __name__ == "__main__":
    main()
