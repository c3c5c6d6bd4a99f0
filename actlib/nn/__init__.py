"""Drop-in ``torch.nn`` activation modules computed by actlib.

Each class has the name and constructor signature of the ``torch.nn`` module it replaces, so
``actlib.nn.GELU(approximate="tanh")`` goes wherever ``torch.nn.GELU(approximate="tanh")`` went
(state_dict keys included: ``PReLU.weight``):

>>> import torch, actlib.nn
>>> model = torch.nn.Sequential(torch.nn.Linear(4, 8), actlib.nn.SiLU(), torch.nn.Linear(8, 1))
>>> model(torch.zeros(2, 4)).shape
torch.Size([2, 1])

They are ordinary modules: ``torch.func`` transforms, double backward, pickling and
``torch.save``, ``torch.compile(fullgraph=True)``, ``torch.export`` and meta tensors work as with
the builtins.  ``inplace=True`` computes out of place and copies the result into the input (the
builtin's observable behaviour).  :mod:`actlib.nn.functional` mirrors ``torch.nn.functional``.
"""
from __future__ import annotations

import warnings

import torch

from .._core import get, spec
from .._torch import apply
from . import functional

__all__ = ["CELU", "ELU", "GELU", "GLU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh",
           "Identity", "LeakyReLU", "LogSigmoid", "LogSoftmax", "Mish", "PReLU", "ReLU", "ReLU6",
           "RReLU", "SELU", "SiLU", "Sigmoid", "Softmax", "Softmin", "Softplus", "Softshrink",
           "Softsign", "Tanh", "Tanhshrink", "Threshold", "functional"]


class _ActlibModule(torch.nn.Module):
    """Base of the drop-in modules: ``_name`` is the actlib activation, ``_params`` the
    attributes (torch's names) passed to it as parameters, read at each call."""

    _name = ""
    _params: tuple = ()
    inplace = False

    def _activation(self):
        key = tuple(getattr(self, p) for p in self._params)
        cached = self.__dict__.get("_cached")
        if cached is None or cached[0] != key:
            cached = (key, get(self._name, **dict(zip(self._params, key))))
            self.__dict__["_cached"] = cached
        return cached[1]

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """The activation of ``input`` (copied into ``input`` when ``inplace``)."""
        out = self._activation()(input)
        return input.copy_(out) if self.inplace else out

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_cached", None)
        return state

    def extra_repr(self) -> str:
        parts = [f"{p}={getattr(self, p)!r}" for p in self._params]
        if self.inplace:
            parts.append("inplace=True")
        return ", ".join(parts)


class _InplaceModule(_ActlibModule):
    """A drop-in module whose only constructor argument is torch's ``inplace``."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace


class CELU(_ActlibModule):
    """``torch.nn.CELU(alpha=1.0, inplace=False)`` computed by actlib's ``celu``."""

    _name, _params = "celu", ("alpha",)

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace


class ELU(_ActlibModule):
    """``torch.nn.ELU(alpha=1.0, inplace=False)`` computed by actlib's ``elu``."""

    _name, _params = "elu", ("alpha",)

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace


class GELU(_ActlibModule):
    """``torch.nn.GELU(approximate='none')`` computed by actlib's ``gelu`` (``'tanh'``: its
    tanh approximation)."""

    _name, _params = "gelu", ("approximate",)

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate


class GLU(_ActlibModule):
    """``torch.nn.GLU(dim=-1)`` computed by actlib's ``glu``."""

    _name, _params = "glu", ("dim",)

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim


class Hardshrink(_ActlibModule):
    """``torch.nn.Hardshrink(lambd=0.5)`` computed by actlib's ``hardshrink``."""

    _name, _params = "hardshrink", ("lambd",)

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd


class Hardsigmoid(_InplaceModule):
    """``torch.nn.Hardsigmoid(inplace=False)`` computed by actlib's ``hardsigmoid``."""

    _name = "hardsigmoid"


class Hardswish(_InplaceModule):
    """``torch.nn.Hardswish(inplace=False)`` computed by actlib's ``hardswish``."""

    _name = "hardswish"


class Hardtanh(_ActlibModule):
    """``torch.nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False)`` computed by actlib's
    ``hardtanh``."""

    _name, _params = "hardtanh", ("min_val", "max_val")

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None):
        super().__init__()
        for old, new in (("min_value", "min_val"), ("max_value", "max_val")):
            if locals()[old] is not None:   # torch's deprecated spellings, with torch's warning
                warnings.warn(f"keyword argument `{old}` is deprecated and renamed to `{new}`",
                              FutureWarning, stacklevel=2)
        min_val = min_val if min_value is None else min_value
        max_val = max_val if max_value is None else max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        get("hardtanh", min_val=min_val, max_val=max_val)     # invalid bounds fail here


