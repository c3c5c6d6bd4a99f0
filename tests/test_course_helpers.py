"""Tests of the course helpers the chapters use: :mod:`actlib.symbolic` (proofs and derived
properties), :mod:`actlib.crosscheck` (ULP rule, report, grid) and :mod:`actlib.plotting`.

Every expected value here is stated by hand (a limit, a ULP count of a hand-made error, a
formula evaluated with NumPy), never taken from the helper under test.
"""
from __future__ import annotations

import math
import re
import warnings
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
import torch  # noqa: E402

import actlib  # noqa: E402
from actlib.crosscheck import CrossCheck, crosscheck, default_grid, ulp_errors  # noqa: E402
from actlib.plotting import plot_activation, plot_family  # noqa: E402
from actlib.symbolic import (continuity_class, monotonicity, one_sided, piecewise_range,  # noqa: E402
                             properties, prove_equal)

x = sp.Symbol("x", real=True)
sigma = 1 / (1 + sp.exp(-x))
relu = sp.Piecewise((0, x < 0), (x, True))
step = sp.Piecewise((0, x < 0), (1, True))
hardtanh = sp.Piecewise((-1, x < -1), (x, x <= 1), (1, True))
relu6 = sp.Piecewise((0, x < 0), (x, x < 6), (6, True))
leaky = sp.Piecewise((x / 100, x < 0), (x, True))


def elu(alpha):
    return sp.Piecewise((alpha * (sp.exp(x) - 1), x < 0), (x, True))


# -- symbolic: proofs ------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [
    (sp.diff(sigma, x), sigma * (1 - sigma)),
    (sp.tanh(x), 2 * sigma.subs(x, 2 * x) - 1),
    ((x + sp.Abs(x)) / 2, sp.Max(0, x)),
    (relu, sp.Max(0, x)),
    (relu, (x + sp.Abs(x)) / 2),
    (x * sp.Heaviside(x), sp.Max(0, x)),
    (sp.diff(sp.log(1 + sp.exp(x)), x), sigma),
    (sp.Heaviside(x, 1), step),
], ids=["sigmoid'", "tanh-sigmoid", "abs-max", "pw-max", "pw-abs", "xH-max", "softplus'", "H1-step"])
def test_prove_equal_true_identities(a, b):
    assert prove_equal(a, b, x) is True


@pytest.mark.parametrize("a, b", [
    (sp.diff(sigma, x), sigma * (1 + sigma)),
    (sp.tanh(x), 2 * sigma - 1),
    (relu, leaky),
    (sp.Max(0, x), sp.Abs(x)),
    (relu, sp.Piecewise((0, x < 1), (x, True))),
    (sp.Heaviside(x), step),  # differ only at x = 0: H(0) = 1/2 in SymPy
], ids=["sigmoid'(1+s)", "tanh-sigma(x)", "relu-leaky", "max-abs", "relu-shifted", "H-step"])
@pytest.mark.parametrize("with_x", [True, False], ids=["x", "no-x"])
def test_prove_equal_false_identities(a, b, with_x):
    assert prove_equal(a, b, x if with_x else None) is False


def test_prove_equal_plain_symbol():
    """The chapters may use a symbol without assumptions; relu's two forms still prove equal."""
    t = sp.Symbol("t")
    assert prove_equal(sp.Piecewise((0, t < 0), (t, True)), (t + sp.Abs(t)) / 2, t) is True
    assert prove_equal(sp.Piecewise((0, t < 0), (t, True)), sp.Abs(t), t) is False


# -- symbolic: one-sided limits and smoothness ----------------------------------------------
def test_one_sided_limits():
    assert one_sided(step, x, 0) == (0, 1)
    assert one_sided(relu, x, 0) == (0, 0)
    assert one_sided(sp.diff(relu, x), x, 0) == (0, 1)
    assert one_sided(hardtanh, x, 1) == (1, 1)
    assert one_sided(hardtanh, x, -1) == (-1, -1)
    assert one_sided(sp.diff(hardtanh, x), x, 1) == (1, 0)
    assert one_sided(sp.diff(hardtanh, x), x, -1) == (0, 1)
    assert one_sided(sp.diff(elu(2), x), x, 0) == (2, 1)


