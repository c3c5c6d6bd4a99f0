"""The sigmoidal family: squashing functions and their hard and step relatives.

Steps at kinks are ``xp.step`` (1{z > 0}, NaN for NaN); the helpers shared with other families
live in ``actlib.activations._shared``.
"""
from __future__ import annotations

import numpy as np

from .._core import Param, define
from .._ops import chunked_map, eager, scratch, torch_ops
from ._shared import REAL, _aten, _dense, _hardtanh_vjp, _keep_nan, _real, _torch, _torch_reference


# -- helpers of this family --------------------------------------------------------------
def _logistic_density(x, xp):
    r""":math:`\sigma'(x) = \sigma(x)\sigma(-x) = e/(1+e)^2` with :math:`e = e^{-|x|}`.

    Never overflows, is exact at +-inf (0) and keeps full relative accuracy far into the
    tails, subnormal results included (``expit``/``torch.sigmoid`` flush those to 0).
    """
    e = xp.exp(-xp.abs(x))
    d = 1.0 + e
    return e / (d * d)


def _zero(x, xp):
    """A zero derivative that still maps NaN to NaN: clip(x, 0, 0) (one pass; +-inf give 0)."""
    return xp.clip(x, 0.0, 0.0)


# -- identity, steps ------------------------------------------------------------------------
def identity(x, xp):
    r"""Identity (linear unit), :math:`f(x) = x`.

    Derivative :math:`f'(x) = 1` (NaN for NaN).

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("identity")
        >>> act(np.array([-2.0, 0.0, 3.0]))
        array([-2.,  0.,  3.])
        >>> act.grad(np.array([-2.0, 0.0, 3.0]))
        array([1., 1., 1.])

    Returns a new array (``x * 1``, which keeps -0.0, NaN and infinities), never the input
    itself, so writing into the output cannot change the input.
    """
    return x * 1.0


def _identity_grad(x, xp):
    return _zero(x, xp) + 1.0


def heaviside(x, xp, values=0.5):
    r"""Heaviside (binary) step, :math:`H(x) = 0` for x < 0, ``values`` at 0, 1 for x > 0.

    Derivative: 0 everywhere, including 0 (jax's convention; torch has no backward for
    heaviside, and the Dirac delta at 0 is not a number).  Plain back-propagation therefore
    learns nothing through it: train with the straight-through estimator (use the identity's,
    or hardtanh's :math:`\mathbf 1_{|x|\le 1}`, gradient in backward) or a sigmoid surrogate.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("heaviside")
        >>> act(np.array([-2.0, 0.0, 3.0]))
        array([0. , 0.5, 1. ])
        >>> actlib.get("heaviside", values=1.0)(np.array([-2.0, 0.0, 3.0]))
        array([0., 1., 1.])
        >>> act.grad(np.array([-2.0, 0.0, 3.0]))
        array([0., 0., 0.])

    torch (``torch.heaviside(x, values)``) and NumPy require the value at 0; actlib defaults
    it to 1/2, the half-maximum convention that makes :math:`H(x) + H(-x) = 1` and is the
    pointwise limit of :math:`\sigma(kx)` as :math:`k \to \infty`.
    NaN in gives NaN out (``torch.heaviside`` itself returns 0 for NaN).
    """
    return np.heaviside(x, values)   # NumPy's spelling; torch's is _heaviside_torch_forward


def _heaviside_torch_forward(x, values=0.5):
    """torch: ``torch.heaviside`` (which needs ``values`` as a tensor) plus clip(x, 0, 0),
    which turns its 0 at NaN into NaN."""
    return _torch_heaviside(x, values) + _zero(x, torch_ops())


def _heaviside_grad(x, xp, values=0.5):
    return _zero(x, xp)


def _torch_heaviside(x, values=0.5):
    """torch.heaviside(x, values) (no autograd formula in torch)"""
    import torch
    return torch.heaviside(x, torch.as_tensor(values, dtype=x.dtype, device=x.device))


