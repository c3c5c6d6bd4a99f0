"""actlib.survey: the catalog-wide accuracy sweep and limits table, against tests/ulp.py's rule
and oracle-independent hand-made cases."""
from __future__ import annotations

import math

import numpy as np
import pytest

import actlib
from actlib.survey import (BOUNDS, CHAPTERS, Limits, accuracy_sweep, limits, round_to,
                           sweep_grid)
from ulp import BOUND
from ulp import round_to as ulp_round_to


def test_bounds_are_the_test_suites():
    assert BOUNDS == BOUND


def test_chapters_cover_every_elementwise_activation_once():
    names = [n for group in CHAPTERS.values() for n in group]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(n for n in actlib.names() if actlib.spec(n).elementwise)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_round_to_matches_the_test_suite(dtype):
    v = np.array([1 / 3, -2.5e-7, 1e3, 7e4, 0.1])
    assert np.array_equal(round_to(v, dtype), ulp_round_to(v, dtype))


def test_grid_has_extremes_zeros_and_kink_neighbours():
    g = sweep_grid(kinks=[-3.0], n=6, n_full=2)
    assert g[0] == -1e3 and g[-1] == 1e3 and 1e-8 in g and -1e-8 in g
    zeros = g[g == 0]
    assert sorted(np.signbit(zeros).tolist()) == [False, True]
    assert np.nextafter(-3.0, 0.0) in g and np.nextafter(np.float32(-3), np.float32(-4)) in g
    # the bfloat16 neighbour of -3 (8 significant bits: spacing 2^-6 at 3)
    assert -3.0 + 2.0 ** -6 in g and -3.0 - 2.0 ** -6 in g
    assert np.all(np.diff(g[np.isfinite(g)]) >= 0)


def test_sweep_measures_a_known_error():
    # sigmoid: actlib within its bounds; the naive derivative overflows at x = -1000 (NaN)
    s = accuracy_sweep("sigmoid", n=10)
    for dt, bound in BOUNDS.items():
        assert s.max_ulp("actlib torch", dt) <= bound
    assert math.isinf(s.max_ulp("naive autograd", "float32", "f'"))
    assert s.worst_x("naive autograd", "float32", "f'") == -1e3
    assert math.isnan(s.max_ulp("actlib numpy", "bfloat16"))  # NumPy has no bfloat16


def test_bfloat16_ulp_is_float32s_times_2_16():
    # the bfloat16 result of 1/3 is off by 1/3 - 0.333984375 = -0.00065104..., 1/3 ULP of 2^-8
    import mpmath
    from actlib.crosscheck import ulp_errors

    with mpmath.workdps(50):
        exact = [mpmath.mpf(1) / 3]
    err = ulp_errors([0.333984375], exact, "bfloat16")[0]
    assert err == pytest.approx((0.333984375 - 1 / 3) / 2.0 ** -9, rel=1e-12)


def test_limits_match_hand_derived_values():
    L = limits("softsign")
    assert L.exact == (-1.0, 1.0, L.exact[2], 0.0, 0.0, L.exact[5])
    assert math.isnan(L.exact[2]) and math.isnan(L.exact[5])
    assert L.mismatches("actlib torch") == [] and L.mismatches("actlib numpy") == []
    assert set(L.mismatches("torch builtin")) >= {"f(-inf)", "f(+inf)"}  # inf/inf
    relu = limits("relu")
    assert relu.exact[:2] == (0.0, math.inf) and relu.exact[3:5] == (0.0, 1.0)
    assert relu.mismatches("naive autograd") == ["f(nan)", "f'(nan)"]  # where(x > 0) at NaN
    assert isinstance(relu, Limits)


def test_bfloat16_ulp_below_the_normal_range_and_at_overflow():
    import mpmath
    from actlib.crosscheck import ulp_errors
    exact = [mpmath.mpf(1) / 3, mpmath.mpf(-7) / 5, mpmath.mpf(2) ** -130]
    computed = np.array([0.33, -1.41, 0.0])
    f32 = ulp_errors(computed, exact, "float32")
    bf16 = ulp_errors(computed, exact, "bfloat16")
    np.testing.assert_allclose(bf16[:2], f32[:2] / 2.0 ** 16)
    assert bf16[2] == f32[2]          # below the normal range both units are 2^-126
    assert ulp_errors(np.array([np.inf]), [mpmath.mpf("1e39")], "bfloat16")[0] == 0  # overflows to inf