@pytest.mark.parametrize("expr, breakpoints, expected", [
    (relu, (0,), "C^0"),
    (relu ** 2, (0,), "C^1"),
    (sp.Piecewise((0, x < 0), (x ** 3, True)), (0,), "C^2"),
    (x * sp.Abs(x), (0,), "C^1"),
    (elu(1), (0,), "C^1"),
    (elu(2), (0,), "C^0"),
    (step, (0,), "discontinuous"),
    (sigma, (), "C^inf"),
    (sigma, (0,), "C^inf"),
    (sigma, None, "C^inf"),
    (sp.Abs(x), None, "C^0"),
    (sp.sign(x), None, "discontinuous"),
    (sp.Heaviside(x), None, "discontinuous"),
    (sp.Piecewise((x ** 2, x < 0), (x ** 2, True)), None, "C^inf"),
    (sp.Piecewise((sp.sin(x), x < 1), (sp.sin(x), True)), None, "C^inf"),
    (sp.Piecewise((0, x < 0), (x ** 5, True)), None, "C^4"),
    (sp.Piecewise((0, x < 0), (sp.Rational(1, 2), sp.Eq(x, 0)), (1, True)), None, "discontinuous"),
    (sp.Piecewise((x, sp.Ne(x, 0)), (1, True)), (0,), "discontinuous"),
    (x / (1 + sp.Abs(x)), None, "C^1"),
    (sp.Max(0, x) ** 3, None, "C^2"),
    (hardtanh, (-1, 1), "C^0"),
    (relu6, (0, 6), "C^0"),
], ids=["relu", "relu^2", "relu^3", "x|x|", "elu1", "elu2", "step", "sigmoid", "sigmoid@0",
        "sigmoid-derived", "abs", "sign", "Heaviside", "smooth-piecewise", "smooth-piecewise-at-1",
        "x^5", "step-with-value", "removable", "softsign", "relu^3-max", "hardtanh", "relu6"])
def test_continuity_class(expr, breakpoints, expected):
    assert continuity_class(expr, x, breakpoints) == expected


# -- symbolic: properties, range, monotonicity ----------------------------------------------
alpha = sp.Symbol("alpha", positive=True)
half, quarter = sp.Rational(1, 2), sp.Rational(1, 4)


@pytest.mark.parametrize("expr, expected", [
    (sigma, (0, 1, half, quarter, quarter)),
    (relu, (0, sp.oo, 0, 0, 1)),
    (elu(1), (-1, sp.oo, 0, 1, 1)),
    (elu(alpha), (-alpha, sp.oo, 0, alpha, 1)),
    (hardtanh, (-1, 1, 0, 1, 1)),
], ids=["sigmoid", "relu", "elu1", "elu-alpha", "hardtanh"])
def test_properties(expr, expected):
    got = properties(expr, x)
    keys = ("f(-oo)", "f(+oo)", "f(0)", "f'(0-)", "f'(0+)")
    assert set(got) == set(keys)
    for k, v in zip(keys, expected):
        assert got[k] == v or sp.simplify(got[k] - v) == 0, (k, got[k], v)


@pytest.mark.parametrize("expr, expected", [
    (relu6, sp.Interval(0, 6)),
    (hardtanh, sp.Interval(-1, 1)),
    (sigma, sp.Interval.open(0, 1)),
    (sp.tanh(x), sp.Interval.open(-1, 1)),
    (relu, sp.Interval(0, sp.oo)),
    (leaky, sp.S.Reals),
    (step, sp.FiniteSet(0, 1)),
], ids=["relu6", "hardtanh", "sigmoid", "tanh", "relu", "leaky", "step"])
def test_piecewise_range(expr, expected):
    assert piecewise_range(expr, x) == expected


