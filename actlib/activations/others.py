"""Other elementwise activations: square-root units, bent identity, LiSHT, the TanhSoft and
ErfAct/Pserf families, Padé activation units, sparse sigmoid and the exponential."""
from __future__ import annotations

import math

import numpy as np

from .._core import Param, define
from .._ops import torch_ops
from ._shared import _real, _sech2, _within

_2_SQRTPI = 2 / math.sqrt(math.pi)


def _real_param(name, default, doc="", learnable=False):
    return Param(name, default, valid="a finite number", check=_real, doc=doc,
                 learnable=learnable)


def _positive_param(name, default, doc=""):
    return Param(name, default, valid="finite and > 0", check=lambda v: _real(v) and v > 0,
                 doc=doc)


def _finite_x(x, xp):
    """x with +-inf replaced by the largest finite values (keeps 0 * f(inf) = 0 products exact)."""
    fin = xp.finfo(x)
    return xp.clip(x, fin.min, fin.max)


def _exp_capped(z, xp):
    """e^z, with z capped so that the result stays finite (0 * e^z must stay 0)."""
    return xp.exp(xp.minimum(z, math.log(xp.finfo(z).max) - 1))


def _times(x, t, xp):
    """x * t, but 0 where t == 0 (also for x = +-inf: the limits here are 0, not NaN)."""
    return xp.where(t == 0, t, x * t)


# ISRU / ISRLU ---------------------------------------------------------------------------------
def isru(x, xp, alpha=1.0):
    r"""Inverse square root unit, :math:`f(x) = x/\sqrt{1 + \alpha x^2}` (Carlile et al. 2017).

    Derivative :math:`f'(x) = (1 + \alpha x^2)^{-3/2}`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("isru", alpha=4.0)
    >>> x = np.array([-np.inf, 0.0, 1.0])
    >>> np.round(act(x), 6)
    array([-0.5     ,  0.      ,  0.447214])
    >>> np.round(act.grad(x), 6)
    array([0.      , 1.      , 0.089443])

    ``x`` is clipped to :math:`\pm 4/\sqrt{\alpha\,\varepsilon}`, beyond which :math:`f` rounds to
    :math:`\pm 1/\sqrt\alpha`; so :math:`\alpha x^2` never overflows and
    :math:`f(\pm\infty) = \pm 1/\sqrt\alpha` exactly.
    """
    big = 4 / (math.sqrt(alpha) * math.sqrt(float(xp.finfo(x).eps)))
    if big < float(xp.finfo(x).max):    # else alpha rounds to 0 against every finite x^2
        x = xp.clip(x, -big, big)
    return x / xp.sqrt(1 + _alpha_x2(x, xp, alpha))


def _alpha_x2(x, xp, alpha):
    r""":math:`\alpha x^2`; for a tiny :math:`\alpha` (below 1e-30, where :math:`x^2` could
    overflow before :math:`\alpha` brings it back) as :math:`(\sqrt\alpha\,x)^2` on finite x."""
    if alpha >= 1e-30:
        return alpha * (x * x)
    u = math.sqrt(alpha) * _finite_x(x, xp)
    return u * u


def _isru_grad(x, xp, alpha=1.0):
    q = 1 + _alpha_x2(x, xp, alpha)     # overflow to inf gives the exact limit 0
    return 1 / (q * xp.sqrt(q))


define("isru", forward=isru, derivative=_isru_grad,
       params=(_positive_param("alpha", 1.0, "1/sqrt(alpha) is the saturation level"),),
       formula=r"f(x) = \frac{x}{\sqrt{1 + \alpha x^2}}", range="(-1/sqrt(alpha), 1/sqrt(alpha))",
       bounded=(True, True), monotonic="strictly increasing", smoothness="C^inf", f0="0",
       df0="1", reference="Carlile, Delamarter, Kinney, Marti & Whitney 2017")


