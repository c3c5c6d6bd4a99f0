"""mpmath reference (50 digits) for every activation of the catalog.

Written from the formulas in the course catalog, independently of actlib (this
module never imports it).  Each elementwise entry gives the value ``f(x, **p)``
and the derivative ``df(x, **p)`` at a finite ``mpf`` point, with the derivative
convention at kinks that torch's autograd uses (catalog, "Derivative conventions
at kinks"), and the list of kinks for the parameters.  Parameters have the names
and defaults actlib uses (torch's where torch has the function).

Formulas are written in forms that stay accurate at 50 digits everywhere we
evaluate them (e.g. ``1 + tanh(u) = 2 sigma(2u)``), including at the huge
argument used for the limits at infinity.

:func:`evaluate` maps a float64 array of points (NaN and +-inf included) to the
reference value and derivative as double-double (hi, lo) pairs, and the
conditioning scales (``|x f'(x)|`` and ``|x f''(x)|`` plus the parameters' share) used by the ULP rule of the
accuracy tests.  Results are cached per (name, params, points).
"""
from __future__ import annotations

import functools
import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import mpmath as mp
import numpy as np

mp.mp.dps = 50
M = mp.mpf
BIG = M(10) ** 400        # "infinity": every limit of the catalog is reached at 50 digits here
HUGE = M(10) ** 6         # tanh/erf of a larger argument are +-1 to far more than 50 digits
SQRT2 = mp.sqrt(2)
SELU_ALPHA = M("1.6732632423543772848170429916717")
SELU_SCALE = M("1.0507009873554804934193349852946")


# -- 50-digit helpers that also survive astronomically large arguments --------------------------
def exp(z):
    """e^z; beyond 1e1000 (reached only inside the limits at infinity) the overflow is exact."""
    if abs(z) > M(10) ** 1000:
        return mp.inf if z > 0 else M(0)
    return mp.exp(z)


def sig(z):
    """Logistic sigma(z) = 1/(1+e^{-z})."""
    return 1 / (1 + exp(-z))


def softplus(z):
    """log(1 + e^z), accurate in both tails."""
    return z + mp.log1p(exp(-z)) if z > 0 else mp.log1p(exp(z))


def tanh(z):
    return mp.sign(z) if abs(z) > HUGE else mp.tanh(z)


def sech2(z):
    """sech(z)^2 = 4 sigma(2z) sigma(-2z)."""
    return 4 * sig(2 * z) * sig(-2 * z)


def erf(z):
    return mp.sign(z) if abs(z) > HUGE else mp.erf(z)


def Phi(z):
    """Standard normal cdf, via erfc so the lower tail keeps its digits."""
    return mp.erfc(-z / SQRT2) / 2 if z > -HUGE else M(0)


def phi(z):
    return exp(-z * z / 2) / mp.sqrt(2 * mp.pi)


def step(c):
    return M(1) if c else M(0)


# -- registry ---------------------------------------------------------------------------------
@dataclass
class Ref:
    """Reference for one elementwise activation."""

    f: Callable
    df: Callable
    kinks: Callable = lambda **p: ()
    # limits at +-inf that do not exist (periodic functions): (f, df) -> True means NaN
    nan_at_inf: tuple = (False, False)
    odd: bool = False
    even: bool = False
    defaults: dict = field(default_factory=dict)


REF: dict[str, Ref] = {}


def ref(name, *, kinks=None, nan_at_inf=(False, False), odd=False, even=False, **defaults):
    """Register ``f`` (the decorated function) and its derivative ``f.d``."""
    def deco(f):
        def register(df):
            REF[name] = Ref(f, df, kinks or (lambda **p: ()), nan_at_inf, odd, even, defaults)
            return df
        f.d = register
        return f
    return deco


def _k(*vals):
    return lambda **p: vals


# sigmoidal ----------------------------------------------------------------------------------
@ref("identity", odd=True)
def _identity(x): return x
@_identity.d
def _(x): return M(1)


@ref("heaviside", kinks=_k(0), values=0.5)
def _heaviside(x, values=0.5): return M(values) if x == 0 else step(x > 0)
@_heaviside.d
def _(x, values=0.5): return M(0)