@pytest.mark.parametrize("expr, breakpoints, expected", [
    (relu, (0,), "non-decreasing"),
    (relu6, (0, 6), "non-decreasing"),
    (step, (0,), "non-decreasing"),
    (leaky, (0,), "strictly increasing"),
    (sigma, (), "strictly increasing"),
    (x ** 3, (), "strictly increasing"),  # f' = 0 only at a point
    (x * sp.exp(-x ** 2), (), "not monotonic"),
    (x * sp.exp(-x ** 2), (0,), "not monotonic"),
    (sp.Piecewise((1, x < 0), (0, True)), (0,), "not monotonic"),  # jumps down
    (sp.Piecewise((0, x < 0), (-x, True)), (0,), "not monotonic"),
], ids=["relu", "relu6", "step", "leaky", "sigmoid", "cube", "hump", "hump@0", "downstep",
        "-relu"])
def test_monotonicity(expr, breakpoints, expected):
    assert monotonicity(expr, x, breakpoints) == expected


@pytest.mark.parametrize("form", [sp.Max(0, x), (x + sp.Abs(x)) / 2, x * sp.Heaviside(x)],
                         ids=["max", "abs", "heaviside"])
def test_range_and_monotonicity_of_relu_written_without_piecewise(form):
    """prove_equal treats these as relu; range and monotonicity must agree with the Piecewise."""
    assert piecewise_range(form, x) == sp.Interval(0, sp.oo)
    assert monotonicity(form, x) == "non-decreasing"


@pytest.mark.parametrize("form, breakpoints, expected, rng", [
    (sp.Min(sp.Max(0, x), 6), (0, 6), (0, 6, 0, 1), sp.Interval(0, 6)),
    (sp.Max(-1, sp.Min(1, x)), (-1, 1), (-1, 1, 1, 1), sp.Interval(-1, 1)),
], ids=["relu6-clip", "hardtanh-clip"])
def test_clipped_forms(form, breakpoints, expected, rng):
    """relu6 and hardtanh written as clips (Min of Max), the way torch defines them."""
    p = properties(form, x)
    assert (p["f(-oo)"], p["f(+oo)"], p["f'(0-)"], p["f'(0+)"]) == expected
    assert continuity_class(form, x, breakpoints) == "C^0"
    assert piecewise_range(form, x) == rng


# -- crosscheck: the ULP rule ------------------------------------------------------------------
mp = mpmath.mpf


def test_ulp_exact_and_one_ulp_off():
    assert ulp_errors([1.0, -3.0, 0.0], [mp(1), mp(-3), mp(0)], "float64").tolist() == [0, 0, 0]
    up64 = np.nextafter(1.0, 2.0)
    assert ulp_errors([up64], [mp(1)], "float64")[0] == 1.0
    up32 = np.nextafter(np.float32(1), np.float32(2))
    assert ulp_errors([up32], [mp(1)], "float32")[0] == 1.0
    # below a power of two the spacing halves: one step down is half a unit of |f| = 1
    assert ulp_errors([np.nextafter(1.0, 0.0)], [mp(1)], "float64")[0] == 0.5
    # an exact value between two floats: the error is the distance in units, not rounded
    with mpmath.workdps(50):
        e = mp(1) + mpmath.ldexp(1, -54)  # a quarter of a float64 ULP above 1
    assert ulp_errors([1.0], [e], "float64")[0] == pytest.approx(0.25, rel=1e-12)
    # units follow the magnitude: 3 ULP of 1000 in float32
    v = np.float32(1000)
    c = np.nextafter(np.nextafter(np.nextafter(v, np.float32(2e3)), np.float32(2e3)), np.float32(2e3))
    assert ulp_errors([c], [mp(1000)], "float32")[0] == 3.0


def test_ulp_nan_and_inf():
    got = ulp_errors([math.nan, math.nan, 1.0, math.inf, -math.inf, 5.0],
                     [mpmath.nan, mp(1), mpmath.nan, mp(5), mpmath.inf, mpmath.inf], "float64")
    assert got.tolist() == [0.0, math.inf, math.inf, math.inf, math.inf, math.inf]
    # an infinity equal to the exact value rounded to the dtype is exact
    assert ulp_errors([math.inf, -math.inf], [mpmath.inf, -mpmath.inf], "float64").tolist() == [0, 0]
    assert ulp_errors([math.inf], [mp("1e400")], "float64")[0] == 0.0