def isrlu(x, xp, alpha=1.0):
    r"""Inverse square root linear unit, :math:`f(x) = x` for :math:`x \ge 0`, ISRU :math:`x/\sqrt{1 + \alpha x^2}` for :math:`x < 0`.

    Derivative 1 for :math:`x \ge 0` and :math:`(1 + \alpha x^2)^{-3/2}` below; both sides give
    1 at 0 (the function is :math:`C^2`), so there is no kink convention to choose.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("isrlu", alpha=1.0)
    >>> x = np.array([-1.0, 0.0, 2.0, np.inf])
    >>> np.round(act(x), 6)
    array([-0.707107,  0.      ,  2.      ,       inf])
    >>> np.round(act.grad(x), 6)
    array([0.353553, 1.      , 1.      , 1.      ])
    """
    return xp.where(x >= 0, x, isru(x, xp, alpha))


def _isrlu_grad(x, xp, alpha=1.0):
    return xp.where(x >= 0, 1.0, _isru_grad(x, xp, alpha))


define("isrlu", forward=isrlu, derivative=_isrlu_grad,
       params=(_positive_param("alpha", 1.0, "1/sqrt(alpha) is the negative saturation level"),),
       formula=r"f(x) = \begin{cases} x & x \ge 0 \\ \frac{x}{\sqrt{1+\alpha x^2}} & x < 0\end{cases}",
       range="(-1/sqrt(alpha), inf)", bounded=(False, True), monotonic="strictly increasing",
       smoothness="C^2", f0="0", df0="1", kink="x = 0: C^2, f'(0) = 1 from both sides",
       reference="Carlile, Delamarter, Kinney, Marti & Whitney 2017")


# bent identity, LiSHT ---------------------------------------------------------------------------
def _bent_ratio(x, xp):
    """x / sqrt(x^2 + 1), with x clipped where it has rounded to +-1 (no overflow of x^2)."""
    big = 4 / xp.finfo(x).eps
    x = xp.clip(x, -big, big)
    return x / xp.sqrt(x * x + 1)


def bent_identity(x, xp):
    r"""Bent identity, :math:`f(x) = \bigl(\sqrt{x^2+1} - 1\bigr)/2 + x`.

    Derivative :math:`f'(x) = 1 + x/(2\sqrt{x^2+1})`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("bent_identity")
    >>> x = np.array([-4 / 3, 0.0, 0.75])
    >>> np.round(act(x), 6)
    array([-1.   ,  0.   ,  0.875])
    >>> np.round(act.grad(x), 6)
    array([0.6, 1. , 1.3])

    Computed as :math:`x\,\bigl(1 + \tfrac12\,x/(\sqrt{x^2+1} + 1)\bigr)`: no cancellation near 0
    (:math:`\sqrt{x^2+1} - 1 = x^2/(\sqrt{x^2+1}+1)`), the bracket lies in
    :math:`(\tfrac12, \tfrac32)`, and no overflow of :math:`x^2` for huge :math:`|x|`.
    """
    big = 4 / xp.finfo(x).eps
    xc = xp.clip(x, -big, big)
    return x * (1 + 0.5 * (xc / (xp.sqrt(xc * xc + 1) + 1)))


def _bent_identity_grad(x, xp):
    return 1 + 0.5 * _bent_ratio(x, xp)


define("bent_identity", forward=bent_identity, derivative=_bent_identity_grad,
       formula=r"f(x) = \frac{\sqrt{x^2+1} - 1}{2} + x", range="(-inf, inf)",
       bounded=(False, False), monotonic="strictly increasing", smoothness="C^inf", f0="0",
       df0="1", reference="folklore (activation-function surveys)")


def lisht(x, xp):
    r"""LiSHT, :math:`f(x) = x\tanh x` (Roy et al. 2019).

    Derivative :math:`f'(x) = \tanh x + x\operatorname{sech}^2 x`, :math:`f'(\pm\infty) = \pm 1`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("lisht")
    >>> x = np.array([-1.0, 0.0, 2.0])
    >>> np.round(act(x), 6)
    array([0.761594, 0.      , 1.928055])
    >>> np.round(act.grad(x), 6)
    array([-1.181568,  0.      ,  1.105329])

    :math:`\operatorname{sech}^2 x = 4e^{-2|x|}/(1+e^{-2|x|})^2` (the form :math:`1 - \tanh^2 x`
    cancels for large :math:`|x|`).
    """
    return x * xp.tanh(x)


