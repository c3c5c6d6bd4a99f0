"""Speed and memory of actlib against its peers, printed as ratios measured in one run.

For every activation, on float32 arrays of each size:

* NumPy forward: actlib / the naive textbook formula (``benchmarks/naive.py``, unsafe),
  and actlib / a plain copy of the array (the memory-bandwidth floor);
* torch CPU forward+backward: actlib / torch's builtin (where torch has one),
  and actlib / autograd through the same composite formula (actlib's forward
  ops differentiated by autograd instead of the analytic backward);
* bytes saved for backward: actlib / builtin and actlib / composite.

Targets (COURSE.md §9 and issue 10): NumPy median <= 1.2x naive, never worse than 2.5x;
torch fwd+bwd <= 1.2x the builtin for every activation torch has (vector-valued ones on
(n/1000, 1000) rows), else a stated accuracy reason and <= 1.5x at 1e7; saved bytes no larger
than the builtin's.  Repetitions of actlib, the builtin and the composite alternate, and each
ratio is of the minimum times (the machine is shared: rerun when in doubt).  The script
restarts itself with glibc's allocator settings fixed (``ALLOCATOR``), so that whether an
output page-faults does not change from run to run.

Usage: ``python benchmarks/bench_activations.py [--sizes 1e6 1e7] [--device cpu] [--csv F]``

``--csv F`` also writes every measured time (milliseconds, minimum over the repeats) and
saved-bytes count to F, after comment lines naming the machine, the versions and the command.
The book's cost chapter reads ``book/data/benchmarks-cpu.csv``, made by ``make benchmarks``.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import resource
import statistics
import sys
import time

import numpy as np
import torch

import actlib
from naive import NAIVE
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


def page_faults(fn, calls: int = 3) -> float:
    """Minor page faults per call of ``fn`` (after one warm-up call): the first writes to
    freshly mapped memory.  glibc maps every allocation above 32 MiB afresh, so each new
    1e7-element float32 tensor costs a fault per 4 KiB page, whoever allocates it."""
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


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
    """actlib's torch forward formula, differentiated by autograd (no analytic backward)."""
    def forward(x):
        fixed, names, tensors = _split_params(act.spec, act.params, x.device)
        params = {n: _shaped(act.spec, n, t, x) for n, t in zip(names, tensors)}
        return act.spec.forward_on_torch(x, **fixed, **params)
    return forward


def fwd_bwd(fn, x, g):
    def run():
        y = fn(x)
        y.backward(g)
        x.grad = None
    return run


def interleaved(fns, repeats: int, sync=lambda: None) -> list[float]:
    """Minimum wall time of each of ``fns`` over ``repeats`` rounds, the functions alternating
    within each round (so that noise from other processes hits all of them alike)."""
    for fn in fns:
        fn()
    sync()
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            sync()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


