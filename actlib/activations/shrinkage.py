"""Shrinkage activations: tanhshrink and the soft/hard thresholding operators."""
from __future__ import annotations

import math

import numpy as np

from .._core import Param, define
from .._ops import NP, chunked_map, torch_ops
from ._shared import _aten, _keep_nan, _torch

# tanh x = x / (1 + y/(3 + y/(5 + y/(7 + ...)))), y = x^2 (Lambert); cut after the term
# y/(2K+1), the relative error of x - tanh x at |x| = 1 is 1.4e-9 for K = 5, 2e-19 for K = 9
_CF_LEVELS = {True: 9, False: 5}      # float64, float32
_BLOCK = 1 << 16                      # NumPy block: its temporaries stay in the L2 cache


def _blockwise(fn, x):
    """``fn(x_block, out_block)`` over blocks of ``_BLOCK`` elements of a NumPy array: a
    formula of many passes then reads and writes main memory once, not once per pass."""
    out = np.empty(np.shape(x), dtype=x.dtype)
    xf, of = np.ravel(x), out.reshape(-1)
    for i in range(0, xf.size, _BLOCK):
        fn(xf[i:i + _BLOCK], of[i:i + _BLOCK])
    return out


def _tanhshrink_small(c, xp):
    """c - tanh c for |c| <= 1 as c y / (y + T), y = c^2, T = 3 + y/(5 + y/(7 + ...)):
    positive terms only, no cancellation (in place on its own temporaries)."""
    k = _CF_LEVELS[xp.finfo(c).eps < 1e-10]
    y = c * c
    d = y * (1.0 / (2 * k + 1))
    d += 2 * k - 1
    for j in range(k - 2, 0, -1):
        xp.divide(y, d, out=d)
        d += 2 * j + 1
    d += y
    y *= c
    return xp.divide(y, d, out=y)


def _tanhshrink_block(x, out):
    np.tanh(x, out=out)
    np.subtract(x, out, out=out)
    idx = np.flatnonzero(np.abs(x) < 1)
    if idx.size:
        out[idx] = _tanhshrink_small(x[idx], NP)


def tanhshrink(x, xp):
    r"""Tanhshrink, :math:`f(x) = x - \tanh x`.

    Derivative :math:`f'(x) = \tanh^2 x` (no kink).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("tanhshrink")
    >>> x = np.array([-1.0, 0.0, 2.0])
    >>> np.round(act(x), 6)
    array([-0.238406,  0.      ,  1.035972])
    >>> np.round(act.grad(x), 6)
    array([0.580026, 0.      , 0.929349])

    For :math:`|x| < 1` the difference cancels (:math:`f \approx x^3/3`), so there
    :math:`f = x y/(y + T)`, :math:`y = x^2`, from Lambert's continued fraction
    :math:`\tanh x = x/(1 + y/T)`, :math:`T = 3 + y/(5 + y/(7 + \dots))` (9 levels in float64, 5
    in float32; positive terms, no cancellation); elsewhere the plain difference is exact to a few
    ULP.  NumPy evaluates the fraction on the small elements only, block by block; torch blends
    without a select: with :math:`c = \operatorname{clip}(x, -1, 1)` and :math:`D(v) = v - \tanh v`,
    :math:`f = D(x) - D(c) + S(c)`, where :math:`D(x) - D(c)` is exactly 0 for :math:`|x| < 1` and
    :math:`S(\pm1) - D(\pm1)` is a rounding error.
    """
    return _blockwise(_tanhshrink_block, x)


def _tanhshrink_torch(x):
    """torch: block by block (``chunked_map``), so the temporaries stay in cache."""
    return chunked_map(_tanhshrink_torch_block, x)


def _tanhshrink_torch_block(out, x):
    torch = _torch()
    c = x.clamp(-1.0, 1.0)
    dc = torch.tanh(c)
    torch.sub(c, dc, out=dc)                    # D(c)
    out = torch.tanh(x, out=out)
    torch.sub(x, out, out=out)                  # D(x)
    return out.sub_(dc).add_(_tanhshrink_small(c, torch_ops()))


def _tanhshrink_grad(x, xp):
    t = xp.tanh(x)
    return t * t


def _tanhshrink_vjp(g, x):
    """torch: g tanh^2 x, block by block (one pass over memory)."""
    def block(out, x, g):
        t = _torch().tanh(x)
        t.mul_(t)
        return t.mul_(g) if out is None else _torch().mul(t, g, out=out)
    return chunked_map(block, x, g)