def test_ulp_overflowing_exact_in_float32_is_silent():
    """exp(100) overflows float32: an inf result is correct (0 ULP), a finite one is not, and
    computing that emits no RuntimeWarning (pyproject turns them into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ulp_errors([math.inf], [mpmath.exp(100)], "float32")[0] == 0.0
        assert ulp_errors([3.4e38], [mpmath.exp(100)], "float32")[0] == math.inf


def test_ulp_subnormal_flush_to_zero():
    tiny64, tiny32 = float(np.finfo(np.float64).tiny), float(np.finfo(np.float32).tiny)
    # exact subnormal, computed 0: within one unit of the smallest normal, accepted
    for e, dtype, tiny in ((mp("1e-310"), "float64", tiny64), (mp("1e-40"), "float32", tiny32)):
        err = ulp_errors([0.0], [e], dtype)[0]
        assert err == pytest.approx(float(e) / tiny, rel=1e-9) and err < 1
    # ... but flushing a normal number is a gross error
    assert ulp_errors([0.0], [mp("1e-300")], "float64")[0] > 2.0 ** 52
    assert ulp_errors([0.0], [mp("1e-37")], "float32")[0] > 2.0 ** 23


def test_ulp_conditioning_scale_and_floor():
    # exact 0 with nothing granted: an absolute error of 1e-20 is astronomically many units
    assert ulp_errors([1e-20], [mp(0)], "float64")[0] > 1e280
    # the scale |x f'| = 1 sets the unit to ulp(1) = 2^-52
    got = ulp_errors([2.0 ** -40], [mp(0)], "float64", scale=[mp(1)])[0]
    assert got == 2.0 ** 12
    assert ulp_errors([2.0 ** -40], [mp(0)], "float64", floor=1.0)[0] == 2.0 ** 12
    # the scale only enlarges the unit: max(|f|, |x f'|)
    assert ulp_errors([np.nextafter(8.0, 9.0)], [mp(8)], "float64", scale=[mp("1e-3")])[0] == 1.0
    # float32 units for the same scale: 2^-40 / 2^-23
    assert ulp_errors([2.0 ** -40], [mp(0)], "float32", scale=[mp(1)])[0] == 2.0 ** -17


# -- crosscheck: the grid ----------------------------------------------------------------------
def test_default_grid_contents():
    kinks = (1.0, -2.5, 6.0)
    g = default_grid(kinks=kinks, n=40)
    assert g.dtype == np.float64
    zeros = g[g == 0]
    assert sorted(np.signbit(zeros).tolist()) == [False, True]  # both 0.0 and -0.0
    for v in (1e-8, -1e-8, 1e3, -1e3, -6.0, 6.0):
        assert v in g, v
    assert np.abs(g).max() == 1e3 and np.abs(g[g != 0]).min() == 1e-8
    for k in kinks:
        assert np.nextafter(k, -np.inf) in g and k in g and np.nextafter(k, np.inf) in g
    assert len(default_grid(n=40)) < len(default_grid(n=300))


def test_default_grid_is_sorted():
    """The docstring promises a sorted grid; -0.0 belongs next to 0.0, not before -1000."""
    g = default_grid(n=40)
    assert np.all(np.diff(g) >= 0), g[:3]


# -- crosscheck: the whole comparison ------------------------------------------------------------
SMALL = dict(grid=default_grid(n=40), dtypes=("float64",))


class Wrapped:
    """An Activation-like object: actlib's activation, with its NumPy value or grad replaced."""

    def __init__(self, act, value=None, grad=None, record=None):
        self._act, self._value, self._grad, self._record = act, value, grad, record
        self.name, self.spec, self.params = act.name, act.spec, act.params

    def __call__(self, v):
        if isinstance(v, torch.Tensor):
            return self._act(v)
        if self._record is not None:
            self._record.append(np.array(v, copy=True))
        return self._act(v) if self._value is None else self._value(self._act, v)

    def grad(self, v):
        return self._act.grad(v) if self._grad is None else self._grad(self._act, v)


