r"""The whole catalog at once: one row of derived properties per activation, and where each
activation is studied in the book.

Every property is derived from the one SymPy definition of :mod:`actlib.definitions`
(:func:`actlib.symbolic.derive` for the elementwise activations; for the vector-valued ones,
the value at 0 and the restriction of ``.vector(2)`` to two lines through the input space) and
compared with ``act.info``, as :meth:`actlib.chapter.Study.properties` does for one activation::

    from actlib.catalog import catalog, CHAPTERS, section_of
    table = catalog()                  # derives all 63: ~38 s of CPU, ~20 s in two processes
    table.rows[0].name                 # 'bent_identity' (rows in actlib.names() order)
    table.disagreements()              # [(name, property, derived, stated), ...]
    section_of("gelu")                 # ('gated', 'GELU'): {ref}`book/gated:GELU`

>>> section_of("relu")
('rectifiers', 'ReLU')
>>> r = vector_row("softmax")
>>> r.f0, r.range, r.smoothness
('1/2', '(0, 1), sum 1', 'C^inf')
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from . import get, names
from .definitions import definition, x

__all__ = ["CHAPTERS", "section_of", "Row", "Catalog", "elementwise_row", "vector_row",
           "catalog", "slice_1d", "LINES"]

#: The map from each chapter (the notebook ``book/<chapter>.ipynb``) to its activations, each
#: with the exact text of its ``##`` section title
CHAPTERS = {
    "sigmoidal": {"heaviside": "The step function", "sigmoid": "The logistic sigmoid",
                  "logsigmoid": "The log-sigmoid", "hardsigmoid": "The hard sigmoid",
                  "tanh": "The hyperbolic tangent", "hardtanh": "The hard tanh",
                  "softsign": "Softsign",
                  "sign": "The sign function and the straight-through estimator"},
    "rectifiers": {"relu": "ReLU", "relu6": "ReLU6", "leaky_relu": "Leaky ReLU",
                   "prelu": "PReLU", "rrelu": "RReLU", "threshold": "Threshold",
                   "relu_squared": "Squared ReLU"},
    "exponential": {"elu": "ELU", "celu": "CELU", "selu": "SELU", "isrlu": "ISRLU",
                    "softplus": "Softplus", "squareplus": "Squareplus",
                    "sparse_plus": "sparse_plus", "exponential": "Exponential"},
    "gated": {"gelu": "GELU", "gelu_tanh": "GELU, tanh approximation",
              "quick_gelu": "Quick GELU", "silu": "SiLU", "swish": "Swish", "mish": "Mish",
              "hardswish": "Hardswish", "hard_mish": "Hard Mish", "elish": "ELiSH",
              "serf": "Serf", "erfact": "ErfAct", "pserf": "Pserf", "tanhsoft": "TanhSoft",
              "tanhsoft1": "TanhSoft-1", "tanhsoft2": "TanhSoft-2"},
    "shapes": {"identity": "Identity", "tanhshrink": "Tanhshrink", "softshrink": "Softshrink",
               "hardshrink": "Hardshrink", "snake": "Snake", "siren": "SIREN's sine",
               "gaussian": "Gaussian", "laplace": "Laplace",
               "pau": "Padé activation unit (PAU)", "isru": "ISRU",
               "bent_identity": "Bent identity", "lisht": "LiSHT",
               "sparse_sigmoid": "Sparse sigmoid", "star_relu": "StarReLU"},
    "vector": {"softmax": "Softmax", "log_softmax": "Log-softmax", "softmin": "Softmin",
               "sparsemax": "Sparsemax", "maxout": "Maxout", "glu": "GLU",
               "bilinear": "Bilinear", "reglu": "ReGLU", "geglu": "GEGLU", "swiglu": "SwiGLU",
               "crelu": "CReLU"},
}


def section_of(name: str) -> tuple:
    """``(chapter, section title)`` of the section that studies ``name``: the {ref} target
    ``book/<chapter>:<section title>``."""
    for chapter, sections in CHAPTERS.items():
        if name in sections:
            return chapter, sections[name]
    raise KeyError(f"{name!r} is in no chapter of the catalog")


#: the three lines through R^2 on which a vector-valued activation is studied: x(t) = (t, 1)
#: (one input moves, the other is held at 1), the diagonal (t, t) and the anti-diagonal (t, -t)
#: (one line alone can miss a direction: maxout is bounded below on (t, 1), ReGLU on (t, t))
_t = sp.Symbol("t", real=True)
LINES = {"(t, 1)": (_t, sp.S.One), "(t, t)": (_t, _t), "(t, -t)": (_t, -_t)}


@dataclass
class Row:
    """One activation's derived properties (short strings) and its comparison with act.info:
    ``checks`` lists ``(property, derived, stated, agree)`` with agree True, False or None
    (stated in words: not compared)."""

    name: str
    elementwise: bool
    formula: str            # LaTeX of the SymPy definition
    range: str
    bounded_above: bool
    bounded_below: bool
    monotonic: str
    smoothness: str
    f0: str
    df0: str
    kink: str
    checks: list = field(default_factory=list)
    derived: Any = None     # the full :class:`~actlib.symbolic.Derived` (elementwise only)

    def disagreements(self) -> list:
        """``(name, property, derived, stated)`` for each of this row's checks that act.info fails."""
        return [(self.name, p, d, s) for p, d, s, a in self.checks if a is False]


