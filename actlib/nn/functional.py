"""actlib's activations under ``torch.nn.functional``'s names and signatures.

Every function here has the signature of the ``torch.nn.functional`` function of the same name,
and computes actlib's activation (accurate tails, exact limits, NaN kept, float16/bfloat16
computed in float32 and rounded once), differentiable through actlib's analytic backward:

>>> import torch, actlib.nn.functional as AF
>>> AF.gelu(torch.tensor([-1.0, 0.0, 1.0]))
tensor([-0.1587,  0.0000,  0.8413])

``inplace=True`` is accepted as in torch: the result is computed out of place and then
copied into ``input``, which is returned (as torch does, this fails on a leaf that requires
grad).  ``dim=None`` for softmax, softmin and log_softmax picks torch's legacy implicit
dimension, with torch's deprecation warning; ``dtype`` casts the input first, as torch does.
"""
from __future__ import annotations

import torch

from .._core import get, spec
from .._torch import apply

__all__ = ["celu", "elu", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh",
           "leaky_relu", "log_softmax", "logsigmoid", "mish", "prelu", "relu", "relu6", "rrelu",
           "selu", "sigmoid", "silu", "softmax", "softmin", "softplus", "softshrink", "softsign",
           "tanh", "tanhshrink", "threshold"]


def _act(name: str, input, inplace: bool = False, **params):
    """actlib's ``name`` with validated ``params`` applied to ``input`` (copied back into it
    for ``inplace=True``)."""
    out = get(name, **params)(input)
    if inplace:
        return input.copy_(out)
    return out


def _softmax_like(name: str, input, dim, stacklevel: int, dtype):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = torch.nn.functional._get_softmax_dim(name, input.dim(), stacklevel + 1)
    return get(name, dim=dim)(input)


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """CELU, as ``torch.nn.functional.celu`` (actlib ``celu``)."""
    return _act("celu", input, inplace, alpha=alpha)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """ELU, as ``torch.nn.functional.elu`` (actlib ``elu``)."""
    return _act("elu", input, inplace, alpha=alpha)


def gelu(input, approximate: str = "none"):
    """GELU, as ``torch.nn.functional.gelu`` (actlib ``gelu``; erfc form, exact tail)."""
    return _act("gelu", input, approximate=approximate)


def glu(input, dim: int = -1):
    """GLU, as ``torch.nn.functional.glu`` (actlib ``glu``; the second half is the gate)."""
    return _act("glu", input, dim=dim)


def hardshrink(input, lambd: float = 0.5):
    """Hardshrink, as ``torch.nn.functional.hardshrink`` (actlib ``hardshrink``)."""
    return _act("hardshrink", input, lambd=lambd)


def hardsigmoid(input, inplace: bool = False):
    """Hardsigmoid, as ``torch.nn.functional.hardsigmoid`` (actlib ``hardsigmoid``)."""
    return _act("hardsigmoid", input, inplace)


def hardswish(input, inplace: bool = False):
    """Hardswish, as ``torch.nn.functional.hardswish`` (actlib ``hardswish``)."""
    return _act("hardswish", input, inplace)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """Hardtanh, as ``torch.nn.functional.hardtanh`` (actlib ``hardtanh``)."""
    return _act("hardtanh", input, inplace, min_val=min_val, max_val=max_val)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """Leaky ReLU, as ``torch.nn.functional.leaky_relu`` (actlib ``leaky_relu``)."""
    return _act("leaky_relu", input, inplace, negative_slope=negative_slope)


def log_softmax(input, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    """Log-softmax, as ``torch.nn.functional.log_softmax`` (actlib ``log_softmax``)."""
    return _softmax_like("log_softmax", input, dim, _stacklevel, dtype)


def logsigmoid(input):
    """Log-sigmoid, as ``torch.nn.functional.logsigmoid`` (actlib ``logsigmoid``)."""
    return _act("logsigmoid", input)


def mish(input, inplace: bool = False):
    """Mish, as ``torch.nn.functional.mish`` (actlib ``mish``)."""
    return _act("mish", input, inplace)


def prelu(input, weight):
    """PReLU, as ``torch.nn.functional.prelu`` (actlib ``prelu``; ``weight`` a tensor with one
    slope, or one per channel along dim 1); ``weight`` gets its gradient."""
    return apply(spec("prelu"), {"weight": weight}, input)


def relu(input, inplace: bool = False):
    """ReLU, as ``torch.nn.functional.relu`` (actlib ``relu``)."""
    return _act("relu", input, inplace)


def relu6(input, inplace: bool = False):
    """ReLU6, as ``torch.nn.functional.relu6`` (actlib ``relu6``)."""
    return _act("relu6", input, inplace)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False):
    """RReLU, as ``torch.nn.functional.rrelu`` (actlib ``rrelu``)."""
    return _act("rrelu", input, inplace, lower=lower, upper=upper, training=training)


def selu(input, inplace: bool = False):
    """SELU, as ``torch.nn.functional.selu`` (actlib ``selu``)."""
    return _act("selu", input, inplace)


def sigmoid(input):
    """Sigmoid, as ``torch.nn.functional.sigmoid`` (actlib ``sigmoid``)."""
    return _act("sigmoid", input)


def silu(input, inplace: bool = False):
    """SiLU, as ``torch.nn.functional.silu`` (actlib ``silu``)."""
    return _act("silu", input, inplace)


def softmax(input, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    """Softmax, as ``torch.nn.functional.softmax`` (actlib ``softmax``)."""
    return _softmax_like("softmax", input, dim, _stacklevel, dtype)


def softmin(input, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    """Softmin, as ``torch.nn.functional.softmin`` (actlib ``softmin``)."""
    return _softmax_like("softmin", input, dim, _stacklevel, dtype)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """Softplus, as ``torch.nn.functional.softplus`` (actlib ``softplus``)."""
    return _act("softplus", input, beta=beta, threshold=threshold)


def softshrink(input, lambd: float = 0.5):
    """Softshrink, as ``torch.nn.functional.softshrink`` (actlib ``softshrink``)."""
    return _act("softshrink", input, lambd=lambd)


def softsign(input):
    """Softsign, as ``torch.nn.functional.softsign`` (actlib ``softsign``; +-1 at +-inf)."""
    return _act("softsign", input)


def tanh(input):
    """tanh, as ``torch.nn.functional.tanh`` (actlib ``tanh``)."""
    return _act("tanh", input)


def tanhshrink(input):
    """Tanhshrink, as ``torch.nn.functional.tanhshrink`` (actlib ``tanhshrink``)."""
    return _act("tanhshrink", input)


def threshold(input, threshold: float, value: float, inplace: bool = False):
    """Threshold, as ``torch.nn.functional.threshold`` (actlib ``threshold``)."""
    return _act("threshold", input, inplace, threshold=threshold, value=value)