@ref("sign", kinks=_k(0), odd=True)
def _sign(x): return mp.sign(x)
@_sign.d
def _(x): return M(0)


@ref("sigmoid")
def _sigmoid(x): return sig(x)
@_sigmoid.d
def _(x): return sig(x) * sig(-x)


@ref("hardsigmoid", kinks=_k(-3, 3))
def _hardsigmoid(x): return min(max(x / 6 + M(1) / 2, M(0)), M(1))
@_hardsigmoid.d
def _(x): return M(1) / 6 if -3 < x < 3 else M(0)


@ref("logsigmoid")
def _logsigmoid(x): return -softplus(-x)
@_logsigmoid.d
def _(x): return sig(-x)


@ref("tanh", odd=True)
def _tanh(x): return tanh(x)
@_tanh.d
def _(x): return sech2(x)


@ref("hardtanh", kinks=lambda min_val=-1.0, max_val=1.0: (min_val, max_val),
     min_val=-1.0, max_val=1.0)
def _hardtanh(x, min_val=-1.0, max_val=1.0): return min(max(x, M(min_val)), M(max_val))
@_hardtanh.d
def _(x, min_val=-1.0, max_val=1.0): return step(min_val < x < max_val)


@ref("softsign", kinks=_k(0), odd=True)
def _softsign(x): return x / (1 + abs(x))
@_softsign.d
def _(x): return 1 / (1 + abs(x)) ** 2


# rectifiers ---------------------------------------------------------------------------------
@ref("relu", kinks=_k(0))
def _relu(x): return max(x, M(0))
@_relu.d
def _(x): return step(x > 0)


@ref("relu6", kinks=_k(0, 6))
def _relu6(x): return min(max(x, M(0)), M(6))
@_relu6.d
def _(x): return step(0 < x < 6)


@ref("leaky_relu", kinks=_k(0), negative_slope=0.01)
def _leaky(x, negative_slope=0.01): return x if x > 0 else negative_slope * x
@_leaky.d
def _(x, negative_slope=0.01): return M(1) if x > 0 else M(negative_slope)


@ref("prelu", kinks=_k(0), weight=0.25)
def _prelu(x, weight=0.25): return x if x > 0 else weight * x
@_prelu.d
def _(x, weight=0.25): return M(1) if x > 0 else M(weight)


def _rrelu_slope(lower, upper):
    return (M(lower) + M(upper)) / 2


@ref("rrelu", kinks=_k(0), lower=1 / 8, upper=1 / 3, training=False)
def _rrelu(x, lower=1 / 8, upper=1 / 3, training=False):
    return x if x >= 0 else _rrelu_slope(lower, upper) * x
@_rrelu.d
def _(x, lower=1 / 8, upper=1 / 3, training=False):
    return M(1) if x > 0 else _rrelu_slope(lower, upper)


@ref("threshold", kinks=lambda threshold=0.0, value=0.0: (threshold,), threshold=0.0, value=0.0)
def _threshold(x, threshold=0.0, value=0.0): return x if x > threshold else M(value)
@_threshold.d
def _(x, threshold=0.0, value=0.0): return step(x > threshold)


@ref("relu_squared", kinks=_k(0))
def _relu2(x): return max(x, M(0)) ** 2
@_relu2.d
def _(x): return 2 * max(x, M(0))


# exponential and soft rectifiers ------------------------------------------------------------
@ref("elu", kinks=_k(0), alpha=1.0)
def _elu(x, alpha=1.0): return x if x > 0 else alpha * mp.expm1(x)
@_elu.d
def _(x, alpha=1.0): return M(1) if x > 0 else alpha * exp(x)


@ref("celu", kinks=_k(0), alpha=1.0)
def _celu(x, alpha=1.0): return x if x > 0 else alpha * mp.expm1(x / alpha)
@_celu.d
def _(x, alpha=1.0): return M(1) if x > 0 else exp(x / alpha)


@ref("selu", kinks=_k(0))
def _selu(x): return SELU_SCALE * (x if x > 0 else SELU_ALPHA * mp.expm1(x))
@_selu.d
def _(x): return SELU_SCALE * (M(1) if x > 0 else SELU_ALPHA * exp(x))