# -- elementwise ---------------------------------------------------------------------------------
def elementwise_row(name: str) -> Row:
    """Derive ``name``'s properties (:class:`actlib.chapter.Study`) and compare them with
    act.info (:meth:`~actlib.chapter.Study.property_table`), without asserting."""
    from .chapter import Study
    from .chapter import _num as _exact_num
    from .symbolic import _set_text

    def _num(v):  # a long exact rational (pau's coefficients) as 6 digits
        text = _exact_num(v)
        return f"{float(v):.6g}" if len(text) > 12 and sp.sympify(v).is_Rational else text

    s = Study(name)
    d = s.derived
    conventions = s.kink_convention()  # SymPy one-sided limits: once, not again in the table
    s.kink_convention = lambda: conventions
    if any(not isinstance(sym, sp.Symbol) for sym in s.definition.symbols.values()):  # pau's a, b
        rows = _coefficient_checks(s)
    else:
        rows = s.property_table().rows
    conv0 = float(np.asarray(s.act.grad(0.0)))
    if d.df0[0] == d.df0[1]:
        df0 = _num(d.df0[0])
    else:
        df0 = f"{_num(d.df0[0])} | {_num(d.df0[1])}"
    kinks = []
    for p, conv, left, right in conventions:
        if left == right and not np.isnan(conv):
            continue  # f' is continuous there: no convention to state
        kinks.append(f"f'({_num(p)}) = {_num(sp.Rational(repr(conv))) if np.isfinite(conv) else conv}")
    if not kinks and any(p == 0 for p in d.breakpoints) and d.df0[0] != d.df0[1]:
        kinks.append(f"f'(0) = {_num(conv0)}")
    formula = sp.latex(s.f)
    if len(formula) > 200 or s.f.has(sp.Float):  # pau's, selu's long constants: 5 digits
        formula = sp.latex(s.f.evalf(5))
    return Row(name=name, elementwise=True, formula=formula, range=_short_set(d.range),
               bounded_above=d.bounded_above, bounded_below=d.bounded_below,
               monotonic=d.monotonic, smoothness=d.smoothness, f0=_num(d.f0), df0=df0,
               kink="; ".join(kinks) or "—",
               checks=[(p, dv, sv, a) for p, dv, sv, a in rows], derived=d)


