"""Small SymPy helpers the chapters share: proofs of identities and derived properties.

Everything here works on a SymPy expression ``f`` in one real symbol ``x``; nothing
here knows how actlib computes an activation (that independence is the point).
"""
from __future__ import annotations

import sympy as sp

__all__ = ["prove_equal", "one_sided", "continuity_class", "properties"]


def prove_equal(a, b, x=None) -> bool:
    r"""True when SymPy proves :math:`a - b \equiv 0` symbolically.

    Tries ``simplify``, then rewriting in exponentials, then piecewise folding.
    A ``False`` means "not proved", never "proved different".
    """
    diff = sp.sympify(a) - sp.sympify(b)
    for attempt in (lambda e: e,
                    sp.simplify,
                    lambda e: sp.simplify(e.rewrite(sp.exp)),
                    lambda e: sp.simplify(sp.piecewise_fold(e).rewrite(sp.exp)),
                    lambda e: sp.simplify(sp.expand(sp.powsimp(e.rewrite(sp.exp))))):
        if attempt(diff) == 0:
            return True
    return False


_h = sp.Symbol("h", positive=True)


def _approach(expr, x, point, side):
    """Limit of ``expr`` as x approaches ``point`` (finite or ±oo) from ``side`` (-1 or +1).

    Substituting x = point ± h (or ∓1/h at infinity) with h > 0 lets SymPy decide
    every Piecewise condition before taking the limit h -> 0+, which plain
    ``sp.limit`` does not do reliably at a breakpoint.
    """
    if point in (sp.oo, -sp.oo):
        sub = (1 if point == sp.oo else -1) / _h
    else:
        sub = point + side * _h
    return sp.limit(sp.piecewise_fold(expr).subs(x, sub), _h, 0, "+")


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
