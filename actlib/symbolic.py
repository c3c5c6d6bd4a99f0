"""Small SymPy helpers the chapters share: proofs of identities and derived properties.

Everything here works on a SymPy expression ``f`` in one real symbol ``x``; nothing
here knows how actlib computes an activation (that independence is the point).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

__all__ = ["prove_equal", "one_sided", "breakpoints", "continuity_class", "properties",
           "piecewise_range", "monotonicity", "stationary_points", "Derived", "derive"]


def prove_equal(a, b, x=None) -> bool:
    r"""True when SymPy proves :math:`a - b \equiv 0` symbolically.

    Tries ``simplify`` of the difference and of its rewritings (in exponentials, in erf,
    folded into one Piecewise; a rewriting that changes nothing is skipped), then branch by branch (each branch of the
    folded difference zero on the region where it applies; ``x`` names the variable of the
    conditions when they contain other symbols), then, when ``x`` is given, by the sign
    of x (x > 0, x < 0, x = 0 separately).
    A ``False`` means "not proved", never "proved different".
    """
    diff = sp.sympify(a) - sp.sympify(b)
    forms = [lambda e: e,
             lambda e: e.rewrite(sp.exp),
             lambda e: e.rewrite(sp.erf),
             lambda e: sp.piecewise_fold(e).rewrite(sp.exp),
             lambda e: sp.expand(sp.powsimp(e.rewrite(sp.exp))),
             lambda e: sp.piecewise_fold(e.rewrite(sp.Piecewise))]
    tried = set()
    for form in forms:
        e = form(diff)
        if e in tried:  # a rewrite that changed nothing: simplify already failed on it
            continue
        tried.add(e)
        if e == 0 or sp.simplify(e) == 0:
            return True
    return _zero_on_every_branch(diff, x) or (x is not None and _zero_by_sign(diff, x))


def _zero_by_sign(diff, x) -> bool:
    """Whether ``diff`` simplifies to 0 for x = r, x = -r (any r > 0) and x = 0: a proof for
    every real x when the breakpoints sit at 0 (otherwise the conditions stay undecided and
    the answer is False)."""
    r = sp.Dummy("r", positive=True)
    return all(sp.simplify(sp.piecewise_fold(diff.subs(x, case))) == 0 for case in (r, -r, 0))


def _zero_on_every_branch(diff, x=None) -> bool:
    """Whether each branch of the Piecewise ``diff`` simplifies to 0 on the region where it
    applies (a branch that applies at isolated points is evaluated there)."""
    folded = sp.piecewise_fold(diff.rewrite(sp.Piecewise))
    if not isinstance(folded, sp.Piecewise):
        return False
    if x is None:
        symbols = set().union(*(c.free_symbols for _, c in folded.args))
        if len(symbols) != 1:
            return False
        (x,) = symbols
    try:
        branches = _branches(folded, x)
    except (NotImplementedError, TypeError, ValueError):
        return False
    for e, region in branches:
        points = region if isinstance(region, sp.FiniteSet) else None
        if points is not None:
            if any(sp.simplify(e.subs(x, p)) != 0 for p in points):
                return False
        elif sp.simplify(e) != 0:
            return False
    return True


_h = sp.Symbol("h", positive=True)


def _approach(expr, x, point, side):
    """Limit of ``expr`` as x approaches ``point`` (finite or ±oo) from ``side`` (-1 or +1).

    Substituting x = point ± h (or ∓1/h at infinity) with h > 0 lets SymPy decide
    every Piecewise condition before taking the limit h -> 0+, which plain
    ``sp.limit`` does not do reliably at a breakpoint.
    """
    expr = sp.sympify(expr).rewrite(sp.Piecewise)
    if point in (sp.oo, -sp.oo):
        sub = (1 if point == sp.oo else -1) / _h
        folded = _eventual_branches(sp.piecewise_fold(expr).subs(x, sub))
        value = sp.limit(folded, _h, 0, "+")
        if folded.has(sp.erf):
            # SymPy's limit of erf(a (x - b)) with large rationals a, b can come out with the
            # wrong sign; the erfc form does not: take the one the far tail agrees with
            other = sp.limit(folded.rewrite(sp.erfc), _h, 0, "+")
            if other != value:
                far = sp.N(folded.subs(_h, sp.Rational(1, 10 ** 4)), 30)
                value = min((value, other), key=lambda v: abs(sp.N(v - far, 30))
                            if v.is_finite else (0 if abs(far) > 1e3 else sp.oo))
        return value
    sub = point + side * _h
    folded = sp.piecewise_fold(expr).subs(x, sub)
    return sp.limit(folded, _h, 0, "+")


def _eventually(cond) -> bool:
    """Truth of a Piecewise condition in ``_h`` for all small enough h > 0."""
    if cond in (sp.true, sp.false):
        return bool(cond)
    if isinstance(cond, (sp.And, sp.Or)):
        values = [_eventually(c) for c in cond.args]
        return all(values) if isinstance(cond, sp.And) else any(values)
    if isinstance(cond, sp.Not):
        return not _eventually(cond.args[0])
    gap = sp.limit(cond.lhs - cond.rhs, _h, 0, "+")
    if gap == 0 or not (gap.is_extended_real and gap.is_number):
        raise ValueError(f"cannot decide {cond} as h -> 0+")
    return bool(cond.func(gap, 0))


def _eventual_branches(expr):
    """Replace every Piecewise by its branch that holds as h -> 0+ (x = ±1/h, i.e. x -> ±oo):
    SymPy's limit cannot see through a condition such as 1/h < 6 by itself."""
    def branch(pw):
        return next(e for e, c in pw.args if _eventually(c))
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), branch)