def sign(x, xp):
    r"""Sign, :math:`\operatorname{sign}(x) \in \{-1, 0, 1\}` with sign(0) = 0.

    Derivative: 0 everywhere, including 0 (torch's ``derivatives.yaml``: zeros; jax too).
    Binarized networks train through it with the straight-through estimator
    :math:`\mathbf 1_{|x|\le 1}` (hardtanh's derivative) in backward.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("sign")
        >>> act(np.array([-2.0, 0.0, 3.0, np.nan]))
        array([-1.,  0.,  1., nan])
        >>> act.grad(np.array([-2.0, 0.0, 3.0]))
        array([0., 0., 0.])

    NaN in gives NaN out (``torch.sign`` itself returns 0 for NaN).
    """
    return xp.sign(x)


def _sign_torch_forward(x):
    """torch: clamp(x, s, s) with s = ``torch.sign(x)``: s, or NaN where x is NaN."""
    torch = _torch()
    s = torch.sign(x)
    if eager(x) and not (torch.is_grad_enabled() and x.requires_grad):
        return torch.clamp(x, s, s, out=s)     # in place on the fresh s
    return torch.clamp(x, s, s)


def _sign_grad(x, xp):
    return _zero(x, xp)


def _sign_vjp(g, x):
    """0, NaN where x is NaN: clip(x, 0, 0), one pass (torch's builtin returns zeros)."""
    return _torch().clamp(x, 0.0, 0.0)


# -- smooth squashing functions -------------------------------------------------------------
def sigmoid(x, xp):
    r"""Logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Derivative :math:`\sigma'(x) = \sigma(x)\,\sigma(-x) = e/(1+e)^2` with
    :math:`e = e^{-|x|}`, accurate in both tails (the textbook :math:`\sigma(1-\sigma)`
    rounds to 0 once :math:`\sigma(x)` rounds to 1, x > 37 in float64).

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("sigmoid")
        >>> x = np.array([0.0, np.log(3.0), -np.inf])      # sigma(log 3) = 3/4
        >>> np.round(act(x), 6)
        array([0.5 , 0.75, 0.  ])
        >>> np.round(act.grad(x), 6)                        # 1/4, 3/16, 0
        array([0.25  , 0.1875, 0.    ])

    Computed as ``torch.sigmoid`` on torch and as :math:`1/(1 + e^{-x})` on NumPy: for
    x < -709 (float64) :math:`e^{-x}` overflows to inf and :math:`1/(1+\infty) = 0` is the
    exact limit; the NumPy path runs under ``errstate(all="ignore")``, so no warning escapes.
    It is as accurate as SciPy's ``expit`` (<= 2 ULP).  Both forms, and
    ``torch.sigmoid``, flush results below the smallest normal number (x < -708) to 0.
    """
    return 1.0 / (1.0 + xp.exp(-x))


def _sigmoid_torch_forward(x):
    """torch: the fused ``torch.sigmoid``."""
    return _torch().sigmoid(x)


def _sigmoid_grad(x, xp):
    return _logistic_density(x, xp)


def _sigmoid_vjp(g, x):
    r"""g * sigma'(x) on torch: :math:`g\,s(1 - s)` with :math:`s = \sigma(-|x|) \le 1/2` (no
    cancellation), by torch's fused ``sigmoid_backward(g, s)``, on cache-sized blocks.  s flushes
    to 0 where it is subnormal (:math:`|x| > 88.7` in float32), which the flush-to-zero rule
    allows."""
    return chunked_map(_sigmoid_vjp_block, x, g)


def _sigmoid_vjp_block(out, x, g):
    s = _torch().abs(x, out=scratch(x, 0)).neg_().sigmoid_()   # sigma(-|x|) (copysign is not vectorised)
    if out is None:
        return _aten().sigmoid_backward(g, s)
    return _aten().sigmoid_backward.grad_input(g, s, grad_input=out)


def _tanh_vjp(g, x):
    r"""g * sech^2(x) = g * 4s(1 - s), :math:`s = \sigma(-2|x|)`, by the fused
    ``sigmoid_backward(g, s)`` times 4, on cache-sized blocks."""
    return chunked_map(_tanh_vjp_block, x, g)


def _tanh_vjp_block(out, x, g):
    s = _torch().abs(x, out=scratch(x, 0)).mul_(-2.0).sigmoid_()   # sigma(-2|x|)
    return _aten().sigmoid_backward(g, s).mul_(4.0) if out is None else \
        _aten().sigmoid_backward.grad_input(g, s, grad_input=out).mul_(4.0)