def _lisht_grad(x, xp):
    x = xp.clip(x, -40.0, 40.0)     # beyond, x sech^2 x < 1e-32: f' is +-1 to the last bit
    return xp.tanh(x) + x * _sech2(x, xp)


define("lisht", forward=lisht, derivative=_lisht_grad,
       formula=r"f(x) = x\tanh x", range="[0, inf)", bounded=(False, True),
       monotonic="non-monotonic (even function)", smoothness="C^inf", f0="0", df0="0",
       reference="Roy, Manna, Dubey & Chaudhuri 2019")


# TanhSoft family --------------------------------------------------------------------------------
def _log_of(delta, x, xp):
    """ln(delta): a Python float for a number (-inf for delta = 0), else an array like x."""
    if isinstance(delta, (int, float)):
        return math.log(delta) if delta > 0 else -math.inf
    return xp.log(xp.asarray_like(delta, x))


def _log_delta_exp(x, ld, xp):
    """ln(delta + e^x) with ld = ln(delta): x itself for delta = 0 (no pass at all), else
    ld + softplus(x - ld) (logaddexp's formula; NumPy's logaddexp is several times slower)."""
    if isinstance(ld, float):               # a Python delta: decided on the host, for free
        return x if ld == -math.inf else ld + xp.softplus(x - ld)
    return xp.logaddexp(x, ld)


def _tanhsoft_u(x, xp, alpha, beta, gamma):
    """(u, e) with u = alpha x + beta e, e = e^{gamma x}; x made finite and e capped."""
    xc = _finite_x(x, xp)
    e = _exp_capped(gamma * xc, xp)
    return alpha * xc + beta * e, e, xc


def tanhsoft(x, xp, alpha=0.0, beta=0.6, gamma=1.0, delta=0.0):
    r"""TanhSoft family, :math:`f(x) = \tanh(\alpha x + \beta e^{\gamma x})\,\ln(\delta + e^x)`
    (Biswas et al. 2020).

    Derivative :math:`\operatorname{sech}^2(u)(\alpha + \beta\gamma e^{\gamma x})\ln(\delta+e^x)
    + \tanh(u)\,\sigma(x - \ln\delta)`, :math:`u = \alpha x + \beta e^{\gamma x}`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("tanhsoft", alpha=0.87, beta=0.0, delta=1.0)
    >>> x = np.array([0.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 0.921088])
    >>> np.round(act.grad(x), 6)
    array([0.603038, 1.09324 ])

    TanhSoft-1 is :math:`\alpha=0.87, \beta=0, \delta=1` (the example); TanhSoft-2 (the
    defaults, as in the course's oracle) :math:`\alpha=0, \beta=0.6, \gamma=1, \delta=0`.
    :math:`\ln(\delta+e^x)` is :math:`\ln\delta + \operatorname{softplus}(x - \ln\delta)` (exactly
    :math:`x` for :math:`\delta = 0`); ``delta >= 0``.  Products whose one factor underflows to 0
    are 0 even where the other is infinite (the limits at :math:`\pm\infty`).
    """
    u, _, _ = _tanhsoft_u(x, xp, alpha, beta, gamma)
    return _times(_log_delta_exp(x, _log_of(delta, x, xp), xp), xp.tanh(u), xp)


def _tanhsoft_grad(x, xp, alpha=0.0, beta=0.6, gamma=1.0, delta=0.0):
    u, e, xc = _tanhsoft_u(x, xp, alpha, beta, gamma)
    ld = _log_of(delta, x, xp)
    s2 = _sech2(u, xp)
    a = alpha * s2 + (beta * gamma) * (s2 * e)
    return _times(_log_delta_exp(x, ld, xp), a, xp) + xp.tanh(u) * xp.sigmoid(xc - ld)


