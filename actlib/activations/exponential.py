"""Exponential and soft rectifiers: ELU, CELU, SELU, softplus, squareplus, sparse_plus."""
from __future__ import annotations

import math

import numpy as np

from .._core import Param, define
from .._ops import torch_ops
from ._shared import _aten, _dense, _keep_nan, _number, _real, _rounded


def _elu_vjp_fused(g, x, alpha, scale=1.0):
    """torch's fused ``elu_backward``: g * scale for x > 0, g * alpha * scale * e^x otherwise,
    and g at NaN, where :func:`_keep_nan` then puts the NaN back (in place)."""
    return _keep_nan(_aten().elu_backward(_dense(g), alpha, scale, 1.0, False, _dense(x)), x)

# torch's literals (also jax's and keras'); the chapter derives them from the fixed-point equations.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _negexp(x, xp):
    r""":math:`e^{\min(x,0)}`: the masked exponential, which never overflows in the unused branch."""
    return xp.exp(xp.minimum(x, 0))


def elu(x, xp, alpha=1.0):
    r"""Exponential linear unit, :math:`f(x) = x` for :math:`x > 0`, :math:`\alpha(e^x - 1)` otherwise.

    Derivative :math:`1` for :math:`x > 0`, :math:`\alpha e^x` for :math:`x \le 0`; at the kink
    :math:`x = 0` it is :math:`\alpha` (the left derivative, as torch's and jax's autograd).
    :math:`e^x - 1` is computed with ``expm1`` of :math:`\min(x, 0)`, so it keeps its digits for
    tiny :math:`|x|` and never overflows; :math:`f(-\infty) = -\alpha`.
    """
    if xp.is_torch and _number(alpha) is not None:
        return xp.torch.nn.functional.elu(_dense(x), _number(alpha))    # fused, the same formula
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))


def _elu_grad(x, xp, alpha=1.0):
    if xp.is_torch and _number(alpha) == 1:
        return _negexp(x, xp)
    if xp.is_torch and _number(alpha) is not None:   # aten.where is slow: the fused kernel
        x = _dense(x)
        d = _aten().elu_backward(xp.ones_like(x), _number(alpha), 1.0, 1.0, False, x)
        return _keep_nan(d, x)
    return xp.where(x > 0, 1.0, alpha * _negexp(x, xp))


def _elu_vjp(g, x, alpha=1.0):
    """torch: g * f'(x) with the fused kernel (NaN kept), for a number alpha."""
    a = _number(alpha)
    if a is None:
        return g * _elu_grad(x, torch_ops(), alpha)
    return _elu_vjp_fused(g, x, a)


define("elu", forward=elu, derivative=_elu_grad, torch_backward=_elu_vjp,
       params=(Param("alpha", 1.0, "a finite real number", _real),),
       torch_builtin="elu",
       formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
       range=r"(-\alpha, \infty)", bounded=(False, True), monotonic="strictly increasing (alpha > 0)",
       smoothness="C^1 if alpha = 1, else C^0", f0="0", df0="1 (alpha = 1); one-sided alpha | 1",
       kink="x = 0: f'(0) = alpha (left derivative; torch and jax autograd)",
       reference="Clevert, Unterthiner & Hochreiter 2015")


def celu(x, xp, alpha=1.0):
    r"""Continuously differentiable ELU, :math:`f(x) = \max(0,x) + \min(0, \alpha(e^{x/\alpha} - 1))`.

    Equal to :math:`x` for :math:`x > 0` and :math:`\alpha\,\mathrm{expm1}(x/\alpha)` otherwise (for
    either sign of :math:`\alpha`, as torch). Derivative :math:`1` for :math:`x > 0`,
    :math:`e^{x/\alpha}` for :math:`x \le 0`: continuous, 1 at the origin (torch: 1).
    """
    a = _number(alpha)
    if xp.is_torch and a is not None:
        return xp.torch.nn.functional.celu(_dense(x), a)        # fused, the same formula
    if a is not None and a > 0:    # alpha expm1(x/alpha) >= x for x <= 0: max selects, no where
        t = np.minimum(x, 0, out=np.empty_like(x))
        t /= a
        np.expm1(t, out=t)
        t *= a
        return np.maximum(x, t, out=t)
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0) / alpha))


def _celu_grad(x, xp, alpha=1.0):
    # e^{min(x,0)/alpha} is already 1 for x > 0, for either sign of alpha
    return xp.exp(xp.minimum(x, 0) / alpha)


def _celu_vjp(g, x, alpha=1.0):
    """torch: g * f'(x); for alpha = 1 (where celu is elu) torch's fused kernel with the NaN
    kept, else the analytic e^(min(x, 0)/alpha) times g."""
    a = _number(alpha)
    if a is None or a != 1.0:
        return _celu_grad(x, torch_ops(), alpha).mul_(g)
    return _elu_vjp_fused(g, x, 1.0)


define("celu", forward=celu, derivative=_celu_grad, torch_backward=_celu_vjp,
       params=(Param("alpha", 1.0, "a finite nonzero real number", lambda a: _real(a) and a != 0),),
       torch_builtin="celu",
       formula=r"f(x) = \max(0, x) + \min\big(0, \alpha (e^{x/\alpha} - 1)\big)",
       range=r"(-\alpha, \infty)", bounded=(False, True), monotonic="strictly increasing",
       smoothness="C^1", f0="0", df0="1", kink="none (C^1; f'(0) = 1)",
       reference="Barron 2017")


def selu(x, xp):
    r"""Scaled ELU, :math:`f(x) = \lambda x` for :math:`x > 0`, :math:`\lambda\alpha(e^x - 1)` otherwise.

    :math:`\alpha \approx 1.6733` and :math:`\lambda \approx 1.0507` are torch's 32-digit constants
    (the fixed point of mean 0, variance 1 for standard normal input). Derivative :math:`\lambda`
    for :math:`x > 0` and :math:`\lambda\alpha e^x` for :math:`x \le 0`, so :math:`f'(0) = \lambda\alpha`
    (left derivative, as torch and jax). ``expm1`` as for ELU; :math:`f(-\infty) = -\lambda\alpha`.
    """
    if xp.is_torch:
        return xp.torch.nn.functional.selu(_dense(x))          # fused, the same formula and constants
    return xp.where(x > 0, SELU_SCALE * x, (SELU_SCALE * SELU_ALPHA) * xp.expm1(xp.minimum(x, 0)))


def _selu_grad(x, xp):
    if xp.is_torch:
        x = _dense(x)
        d = _aten().elu_backward(xp.ones_like(x), SELU_ALPHA, SELU_SCALE, 1.0, False, x)
        return _keep_nan(d, x)
    return xp.where(x > 0, SELU_SCALE, (SELU_SCALE * SELU_ALPHA) * _negexp(x, xp))


def _selu_vjp(g, x):
    """torch: g * f'(x) with the fused kernel (NaN kept)."""
    return _elu_vjp_fused(g, x, SELU_ALPHA, SELU_SCALE)


define("selu", forward=selu, derivative=_selu_grad, torch_backward=_selu_vjp, torch_builtin="selu",
       formula=r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
       range=r"(-\lambda\alpha, \infty)", bounded=(False, True), monotonic="strictly increasing",
       smoothness="C^0", f0="0", df0="undefined (lambda*alpha | lambda); frameworks lambda*alpha",
       kink="x = 0: f'(0) = lambda*alpha = 1.7581 (left derivative; torch and jax autograd)",
       reference="Klambauer, Unterthiner, Mayr & Hochreiter 2017")


def _sigmoid_1ulp(z, xp):
    r""":math:`\sigma(z)` within 1 ULP: :math:`\tfrac12 + \tfrac12\tanh(z/2)` for :math:`z > -1`, where it
    does not cancel, :math:`e^z/(1 + e^z)` below (slower than :func:`_sigmoid`)."""
    e = xp.exp(xp.minimum(z, 0))
    return xp.where(z > -1, 0.5 + 0.5 * xp.tanh(0.5 * z), e / (1 + e))


def softplus(x, xp, beta=1.0, threshold=20.0):
    r"""Softplus, :math:`f(x) = \frac{1}{\beta}\log(1 + e^{\beta x})`, and :math:`x` where :math:`\beta x > t`.

    The switch to the identity above ``threshold`` :math:`t` is torch's rule (it makes f and f'
    jump by about :math:`e^{-t}`). Computed as :math:`\mathrm{log1p}(e^{z})/\beta`,
    :math:`z = \beta x`, which keeps full relative accuracy for very negative :math:`z` (where
    :math:`\log(1 + e^z)` rounds to 0); above :math:`z = 40`, where it equals :math:`z` to every
    precision, the identity is used whatever the threshold, so :math:`e^z` never overflows.
    Derivative :math:`\sigma(\beta x)`, exactly 1 where :math:`\beta x > t`.
    """
    if xp.is_torch and _number(beta) is not None and _number(threshold) is not None:
        return xp.torch.nn.functional.softplus(_dense(x), _number(beta), _softplus_cut(threshold))
    z = x if _number(beta) == 1 else x * beta
    y = xp.log1p(xp.exp(xp.minimum(z, _SP_CUT)))
    return xp.where(z > _softplus_cut(threshold), x, y if _number(beta) == 1 else y / beta)


_SP_CUT = 40.0   # log1p(e^z) = z to every precision beyond: no overflow of e^z


def _softplus_cut(threshold):
    t = _number(threshold)
    return min(t, _SP_CUT) if t is not None else threshold


def _softplus_grad(x, xp, beta=1.0, threshold=20.0):
    if xp.is_torch and _number(beta) is not None and _number(threshold) is not None:
        x = _dense(x)
        return _aten().softplus_backward(xp.ones_like(x), x, _number(beta),
                                         _softplus_cut(threshold))   # sigma(z) without cancelling
    z = x if _number(beta) == 1 else x * beta
    return xp.where(z > _softplus_cut(threshold), 1.0, _sigmoid_1ulp(z, xp))


def _softplus_vjp(g, x, beta=1.0, threshold=20.0):
    """torch: g * f'(x) with the fused kernel (scalar parameters), else g * derivative."""
    if _number(beta) is not None and _number(threshold) is not None:
        return _aten().softplus_backward(_dense(g), _dense(x), _number(beta),
                                         _softplus_cut(threshold))
    return g * _softplus_grad(x, torch_ops(), beta, threshold)


define("softplus", forward=softplus, derivative=_softplus_grad, torch_backward=_softplus_vjp,
       params=(Param("beta", 1.0, "a finite number > 0", lambda b: _real(b) and b > 0),
               Param("threshold", 20.0, "a real number (not NaN)", lambda t: t == t)),
       torch_builtin="softplus",
       formula=r"f(x) = \frac{1}{\beta} \log\left(1 + e^{\beta x}\right)",
       range=r"(0, \infty)", bounded=(False, True),
       monotonic="non-monotonic with torch's threshold rule (a drop of about e^-threshold/beta "
                 "at beta*x = threshold); strictly increasing without it (threshold = inf)",
       smoothness="discontinuous with torch's threshold rule (that drop); C^inf without it",
       f0="log(2)/beta", df0="1/2",
       kink="beta*x = threshold: identity above (torch's rule), f' = 1 there",
       reference="Dugas, Bengio, Belisle, Nadeau & Garcia 2001")


