"""Exponential and soft rectifiers: ELU, CELU, SELU, softplus, squareplus, sparse_plus."""
from __future__ import annotations

import math

import numpy as np

from .._core import Param, define
from .._ops import NP, torch_ops
from ._shared import _aten, _dense, _keep_nan, _number, _real, _rounded, _torch


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

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("elu", alpha=2.0)
    >>> x = np.array([-np.inf, -1.0, 0.0, 3.0])
    >>> np.round(act(x), 6)
    array([-2.      , -1.264241,  0.      ,  3.      ])
    >>> np.round(act.grad(x), 6)
    array([0.      , 0.735759, 2.      , 1.      ])

    :math:`e^x - 1` is computed with ``expm1`` of :math:`\min(x, 0)`, so it keeps its digits for
    tiny :math:`|x|` and never overflows; :math:`f(-\infty) = -\alpha`.
    """
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))


def _elu_torch(x, alpha=1.0):
    """torch: the fused kernel, the same formula."""
    return _torch().nn.functional.elu(_dense(x), float(alpha))


def _elu_grad(x, xp, alpha=1.0):
    return xp.where(x > 0, 1.0, alpha * _negexp(x, xp))


def _elu_grad_torch(x, alpha=1.0):
    """torch: e^min(x, 0) for alpha = 1, else the fused kernel with the NaN kept (``where``
    is slow on torch)."""
    if alpha == 1:
        return _negexp(x, torch_ops())
    x = _dense(x)
    return _keep_nan(_aten().elu_backward(_torch().ones_like(x), float(alpha), 1.0, 1.0, False, x), x)


def _elu_vjp(g, x, alpha=1.0):
    """torch: g * f'(x) with the fused kernel (NaN kept)."""
    return _elu_vjp_fused(g, x, float(alpha))


define("elu", forward=elu, derivative=_elu_grad, torch_backward=_elu_vjp,
       torch_forward=_elu_torch, torch_derivative=_elu_grad_torch,
       params=(Param("alpha", 1.0, "a finite real number", _real),),
       torch_builtin="elu",
       formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
       range=r"(-\alpha, \infty)", bounded=(False, True), monotonic="strictly increasing (alpha > 0)",
       smoothness="C^1 if alpha = 1, else C^0", f0="0", df0="1 (alpha = 1); one-sided alpha | 1",
       kink="x = 0: f'(0) = alpha (left derivative; torch and jax autograd)",
       reference="Clevert, Unterthiner & Hochreiter 2015")


def celu(x, xp, alpha=1.0):
    r"""Continuously differentiable ELU, :math:`f(x) = \max(0,x) + \min(0, \alpha(e^{x/\alpha} - 1))`.

    Derivative :math:`1` for :math:`x > 0`, :math:`e^{x/\alpha}` for :math:`x \le 0`: continuous,
    1 at the origin (torch: 1).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("celu", alpha=2.0)
    >>> x = np.array([-np.inf, -2.0, 0.0, 3.0])
    >>> np.round(act(x), 6)
    array([-2.      , -1.264241,  0.      ,  3.      ])
    >>> np.round(act.grad(x), 6)
    array([0.      , 0.367879, 1.      , 1.      ])

    Equal to :math:`x` for :math:`x > 0` and :math:`\alpha\,\mathrm{expm1}(x/\alpha)` otherwise (for
    either sign of :math:`\alpha`, as torch); :math:`f(-\infty) = -\alpha` for :math:`\alpha > 0`.
    """
    a = _number(alpha)
    if a is not None and a > 0:    # alpha expm1(x/alpha) >= x for x <= 0: max selects, no where
        t = np.minimum(x, 0, out=np.empty_like(x))
        t /= a
        np.expm1(t, out=t)
        t *= a
        return np.maximum(x, t, out=t)
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0) / alpha))


def _celu_torch(x, alpha=1.0):
    """torch: the fused kernel, the same formula."""
    return _torch().nn.functional.celu(_dense(x), float(alpha))


