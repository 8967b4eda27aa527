#!/usr/bin/python3
"""bench_viclip_torch.py: the PyTorch side of `ovad bench encode --model viclip-b16`: one forward of
the ViCLIP-B/16 video encoder (vision_ref.py, the same module names as the checkpoints) on one clip
of 8 frames of 224x224, seeded random weights, eval mode under torch.no_grad(), on the CPU, at each
thread count: the best wall-clock time of --reps runs after a warmup, and the growth of the
process's peak resident memory over the forwards (ru_maxrss; torch has no allocator statistics on
the CPU, so this counts what ovad's host-allocation peak counts, plus allocator slack).

torch's matrix products go to the system BLAS (libblas.so.3). Debian's reference BLAS is slow; with
OpenBLAS installed (apt-get install libopenblas0-pthread) the kernel family comes from
OPENBLAS_CORETYPE, which must be set before torch loads: this script sets it from --coretype. On
this AMD Zen 5 machine the OpenBLAS 0.3.21 of Debian 12 does not know the CPU; SkylakeX (AVX-512)
is its fastest family here and computes correctly (Haswell and Zen give the AVX2 kernels at about
half the speed); the script checks a product against float64 before timing.

    OMP_NUM_THREADS unset; /usr/bin/python3 tools/bench_viclip_torch.py [--threads 1,2] [--reps 5]
        [--coretype SkylakeX] [--frames 8] [--size 224]
"""
import argparse
import os
import resource
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", default="1,2")
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--coretype", default="SkylakeX", help="OPENBLAS_CORETYPE ('' keeps the environment's)")
ap.add_argument("--frames", type=int, default=8)
ap.add_argument("--size", type=int, default=224)
ap.add_argument("--single", type=int, default=0, help=argparse.SUPPRESS)  # one thread count, in a child process
args = ap.parse_args()
if args.coretype:
    os.environ["OPENBLAS_CORETYPE"] = args.coretype

import torch  # noqa: E402  (after OPENBLAS_CORETYPE)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vision_ref as vr  # noqa: E402


def blas_library():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(os.path.basename(x) for x in libs)) or "none mapped"


def check_blas():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(300, 500, generator=g), torch.randn(500, 400, generator=g)
    ref = a.double() @ b.double()
    return ((a @ b).double() - ref).abs().max().item() / ref.abs().max().item()


def measure(t):
    """One thread count: the best time and the growth of the peak RSS over the forwards."""
    torch.set_num_threads(t)
    torch.manual_seed(0)
    m = vr.ViCLIPVision(width=768, layers=12, heads=12, patch=16, image_size=224, frames=8, output_dim=512).eval()
    x = torch.randn(1, 3, args.frames, args.size, args.size)
    with torch.no_grad():
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        m.forward_fv(x)
        best = float("inf")
        for _ in range(args.reps):
            t0 = time.perf_counter()
            m.forward_fv(x)
            best = min(best, time.perf_counter() - t0)
        grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1e3
    tokens = 1 + args.frames * (args.size // 16) ** 2
    W, L = 768, tokens
    flop = 12 * (2 * L * 12 * W * W + 4 * L * L * W) + 2 * (L - 1) * 3 * 256 * W
    print(f"{'viclip-b16':<14} {t:>3} {best:>9.3f} {flop / best * 1e-9:>8.1f} {grew:>10.1f}")
    sys.stdout.flush()


def main():
    if args.single:
        measure(args.single)
        return
    lib = blas_library()
    print(f"torch {torch.__version__}, BLAS: {lib}, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '')}, "
          f"product error vs float64 {check_blas():.1e}")
    if "openblas" not in lib:
        print("warning: torch is not using OpenBLAS (apt-get install libopenblas0-pthread); times are not comparable")
    tokens = 1 + args.frames * (args.size // 16) ** 2
    print(f"encode: viclip-b16 (PyTorch reference, upstream's forward), 1 clip of {args.frames} frames "
          f"{args.size}x{args.size} ({tokens} tokens), seeded random weights, no grad, CPU; best of {args.reps} after "
          f"a warmup; memory = growth of the peak RSS over the forwards (one process per thread count)\n")
    print(f"{'model':<14} {'thr':>3} {'time s':>9} {'GFLOP/s':>8} {'peak MB':>10}")
    sys.stdout.flush()
    for t in args.threads.split(","):
        cmd = [sys.executable, os.path.abspath(__file__), "--single", t, "--reps", str(args.reps),
               "--coretype", args.coretype, "--frames", str(args.frames), "--size", str(args.size)]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