class Identity(_ActlibModule):
    """``torch.nn.Identity(*args, **kwargs)`` computed by actlib's ``identity`` (a new tensor
    equal to the input; the arguments are ignored, as torch's)."""

    _name = "identity"

    def __init__(self, *args, **kwargs):
        super().__init__()


class LeakyReLU(_ActlibModule):
    """``torch.nn.LeakyReLU(negative_slope=0.01, inplace=False)`` computed by actlib's
    ``leaky_relu``."""

    _name, _params = "leaky_relu", ("negative_slope",)

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace


class LogSigmoid(_ActlibModule):
    """``torch.nn.LogSigmoid()`` computed by actlib's ``logsigmoid``."""

    _name = "logsigmoid"


class _SoftmaxLike(_ActlibModule):
    """Softmax, Softmin, LogSoftmax: ``dim=None`` is torch's legacy implicit dimension."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """The activation along ``dim`` (torch's implicit choice, with its warning, for None)."""
        return getattr(functional, self._name)(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(_SoftmaxLike):
    """``torch.nn.LogSoftmax(dim=None)`` computed by actlib's ``log_softmax``."""

    _name = "log_softmax"


class Softmax(_SoftmaxLike):
    """``torch.nn.Softmax(dim=None)`` computed by actlib's ``softmax``."""

    _name = "softmax"


class Softmin(_SoftmaxLike):
    """``torch.nn.Softmin(dim=None)`` computed by actlib's ``softmin``."""

    _name = "softmin"


class Mish(_InplaceModule):
    """``torch.nn.Mish(inplace=False)`` computed by actlib's ``mish``."""

    _name = "mish"


class PReLU(torch.nn.Module):
    """``torch.nn.PReLU(num_parameters=1, init=0.25, device=None, dtype=None)`` computed by
    actlib's ``prelu``: a learnable ``weight`` of shape (num_parameters,), one slope per channel
    (dim 1 of the input), as torch's."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = torch.nn.Parameter(torch.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Fill ``weight`` with ``init`` (torch's reset)."""
        torch.nn.init.constant_(self.weight, self.init)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """actlib's prelu with this module's slopes."""
        return apply(spec("prelu"), {"weight": self.weight}, input)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ReLU(_InplaceModule):
    """``torch.nn.ReLU(inplace=False)`` computed by actlib's ``relu``."""

    _name = "relu"


class ReLU6(_InplaceModule):
    """``torch.nn.ReLU6(inplace=False)`` computed by actlib's ``relu6``."""

    _name = "relu6"


class RReLU(_ActlibModule):
    """``torch.nn.RReLU(lower=1/8, upper=1/3, inplace=False)`` computed by actlib's ``rrelu``:
    random slopes in training mode, their mean in evaluation mode."""

    _name, _params = "rrelu", ("lower", "upper", "training")

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class SELU(_InplaceModule):
    """``torch.nn.SELU(inplace=False)`` computed by actlib's ``selu``."""

    _name = "selu"


class SiLU(_InplaceModule):
    """``torch.nn.SiLU(inplace=False)`` computed by actlib's ``silu``."""

    _name = "silu"


class Sigmoid(_ActlibModule):
    """``torch.nn.Sigmoid()`` computed by actlib's ``sigmoid``."""

    _name = "sigmoid"


class Softplus(_ActlibModule):
    """``torch.nn.Softplus(beta=1.0, threshold=20.0)`` computed by actlib's ``softplus``."""

    _name, _params = "softplus", ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold


class Softshrink(_ActlibModule):
    """``torch.nn.Softshrink(lambd=0.5)`` computed by actlib's ``softshrink``."""

    _name, _params = "softshrink", ("lambd",)

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd


class Softsign(_ActlibModule):
    """``torch.nn.Softsign()`` computed by actlib's ``softsign``."""

    _name = "softsign"


class Tanh(_ActlibModule):
    """``torch.nn.Tanh()`` computed by actlib's ``tanh``."""

    _name = "tanh"


class Tanhshrink(_ActlibModule):
    """``torch.nn.Tanhshrink()`` computed by actlib's ``tanhshrink``."""

    _name = "tanhshrink"


class Threshold(_ActlibModule):
    """``torch.nn.Threshold(threshold, value, inplace=False)`` computed by actlib's
    ``threshold``."""

    _name, _params = "threshold", ("threshold", "value")

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace
