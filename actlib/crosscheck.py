"""Cross-check an activation against its SymPy definition, in units in the last place.

The course derives every activation symbolically; :func:`crosscheck` evaluates
that SymPy expression and its derivative with mpmath at 50 significant digits
(the independent reference) and measures, over a grid that includes the
extremes, the error of

* actlib's NumPy backend (value and ``grad``),
* actlib's torch backend (value and autograd backward),
* torch's builtin, where torch has one (value and autograd), and
* autograd of the SymPy formula compiled to torch ops (what a naive
  implementation gets),

each in ULP of the tested dtype, taken at the scale ``max(|f|, |x f'|)`` (see the
rule below), with the plain ULP of ``|f|`` reported beside it where the two differ.  Only actlib's rows are asserted by
:meth:`CrossCheck.assert_accurate`; the others are there for comparison.

ULP rule (the same as actlib's test suite, tests/ulp.py): the error of a computed
value ``y`` against the exact ``f`` is ``|y - f| / ulp_T(max(|f|, |x f'(x)|, floor))``
in the tested dtype ``T``, and likewise for the derivative with ``|x f''(x)|``.
``|x f'(x)|`` is how much ``f`` moves under a relative perturbation of one unit
of ``x``, i.e. ``|f|`` times the condition number of ``f`` at ``x``: it only
matters where the problem itself is ill-conditioned (an interior zero of f or
f', an exponential tail); at an exact zero nothing is granted.  Where ``|f|``
is below the smallest normal number the unit is that number (flush-to-zero is
accepted, anything larger is not).  ``floor`` lets a caller state a further
absolute scale.  The
report rounds each maximum up to a power of two so that stored notebook output
does not depend on the last bit of a vector kernel; the assertions use the
exact numbers.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["default_grid", "ulp_errors", "CrossCheck", "crosscheck"]

_MP_DPS = 50


def default_grid(kinks=(), n: int = 300, lo: float = 1e-8, hi: float = 1e3) -> np.ndarray:
    """Sorted float64 grid: ±logspace(lo, hi, n), 0, -0.0, a linear [-6, 6] sweep,
    and the two float64 neighbours of every kink."""
    pos = np.logspace(math.log10(lo), math.log10(hi), n)
    lin = np.linspace(-6.0, 6.0, 241)
    near = [v for k in kinks for v in (np.nextafter(k, -np.inf), float(k), np.nextafter(k, np.inf))]
    grid = np.unique(np.concatenate([-pos, pos, lin, [0.0], np.asarray(near, dtype=float)]))
    return np.concatenate([grid[grid < 0], [-0.0], grid[grid >= 0]])


def _mp_reference(expr, symbol, points, digits: int = _MP_DPS):
    """Evaluate a SymPy expression at exact binary points with mpmath, to ``digits`` (50)
    correct digits.

    A textbook form may cancel catastrophically in a tail (``1 - tanh(x)**2``,
    ``log(1 + exp(-x))``), so the precision is raised adaptively: each point is evaluated at
    50 + |x| digits and again at 30 more; if the two disagree in their first 50 digits, the
    precision is doubled and the test repeated (up to 20,000 digits; an exact 0 is accepted
    from 8 times the starting precision).  Where a tail needs more (``1 + tanh(u)`` of
    gelu_tanh at x = -1000 would need about 31,000 digits), pass a ``reference`` form proved
    equal to the definition (:meth:`actlib.chapter.Study.crosscheck`).  ``1 ± erf(u)`` is
    evaluated as ``erfc(∓u)``, whose cancellation would need x^2/4.6 digits.
    """
    import mpmath
    import sympy

    f = sympy.lambdify(symbol, _erfc_form(sympy.sympify(expr)), modules="mpmath")

    def at(p, dps):
        with mpmath.workdps(dps):
            try:
                return +f(mpmath.mpf(float(p)))
            except (ZeroDivisionError, ValueError, OverflowError):
                return mpmath.nan

    out = []
    for p in points:
        dps = start = digits + min(int(abs(p)) + 1, 2000)
        value = at(p, dps)
        while dps < 20000:
            # if evaluating at dps loses k digits to cancellation, the values at dps and
            # dps + 30 agree to dps - k digits: agreement to 50 digits proves 50 correct digits.
            # A 0 may be total cancellation: it is trusted only from 8 times the start.
            check = at(p, dps + 30)
            if _agree(value, check, digits) and (value != 0 or dps >= 8 * start):
                break
            dps *= 2
            value = at(p, dps)
        out.append(value)
    with mpmath.workdps(_MP_DPS):
        return [+v for v in out]


def _erfc_form(expr):
    """``expr`` with every ``1 + erf(u)`` and ``2 - erfc(u)`` written ``erfc(-u)`` and
    ``1 - erf(u)`` written ``erfc(u)`` (unevaluated, so SymPy does not turn ``erfc(-u)`` back
    into ``2 - erfc(u)``)."""
    import sympy

    def match(e):
        """(term, constant, replacement) for k + c erf(u) with k = ±c, or k + c erfc(u) with
        k = -2c; None otherwise."""
        for t in e.args:
            c, rest = t.as_coeff_Mul()
            if isinstance(rest, sympy.erf):
                u = rest.args[0]
                if c in e.args:          # c (1 + erf u) = c erfc(-u)
                    return t, c, c * sympy.erfc(-u, evaluate=False)
                if -c in e.args:         # -c (1 - erf u) = -c erfc(u)
                    return t, -c, -c * sympy.erfc(u, evaluate=False)
            if isinstance(rest, sympy.erfc) and -2 * c in e.args:  # -c (2 - erfc u)
                return t, -2 * c, -c * sympy.erfc(-rest.args[0], evaluate=False)
        return None

    def rewrite(e):
        t, k, new = match(e)
        args = list(e.args)
        args.remove(t)
        args.remove(k)
        return sympy.Add(*args, new, evaluate=False) if args else new

    def wanted(e):
        return e.is_Add and match(e) is not None

    return expr.replace(wanted, rewrite)


def _agree(a, b, digits: int = _MP_DPS) -> bool:
    """Whether two mpmath values agree to ``digits`` digits (NaNs and infinities exactly)."""
    import mpmath

    if mpmath.isnan(a) or mpmath.isnan(b):
        return bool(mpmath.isnan(a) and mpmath.isnan(b))
    if mpmath.isinf(a) or mpmath.isinf(b) or a == 0 or b == 0:
        return a == b
    with mpmath.workdps(digits + 10):
        return abs(a - b) <= abs(b) * mpmath.mpf(10) ** (-digits)


def ulp_errors(computed, exact, dtype, scale=None, floor: float = 0.0) -> np.ndarray:
    """Error of ``computed`` against mpmath values ``exact`` in ULP of ``dtype``.

    ``scale`` (optional, one mpmath value per point) is the conditioning scale
    ``|x f'(x)|`` of the module docstring.  NaN where both are NaN counts as 0; a
    NaN or infinity that differs from the exact value rounded to ``dtype`` counts
    as +inf.  ``dtype`` may be ``"bfloat16"`` (float32's exponent range, 7 stored mantissa
    bits), which NumPy lacks.
    """
    if str(dtype) == "bfloat16":
        import torch

        tiny, mant = 2.0 ** -126, 7
        to_dtype = lambda v: torch.from_numpy(v.copy()).to(torch.bfloat16).double().numpy()  # noqa: E731
    else:
        dtype = np.dtype(dtype)
        info = np.finfo(dtype)
        tiny, mant = float(info.tiny), info.nmant
        to_dtype = lambda v: v.astype(dtype).astype(np.float64)  # noqa: E731
    comp = np.asarray(computed, dtype=np.float64).ravel()
    hi, lo = _double_double(exact)  # exact = hi + lo to about 106 bits
    scale = np.zeros(len(hi)) if scale is None else np.abs(_double_double(scale)[0])
    out = np.zeros(len(hi))
    with np.errstate(over="ignore", invalid="ignore"):  # an exact value beyond the dtype: inf
        e_rounded = to_dtype(hi)
        nan_e, nan_c = np.isnan(hi), np.isnan(comp)
        special = nan_e | nan_c | np.isinf(comp) | np.isinf(e_rounded)
        out[special] = np.where((nan_e & nan_c) | (e_rounded == comp), 0.0, np.inf)[special]
        size = np.maximum(np.maximum(np.abs(hi), scale), floor)
        exponent = np.frexp(np.where(np.isfinite(size) & (size > 0), size, 1.0))[1] - 1
        unit = np.ldexp(1.0, np.clip(exponent - mant, -1074, 1023))
        unit = np.where(np.isinf(size), np.ldexp(1.0, 1023 - 52), unit)
        unit = np.where(size < tiny, tiny, unit)  # below the normal range: the smallest normal
        unit = np.where(np.abs(hi) < tiny, np.maximum(unit, tiny), unit)  # flush-to-zero accepted
        # c - hi is exact when the two are within a factor of 2 (Sterbenz), and its rounding
        # is negligible otherwise (the error is then of the order of |hi| itself)
        err = np.abs((comp - hi) - lo) / unit
    out[~special] = err[~special]
    return out


def _double_double(values):
    """mpmath values as float64 pairs (hi, lo) with hi + lo equal to them to ~106 bits
    (hi = ±inf beyond float64's range, NaN for NaN)."""
    import mpmath

    hi = np.empty(len(values))
    lo = np.zeros(len(values))
    with mpmath.workdps(_MP_DPS):
        for i, v in enumerate(values):
            h = float(v)
            hi[i] = h
            if math.isfinite(h):
                lo[i] = float(v - h)
    return hi, lo


def _bucket(ulp: float) -> str:
    if math.isinf(ulp) or math.isnan(ulp):
        return "inf"
    if ulp == 0:
        return "0"
    if ulp <= 0.5:
        return "<= 0.5"
    k = math.ceil(math.log2(ulp))
    return f"<= {2 ** k}" if k <= 12 else f"<= 2^{k}"


@dataclass
class CrossCheck:
    """Maximum ULP error of every implementation path of one activation."""

    name: str
    rows: list = field(default_factory=list)  # (path, device, dtype, quantity, max_ulp, worst_x)

    def max_ulp(self, path: str | None = None, dtype: str | None = None,
                quantity: str | None = None) -> float:
        """Largest error (ULP) over the rows matching path, dtype and quantity (``None``: any)."""
        vals = [r[4] for r in self.rows if (path is None or r[0] == path)
                and (dtype is None or r[2] == dtype) and (quantity is None or r[3] == quantity)]
        return max(vals) if vals else float("nan")

    def assert_accurate(self, float64: float = 64, float32: float = 8) -> None:
        """Assert actlib's rows are within the bounds (ULP) and no worse than torch's builtin.

        "No worse" allows one ULP of difference above ``max(builtin, 1 ULP)``: two
        faithfully rounded results of different (equally valid) formulas differ by up
        to one unit of the final rounding, which is not a difference in accuracy.
        """
        bounds = {"float64": float64, "float32": float32}
        bad = [r for r in self.rows if r[0].startswith("actlib") and r[4] > bounds[r[2]]]
        assert not bad, f"{self.name}: actlib exceeds the ULP bound: {bad}"
        for dtype in bounds:
            for q in ("f", "f'"):
                ours = max(self.max_ulp("actlib numpy", dtype, q), self.max_ulp("actlib torch", dtype, q))
                theirs = self.max_ulp("torch builtin", dtype, q)
                assert not ours > max(theirs, 1.0) + 1.0, (
                    f"{self.name}: actlib ({ours:.3g} ULP) worse than torch's builtin "
                    f"({theirs:.3g} ULP) for {q} in {dtype}")

    def _table(self):
        """Implementations (rows) x dtype and quantity (columns); each cell the maximum
        condition-scaled ULP, followed by the plain ULP in parentheses where it differs."""
        cols = [(t, q) for t in dict.fromkeys(r[2] for r in self.rows) for q in ("f", "f'")]
        paths = list(dict.fromkeys((r[0], r[1]) for r in self.rows))
        head = ("implementation", *(f"{t} {q}" for t, q in cols))
        body = []
        for path, device in paths:
            cells = []
            for t, q in cols:
                hit = [r for r in self.rows if (r[0], r[1], r[2], r[3]) == (path, device, t, q)]
                if not hit:
                    cells.append("—")
                    continue
                scaled, plain = _bucket(hit[0][4]), _bucket(hit[0][6] if len(hit[0]) > 6 else hit[0][4])
                cells.append(scaled if plain == scaled else f"{scaled} ({plain})")
            body.append((path if device == "cpu" else f"{path} ({device})", *cells))
        return head, body

    _CAPTION = ("maximum error in ULP of max(|f|, |x f'|) (of max(|f'|, |x f''|) for f'), "
                "the plain ULP in parentheses where it differs; reference SymPy/mpmath at "
                "{dps} digits")

    def __repr__(self) -> str:
        head, body = self._table()
        widths = [max(len(str(r[i])) for r in [head, *body]) for i in range(len(head))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [f"{self.name}: " + self._CAPTION.format(dps=_MP_DPS),
                 fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*r).rstrip() for r in body]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head, body = self._table()
        th = "".join(f"<th>{html.escape(h, quote=False)}</th>" for h in head)
        trs = "".join("<tr>" + "".join(f"<td>{html.escape(str(c), quote=False)}</td>" for c in r) + "</tr>"
                      for r in body)
        cap = html.escape(self._CAPTION.format(dps=_MP_DPS), quote=False)
        return (f"<table class=\"crosscheck\"><caption><code>{self.name}</code>: {cap}</caption>"
                f"<thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>")


def _torch_paths(act, expr, symbol, x64, dtype, device):
    """(path, f values, f' values) for actlib torch, torch's builtin and naive autograd."""
    import sympy
    import torch

    tdtype = getattr(torch, dtype)
    out = []

    def run(fn):
        x = torch.tensor(x64, dtype=tdtype, device=device, requires_grad=True)
        y = fn(x)
        (g,) = torch.autograd.grad(y.sum(), x, allow_unused=True)
        g = torch.zeros_like(x) if g is None else g
        return y.detach().cpu().double().numpy(), g.cpu().double().numpy()

    out.append(("actlib torch", *run(act)))
    builtin = act.spec.torch_builtin
    if builtin is not None:
        fn = (lambda x: getattr(torch.nn.functional, builtin)(x, **act.params)) \
            if isinstance(builtin, str) else (lambda x: builtin(x, **act.params))
        try:
            out.append(("torch builtin", *run(fn)))
        except RuntimeError:  # torch has the op but no autograd formula (heaviside)
            pass
    try:  # SymPy may have no torch printer for a function (log1p): then no naive row
        naive = sympy.lambdify(symbol, expr, modules="torch")
        out.append(("naive autograd", *run(lambda x: naive(x) + 0 * x)))
    except (RuntimeError, TypeError):
        pass
    return out


def crosscheck(act, expr, symbol, grid=None, dtypes=("float64", "float32"),
               devices=("cpu",), floor: float = 0.0, naive: bool = True,
               naive_expr=None) -> CrossCheck:
    """Compare ``act`` with the SymPy expression ``expr`` in ``symbol`` over ``grid``.

    ``expr`` must already have the activation's parameters substituted.  Returns a
    :class:`CrossCheck` whose rows give the maximum ULP error of every path; call
    :meth:`CrossCheck.assert_accurate` to assert actlib's bounds.  The naive-autograd row
    compiles ``naive_expr`` (default ``expr``) to torch ops.
    """
    import sympy

    grid = default_grid() if grid is None else np.asarray(grid, dtype=np.float64)
    def ae_diff(e):  # derivative almost everywhere: a step's DiracDelta is dropped
        return sympy.diff(e, symbol).replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)

    dexpr = ae_diff(expr)
    d2expr = ae_diff(dexpr)
    check = CrossCheck(act.name)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    for dtype in dtypes:
        g = grid.astype(dtype)  # np.unique would merge -0.0 and 0.0: keep each that is given
        zeros = [z for z in (-0.0, 0.0) if np.any((g == 0) & (np.signbit(g) == np.signbit(z)))]
        pts = np.unique(g[g != 0]).astype(np.float64)
        pts = np.insert(pts, np.searchsorted(pts, 0.0), zeros)
        exact_f = _mp_reference(expr, symbol, pts)
        exact_d = _mp_reference(dexpr, symbol, pts)
        exact_d2 = _mp_reference(d2expr, symbol, pts, digits=8)  # only a scale: 8 digits do
        scales = {"f": [abs(p * d) for p, d in zip(pts, exact_d)],
                  "f'": [abs(p * d) for p, d in zip(pts, exact_d2)]}

        def add(path, device, quantity, values, exact):
            errs = ulp_errors(values, exact, dtype, scales[quantity], floor)
            plain = ulp_errors(values, exact, dtype, None, floor)
            i = int(np.argmax(errs))
            check.rows.append((path, device, dtype, quantity, float(errs[i]), float(pts[i]),
                               float(np.max(plain))))

        xs = pts.astype(dtype)
        add("actlib numpy", "cpu", "f", act(xs), exact_f)
        add("actlib numpy", "cpu", "f'", act.grad(xs), exact_d)
        if not have_torch:
            continue
        for device in devices:
            for path, fv, dv in _torch_paths(act, expr if naive_expr is None else naive_expr,
                                             symbol, pts, dtype, device):
                if path == "naive autograd" and not naive:
                    continue
                add(path, device, "f", fv, exact_f)
                add(path, device, "f'", dv, exact_d)
    return check