@pytest.fixture(scope="module")
def sigmoid_check():
    return crosscheck(actlib.get("sigmoid"), sigma, x, **SMALL)


def test_crosscheck_sigmoid_passes(sigmoid_check):
    sigmoid_check.assert_accurate()
    paths = {r[0] for r in sigmoid_check.rows}
    assert paths == {"actlib numpy", "actlib torch", "torch builtin", "naive autograd"}
    assert {r[3] for r in sigmoid_check.rows} == {"f", "f'"}
    assert sigmoid_check.max_ulp("actlib numpy", "float64", "f") <= 4
    # the textbook sigma(1 - sigma) backward of torch's builtin cancels in the tail
    assert sigmoid_check.max_ulp("torch builtin", "float64", "f'") > 1e6


def test_crosscheck_float32_sigmoid_passes():
    check = crosscheck(actlib.get("sigmoid"), sigma, x, grid=default_grid(n=40),
                       dtypes=("float32",), naive=False)
    check.assert_accurate()
    assert {r[2] for r in check.rows} == {"float32"}
    assert "naive autograd" not in {r[0] for r in check.rows}


def test_crosscheck_catches_a_relative_error_of_1e_12():
    wrong = Wrapped(actlib.get("sigmoid"), value=lambda a, v: a(v) * (1 + 1e-12))
    check = crosscheck(wrong, sigma, x, **SMALL)
    with pytest.raises(AssertionError, match=r"sigmoid: actlib exceeds the ULP bound.*actlib numpy"):
        check.assert_accurate()
    assert check.max_ulp("actlib numpy", "float64", "f") > 1000
    assert check.max_ulp("actlib torch", "float64", "f") <= 4  # untouched


def test_crosscheck_catches_the_cancelling_derivative():
    wrong = Wrapped(actlib.get("sigmoid"), grad=lambda a, v: a(v) * (1 - a(v)))
    check = crosscheck(wrong, sigma, x, **SMALL)
    with pytest.raises(AssertionError, match=r"exceeds the ULP bound.*'actlib numpy', 'cpu', "
                                             r"'float64', \"f'\""):
        check.assert_accurate()


def test_crosscheck_catches_worse_than_builtin():
    """16 ULP is inside the float64 bound of 64 but worse than torch's builtin (<= 2)."""
    wrong = Wrapped(actlib.get("sigmoid"), value=lambda a, v: a(v) * (1 + 16 * 2.0 ** -52))
    check = crosscheck(wrong, sigma, x, **SMALL)
    with pytest.raises(AssertionError, match="worse than torch's builtin.*for f in float64"):
        check.assert_accurate()


class Stub:
    """A hand-made Activation-like object: value and grad given as functions, no builtin."""

    class spec:  # noqa: N801
        torch_builtin = None

    name, params = "stub", {}

    def __init__(self, value, grad):
        self._value, self._grad = value, grad

    def __call__(self, v):
        return self._value(v, isinstance(v, torch.Tensor))

    def grad(self, v):
        return self._grad(v)


def test_crosscheck_uses_the_conditioning_scale():
    """At x = 1, f = x - 1 is 0 but |x f'| = 1: an error of 2^-40 is 2^12 ULP of 1."""
    stub = Stub(lambda v, t: v - 1 + (0 if t else 2.0 ** -40), lambda v: np.ones_like(v))
    check = crosscheck(stub, x - 1, x, grid=[1.0], dtypes=("float64",), naive=False)
    assert [r[0] for r in check.rows] == ["actlib numpy", "actlib numpy", "actlib torch",
                                          "actlib torch"]
    assert check.max_ulp("actlib numpy", quantity="f") == 2.0 ** 12
    assert check.max_ulp("actlib numpy", quantity="f'") == 0
    assert check.max_ulp("actlib torch") == 0
    # f' uses |x f''|: for f = x^2/2 - x, f'(1) = 0 and |x f''(1)| = 1
    stub = Stub(lambda v, t: v * v / 2 - v, lambda v: v - 1 + 2.0 ** -40)
    check = crosscheck(stub, x ** 2 / 2 - x, x, grid=[1.0], dtypes=("float64",), naive=False)
    assert check.max_ulp("actlib numpy", quantity="f'") == 2.0 ** 12
    # where f' vanishes too nothing is granted: f = (x - 1)^2 at x = 1
    stub = Stub(lambda v, t: (v - 1) ** 2 + (0 if t else 2.0 ** -40), lambda v: 2 * (v - 1))
    check = crosscheck(stub, (x - 1) ** 2, x, grid=[1.0], dtypes=("float64",), naive=False)
    assert check.max_ulp("actlib numpy", quantity="f") > 1e280