@ref("softplus", kinks=lambda beta=1.0, threshold=20.0: (M(threshold) / beta,),
     beta=1.0, threshold=20.0)
def _softplus(x, beta=1.0, threshold=20.0):
    return x if beta * x > threshold else softplus(beta * x) / beta
@_softplus.d
def _(x, beta=1.0, threshold=20.0): return M(1) if beta * x > threshold else sig(beta * x)


@ref("squareplus", b=4.0)
def _squareplus(x, b=4.0):
    r = mp.sqrt(x * x + b)
    return (x + r) / 2 if x >= 0 else b / (2 * (r - x))
@_squareplus.d
def _(x, b=4.0):
    r = mp.sqrt(x * x + b)
    return (1 + x / r) / 2 if x >= 0 else b / (2 * r * (r - x))


@ref("sparse_plus", kinks=_k(-1, 1))
def _sparse_plus(x): return M(0) if x <= -1 else (x if x >= 1 else (x + 1) ** 2 / 4)
@_sparse_plus.d
def _(x): return min(max((x + 1) / 2, M(0)), M(1))


# gaussian- and self-gated -------------------------------------------------------------------
@ref("gelu", approximate="none")
def _gelu(x, approximate="none"):
    return _gelu_tanh(x) if approximate == "tanh" else x * Phi(x)
@_gelu.d
def _(x, approximate="none"):
    return REF["gelu_tanh"].df(x) if approximate == "tanh" else Phi(x) + x * phi(x)


_GT_A, _GT_C = mp.sqrt(2 / mp.pi), M("0.044715")


@ref("gelu_tanh")
def _gelu_tanh(x):  # x/2 (1 + tanh u) = x sigma(2u)
    return x * sig(2 * _GT_A * (x + _GT_C * x ** 3))
@_gelu_tanh.d
def _(x):
    u = _GT_A * (x + _GT_C * x ** 3)
    return sig(2 * u) + x * 2 * _GT_A * (1 + 3 * _GT_C * x * x) * sig(2 * u) * sig(-2 * u)


def _swish(x, beta):
    return x * sig(beta * x)


def _dswish(x, beta):
    s = sig(beta * x)
    return s * (1 + beta * x * sig(-beta * x))


@ref("quick_gelu")
def _quick_gelu(x): return _swish(x, M("1.702"))
@_quick_gelu.d
def _(x): return _dswish(x, M("1.702"))


@ref("silu")
def _silu(x): return _swish(x, 1)
@_silu.d
def _(x): return _dswish(x, 1)


@ref("swish", beta=1.0)
def _swishf(x, beta=1.0): return _swish(x, M(beta))
@_swishf.d
def _(x, beta=1.0): return _dswish(x, M(beta))


@ref("hardswish", kinks=_k(-3, 3))
def _hardswish(x): return x * min(max(x + 3, M(0)), M(6)) / 6
@_hardswish.d
def _(x): return M(0) if x <= -3 else ((2 * x + 3) / 6 if x < 3 else M(1))


@ref("mish")
def _mish(x): return x * tanh(softplus(x))
@_mish.d
def _(x):
    s = softplus(x)
    return tanh(s) + x * sech2(s) * sig(x)


@ref("hard_mish", kinks=_k(-2))
def _hard_mish(x): return x * min(max(x + 2, M(0)), M(2)) / 2
@_hard_mish.d
def _(x): return M(0) if x < -2 else (x + 1 if x < 0 else M(1))


_STAR_S, _STAR_B = 2 / 5 ** 0.5, -1 / 5 ** 0.5   # the paper's s = 2/sqrt 5, b = -1/sqrt 5


@ref("star_relu", kinks=_k(0), s=_STAR_S, b=_STAR_B)
def _star_relu(x, s=_STAR_S, b=_STAR_B): return s * max(x, M(0)) ** 2 + b
@_star_relu.d
def _(x, s=_STAR_S, b=_STAR_B): return 2 * s * max(x, M(0))


@ref("elish", kinks=_k(0))
def _elish(x): return x * sig(x) if x >= 0 else mp.expm1(x) * sig(x)
@_elish.d
def _(x):
    if x >= 0:
        return _dswish(x, 1)
    return exp(x) * sig(x) + mp.expm1(x) * sig(x) * sig(-x)