define("tanhsoft", forward=tanhsoft, derivative=_tanhsoft_grad,
       params=(_real_param("alpha", 0.0), _real_param("beta", 0.6), _real_param("gamma", 1.0),
               Param("delta", 0.0, valid="finite and >= 0",
                     check=lambda v: _real(v) and v >= 0)),
       formula=r"f(x) = \tanh(\alpha x + \beta e^{\gamma x})\,\ln(\delta + e^{x})",
       range=r"[\approx -0.21732, \infty)", bounded=(False, True),
       monotonic="non-monotonic (the defaults, TanhSoft-2, and TanhSoft-1; other members may be "
                 "monotonic)", smoothness="C^inf",
       f0="tanh(beta) ln(1 + delta)", df0="member-dependent (TanhSoft-2: tanh(0.6))",
       reference="Biswas, Kumar, Banerjee & Pandey 2020")


def tanhsoft1(x, xp, alpha=0.87):
    r"""TanhSoft-1, :math:`f(x) = \tanh(\alpha x)\ln(1 + e^x)` with :math:`\alpha = 0.87`.

    Derivative :math:`\alpha\operatorname{sech}^2(\alpha x)\ln(1+e^x) + \tanh(\alpha x)\,\sigma(x)`;
    :math:`f'(0) = \alpha\ln 2`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("tanhsoft1", alpha=0.87)
    >>> x = np.array([0.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 0.921088])
    >>> np.round(act.grad(x), 6)
    array([0.603038, 1.09324 ])
    """
    return xp.tanh(alpha * x) * xp.softplus(x)


def _tanhsoft1_grad(x, xp, alpha=0.87):
    x = _finite_x(x, xp)            # sech^2 underflows to 0 long before softplus overflows
    return alpha * _sech2(alpha * x, xp) * xp.softplus(x) + xp.tanh(alpha * x) * xp.sigmoid(x)


define("tanhsoft1", forward=tanhsoft1, derivative=_tanhsoft1_grad, aliases=("tanhsoft_1",),
       params=(_real_param("alpha", 0.87),),
       formula=r"f(x) = \tanh(\alpha x)\ln(1 + e^{x})", range="bounded below, unbounded above",
       bounded=(False, True), monotonic="non-monotonic", smoothness="C^inf", f0="0",
       df0="alpha ln 2 (= 0.6030)", reference="Biswas, Kumar, Banerjee & Pandey 2020")


def tanhsoft2(x, xp, beta=0.6, gamma=1.0):
    r"""TanhSoft-2, :math:`f(x) = x\tanh(\beta e^{\gamma x})` with :math:`\beta=0.6, \gamma=1`.

    Derivative :math:`\tanh(\beta e^{\gamma x}) + \gamma x\,\beta e^{\gamma x}
    \operatorname{sech}^2(\beta e^{\gamma x})`; :math:`f(-\infty) = 0`, :math:`f'(\pm\infty)` exact.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("tanhsoft2", beta=0.6, gamma=1.0)
    >>> x = np.array([-np.inf, 0.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 0.      , 0.926199])
    >>> np.round(act.grad(x), 6)
    array([0.      , 0.53705 , 1.158049])
    """
    return _times(x, xp.tanh(beta * _exp_capped(gamma * x, xp)), xp)


def _tanhsoft2_grad(x, xp, beta=0.6, gamma=1.0):
    xc = _finite_x(x, xp)
    e = beta * _exp_capped(gamma * xc, xp)
    return xp.tanh(e) + gamma * (xc * (_sech2(e, xp) * e))


define("tanhsoft2", forward=tanhsoft2, derivative=_tanhsoft2_grad, aliases=("tanhsoft_2",),
       params=(_real_param("beta", 0.6), _real_param("gamma", 1.0)),
       formula=r"f(x) = x\tanh(\beta e^{\gamma x})", range="bounded below, unbounded above",
       bounded=(False, True), monotonic="non-monotonic", smoothness="C^inf", f0="0",
       df0="tanh(beta) (= 0.5370)", reference="Biswas, Kumar, Banerjee & Pandey 2020")