def one_sided(expr, x, point):
    """Left and right limits of ``expr`` at ``point``."""
    return _approach(expr, x, point, -1), _approach(expr, x, point, 1)


def breakpoints(expr, x) -> tuple:
    """The real points where ``expr`` may fail to be smooth, read off the expression itself:
    the boundaries of every Piecewise condition and the zeros of the arguments of Abs,
    sign and Heaviside, and of the differences of the arguments of Max and Min.

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> breakpoints(sp.Abs(x - 1) + sp.Max(0, x), x)
    (0, 1)
    """
    expr = sp.sympify(expr)
    candidates = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                rels = [cond] if isinstance(cond, sp.core.relational.Relational) else \
                    list(cond.atoms(sp.core.relational.Relational)) if cond not in (sp.true, sp.false) else []
                candidates += [r.lhs - r.rhs for r in rels]
        elif isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            candidates.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            args = node.args
            candidates += [a - b for i, a in enumerate(args) for b in args[i + 1:]]
    points = set()
    for c in candidates:
        if x not in c.free_symbols:
            continue
        zeros = sp.solveset(c, x, sp.S.Reals)
        if not isinstance(zeros, sp.FiniteSet):
            raise ValueError(f"cannot isolate the breakpoints where {c} = 0")
        points |= set(zeros)
    return tuple(sorted(points, key=lambda p: float(p) if p.is_number else 0.0))


def _branch_near(expr, x, point, side):
    """The analytic expression that ``expr`` equals on (point, point + h) (side +1) or
    (point - h, point) (side -1) for small h > 0."""
    folded = sp.piecewise_fold(sp.sympify(expr).rewrite(sp.Piecewise))
    t = point + side * _h

    def branch(pw):
        for e, c in pw.args:
            if _eventually(c.subs(x, t)):
                return e
        raise ValueError(f"no branch of {pw} holds next to {point}")
    return folded.replace(lambda e: isinstance(e, sp.Piecewise), branch)