def test_crosscheck_evaluates_both_signed_zeros():
    """default_grid includes 0.0 and -0.0 on purpose; both must reach the activation."""
    seen = []
    crosscheck(Wrapped(actlib.get("sigmoid"), record=seen), sigma, x, **SMALL)
    zeros = np.concatenate(seen)
    zeros = zeros[zeros == 0]
    assert sorted(set(np.signbit(zeros).tolist())) == [False, True]


def _bound(bucket: str) -> float:
    if bucket == "0":
        return 0.0
    if bucket == "inf":
        return math.inf
    m = re.fullmatch(r"<= (?:2\^(\d+)|([\d.]+))", bucket)
    assert m, bucket
    return 2.0 ** int(m[1]) if m[1] else float(m[2])


def _check_bucket(bucket: str, ulp: float):
    b = _bound(bucket)
    if math.isinf(b) or b == 0:
        assert ulp == b
    else:  # the least power of two >= ulp (0.5 covers everything below)
        assert ulp <= b and (b == 0.5 or ulp > b / 2) and math.log2(b) == int(math.log2(b))


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_report_reprs(sigmoid_check):
    """One row per implementation, one column per dtype and quantity; each cell the scaled
    bucket, with the plain bucket in parentheses where it differs; text and HTML agree."""
    rows = sigmoid_check.rows
    text = repr(sigmoid_check).splitlines()
    assert text[0].startswith("sigmoid: maximum error in ULP of max(|f|, |x f'|)")
    head = re.split(r"\s{2,}", text[1].strip())
    dtypes = list(dict.fromkeys(r[2] for r in rows))
    assert head == ["implementation", *(f"{t} {q}" for t in dtypes for q in ("f", "f'"))]
    body = [re.split(r"\s{2,}", line.strip()) for line in text[3:]]
    paths = list(dict.fromkeys(r[0] for r in rows))
    assert [b[0] for b in body] == paths
    for cells in body:
        for col, cell in zip(head[1:], cells[1:]):
            dtype, q = col.split()
            (row,) = [r for r in rows if r[0] == cells[0] and r[2] == dtype and r[3] == q]
            scaled, _, plain = cell.partition(" (")
            _check_bucket(scaled, row[4])
            _check_bucket(plain.rstrip(")") or scaled, row[6])
            assert bool(plain) == (_bucket_of(row[4]) != _bucket_of(row[6]))
    parser = _Cells()
    parser.feed(sigmoid_check._repr_html_())
    assert parser.rows[0] == head
    assert parser.rows[1:] == body
    # torch's sigma' loses everything in the right tail: plain 2^53 in float64, and less
    # in the condition-scaled unit
    (cell,) = [b[2] for b in body if b[0] == "torch builtin"]
    assert cell.endswith(" (<= 2^53)") and cell.startswith("<= 2^4")
    # the buckets cover the range of values: exact, small, huge, infinite
    fake = CrossCheck("fake", [(f"p{i}", "cpu", "float64", "f", u, 0.0, u)
                               for i, u in enumerate((0.0, 0.3, 1.0, 3.0, 4096.0, 5000.0, 2.0 ** 47,
                                                      math.inf))])
    buckets = [re.split(r"\s{2,}", line.strip())[1] for line in repr(fake).splitlines()[3:]]
    assert buckets == ["0", "<= 0.5", "<= 1", "<= 4", "<= 4096", "<= 2^13", "<= 2^47", "inf"]


def _bucket_of(u):
    from actlib.crosscheck import _bucket

    return _bucket(u)