# ErfAct, Pserf ----------------------------------------------------------------------------------
def erfact(x, xp, alpha=0.75, beta=0.75):
    r"""ErfAct, :math:`f(x) = x\operatorname{erf}(\alpha e^{\beta x})` (Biswas et al. 2021).

    Derivative :math:`\operatorname{erf}(z) + \tfrac{2}{\sqrt\pi}
    \alpha\beta\,x e^{\beta x} e^{-z^2}`, :math:`z = \alpha e^{\beta x}`; parameter gradients
    :math:`\partial_\alpha f = \tfrac{2}{\sqrt\pi} x e^{\beta x} e^{-z^2}`,
    :math:`\partial_\beta f = \alpha x\,\partial_\alpha f`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("erfact", alpha=0.75, beta=0.75)
    >>> x = np.array([0.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 0.975259])
    >>> np.round(act.grad(x), 6)
    array([0.711156, 1.083269])

    ``alpha`` and ``beta`` are trainable (as in the paper); defaults 0.75, 0.75 are the
    paper's initial values.
    """
    return _times(x, xp.erf(alpha * _exp_capped(beta * x, xp)), xp)


def _erfact_parts(x, xp, alpha, beta):
    """(erf z, x_finite, 2/sqrt(pi) x e^{beta x} e^{-z^2}) with z = alpha e^{beta x}."""
    xc = _finite_x(x, xp)
    e = _exp_capped(beta * xc, xp)
    z = alpha * e
    return xp.erf(z), xc, _2_SQRTPI * (xc * (e * xp.exp(-(z * z))))


def _erfact_grad(x, xp, alpha=0.75, beta=0.75):
    ez, _, g = _erfact_parts(x, xp, alpha, beta)
    return ez + (alpha * beta) * g


def _erfact_param_grads(x, xp, alpha=0.75, beta=0.75):
    _, xc, g = _erfact_parts(x, xp, alpha, beta)
    return {"alpha": g, "beta": alpha * (xc * g)}


define("erfact", forward=erfact, derivative=_erfact_grad, param_grads=_erfact_param_grads,
       params=(_real_param("alpha", 0.75, learnable=True), _real_param("beta", 0.75, learnable=True)),
       formula=r"f(x) = x\,\operatorname{erf}(\alpha e^{\beta x})",
       range="bounded below, unbounded above (alpha, beta > 0)", bounded=(False, True),
       monotonic="non-monotonic", smoothness="C^inf", f0="0", df0="erf(alpha)",
       reference="Biswas, Kumar, Banerjee & Pandey 2021 (ErfAct and Pserf)")


def pserf(x, xp, gamma=1.25, delta=0.85):
    r"""Pserf, :math:`f(x) = x\operatorname{erf}(\gamma\ln(1 + e^{\delta x}))` (Biswas et al. 2021).

    Derivative :math:`\operatorname{erf}(\gamma s)
    + \tfrac{2}{\sqrt\pi}\gamma\delta\,x\,e^{-\gamma^2 s^2}\sigma(\delta x)`,
    :math:`s = \ln(1+e^{\delta x})`; :math:`\partial_\gamma f = \tfrac{2}{\sqrt\pi} x s
    e^{-\gamma^2s^2}`, :math:`\partial_\delta f = \tfrac{2}{\sqrt\pi}\gamma x^2
    e^{-\gamma^2 s^2}\sigma(\delta x)`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("pserf", gamma=1.25, delta=0.85)
    >>> x = np.array([0.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 0.966968])
    >>> np.round(act.grad(x), 6)
    array([0.779546, 1.053563])

    ``gamma`` and ``delta`` are trainable (defaults 1.25, 0.85: the paper's initial values).
    """
    return _times(x, xp.erf(gamma * xp.softplus(delta * _finite_x(x, xp))), xp)


def _pserf_parts(x, xp, gamma, delta):
    """(erf(gamma s), x_finite, s, e^{-(gamma s)^2}, sigma(delta x)), s = softplus(delta x)."""
    xc = _finite_x(x, xp)
    s = xp.softplus(delta * xc)
    gs = gamma * s
    # sigma(delta x) = 1 - e^{-s}: unlike expit, it does not flush to 0 where s is subnormal
    return xp.erf(gs), xc, s, xp.exp(-(gs * gs)), -xp.expm1(-s)


def _pserf_grad(x, xp, gamma=1.25, delta=0.85):
    es, xc, _, h, sg = _pserf_parts(x, xp, gamma, delta)
    return es + (_2_SQRTPI * gamma * delta) * (xc * (h * sg))