def continuity_class(expr, x, breakpoints=None, max_order: int = 12) -> str:
    r"""Smoothness class of a piecewise-analytic ``expr`` on the real line.

    ``"discontinuous"`` if ``expr`` jumps (or its value at a breakpoint differs from its
    limits), ``"C^k"`` when the k-th derivative is the highest that is continuous at every
    breakpoint, ``"C^inf"`` when every breakpoint joins two branches that are the same
    analytic function (or there are none).  The breakpoints are read off the expression
    (:func:`breakpoints`) unless given.  Two different analytic branches differ in some
    derivative; if none up to ``max_order`` differs, ``ValueError`` (undecided).

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> continuity_class(sp.Abs(x), x), continuity_class(sp.sign(x), x)
    ('C^0', 'discontinuous')
    """
    expr = sp.sympify(expr)
    points = globals()["breakpoints"](expr, x) if breakpoints is None else tuple(breakpoints)
    worst = None
    for p in points:
        left, right = one_sided(expr, x, p)
        value = sp.piecewise_fold(expr.rewrite(sp.Piecewise)).subs(x, p)
        if sp.simplify(left - right) != 0 or sp.simplify(value - left) != 0:
            return "discontinuous"
        a, b = _branch_near(expr, x, p, -1), _branch_near(expr, x, p, 1)
        if prove_equal(a, b, x):
            continue
        da, db = a, b
        for k in range(1, max_order + 1):
            da, db = sp.diff(da, x), sp.diff(db, x)
            if sp.simplify(sp.limit(da - db, x, p)) != 0:
                worst = k - 1 if worst is None else min(worst, k - 1)
                break
        else:
            raise ValueError(f"branches at {p} agree in {max_order} derivatives: undecided")
    return "C^inf" if worst is None else f"C^{worst}"


def properties(expr, x) -> dict:
    """Limits at ±inf, f(0) and the one-sided f'(0) of ``expr``, simplified."""
    d = sp.diff(expr, x)
    left, right = one_sided(d, x, 0)
    return {
        "f(-oo)": _approach(expr, x, -sp.oo, 1),
        "f(+oo)": _approach(expr, x, sp.oo, -1),
        "f(0)": sp.simplify(expr.subs(x, 0)),
        "f'(0-)": sp.simplify(left),
        "f'(0+)": sp.simplify(right),
    }


def _branches(expr, x, domain=sp.S.Reals):
    """(branch, region) pairs of a (folded) Piecewise, each region where that branch applies."""
    expr = sp.piecewise_fold(sp.sympify(expr).rewrite(sp.Piecewise))
    pairs = expr.args if isinstance(expr, sp.Piecewise) else ((expr, sp.true),)
    out, left = [], domain
    for e, c in pairs:
        region = left.intersect(c.as_set() if c is not sp.true else domain)
        left = left - region
        if region is not sp.S.EmptySet:
            out.append((e, region))
    return out


def piecewise_range(expr, x, domain=sp.S.Reals):
    """Image of ``expr`` over ``domain``: the union over Piecewise branches of each branch's
    image on the region where it applies (``function_range`` per branch)."""
    from sympy.calculus.util import function_range

    image = sp.S.EmptySet
    for e, region in _branches(expr, x, domain):
        if _inexact_argument(e):
            raise NotImplementedError(f"function_range can run for minutes on {e}")
        if isinstance(region, sp.FiniteSet):
            image = image.union(sp.FiniteSet(*(e.subs(x, p) for p in region)))
        else:
            image = image.union(function_range(e, x, region))
    return image


def _ae_diff(expr, x):
    """f' almost everywhere: the DiracDelta of a jump is dropped (jumps are judged separately)."""
    return sp.diff(expr, x).replace(sp.DiracDelta, lambda *a: sp.S.Zero)


def monotonicity(expr, x, breakpoints=None) -> str:
    """"strictly increasing", "non-decreasing" or "not monotonic" for a piecewise-smooth
    ``expr``, from the image of f' (its sign), the branches where f' vanishes on an
    interval, and the sign of the jump of f at each breakpoint."""
    points = globals()["breakpoints"](expr, x) if breakpoints is None else tuple(breakpoints)
    jumps_up = all(sp.simplify(r - l).is_nonnegative
                   for l, r in (one_sided(expr, x, p) for p in points))
    slopes = piecewise_range(_ae_diff(expr, x), x)
    if not (jumps_up and slopes.is_subset(sp.Interval(0, sp.oo))):
        return "not monotonic"
    flat = any(e == 0 and region.measure > 0 for e, region in _branches(_ae_diff(expr, x), x))
    return "non-decreasing" if flat else "strictly increasing"


def _regions(expr, x):
    """(analytic branch, open interval) pairs covering the real line minus the breakpoints."""
    points = [p for p in breakpoints(expr, x) if p.is_number]
    edges = [-sp.oo, *points, sp.oo]
    out = []
    for a, b in zip(edges, edges[1:]):
        mid = (a + b) / 2 if a.is_finite and b.is_finite else (b - 1 if a == -sp.oo and b.is_finite
                                                              else a + 1 if a.is_finite else 0)
        out.append((_branch_at(expr, x, mid), sp.Interval.open(a, b)))
    return out


def _branch_at(expr, x, point):
    """The analytic expression that ``expr`` equals near an interior point of a region."""
    folded = sp.piecewise_fold(sp.sympify(expr).rewrite(sp.Piecewise))
    return folded.replace(lambda e: isinstance(e, sp.Piecewise),
                          lambda pw: next(e for e, c in pw.args if c.subs(x, point) == sp.true))


def _numeric_zeros(g, x, region, span=60.0, n=2401):
    """Sign changes of the analytic ``g`` in ``region`` ∩ [-span, span], located on a grid and
    refined by bisection-safe root finding in mpmath (a located root, not a proof; a zero
    where ``g`` touches 0 without changing sign is not found)."""
    import mpmath
    import numpy as np

    lo = max(float(region.start), -span) if region.start.is_finite else -span
    hi = min(float(region.end), span) if region.end.is_finite else span
    f = sp.lambdify(x, g, "mpmath")
    ts = np.linspace(lo, hi, n)[1:-1]
    roots = []
    with mpmath.workdps(30):
        try:  # the grid in float64 (fast); mpmath where float64 gives no sign
            with np.errstate(all="ignore"):
                vals = np.broadcast_to(sp.lambdify(x, g, ["scipy", "numpy"])(ts), ts.shape).copy()
        except (TypeError, NameError, AttributeError):
            vals = np.full(ts.shape, np.nan)
        bad = ~np.isfinite(vals) | (vals == 0)
        vals = [f(mpmath.mpf(t)) if b else v for t, v, b in zip(ts, vals, bad)]
        signed = [(t, v) for t, v in zip(ts, vals) if v != 0]  # a 0 says nothing (underflow)
        for (a, fa), (b, fb) in zip(signed, signed[1:]):
            if fa * fb < 0:
                r = sp.Float(mpmath.findroot(f, (a, b), solver="anderson"), 20)
                roots.append(_snapped(g, x, r))
    return roots


def _snapped(g, x, r):
    """A simple exact number (0, 1/2, pi/4, ...) within 1e-12 of the located root ``r`` where
    ``g`` vanishes there exactly; else ``r`` itself."""
    snap = sp.nsimplify(r, [sp.pi], tolerance=1e-12)
    if sp.count_ops(snap) > 4 or snap.is_Float:
        return r
    with_value = g.subs(x, snap)
    if abs(sp.N(with_value, 30)) > 1e-25:
        return r
    return snap if sp.simplify(with_value) == 0 else r


_TRANSCENDENTAL = (sp.exp, sp.log, sp.erf, sp.erfc, sp.tanh, sp.cosh, sp.sinh, sp.LambertW)


def _inexact_argument(e) -> bool:
    """Whether a transcendental function in ``e`` has a decimal constant in its argument, as
    a Float or as an exact rational with a denominator above 100 (gelu_tanh's 0.044715,
    quick_gelu's 1.702 = 851/500): SymPy's solvers and ``function_range`` can run for minutes
    on those, so they are handled numerically.

    >>> x = sp.Symbol("x", real=True)
    >>> _inexact_argument(sp.exp(-sp.Rational(851, 500) * x)), _inexact_argument(sp.exp(-x))
    (True, False)
    """
    return any(r.is_Float or (r.is_Rational and r.q > 100)
               for f in sp.sympify(e).atoms(*_TRANSCENDENTAL) for r in f.args[0].atoms(sp.Number))


def _solvable(d, x) -> bool:
    """Whether ``solveset`` is worth running on f' = ``d``: not on transcendental functions, nor
    on a rational function whose numerator has degree above 4 (no radicals; PAU's f')."""
    if d.has(*_TRANSCENDENTAL):
        return False
    numerator = sp.numer(sp.together(d))
    return not (numerator.is_polynomial(x) and sp.degree(numerator, x) > 4)


def stationary_points(expr, x):
    """Points where f' = 0 inside the smooth pieces of ``expr``: ``(points, exact)``.

    Solved exactly by ``solveset`` where it can; otherwise located numerically
    (``exact`` is then False).  An infinite solution set (a periodic f) is returned as
    SymPy's set.
    """
    points, exact = [], True
    for e, region in _regions(expr, x):
        d = sp.diff(e, x)
        if d.free_symbols != {x}:
            continue
        # solveset is fast and exact on low-degree polynomials and trigonometric functions, and
        # can run for minutes on exponentials with decimal constants (quick_gelu's 1.702) or on
        # high-degree rational functions (PAU): those go numeric
        zeros = sp.solveset(d, x, region) if _solvable(d, x) \
            else sp.ConditionSet(x, sp.Eq(d, 0), region)
        if isinstance(zeros, sp.FiniteSet):
            points += list(zeros)
        elif zeros is sp.S.EmptySet:
            continue
        elif isinstance(zeros, (sp.ConditionSet,)) or not zeros.is_iterable:
            found = _numeric_zeros(d, x, region)
            points += found
            exact = exact and all(not p.is_Float for p in found)
        else:
            return zeros, exact
    return sorted(points, key=float), exact


@dataclass(frozen=True)
class Derived:
    """Properties of an activation derived from its SymPy expression alone."""

    breakpoints: tuple
    limits: tuple            # (f(-oo), f(+oo))
    f0: Any
    df0: tuple               # one-sided (f'(0-), f'(0+))
    range: Any               # a SymPy set
    bounded_above: bool
    bounded_below: bool
    monotonic: str
    smoothness: str
    extrema: tuple           # ((x*, f(x*), "minimum" | "maximum"), ...): stationary points of f
    exact: bool = True       # False when a stationary point was located numerically

    def as_rows(self):
        """(property, value) pairs in reading order, values as short strings."""
        def fmt(v):
            return sp.sstr(v) if isinstance(v, sp.Basic) else str(v)
        rows = [("f(-oo), f(+oo)", f"{fmt(self.limits[0])}, {fmt(self.limits[1])}"),
                ("range", _set_text(self.range)),
                ("bounded above / below", f"{_yes(self.bounded_above)} / {_yes(self.bounded_below)}"),
                ("f(0)", fmt(self.f0)),
                ("f'(0-), f'(0+)", f"{fmt(self.df0[0])}, {fmt(self.df0[1])}"),
                ("monotonic", self.monotonic), ("smoothness", self.smoothness),
                ("breakpoints", ", ".join(fmt(p) for p in self.breakpoints) or "none")]
        if self.extrema:
            rows.append(("extrema", "; ".join(
                f"{kind} {_short(v)} at x = {_short(p)}" for p, v, kind in self.extrema)))
        return rows


def _yes(b):
    return "yes" if b else "no"


def _short(v):
    v = sp.sympify(v)
    return sp.sstr(v) if (v.is_Rational or v.is_Integer) else f"{float(v):.6g}"


def _set_text(s):
    if isinstance(s, sp.Interval):
        lo = "(" if s.left_open else "["
        hi = ")" if s.right_open else "]"
        return f"{lo}{sp.sstr(s.start)}, {sp.sstr(s.end)}{hi}"
    if s == sp.S.Reals:
        return "(-oo, oo)"
    if isinstance(s, sp.Union):
        return " U ".join(_set_text(a) for a in s.args)
    return sp.sstr(s)