def logsigmoid(x, xp):
    r"""Log-sigmoid, :math:`\log\sigma(x) = -\operatorname{softplus}(-x)`.

    Derivative :math:`\sigma(-x)`, computed as torch's backward does, without cancellation
    and keeping subnormal values for large x: with :math:`s = e^{-|x|}/(1 + e^{-|x|})
    = \sigma(-|x|)`, it is s for x >= 0 and 1 - s for x < 0, i.e.
    :math:`|\mathbf 1_{x<0} - s|` (no ``where``).

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("logsigmoid")
        >>> round(float(act(0.0)), 6)                        # -log 2
        -0.693147
        >>> float(act(-1000.0))                              # no overflow of e^1000
        -1000.0
        >>> float(act(40.0))                                 # -log1p(e^-40), to the last digit (mpmath)
        -4.248354255291589e-18
        >>> act.grad(np.array([0.0, -1000.0, np.inf]))
        array([0.5, 1. , 0. ])

    Stable form :math:`\min(x, 0) - \operatorname{log1p}(e^{-|x|})` (torch's fused
    ``logsigmoid`` kernel computes the same; on NumPy it is written out rather than SciPy's
    ``log_expit``): no overflow, exact -inf at -inf, and full relative accuracy
    for large x, where :math:`\log(\sigma(x))` would round to 0.
    """
    return xp.minimum(x, 0.0) - xp.log1p(xp.exp(-xp.abs(x)))


def _logsigmoid_torch_forward(x):
    """torch: the fused ``logsigmoid`` kernel (the same stable form)."""
    return _torch().nn.functional.logsigmoid(x)


def _logsigmoid_grad(x, xp):
    z = xp.exp(-xp.abs(x))
    return xp.abs(xp.step(-x) - z / (1.0 + z))


def _logsigmoid_torch_derivative(x):
    """torch: sigma(-x) = 1/(1 + e^x) by the fused sigmoid (accurate, flushes only subnormals)."""
    return _torch().neg(x).sigmoid_()


def tanh(x, xp):
    r"""Hyperbolic tangent, :math:`\tanh x = 2\sigma(2x) - 1`.

    Derivative :math:`\operatorname{sech}^2 x = 4\sigma'(2x) = 4e/(1+e)^2` with
    :math:`e = e^{-2|x|}`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("tanh")
        >>> x = np.array([0.0, np.log(3.0)])               # tanh(log 3) = 4/5
        >>> np.round(act(x), 6)
        array([0. , 0.8])
        >>> np.round(act.grad(x), 6)                        # 1, 1 - 16/25
        array([1.  , 0.36])
        >>> float(act.grad(20.0))                           # sech^2(20), to the last digit (mpmath)
        1.6993417021166355e-17

    The derivative's form is accurate in the tails, where the textbook :math:`1 - \tanh^2 x`
    (torch's backward) rounds to 0 (:math:`|x| > 19` in float64) long before
    :math:`\operatorname{sech}^2 x` underflows.
    """
    return xp.tanh(x)


def _tanh_grad(x, xp):
    return 4.0 * _logistic_density(2.0 * x, xp)


def softsign(x, xp):
    r"""Softsign, :math:`f(x) = x / (1 + |x|)`.

    Derivative :math:`f'(x) = 1 / (1 + |x|)^2`, computed as :math:`d \cdot d` with
    :math:`d = 1/(1+|x|)`, which underflows gracefully instead of overflowing the square.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("softsign")
        >>> act(np.array([1.0, -3.0, np.inf]))
        array([ 0.5 , -0.75,  1.  ])
        >>> act.grad(np.array([1.0, -3.0, np.inf]))
        array([0.25  , 0.0625, 0.    ])

    x is first clamped to the finite range, so f(+-inf) = +-1 exactly (the plain formula,
    and torch's builtin, give inf/inf = NaN).
    """
    big = xp.finfo(x).max
    xc = xp.clip(x, -big, big)
    return xc / (1.0 + xp.abs(xc))


def _softsign_grad(x, xp):
    d = 1.0 / (1.0 + xp.abs(x))
    return d * d