@ref("serf")
def _serf(x): return x * erf(softplus(x))
@_serf.d
def _(x):
    s = softplus(x)
    return erf(s) + x * 2 / mp.sqrt(mp.pi) * exp(-s * s) * sig(x)


# shrinkage ----------------------------------------------------------------------------------
@ref("tanhshrink", odd=True)
def _tanhshrink(x): return x - tanh(x)
@_tanhshrink.d
def _(x): return tanh(x) ** 2


@ref("softshrink", kinks=lambda lambd=0.5: (-lambd, lambd), odd=True, lambd=0.5)
def _softshrink(x, lambd=0.5): return mp.sign(x) * max(abs(x) - lambd, M(0))
@_softshrink.d
def _(x, lambd=0.5): return step(abs(x) > lambd)


@ref("hardshrink", kinks=lambda lambd=0.5: (-lambd, lambd), odd=True, lambd=0.5)
def _hardshrink(x, lambd=0.5): return x if abs(x) > lambd else M(0)
@_hardshrink.d
def _(x, lambd=0.5): return step(abs(x) > lambd)


# periodic and radial ------------------------------------------------------------------------
@ref("snake", nan_at_inf=(False, True), a=1.0)
def _snake(x, a=1.0): return x + mp.sin(a * x) ** 2 / a
@_snake.d
def _(x, a=1.0): return 1 + mp.sin(2 * a * x)


@ref("siren", nan_at_inf=(True, True), odd=True, w0=30.0)
def _siren(x, w0=30.0): return mp.sin(w0 * x)
@_siren.d
def _(x, w0=30.0): return w0 * mp.cos(w0 * x)


@ref("gaussian", even=True)
def _gaussian(x): return exp(-x * x)
@_gaussian.d
def _(x): return -2 * x * exp(-x * x)


@ref("laplace", mu=0.707107, sigma=0.282095)
def _laplace(x, mu=0.707107, sigma=0.282095): return Phi((x - mu) / M(sigma))
@_laplace.d
def _(x, mu=0.707107, sigma=0.282095): return phi((x - mu) / M(sigma)) / sigma


# others -------------------------------------------------------------------------------------
@ref("isru", odd=True, alpha=1.0)
def _isru(x, alpha=1.0): return x / mp.sqrt(1 + alpha * x * x)
@_isru.d
def _(x, alpha=1.0): return (1 + alpha * x * x) ** M(-1.5)


@ref("isrlu", kinks=_k(0), alpha=1.0)
def _isrlu(x, alpha=1.0): return x if x >= 0 else x / mp.sqrt(1 + alpha * x * x)
@_isrlu.d
def _(x, alpha=1.0): return M(1) if x >= 0 else (1 + alpha * x * x) ** M(-1.5)


@ref("bent_identity")
def _bent(x): return x * x / (2 * (mp.sqrt(x * x + 1) + 1)) + x
@_bent.d
def _(x): return x / (2 * mp.sqrt(x * x + 1)) + 1


@ref("lisht", even=True)
def _lisht(x): return x * tanh(x)
@_lisht.d
def _(x): return tanh(x) + x * sech2(x)


def _log_delta_exp(x, delta):
    """ln(delta + e^x) = logaddexp(ln delta, x)."""
    return x + mp.log1p(delta * exp(-x)) if x > 0 else mp.log(delta + exp(x))


@ref("tanhsoft", alpha=0.0, beta=0.6, gamma=1.0, delta=0.0)
def _tanhsoft(x, alpha=0.0, beta=0.6, gamma=1.0, delta=0.0):
    return tanh(alpha * x + beta * exp(gamma * x)) * _log_delta_exp(x, M(delta))
@_tanhsoft.d
def _(x, alpha=0.0, beta=0.6, gamma=1.0, delta=0.0):
    u = alpha * x + beta * exp(gamma * x)
    return (sech2(u) * (alpha + beta * gamma * exp(gamma * x)) * _log_delta_exp(x, M(delta))
            + tanh(u) / (delta * exp(-x) + 1))


@ref("tanhsoft1", alpha=0.87)
def _tanhsoft1(x, alpha=0.87): return tanh(alpha * x) * softplus(x)
@_tanhsoft1.d
def _(x, alpha=0.87): return alpha * sech2(alpha * x) * softplus(x) + tanh(alpha * x) * sig(x)