def _pserf_param_grads(x, xp, gamma=1.25, delta=0.85):
    _, xc, s, h, sg = _pserf_parts(x, xp, gamma, delta)
    return {"gamma": _2_SQRTPI * (xc * (h * s)),
            "delta": (_2_SQRTPI * gamma) * (xc * (xc * (h * sg)))}


define("pserf", forward=pserf, derivative=_pserf_grad, param_grads=_pserf_param_grads,
       params=(_real_param("gamma", 1.25, learnable=True), _real_param("delta", 0.85, learnable=True)),
       formula=r"f(x) = x\,\operatorname{erf}\bigl(\gamma\ln(1 + e^{\delta x})\bigr)",
       range="bounded below, unbounded above (gamma, delta > 0)", bounded=(False, True),
       monotonic="non-monotonic", smoothness="C^inf", f0="0", df0="erf(gamma ln 2)",
       reference="Biswas, Kumar, Banerjee & Pandey 2021 (ErfAct and Pserf)")


# Padé activation unit ---------------------------------------------------------------------------
# ml-research/pau, init "pade_optimized_leakyrelu" (m = 5, n = 4)
PAU_A = (3.35583603e-02, 5.05000375e-01, 1.65343934e+00, 2.01001052e+00, 9.31901999e-01,
         1.52424124e-01)
PAU_B = (3.30847488e-06, 3.98021568e+00, 5.12471206e-07, 3.01830109e-01)


def _pau_scaled(x, xp, a, b, derivative=False):
    r"""Scaled numerator and denominator (and their t-derivatives) of the Padé unit.

    With :math:`s = \max(|x|, 1)`, :math:`t = x/s = \operatorname{clip}(x, -1, 1)` and
    :math:`r = 1/s`: :math:`P(x) = s^m \tilde P`, :math:`\tilde P = \sum_j a_j t^j r^{m-j}`,
    and :math:`Q(x) = s^n \tilde Q`, :math:`\tilde Q = r^n + \sum_k |b_k| |t|^k r^{n-k}`;
    all terms stay bounded, so nothing overflows before the result does.
    """
    s = xp.maximum(xp.abs(x), 1.0)
    r = 1 / s
    t = xp.clip(x, -1.0, 1.0)
    ta = xp.abs(t)
    m, n = a.shape[0] - 1, b.shape[0]
    qcoef = [1.0] + [xp.abs(b[k]) for k in range(n)]       # coefficients of |t|^0..|t|^n

    def horner(coef, var, deg):
        p, dp, rp = coef[deg], 0.0, 1.0
        for j in range(deg - 1, -1, -1):
            rp = rp * r
            if derivative:
                dp = dp * var + p
            p = p * var + coef[j] * rp
        return p, dp

    P, dP = horner([a[j] for j in range(m + 1)], t, m)
    Q, dQ = horner(qcoef, ta, n) if n else (1.0, 0.0)
    return s, t, m, n, P, dP, Q, dQ


def _power(s, k):
    """s^k for an integer k (1 for k = 0, also at s = inf)."""
    return 1.0 if k == 0 else (s if k == 1 else s ** k)