def _celu_grad(x, xp, alpha=1.0):
    # e^{min(x,0)/alpha} is already 1 for x > 0, for either sign of alpha
    return xp.exp(xp.minimum(x, 0) / alpha)


def _celu_vjp(g, x, alpha=1.0):
    """torch: g * f'(x); for alpha = 1 (where celu is elu) torch's fused kernel with the NaN
    kept, else the analytic e^(min(x, 0)/alpha) times g."""
    if alpha != 1.0:
        return _celu_grad(x, torch_ops(), alpha).mul_(g)
    return _elu_vjp_fused(g, x, 1.0)


define("celu", forward=celu, derivative=_celu_grad, torch_backward=_celu_vjp,
       torch_forward=_celu_torch,
       params=(Param("alpha", 1.0, "a finite nonzero real number", lambda a: _real(a) and a != 0),),
       torch_builtin="celu",
       formula=r"f(x) = \max(0, x) + \min\big(0, \alpha (e^{x/\alpha} - 1)\big)",
       range=r"(-\alpha, \infty)", bounded=(False, True), monotonic="strictly increasing",
       smoothness="C^1", f0="0", df0="1", kink="none (C^1; f'(0) = 1)",
       reference="Barron 2017")


def selu(x, xp):
    r"""Scaled ELU, :math:`f(x) = \lambda x` for :math:`x > 0`, :math:`\lambda\alpha(e^x - 1)` otherwise.

    Derivative :math:`\lambda` for :math:`x > 0` and :math:`\lambda\alpha e^x` for :math:`x \le 0`,
    so :math:`f'(0) = \lambda\alpha` (left derivative, as torch and jax).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("selu")
    >>> x = np.array([-np.inf, 0.0, 1.0])
    >>> np.round(act(x), 6)
    array([-1.758099,  0.      ,  1.050701])
    >>> np.round(act.grad(x), 6)
    array([0.      , 1.758099, 1.050701])

    :math:`\alpha \approx 1.6733` and :math:`\lambda \approx 1.0507` are torch's 32-digit constants
    (the fixed point of mean 0, variance 1 for standard normal input).  ``expm1`` as for ELU;
    :math:`f(-\infty) = -\lambda\alpha`.
    """
    return xp.where(x > 0, SELU_SCALE * x, (SELU_SCALE * SELU_ALPHA) * xp.expm1(xp.minimum(x, 0)))


def _selu_torch(x):
    """torch: the fused kernel, the same formula and constants."""
    return _torch().nn.functional.selu(_dense(x))


def _selu_grad(x, xp):
    return xp.where(x > 0, SELU_SCALE, (SELU_SCALE * SELU_ALPHA) * _negexp(x, xp))


def _selu_grad_torch(x):
    """torch: the fused kernel with the NaN kept."""
    x = _dense(x)
    return _keep_nan(_aten().elu_backward(_torch().ones_like(x), SELU_ALPHA, SELU_SCALE, 1.0, False, x), x)


def _selu_vjp(g, x):
    """torch: g * f'(x) with the fused kernel (NaN kept)."""
    return _elu_vjp_fused(g, x, SELU_ALPHA, SELU_SCALE)


define("selu", forward=selu, derivative=_selu_grad, torch_backward=_selu_vjp, torch_builtin="selu",
       torch_forward=_selu_torch, torch_derivative=_selu_grad_torch,
       formula=r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
       range=r"(-\lambda\alpha, \infty)", bounded=(False, True), monotonic="strictly increasing",
       smoothness="C^0", f0="0", df0="undefined (lambda*alpha | lambda); frameworks lambda*alpha",
       kink="x = 0: f'(0) = lambda*alpha = 1.7581 (left derivative; torch and jax autograd)",
       reference="Klambauer, Unterthiner, Mayr & Hochreiter 2017")