@ref("tanhsoft2", beta=0.6, gamma=1.0)
def _tanhsoft2(x, beta=0.6, gamma=1.0): return x * tanh(beta * exp(gamma * x))
@_tanhsoft2.d
def _(x, beta=0.6, gamma=1.0):
    e = beta * exp(gamma * x)
    return tanh(e) + x * sech2(e) * gamma * e


@ref("erfact", alpha=0.75, beta=0.75)
def _erfact(x, alpha=0.75, beta=0.75): return x * erf(alpha * exp(beta * x))
@_erfact.d
def _(x, alpha=0.75, beta=0.75):
    e = alpha * exp(beta * x)
    return erf(e) + x * 2 / mp.sqrt(mp.pi) * exp(-e * e) * beta * e


@ref("pserf", gamma=1.25, delta=0.85)
def _pserf(x, gamma=1.25, delta=0.85): return x * erf(gamma * softplus(delta * x))
@_pserf.d
def _(x, gamma=1.25, delta=0.85):
    s = softplus(delta * x)
    return erf(gamma * s) + x * 2 / mp.sqrt(mp.pi) * exp(-(gamma * s) ** 2) * gamma * delta * sig(delta * x)


# the reference code's default init, pade_optimized_leakyrelu (catalog entry 43)
PAU_A = (0.0335583603, 0.505000375, 1.65343934, 2.01001052, 0.931901999, 0.152424124)
PAU_B = (3.30847488e-06, 3.98021568, 5.12471206e-07, 0.301830109)


def _pau_parts(x, a, b):
    a = [M(v) for v in np.ravel(a)]
    b = [M(v) for v in np.ravel(b)]
    P = sum(c * x ** j for j, c in enumerate(a))
    dP = sum(j * c * x ** (j - 1) for j, c in enumerate(a) if j)
    Q = 1 + sum(abs(c) * abs(x) ** k for k, c in enumerate(b, 1))
    dQ = mp.sign(x) * sum(k * abs(c) * abs(x) ** (k - 1) for k, c in enumerate(b, 1))
    return P, dP, Q, dQ


@ref("pau", kinks=_k(0), a=PAU_A, b=PAU_B)
def _pau(x, a=PAU_A, b=PAU_B):
    P, _, Q, _ = _pau_parts(x, a, b)
    return P / Q
@_pau.d
def _(x, a=PAU_A, b=PAU_B):
    P, dP, Q, dQ = _pau_parts(x, a, b)
    return (dP * Q - P * dQ) / Q ** 2


@ref("sparse_sigmoid", kinks=_k(-1, 1))
def _sparse_sigmoid(x): return min(max((x + 1) / 2, M(0)), M(1))
@_sparse_sigmoid.d
def _(x): return M(1) / 2 if -1 < x < 1 else M(0)


@ref("exponential")
def _exponential(x): return exp(x)
@_exponential.d
def _(x): return exp(x)


# -- evaluation on float grids -----------------------------------------------------------------
def _dd(v) -> tuple[float, float]:
    """mpf -> double-double (hi, lo); overflow gives +-inf (lo 0)."""
    if mp.isnan(v):
        return math.nan, 0.0
    hi = float(v)
    if math.isinf(hi):
        return hi, 0.0
    return hi, float(v - M(hi))


def _limit(r: Ref, sign: int, p: dict) -> tuple[float, float]:
    fx = math.nan if r.nan_at_inf[0] else _dd(r.f(sign * BIG, **p))[0]
    dfx = math.nan if r.nan_at_inf[1] else _dd(r.df(sign * BIG, **p))[0]
    return fx, dfx


