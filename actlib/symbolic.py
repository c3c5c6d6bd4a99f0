"""Small SymPy helpers the chapters share: proofs of identities and derived properties.

Everything here works on a SymPy expression ``f`` in one real symbol ``x``; nothing
here knows how actlib computes an activation (that independence is the point).
"""
from __future__ import annotations

import sympy as sp

__all__ = ["prove_equal", "one_sided", "continuity_class", "properties", "piecewise_range",
           "monotonicity"]


def prove_equal(a, b, x=None) -> bool:
    r"""True when SymPy proves :math:`a - b \equiv 0` symbolically.

    Tries ``simplify``, then rewriting in exponentials, then piecewise folding, then
    rewriting Max/Min/Abs/Heaviside as Piecewise, then branch by branch (each branch of the
    folded difference zero on the region where it applies; ``x`` names the variable of the
    conditions when they contain other symbols), then, when ``x`` is given, by the sign
    of x (x > 0, x < 0, x = 0 separately).
    A ``False`` means "not proved", never "proved different".
    """
    diff = sp.sympify(a) - sp.sympify(b)
    for attempt in (lambda e: e,
                    sp.simplify,
                    lambda e: sp.simplify(e.rewrite(sp.exp)),
                    lambda e: sp.simplify(sp.piecewise_fold(e).rewrite(sp.exp)),
                    lambda e: sp.simplify(sp.expand(sp.powsimp(e.rewrite(sp.exp)))),
                    lambda e: sp.simplify(sp.piecewise_fold(e.rewrite(sp.Piecewise)))):
        if attempt(diff) == 0:
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
    else:
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


def continuity_class(expr, x, breakpoints=(0,), max_order: int = 3) -> str:
    r"""Smoothness class of a piecewise-smooth ``expr``: ``"C^k"`` where the k-th
    derivative is the highest continuous at every breakpoint, ``"discontinuous"``
    if ``expr`` itself jumps, and ``"C^inf"`` when derivatives up to ``max_order``
    are continuous at all breakpoints (or there are none and ``expr`` is smooth
    elsewhere)."""
    d = expr
    for k in range(max_order + 1):
        for p in breakpoints:
            left, right = one_sided(d, x, p)
            if sp.simplify(left - right) != 0:
                return "discontinuous" if k == 0 else f"C^{k - 1}"
        d = sp.diff(d, x)
    return "C^inf"


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
        if isinstance(region, sp.FiniteSet):
            image = image.union(sp.FiniteSet(*(e.subs(x, p) for p in region)))
        else:
            image = image.union(function_range(e, x, region))
    return image


def monotonicity(expr, x, breakpoints=(0,)) -> str:
    """"strictly increasing", "non-decreasing" or "not monotonic" for a piecewise-smooth
    ``expr``, from the image of f' (its sign), the branches where f' vanishes on an
    interval, and the sign of the jump of f at each breakpoint."""
    jumps_up = all(sp.simplify(r - l).is_nonnegative
                   for l, r in (one_sided(expr, x, p) for p in breakpoints))
    slopes = piecewise_range(sp.diff(expr, x), x)
    if not (jumps_up and slopes.is_subset(sp.Interval(0, sp.oo))):
        return "not monotonic"
    flat = any(e == 0 and region.measure > 0 for e, region in _branches(sp.diff(expr, x), x))
    return "non-decreasing" if flat else "strictly increasing"