# -- hard (piecewise-linear) relatives ------------------------------------------------------
def hardsigmoid(x, xp):
    r"""Hard sigmoid, :math:`\operatorname{relu6}(x + 3) / 6 = \min(\max(x/6 + 1/2, 0), 1)`.

    Derivative: 1/6 on the open interval (-3, 3), 0 outside and at x = +-3 (torch's backward
    mask ``-3 < x < 3``; jax agrees).

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("hardsigmoid")
        >>> act(np.array([-4.0, -3.0, 0.0, 1.5, 3.0]))
        array([0.  , 0.  , 0.5 , 0.75, 1.  ])
        >>> np.round(act.grad(np.array([-4.0, -3.0, 0.0, 1.5, 3.0])), 6)
        array([0.      , 0.      , 0.166667, 0.166667, 0.      ])

    As torch, jax and Keras 3 (Keras 2 used slope 0.2).  Computed as ``clip(x + 3, 0, 6) / 6``:
    x + 3 is exact near -3, where ``x/6 + 1/2`` cancels.
    """
    return xp.clip(x + 3.0, 0.0, 6.0) / 6.0


def _hardsigmoid_torch_forward(x):
    """torch: the fused kernel, the same min(max(x + 3, 0), 6) / 6."""
    return _torch().nn.functional.hardsigmoid(x)


def _hardsigmoid_grad(x, xp):
    return xp.step(xp.minimum(x + 3.0, 3.0 - x)) * (1.0 / 6.0)


def _hardsigmoid_vjp(g, x):
    """g/6 on (-3, 3), 0 elsewhere, NaN for NaN: torch's fused kernel in float32 (its float64
    one multiplies by the float32 1/6), hardtanh's mask times 1/6 in float64."""
    if x.dtype == _torch().float64:
        return _hardtanh_vjp(g, x, -3.0, 3.0).mul_(1.0 / 6.0)
    return _keep_nan(_aten().hardsigmoid_backward(_dense(g), _dense(x)), x)


def hardtanh(x, xp, min_val=-1.0, max_val=1.0):
    r"""Hard tanh, :math:`\min(\max(x, \text{min\_val}), \text{max\_val})`.

    Derivative: 1 on the open interval (min_val, max_val), 0 outside and at both bounds
    (torch's convention: its backward zeroes ``x <= min_val or x >= max_val``; jax gives 1
    at the bounds).

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("hardtanh")
        >>> act(np.array([-2.0, -1.0, 0.5, 1.0, 2.0]))
        array([-1. , -1. ,  0.5,  1. ,  1. ])
        >>> act.grad(np.array([-2.0, -1.0, 0.5, 1.0, 2.0]))
        array([0., 0., 1., 0., 0.])
        >>> actlib.get("hardtanh", min_val=0.0, max_val=6.0)(np.array([-1.0, 3.0, 7.0]))   # relu6
        array([0., 3., 6.])

    As in torch, min_val == max_val is allowed (a constant, f' = 0).
    """
    return xp.clip(x, min_val, max_val)


def _hardtanh_grad(x, xp, min_val=-1.0, max_val=1.0):
    return xp.step(xp.minimum(x - min_val, max_val - x))


def _check_bounds(min_val, max_val):
    if min_val > max_val:
        raise ValueError(f"hardtanh: parameters 'min_val' <= 'max_val' required, "
                         f"got min_val={min_val!r} > max_val={max_val!r}")


# -- registration ---------------------------------------------------------------------------
_REAL = REAL

define("identity", forward=identity, derivative=_identity_grad, aliases=("linear",),
       formula=r"f(x) = x", range="(-inf, inf)", bounded=(False, False),
       monotonic="strictly increasing", smoothness="C^inf", f0="0", df0="1",
       reference="-- (linear unit; output layer of regressors)")

define("heaviside", forward=heaviside, derivative=_heaviside_grad,
       torch_forward=_heaviside_torch_forward,
       params=(Param("values", 0.5, _REAL, _real,
                     doc="value at x = 0 (torch/NumPy require it; 0, 1/2 and 1 are all in use)"),),
       aliases=("binary_step", "unit_step", "step"), torch_builtin=_torch_heaviside,
       formula=r"H(x) = \begin{cases} 0 & x < 0 \\ c & x = 0 \\ 1 & x > 0 \end{cases}",
       range="{0, c, 1}", bounded=(True, True), monotonic="non-decreasing (step)",
       smoothness="discontinuous", f0="c (values, default 1/2)",
       df0="0 (jax convention; mathematically a Dirac delta; torch has no backward)",
       kink="x=0: jump; f' = 0 everywhere (train with the straight-through estimator)",
       reference="McCulloch & Pitts 1943; Rosenblatt 1958")