def squareplus(x, xp, b=4.0):
    r"""Squareplus, :math:`f(x) = \frac{1}{2}\left(x + \sqrt{x^2 + b}\right)`.

    Computed without cancellation as :math:`f(x) = \max(x, 0) + g`, with
    :math:`g = f(-|x|) = \frac{b}{2(r + |x|)}` and :math:`r = \sqrt{x^2 + b}` (the textbook form loses
    every digit for :math:`x \ll 0`); :math:`r` is capped at :math:`|x| + \sqrt b` so that an
    overflowing :math:`x^2` (:math:`|x| > 10^{154}`, float32 :math:`> 10^{19}`) still gives
    :math:`r \approx |x|`. Derivative :math:`f'(x) = \frac{1}{2}(1 + x/r)`, computed as
    :math:`d = g/r = f'(-|x|)` and :math:`1 - d` for :math:`x \ge 0`. For :math:`b = 0` (ReLU)
    :math:`f'(0) = 1/2`, the limit of :math:`f'(0)` as :math:`b \to 0`.
    """
    if _number(b) is not None and _rounded(b, x) == 0:   # b = 0, or b rounds to 0: ReLU
        return xp.maximum(x, 0)
    g, _ = _squareplus_parts(x, xp, b)
    if xp.is_torch or x.ndim == 0:
        return xp.maximum(x, 0) + g
    g += np.maximum(x, 0)
    return g


def _squareplus_parts(x, xp, b):
    """(g, r) = (f(-|x|), sqrt(x^2 + b)); NumPy in place on the temporaries (half the traffic)."""
    a = xp.abs(x)
    sqrt_b = math.sqrt(b) if _number(b) is not None else xp.sqrt(b)
    if xp.is_torch or x.ndim == 0:
        r = xp.minimum(xp.sqrt(a * a + b), a + sqrt_b)
        return (0.5 * b) / (r + a), r
    r = a * a
    r += b
    np.sqrt(r, out=r)
    np.minimum(r, a + sqrt_b, out=r)
    a += r
    return np.divide(0.5 * b, a, out=a), r


def _squareplus_grad(x, xp, b=4.0):
    if _number(b) is not None and _rounded(b, x) == 0:
        return 0.5 + 0.5 * xp.sign(x)
    g, r = _squareplus_parts(x, xp, b)
    d = g / r
    return xp.where(x >= 0, 1 - d, d)


define("squareplus", forward=squareplus, derivative=_squareplus_grad,
       params=(Param("b", 4.0, "a finite number >= 0", lambda b: _real(b) and b >= 0),),
       formula=r"f(x) = \frac{x + \sqrt{x^2 + b}}{2}",
       range=r"(0, \infty)", bounded=(False, True), monotonic="strictly increasing",
       smoothness="C^inf (b > 0)", f0="sqrt(b)/2", df0="1/2", kink="none (b > 0)",
       reference="Barron 2021")


def sparse_plus(x, xp):
    r"""Sparse plus, :math:`f(x) = 0` for :math:`x \le -1`, :math:`\frac14 (x+1)^2` for :math:`|x| < 1`,
    :math:`x` for :math:`x \ge 1` (jax).

    Derivative :math:`\operatorname{clip}((x+1)/2, 0, 1)` (the sparse sigmoid), continuous, so the
    breakpoints need no convention (0 at -1 and 1 at +1, as jax). Exactly 0 with zero gradient for
    :math:`x \le -1`.
    """
    q = _sparse_plus_grad(x, xp)           # (x + 1)/2 on [-1, 1]
    q *= q                                 # (x + 1)^2 / 4 >= x there, = 1 <= x for x >= 1
    return xp.maximum(x, q)


def _sparse_plus_grad(x, xp):
    c = xp.clip(x, -1.0, 1.0)
    c += 1
    c *= 0.5
    return c


define("sparse_plus", forward=sparse_plus, derivative=_sparse_plus_grad,
       formula=(r"f(x) = \begin{cases} 0 & x \le -1 \\ \frac{1}{4}(x+1)^2 & -1 < x < 1 \\"
                r" x & x \ge 1 \end{cases}"),
       range=r"[0, \infty)", bounded=(False, True), monotonic="non-decreasing", smoothness="C^1",
       f0="1/4", df0="1/2", kink="none for f' (C^1); f'' jumps at -1 and 1",
       reference="Blondel, Martins & Niculae 2020")