def derive(expr, x) -> Derived:
    """Derive every property of the template from the expression ``f`` in ``x``.

    Limits at ±oo, f(0), the one-sided f'(0), the breakpoints, the smoothness class, the
    range and the bounds, monotonicity, and the stationary points classified as local
    minima or maxima.  The range comes from :func:`piecewise_range` where SymPy can compute
    it, else from the limits, the values at stationary points and the one-sided values at
    breakpoints.

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> d = derive(sp.Abs(x), x)
    >>> d.range, d.smoothness, d.monotonic
    (Interval(0, oo), 'C^0', 'not monotonic')
    """
    expr = sp.sympify(expr)
    bps = breakpoints(expr, x)
    props = properties(expr, x)
    stationary, exact = stationary_points(expr, x)
    extrema = []
    if isinstance(stationary, list):
        for p in stationary:
            kind = _classify(expr, x, p)
            if kind:
                extrema.append((p, sp.nsimplify(expr.subs(x, p)) if exact else
                                sp.Float(sp.N(expr.subs(x, p), 20), 20), kind))
    try:
        rng = piecewise_range(expr, x)
        if (not isinstance(rng, (sp.Interval, sp.FiniteSet, sp.Union)) and rng != sp.S.Reals) \
                or rng is sp.S.EmptySet:
            raise NotImplementedError
        sup, inf = rng.sup, rng.inf
    except (NotImplementedError, ValueError, TypeError):
        rng = _range_from_values(expr, x, props, bps, extrema)
        sup, inf = rng.sup, rng.inf
    return Derived(breakpoints=bps, limits=(props["f(-oo)"], props["f(+oo)"]), f0=props["f(0)"],
                   df0=(props["f'(0-)"], props["f'(0+)"]), range=rng,
                   bounded_above=bool(sup.is_finite), bounded_below=bool(inf.is_finite),
                   monotonic=_monotonic(expr, x, bps), smoothness=continuity_class(expr, x, bps),
                   extrema=tuple(extrema), exact=exact)


def _classify(expr, x, p):
    """"minimum", "maximum" or None (a stationary inflection): the first derivative of order
    2 or more that does not vanish at p decides (even order: an extremum; odd: an inflection)."""
    dk = sp.diff(_branch_at(expr, x, p), x)
    for k in range(2, 8):
        dk = sp.diff(dk, x)
        val = sp.N(dk.subs(x, p), 30)
        if abs(val) > 1e-25:
            if k % 2:  # odd order: an inflection
                return None
            return "minimum" if val > 0 else "maximum"
    return None


def _range_from_values(expr, x, props, bps, extrema):
    """Image of a continuous-by-pieces f from its limits, stationary values and breakpoints."""
    candidates = [(props["f(-oo)"], False), (props["f(+oo)"], False)]
    candidates += [(v, True) for _, v, _ in extrema]
    for p in bps:
        left, right = one_sided(expr, x, p)
        value = sp.piecewise_fold(expr.rewrite(sp.Piecewise)).subs(x, p)
        candidates += [(left, left == value), (right, right == value), (value, True)]
    lo = min(candidates, key=lambda c: (float(c[0]), not c[1]))
    hi = max(candidates, key=lambda c: (float(c[0]), c[1]))
    return sp.Interval(lo[0], hi[0], left_open=not lo[1], right_open=not hi[1])


def _monotonic(expr, x, bps):
    """Monotonicity from the sign of f' on every smooth piece and the jumps at breakpoints."""
    try:
        return monotonicity(expr, x, bps)
    except (NotImplementedError, ValueError, TypeError):
        pass
    for p in bps:
        left, right = one_sided(expr, x, p)
        if sp.simplify(right - left).is_negative:
            return "not monotonic"
    flat = False
    for e, region in _regions(expr, x):
        d = sp.diff(e, x)
        if d == 0:
            flat = True
            continue
        cuts = [region.start, *_numeric_zeros(d, x, region), region.end]
        for a, b in zip(cuts, cuts[1:]):  # f' keeps its sign between consecutive zeros
            t = (a + b) / 2 if a.is_finite and b.is_finite else \
                b - 1 if b.is_finite else a + 1 if a.is_finite else sp.S.Zero
            if sp.N(d.subs(x, t), 30) < 0:
                return "not monotonic"
    return "non-decreasing" if flat else "strictly increasing"