define("sign", forward=sign, derivative=_sign_grad, torch_backward=_sign_vjp, aliases=("sgn", "signum"),
       torch_forward=_sign_torch_forward,
       torch_builtin=_torch_reference("sign"),
       formula=r"\operatorname{sign}(x) = \begin{cases} -1 & x < 0 \\ 0 & x = 0 \\ 1 & x > 0 \end{cases}",
       range="{-1, 0, 1}", bounded=(True, True), monotonic="non-decreasing (step)",
       smoothness="discontinuous", f0="0", df0="0 (torch and jax; mathematically undefined)",
       kink="x=0: jump; f' = 0 everywhere as torch (STE 1{|x|<=1} to train)",
       reference="Courbariaux et al. 2016 (BinaryNet); Bengio, Leonard & Courville 2013 (STE)")

define("sigmoid", forward=sigmoid, derivative=_sigmoid_grad, aliases=("logistic", "expit"),
       torch_forward=_sigmoid_torch_forward, torch_backward=_sigmoid_vjp,
       torch_builtin="sigmoid",
       formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}", range="(0, 1)", bounded=(True, True),
       monotonic="strictly increasing", smoothness="C^inf", f0="1/2", df0="1/4",
       reference="Verhulst 1838; Rumelhart, Hinton & Williams 1986")

define("hardsigmoid", forward=hardsigmoid, derivative=_hardsigmoid_grad,
       torch_forward=_hardsigmoid_torch_forward, torch_backward=_hardsigmoid_vjp,
       aliases=("hard_sigmoid",), torch_builtin="hardsigmoid",
       formula=r"f(x) = \frac{\operatorname{relu6}(x + 3)}{6}", range="[0, 1]",
       bounded=(True, True), monotonic="non-decreasing", smoothness="C^0", f0="1/2",
       df0="1/6", kink="x=+-3: f' = 0 (torch and jax agree)",
       reference="Courbariaux, Bengio & David 2015; Howard et al. 2019 (MobileNetV3)")

define("logsigmoid", forward=logsigmoid, derivative=_logsigmoid_grad,
       torch_forward=_logsigmoid_torch_forward, torch_derivative=_logsigmoid_torch_derivative,
       aliases=("log_sigmoid",), torch_builtin="logsigmoid",
       formula=r"f(x) = \log \sigma(x) = -\log(1 + e^{-x})", range="(-inf, 0)",
       bounded=(True, False), monotonic="strictly increasing", smoothness="C^inf",
       f0="-log 2", df0="1/2",
       reference="-- (log-likelihood of logistic regression)")

define("tanh", forward=tanh, derivative=_tanh_grad, torch_builtin="tanh", torch_backward=_tanh_vjp,
       formula=r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", range="(-1, 1)",
       bounded=(True, True), monotonic="strictly increasing", smoothness="C^inf", f0="0",
       df0="1", reference="LeCun et al. 1998 (Efficient BackProp)")

define("hardtanh", forward=hardtanh, derivative=_hardtanh_grad, torch_backward=_hardtanh_vjp,
       params=(Param("min_val", -1.0, _REAL, _real, doc="lower bound of the linear region"),
               Param("max_val", 1.0, _REAL, _real, doc="upper bound of the linear region")),
       validate=_check_bounds, aliases=("hard_tanh",), torch_builtin="hardtanh",
       formula=r"f(x) = \min(\max(x, \text{min\_val}), \text{max\_val})",
       range="[min_val, max_val] = [-1, 1]", bounded=(True, True), monotonic="non-decreasing",
       smoothness="C^0", f0="0", df0="1",
       kink="x=min_val, max_val: f' = 0 (torch; jax gives 1)",
       reference="Collobert 2004")

define("softsign", forward=softsign, derivative=_softsign_grad, aliases=("soft_sign",),
       torch_builtin="softsign",
       formula=r"f(x) = \frac{x}{1 + |x|}", range="(-1, 1)", bounded=(True, True),
       monotonic="strictly increasing", smoothness="C^1", f0="0", df0="1",
       kink="x=0: f'' jumps from 2 to -2; f' is continuous",
       reference="Turian, Bergstra & Bengio 2009; Glorot & Bengio 2010")
