"""Gaussian-gated and self-gated activations: GELU and its approximations, SiLU/Swish, Mish, kin.

Most are :math:`x \\cdot \\mathrm{gate}(x)` with a gate that underflows to 0 for very negative
:math:`x`; at :math:`x = -\\infty` the product is :math:`-\\infty \\cdot 0`, so the formulas clamp
:math:`x` to the finite range (``_big``) where it multiplies a gate that can be 0.
"""
from __future__ import annotations

import math

import numpy as np

from .._core import Param, define
from .._ops import chunked_map, scratch, torch_ops
from ._shared import (_aten, _dense, _exp_lo, _keep_nan, _number, _real, _rounded, _sigmoid,
                      _torch, _torch_reference, _within)
# _sigmoid, not xp.sigmoid, which flushes subnormal gates to 0

_INV_SQRT2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_GELU_TAIL = -3.0     # NumPy: below this x, exact GELU switches to the erfcx form (see gelu)
_GATE_CAP = 1e4       # |t| beyond which sigma(t) is exactly 0 or 1 in every float format


def _scalar(value, x):
    """A 0-d tensor (the ``input`` of ``torch.addcmul``) of x's dtype and device."""
    import torch
    return torch.full((), value, dtype=x.dtype, device=x.device)


def _big(x, xp):
    return xp.finfo(x).max