define("tanhshrink", forward=tanhshrink, derivative=_tanhshrink_grad,
       torch_forward=_tanhshrink_torch, torch_backward=_tanhshrink_vjp, aliases=("tanh_shrink",),
       torch_builtin="tanhshrink",
       formula=r"f(x) = x - \tanh x", range="(-inf, inf)", bounded=(False, False),
       monotonic="strictly increasing (f' = 0 only at 0)", smoothness="C^inf", f0="0", df0="0",
       reference="Lua Torch nn (c. 2012)")


def _lambd(name):
    return Param("lambd", 0.5, valid="a finite number >= 0",
                 check=lambda v: math.isfinite(v) and v >= 0,
                 doc=f"half-width of the dead zone of {name}")


def softshrink(x, xp, lambd=0.5):
    r"""Softshrink (soft thresholding), :math:`f(x) = \operatorname{sign}(x)\max(|x| - \lambda, 0)`.

    Derivative :math:`\mathbf 1_{|x| > \lambda}`; at :math:`x = \pm\lambda` it is 0, as torch's
    autograd (``shrink_backward``) gives.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("softshrink", lambd=0.5)
    >>> x = np.array([-2.0, 0.25, 0.5, 1.5])
    >>> act(x)
    array([-1.5,  0. ,  0. ,  1. ])
    >>> act.grad(x)
    array([1., 0., 0., 1.])

    Computed as :math:`x - \operatorname{clip}(x, -\lambda, \lambda)` (exact, NaN-preserving).
    """
    return x - xp.clip(x, -lambd, lambd)


def _softshrink_torch(x, lambd=0.5):
    """torch: the difference written into the fresh clamp."""
    torch = _torch()
    c = torch.clamp(x, -lambd, lambd)
    return torch.sub(x, c, out=c)


def _shrink_grad(x, xp, lambd=0.5):
    return xp.step(xp.abs(x) - lambd)


define("softshrink", forward=softshrink, derivative=_shrink_grad, params=(_lambd("softshrink"),),
       aliases=("soft_shrink",), torch_builtin="softshrink", torch_forward=_softshrink_torch,
       torch_backward=lambda g, x, lambd=0.5: _keep_nan(_aten().softshrink_backward(g, x, lambd), x),
       formula=r"f(x) = \operatorname{sign}(x)\max(|x| - \lambda, 0)", range="(-inf, inf)",
       bounded=(False, False), monotonic="non-decreasing", smoothness="C^0", f0="0", df0="0",
       kink="x = +-lambd: f' = 0 (torch autograd)",
       reference="Donoho 1995; Daubechies, Defrise & De Mol 2004")


def hardshrink(x, xp, lambd=0.5):
    r"""Hardshrink (hard thresholding), :math:`f(x) = x\,\mathbf 1_{|x| > \lambda}`.

    Derivative :math:`\mathbf 1_{|x| > \lambda}` away from the jumps; at :math:`x = \pm\lambda`
    the value is 0 and the derivative 0, as in torch.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("hardshrink", lambd=0.5)
    >>> x = np.array([-2.0, 0.25, 0.5, 1.5])
    >>> act(x)
    array([-2. ,  0. ,  0. ,  1.5])
    >>> act.grad(x)
    array([1., 0., 0., 1.])
    """
    return xp.where(xp.abs(x) <= lambd, 0.0, x)


def _hardshrink_torch(x, lambd=0.5):
    """torch's kernel: 0 where -lambd <= x <= lambd, else x (NaN passes)."""
    return _torch().nn.functional.hardshrink(x, lambd)


define("hardshrink", forward=hardshrink, derivative=_shrink_grad, params=(_lambd("hardshrink"),),
       aliases=("hard_shrink",), torch_builtin="hardshrink", torch_forward=_hardshrink_torch,
       torch_backward=lambda g, x, lambd=0.5: _keep_nan(_aten().hardshrink_backward(g, x, lambd), x),
       formula=r"f(x) = x\,\mathbf{1}_{|x| > \lambda}",
       range="(-inf, -lambd) U {0} U (lambd, inf)", bounded=(False, False),
       monotonic="non-decreasing (upward jumps)", smoothness="discontinuous", f0="0", df0="0",
       kink="jumps at x = +-lambd: f = 0 and f' = 0 there (torch)",
       reference="Donoho & Johnstone 1994")
