r"""The chapter toolkit: one activation's section of the course in a few lines.

A family chapter imports this module in its set-up cell and, for each activation, writes::

    s = Study("sigmoid")                 # actlib.get("sigmoid") + its SymPy definition
    s.show()                             # typeset  sigmoid(x) = 1/(1 + e^{-x})
    s.prove_derivative(s.f * (1 - s.f))  # sympy.diff proved equal to the closed form(s)
    s.properties()                       # derived from the expression, compared with act.info
    s.plot()                             # f and f' in the course style, glued as "sigmoid-plot"
    s.crosscheck()                       # against mpmath: one compact table, asserted
    s.gpu_crosscheck()                   # the same on CUDA; prints nothing without a GPU

Every number the prose quotes is glued with :func:`glue` (MyST-NB), so strict nbval checks the
text too.  Nothing here knows how actlib computes an activation: the SymPy definitions
(:mod:`actlib.definitions`) and mpmath are the references.

The unit of every ULP figure is the ULP of ``max(|f(x)|, |x f'(x)|)`` in the tested dtype (for
f', of ``max(|f'(x)|, |x f''(x)|)``): the error the rounding of x itself would cause is not charged
to an implementation.  The plain ULP of f is shown beside it where the two differ
(:mod:`actlib.crosscheck`).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from . import get
from .crosscheck import CrossCheck, crosscheck, default_grid
from .definitions import definition, x
from .plotting import plot_activation, plot_family, use_course_style
from .symbolic import (Derived, _inexact_argument, _set_text, breakpoints, derive, one_sided,
                       prove_equal)

__all__ = ["setup", "glue", "glue_figure", "Study", "PropertyTable", "stated_values", "x"]

def setup(seed: int = 0) -> None:
    """Make a notebook deterministic and set the course style: seeds for NumPy and torch, one
    torch thread (reductions then sum in one order on any machine), PNG figures at 120 dpi.

    The environment variable ``ACTLIB_TORCH_THREADS`` overrides the thread count, so that
    ``make check-threads`` can show that the stored outputs do not depend on it.

    >>> setup(seed=0)
    """
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
        torch.set_num_threads(int(os.environ.get("ACTLIB_TORCH_THREADS", "1")))
    except ImportError:  # pragma: no cover - torch is part of the course's pins
        pass
    use_course_style()
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover
        pass


def _formatted(value, digits):
    import numbers

    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, sp.Basic) and (value.is_Rational or value.free_symbols):
        return sp.sstr(value)  # exact: 1/4, -3*alpha
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    value = float(value)
    digits = 3 if digits is None else digits
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


def glue(name: str, value, digits: int | None = None) -> str:
    """Glue ``value`` as text under ``name`` for ``{glue:text}`name``` in the prose, formatted
    deterministically (``digits`` significant digits for a float, default 3; integers with
    thousands separators; SymPy numbers exactly).  Returns the text.

    >>> glue("answer", 0.6590461)
    '0.659'
    """
    text = _formatted(value, digits)
    try:
        from myst_nb import glue as _glue

        _glue(name, text, display=False)
    except ImportError:  # pragma: no cover - myst-nb is part of the course's pins
        pass
    return text


def glue_figure(name: str, fig) -> None:
    """Glue a matplotlib figure under ``name`` (for a ``{glue:figure}`` directive with a caption
    and alt text) and close it, so that the cell itself shows nothing."""
    import matplotlib.pyplot as plt

    try:
        from myst_nb import glue as _glue

        _glue(name, fig, display=False)
    finally:
        plt.close(fig)


# -- act.info, read ------------------------------------------------------------------------------
_LATEX = [(r"\\approx", "~"), (r"\\infty", "oo"), (r"\\alpha", "alpha"), (r"\\beta", "beta"),
          (r"\\lambda", "lambda"), (r"\\mathbb\{R\}", "(-oo, oo)"), (r"\\", ""),
          (r"\binf\b", "oo"), (r"\blambda?\b", "lambda_"), (r"\bln\b", "log"), ("−", "-"),
          ("\u2248", "~")]


def _clean(text: str) -> str:
    for pat, rep in _LATEX:
        text = re.sub(pat, rep, text)
    return text.replace("oooo", "oo")


def _namespace(act) -> dict:
    """Names a statement in ``act.info`` may use for the bound parameters."""
    d = definition(act.name)
    ns = {"oo": sp.oo, "pi": sp.pi, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh,
          "erf": sp.erf, "exp": sp.exp, "W": sp.LambertW, "e": sp.E, "E": sp.E}
    for pname, sym in d.symbols.items():
        if not isinstance(sym, sp.Symbol):  # coefficients (PAU's a_0.., b_1..): their own names
            for si, dflt, val in zip(sym, d.defaults[pname], act.params[pname]):
                ns[si.name] = dflt if float(dflt) == float(val) else _exact(val)
            continue
        default, value = d.defaults.get(pname), act.params.get(pname, d.defaults.get(pname))
        try:  # at its default a parameter is the exact default (-1/sqrt(5)), not its float
            bound = default if default is not None and float(default) == float(value) \
                else _exact(value)
        except (TypeError, ValueError):
            bound = _exact(value)
        for key in {pname, sym.name, "lambda_" if pname == "lambd" else pname}:
            ns[key] = bound
    if act.name == "selu":  # its constants have no parameter: the names of its formula
        from .definitions import SELU_ALPHA, SELU_SCALE

        ns.update(alpha=SELU_ALPHA, lambda_=SELU_SCALE)
    aliases = {"negative_slope": "a", "weight": "a", "lambd": "lambda_", "values": "c",
               "threshold": "t", "value": "v"}
    for pname, short in aliases.items():
        if pname in act.params:
            ns[short] = _exact(act.params[pname])
    return ns


def _exact(v):
    if isinstance(v, (int, float, np.floating, np.integer)):
        return sp.nsimplify(float(v), rational=True) if float(v) == float(v) else sp.nan
    try:
        return sp.sympify(v)
    except (sp.SympifyError, TypeError):
        return v


def stated_values(text: str, act) -> list:
    """The numbers a statement of ``act.info`` gives, as ``(value, approximate)`` pairs:
    every piece of the text between ';', '(' and '=' that parses as an expression in the
    activation's parameters, each with ``False`` when it is exact or the half-unit of its
    last digit when it is approximate ("undefined; 0 (torch and jax)" -> [(0, False)],
    "tanh(log 2) = 3/5" -> [(3/5, False), (3/5, False)], "~0.00609" -> [(0.00609, 5e-6)])."""
    from sympy.parsing.sympy_parser import (implicit_multiplication_application, parse_expr,
                                            standard_transformations)

    ns = _namespace(act)
    out = []
    for piece in re.split(r"[;=,]|\bif\b|\belse\b|\bone-sided\b", _clean(text)):
        piece = _balanced(piece.strip())
        approx = piece.startswith("~")
        piece = piece.lstrip("~ ")
        if not piece:
            continue
        first, last = _balanced(piece.split()[0]), _balanced(piece.split()[-1])
        # "a (torch)" -> "a"; "frameworks lambda*alpha" -> "lambda*alpha"
        for candidate in (piece, re.sub(r"\s+\(.*$", "", piece), first, last):
            try:
                value = parse_expr(candidate, local_dict=ns, transformations=standard_transformations
                                   + (implicit_multiplication_application,))
            except Exception:  # noqa: BLE001 - words, not an expression
                continue
            if isinstance(value, sp.Basic) and value.is_number and value.is_real:
                out.append((value, _half_unit(candidate) if approx else False))
                break
    return out


def _balanced(text: str) -> str:
    """``text`` without the unmatched parentheses a split left at its ends."""
    while text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].strip()
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].strip()
    return text


def _half_unit(number: str) -> float:
    """Half a unit in the last digit of a decimal as written ("0.00609" -> 5e-6)."""
    m = re.search(r"\.(\d+)", number)
    return 0.5 * 10.0 ** -(len(m.group(1)) if m else 0)


def _matches(value, stated) -> bool:
    value = sp.sympify(value)
    for s, approx in stated:
        if approx:
            if abs(float(value) - float(s)) <= approx:
                return True
        elif value.is_number and s.is_number and abs(float(value - s)) <= 1e-12 * max(1, abs(float(s))):
            return True
    return False


def _stated_set(text: str, act):
    """The range ``act.info`` states, as (SymPy set, approximate) where it is written as
    intervals and finite sets joined by "U"; None where it is stated in words."""
    from sympy.parsing.sympy_parser import (implicit_multiplication_application, parse_expr,
                                            standard_transformations)

    t = re.sub(r"^\[min_val, max_val\]\s*=\s*", "", _clean(text).strip())
    t = re.sub(r"\s*\([^()]*[<>][^()]*\)\s*$", "", t)  # a trailing condition such as (a > 0)
    ns, result, approx = _namespace(act), sp.S.EmptySet, "~" in t
    parts = [p.strip() for p in re.split(r"\s+U\s+", t)]
    for part in parts:
        m = re.fullmatch(r"([\[(\{])([^\])}]*)([\])}])", part)
        if not m:
            return None
        try:
            vals = [parse_expr(p.strip().lstrip("~ "), local_dict=ns,
                               transformations=standard_transformations
                               + (implicit_multiplication_application,))
                    for p in m.group(2).split(",")]
        except Exception:  # noqa: BLE001 - words
            return None
        if not all(isinstance(v, sp.Basic) and v.is_number for v in vals):
            return None
        if m.group(1) == "{":
            result = result.union(sp.FiniteSet(*vals))
        elif len(vals) == 2:
            result = result.union(sp.Interval(vals[0], vals[1], left_open=m.group(1) == "(",
                                              right_open=m.group(3) == ")"))
        else:
            return None
    return result, approx


_MONOTONE = {"strictly increasing": ("strictly increasing",),
             "non-decreasing": ("non-decreasing",),
             "not monotonic": ("non-monotonic", "not monotonic")}


@dataclass
class PropertyTable:
    """Derived properties next to ``act.info``'s, with a verdict per row."""

    name: str
    rows: list  # (property, derived, stated, agree: bool | None)

    def disagreements(self) -> list:
        """The rows whose derived value contradicts ``act.info``."""
        return [r for r in self.rows if r[3] is False]

    def _cells(self):
        return [(p, d, s, "agree" if a else ("—" if a is None else "DISAGREE"))
                for p, d, s, a in self.rows]

    def __repr__(self) -> str:
        rows = [("property", "derived from the SymPy definition", "act.info", "")] + self._cells()
        widths = [min(max(len(str(r[i])) for r in rows), 44) for i in range(4)]
        return "\n".join("  ".join(f"{str(c)[:44]:<{w}}" for c, w in zip(r, widths)).rstrip()
                         for r in rows)

    def _repr_html_(self) -> str:
        import html

        esc = lambda s: html.escape(str(s), quote=False)  # noqa: E731
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
                       for r in self._cells())
        return (f"<table class=\"properties\"><caption><code>{esc(self.name)}</code>: properties "
                "derived from its SymPy definition, compared with <code>act.info</code></caption>"
                "<thead><tr><th>property</th><th>derived</th><th>act.info</th><th></th></tr>"
                f"</thead><tbody>{body}</tbody></table>")