# -- GELU ------------------------------------------------------------------------------------
def _gauss(a, xp):
    r""":math:`e^{-a^2/2}` to a few ULP for :math:`0 \le a \le 40`.

    The rounding of :math:`a^2` alone would cost :math:`a^2/2` ULP; instead :math:`a` is split
    (Veltkamp) into a head with half the mantissa, whose square is exact, and a tail:
    :math:`a^2 = h^2 + l(a + h)`.
    """
    bits = round(-math.log2(float(xp.finfo(a).eps)))
    t = a * (2.0 ** ((bits + 2) // 2) + 1)
    h = t - (t - a)
    return xp.exp(-0.5 * (h * h)) * xp.exp(-0.5 * ((a - h) * (a + h)))


def _gelu_tail(x, xp, grad):
    r"""GELU (or its derivative) for :math:`x < 0` via :math:`\Phi(x) = \tfrac12\operatorname{erfcx}(a/\sqrt2)\,e^{-a^2/2}`,
    :math:`a = -x`: accurate to a few ULP however far into the tail."""
    a = xp.minimum(-x, 40.0)
    e = 0.5 * xp.erfcx(a * _INV_SQRT2)
    g = _gauss(a, xp)
    return g * (e - a * _INV_SQRT_2PI) if grad else -(a * g) * e


def _tail_patched(x, y, xp, grad):
    """NumPy: replace ``y`` where ``x < _GELU_TAIL`` by the erfcx form, computed there only."""
    if xp.is_torch:   # SciPy's erfc loses digits in the tail, torch's does not (and masks sync)
        return y
    m = x < _GELU_TAIL
    if m.any():
        y = np.asarray(y)   # NumPy returns a scalar for 0-d input
        y[m] = _gelu_tail(x[m], xp, grad)
    return y


def gelu(x, xp, approximate="none"):
    r"""Gaussian error linear unit, :math:`f(x) = x\,\Phi(x) = \tfrac{x}{2}\operatorname{erfc}(-x/\sqrt2)`.

    Derivative :math:`\Phi(x) + x\varphi(x)`, computed with the same forms as f.
    ``approximate="tanh"`` gives :func:`gelu_tanh` (torch's parameter).

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("gelu")
        >>> np.round(act(np.array([-1.0, 0.0, 1.0])), 6)     # -Phi(-1), 0, Phi(1)
        array([-0.158655,  0.      ,  0.841345])
        >>> np.round(act.grad(np.array([0.0, 1.0])), 6)        # 1/2, Phi(1) + phi(1)
        array([0.5     , 1.083315])
        >>> round(float(actlib.get("gelu", approximate="tanh")(1.0)), 6)
        0.841192

    :math:`\Phi` is computed with ``erfc``, never as :math:`\tfrac12(1 + \operatorname{erf})`,
    which cancels to 0 below :math:`x \approx -6` (float32) / :math:`-9` (float64). torch's
    ``erfc`` is accurate, so the only error left in the tail is the rounding of :math:`x/\sqrt2`
    (relative :math:`x^2/2` ULP); SciPy's ``erfc`` itself loses digits there, so the NumPy path
    uses :math:`\tfrac12\operatorname{erfcx}(|x|/\sqrt2)\,e^{-x^2/2}` with an exactly squared
    :math:`x` below :math:`x = -3` (a few ULP down to the underflow). :math:`f(-\infty) = 0`.
    """
    if approximate == "tanh":
        return gelu_tanh(x, xp)
    y = xp.maximum(x, -40.0) * (0.5 * xp.erfc(x * -_INV_SQRT2))
    return _tail_patched(x, y, xp, grad=False)


def _gelu_torch_forward(x, approximate="none"):
    """torch: the same formula, in place, in cache-sized blocks."""
    if approximate == "tanh":
        return _gelu_tanh_torch_forward(x)
    return chunked_map(_gelu_torch, x, pure=_gelu_pure)


def _gelu_pure(x):
    """torch, out of place: GELU as 0.5 erfc(-x/sqrt 2) times x clamped at -40."""
    xc = _torch().clamp_min(x, -40.0)
    return (0.5 * _torch().special.erfc(xc * -_INV_SQRT2)) * xc


def _gelu_torch(out, x):
    """torch: GELU into ``out``; x clamped at -40, where erfc(-x/sqrt 2) = 0 already."""
    torch = _torch()
    xc = torch.clamp_min(x, -40.0, out=scratch(x, 0))
    e = torch.mul(xc, -_INV_SQRT2, out=scratch(x, 1)).erfc_()
    # 0.5 erfc x in one addcmul (-0.0 + v is v, signed zeros kept)
    return torch.addcmul(_scalar(-0.0, xc), e, xc, value=0.5, out=out)


def _gelu_grad(x, xp, approximate="none"):
    if approximate == "tanh":
        return _gelu_tanh_grad(x, xp)
    xc = xp.clip(x, -40.0, 40.0)
    d = 0.5 * xp.erfc(x * -_INV_SQRT2) + xc * (_INV_SQRT_2PI * xp.exp(-0.5 * (xc * xc)))
    return _tail_patched(x, d, xp, grad=True)


def _gelu_torch_derivative(x, approximate="none"):
    """torch: the same formula, the products by constants fused into ``addcmul``."""
    if approximate == "tanh":
        return _gelu_tanh_torch_derivative(x)
    torch = _torch()
    xc = _dense(torch.clamp(x, -40.0, 40.0))
    e = torch.addcmul(_scalar(-0.0, xc), xc, xc, value=-0.5).exp_()
    return torch.addcmul((xc * -_INV_SQRT2).erfc_(), xc, e, value=2 * _INV_SQRT_2PI).mul_(0.5)


def _gelu_vjp(g, x, approximate="none"):
    r"""torch: g * GELU'(x) as :math:`\tfrac12\operatorname{erfc}(-x/\sqrt2) + x\,e^{-x^2/2}/\sqrt{2\pi}`,
    in place on cache-sized blocks."""
    if approximate == "tanh":
        return _gelu_tanh_vjp(g, x)
    return chunked_map(_gelu_vjp_block, x, g)


def _gelu_vjp_block(out, x, g):
    """torch: g * GELU'(x) into ``out``, x clipped to +-40 (where both terms have their limits);
    the products by constants fused into ``addcmul``."""
    torch = _torch()
    xc = torch.clamp(x, -40.0, 40.0, out=scratch(x, 0))
    e = torch.addcmul(_scalar(-0.0, xc), xc, xc, value=-0.5, out=scratch(x, 1)).exp_()  # e^{-x^2/2}
    d = torch.mul(xc, -_INV_SQRT2, out=scratch(x, 2)).erfc_()                            # 2 Phi(x)
    d = torch.addcmul(d, xc, e, value=2 * _INV_SQRT_2PI, out=d)           # 2 GELU'(x)
    return torch.addcmul(_scalar(-0.0, d), d, g, value=0.5, out=out)   # -0.0 + v is v


define("gelu", forward=gelu, derivative=_gelu_grad, torch_backward=_gelu_vjp,
       torch_forward=_gelu_torch_forward, torch_derivative=_gelu_torch_derivative,
       params=(Param("approximate", "none", "'none' or 'tanh'", lambda v: v in ("none", "tanh")),),
       torch_builtin="gelu",
       formula=r"f(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt{2}}\right)",
       range=r"[\approx -0.16997, \infty)", bounded=(False, True), monotonic="non-monotonic",
       smoothness="C^inf", f0="0", df0="1/2", reference="Hendrycks & Gimpel 2016")

_GT_A = 2 * math.sqrt(2 / math.pi)   # 1 + tanh(u) = 2 sigma(2u), 2u = x (A + B x^2)
_GT_B = _GT_A * 0.044715
_GT_CLIP = 30.0                      # |x| beyond which sigma(2u) is exactly 0 or 1


def gelu_tanh(x, xp):
    r"""GELU, tanh approximation: :math:`f(x) = \tfrac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(x + 0.044715x^3)\right)\right)`.

    Derivative :math:`\sigma(2u)\left(1 + x\,\sigma(-2u)\,(A + 3Bx^2)\right)` with
    :math:`2u = x(A + Bx^2)`, :math:`A = 2\sqrt{2/\pi}`, :math:`B = 0.044715A`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("gelu_tanh")
        >>> np.round(act(np.array([0.0, 1.0])), 6)            # f(1) = (1 + tanh(1.044715 sqrt(2/pi)))/2
        array([0.      , 0.841192])
        >>> float(act.grad(0.0))
        0.5

    Computed as :math:`x\,\sigma(2u)` (:math:`1 + \tanh u = 2\sigma(2u)`), which keeps the negative
    tail that :math:`1 + \tanh u` cancels to 0; the cubic is evaluated on :math:`x` clipped to
    :math:`\pm 30`, where :math:`\sigma(2u)` is already exactly 0 or 1, so :math:`x^3` never
    overflows and :math:`f(-\infty) = 0` (torch with all input finite: the unclipped cubic, with
    :math:`2u` capped at 80).
    """
    xc = xp.clip(x, -_GT_CLIP, _GT_CLIP)
    return xp.maximum(x, -_GT_CLIP) * _sigmoid(xc * (_GT_A + _GT_B * (xc * xc)), xp)


def _gelu_tanh_torch_forward(x):
    """torch: :func:`_gelu_tanh_block` on cache-sized blocks."""
    return chunked_map(_gelu_tanh_block, _dense(x), pure=_gelu_tanh_pure)


def _gelu_tanh_pure(x):
    """torch, out of place: the formula of :func:`_gelu_tanh_block`."""
    torch = _torch()
    xc = x.clamp(-_GT_CLIP, _GT_CLIP)
    e = torch.exp(torch.clamp_max(xc * (_GT_A + _GT_B * (xc * xc)), 80.0))
    return (e / (e + 1.0)) * x.clamp_min(-_GT_CLIP)


def _exp_halves_(m):
    r"""torch, in place: :math:`e^m` for :math:`m \le 80` as :math:`(e^{m/2})^2`, m clamped at
    2L, :math:`L = \ln(\text{smallest normal})` (below, :math:`e^m` is 0 in the dtype).  Halving
    is exact and the square adds one rounding (subnormal results included), but torch's
    vectorised exp never sees an argument below L: one such lane sends a whole vector down its
    slow path (several times the cost of the pass when 1% of the arguments are out of range, as
    in gelu_tanh's negative tail)."""
    lo = math.log(_torch().finfo(m.dtype).tiny)
    e = m.clamp_min_(2 * lo).mul_(0.5).exp_()
    return e.mul_(e)


def _gelu_tanh_block(out, x):
    r"""torch: :math:`x\,\sigma(2u)` into ``out`` with :math:`e = e^{\min(2u, 80)}` and
    :math:`h = 1/(1 + e)`: :math:`\sigma(2u) = eh` and :math:`\sigma(-2u) = h` keep their
    subnormal values (the fused sigmoid flushes them, where :math:`x\,\sigma(2u)` is still
    normal), :math:`\sigma(80) = 1`, and the cubic is evaluated on x clipped to :math:`\pm 30`,
    so infinities give their limits."""
    torch = _torch()
    xc = torch.clamp(x, -_GT_CLIP, _GT_CLIP, out=scratch(x, 0))
    e = torch.addcmul(_scalar(_GT_A, x), xc, xc, value=_GT_B, out=scratch(x, 1))
    e = _exp_halves_(e.mul_(xc).clamp_max_(80.0))              # e^{min(2u, 80)}
    h = torch.add(e, 1.0, out=scratch(x, 2)).reciprocal_()    # 1/(1 + e)
    return torch.mul(e.mul_(h), torch.clamp_min(x, -_GT_CLIP, out=xc), out=out)


def _gelu_tanh_grad(x, xp):
    xc = xp.clip(x, -_GT_CLIP, _GT_CLIP)
    x2 = xc * xc
    v = xc * (_GT_A + _GT_B * x2)
    return _sigmoid(v, xp) * (1 + xc * _sigmoid(-v, xp) * (_GT_A + (3 * _GT_B) * x2))


def _gelu_tanh_torch_derivative(x):
    """torch: the gates of :func:`_gelu_tanh_block`, sigma(2u) = e h and sigma(-2u) = h, out of
    place (double backward differentiates it)."""
    torch = _torch()
    xc = x.clamp(-_GT_CLIP, _GT_CLIP)
    x2 = xc * xc
    e = torch.exp(torch.clamp_max(xc * (_GT_A + _GT_B * x2), 80.0))
    h = 1.0 / (e + 1.0)
    return (e * h) * (1.0 + xc * h * (_GT_A + (3 * _GT_B) * x2))


def _gelu_tanh_vjp_block(out, x, g):
    r"""torch: g * f'(x) into ``out``, on x clipped to :math:`\pm 30` (the gates of
    :func:`_gelu_tanh_block`)."""
    torch = _torch()
    xc = torch.clamp(x, -_GT_CLIP, _GT_CLIP, out=scratch(x, 0))
    e = torch.addcmul(_scalar(_GT_A, x), xc, xc, value=_GT_B, out=scratch(x, 1))
    e = _exp_halves_(e.mul_(xc).clamp_max_(80.0))
    h = torch.add(e, 1.0, out=scratch(x, 2)).reciprocal_()   # sigma(2u) = e h, sigma(-2u) = h
    d = torch.addcmul(_scalar(_GT_A, x), xc, xc, value=3 * _GT_B, out=scratch(x, 3)).mul_(h)
    d = torch.addcmul(_scalar(1.0, x), d, xc, out=d).mul_(e.mul_(h))
    return torch.mul(d, g, out=out)


def _gelu_tanh_vjp(g, x):
    """torch: g * f'(x), in place on cache-sized blocks."""
    return chunked_map(_gelu_tanh_vjp_block, x, g)


define("gelu_tanh", forward=gelu_tanh, derivative=_gelu_tanh_grad, torch_backward=_gelu_tanh_vjp,
       torch_forward=_gelu_tanh_torch_forward, torch_derivative=_gelu_tanh_torch_derivative,
       aliases=("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate"),
       torch_builtin=_torch_reference("nn.functional.gelu",
                                        'torch.nn.functional.gelu(x, approximate="tanh")',
                                        approximate="tanh"),
       formula=(r"f(x) = \frac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,"
                r"(x + 0.044715\,x^3)\right)\right)"),
       range=r"[\approx -0.17004, \infty)", bounded=(False, True), monotonic="non-monotonic",
       smoothness="C^inf", f0="0", df0="1/2",
       reference="Hendrycks & Gimpel 2016 (after Page 1977)")


# -- x * sigmoid(k x): SiLU, quick GELU, Swish -------------------------------------------------
def _xsig(x, xp, k):
    """:math:`x\\,\\sigma(kx)` for a constant k > 0, with :math:`-\\infty \\mapsto 0`.

    NumPy fast path where :math:`e^{-kx}` is finite (no infinity, no NaN):
    :math:`x/(1 + e^{-kx})` in place. Elsewhere the subnormal-keeping :func:`_sigmoid`.
    torch's form is :func:`_xsig_torch`.
    """
    if _number(k) is not None and k != 0 and not xp.is_torch:   # _within would sync a tensor
        t = x if k == 1 else x * k
        if _within(t, xp, _exp_lo(t, xp), float(xp.finfo(t).max)):
            e = np.multiply(x, -k, out=np.empty_like(x))
            np.exp(e, out=e)
            e += 1
            return np.divide(x, e, out=e)
    xl = xp.maximum(x, -_big(x, xp))
    return xl * _sigmoid(xl if k == 1 else xl * k, xp)


def _xsig_torch(x, k):
    """torch: x sigma(kx) for a number k != 0, :func:`_xsig_block` on cache-sized blocks."""
    return chunked_map(lambda out, x: _xsig_block(out, x, k), _dense(x),
                       pure=lambda x: _xsig_pure(x, k))


def _xsig_pure(x, k):
    """torch, out of place: the formula of :func:`_xsig_block`."""
    xp = torch_ops()
    return xp.maximum(x, -_big(x, xp)) * _sigmoid(x if k == 1 else x * k, xp)


def _xsig_block(out, x, k):
    r"""torch: :math:`x\,\sigma(kx)` into ``out`` with one exponential, :math:`e = e^{-|kx|}`, and
    torch's fused select-and-divide kernel ``log_sigmoid_backward(g, t, e)`` (CPU: g times
    :math:`e/(1 + e)` for :math:`t \ge 0`, :math:`1 - e/(1 + e)` for t < 0), here with
    :math:`t = -kx` and :math:`g = x`: :math:`\sigma(kx)` keeps its digits, subnormal ones
    included, where :math:`e^{-kx}` overflows and the fused sigmoid/silu flush to 0; no
    data-dependent branch.  x is clamped at the most negative finite number, so
    :math:`-\infty` gives 0."""
    torch = _torch()
    kx = x if k == 1 else torch.mul(x, k, out=scratch(x, 1))
    t = torch.neg(kx, out=scratch(x, 0))                                  # -kx
    e = torch.minimum(kx, t, out=scratch(x, 1)).exp_()                    # e^{-|kx|}
    xc = torch.clamp_min(x, -float(torch.finfo(x.dtype).max), out=scratch(x, 2))
    return _lsb(xc, t, e, out)


def _lsb(g, t, e, out):
    """torch, CPU: ``log_sigmoid_backward(g, t, e)`` (g sigma(-t) from e = e^{-|t|}) into out."""
    if out is None:
        return _aten().log_sigmoid_backward(g, t, e)
    return _aten().log_sigmoid_backward.grad_input(g, t, e, grad_input=out)


def _xsig_grad(v, xp):
    r"""d/dt of :math:`t\,\sigma(t)` at :math:`v`: :math:`\sigma(v)(1 + v\,\sigma(-v))`, v clipped
    (out of place: double backward differentiates it)."""
    v = xp.clip(v, -_GATE_CAP, _GATE_CAP)
    return _sigmoid(v, xp) * (1 + v * _sigmoid(-v, xp))


def silu(x, xp):
    r"""SiLU (sigmoid-weighted linear unit), :math:`f(x) = x\,\sigma(x)`.

    Derivative :math:`\sigma(x)\left(1 + x\,\sigma(-x)\right)`, using :math:`\sigma(-x)` rather
    than :math:`1 - \sigma(x)` so that both tails stay accurate.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("silu")
        >>> x = np.array([0.0, np.log(3.0)])                  # sigma(log 3) = 3/4
        >>> np.round(act(x), 6)                               # 0, (3/4) log 3
        array([0.      , 0.823959])
        >>> np.round(act.grad(x), 6)                          # 1/2, (3/4)(1 + (log 3)/4)
        array([0.5    , 0.95599])
        >>> float(act(-np.inf))                               # the limit 0, from below
        -0.0

    :math:`f(-\infty) = 0`, and :math:`\sigma(x)` keeps its subnormal values, where
    :math:`x\,\sigma(x)` is still a normal number.
    """
    return _xsig(x, xp, 1)


def _silu_torch_forward(x):
    """torch: :func:`_xsig_torch` with k = 1."""
    return _xsig_torch(x, 1)


def _silu_vjp_block(out, x, g):
    r"""torch: g * SiLU'(x) into ``out`` as :math:`g\,\sigma(x)\,(1 + x\,\sigma(-x))`, both gates
    from one exponential :math:`e = e^{-|x|}` by the select-and-divide kernel of
    :func:`_xsig_block` (no cancellation, digits kept where the fused sigmoid flushes); x is
    clipped to the finite range."""
    torch = _torch()
    big = float(torch.finfo(x.dtype).max)
    xc = torch.clamp(x, -big, big, out=scratch(x, 0))
    t = torch.neg(xc, out=scratch(x, 1))
    e = torch.minimum(xc, t, out=scratch(x, 2)).exp_()           # e^{-|x|}
    q = _lsb(xc, xc, e, scratch(x, 3))                           # x sigma(-x)
    gs = _lsb(g, t, e, out)                                      # g sigma(x)
    return gs.addcmul_(gs, q)                                    # g sigma(x) (1 + x sigma(-x))


def _silu_vjp(g, x):
    """torch: g * SiLU'(x), on cache-sized blocks."""
    return chunked_map(_silu_vjp_block, _dense(x), _dense(g))


define("silu", forward=silu, derivative=lambda x, xp: _xsig_grad(x, xp), torch_builtin="silu",
       torch_forward=_silu_torch_forward, torch_backward=_silu_vjp,
       formula=r"f(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
       range=r"[-W(1/e), \infty) \approx [-0.278465, \infty)", bounded=(False, True),
       monotonic="non-monotonic", smoothness="C^inf", f0="0", df0="1/2",
       reference="Hendrycks & Gimpel 2016; Elfwing, Uchibe & Doya 2017")

_QUICK = 1.702


def quick_gelu(x, xp):
    r"""Quick GELU (CLIP), :math:`f(x) = x\,\sigma(1.702x)`, the logistic approximation of :math:`x\Phi(x)`.

    Derivative :math:`\sigma(v)\left(1 + v\,\sigma(-v)\right)`, :math:`v = 1.702x`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("quick_gelu")
        >>> np.round(act(np.array([0.0, 1.0])), 6)            # f(1) = sigma(1.702)
        array([0.      , 0.845796])
        >>> float(act.grad(0.0))
        0.5

    Computed as :func:`silu`'s form with the gate's argument scaled; :math:`f(-\infty) = 0`.
    """
    return _xsig(x, xp, _QUICK)


def _quick_gelu_torch_forward(x):
    """torch: :func:`_xsig_torch` with k = 1.702."""
    return _xsig_torch(x, _QUICK)


define("quick_gelu", forward=quick_gelu, derivative=lambda x, xp: _xsig_grad(_QUICK * x, xp),
       torch_forward=_quick_gelu_torch_forward,
       formula=r"f(x) = x\,\sigma(1.702\,x)",
       range=r"[\approx -0.16361, \infty)", bounded=(False, True), monotonic="non-monotonic",
       smoothness="C^inf", f0="0", df0="1/2",
       reference="Hendrycks & Gimpel 2016; Radford et al. 2021")


def _swish_arg(x, xp, beta):
    big = _big(x, xp)
    return beta * xp.clip(x, -big, big)   # finite x, so beta = 0 gives 0, not NaN, at x = +-inf


def swish(x, xp, beta=1.0):
    r"""Swish, :math:`f(x) = x\,\sigma(\beta x)`, with a learnable :math:`\beta` (SiLU at :math:`\beta = 1`).

    Derivatives :math:`\partial_x f = \sigma(t)\left(1 + t\,\sigma(-t)\right)` and
    :math:`\partial_\beta f = x^2\sigma(t)\sigma(-t)`, :math:`t = \beta x`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("swish", beta=2.0)
        >>> x = np.array([0.0, np.log(3.0) / 2])              # sigma(2x) = 3/4 at x = (log 3)/2
        >>> np.round(act(x), 6)                               # 0, (3/8) log 3
        array([0.     , 0.41198])
        >>> np.round(act.grad(x), 6)                          # 1/2, (3/4)(1 + (log 3)/4)
        array([0.5    , 0.95599])
        >>> actlib.get("swish", beta=0.0)(np.array([2.0]))    # beta = 0: x/2
        array([1.])

    Where the gate :math:`\sigma(t)` is exactly 0 the result is 0, also at :math:`x = \pm\infty`.
    """
    if _number(beta) is not None and _rounded(beta, x) != 0:
        return _xsig(x, xp, _number(beta))
    s = _sigmoid(_swish_arg(x, xp, beta), xp)
    return xp.where(s == 0, s, x * s)


def _swish_torch_forward(x, beta=1.0):
    """torch: :func:`_xsig_torch` for a number beta that does not round to 0 in x's dtype;
    else (a tensor beta, or beta = 0) the portable formula."""
    if _number(beta) is not None and _rounded(beta, x) != 0:
        return _xsig_torch(x, _number(beta))
    return swish(x, torch_ops(), beta)


def _swish_grad(x, xp, beta=1.0):
    return _xsig_grad(_swish_arg(x, xp, beta), xp)


def _swish_param_grads(x, xp, beta=1.0):
    big = _big(x, xp)
    xc = xp.clip(x, -big, big)
    t = xp.clip(beta * xc, -_GATE_CAP, _GATE_CAP)
    return {"beta": (xc * _sigmoid(t, xp)) * (xc * _sigmoid(-t, xp))}


define("swish", forward=swish, derivative=_swish_grad, param_grads=_swish_param_grads,
       torch_forward=_swish_torch_forward,
       params=(Param("beta", 1.0, "a finite real number", _real, learnable=True),),
       formula=r"f(x) = x\,\sigma(\beta x)",
       range=r"[\approx -0.278465/\beta, \infty) \ (\beta > 0)", bounded=(False, True),
       monotonic="non-monotonic (beta > 0)", smoothness="C^inf", f0="0", df0="1/2",
       reference="Ramachandran, Zoph & Le 2017")


# -- hard and other variants -----------------------------------------------------------------
def hardswish(x, xp):
    r"""Hard swish (MobileNetV3), :math:`f(x) = x\,\operatorname{relu6}(x + 3)/6`.

    Derivative 0 for :math:`x \le -3`, :math:`(2x + 3)/6` for :math:`-3 < x < 3`, 1 for
    :math:`x \ge 3`: at the kinks 0 at -3 and 1 at +3, as torch 2.13's CPU autograd and jax (torch's
    CUDA kernel and torch <= 2.6 give -1/2 and 3/2).

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("hardswish")
        >>> act(np.array([-1.5, 0.0, 3.0, 4.0]))              # minimum -3/8 at -3/2
        array([-0.375,  0.   ,  3.   ,  4.   ])
        >>> act.grad(np.array([-3.0, -1.5, 0.0, 3.0]))
        array([0. , 0. , 0.5, 1. ])

    :math:`2x + 3` is exact near the zero of :math:`f'` at :math:`-3/2`.
    """
    return xp.maximum(x, -3.0) * xp.clip((x + 3) / 6, 0.0, 1.0)


def _hardswish_torch_forward(x):
    """torch: hardsigmoid (relu6(x + 3)/6, the same rounding) times x clamped at -3, on
    cache-sized blocks."""
    return chunked_map(_hardswish_block, x, pure=_hardswish_pure)


def _hardswish_pure(x):
    """torch, out of place: hardsigmoid(x) times x clamped at -3 (so -inf gives 0)."""
    return _torch().nn.functional.hardsigmoid(x) * x.clamp_min(-3.0)


def _hardswish_block(out, x):
    """torch: the formula of :func:`_hardswish_pure` into ``out``."""
    torch = _torch()
    return torch.mul(_aten().hardsigmoid.out(x, out=scratch(x, 0)),
                     torch.clamp_min(x, -3.0, out=scratch(x, 1)), out=out)


def _hardswish_grad(x, xp):
    return xp.where(x <= -3, 0.0, xp.where(x >= 3, 1.0, (2 * x + 3) / 6))


def _hardswish_torch_derivative(x):
    """torch: the fused kernel (aten.where is slow), same convention at the kinks, NaN kept."""
    x = _dense(x)
    return _keep_nan(_aten().hardswish_backward(_torch().ones_like(x), x), x)


def _hardswish_vjp(g, x):
    """torch: g * f'(x) with the fused kernel and the NaN fix-up, on cache-sized blocks."""
    return chunked_map(_hardswish_vjp_block, _dense(x), _dense(g))


def _hardswish_vjp_block(out, x, g):
    """torch: hardswish_backward, then into ``out`` clamp(x, r, r): r, or NaN where x is NaN
    (the fused kernel returns 0 there), in one pass.  (The kernel's ``out=`` overload costs
    twice its plain call: r is a fresh block-sized temporary.)"""
    r = _aten().hardswish_backward(g, x)
    return _keep_nan(r, x) if out is None else _torch().clamp(x, r, r, out=out)


define("hardswish", forward=hardswish, derivative=_hardswish_grad, torch_backward=_hardswish_vjp,
       torch_forward=_hardswish_torch_forward, torch_derivative=_hardswish_torch_derivative,
       aliases=("hard_swish", "hard_silu"), torch_builtin="hardswish",
       formula=r"f(x) = x\,\frac{\operatorname{relu6}(x + 3)}{6}",
       range="[-0.375, inf)", bounded=(False, True), monotonic="non-monotonic",
       smoothness="C^0", f0="0", df0="1/2",
       kink="x = -3: f' = 0; x = 3: f' = 1 (torch 2.13 CPU autograd and jax)",
       reference="Howard et al. 2019")


def mish(x, xp):
    r"""Mish, :math:`f(x) = x\tanh(\operatorname{softplus}(x))`.

    Derivative :math:`\tanh s + x\,\operatorname{sech}^2(s)\,\sigma(x)` with
    :math:`s = \operatorname{softplus}(x)`, :math:`t = \tanh s`,
    :math:`\operatorname{sech}^2 s = (1 - t)(1 + t)` and :math:`1 - t = 2/(n + 2)`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("mish")
        >>> x = np.array([0.0, np.log(2.0)])                  # tanh(softplus(log 2)) = 4/5
        >>> np.round(act(x), 6)                               # 0, (4/5) log 2
        array([0.      , 0.554518])
        >>> round(float(act.grad(0.0)), 12)                   # tanh(log 2) = 3/5
        0.6

    With :math:`e = e^x` and :math:`n = e(e + 2)`, :math:`\tanh(\operatorname{softplus}(x)) = n/(n + 2)`
    exactly: one exponential, no cancellation for :math:`x \ll 0` (:math:`f \approx x e^x`); the
    exponential is capped at :math:`x = 40`, where the gate is 1 to every precision.
    :math:`f(-\infty) = 0`.
    """
    e = xp.exp(xp.minimum(x, 40.0))
    n = e * (e + 2)
    return xp.maximum(x, -_big(x, xp)) * (n / (n + 2))


def _mish_torch_forward(x):
    """torch: the same formula, in place, on cache-sized blocks."""
    return chunked_map(_mish_block, x, pure=_mish_pure)


def _mish_pure(x):
    """torch, out of place: the formula of :func:`_mish_block`."""
    torch = _torch()
    e = torch.exp(torch.clamp_max(x, 40.0))
    n = e * (e + 2.0)
    return (n / (n + 2.0)) * torch.clamp_min(x, -float(torch.finfo(x.dtype).max))


def _mish_block(out, x):
    """torch: the same formula into ``out``, in place."""
    torch = _torch()
    e = torch.clamp_max(x, 40.0, out=scratch(x, 0)).exp_()
    n = torch.add(e, 2.0, out=scratch(x, 1)).mul_(e)
    t = n.div_(torch.add(n, 2.0, out=e))
    return torch.mul(t, torch.clamp_min(x, -float(torch.finfo(x.dtype).max), out=e), out=out)


def _mish_vjp_block(out, x, g):
    r"""torch: g * Mish'(x) into ``out``: with :math:`q = 2/(n + 2)`, :math:`t = nq/2` and
    :math:`w = x\,\sigma(x)\,q`, :math:`f' = t + w(1 + t)`."""
    torch = _torch()
    xc = torch.clamp(x, -float(torch.finfo(x.dtype).max), 40.0, out=scratch(x, 0))
    e = torch.exp(xc, out=scratch(x, 1))
    n = torch.add(e, 2.0, out=scratch(x, 2)).mul_(e)
    q = torch.add(n, 2.0, out=scratch(x, 3)).reciprocal_().mul_(2.0)
    w = e.div_(torch.add(e, 1.0, out=scratch(x, 4))).mul_(xc).mul_(q)   # x sigma(x) q
    t = n.mul_(q).mul_(0.5)
    d = torch.addcmul(w, w, t, out=q).add_(t)
    return torch.mul(d, g, out=out)


def _mish_vjp(g, x):
    """torch: g * Mish'(x), in place on cache-sized blocks."""
    return chunked_map(_mish_vjp_block, x, g)


def _mish_grad(x, xp):
    xc = xp.clip(x, -_big(x, xp), 40.0)
    e = xp.exp(xc)
    n = e * (e + 2)
    t = n / (n + 2)
    return t + (xc * (e / (1 + e))) * ((1 + t) * (2 / (n + 2)))


define("mish", forward=mish, derivative=_mish_grad, torch_backward=_mish_vjp, torch_builtin="mish",
       torch_forward=_mish_torch_forward,
       formula=r"f(x) = x \tanh\left(\log(1 + e^{x})\right)",
       range=r"[\approx -0.308843, \infty)", bounded=(False, True), monotonic="non-monotonic",
       smoothness="C^inf", f0="0", df0="tanh(log 2) = 3/5", reference="Misra 2019")


def hard_mish(x, xp):
    r"""Hard Mish, :math:`f(x) = \tfrac{x}{2}\operatorname{clip}(x + 2, 0, 2)`.

    Derivative 0 for :math:`x < -2`, :math:`x + 1` for :math:`-2 \le x < 0`, 1 for :math:`x \ge 0`
    (:math:`C^1` at 0). At the kink :math:`x = -2` it is -1, the right derivative, which is what
    torch's autograd of this formula (clamp passes the bound) and timm's hand-written backward give.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("hard_mish")
        >>> act(np.array([-1.0, 0.0, 2.0]))
        array([-0.5,  0. ,  2. ])
        >>> act.grad(np.array([-3.0, -2.0, -1.0, 0.0, 2.0]))
        array([ 0., -1.,  0.,  1.,  1.])

    Computed as :math:`\max(x, -2)\operatorname{clip}(x/2 + 1, 0, 1)`, so :math:`f(-\infty) = 0`.
    """
    return xp.maximum(x, -2.0) * xp.clip(0.5 * x + 1, 0.0, 1.0)


def _hard_mish_grad(x, xp):
    return xp.where(x < -2, 0.0, xp.minimum(x + 1, 1.0))


def _hard_mish_torch_derivative(x):
    """torch: x + 1 < -1 exactly when x < -2; threshold sets d <= t to 0 and keeps NaN."""
    torch = _torch()
    d = (x + 1).clamp_max_(1.0)
    return torch.nn.functional.threshold(d, -1.0 - float(torch.finfo(d.dtype).eps), 0.0)


define("hard_mish", forward=hard_mish, derivative=_hard_mish_grad,
       torch_derivative=_hard_mish_torch_derivative,
       formula=r"f(x) = \frac{x}{2}\operatorname{clip}(x + 2, 0, 2)",
       range="[-0.5, inf)", bounded=(False, True), monotonic="non-monotonic", smoothness="C^0",
       f0="0", df0="1", kink="x = -2: f' = -1 (right derivative; torch autograd, timm)",
       reference="Misra 2020 (H-Mish, in timm)")

_STAR_S = 2 / math.sqrt(5)    # 1/std of relu(z)^2 for z ~ N(0, 1)
_STAR_B = -1 / math.sqrt(5)   # -s E[relu(z)^2]


def star_relu(x, xp, s=_STAR_S, b=_STAR_B):
    r"""StarReLU (MetaFormer), :math:`f(x) = s\,\operatorname{relu}(x)^2 + b`, learnable :math:`s, b`.

    Derivatives :math:`\partial_x f = 2s\operatorname{relu}(x)` (:math:`C^1`, 0 at the origin),
    :math:`\partial_s f = \operatorname{relu}(x)^2`, :math:`\partial_b f = 1`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("star_relu", s=1.0, b=0.5)
        >>> act(np.array([-1.0, 0.0, 2.0]))
        array([0.5, 0.5, 4.5])
        >>> act.grad(np.array([-1.0, 0.0, 2.0]))
        array([0., 0., 4.])

    The defaults :math:`s = 2/\sqrt5`, :math:`b = -1/\sqrt5` are the paper's: they give output mean 0
    and variance 1 for standard normal input.
    """
    r = xp.maximum(x, 0)
    return s * (r * r) + b


def _star_relu_grad(x, xp, s=_STAR_S, b=_STAR_B):
    return (2 * s) * xp.maximum(x, 0)


def _star_relu_param_grads(x, xp, s=_STAR_S, b=_STAR_B):
    r = xp.maximum(x, 0)
    return {"s": r * r, "b": xp.ones_like(x)}


define("star_relu", forward=star_relu, derivative=_star_relu_grad,
       param_grads=_star_relu_param_grads,
       params=(Param("s", _STAR_S, "a finite real number", _real, learnable=True),
               Param("b", _STAR_B, "a finite real number", _real, learnable=True)),
       formula=r"f(x) = s\,\operatorname{relu}(x)^2 + b",
       range="[b, inf)", bounded=(False, True), monotonic="non-decreasing (s > 0)",
       smoothness="C^1", f0="b", df0="0", kink="none for f' (C^1); f'' jumps at 0",
       reference="Yu et al. 2022")


def elish(x, xp):
    r"""ELiSH, :math:`f(x) = x\,\sigma(x)` for :math:`x \ge 0`, :math:`(e^x - 1)\,\sigma(x)` for :math:`x < 0`.

    Derivative :math:`\sigma(x)\left(e^{\min(x,0)} + g(x)\,\sigma(-x)\right)` with :math:`g = x`
    or ``expm1``\ :math:`(x)`, continuous (1/2) at 0.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("elish")
        >>> x = np.array([-np.log(3.0), 0.0, np.log(3.0)])    # sigma(+-log 3) = 3/4, 1/4
        >>> np.round(act(x), 6)                               # (-2/3)(1/4), 0, (3/4) log 3
        array([-0.166667,  0.      ,  0.823959])
        >>> float(act.grad(0.0))
        0.5

    One product :math:`g(x)\,\sigma(x)`. :math:`f(-\infty) = 0`.
    """
    return xp.where(x >= 0, x, xp.expm1(xp.minimum(x, 0))) * _sigmoid(x, xp)


def _elish_grad(x, xp):
    big = _big(x, xp)
    g = xp.where(x >= 0, xp.minimum(x, big), xp.expm1(xp.minimum(x, 0)))
    return _sigmoid(x, xp) * (xp.exp(xp.minimum(x, 0)) + g * _sigmoid(-x, xp))


define("elish", forward=elish, derivative=_elish_grad,
       formula=(r"f(x) = \begin{cases} x\,\sigma(x) & x \ge 0 \\ (e^{x} - 1)\,\sigma(x) & x < 0"
                r" \end{cases}"),
       range=r"[\approx -0.171573, \infty)", bounded=(False, True), monotonic="non-monotonic",
       smoothness="C^1", f0="0", df0="1/2", kink="none for f' (C^1); f'' jumps at 0",
       reference="Basirat & Roth 2018")


def serf(x, xp):
    r"""Serf, :math:`f(x) = x\operatorname{erf}(\operatorname{softplus}(x))`.

    Derivative :math:`\operatorname{erf}(s) + x\,\tfrac{2}{\sqrt\pi}e^{-s^2}\sigma(x)`,
    :math:`s = \operatorname{softplus}(x)`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("serf")
        >>> np.round(act(np.array([0.0, 1.0])), 6)            # f(1) = erf(log(1 + e))
        array([0.      , 0.936722])
        >>> round(float(act.grad(0.0)), 6)                    # erf(log 2)
        0.673041

    The softplus is :math:`\mathrm{log1p}(e^x)`, so the small gate
    :math:`\operatorname{erf}(s) \approx 2e^x/\sqrt\pi` of the negative tail keeps its digits.
    :math:`f(-\infty) = 0`.
    """
    return xp.maximum(x, -_big(x, xp)) * xp.erf(_serf_gate_arg(x, xp))


def _serf_gate_arg(x, xp):
    """softplus(x) as log1p(e^x), capped at x = 40 where erf(s) = 1 and e^{-s^2} = 0 already."""
    return xp.log1p(xp.exp(xp.minimum(x, 40.0)))


def _serf_grad(x, xp):
    big = _big(x, xp)
    s = _serf_gate_arg(x, xp)
    return xp.erf(s) + (xp.clip(x, -big, big) * _sigmoid(x, xp)) * (_TWO_OVER_SQRT_PI * xp.exp(-(s * s)))


define("serf", forward=serf, derivative=_serf_grad,
       formula=r"f(x) = x \operatorname{erf}\left(\log(1 + e^{x})\right)",
       range=r"[\approx -0.348437, \infty)", bounded=(False, True), monotonic="non-monotonic",
       smoothness="C^inf", f0="0", df0="erf(log 2) = 0.6730", reference="Nag & Bhattacharyya 2021")