def pau(x, xp, a=PAU_A, b=PAU_B):
    r"""Padé activation unit, "safe" form (Molina, Schramowski & Kersting 2019),
    :math:`F(x) = P(x)/Q(x) = \frac{\sum_{j=0}^{m} a_j x^j}{1 + \sum_{k=1}^{n} |b_k|\,|x|^k}`.

    Derivative :math:`(P'Q - PQ')/Q^2` with :math:`Q' = \operatorname{sign}(x)\sum_k k|b_k||x|^{k-1}`;
    at 0 it is :math:`a_1` (``sign(0) = 0``, as the reference implementation; the one-sided
    values are :math:`a_1 \mp a_0|b_1|`).  Parameter gradients
    :math:`\partial F/\partial a_j = x^j/Q`,
    :math:`\partial F/\partial b_k = -F\operatorname{sign}(b_k)|x|^k/Q`
    (returned with a trailing coefficient axis).  With :math:`a = (0, 1)`, :math:`b = (1,)` (the
    example) F is softsign, :math:`x/(1+|x|)`, and :math:`F' = 1/(1+|x|)^2`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("pau", a=(0.0, 1.0), b=(1.0,))
    >>> x = np.array([-1.0, 0.0, 3.0])
    >>> np.round(act(x), 6)
    array([-0.5 ,  0.  ,  0.75])
    >>> np.round(act.grad(x), 6)
    array([0.25  , 1.    , 0.0625])

    Learnable ``a`` (m+1 = 6 coefficients) and ``b`` (n = 4); defaults are the reference
    code's ``pade_optimized_leakyrelu`` initialisation.  Evaluated by Horner's rule in
    :math:`t = \operatorname{clip}(x,-1,1)` and :math:`1/\max(|x|,1)` (see ``_pau_scaled``), so
    large :math:`|x|` neither overflows nor gives :math:`\infty/\infty`; on NumPy, when every
    :math:`|x|` is below the bound where plain Horner's rule can overflow (always for float32
    input, computed in float64) the forward uses plain Horner in :math:`x` and :math:`|x|`
    (one reduction pass decides).
    """
    m, n = a.shape[0] - 1, b.shape[0]
    if m and n and _within(x, xp, *_pau_range(x, xp, a, b)):
        return _pau_plain(x, xp, a, b, m, n)
    return _pau_safe(x, xp, a, b)


def _pau_safe(x, xp, a, b):
    """F(x) from the scaled parts, for every x (torch: always, as the range check would
    synchronise the tensor)."""
    s, _, m, n, P, _, Q, _ = _pau_scaled(x, xp, a, b)
    return _power(s, m - n) * (P / Q)


def _pau_range(x, xp, a, b):
    """(-M, M) with M such that plain Horner's rule cannot overflow for |x| <= M."""
    size = 1 + float(xp.abs(a).sum()) + float(xp.abs(b).sum())
    big = (float(xp.finfo(x).max) / size) ** (1 / max(a.shape[0] - 1, b.shape[0])) / 2
    return -big, big


def _pau_plain(x, xp, a, b, m, n):
    """P(x)/Q(x) by plain Horner's rule, in place on its temporaries (|x| <= M, m, n >= 1)."""
    p = x * a[m]
    for j in range(m - 1, 0, -1):
        p += a[j]
        p *= x
    p += a[0]
    ax = xp.abs(x)
    q = ax * xp.abs(b[n - 1])
    for k in range(n - 1, 0, -1):
        q += xp.abs(b[k - 1])
        q *= ax
    q += 1
    p /= q
    return p


def _pau_grad(x, xp, a=PAU_A, b=PAU_B):
    s, t, m, n, P, dP, Q, dQ = _pau_scaled(x, xp, a, b, derivative=True)
    d = (dP * Q - P * (xp.sign(t) * dQ)) / (Q * Q)
    return _power(s, m - n - 1) * d


def _pau_param_grads(x, xp, a=PAU_A, b=PAU_B):
    s, t, m, n, P, _, Q, _ = _pau_scaled(x, xp, a, b)
    ta = xp.abs(t)
    f = _power(s, m - n) * (P / Q)      # F(x), as _pau_safe
    # x^j / Q = t^j s^(j-n) / Q~ ;  |x|^k / Q = |t|^k s^(k-n) / Q~
    da = [(t ** j) * (s ** (j - n)) / Q for j in range(m + 1)]
    db = [-f * xp.sign(b[k - 1]) * (ta ** k) * (s ** (k - n)) / Q for k in range(1, n + 1)]
    empty = (t[..., None] * 0.0)[..., :0]       # no denominator coefficients (b = ()): width 0
    return {"a": xp.stack(da, -1), "b": xp.stack(db, -1) if db else empty}


def _coefficients(v):
    try:
        return bool(np.all(np.isfinite(np.asarray(v, dtype=float))))
    except (TypeError, ValueError):
        return False