# -- plotting -----------------------------------------------------------------------------------
@pytest.fixture
def close_figures():
    yield
    plt.close("all")


def _curves(ax):
    """The activation lines of an axis (the reference lines at 0 carry no label)."""
    return [line for line in ax.lines if not line.get_label().startswith("_")]


def test_plot_activation(close_figures):
    grid = np.linspace(-3, 3, 60)  # no point at the kink
    acts = [actlib.get("relu"), actlib.get("tanh")]
    ax = plot_activation(acts, x=grid).axes
    assert len(ax) == 2
    f_lines, d_lines = _curves(ax[0]), _curves(ax[1])
    assert [l.get_label() for l in f_lines] == ["relu", "tanh"]
    assert [l.get_label() for l in d_lines] == ["relu", "tanh"]
    for f, d, act in zip(f_lines, d_lines, acts):
        np.testing.assert_array_equal(f.get_xdata(), grid)
        np.testing.assert_array_equal(d.get_xdata(), grid)
        np.testing.assert_array_equal(d.get_ydata(), act.grad(grid))
        assert f.get_color() == d.get_color()
    np.testing.assert_allclose(f_lines[0].get_ydata(), np.maximum(grid, 0), rtol=0, atol=0)
    np.testing.assert_allclose(d_lines[0].get_ydata(), (grid > 0).astype(float), rtol=0, atol=0)
    np.testing.assert_allclose(f_lines[1].get_ydata(), np.tanh(grid), rtol=1e-15)
    np.testing.assert_allclose(d_lines[1].get_ydata(), 1 / np.cosh(grid) ** 2, rtol=1e-13)
    assert [t.get_text() for t in ax[0].get_legend().get_texts()] == ["relu", "tanh"]


def test_plot_activation_single_and_given_axes(close_figures):
    fig, given = plt.subplots(1, 2)
    ax = plot_activation(actlib.get("sigmoid"), ax=given).axes
    assert list(ax) == list(given)
    (f,), (d,) = _curves(ax[0]), _curves(ax[1])
    assert len(f.get_xdata()) == 1001 and f.get_xdata()[0] == -5 and f.get_xdata()[-1] == 5
    xs = f.get_xdata()
    np.testing.assert_allclose(f.get_ydata(), 1 / (1 + np.exp(-xs)), rtol=1e-15)
    np.testing.assert_allclose(d.get_ydata(), np.exp(-xs) / (1 + np.exp(-xs)) ** 2, rtol=1e-13)


def test_plot_family(close_figures):
    grid = np.linspace(-3, 3, 60)
    values = [0.5, 1.0, 2.0]
    ax = plot_family("elu", "alpha", values, x=grid).axes
    labels = ["alpha = 0.5", "alpha = 1", "alpha = 2"]
    assert [t.get_text() for t in ax[0].get_legend().get_texts()] == labels
    for axis in ax:
        assert [l.get_label() for l in _curves(axis)] == labels
    for a, f, d in zip(values, _curves(ax[0]), _curves(ax[1])):
        np.testing.assert_allclose(f.get_ydata(), np.where(grid < 0, a * np.expm1(grid), grid),
                                   rtol=1e-14)
        np.testing.assert_allclose(d.get_ydata(), np.where(grid < 0, a * np.exp(grid), 1.0),
                                   rtol=1e-14)


def test_plot_family_fixed_parameters(close_figures):
    grid = np.linspace(-2, 2, 41)
    ax = plot_family("hardtanh", "max_val", [1.0, 1.5], x=grid, min_val=-0.5).axes
    for top, f in zip([1.0, 1.5], _curves(ax[0])):
        np.testing.assert_array_equal(f.get_ydata(), np.clip(grid, -0.5, top))


def test_plot_family_string_parameter(close_figures):
    """GELU's approximations are a family of a string parameter."""
    ax = plot_family("gelu", "approximate", ["none", "tanh"]).axes
    texts = [t.get_text() for t in ax[0].get_legend().get_texts()]
    assert len(texts) == 2 and "none" in texts[0] and "tanh" in texts[1]
