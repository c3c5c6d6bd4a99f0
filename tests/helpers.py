"""Helpers shared by the test modules: the activation lists, parameter cases, evaluation on
both backends, and the cached reference per (activation, parameters)."""
from __future__ import annotations

import functools

import numpy as np
import torch

import actlib
import oracle
from ulp import grid_for

TORCH_DTYPES = {"float64": torch.float64, "float32": torch.float32,
                "float16": torch.float16, "bfloat16": torch.bfloat16}

CANONICAL = """identity heaviside sign sigmoid hardsigmoid logsigmoid tanh hardtanh softsign relu relu6
leaky_relu prelu rrelu threshold relu_squared elu celu selu softplus squareplus sparse_plus gelu
gelu_tanh quick_gelu silu swish hardswish mish hard_mish star_relu elish serf tanhshrink softshrink
hardshrink snake siren gaussian laplace isru isrlu bent_identity lisht tanhsoft tanhsoft1 tanhsoft2
erfact pserf pau sparse_sigmoid exponential maxout softmax log_softmax softmin sparsemax glu reglu
geglu swiglu bilinear crelu""".split()
VECTOR = set(oracle.VECTOR)

NAMES = actlib.names()
ELEMENTWISE = [n for n in NAMES if actlib.spec(n).elementwise]
VECTOR_VALUED = [n for n in NAMES if not actlib.spec(n).elementwise]

# non-default parameters exercised on the accuracy grids (kinks move with them)
PARAM_CASES = [
    ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.5}), ("celu", {"alpha": 2.0}),
    ("softplus", {"beta": 2.0, "threshold": 10.0}), ("hardtanh", {"min_val": -2.0, "max_val": 3.0}),
    ("softshrink", {"lambd": 1.5}), ("threshold", {"threshold": 1.0, "value": -2.0}),
    ("swish", {"beta": 1.702}), ("squareplus", {"b": 1.0}), ("gelu", {"approximate": "tanh"}),
    ("snake", {"a": 0.5}), ("siren", {"w0": 1.0}), ("isru", {"alpha": 2.0}),
    ("rrelu", {"lower": 0.1, "upper": 0.3}),
]

# kinks where no torch builtin fixes the derivative convention: there the derivative may be
# either one-sided value (tested separately, and excluded from the grid's derivative check)
AMBIGUOUS_KINKS = {"hard_mish", "sparse_sigmoid"}


def case_id(name: str, params: dict) -> str:
    return name + "".join(f"-{k}={v}" for k, v in params.items())


def accuracy_cases():
    cases = [(n, {}) for n in ELEMENTWISE]
    cases += [(n, p) for n, p in PARAM_CASES if n in ELEMENTWISE]
    return cases


@functools.cache
def _reference(name: str, key: tuple):
    params = dict(key)
    kinks = oracle.kinks(name, **params)
    x = grid_for(kinks)
    return x, oracle.evaluate(name, x, **params), kinks


def reference(act):
    """(grid, oracle dict, kinks) for an Activation, cached per (name, parameters)."""
    return _reference(act.name, oracle._hashable(act.params))


def run_numpy(act, x: np.ndarray, dtype: str):
    """actlib value and grad on the NumPy backend, as float64 copies; checks the dtype kept."""
    xt = x.astype(dtype)
    y, dy = act(xt), act.grad(xt)
    assert y.dtype == np.dtype(dtype) and dy.dtype == np.dtype(dtype)
    return y.astype(np.float64), dy.astype(np.float64)


def run_torch(fn, x: np.ndarray, dtype: str, device: str = "cpu", constant_ok: bool = False):
    """value and autograd gradient of ``fn`` on a torch tensor, as float64 NumPy copies.
    ``constant_ok``: an output without grad_fn (a step function written with comparisons) has
    gradient 0."""
    xt = torch.tensor(x, dtype=TORCH_DTYPES[dtype], device=device, requires_grad=True)
    y = fn(xt)
    assert y.dtype == xt.dtype and y.device == xt.device
    if constant_ok and not y.requires_grad:
        return y.double().cpu().numpy(), np.zeros(y.shape)
    (g,) = torch.autograd.grad(y, xt, torch.ones_like(y))
    return (y.detach().double().cpu().numpy(), g.double().cpu().numpy())


def torch_builtin(act):
    """The torch builtin of an activation as a function of x (None where torch has none)."""
    b = act.spec.torch_builtin
    if b is None:
        return None
    fn = getattr(torch.nn.functional, b) if isinstance(b, str) else b
    params = act.params
    return lambda x: fn(x, **params)
