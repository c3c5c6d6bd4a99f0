r"""Catalog-wide accuracy sweeps: every elementwise activation, implementation and dtype at once.

The chapter cross-check (:mod:`actlib.crosscheck`) studies one activation in float64 and
float32 on a dense grid.  The "across the catalog" chapter needs the same measurement for all
52 elementwise activations, four implementations and four dtypes, in seconds.  This module
reuses the cross-check's pieces (the adaptive-precision mpmath reference, :func:`actlib.crosscheck.ulp_errors`
and the three torch paths) and changes only what makes the sweep cheap and complete:

* one smaller grid (:func:`sweep_grid`): ±logspace(1e-8, 1e3) of bfloat16-representable
  magnitudes (so one point is the same number in every dtype), a few float32-representable
  ones with full mantissas (so float32/float64 are not tested on short binary fractions only),
  0, -0 and each kink with its neighbours in every dtype;
* each dtype tests the grid rounded to it, and the mpmath reference of f, f' and f'' is
  computed **once**, at the union of those rounded points, and shared by every implementation
  and dtype (:func:`accuracy_sweep`);
* bfloat16 is measured too (its ULP is float32's times :math:`2^{16}` in the normal range);
  NumPy has no bfloat16, so actlib's NumPy backend has no bfloat16 column;
* :func:`limits` compares each implementation at :math:`\pm\infty` and NaN with the exact limits
  that SymPy derives from the definition.

The unit is the cross-check's: ULP of ``max(|f(x)|, |x f'(x)|)`` in the tested dtype (of
``max(|f'|, |x f''|)`` for the derivative), with the plain ULP of f reported beside it.

>>> s = accuracy_sweep("sigmoid", dtypes=("float32",), n=8)
>>> s.max_ulp("actlib torch", "float32", "f") <= BOUNDS["float32"]
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .catalog import CHAPTERS as _SECTIONS
from .crosscheck import _mp_reference, _torch_paths, ulp_errors

__all__ = ["CHAPTERS", "DTYPES", "IMPLEMENTATIONS", "BOUNDS", "round_to", "sweep_grid",
           "Sweep", "accuracy_sweep", "limits", "Limits"]

#: the family chapters and their elementwise activations, in the order of their sections
#: (from :data:`actlib.catalog.CHAPTERS`, the one map of activations to sections)
CHAPTERS = {chapter: tuple(sections) for chapter, sections in _SECTIONS.items()
            if chapter != "vector"}
DTYPES = ("float64", "float32", "float16", "bfloat16")
IMPLEMENTATIONS = ("actlib numpy", "actlib torch", "torch builtin", "naive autograd")
#: actlib's bounds in ULP, the same as actlib's test suite (tests/ulp.py ``BOUND``)
BOUNDS = {"float64": 64.0, "float32": 8.0, "float16": 1.0, "bfloat16": 1.0}



def round_to(values, dtype: str) -> np.ndarray:
    """float64 values rounded to ``dtype`` (round to nearest even), returned as float64;
    bfloat16 through torch.

    >>> bool(round_to([1/3], "bfloat16")[0] == 0.333984375)
    True
    """
    v = np.asarray(values, dtype=np.float64)
    if dtype == "bfloat16":
        import torch

        return torch.from_numpy(v.copy()).to(torch.bfloat16).double().numpy()
    with np.errstate(over="ignore"):
        return v.astype(dtype).astype(np.float64)


def _neighbours(k: float, dtype: str) -> list:
    """``k`` rounded to ``dtype`` and its two neighbours in ``dtype``."""
    kk = float(round_to([k], dtype)[0])
    if dtype == "bfloat16":  # bfloat16 is the upper half of a float32's bits
        if kk == 0:
            step = 2.0 ** -133
            return [-step, kk, step]
        bits = np.array([kk], dtype=np.float32).view(np.int32)
        return [float((bits + d).view(np.float32)[0]) for d in (-0x10000, 0, 0x10000)]
    t = np.dtype(dtype).type
    return [float(np.nextafter(t(kk), t(-np.inf))), kk, float(np.nextafter(t(kk), t(np.inf)))]


def sweep_grid(kinks=(), n: int = 40, n_full: int = 12, lo: float = 1e-8,
               hi: float = 1e3) -> np.ndarray:
    """Sorted float64 grid: ±``n`` log-spaced bfloat16-representable magnitudes in [lo, hi]
    (lo and hi included), ±``n_full`` log-spaced float32-representable ones with full
    mantissas (a deterministic irrational offset), 0, -0 (after the negatives) and every kink
    with its neighbours in each of ``DTYPES``.

    >>> g = sweep_grid(kinks=[0.0], n=4, n_full=0)
    >>> bool(g[0] == -1e3 and np.signbit(g[g == 0]).any())
    True
    """
    m = round_to(np.logspace(math.log10(lo), math.log10(hi), n), "bfloat16")
    m[0], m[-1] = lo, hi
    t = np.linspace(math.log10(lo), math.log10(hi), n_full + 2)[1:-1] + 1 / (2 * math.pi * n)
    full = round_to(10.0 ** t, "float32")
    near = [v for k in kinks for dt in DTYPES for v in _neighbours(float(k), dt)]
    g = np.unique(np.concatenate([m, -m, full, -full, np.asarray(near, dtype=float)]))
    g = g[g != 0]
    return np.concatenate([g[g < 0], [-0.0, 0.0], g[g > 0]])


def _points(grid, dtype: str) -> np.ndarray:
    """The grid rounded to ``dtype``: distinct values, -0.0 and 0.0 both kept, sorted."""
    r = round_to(grid, dtype)
    zeros = [z for z in (-0.0, 0.0) if np.any((r == 0) & (np.signbit(r) == np.signbit(z)))]
    pts = np.unique(r[r != 0])
    return np.insert(pts, np.searchsorted(pts, 0.0), zeros)


def _key(v: float):
    return (float(v), bool(np.signbit(v)))


@dataclass
class Sweep:
    """Maximum errors (ULP) of every implementation of one activation in every dtype.

    ``rows``: ``(implementation, dtype, quantity, scaled max, plain max, x of the scaled max)``,
    quantity ``"f"`` or ``"f'"``; an implementation that does not exist (no torch builtin, no
    NumPy bfloat16) has no row."""

    name: str
    rows: list = field(default_factory=list)
    points: int = 0

    def max_ulp(self, implementation: str | None = None, dtype: str | None = None,
                quantity: str | None = None, plain: bool = False) -> float:
        """Largest error over the matching rows (``None`` matches any); NaN when none match."""
        vals = [r[4 if plain else 3] for r in self.rows
                if (implementation is None or r[0] == implementation)
                and (dtype is None or r[1] == dtype) and (quantity is None or r[2] == quantity)]
        return max(vals) if vals else float("nan")

    def worst_x(self, implementation: str, dtype: str, quantity: str) -> float:
        """The grid point of the largest scaled error of one cell (NaN where there is no row)."""
        hit = [r[5] for r in self.rows if r[:3] == (implementation, dtype, quantity)]
        return hit[0] if hit else float("nan")


def _ae_diff(e, symbol):
    import sympy

    return sympy.diff(e, symbol).replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)


def accuracy_sweep(name: str, dtypes=DTYPES, grid=None, n: int = 40, **params) -> Sweep:
    """Measure actlib NumPy, actlib torch (autograd backward), torch's builtin and autograd of
    the naive formula (the SymPy definition compiled to torch ops) against mpmath, for the
    value and the derivative in every dtype of ``dtypes``.

    ``grid`` defaults to :func:`sweep_grid` with the definition's breakpoints.  Each dtype
    tests the grid rounded to it; the reference (f and f' at 50 digits, f'' at 8 for the
    derivative's scale) is evaluated once at the union of the rounded points."""
    from . import get
    from .definitions import definition, x
    from .symbolic import breakpoints

    act = get(name, **params)
    f = definition(name)(**params)
    df = _ae_diff(f, x)
    d2f = _ae_diff(df, x)
    if grid is None:
        grid = sweep_grid([float(p) for p in breakpoints(f, x) if p.is_number], n=n)
    per_dtype = {dt: _points(grid, dt) for dt in dtypes}
    union = {}
    for pts in per_dtype.values():
        for p in pts:
            union.setdefault(_key(p), p)
    allpts = list(union.values())
    index = {k: i for i, k in enumerate(union)}
    ref_f = _mp_reference(f, x, allpts)
    ref_d = _mp_reference(df, x, allpts)
    # f'' is only a scale, but 8 digits are not enough: _mp_reference accepts an exact 0 from
    # 8 times its starting precision, and 8 + |x| digits * 8 cannot resolve 1 - tanh(u)^2 in
    # gelu_tanh's tail (x = -20.5 needs 280 digits); 20 digits start high enough
    ref_d2 = _mp_reference(d2f, x, allpts, digits=20)
    sweep = Sweep(act.name, points=len(allpts))
    for dt in dtypes:
        pts = per_dtype[dt]
        idx = [index[_key(p)] for p in pts]
        exact = {"f": [ref_f[i] for i in idx], "f'": [ref_d[i] for i in idx]}
        scale = {"f": [abs(pts[j] * ref_d[i]) for j, i in enumerate(idx)],
                 "f'": [abs(pts[j] * ref_d2[i]) for j, i in enumerate(idx)]}

        def add(path, quantity, values):
            scaled = ulp_errors(values, exact[quantity], dt, scale[quantity])
            plain = ulp_errors(values, exact[quantity], dt, None)
            i = int(np.argmax(scaled))
            sweep.rows.append((path, dt, quantity, float(scaled[i]), float(np.max(plain)),
                               float(pts[i])))

        if dt != "bfloat16":
            xs = pts.astype(dt)
            with np.errstate(all="ignore"):
                add("actlib numpy", "f", np.asarray(act(xs), dtype=np.float64))
                add("actlib numpy", "f'", np.asarray(act.grad(xs), dtype=np.float64))
        with np.errstate(all="ignore"):
            for path, fv, dv in _torch_paths(act, f, x, pts, dt, "cpu"):
                add(path, "f", fv)
                add(path, "f'", dv)
    return sweep


@dataclass
class Limits:
    """f(-inf), f(+inf), f(nan), f'(-inf), f'(+inf), f'(nan): the exact values (SymPy limits
    of the definition; NaN where there is no limit) and each implementation's, in one dtype."""

    name: str
    exact: tuple                                   # six floats
    computed: dict = field(default_factory=dict)   # implementation -> six floats

    COLUMNS = ("f(-inf)", "f(+inf)", "f(nan)", "f'(-inf)", "f'(+inf)", "f'(nan)")

    def mismatches(self, implementation: str) -> list:
        """The columns where ``implementation`` differs from the exact value (NaN = NaN)."""
        got = self.computed.get(implementation)
        if got is None:
            return []
        return [c for c, e, g in zip(self.COLUMNS, self.exact, got)
                if not ((math.isnan(e) and math.isnan(g)) or e == g)]


def _limit_value(expr, symbol, point) -> float:
    """The limit of ``expr`` at ±oo as a float (±inf allowed); NaN where there is none
    (an oscillating tail: SymPy gives AccumBounds)."""
    import sympy

    from .symbolic import _approach

    v = _approach(expr, symbol, point, -1 if point == sympy.oo else 1)
    if v in (sympy.oo, -sympy.oo):
        return float(v)
    if isinstance(v, sympy.AccumBounds) or not v.is_number or v.has(sympy.zoo, sympy.nan):
        return float("nan")
    return float(v)


def limits(name: str, dtype: str = "float32", **params) -> Limits:
    """Exact limits at ±inf (SymPy, from the definition) and NaN -> NaN, next to what actlib
    NumPy, actlib torch, torch's builtin and naive autograd return at -inf, +inf and NaN in
    ``dtype``.  The exact values are rounded to ``dtype`` (a limit beyond its range is inf)."""
    import sympy

    from . import get
    from .definitions import definition, x

    act = get(name, **params)
    f = definition(name)(**params)
    df = _ae_diff(f, x)
    ex = [_limit_value(f, x, -sympy.oo), _limit_value(f, x, sympy.oo), math.nan,
          _limit_value(df, x, -sympy.oo), _limit_value(df, x, sympy.oo), math.nan]
    ex = tuple(float(v) for v in round_to(ex, dtype))
    out = Limits(act.name, ex)
    pts = np.array([-np.inf, np.inf, np.nan])
    with np.errstate(all="ignore"):
        if dtype != "bfloat16":
            xs = pts.astype(dtype)
            out.computed["actlib numpy"] = tuple(
                np.concatenate([np.asarray(act(xs), dtype=float),
                                np.asarray(act.grad(xs), dtype=float)]).tolist())
        for path, fv, dv in _torch_paths(act, f, x, pts, dtype, "cpu"):
            if path == "naive autograd":  # its "+ 0 * x" makes every value at ±inf NaN
                fv, dv = _naive(f, x, pts, dtype)
            out.computed[path] = tuple(np.concatenate([fv, dv]).tolist())
    return out


def _naive(expr, symbol, pts, dtype):
    """Value and autograd derivative of the SymPy expression compiled to torch ops, with the
    output broadcast to the input's shape by adding zeros (not ``0 * x``, which is NaN at
    ±inf)."""
    import sympy
    import torch

    fn = sympy.lambdify(symbol, expr, modules="torch")
    xt = torch.tensor(pts, dtype=getattr(torch, dtype), requires_grad=True)
    y = fn(xt)
    y = (y if isinstance(y, torch.Tensor) else torch.tensor(y, dtype=xt.dtype)) \
        + torch.zeros_like(xt)
    g = torch.autograd.grad(y.sum(), xt, allow_unused=True)[0] if y.requires_grad else None
    g = torch.zeros_like(xt) if g is None else g
    return y.detach().double().numpy(), g.double().numpy()
