"""The chapter toolkit (actlib.chapter) and the derivations it rests on (actlib.symbolic)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402

import actlib  # noqa: E402
from actlib.chapter import Study, glue, stated_values  # noqa: E402
from actlib.plotting import plot_activation  # noqa: E402
from actlib.symbolic import breakpoints, derive, stationary_points  # noqa: E402

x = sp.Symbol("x", real=True)
sigma = 1 / (1 + sp.exp(-x))


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# -- breakpoints and derived properties ---------------------------------------------------
@pytest.mark.parametrize("expr, expected", [
    (sigma, ()),
    (sp.Abs(x - 1) + sp.Max(0, x), (0, 1)),
    (sp.Min(sp.Max(-1, x), 1), (-1, 1)),
    (sp.sign(x) + sp.Heaviside(x + 2), (-2, 0)),
    (sp.Piecewise((0, x <= -1), ((x + 1) ** 2 / 4, x < 1), (x, True)), (-1, 1)),
], ids=["smooth", "abs+max", "clip", "sign+heaviside", "sparse_plus"])
def test_breakpoints_read_off_the_expression(expr, expected):
    assert breakpoints(expr, x) == expected


def test_derive_sigmoid():
    d = derive(sigma, x)
    assert d.limits == (0, 1) and d.range == sp.Interval.open(0, 1)
    assert d.f0 == sp.Rational(1, 2) and d.df0 == (sp.Rational(1, 4), sp.Rational(1, 4))
    assert (d.bounded_above, d.bounded_below) == (True, True)
    assert d.monotonic == "strictly increasing" and d.smoothness == "C^inf"
    assert d.extrema == () and d.breakpoints == ()


def test_derive_abs_is_not_monotonic_and_c0():
    d = derive(sp.Abs(x), x)
    assert (d.smoothness, d.monotonic, d.range) == ("C^0", "not monotonic", sp.Interval(0, sp.oo))
    assert d.df0 == (-1, 1)


def test_derive_sign_is_a_non_decreasing_step():
    d = derive(sp.sign(x), x)
    assert (d.smoothness, d.monotonic, d.range) == ("discontinuous", "non-decreasing",
                                                    sp.FiniteSet(-1, 0, 1))


def test_derive_silu_minimum_is_lambert_w():
    """SymPy cannot solve x + 1 + e^x = 0 in closed form; the minimum is located numerically
    and matches -W(1/e) at -1 - W(1/e)."""
    d = derive(x * sigma, x)
    ((xm, fm, kind),) = d.extrema
    assert kind == "minimum" and not d.exact
    w = sp.LambertW(sp.exp(-1))
    assert abs(float(xm - (-1 - w))) < 1e-15 and abs(float(fm + w)) < 1e-15
    assert d.monotonic == "not monotonic" and not d.bounded_above and d.bounded_below
    assert abs(float(d.range.inf + w)) < 1e-15


def test_derive_gaussian_bump():
    d = derive(sp.exp(-x ** 2), x)
    assert d.extrema == ((0, 1, "maximum"),) and d.range == sp.Interval.Lopen(0, 1)


def test_stationary_points_exact_when_solvable():
    pts, exact = stationary_points(x ** 3 - 3 * x, x)
    assert exact and pts == [-1, 1]


def test_monotone_cube_has_an_inflection_not_an_extremum():
    d = derive(x ** 3, x)
    assert d.extrema == () and d.monotonic == "strictly increasing"


# -- stated values of act.info ------------------------------------------------------------
def test_stated_values_parse_the_numbers_of_a_statement():
    relu, rrelu = actlib.get("relu"), actlib.get("rrelu")
    assert stated_values("undefined; 0 (torch and jax)", relu) == [(0, False)]
    assert (sp.Rational(11, 48), False) in stated_values("undefined; a (torch; 11/48 in eval)", rrelu)
    ((value, tol),) = stated_values("~0.00609", relu)
    assert value == sp.Float("0.00609") and abs(tol - 5e-6) < 1e-18
    leaky = actlib.get("leaky_relu", negative_slope=0.2)
    assert (sp.Rational(1, 5), False) in stated_values("undefined; a (torch), 1 (jax)", leaky)


# -- Study --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sigmoid", "relu", "hardtanh", "sign", "heaviside", "threshold",
                                  "softsign", "rrelu", "leaky_relu", "tanh", "logsigmoid"])
def test_study_properties_agree_with_info(name):
    table = Study(name).properties()
    verdicts = [r[3] for r in table.rows]
    assert verdicts.count(True) >= 6  # range, bounds, f(0), f'(0), monotonic, smoothness
    assert "DISAGREE" not in repr(table)


def test_study_catches_a_wrong_info(monkeypatch):
    """A property typed wrongly into act.info is caught by the derivation."""
    import dataclasses

    s = Study("sigmoid")
    wrong = dataclasses.replace(s.act.info, smoothness="C^1", f0="1/3", bounded_above=False)
    monkeypatch.setattr(type(s.act), "info", property(lambda self: wrong))
    table = s.property_table()
    bad = {r[0] for r in table.disagreements()}
    assert bad == {"smoothness", "f(0)", "bounded above"}
    with pytest.raises(AssertionError, match="disagrees"):
        s.properties()


def test_study_kink_convention_is_a_one_sided_derivative():
    s = Study("hardtanh")
    conv = {float(p): (c, l, r) for p, c, l, r in s.kink_convention()}
    assert conv[-1.0] == (0.0, 0, 1) and conv[1.0] == (0.0, 1, 0)


def test_study_prove_derivative_fails_on_a_wrong_closed_form():
    s = Study("sigmoid")
    s.prove_derivative(s.f * (1 - s.f), s.f * s.f.subs(x, -x))
    with pytest.raises(AssertionError, match="not proved"):
        s.prove_derivative(s.f * (1 + s.f))


def test_study_crosscheck_asserts_and_reports_both_units():
    check = Study("sigmoid").crosscheck()
    text = repr(check)
    assert "ULP of max(|f|, |x f'|)" in text and "(<= 2^53)" in text


def test_gpu_crosscheck_is_silent_without_a_gpu(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the cell displays its table")
    assert Study("relu").gpu_crosscheck() is None
    assert capsys.readouterr().out == ""


# -- plots ------------------------------------------------------------------------------
def _curves(ax):
    return [line for line in ax.lines if not line.get_label().startswith("_")
            and line.get_linestyle() != "None"]


def _dots(ax):
    return [line for line in ax.lines if line.get_linestyle() == "None"]


def test_plot_breaks_a_jump_and_marks_the_value_and_the_limits():
    fig = plot_activation(actlib.get("heaviside"), x=np.linspace(-2, 2, 41), breaks=(0,))
    f_ax, d_ax = fig.axes
    assert f_ax.get_title() == "heaviside: $f(x)$"
    (line,) = _curves(f_ax)
    xs, ys = line.get_xdata(), line.get_ydata()
    assert np.isnan(ys[xs == 0]).all()  # a gap, not a vertical segment
    dots = {(float(d.get_xdata()[0]), float(d.get_ydata()[0]), d.get_markerfacecolor() == "white")
            for d in _dots(f_ax)}
    assert dots == {(0.0, 0.5, False), (0.0, 0.0, True), (0.0, 1.0, True)}
    assert _dots(d_ax) == []  # f' = 0 on both sides and at 0: no jump to mark


def test_plot_marks_the_derivative_convention_at_a_kink():
    fig = plot_activation(actlib.get("relu"), x=np.linspace(-2, 2, 41), breaks=(0,))
    f_ax, d_ax = fig.axes
    assert _dots(f_ax) == []  # relu is continuous
    dots = {(float(d.get_xdata()[0]), float(d.get_ydata()[0]), d.get_markerfacecolor() == "white")
            for d in _dots(d_ax)}
    assert dots == {(0.0, 0.0, False), (0.0, 1.0, True)}  # relu'(0) = 0 filled; the limit 1 open


def test_family_curves_get_distinct_line_styles():
    s = Study("threshold")
    fig = actlib.plotting.plot_family("threshold", "value", [0.0, -0.5, 0.5],
                                      x=np.linspace(-2, 2, 41), breaks=(0,))
    styles = [line.get_linestyle() for line in _curves(fig.axes[1])]
    assert len(set(styles)) == 3
    assert s.name == "threshold"


def test_study_plot_glues_a_titled_figure():
    name = Study("relu6").plot()
    assert name == "relu6-plot"
    assert plt.get_fignums() == []  # closed after gluing: the cell shows nothing


def test_glue_formats_deterministically():
    assert glue("t-a", 0.6590461) == "0.659"
    assert glue("t-b", 12345) == "12,345"
    assert glue("t-c", sp.Rational(1, 4)) == "1/4"
    assert glue("t-d", 2.0 ** -20, digits=2) == "9.5e-07"
    assert glue("t-e", "text") == "text"
    assert glue("t-f", -3 * sp.Symbol("alpha")) == "-3*alpha"


def test_selu_constants_are_read_in_its_info():
    table = Study("selu").properties()
    (row,) = [r for r in table.rows if r[0] == "f'(0) in actlib"]
    assert row[3] is True


def test_property_table_names_coefficient_tuples():
    # PAU's parameters are tuples of coefficients: statements name them a_0, a_1, ...
    rows = {r[0]: r for r in Study("pau").property_table().rows}
    assert rows["f(0)"][2] == "a_0" and rows["f(0)"][3] is True
