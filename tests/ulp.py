"""Test grids and the ULP error measure used by the accuracy tests.

Error rule
----------
The error of a computed value ``y`` against the exact ``f`` (50-digit mpmath,
held as a double-double) is measured in units in the last place of the tested
dtype::

    err = |y - f| / ulp_T(max(|f|, s_f)),     s_f = |x f'(x)| + sum_q |q df/dq|      (value)
    err = |y' - f'| / ulp_T(max(|f'|, s_d)),  s_d = |x f''(x)| + sum_q |q df'/dq|    (derivative)

where ``ulp_T(v)`` is the spacing of dtype ``T`` at ``v`` (subnormal spacing
below the normal range; the smallest subnormal at 0).

Why the scale: ``|x f'(x)| u`` is the change of ``f`` caused by a
relative perturbation ``u`` of its argument, i.e. the error that even a correctly
rounded evaluation of any intermediate ``c x`` (``beta x``, ``x / sqrt 2``,
``omega_0 x``) necessarily makes.  actlib computes in the tested dtype, so the
parameters are rounded to it too: the scale also includes ``sum_q |q df/dq|`` over
numeric parameters ``q`` (``x - mu`` in laplace, the slope of leaky_relu), and the
same with ``f'`` for the derivative (tests/oracle.py, ``_sensitivity``).  It equals ``|f|`` times the
relative condition number of ``f`` at ``x``, so it matters only where the problem
itself is ill-conditioned: at interior zeros of ``f`` or ``f'`` that are not at
``x = 0`` (GELU's minimum, the zeros of ``sin(30 x)``), and in exponential tails
(``sigmoid(-700)``, relative condition 700).  Where ``f`` or ``f'`` is exactly 0
(``relu(-1)``, ``sparse_plus'(-2)``), or tends to 0 together with ``x`` at the origin
(``tanhshrink(x) ~ x^3/3``, where ``x f' ~ 3 f``), the rule grants nothing: an
exact zero must come out as 0 and a small value near ``x = 0`` must be
relatively accurate.  The rule is the same for every activation; nothing is tuned
per activation.

Underflow: where ``|f|`` is below the smallest normal number ``tiny_T``
of ``T`` the unit is ``tiny_T`` itself, i.e. flush-to-zero semantics: a subnormal
result may come out as 0 (as scipy's ``expit`` and torch's ``sigmoid`` do), but
anything of normal size where the exact result is subnormal still fails.  This
rule is global too.

At +-inf the result must equal the limit exactly; NaN must map to NaN.
"""
from __future__ import annotations

import numpy as np

# (precision p in bits incl. the implicit one, minimum normal exponent, maximum exponent)
FORMATS = {"float64": (53, -1022, 1023), "float32": (24, -126, 127), "float16": (11, -14, 15),
           "bfloat16": (8, -126, 127)}
BOUND = {"float64": 64.0, "float32": 8.0, "float16": 1.0, "bfloat16": 1.0}
HALF = ("float16", "bfloat16")


def ulp(v, dtype: str) -> np.ndarray:
    """Spacing of ``dtype`` at |v| (float64 array in, float64 array out); beyond the largest
    finite number (and at inf) the spacing of the largest binade."""
    p, emin, emax = FORMATS[dtype]
    v = np.abs(np.asarray(v, dtype=np.float64))
    _, e = np.frexp(np.where(np.isfinite(v), v, 0.0))
    e = np.where(np.isinf(v), emax, np.clip(e - 1, emin, emax))
    return np.ldexp(1.0, e - (p - 1))


def round_to(v, dtype: str) -> np.ndarray:
    """float64 values rounded to ``dtype`` (returned as float64)."""
    v = np.asarray(v, dtype=np.float64)
    if dtype == "bfloat16":
        import torch
        return torch.from_numpy(v.copy()).to(torch.bfloat16).double().numpy()
    with np.errstate(over="ignore"):  # overflow to +-inf is the correct rounding
        return v.astype(dtype).astype(np.float64)


def ulp_error(y, hi, lo, scale, dtype: str) -> np.ndarray:
    """Elementwise error of ``y`` (float64 copy of the tested values) in ULP of ``dtype``
    under the rule of the module docstring; inf where NaN/inf disagree."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        tiny = np.ldexp(1.0, FORMATS[dtype][1])
        unit = ulp(np.maximum(np.abs(hi), scale), dtype)
        err = np.abs((y - hi) - lo) / np.where(np.abs(hi) < tiny, np.maximum(unit, tiny), unit)
        exact_t = round_to(hi, dtype)
        special = ~np.isfinite(exact_t) | ~np.isfinite(y)
        same = (y == exact_t) | (np.isnan(y) & np.isnan(exact_t))
    return np.where(special, np.where(same, 0.0, np.inf), err)


def _log_magnitudes(n: int, lo: float, hi: float, seed: int) -> np.ndarray:
    """n log-spaced magnitudes in [lo, hi] with a deterministic jitter (so the points are not
    all short binary fractions)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(np.log(lo), np.log(hi), n) + rng.uniform(-0.5, 0.5, n) * (
        np.log(hi / lo) / n)
    return np.exp(np.clip(t, np.log(lo), np.log(hi)))


SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan])


def base_grid(n32: int = 560, n64: int = 160, nhalf: int = 240) -> np.ndarray:
    """+-1e-8..+-1e3: float32-representable points (used by float64 and float32), full-precision
    float64 points, and bfloat16-representable points (used by the half dtypes)."""
    m32 = round_to(_log_magnitudes(n32, 1e-8, 1e3, 1), "float32")
    m64 = _log_magnitudes(n64, 1e-8, 1e3, 2)
    mh = round_to(_log_magnitudes(nhalf, 1e-8, 1e3, 3), "bfloat16")
    m = np.concatenate([m32, m64, mh, [1e-8, 1e3, 0.5, 1.0, 2.0, 3.0]])
    return np.concatenate([m, -m])


def kink_points(kinks) -> np.ndarray:
    """Each kink and its neighbours (nextafter on both sides) in every tested dtype."""
    pts = []
    for k in kinks:
        for dt in FORMATS:
            kk = round_to(k, dt)[()]
            step = ulp(kk, dt)[()]
            # the neighbour below a power of two is half an ulp away
            below = kk - (step / 2 if kk != 0 and np.frexp(abs(kk))[0] == 0.5 and kk > 0 else step)
            above = kk + (step / 2 if kk != 0 and np.frexp(abs(kk))[0] == 0.5 and kk < 0 else step)
            pts += [kk, below, above]
    return np.asarray(pts, dtype=np.float64)


def grid_for(kinks=()) -> np.ndarray:
    """The sorted union of the base grid, the kink neighbourhoods and the special values."""
    g = np.concatenate([base_grid(), kink_points(kinks)])
    g = np.unique(g)                       # drops -0.0 duplicates and NaN duplicates
    return np.concatenate([g[np.isfinite(g)], SPECIALS])


def representable(x, dtype: str) -> np.ndarray:
    """Mask of points exactly representable in ``dtype`` (specials included)."""
    with np.errstate(all="ignore"):
        r = round_to(x, dtype)
    return (r == x) | np.isnan(x)
