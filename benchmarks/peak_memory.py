"""Peak memory of forward+backward, actlib against torch's builtin, one subprocess per case.

Each case runs in a fresh interpreter: allocate the input (float32) and the cotangent, then
record the process's peak resident set (``ru_maxrss``) before and after one forward+backward;
the difference is the extra memory the call needed at its peak (output, saved tensors,
temporaries, the input's gradient).

Usage: ``python benchmarks/peak_memory.py [--size 1e8] [--names log_softmax glu ...]``
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys
import torch, actlib
name, impl, n = sys.argv[1], sys.argv[2], int(float(sys.argv[3]))
act = actlib.get(name)
shape = (n,) if act.elementwise else (n // 1000, 1000)
x = torch.randn(shape).requires_grad_(True)
if impl == "actlib":
    fn = act
else:
    b = act.spec.torch_builtin
    f = getattr(torch.nn.functional, b) if isinstance(b, str) else b
    fn = lambda t: f(t, **act.params)
if True:
    g = torch.ones(act(torch.empty(shape, device="meta")).shape)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
fn(x).backward(g)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"extra_mib": (after - before) / 1024}))
"""


def measure(name: str, impl: str, size: float) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, name, impl, str(size)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["extra_mib"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e8)
    parser.add_argument("--names", nargs="+", default=["log_softmax", "softmax", "glu", "gelu",
                                                       "silu", "relu"])
    args = parser.parse_args()
    print(f"| activation | actlib peak MiB | builtin peak MiB | ratio |   ({args.size:.0e} float32)")
    print("|---|---|---|---|")
    for name in args.names:
        ours, theirs = measure(name, "actlib", args.size), measure(name, "builtin", args.size)
        print(f"| {name} | {ours:.0f} | {theirs:.0f} | {ours / theirs:.2f} |", flush=True)


if __name__ == "__main__":
    main()
