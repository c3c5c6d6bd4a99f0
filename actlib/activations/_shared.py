"""What several families of activations use: parameter checks, the NaN-keeping step, the torch
helpers of the fused ``torch_backward`` hooks, the range guard of the NumPy fast paths, the
subnormal-keeping logistic function and sech^2.  Family modules import from here, never from each other.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._ops import eager

REAL = "a finite real number"    # the wording of _real in Param(valid=...)


# -- parameter checks --------------------------------------------------------------------------
def _real(v) -> bool:
    """A finite real scalar (bools excluded): the check of every real-valued parameter."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def _number(v):
    """``v`` as a float when it is a plain Python/NumPy number, else None (arrays, tensors)."""
    return float(v) if isinstance(v, numbers.Real) else None


def _rounded(v, x) -> float:
    """A Python number rounded to x's dtype (float32 or float64): a parameter that is not 0
    but rounds to 0 there (``swish(beta=1e-300)`` on float32) acts as 0."""
    return float(np.asarray(v, dtype=np.float32 if str(x.dtype).endswith("float32") else np.float64))


# -- torch helpers -------------------------------------------------------------------------------
def _torch():
    """The torch module, imported on call (``import actlib`` does not import torch)."""
    import torch
    return torch


def _aten():
    """``torch.ops.aten``, the fused backward kernels the ``torch_backward`` hooks use."""
    return _torch().ops.aten


def _dense(x):
    """A contiguous tensor: torch's fused kernels round differently on strided input
    (scalar loop) than on contiguous input (vector loop); results must not depend on layout."""
    return x.contiguous()


def _keep_nan(r, x):
    """``r`` with NaN where x is NaN: the fused mask kernels (hardtanh_backward,
    threshold_backward, elu_backward, ...) pass g through at NaN, as their tests ``x <= t`` are
    false.  One pass, no host synchronisation: ``clamp(x, r, r)`` is r where x is a number
    (infinities included) and NaN where x is NaN; written into r in plain eager evaluation
    (r is a fresh temporary of the caller).  Under transforms, tracing or a recorded graph it
    is ``where(isnan(x), x, r)``, out of place and with the right derivatives (torch's
    gradient of clamp with respect to tensor bounds is not r's)."""
    torch = _torch()
    if eager(r) and not r.requires_grad and tuple(r.shape) == tuple(x.shape):
        return torch.clamp(x, r, r, out=r)
    return torch.where(torch.isnan(x), x, r)


def _hardtanh_vjp(g, x, min_val=-1.0, max_val=1.0):
    """g * 1{min_val < x < max_val} (0 at both bounds, NaN for NaN) from torch's fused kernel."""
    return _keep_nan(_aten().hardtanh_backward(_dense(g), _dense(x), min_val, max_val), x)


def _torch_reference(name: str, doc: str | None = None, **fixed):
    """A reference ``(x, **params) -> torch.<name>(x, **fixed, **params)`` for ``torch_builtin=``
    (``name`` may be dotted: ``"nn.functional.gelu"``); torch is imported on call."""
    def call(x, **params):
        fn = _torch()
        for part in name.split("."):
            fn = getattr(fn, part)
        return fn(x, **fixed, **params)
    call.__name__ = call.__qualname__ = "torch_" + name.replace(".", "_")
    call.__doc__ = doc or f"torch.{name}"
    return call


# -- NumPy fast-path guard, logistic function, sech^2 --------------------------------------------
def _within(t, xp, lo=-math.inf, hi=math.inf) -> bool:
    """NumPy: True when every element of ``t`` lies in [lo, hi] (False when one is NaN).

    Guards the NumPy fast paths (a short formula accurate on that range only, e.g. where
    :math:`e^{-t}` does not overflow); one reduction pass.  Never used on tensors: there it
    would be a data-dependent host synchronisation (graph breaks, a GPU stall).
    """
    if xp.is_torch:
        raise TypeError("_within is a NumPy-only guard (it would synchronise a tensor)")
    if t.size == 0:
        return True
    return bool(np.min(t) >= lo) and bool(np.max(t) <= hi)


def _exp_lo(t, xp) -> float:
    r"""A bound above :math:`-\log(\max)`: :math:`e^{-t}` is finite for every t above it."""
    return 1.0 - math.log(float(xp.finfo(t).max))


def _sigmoid(z, xp):
    r"""Logistic :math:`\sigma(z) = e^{\min(z,0)} / (1 + e^{-|z|})` (about 1.5 ULP), subnormal values included.

    ``expit`` and ``torch.sigmoid`` flush :math:`\sigma(z)` to 0 below :math:`z \approx -709`
    (float32: -88), where gated products such as :math:`z\,\sigma(z)` are still normal numbers.
    """
    return xp.exp(xp.minimum(z, 0)) / (1 + xp.exp(-xp.abs(z)))


def _sech2(u, xp):
    r""":math:`\operatorname{sech}^2 u = 4e/(1+e)^2`, :math:`e = e^{-2|u|}`: accurate where
    :math:`1 - \tanh^2 u` cancels (large :math:`|u|`), and exactly 0 at :math:`\pm\infty`."""
    e = xp.exp(-2 * xp.abs(u))
    return 4 * e / ((1 + e) * (1 + e))