# Why an activation cannot reach 1.2x its builtin without losing accuracy: the builtin's fused
# kernel is inaccurate somewhere on the accuracy grid (tests/test_accuracy.py), and actlib's
# accurate formula needs more passes than one fused kernel, in eager torch with no custom kernels.
REASONS = {
    "relu": "NaN-keeping derivative: torch's threshold_backward passes g through at NaN input; "
            "one extra clamp(x, r, r) pass",
    "relu6": "NaN-keeping derivative (hardtanh_backward passes g at NaN): the fused kernel and "
             "a clamp(x, r, r) pass in place",
    "leaky_relu": "NaN-keeping derivative (leaky_relu_backward gives g*slope at NaN): one extra pass",
    "prelu": "NaN-keeping derivative and per-channel slope gradient from the analytic formula",
    "rrelu": "NaN-keeping derivative: one extra pass",
    "threshold": "NaN-keeping derivative: one extra pass",
    "hardtanh": "NaN-keeping derivative: as relu6",
    "hardsigmoid": "NaN-keeping derivative: the builtin's fused hardsigmoid_backward gives 0 at "
                   "NaN; the same kernel and a clamp(x, r, r) pass in place (float64: "
                   "hardtanh's mask times 1/6, as torch's float64 kernel multiplies by the float32 1/6)",
    "hardshrink": "NaN-keeping derivative: one extra pass",
    "softshrink": "NaN-keeping derivative: one extra pass",
    "elu": "NaN-keeping derivative (elu_backward gives g at NaN): the fused kernel and a "
           "clamp(x, r, r) pass in place",
    "celu": "NaN-keeping derivative: as elu (celu with alpha = 1 is elu)",
    "selu": "NaN-keeping derivative: as elu",
    "sign": "NaN kept: forward sign and a clamp(x, s, s) pass (torch.sign(NaN) = 0); backward "
            "clip(x, 0, 0) reads the saved x to give NaN at NaN, where the builtin writes zeros "
            "and saves nothing (the saved x is what the NaN-keeping derivative needs)",
    "sigmoid": "sigma' = s(1-s) from s = sigma(-|x|), recomputed from x (the saved output "
               "sigma(x) rounds to 1 for x > 17 and loses sigma'): abs, sigmoid and "
               "sigmoid_backward on cache-sized blocks instead of one sigmoid_backward pass",
    "tanh": "sech^2 = 4s(1-s) from s = sigma(-2|x|), recomputed from x (1 - tanh^2 cancels for "
            "|x| > 9): a sigmoid pass and 3 cheap passes on cache-sized blocks instead of one",
    "gelu": "erfc form (torch's 1 + erf cancels below x = -6): torch's erfc kernel alone costs "
            "about twice the builtin's whole erf-based gelu pass, in each direction",
    "gelu_tanh": "x sigma(2u) form with clipped cubic (torch's 1 + tanh cancels for x < -5; "
                 "its derivative too): several passes instead of one fused kernel",
    "silu": "sigma(x) from e^-|x| by the fused select-and-divide log_sigmoid_backward kernel "
            "(torch's silu returns 0 below x = -88 where x e^x is still normal, NaN at -inf, and "
            "its backward cancels in 1 - sigma for x > 10): exp + that kernel + 2-3 cheap passes "
            "per direction instead of one fused kernel",
    "mish": "one-exponential tanh(softplus) form (torch's cancels for x << 0): several passes",
    "hardswish": "torch's kernel overflows to inf at |x| > FLT_MAX/6 and gives NaN at -inf, its "
                 "backward passes g at NaN: hardsigmoid times max(x, -3) forward, the fused "
                 "backward plus a NaN fix-up, on cache-sized blocks",
    "softsign": "torch gives inf/inf = NaN at +-inf: clamped input, extra pass",
    "tanhshrink": "continued fraction for |x| < 1 where x - tanh x cancels (torch: 1e7 ULP): "
                  "about 15 passes, on cache-sized blocks, where the builtin makes 2",
    "softmax": "no host sync for the +-inf and all--inf conventions: max, shift, NaN fix-up, "
               "exp, sum, divide as separate passes instead of one fused kernel",
    "log_softmax": "log1p of the mass outside the maximum (torch rounds the largest entry to 0) "
                   "and the +-inf conventions: separate passes",
    "softmin": "as softmax, plus the negation",
    "glu": "sigma(-b) recomputed from the saved input (torch's glu_backward takes 1 - sigma(b), "
           "which cancels for b >> 0): three passes into one output instead of one",
    # the same fused kernels as the builtin: what remains is the Python autograd.Function
    # (about 35 us a call) and the one-pass NaN fix-up of the derivative where listed above
    "exponential": "e^x recomputed from the saved input in backward (an elementwise actlib "
                   "Function saves x; the builtin saves its output and only multiplies): "
                   "one exp pass more, and the Python autograd.Function's per-call overhead",
    "logsigmoid": "same forward kernel; sigma(-x) backward from x (one pass more than the "
                  "builtin's buffer-based kernel, which saves twice the bytes)",
    "softplus": "same fused kernels; Python autograd.Function overhead",
    "siren": "sin(w0 x) and w0 cos(w0 x) with x clipped where the phase carries no information "
             "and NaN at +-inf (x - x): three extra passes per direction, on cache-sized blocks",
}


CSV_COLUMNS = ("activation", "elements", "device", "copy_ms", "copy_into_ms", "actlib_fwd_ms",
               "builtin_fwd_ms",
               "actlib_fwdbwd_ms", "builtin_fwdbwd_ms", "composite_fwdbwd_ms", "numpy_copy_ms",
               "numpy_ms", "naive_numpy_ms", "actlib_saved_bytes", "builtin_saved_bytes",
               "composite_saved_bytes", "actlib_fwdbwd_faults", "builtin_fwdbwd_faults")


