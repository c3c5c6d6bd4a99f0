"""Speed and memory of actlib against its peers, printed as ratios measured in one run.

For every elementwise activation, on float32 arrays of each size:

* NumPy forward: actlib / the naive textbook formula (``spec.naive``, unsafe),
  and actlib / a plain copy of the array (the memory-bandwidth floor);
* torch CPU forward+backward: actlib / torch's builtin (where torch has one),
  and actlib / autograd through the same composite formula (actlib's forward
  ops differentiated by autograd instead of the analytic backward);
* bytes saved for backward: actlib / builtin and actlib / composite.

Targets (COURSE.md §9): NumPy median <= 1.2x naive, never worse than 2.5x;
torch median <= 1.5x builtin; saved bytes no larger than the builtin's.

Usage: ``python benchmarks/bench_activations.py [--sizes 1e6 1e7] [--device cpu]``
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import actlib
from actlib._ops import torch_ops
from actlib._torch import _shaped, _split_params


def best_time(fn, repeats: int) -> float:
    """Minimum wall time of ``fn()`` over ``repeats`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def saved_bytes(fn, x: torch.Tensor) -> int:
    """Bytes of the distinct tensors autograd saves for backward during ``fn(x)``."""
    seen = {}

    def pack(t):
        seen[(t.data_ptr(), t.numel())] = t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(x)
    return sum(seen.values())


def saved_ratio(ours: int, theirs: int) -> float:
    """ours / theirs; inf when only the peer saves nothing (printed as such), 1 when neither does."""
    if theirs == 0:
        return 1.0 if ours == 0 else float("inf")
    return ours / theirs


def builtin_fn(act):
    b = act.spec.torch_builtin
    if b is None:
        return None
    if isinstance(b, str):
        f = getattr(torch.nn.functional, b)
        return lambda x: f(x, **act.params)
    return lambda x: b(x, **act.params)


def composite_fn(act):
    """actlib's forward formula on torch ops, differentiated by autograd (no analytic backward)."""
    ops = torch_ops()

    def forward(x):
        fixed, names, tensors = _split_params(act.spec, act.params, x.device)
        params = {n: _shaped(act.spec, n, t, x) for n, t in zip(names, tensors)}
        return act.spec.forward(x, ops, **fixed, **params)
    return forward


def fwd_bwd(fn, x, g):
    def run():
        y = fn(x)
        y.backward(g)
        x.grad = None
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--names", nargs="+", default=None, help="only these activations")
    args = parser.parse_args()
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    rng = np.random.default_rng(0)
    print(f"torch {torch.__version__}, numpy {np.__version__}, threads {torch.get_num_threads()}, "
          f"device {device}")
    for size in args.sizes:
        n = int(size)
        xn = (rng.standard_normal(n) * 4).astype(np.float32)
        t_copy = best_time(xn.copy, args.repeats)
        rows, np_ratios, t_ratios, c_ratios = [], [], [], []
        for name in args.names or actlib.names():
            act = actlib.get(name)
            if not act.elementwise:
                continue
            row = {"name": name}
            t_act = best_time(lambda: act(xn), args.repeats)
            row["np/copy"] = t_act / t_copy
            if act.spec.naive is not None:
                with np.errstate(all="ignore"):
                    t_naive = best_time(lambda: act.spec.naive(xn), args.repeats)
                row["np/naive"] = t_act / t_naive
                np_ratios.append(row["np/naive"])
            xt = torch.from_numpy(xn).to(device).requires_grad_(True)
            g = torch.ones_like(xt)

            def timed(fn):
                run = fwd_bwd(fn, xt, g)

                def synced():
                    run()
                    sync()
                return best_time(synced, args.repeats)

            t_ours = timed(act)
            b_ours = saved_bytes(act, xt)
            builtin = builtin_fn(act)
            if builtin is not None:
                try:
                    row["torch/builtin"] = t_ours / timed(builtin)
                    row["saved/builtin"] = saved_ratio(b_ours, saved_bytes(builtin, xt))
                    t_ratios.append(row["torch/builtin"])
                except RuntimeError:  # no autograd formula in torch (heaviside)
                    pass
            comp = composite_fn(act)
            try:
                row["torch/composite"] = t_ours / timed(comp)
                row["saved/composite"] = saved_ratio(b_ours, saved_bytes(comp, xt))
                c_ratios.append(row["torch/composite"])
            except RuntimeError:
                pass
            rows.append(row)
        cols = ["np/naive", "np/copy", "torch/builtin", "torch/composite", "saved/builtin",
                "saved/composite"]
        print(f"\n### {n:.0e} float32 elements (copy: {t_copy * 1e3:.2f} ms)\n")
        print("| activation | " + " | ".join(cols) + " |")
        print("|---|" + "---|" * len(cols))
        for r in rows:
            cells = [f"{r[c]:.2f}" if c in r else "—" for c in cols]
            print(f"| {r['name']} | " + " | ".join(cells) + " |")
        for label, vals, target in (("NumPy / naive", np_ratios, "median <= 1.2, max <= 2.5"),
                                    ("torch fwd+bwd / builtin", t_ratios, "median <= 1.5"),
                                    ("torch fwd+bwd / composite autograd", c_ratios, "")):
            if vals:
                print(f"\n{label}: median {statistics.median(vals):.2f}, max {max(vals):.2f} "
                      f"over {len(vals)} activations (target: {target or 'report'})")


if __name__ == "__main__":
    main()
