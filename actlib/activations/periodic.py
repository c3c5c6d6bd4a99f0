"""Periodic and radial activations: snake, SIREN's sine, the Gaussian and MEGA's Laplace map."""
from __future__ import annotations

import math

from .._core import Param, define
from .._ops import chunked_map, torch_ops
from ._shared import _real, _torch


def snake(x, xp, a=1.0):
    r"""Snake, :math:`f(x) = x + \sin^2(a x)/a` (Liu Ziyin et al. 2020).

    Derivative :math:`f'(x) = 1 + \sin(2ax) = (\sin ax + \cos ax)^2`, computed in the squared
    form, which keeps relative accuracy near the zeros of :math:`f'` (:math:`1 + \sin 2ax` loses it
    to the rounding of :math:`\sin`); :math:`\partial f/\partial a = (s/a)(2x\cos ax - s/a)` with
    :math:`s = \sin ax`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("snake", a=0.5)
    >>> x = np.array([0.0, np.pi / 2, np.pi])
    >>> np.round(act(x), 6)
    array([0.      , 2.570796, 5.141593])
    >>> np.round(act.grad(x), 6)
    array([1., 2., 1.])

    ``a`` (the frequency) is learnable, per channel when given as a 1-D array, and must
    be > 0 as in the paper; :math:`\sin^2(ax)/a` has no cancellation for small ``a``
    (it tends to :math:`a x^2`), unlike the form :math:`(1 - \cos 2ax)/(2a)`.
    :math:`f(\pm\infty) = \pm\infty`; :math:`f'(\pm\infty)` has no limit and is NaN.
    """
    fin = xp.finfo(x)
    s = xp.sin(xp.clip(a * x, fin.min, fin.max))   # sin(+-inf) would be NaN: f(+-inf) = +-inf
    return x + s * (s / a)


def _snake_grad(x, xp, a=1.0):
    ax = a * x
    r = xp.sin(ax) + xp.cos(ax)
    return r * r


def _snake_param_grads(x, xp, a=1.0):
    ax = a * x
    sa = xp.sin(ax) / a
    return {"a": sa * (2 * x * xp.cos(ax) - sa)}


define("snake", forward=snake, derivative=_snake_grad, param_grads=_snake_param_grads,
       params=(Param("a", 1.0, valid="finite and > 0", check=lambda v: _real(v) and v > 0,
                     learnable=True, channelwise=True, doc="frequency"),),
       formula=r"f(x) = x + \frac{1}{a}\sin^2(a x)", range="(-inf, inf)", bounded=(False, False),
       monotonic="strictly increasing (f' = 0 at isolated points x = -pi/(4a) + k pi/a)",
       smoothness="C^inf", f0="0", df0="1",
       reference="Liu Ziyin, Hartwig & Ueda 2020")


def siren(x, xp, w0=30.0):
    r"""SIREN's sine activation, :math:`f(x) = \sin(\omega_0 x)` (Sitzmann et al. 2020).

    Derivative :math:`f'(x) = \omega_0\cos(\omega_0 x)`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("siren", w0=2.0)
    >>> x = np.array([0.0, np.pi / 12, np.pi / 4])
    >>> np.round(act(x), 6)
    array([0. , 0.5, 1. ])
    >>> np.round(act.grad(x), 6)
    array([2.      , 1.732051, 0.      ])

    The result is as accurate as the rounded product :math:`\omega_0 x` allows (the same as
    ``torch.sin(w0 * x)``): near the zeros of the sine the relative error grows like
    :math:`|\omega_0 x|` ULP, the conditioning of the problem.  No limit at :math:`\pm\infty`
    (NaN).  Beyond :math:`|\omega_0 x| = 2^{60}` the rounded phase carries no information (its ULP
    exceeds :math:`2\pi` in float64 and float32), so :math:`x` is clipped there: a huge finite
    input gives a value in [-1, 1], not the NaN of :math:`\sin(\infty)` (which :math:`\pm\infty`
    itself still gives).
    """
    return xp.sin(_siren_phase(x, xp, w0))


def _siren_torch(x, w0=30.0):
    """torch: phase and sine block by block (``chunked_map``), in place on the block's
    temporaries; the portable formula where that is not plain eager evaluation."""
    return chunked_map(lambda out, x: _siren_phase_block(x, w0).sin_() if out is None else
                       _torch().sin(_siren_phase_block(x, w0), out=out), x,
                       pure=lambda x: siren(x, torch_ops(), w0))


def _siren_bound(w0):
    return 2.0 ** 60 / max(abs(w0), 1e-300)


def _siren_phase(x, xp, w0):
    bound = _siren_bound(w0)
    return w0 * (xp.clip(x, -bound, bound) + (x - x))   # x - x: NaN at +-inf, else 0


def _siren_phase_block(x, w0):
    """:func:`_siren_phase` on torch, in place on its own temporaries (the same roundings)."""
    torch = _torch()
    bound = _siren_bound(w0)
    return torch.clamp(x, -bound, bound).add_(torch.sub(x, x)).mul_(w0)


