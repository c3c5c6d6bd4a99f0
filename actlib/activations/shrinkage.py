"""Shrinkage activations: tanhshrink and the soft/hard thresholding operators."""
from __future__ import annotations

import math

import numpy as np

from .._core import Param, define
from .sigmoidal import _aten, _keep_nan, _positive

# x cosh x - sinh x = sum_{k>=1} 2k x^{2k+1} / (2k+1)!  (all terms positive: no cancellation)
_SERIES = tuple(2 * k / math.factorial(2 * k + 1) for k in range(1, 10))
_SERIES_TERMS = {True: 9, False: 5}   # float64 (relative truncation 1e-18 at |x| = 1), float32 (6e-9)


_step = _positive   # 1{v > 0} that keeps NaN (without where: slow on torch CPU)


def _tanhshrink_series(x, t, xp):
    """x - tanh x for |x| <= 1 from (x cosh x - sinh x) / cosh x, given t = tanh x."""
    y = x * x
    coef = _SERIES[:_SERIES_TERMS[xp.finfo(x).eps < 1e-10]]
    p = coef[-1]
    for c in coef[-2::-1]:
        p = p * y + c
    return x * y * p * xp.sqrt(1 - t * t)


def tanhshrink(x, xp):
    r"""Tanhshrink, :math:`f(x) = x - \tanh x`.

    Derivative :math:`f'(x) = \tanh^2 x` (no kink).  For :math:`|x| < 1` the
    difference cancels (:math:`f \approx x^3/3`), so there
    :math:`f = (x\cosh x - \sinh x)/\cosh x` with the numerator from its Taylor series
    :math:`\sum_{k\ge1} 2k\,x^{2k+1}/(2k+1)!` (positive terms, 9 in float64, 5 in float32)
    and :math:`1/\cosh x = \sqrt{1 - \tanh^2 x}`; elsewhere the plain difference is exact
    to a few ULP.  NumPy evaluates the series on the small elements only; torch uses a
    ``where`` (no host synchronisation on GPUs).
    """
    t = xp.tanh(x)
    small = xp.abs(x) < 1
    if xp.is_torch or x.ndim == 0:
        return xp.where(small, _tanhshrink_series(xp.clip(x, -1.0, 1.0), t, xp), x - t)
    out = x - t
    out[small] = _tanhshrink_series(x[small], t[small], xp)
    return out


def _tanhshrink_grad(x, xp):
    t = xp.tanh(x)
    return t * t


define("tanhshrink", forward=tanhshrink, derivative=_tanhshrink_grad, aliases=("tanh_shrink",),
       torch_builtin="tanhshrink", naive=lambda x: x - np.tanh(x),
       formula=r"f(x) = x - \tanh x", range="(-inf, inf)", bounded=(False, False),
       monotonic="strictly increasing (f' = 0 only at 0)", smoothness="C^inf", f0="0", df0="0",
       reference="Lua Torch nn (c. 2012)")


def _lambd(name):
    return Param("lambd", 0.5, valid="a finite number >= 0",
                 check=lambda v: math.isfinite(v) and v >= 0,
                 doc=f"half-width of the dead zone of {name}")


def softshrink(x, xp, lambd=0.5):
    r"""Softshrink (soft thresholding), :math:`f(x) = \operatorname{sign}(x)\max(|x| - \lambda, 0)`.

    Computed as :math:`x - \operatorname{clip}(x, -\lambda, \lambda)` (exact, NaN-preserving).
    Derivative :math:`\mathbf 1_{|x| > \lambda}`; at :math:`x = \pm\lambda` it is 0, as torch's
    autograd (``shrink_backward``) gives.
    """
    c = xp.clip(x, -lambd, lambd)
    return xp.torch.sub(x, c, out=c) if xp.is_torch else x - c


def _shrink_grad(x, xp, lambd=0.5):
    return _step(xp.abs(x) - lambd, xp)


define("softshrink", forward=softshrink, derivative=_shrink_grad, params=(_lambd("softshrink"),),
       aliases=("soft_shrink",), torch_builtin="softshrink",
       torch_backward=lambda g, x, lambd=0.5: _keep_nan(_aten().softshrink_backward(g, x, lambd), x),
       naive=lambda x, lambd=0.5: np.where(x > lambd, x - lambd,
                                           np.where(x < -lambd, x + lambd, 0.0)),
       formula=r"f(x) = \operatorname{sign}(x)\max(|x| - \lambda, 0)", range="(-inf, inf)",
       bounded=(False, False), monotonic="non-decreasing", smoothness="C^0", f0="0", df0="0",
       kink="x = +-lambd: f' = 0 (torch autograd)",
       reference="Donoho 1995; Daubechies, Defrise & De Mol 2004")


def hardshrink(x, xp, lambd=0.5):
    r"""Hardshrink (hard thresholding), :math:`f(x) = x\,\mathbf 1_{|x| > \lambda}`.

    Derivative :math:`\mathbf 1_{|x| > \lambda}` away from the jumps; at
    :math:`x = \pm\lambda` the value is 0 and the derivative 0, as in torch.
    """
    if xp.is_torch:   # torch's kernel: 0 where -lambd <= x <= lambd, else x (NaN passes)
        return xp.torch.nn.functional.hardshrink(x, lambd)
    return xp.where(xp.abs(x) <= lambd, 0.0, x)


define("hardshrink", forward=hardshrink, derivative=_shrink_grad, params=(_lambd("hardshrink"),),
       aliases=("hard_shrink",), torch_builtin="hardshrink",
       torch_backward=lambda g, x, lambd=0.5: _keep_nan(_aten().hardshrink_backward(g, x, lambd), x),
       naive=lambda x, lambd=0.5: np.where(np.abs(x) > lambd, x, 0.0),
       formula=r"f(x) = x\,\mathbf{1}_{|x| > \lambda}",
       range="(-inf, -lambd) U {0} U (lambd, inf)", bounded=(False, False),
       monotonic="non-decreasing (upward jumps)", smoothness="discontinuous", f0="0", df0="0",
       kink="jumps at x = +-lambd: f = 0 and f' = 0 there (torch)",
       reference="Donoho & Johnstone 1994")