def _coefficient_checks(s) -> list:
    """The comparison rows for an activation whose parameters are coefficient sequences
    (pau: ``a_j``, ``b_k`` in act.info), whose statements are partly in words: f(0)
    and actlib's f'(0) against the first words of act.info's statements with the coefficients
    substituted (a_j = a[j], b_k = b[k - 1]), and the smoothness class; statements in words
    (range, bounds, monotonicity "depends on the coefficients") are not compared."""
    from .chapter import _num

    d, info, act = s.derived, s.act.info, s.act

    def stated(text):
        first = text.split("(")[0].split(";")[0].strip()
        subs = {f"a_{j}": v for j, v in enumerate(act.params.get("a", ()))}
        subs |= {f"b_{k}": v for k, v in enumerate(act.params.get("b", ()), 1)}
        return float(subs[first]) if first in subs else float(sp.sympify(first))

    def close(a, b):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))

    conv = float(np.asarray(act.grad(0.0)))
    return [("range", "", info.range, None),
            ("f(0)", _num(d.f0), info.f0, close(d.f0, stated(info.f0))),
            ("f'(0-), f'(0+)", f"{_num(d.df0[0])}, {_num(d.df0[1])}", "", None),
            ("f'(0) in actlib", _num(conv), info.df0,
             close(conv, stated(info.df0))),  # a_1: the mean of the one-sided slopes
            ("monotonic", d.monotonic, info.monotonic, None),
            ("smoothness", d.smoothness, info.smoothness,
             re.search(rf"(^|[^\w^]){re.escape(d.smoothness)}($|[^\w])", info.smoothness)
             is not None)]


# -- vector-valued -------------------------------------------------------------------------------
_ORDER = {"discontinuous": -1, "C^inf": 10 ** 6}


def _class_rank(c: str) -> int:
    return _ORDER[c] if c in _ORDER else int(c[2:])


def _on_line(outputs, inputs, line):
    return [sp.piecewise_fold(o.xreplace(dict(zip(inputs, line))).rewrite(sp.Piecewise))
            for o in outputs]


def vector_row(name: str, n: int = 2) -> Row:
    """Properties of a vector-valued activation derived from ``definition(name).vector(n)``:
    the output at x = 0; the range of one output component (the infimum and supremum of
    every component's limits at +-oo and of its values at 0 along the three lines ``LINES``,
    an end closed when some component attains it at a point checked exactly); whether the
    outputs sum to 1 (proved on every line); the smoothness class, the least of every
    component's class on the three lines.  Monotonicity, f'(0) and the kink convention do not
    apply to a map from R^n to R^m (the Jacobian replaces f'); they are left as "n/a"."""
    from .chapter import _num
    from .symbolic import _approach, continuity_class, prove_equal

    act = get(name)
    inputs, outputs = definition(name).vector(n)
    zero = [sp.simplify(o.xreplace({v: 0 for v in inputs})) for o in outputs]
    f0 = _num(zero[0]) if len(set(zero)) == 1 else ", ".join(_num(z) for z in zero)
    ends, sums, classes = [], [], []
    for line in LINES.values():
        comps = _on_line(outputs, inputs, line)
        for c in comps:
            for side in (-1, 1):
                ends.append(_approach(c, _t, side * sp.oo, -side))
            classes.append(continuity_class(c, _t))
        sums.append(_sums_to_one(sum(comps)))
        # points where a component may attain an end: far out on the line, exactly
        for far in (-50, 50):
            ends.append(("attained", [c.subs(_t, far) for c in comps]))
    attained = {v for e in ends if isinstance(e, tuple) for v in e[1]} | set(zero)
    limits = [e for e in ends if not isinstance(e, tuple)] + list(zero)
    lo, hi = min(limits, key=lambda v: float(v)), max(limits, key=lambda v: float(v))
    rng = sp.Interval(lo, hi, left_open=lo not in attained or lo.is_infinite,
                      right_open=hi not in attained or hi.is_infinite)
    text = _short_set(rng) + (", sum 1" if all(sums) else "")
    smooth = min(classes, key=_class_rank)
    info = act.info
    checks = [("f(0)", f0, info.f0, _f0_agrees(zero, info.f0, n)),
              ("range", text, info.range, _vector_range_agrees(rng, all(sums), info.range)),
              ("bounded above", _yes(rng.sup.is_finite), _yes(info.bounded_above),
               bool(rng.sup.is_finite) == info.bounded_above),
              ("bounded below", _yes(rng.inf.is_finite), _yes(info.bounded_below),
               bool(rng.inf.is_finite) == info.bounded_below),
              ("smoothness", smooth, info.smoothness, info.smoothness.strip() == smooth)]
    return Row(name=name, elementwise=False, formula=_vector_latex(inputs, outputs),
               range=text, bounded_above=bool(rng.sup.is_finite),
               bounded_below=bool(rng.inf.is_finite), monotonic="n/a", smoothness=smooth,
               f0=f0, df0="n/a", kink="n/a", checks=checks)


