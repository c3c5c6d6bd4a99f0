"""Property tests (hypothesis) driven by each activation's metadata ``act.info`` and by the
catalog's symmetries: monotonicity (of f, and f' >= 0) where info says increasing, the range,
odd/even symmetry, f(0) and f'(0) against the oracle, exact limits at +-inf."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actlib
import oracle
from helpers import ELEMENTWISE
from ulp import BOUND, ulp_error

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
DTYPES = ("float64", "float32")


def _finite(dtype, lo=-1e3, hi=1e3):
    return st.floats(lo, hi, allow_nan=False, width=64 if dtype == "float64" else 32)


def _increasing(name):
    m = actlib.get(name).info.monotonic
    return m.startswith("strictly increasing") or m.startswith("non-decreasing")


MONOTONE = [n for n in ELEMENTWISE if _increasing(n)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", MONOTONE)
def test_monotone_where_info_says_increasing(name, dtype):
    act = actlib.get(name)

    @SETTINGS
    @given(st.lists(_finite(dtype), min_size=2, max_size=40))
    def check(xs):
        x = np.sort(np.asarray(xs, dtype=dtype))
        y = act(x)
        bad = ~(y[1:] >= y[:-1])
        assert not bad.any(), (name, x[:-1][bad], y[:-1][bad], y[1:][bad])
        assert (act.grad(x) >= 0).all(), (name, x[np.argmin(act.grad(x))])
    check()


_SYMBOLS = {"inf": math.inf, "pi": math.pi, "sqrt": math.sqrt, "e": math.e}
_NUMBER = re.compile(r"^\s*(approx|~)?\s*(.+?)\s*$")


def _bound(text: str, params: dict):
    """A range end written in info.range, as (value, tolerance); None if not a plain expression.
    '\\approx v' is good to half a unit of its last printed digit."""
    m = _NUMBER.match(text.replace("\\infty", "inf").replace("\\", ""))
    approx, expr = bool(m.group(1)), m.group(2)
    if "W(" in expr:
        return None
    try:
        v = float(eval(expr, {"__builtins__": {}}, {**_SYMBOLS, **params}))   # noqa: S307
    except Exception:
        return None
    tol = 0.0
    if approx:
        digits = len(expr.split(".")[1]) if "." in expr else 0
        tol = 0.5 * 10.0 ** -digits
    return v, tol


def _range(name):
    """(lo, hi, tolerances) parsed from info.range when it is a plain interval, else None."""
    act = actlib.get(name)
    text = act.info.range.split("=")[-1].strip()
    m = re.fullmatch(r"[\[(](.+),(.+)[\])]", text.split(" \\ ")[0].split(" (")[0].strip())
    if not m:
        return None
    params = {k: v for k, v in act.params.items() if isinstance(v, (int, float))}
    lo, hi = _bound(m.group(1), params), _bound(m.group(2), params)
    if lo is None or hi is None:
        return None
    return lo, hi


RANGED = [n for n in ELEMENTWISE if _range(n) is not None]


def test_most_ranges_are_machine_checkable():
    """Guard against the range test silently covering nothing."""
    assert len(RANGED) >= 0.6 * len(ELEMENTWISE), sorted(set(ELEMENTWISE) - set(RANGED))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", RANGED)
def test_values_within_info_range(name, dtype):
    """Closed range (rounding may reach an open end, e.g. sigmoid(40) == 1.0 in float64), and
    info.bounded agrees with the range."""
    act = actlib.get(name)
    (lo, tlo), (hi, thi) = _range(name)
    assert act.info.bounded_below == math.isfinite(lo), (name, act.info.range)
    assert act.info.bounded_above == math.isfinite(hi), (name, act.info.range)

    @SETTINGS
    @given(st.lists(st.floats(allow_nan=False, allow_infinity=False,
                              width=64 if dtype == "float64" else 32), min_size=1, max_size=40))
    def check(xs):
        x = np.asarray(xs, dtype=dtype)
        y = act(x).astype(np.float64)
        bad = ~((y >= lo - tlo) & (y <= hi + thi))
        assert not bad.any(), (name, x[bad], y[bad])
    check()


SYMMETRIC = [n for n in ELEMENTWISE if n in oracle.REF and (oracle.REF[n].odd or oracle.REF[n].even)]


@pytest.mark.parametrize("name", SYMMETRIC)
def test_odd_even_symmetry(name):
    act = actlib.get(name)
    s = -1.0 if oracle.REF[name].odd else 1.0

    @SETTINGS
    @given(st.lists(_finite("float64"), min_size=1, max_size=40))
    def check(xs):
        x = np.asarray(xs)
        np.testing.assert_array_equal(act(-x), s * act(x))
        np.testing.assert_array_equal(act.grad(-x), -s * act.grad(x))
    check()


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if n in oracle.REF])
def test_value_and_slope_at_zero(name):
    """f(0), f'(0) (and at -0.0) against the oracle, both backends, float64 and float32."""
    act = actlib.get(name)
    ref = oracle.evaluate(name, [0.0], **act.params)
    for dtype in DTYPES:
        for z in (0.0, -0.0):
            for y, dy in ((act(np.asarray(z, dtype)), act.grad(np.asarray(z, dtype))),
                          (act(torch.tensor(z, dtype=getattr(torch, dtype))),
                           act.grad(torch.tensor(z, dtype=getattr(torch, dtype))))):
                e = ulp_error([float(y)], ref["f_hi"], ref["f_lo"], ref["fscale"], dtype)[0]
                d = ulp_error([float(dy)], ref["df_hi"], ref["df_lo"], ref["dscale"], dtype)[0]
                assert e <= BOUND[dtype] and d <= BOUND[dtype], (name, dtype, z, float(y), float(dy))


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if n in oracle.REF])
def test_limits_at_infinity(name):
    """f(+-inf) and f'(+-inf) are the limits (0 and +-inf exactly, other constants within the
    accuracy bound; NaN only where there is no limit), and NaN gives NaN, on both backends in
    float64 and float32."""
    act = actlib.get(name)
    pts = np.array([np.inf, -np.inf, np.nan])
    ref = oracle.evaluate(name, pts, **act.params)
    for dtype in DTYPES:
        x = pts.astype(dtype)
        for y, dy in ((act(x), act.grad(x)),
                      (act(torch.tensor(x)).numpy(), act.grad(torch.tensor(x)).numpy())):
            e = ulp_error(y, ref["f_hi"], ref["f_lo"], 0.0, dtype)
            d = ulp_error(dy, ref["df_hi"], ref["df_lo"], 0.0, dtype)
            assert (e <= BOUND[dtype]).all(), (name, dtype, "f(+inf, -inf, nan)", y, ref["f_hi"])
            assert (d <= BOUND[dtype]).all(), (name, dtype, "f'(+inf, -inf, nan)", dy, ref["df_hi"])