def _sensitivity(fn, x, p: dict, dfx=None):
    """|x d fn/dx| + sum over numeric parameters q of |q d fn/dq| (each entry of an array
    parameter separately): the change of ``fn`` under relative perturbations of its inputs, as made by rounding x
    and the parameters to the tested dtype.  ``dfx``, when given, is d fn/dx itself; otherwise
    one-sided differences at relative step 1e-30 are used, the smaller side taken so that at a
    kink (or with a kink-location parameter) the side the convention belongs to counts."""
    h = M(10) ** -30
    f0 = fn(x, **p)

    def side(g):
        try:
            return min(abs(g(1) - f0), abs(f0 - g(-1))) / h
        except (ValueError, ZeroDivisionError):
            return mp.inf

    if dfx is not None:
        total = abs(x * dfx)
    else:
        total = side(lambda s: fn(x * (1 + s * h), **p)) if x != 0 else M(0)
    for k, v in p.items():
        if isinstance(v, (bool, str)) or not np.any(v):
            continue
        if np.ndim(v) or isinstance(v, (list, tuple)):
            # coefficients (PAU): each is rounded on its own, so each counts on its own (the
            # classical componentwise condition of polynomial evaluation, sum_j |a_j x^j| / Q);
            # f is smooth in a coefficient away from 0, so one side suffices
            for j, t in enumerate(v):
                if t:
                    vj = [M(c) for c in v]
                    vj[j] *= 1 + h
                    total += abs(fn(x, **{**p, k: tuple(vj)}) - f0) / h
        else:
            total += side(lambda s, k=k, v=v: fn(x, **{**p, k: M(v) * (1 + s * h)}))
    return float(total)


_CACHE_DIR = Path(__file__).resolve().parent.parent / ".pytest_cache" / "actlib-oracle"


@functools.cache
def _source_key() -> str:
    return hashlib.sha256(Path(__file__).read_bytes() + mp.__version__.encode()).hexdigest()


@functools.cache
def _evaluate(name: str, params: tuple, xs: bytes):
    """The reference arrays, memoised per process and on disk (under .pytest_cache, keyed by
    this file's source, mpmath's version, the name, the parameters and the points)."""
    key = hashlib.sha256(f"{_source_key()}{name}{params!r}".encode() + xs).hexdigest()[:32]
    path = _CACHE_DIR / f"{name}-{key}.npy"
    try:
        out = np.load(path)
    except (OSError, ValueError):
        out = _compute(name, params, xs)
        try:
            _CACHE_DIR.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, out)
            os.replace(tmp, path)
        except OSError:
            pass
    out.setflags(write=False)
    return out


def _compute(name: str, params: tuple, xs: bytes):
    r = REF[name]
    p = dict(params)
    pts = np.frombuffer(xs, dtype=np.float64)
    out = np.empty((6, pts.size))
    for i, x in enumerate(pts.tolist()):
        if math.isnan(x):
            out[:, i] = (math.nan, 0, math.nan, 0, 0, 0)
        elif math.isinf(x):
            out[:, i] = (*(lambda a, b: (a, 0, b, 0))(*_limit(r, 1 if x > 0 else -1, p)), 0, 0)
        else:
            xm = M(x)
            dv = r.df(xm, **p)
            out[:, i] = (*_dd(r.f(xm, **p)), *_dd(dv), _sensitivity(r.f, xm, p, dv),
                         _sensitivity(r.df, xm, p))
    return out


def _hashable(p: dict) -> tuple:
    return tuple(sorted((k, tuple(np.ravel(v).tolist()) if np.ndim(v) or isinstance(v, (list, tuple))
                         else v) for k, v in p.items()))