def _sigmoid_1ulp(z, xp):
    r""":math:`\sigma(z)` within 1 ULP: :math:`\tfrac12 + \tfrac12\tanh(z/2)` for :math:`z > -1`, where it
    does not cancel, :math:`e^z/(1 + e^z)` below.  Not ``_shared._sigmoid`` (about 1.5 ULP, cheaper,
    for the gated products): the two differ in the last bit, and softplus' derivative keeps this one."""
    e = xp.exp(xp.minimum(z, 0))
    return xp.where(z > -1, 0.5 + 0.5 * xp.tanh(0.5 * z), e / (1 + e))


def softplus(x, xp, beta=1.0, threshold=20.0):
    r"""Softplus, :math:`f(x) = \frac{1}{\beta}\log(1 + e^{\beta x})`, and :math:`x` where :math:`\beta x > t`.

    Derivative :math:`f'(x) = \sigma(\beta x)`, exactly 1 where :math:`\beta x > t`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("softplus", beta=2.0)
    >>> x = np.array([-np.inf, 0.0, 1.0, 30.0])
    >>> np.round(act(x), 6)
    array([ 0.      ,  0.346574,  1.063464, 30.      ])
    >>> np.round(act.grad(x), 6)
    array([0.      , 0.5     , 0.880797, 1.      ])

    The switch to the identity above ``threshold`` :math:`t` is torch's rule (it makes f and f'
    jump by about :math:`e^{-t}`; 30 above is past it for :math:`\beta = 2`). Computed as
    :math:`\mathrm{log1p}(e^{z})/\beta`, :math:`z = \beta x`, which keeps full relative accuracy
    for very negative :math:`z` (where :math:`\log(1 + e^z)` rounds to 0); above :math:`z = 40`,
    where it equals :math:`z` to every precision, the identity is used whatever the threshold, so
    :math:`e^z` never overflows.
    """
    z = x if _number(beta) == 1 else x * beta
    y = xp.log1p(xp.exp(xp.minimum(z, _SP_CUT)))
    return xp.where(z > _softplus_cut(threshold), x, y if _number(beta) == 1 else y / beta)


_SP_CUT = 40.0   # log1p(e^z) = z to every precision beyond: no overflow of e^z


def _softplus_cut(threshold):
    t = _number(threshold)
    return min(t, _SP_CUT) if t is not None else threshold


def _softplus_torch(x, beta=1.0, threshold=20.0):
    """torch: the fused kernel, the same formula and cut."""
    return _torch().nn.functional.softplus(_dense(x), float(beta), _softplus_cut(threshold))


def _softplus_grad(x, xp, beta=1.0, threshold=20.0):
    z = x if _number(beta) == 1 else x * beta
    return xp.where(z > _softplus_cut(threshold), 1.0, _sigmoid_1ulp(z, xp))


def _softplus_vjp(g, x, beta=1.0, threshold=20.0):
    """torch: g * f'(x) with the fused kernel (sigma(z) without cancelling)."""
    return _aten().softplus_backward(_dense(g), _dense(x), float(beta), _softplus_cut(threshold))


def _softplus_grad_torch(x, beta=1.0, threshold=20.0):
    return _softplus_vjp(_torch().ones_like(x), x, beta, threshold)