def _validate_pau(a, b):
    for name, v, least in (("a", a, 1), ("b", b, 0)):
        shape = tuple(v.shape) if hasattr(v, "shape") else np.shape(v)
        if len(shape) != 1 or shape[0] < least:
            raise ValueError(f"pau: parameter {name!r} must be a 1-D sequence of "
                             f"{'at least 1' if least else 'any number of'} coefficients, "
                             f"got shape {shape}")


define("pau", forward=pau, derivative=_pau_grad, param_grads=_pau_param_grads, wide=True,
       torch_forward=lambda x, a=PAU_A, b=PAU_B: _pau_safe(x, torch_ops(), a, b),
       aliases=("pade", "pade_activation_unit"), validate=_validate_pau,
       params=(Param("a", PAU_A, valid="a 1-D sequence of finite numbers", check=_coefficients,
                     learnable=True, doc="numerator coefficients a_0..a_m"),
               Param("b", PAU_B, valid="a 1-D sequence of finite numbers", check=_coefficients,
                     learnable=True, doc="denominator coefficients b_1..b_n")),
       formula=r"F(x) = \frac{\sum_{j=0}^{m} a_j x^j}{1 + \sum_{k=1}^{n} |b_k|\,|x|^k}",
       range="R in general (m > n: unbounded)", bounded=(None, None),
       monotonic="depends on the coefficients", smoothness="C^0 (C^inf away from 0)",
       f0="a_0", df0="a_1 (sign(0) = 0; one-sided a_1 -+ a_0 |b_1|)",
       kink="x = 0 unless a_0 b_1 = 0: f'(0) = a_1 (reference implementation)",
       reference="Molina, Schramowski & Kersting 2019")


# sparse sigmoid, exponential ----------------------------------------------------------------------
def sparse_sigmoid(x, xp):
    r"""Sparse sigmoid, :math:`f(x) = \tfrac12\operatorname{clip}(x + 1, 0, 2)` (jax.nn).

    Derivative :math:`\tfrac12\mathbf 1_{|x| < 1}`; at :math:`x = \pm 1` it is 0, as Keras'
    torch/TensorFlow backends and torch's ``hardtanh``/``hardsigmoid`` give at their
    saturation points (jax returns 0.25 there, an artifact of ``clip`` splitting ties; 0 is
    a one-sided derivative, 0.25 is not).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("sparse_sigmoid")
    >>> x = np.array([-2.0, -1.0, 0.0, 0.5, 1.0])
    >>> act(x)
    array([0.  , 0.  , 0.5 , 0.75, 1.  ])
    >>> act.grad(x)
    array([0. , 0. , 0.5, 0.5, 0. ])
    """
    return 0.5 * xp.clip(x + 1, 0.0, 2.0)


def _sparse_sigmoid_grad(x, xp):
    return 0.5 * xp.step(1 - xp.abs(x))


define("sparse_sigmoid", forward=sparse_sigmoid, derivative=_sparse_sigmoid_grad,
       formula=r"f(x) = \tfrac12\operatorname{clip}(x + 1, 0, 2)", range="[0, 1]",
       bounded=(True, True), monotonic="non-decreasing", smoothness="C^0", f0="1/2", df0="1/2",
       kink="x = +-1: f' = 0 (keras torch/TF backends; jax 0.25)",
       reference="Blondel, Martins & Niculae 2020")


def exponential(x, xp):
    r"""Exponential activation, :math:`f(x) = e^x` (Keras ``exponential``).

    Derivative :math:`f'(x) = e^x`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("exponential")
    >>> x = np.array([-np.inf, 0.0, 1.0])
    >>> np.round(act(x), 6)
    array([0.      , 1.      , 2.718282])
    >>> np.round(act.grad(x), 6)
    array([0.      , 1.      , 2.718282])
    """
    return xp.exp(x)


def _torch_exp(x):
    """torch.exp(x)"""
    import torch
    return torch.exp(x)


define("exponential", forward=exponential, derivative=exponential, aliases=("exp",),
       torch_builtin=_torch_exp,
       formula=r"f(x) = e^{x}", range="(0, inf)", bounded=(False, True),
       monotonic="strictly increasing", smoothness="C^inf", f0="1", df0="1",
       reference="Keras (keras.activations.exponential)")