def evaluate(name: str, x, **params) -> dict:
    """Reference on the float64 points ``x``: dict of arrays ``f_hi, f_lo, df_hi, df_lo``
    (double-double) and the conditioning scales ``fscale``, ``dscale`` (:func:`_sensitivity`)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    r = REF[name]
    p = {**r.defaults, **params}
    p = {k: v for k, v in p.items() if k in r.defaults}
    out = _evaluate(name, _hashable(p), x.tobytes())
    return dict(zip(("f_hi", "f_lo", "df_hi", "df_lo", "fscale", "dscale"), out))


def value(name: str, x: float, **params) -> float:
    """The reference value at one point, rounded to float64."""
    return float(evaluate(name, [x], **params)["f_hi"][0])


def derivative(name: str, x: float, **params) -> float:
    return float(evaluate(name, [x], **params)["df_hi"][0])


def kinks(name: str, **params) -> tuple:
    r = REF[name]
    p = {k: v for k, v in {**r.defaults, **params}.items() if k in r.defaults}
    return tuple(float(k) for k in r.kinks(**p))


# -- vector-valued --------------------------------------------------------------------------
def _split(v):
    n = len(v) // 2
    return v[:n], v[n:]


def _softmax(v):
    m = max(v)
    e = [exp(z - m) for z in v]
    s = mp.fsum(e)
    return [t / s for t in e]


def _sparsemax(v):
    z = sorted(v, reverse=True)
    cum, k, ksum = M(0), 0, M(0)
    for i, zi in enumerate(z, 1):
        cum += zi
        if 1 + i * zi > cum:
            k, ksum = i, cum
    tau = (ksum - 1) / k
    return [max(t - tau, M(0)) for t in v]


def _glu_family(act):
    def f(v):
        a, b = _split(v)
        return [act(ai) * bi for ai, bi in zip(a, b)]
    return f


def _gated(gate):
    def f(v):
        a, b = _split(v)
        return [ai * gate(bi) for ai, bi in zip(a, b)]
    return f


def _maxout(k):
    def f(v):
        return [max(v[i:i + k]) for i in range(0, len(v), k)]
    return f


VECTOR: dict[str, Callable] = {
    "softmax": lambda v, **p: _softmax(v),
    "log_softmax": lambda v, **p: [z - max(v) - mp.log(mp.fsum(exp(t - max(v)) for t in v))
                                   for z in v],
    "softmin": lambda v, **p: _softmax([-z for z in v]),
    "sparsemax": lambda v, **p: _sparsemax(v),
    "glu": lambda v, **p: _gated(sig)(v),
    "reglu": lambda v, **p: _glu_family(lambda a: max(a, M(0)))(v),
    "geglu": lambda v, approximate="none", **p: _glu_family(lambda a: _gelu(a, approximate))(v),
    "swiglu": lambda v, **p: _glu_family(lambda a: a * sig(a))(v),
    "bilinear": lambda v, **p: _glu_family(lambda a: a)(v),
    "crelu": lambda v, **p: [max(z, M(0)) for z in v] + [max(-z, M(0)) for z in v],
    "maxout": lambda v, k=2, **p: _maxout(int(k))(v),
}


def _jacobian(f, v, h):
    cols = []
    for j in range(len(v)):
        up = list(v); up[j] += h
        dn = list(v); dn[j] -= h
        cols.append([(a - b) / (2 * h) for a, b in zip(f(up), f(dn))])
    return [[cols[j][i] for j in range(len(v))] for i in range(len(cols[0]))]


def vector_reference(name: str, v, g, **params) -> dict:
    """Reference for a vector-valued activation on one 1-D slice ``v`` with cotangent ``g``:
    ``y = f(v)``, ``vjp = g^T J``, the Jacobian ``J[i][j] = df_i/dv_j`` (50-digit central
    differences at step 1e-20: error ~1e-40), and the conditioning scales of the ULP rule
    (tests/ulp.py) per output entry: ``yscale_i = sum_j |v_j J_ij|`` and
    ``vscale_j = sum_i |g_i J_ij| + sum_k |v_k d(vjp_j)/dv_k|``."""
    f = lambda u: VECTOR[name](u, **params)
    v = [M(t) for t in v]
    g = [M(t) for t in g]
    y = f(v)
    J = _jacobian(f, v, M(10) ** -20)
    vjp = lambda u: [mp.fsum(gi * Ji[j] for gi, Ji in zip(g, _jacobian(f, u, M(10) ** -20)))
                     for j in range(len(u))]
    vj = vjp(v)
    H = _jacobian(vjp, v, M(10) ** -12)   # d vjp_j / d v_k, only for the scale
    return {
        "y": np.array([float(t) for t in y]), "vjp": np.array([float(t) for t in vj]),
        "J": np.array([[float(t) for t in row] for row in J]),
        "yscale": np.array([float(mp.fsum(abs(vk * Jik) for vk, Jik in zip(v, row))) for row in J]),
        "vscale": np.array([float(mp.fsum(abs(gi * J[i][j]) for i, gi in enumerate(g))
                                  + mp.fsum(abs(v[k] * H[j][k]) for k in range(len(v))))
                            for j in range(len(v))]),
    }