def _short_set(rng) -> str:
    """A set as text, every endpoint that is not a short exact number to 6 digits."""
    from .symbolic import _set_text

    def short(v):
        text = sp.sstr(v)
        if v.is_infinite or len(text) <= 12:
            return v
        return sp.Symbol(f"{float(v):.6g}")
    return _set_text(rng.xreplace({v: short(v) for v in rng.boundary if v.is_number}))


def _sums_to_one(total) -> bool:
    """Whether ``total`` (a function of t) is identically 1: disproved cheaply where it differs
    from 1 at t = 3/10 or t = -7/4, else proved by :func:`~actlib.symbolic.prove_equal`."""
    from .symbolic import prove_equal

    for point in (sp.Rational(3, 10), sp.Rational(-7, 4)):
        if abs(sp.N(total.subs(_t, point) - 1, 30)) > 1e-20:
            return False
    return prove_equal(total, 1, _t)


def _yes(b) -> str:
    return "yes" if b else "no"


def _f0_agrees(zero, text, n) -> bool:
    nsym = sp.Symbol("n")
    try:
        stated = sp.sympify(re.sub(r"\blog n\b", "log(n)", text), locals={"n": nsym})
    except (sp.SympifyError, TypeError):
        return False
    stated = stated.subs(nsym, n)
    return all(sp.simplify(z - stated) == 0 for z in zero)


def _vector_range_agrees(rng, sum_one, text) -> bool:
    """Whether the per-component interval and the simplex constraint match act.info's range,
    written as an interval (or R) raised to a power, possibly followed by ', sum 1 ...'."""
    from .chapter import _clean

    t = _clean(text).replace("mathbb{R}", "(-oo, oo)").strip()
    t = t.replace("{(-oo, oo)}", "(-oo, oo)")
    m = re.match(r"([\[(])\s*([^,]+),\s*([^\])]+)([\])])", t)
    if not m:
        return False
    lo, hi = sp.sympify(m.group(2)), sp.sympify(m.group(3))
    stated = sp.Interval(lo, hi, left_open=m.group(1) == "(", right_open=m.group(4) == ")")
    return stated == rng and ("sum 1" in t) == sum_one


def _vector_latex(inputs, outputs) -> str:
    first = outputs[0]
    return rf"f(x_1, x_2)_1 = {sp.latex(first)}"


# -- the catalog -----------------------------------------------------------------------------------
def _row(name: str) -> Row:
    return elementwise_row(name) if definition(name).elementwise else vector_row(name)


#: the slowest derivations first, so that two processes finish together
_SLOW_FIRST = ("pau", "sparsemax", "tanhsoft1", "mish", "tanhsoft", "elish", "pserf", "gelu_tanh",
               "lisht", "serf", "tanhsoft2", "silu", "erfact", "swish", "log_softmax")