def _siren_grad(x, xp, w0=30.0):
    return w0 * xp.cos(_siren_phase(x, xp, w0))


def _siren_vjp(g, x, w0=30.0):
    """torch: g * w0 cos(phase), block by block (one pass over memory)."""
    def block(out, x, g):
        d = _siren_phase_block(x, w0).cos_().mul_(w0)
        return d.mul_(g) if out is None else _torch().mul(d, g, out=out)
    return chunked_map(block, x, g)


def _torch_siren(x, w0=30.0):
    """torch.sin(w0 * x)"""
    import torch
    return torch.sin(w0 * x)


define("siren", forward=siren, derivative=_siren_grad, torch_backward=_siren_vjp, aliases=("sine", "sinusoid"),
       params=(Param("w0", 30.0, valid="a finite number", check=_real,
                     doc="frequency omega_0 (30 in SIREN's first layer)"),),
       torch_builtin=_torch_siren, torch_forward=_siren_torch,
       formula=r"f(x) = \sin(\omega_0 x)", range="[-1, 1]", bounded=(True, True),
       monotonic="non-monotonic (periodic)", smoothness="C^inf", f0="0", df0="w0 (= 30)",
       reference="Sitzmann, Martel, Bergman, Lindell & Wetzstein 2020")


def gaussian(x, xp):
    r"""Gaussian (radial basis) activation, :math:`f(x) = e^{-x^2}`.

    Derivative :math:`f'(x) = -2x\,e^{-x^2}`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("gaussian")
    >>> x = np.array([-np.inf, -1.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 0.367879, 0.367879])
    >>> np.round(act.grad(x), 6)
    array([ 0.      ,  0.735759, -0.735759])

    :math:`x` is clipped to :math:`[-40, 40]` in the derivative (where :math:`e^{-x^2}` has long
    underflowed to 0) so that :math:`f'(\pm\infty) = 0` instead of :math:`\infty \cdot 0`.
    """
    return xp.exp(-(x * x))


def _gaussian_grad(x, xp):
    x = xp.clip(x, -40.0, 40.0)
    return -2 * (x * xp.exp(-(x * x)))


define("gaussian", forward=gaussian, derivative=_gaussian_grad,
       formula=r"f(x) = e^{-x^2}", range="(0, 1]", bounded=(True, True),
       monotonic="non-monotonic (increasing on x < 0, decreasing on x > 0)", smoothness="C^inf",
       f0="1", df0="0", reference="Broomhead & Lowe 1988")


def laplace(x, xp, mu=0.707107, sigma=0.282095):
    r"""MEGA's Laplace attention map, :math:`f(x) = \tfrac12\bigl(1 + \operatorname{erf}
    \frac{x - \mu}{\sigma\sqrt2}\bigr) = \Phi\bigl(\frac{x-\mu}{\sigma}\bigr)` (Ma et al. 2022).

    Derivative :math:`f'(x) = e^{-v^2}/(\sigma\sqrt{2\pi})`, :math:`v = (x-\mu)/(\sigma\sqrt2)`.
    With :math:`\mu = 0, \sigma = 1` (the example) f is the standard normal CDF and f' its density.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("laplace", mu=0.0, sigma=1.0)
    >>> x = np.array([-np.inf, 0.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 0.5     , 0.841345])
    >>> np.round(act.grad(x), 6)
    array([0.      , 0.398942, 0.241971])

    Computed as :math:`\tfrac12\operatorname{erfc}(-v)`, so the lower tail keeps full relative
    accuracy (:math:`1 + \operatorname{erf}` loses it all below :math:`x \approx -2`).  Defaults are
    Hugging Face's ``LaplaceActivation`` (:math:`\mu \approx 1/\sqrt2`,
    :math:`\sigma \approx 1/(2\sqrt\pi)`).
    """
    return 0.5 * xp.erfc((mu - x) * (1 / (sigma * math.sqrt(2))))


def _laplace_grad(x, xp, mu=0.707107, sigma=0.282095):
    v = (x - mu) * (1 / (sigma * math.sqrt(2)))
    return xp.exp(-(v * v)) * (1 / (sigma * math.sqrt(2 * math.pi)))


define("laplace", forward=laplace, derivative=_laplace_grad,
       params=(Param("mu", 0.707107, valid="a finite number", check=_real, doc="centre"),
               Param("sigma", 0.282095, valid="finite and > 0",
                     check=lambda v: _real(v) and v > 0, doc="width")),
       formula=r"f(x) = \frac12\left(1 + \operatorname{erf}\frac{x-\mu}{\sigma\sqrt2}\right)",
       range="(0, 1)", bounded=(True, True), monotonic="strictly increasing", smoothness="C^inf",
       f0="~0.00609", df0="~0.06111", reference="Ma et al. 2022 (MEGA)")