define("softplus", forward=softplus, derivative=_softplus_grad, torch_backward=_softplus_vjp,
       torch_forward=_softplus_torch, torch_derivative=_softplus_grad_torch,
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

    Derivative :math:`f'(x) = \frac{1}{2}(1 + x/r)`, :math:`r = \sqrt{x^2 + b}`, computed as
    :math:`d = g/r = f'(-|x|)` and :math:`1 - d` for :math:`x \ge 0`. For :math:`b = 0` (ReLU)
    :math:`f'(0) = 1/2`, the limit of :math:`f'(0)` as :math:`b \to 0`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("squareplus", b=4.0)
    >>> x = np.array([-1.5, 0.0, 1.5])
    >>> np.round(act(x), 6)
    array([0.5, 1. , 2. ])
    >>> np.round(act.grad(x), 6)
    array([0.2, 0.5, 0.8])

    Computed without cancellation as :math:`f(x) = \max(x, 0) + g`, with
    :math:`g = f(-|x|) = \frac{b}{2(r + |x|)}` (the textbook form loses every digit for
    :math:`x \ll 0`); :math:`r` is capped at :math:`|x| + \sqrt b` so that an overflowing
    :math:`x^2` (:math:`|x| > 10^{154}`, float32 :math:`> 10^{19}`) still gives :math:`r \approx |x|`.
    """
    if _is_relu(b, x):
        return xp.maximum(x, 0)
    g, _ = _squareplus_parts_np(x, b)
    g += xp.maximum(x, 0)
    return g


def _is_relu(b, x) -> bool:
    """b = 0, or b rounds to 0 in x's dtype: squareplus is ReLU."""
    return _number(b) is not None and _rounded(b, x) == 0


def _squareplus_parts(x, xp, b):
    """(g, r) = (f(-|x|), sqrt(x^2 + b)), out of place (torch, and 0-d NumPy input)."""
    a = xp.abs(x)
    r = xp.minimum(xp.sqrt(a * a + b), a + math.sqrt(b))
    return (0.5 * b) / (r + a), r


def _squareplus_parts_np(x, b):
    """:func:`_squareplus_parts` on a NumPy array, in place on the temporaries (half the traffic)."""
    if x.ndim == 0:
        return _squareplus_parts(x, NP, b)
    a = np.abs(x)
    r = a * a
    r += b
    np.sqrt(r, out=r)
    np.minimum(r, a + math.sqrt(b), out=r)
    a += r
    return np.divide(0.5 * b, a, out=a), r


def _squareplus_slope(x, xp, g, r):
    """f'(x) from (g, r): d = g/r = f'(-|x|), and 1 - d for x >= 0."""
    d = g / r
    return xp.where(x >= 0, 1 - d, d)


def _squareplus_grad(x, xp, b=4.0):
    if _is_relu(b, x):
        return 0.5 + 0.5 * xp.sign(x)
    return _squareplus_slope(x, xp, *_squareplus_parts_np(x, b))


def _squareplus_torch(x, b=4.0):
    """torch: the out-of-place parts."""
    ops = torch_ops()
    if _is_relu(b, x):
        return ops.maximum(x, 0)
    g, _ = _squareplus_parts(x, ops, b)
    return ops.maximum(x, 0) + g


def _squareplus_grad_torch(x, b=4.0):
    ops = torch_ops()
    if _is_relu(b, x):
        return 0.5 + 0.5 * ops.sign(x)
    return _squareplus_slope(x, ops, *_squareplus_parts(x, ops, b))


define("squareplus", forward=squareplus, derivative=_squareplus_grad,
       torch_forward=_squareplus_torch, torch_derivative=_squareplus_grad_torch,
       params=(Param("b", 4.0, "a finite number >= 0", lambda b: _real(b) and b >= 0),),
       formula=r"f(x) = \frac{x + \sqrt{x^2 + b}}{2}",
       range=r"(0, \infty)", bounded=(False, True), monotonic="strictly increasing",
       smoothness="C^inf (b > 0)", f0="sqrt(b)/2", df0="1/2", kink="none (b > 0)",
       reference="Barron 2021")


def sparse_plus(x, xp):
    r"""Sparse plus, :math:`f(x) = 0` for :math:`x \le -1`, :math:`\frac14 (x+1)^2` for :math:`|x| < 1`,
    :math:`x` for :math:`x \ge 1` (jax).

    Derivative :math:`\operatorname{clip}((x+1)/2, 0, 1)` (the sparse sigmoid), continuous, so the
    breakpoints need no convention (0 at -1 and 1 at +1, as jax).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("sparse_plus")
    >>> x = np.array([-2.0, 0.0, 0.5, 3.0])
    >>> act(x)
    array([0.    , 0.25  , 0.5625, 3.    ])
    >>> act.grad(x)
    array([0.  , 0.5 , 0.75, 1.  ])

    Exactly 0 with zero gradient for :math:`x \le -1`.
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