class Study:
    """One activation as a chapter studies it: the bound :class:`~actlib.Activation` ``act``,
    its SymPy definition ``f`` (parameters substituted, in the symbol ``x``), ``df`` =
    ``sympy.diff(f, x)`` with a step's DiracDelta dropped, and the derived properties.

    >>> s = Study("leaky_relu", negative_slope=0.2)
    >>> s.derived.df0, s.derived.smoothness
    ((1/5, 1), 'C^0')
    """

    def __init__(self, name: str, label: str | None = None, **params):
        self.act = get(name, **params)
        self.name = self.act.name
        self.definition = definition(self.name)
        self.f = self.definition(**params)
        self.label = label or _latex_name(self.name)

    @cached_property
    def df(self):
        """``sympy.diff(f, x)``, a step's DiracDelta dropped, simplified (except where a decimal
        constant sits inside a transcendental function: simplify then takes minutes)."""
        d = sp.diff(self.f, x).replace(sp.DiracDelta, lambda *a: sp.S.Zero)
        return d if _inexact_argument(self.f) else sp.simplify(d)

    # -- definition and derivative ---------------------------------------------------------
    def show(self):
        """Display ``name(x) = <the SymPy definition>`` typeset."""
        from IPython.display import Math, display

        display(Math(f"{self.label}(x) = {sp.latex(self.f)}"))

    def show_source(self):
        """Display the Python source of the SymPy definition (from :mod:`actlib.definitions`)."""
        from IPython.display import Markdown, display

        display(Markdown(f"```python\n{self.definition.source.rstrip()}\n```"))

    def prove_derivative(self, *closed_forms):
        """Prove ``sympy.diff(f, x)`` equal to each closed form (AssertionError naming the one
        that is not proved), then display ``f'(x) = <first closed form>``."""
        for form in closed_forms:
            assert prove_equal(self.df, form, x), f"{self.name}: f' = {form} not proved"
        from IPython.display import Math, display

        shown = closed_forms[0] if closed_forms else self.df
        display(Math(f"{self.label}'(x) = {sp.latex(shown)}"))

    # -- properties ------------------------------------------------------------------------
    @cached_property
    def breakpoints(self) -> tuple:
        """Where f may jump or kink, read off the definition (:func:`~actlib.symbolic.breakpoints`)."""
        return breakpoints(self.f, x)

    @cached_property
    def derived(self) -> Derived:
        """Every property of the template, derived from ``f`` alone (:func:`~actlib.symbolic.derive`)."""
        return derive(self.f, x)

    def share_derivation(self, other: "Study") -> None:
        """Take ``other``'s derived properties, after proving that both define the same function
        (a chapter then derives one function once, e.g. Swish at beta = 1 and SiLU).

        >>> swish = Study("swish"); swish.share_derivation(Study("silu"))
        >>> swish.derived.smoothness
        'C^inf'
        """
        assert prove_equal(self.f, other.f, x), f"{self.name} = {other.name} not proved"
        self.__dict__["derived"] = other.derived

    def kink_convention(self) -> list:
        """``(point, actlib's f'(point), one-sided f'(point-), f'(point+))`` at every breakpoint."""
        out = []
        for p in self.derived.breakpoints:
            left, right = one_sided(self.df, x, p)
            out.append((p, float(np.asarray(self.act.grad(float(p)))), left, right))
        return out

    def property_table(self) -> PropertyTable:
        """The derived properties next to ``act.info``'s statements, each with a verdict."""
        d, info, rows = self.derived, self.act.info, []
        rows.append(("range", _set_text(d.range), info.range, self._range_agrees(info.range)))
        for label, derived_b, stated in (("bounded above", d.bounded_above, info.bounded_above),
                                         ("bounded below", d.bounded_below, info.bounded_below)):
            rows.append((label, _yes(derived_b), "—" if stated is None else _yes(stated),
                         None if stated is None else derived_b == stated))
        rows.append(("f(0)", _num(d.f0), info.f0, _matches(d.f0, stated_values(info.f0, self.act))))
        conv = float(np.asarray(self.act.grad(0.0)))
        one_sided_ok = any(abs(conv - float(v)) <= 1e-12 * max(1, abs(float(v))) for v in d.df0) \
            or d.smoothness == "discontinuous"
        rows.append(("f'(0-), f'(0+)", f"{_num(d.df0[0])}, {_num(d.df0[1])}", "", None))
        rows.append(("f'(0) in actlib", _num(conv), info.df0,
                     one_sided_ok and _matches(conv, stated_values(info.df0, self.act))))
        rows.append(("monotonic", d.monotonic, info.monotonic,
                     info.monotonic.strip().startswith(_MONOTONE[d.monotonic])))
        rows.append(("smoothness", d.smoothness, info.smoothness,
                     re.search(rf"(^|[^\w^]){re.escape(d.smoothness)}($|[^\w])",
                               info.smoothness) is not None))
        for p, conv_p, left, right in self.kink_convention():
            if p == 0:
                continue
            ok = any(abs(conv_p - float(v)) <= 1e-12 * max(1, abs(float(v))) for v in (left, right)) \
                or d.smoothness == "discontinuous"
            rows.append((f"f'({_num(p)}) in actlib", f"{_num(conv_p)} (one-sided {_num(left)}, "
                         f"{_num(right)})", info.kink, ok))
        for xp, v, kind in d.extrema:
            rows.append((f"local {kind}", f"{_num(v)} at x = {_num(xp)}", "", None))
        return PropertyTable(self.name, rows)

    def _range_agrees(self, text):
        stated = _stated_set(text, self.act)
        if stated is None:
            return None  # stated in words: the bounds rows compare it
        stated, approx = stated
        rng = self.derived.range
        if not approx:
            return rng == stated or rng.symmetric_difference(stated) == sp.S.EmptySet

        def same(a, b):
            if a.is_infinite or b.is_infinite:
                return a == b
            return abs(float(a) - float(b)) <= 5e-4 * max(1, abs(float(b)))
        return same(rng.inf, stated.inf) and same(rng.sup, stated.sup)

    def properties(self) -> PropertyTable:
        """Derive the properties, show them next to ``act.info``'s, and assert every stated one
        agrees (AssertionError listing the disagreements)."""
        table = self.property_table()
        bad = table.disagreements()
        assert not bad, f"{self.name}: act.info disagrees with the derivation: {bad}"
        return table

    # -- plot --------------------------------------------------------------------------------
    def plot(self, x_range=(-6.0, 6.0), glue_as: str | None = None, family=None, n=1201):
        """Plot f and f' in the course style, with gaps at jumps and dots at kinks (from the
        derived breakpoints), glued as ``"<name>-plot"`` (or ``glue_as``) for a
        ``{glue:figure}`` with a caption.  ``family=(param, values)`` plots a parameter family
        instead.  Returns the glue name."""
        grid = np.linspace(*x_range, n)
        breaks = [float(p) for p in self.breakpoints if p.is_number]
        if family is not None:
            param, values = family
            fixed = {k: v for k, v in self.act.params.items() if k != param}
            fig = plot_family(self.name, param, values, x=grid, breaks=_family_breaks(
                self.name, param, values, fixed, breaks), **fixed)
        else:
            fig = plot_activation(self.act, x=grid, breaks=breaks)
        name = glue_as or f"{self.name}-plot" + ("-family" if family is not None else "")
        glue_figure(name, fig)
        return name

    # -- cross-check -------------------------------------------------------------------------
    def crosscheck(self, grid=None, float64: float = 64, float32: float = 8, devices=("cpu",),
                   reference=None, **kwargs) -> CrossCheck:
        """Cross-check actlib (NumPy and torch), torch's builtin and naive autograd against the
        SymPy definition evaluated by mpmath, over ``grid`` (default:
        :func:`actlib.crosscheck.default_grid` with
        the breakpoints and their neighbours); assert actlib's bounds in ULP.

        ``reference`` is another form of f to evaluate (e.g. ``x erfc(-x/sqrt 2)/2`` for GELU,
        whose textbook ``1 + erf`` would need x^2/4.6 digits in the left tail); it must be
        proved equal to the definition first (AssertionError otherwise).  The naive-autograd
        row always differentiates the definition itself."""
        if grid is None:
            grid = default_grid(kinks=[float(p) for p in self.breakpoints if p.is_number])
        if reference is not None:
            assert prove_equal(self.f, reference, x), \
                f"{self.name}: the reference form is not proved equal to the definition"
            kwargs["naive_expr"] = self.f
        check = crosscheck(self.act, self.f if reference is None else reference, x, grid=grid,
                           devices=devices, **kwargs)
        check.assert_accurate(float64=float64, float32=float32)
        return check

    def gpu_crosscheck(self, **kwargs):
        """The same cross-check on CUDA when a GPU is present (displays its table); nothing
        at all without one."""
        import torch

        if not torch.cuda.is_available():
            return None
        from IPython.display import display

        display(self.crosscheck(devices=("cuda",), **kwargs))
        return None


def _family_breaks(name, param, values, fixed, breaks):
    out = set(breaks)
    for v in values:
        s = definition(name)(**fixed, **{param: v})
        out |= {float(p) for p in breakpoints(s, x) if p.is_number}
    return sorted(out)


def _latex_name(name: str) -> str:
    return r"\operatorname{" + name.replace("_", r"\_") + "}"


def _yes(b) -> str:
    return "yes" if b else "no"


def _num(v) -> str:
    v = sp.sympify(v)
    if v in (sp.oo, -sp.oo) or v.is_Rational:
        return sp.sstr(v)
    if v.is_number and v.free_symbols == set() and not v.is_Float and len(sp.sstr(v)) <= 16:
        return f"{sp.sstr(v)} ≈ {float(v):.6g}"
    return f"{float(v):.6g}"