def machine() -> str:
    """The CPU model and core count (and the GPU's name on CUDA), for the CSV's header."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    gpu = f"; GPU {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ""
    return f"{model}, {os.cpu_count()} logical cores{gpu}"


# glibc's allocator, fixed so that every run sees the same memory: allocations of 4 MiB and
# more are mapped afresh (so each new 1e7-element output costs its page faults, for actlib and
# the builtin alike, in every repeat), smaller ones come from the heap, which is never trimmed
# (so 1e6-element tensors reuse warm memory).  By default glibc moves its mapping threshold
# with the history of frees and trims the heap top, so whether an output page-faults, a cost
# of the order of the whole computation at 1e7, changed from run to run.
ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(4 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}


def main() -> None:
    if any(os.environ.get(k) != v for k, v in ALLOCATOR.items()):   # restart with the settings
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **ALLOCATOR})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--names", nargs="+", default=None, help="only these activations")
    parser.add_argument("--no-numpy", action="store_true", help="skip the NumPy columns")
    parser.add_argument("--csv", default=None, help="also write every time and byte count here")
    args = parser.parse_args()
    records = []
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    rng = np.random.default_rng(0)
    print(f"torch {torch.__version__}, numpy {np.__version__}, threads {torch.get_num_threads()}, "
          f"device {device}")
    summary = {}
    for size in args.sizes:
        n = int(size)
        xn = (rng.standard_normal(n) * 4).astype(np.float32)
        t_copy = best_time(xn.copy, args.repeats)
        x_copy = torch.from_numpy(xn).to(device)
        x_into = torch.zeros_like(x_copy)          # already touched: no page faults
        t_tcopy, t_into = interleaved([x_copy.clone, lambda: x_into.copy_(x_copy)],
                                      args.repeats, sync)
        rows, np_ratios, t_ratios, c_ratios = [], [], [], []
        for name in args.names or actlib.names():
            act = actlib.get(name)
            row = {"name": name}
            rec = {"activation": name, "elements": n, "device": str(device),
                   "copy_ms": t_tcopy * 1e3, "copy_into_ms": t_into * 1e3,
                   "numpy_copy_ms": t_copy * 1e3}
            if act.elementwise and not args.no_numpy:
                t_act = best_time(lambda: act(xn), args.repeats)
                row["np/copy"] = t_act / t_copy
                rec["numpy_ms"] = t_act * 1e3
                if name in NAIVE:
                    with np.errstate(all="ignore"):
                        t_naive = best_time(lambda: NAIVE[name](xn), args.repeats)
                    row["np/naive"] = t_act / t_naive
                    rec["naive_numpy_ms"] = t_naive * 1e3
                    np_ratios.append(row["np/naive"])
            shape = (n,) if act.elementwise else (n // 1000, 1000)
            xt = torch.from_numpy(xn).reshape(shape).to(device).requires_grad_(True)
            g = torch.ones_like(act(xt.detach()))
            fns = [fwd_bwd(act, xt, g)]
            b_ours = saved_bytes(act, xt)
            builtin = builtin_fn(act)
            comp = composite_fn(act) if act.elementwise else None
            has_b = has_c = False
            if builtin is not None:
                try:
                    fwd_bwd(builtin, xt, g)()
                    fns.append(fwd_bwd(builtin, xt, g))
                    has_b = True
                except RuntimeError:  # no autograd formula in torch (heaviside)
                    pass
            if comp is not None:
                try:
                    fwd_bwd(comp, xt, g)()
                    fns.append(fwd_bwd(comp, xt, g))
                    has_c = True
                except RuntimeError:
                    pass
            if not has_b and not has_c:
                continue
            times = interleaved(fns, args.repeats, sync)
            rec["actlib_fwdbwd_ms"] = times[0] * 1e3
            rec["actlib_saved_bytes"] = b_ours
            if args.csv:  # forward alone, actlib against the builtin
                xd = xt.detach()
                fwd = [lambda: act(xd)] + ([lambda: builtin(xd)] if has_b else [])
                t_fwd = interleaved(fwd, args.repeats, sync)
                rec["actlib_fwd_ms"] = t_fwd[0] * 1e3
                if has_b:
                    rec["builtin_fwd_ms"] = t_fwd[1] * 1e3
            if device.type == "cpu":
                rec["actlib_fwdbwd_faults"] = page_faults(fns[0])
            if has_b:
                rec["builtin_fwdbwd_ms"] = times[1] * 1e3
                rec["builtin_saved_bytes"] = saved_bytes(builtin, xt)
                if device.type == "cpu":
                    rec["builtin_fwdbwd_faults"] = page_faults(fns[1])
                    if rec["builtin_fwdbwd_faults"] >= 100:   # else reused memory: no ratio
                        row["faults/builtin"] = saved_ratio(rec["actlib_fwdbwd_faults"],
                                                            rec["builtin_fwdbwd_faults"])
            if has_c:
                rec["composite_fwdbwd_ms"] = times[-1] * 1e3
                rec["composite_saved_bytes"] = saved_bytes(comp, xt)
            records.append(rec)
            if has_b:
                row["torch/builtin"] = times[0] / times[1]
                row["saved/builtin"] = saved_ratio(b_ours, saved_bytes(builtin, xt))
                row["saved MiB"] = b_ours / 2 ** 20
                t_ratios.append(row["torch/builtin"])
                summary.setdefault(name, {})[n] = row["torch/builtin"]
            if has_c:
                row["torch/composite"] = times[0] / times[-1]
                row["saved/composite"] = saved_ratio(b_ours, saved_bytes(comp, xt))
                c_ratios.append(row["torch/composite"])
            rows.append(row)
        cols = ["np/naive", "np/copy", "torch/builtin", "torch/composite", "saved MiB",
                "saved/builtin", "saved/composite", "faults/builtin"]
        print(f"\n### {n:.0e} float32 elements (NumPy copy {t_copy * 1e3:.2f} ms; torch clone "
              f"{t_tcopy * 1e3:.2f} ms, copy into a touched tensor {t_into * 1e3:.2f} ms)\n")
        print("| activation | " + " | ".join(cols) + " |")
        print("|---|" + "---|" * len(cols))
        for r in rows:
            cells = [f"{r[c]:.2f}" if c in r else "—" for c in cols]
            print(f"| {r['name']} | " + " | ".join(cells) + " |")
        for label, vals, target in (("NumPy / naive", np_ratios, "median <= 1.2, max <= 2.5"),
                                    ("torch fwd+bwd / builtin", t_ratios, "each <= 1.2"),
                                    ("torch fwd+bwd / composite autograd", c_ratios, "")):
            if vals:
                print(f"\n{label}: median {statistics.median(vals):.2f}, max {max(vals):.2f} "
                      f"over {len(vals)} activations (target: {target or 'report'})")
    if args.csv:
        write_csv(args.csv, records, args)
    over = {k: v for k, v in summary.items() if max(v.values()) > 1.2}
    if over:
        print("\n### Over 1.2x the builtin, and why\n")
        for name, r in over.items():
            ratios = ", ".join(f"{v:.2f} at {k:.0e}" for k, v in r.items())
            print(f"- {name} ({ratios}): {REASONS.get(name, 'no reason recorded')}")


def write_csv(path, records, args) -> None:
    """The records under a header of comment lines: machine, versions, threads, date, command."""
    with open(path, "w", newline="") as f:
        f.write(f"# machine: {machine()}\n")
        f.write(f"# versions: torch {torch.__version__}, numpy {np.__version__}, "
                f"python {platform.python_version()}; torch threads {torch.get_num_threads()}\n")
        f.write("# allocator: glibc, " + ", ".join(f"{k}={v}" for k, v in ALLOCATOR.items())
                + "\n")
        f.write(f"# measured: {datetime.date.today().isoformat()}, float32, minimum of "
                f"{args.repeats} interleaved repeats\n")
        f.write("# command: python " + " ".join(["benchmarks/bench_activations.py", *sys.argv[1:]])
                + "\n")
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, restval="")
        writer.writeheader()
        for rec in records:
            writer.writerow({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in rec.items()})


if __name__ == "__main__":
    main()