@dataclass
class Catalog:
    """Every activation's :class:`Row`, in :func:`actlib.names` order."""

    rows: list
    #: ``{(name, property): reason}``: disagreements a notebook has explained; their rows say
    #: "exception" instead of "DISAGREES"
    exceptions: dict = field(default_factory=dict)

    def disagreements(self) -> list:
        """``(name, property, derived, stated)`` wherever act.info contradicts the derivation."""
        return [d for r in self.rows for d in r.disagreements()]

    def row(self, name: str) -> Row:
        """The row of the activation ``name``."""
        return next(r for r in self.rows if r.name == name)

    _COLUMNS = ("name", "range", "bdd above / below", "monotonic", "smoothness", "f(0)",
                "f'(0) (0- | 0+)", "at the kink", "act.info")

    def _cells(self, r: Row, skip=()):
        skip = set(skip) | {n for n, _ in self.exceptions}
        verdict = "agrees" if not r.disagreements() else "DISAGREES"
        verdict = verdict if r.name not in skip else "exception"
        return (r.name, r.range, f"{_yes(r.bounded_above)} / {_yes(r.bounded_below)}",
                r.monotonic, r.smoothness, r.f0, r.df0, r.kink, verdict)

    def text(self, skip=()) -> str:
        """A fixed-width text table (the formula column left out)."""
        rows = [self._COLUMNS] + [self._cells(r, skip) for r in self.rows]
        widths = [min(max(len(str(c[i])) for c in rows), 30) for i in range(len(self._COLUMNS))]
        return "\n".join("  ".join(f"{str(c)[:30]:<{w}}" for c, w in zip(row, widths)).rstrip()
                         for row in rows)

    def html(self, skip=()) -> str:
        """An HTML table with the formula typeset (MathJax, ``\\(...\\)``)."""
        import html as _html

        esc = lambda s: _html.escape(str(s), quote=False)  # noqa: E731
        head = "".join(f"<th>{esc(c)}</th>" for c in ("name", "formula") + self._COLUMNS[1:])
        body = []
        for r in self.rows:
            cells = self._cells(r, skip)
            formula = f"<span class=\"math\">\\({esc(r.formula)}\\)</span>"
            body.append("<tr>" + f"<td><code>{esc(cells[0])}</code></td><td>{formula}</td>"
                        + "".join(f"<td>{esc(c)}</td>" for c in cells[1:]) + "</tr>")
        return (f"<table class=\"properties catalog\"><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>")

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return self.html()


def catalog(names_=None, processes: int | None = None) -> Catalog:
    """Derive every activation's :class:`Row` (default: all of :func:`actlib.names`), in
    ``processes`` worker processes (default: the CPUs available, at most 2; 1 runs here)."""
    todo = list(names() if names_ is None else names_)
    if processes is None:
        processes = max(1, min(2, len(os.sched_getaffinity(0))))
    if processes <= 1 or len(todo) < 2:
        rows = {n: _row(n) for n in todo}
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        order = sorted(todo, key=lambda n: (n not in _SLOW_FIRST,
                                            _SLOW_FIRST.index(n) if n in _SLOW_FIRST else 0))
        with ProcessPoolExecutor(processes, mp_context=mp.get_context("fork")) as pool:
            rows = dict(zip(order, pool.map(_row, order, chunksize=1)))
    return Catalog([rows[n] for n in todo])


# -- a 1-D view of every activation ----------------------------------------------------------------
def slice_1d(name: str, t):
    """``(f, f')`` of ``name`` along a line through its input space, as NumPy arrays, and the
    line's description: elementwise activations are their own 1-D view; softmax, log_softmax,
    softmin, sparsemax and maxout are read at their first output for inputs (t, 0); the GLU
    family on the diagonal a = b = t (glu(t, t) = t sigma(t) = silu(t)); crelu at its first
    output for the input (t).  f' is the derivative along the line (from ``act.vjp``).

    >>> f, df, line = slice_1d("maxout", np.array([-1.0, 2.0]))
    >>> f.tolist(), df.tolist(), line
    ([0.0, 2.0], [0.0, 1.0], 'at (t, 0)')
    """
    act = get(name)
    t = np.asarray(t, dtype=float)
    if definition(name).elementwise:
        return np.asarray(act(t)), np.asarray(act.grad(t)), "f(t)"
    if name in ("glu", "bilinear", "reglu", "geglu", "swiglu"):
        X, direction, line = np.stack([t, t], axis=-1), np.array([1.0, 1.0]), \
            "at a = b = t"
    elif name == "crelu":
        X, direction, line = t[:, None], np.array([1.0]), "at (t)"
    else:
        X, direction, line = np.stack([t, np.zeros_like(t)], axis=-1), np.array([1.0, 0.0]), \
            "at (t, 0)"
    Y = np.asarray(act(X))
    G = np.zeros_like(Y)
    G[:, 0] = 1.0
    J0 = np.asarray(act.vjp(X, G))   # row 0 of the Jacobian at each point
    return Y[:, 0], J0 @ direction, line
