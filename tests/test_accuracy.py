"""Accuracy of every elementwise activation against the 50-digit mpmath oracle.

Grid: about 2000 points over +-1e-8..+-1e3 (log-spaced), 0, -0.0, +-inf, NaN and the
neighbours of every kink in every dtype (tests/ulp.py).  Error in ULP of the tested
dtype with the conditioning rule of tests/ulp.py.  Bounds: 64 ULP (float64), 8 ULP
(float32), 1 ULP (float16/bfloat16, which must also be the float32 result rounded
once).  The reference is computed once per (activation, parameters) and reused for
every backend and dtype.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import actlib
import oracle
from conftest import COLUMNS
from helpers import (AMBIGUOUS_KINKS, ELEMENTWISE, accuracy_cases, case_id, reference,
                     run_numpy, run_torch, torch_builtin)
from ulp import BOUND, HALF, representable, round_to, ulp_error

CASES = [pytest.param(n, p, id=case_id(n, p), marks=pytest.mark.xdist_group(n))
         for n, p in accuracy_cases()]


def _errors(act, x, ref, mask, y, dy, dtype):
    ev = ulp_error(y, ref["f_hi"][mask], ref["f_lo"][mask], ref["fscale"][mask], dtype)
    ed = ulp_error(dy, ref["df_hi"][mask], ref["df_lo"][mask], ref["dscale"][mask], dtype)
    if act.name in AMBIGUOUS_KINKS:
        ed = np.where(np.isin(x, oracle.kinks(act.name, **act.params)), 0.0, ed)
    return ev, ed


def _worst(x, err, y, hi, n=4) -> str:
    idx = np.argsort(np.where(np.isnan(err), np.inf, err))[::-1][:n]
    return "; ".join(f"x={x[i]!r}: got {y[i]!r}, exact {hi[i]!r} ({err[i]:.3g} ulp)" for i in idx)


def _compute(act, backend, dtype, x):
    if backend == "numpy":
        return run_numpy(act, x, dtype)
    return run_torch(act, x, dtype)


@pytest.mark.parametrize("backend,dtype", COLUMNS, ids=[f"{b}-{d}" for b, d in COLUMNS])
@pytest.mark.parametrize("name,params", CASES)
def test_accuracy(name, params, backend, dtype, record_property):
    act = actlib.get(name, **params)
    grid, ref, _ = reference(act)
    mask = representable(grid, dtype)
    x = grid[mask]
    y, dy = _compute(act, backend, dtype, x)
    ev, ed = _errors(act, x, ref, mask, y, dy, dtype)
    label = case_id(name, params)
    record_property("max_ulp", (label, backend, dtype, "value", float(np.max(ev))))
    record_property("max_ulp", (label, backend, dtype, "grad", float(np.max(ed))))
    bound = BOUND[dtype]
    problems = []
    if np.max(ev) > bound:
        problems.append(f"value {np.max(ev):.3g} ulp > {bound}: "
                        + _worst(x, ev, y, ref["f_hi"][mask]))
    if np.max(ed) > bound:
        problems.append(f"derivative {np.max(ed):.3g} ulp > {bound}: "
                        + _worst(x, ed, dy, ref["df_hi"][mask]))
    if dtype in HALF:  # computed in float32 and rounded once
        y32, dy32 = _compute(act, backend, "float32", x)
        for what, got, want in (("value", y, y32), ("derivative", dy, dy32)):
            want = round_to(want, dtype)
            bad = ~((got == want) | (np.isnan(got) & np.isnan(want)))
            if bad.any():
                i = np.flatnonzero(bad)[0]
                problems.append(f"{what} in {dtype} is not the float32 result rounded once: "
                                f"x={x[i]!r} got {got[i]!r}, float32 rounded {want[i]!r}")
    assert not problems, f"{label} {backend} {dtype}: " + " | ".join(problems)


TORCH_DTYPES = [d for b, d in COLUMNS if b == "torch"]


@pytest.mark.parametrize("dtype", TORCH_DTYPES)
@pytest.mark.parametrize("name,params", [c for c in CASES
                                          if actlib.spec(c.values[0]).torch_builtin is not None])
def test_not_worse_than_torch(name, params, dtype):
    """actlib's max error (value, and autograd gradient) is no worse than torch's builtin's on the
    same points: at most max(torch's, 1 ULP) + 1 ULP.  The extra unit is the final rounding:
    two faithfully rounded results of different, equally valid formulas differ by up to one
    unit, which is not a difference in accuracy (the same rule as actlib.crosscheck)."""
    act = actlib.get(name, **params)
    builtin = torch_builtin(act)
    grid, ref, _ = reference(act)
    mask = representable(grid, dtype)
    x = grid[mask]
    ours = _errors(act, x, ref, mask, *run_torch(act, x, dtype), dtype)
    try:
        theirs_y, theirs_dy = run_torch(builtin, x, dtype)
        theirs = _errors(act, x, ref, mask, theirs_y, theirs_dy, dtype)
    except (RuntimeError, NotImplementedError):  # no autograd formula (torch.heaviside)
        theirs_y = builtin(torch.tensor(x, dtype=getattr(torch, dtype))).double().numpy()
        theirs = (_errors(act, x, ref, mask, theirs_y, theirs_y, dtype)[0], None)
    for what, o, t in zip(("value", "gradient"), ours, theirs):
        if t is None:
            continue
        assert np.max(o) <= max(np.max(t), 1.0) + 1.0, (
            f"{name} {dtype} {what}: actlib {np.max(o):.3g} ulp, torch builtin {np.max(t):.3g} ulp")


@pytest.mark.parametrize("name", sorted(AMBIGUOUS_KINKS & set(ELEMENTWISE)))
def test_derivative_at_ambiguous_kink_is_one_sided(name):
    """Where no torch builtin fixes the convention, f'(kink) must be one of the one-sided
    derivatives (a documented convention, not an arbitrary value)."""
    act = actlib.get(name)
    for k in oracle.kinks(name, **act.params):
        got = float(act.grad(np.float64(k)))
        sides = {oracle.derivative(name, np.nextafter(k, -np.inf)),
                 oracle.derivative(name, np.nextafter(k, np.inf))}
        assert any(abs(got - s) <= 1e-12 for s in sides), (name, k, got, sides)
        tk = torch.tensor(k, dtype=torch.float64)
        assert float(act.grad(tk)) == got


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_oracle_has_same_parameters(name):
    """The oracle takes the parameters actlib takes, by the same names and defaults (so the
    accuracy grids compare like with like)."""
    assert name in oracle.REF, f"no mpmath reference for {name}"
    ours = actlib.get(name).params
    theirs = oracle.REF[name].defaults
    assert set(ours) == set(theirs), (name, sorted(ours), sorted(theirs))
    for k, v in theirs.items():
        if isinstance(v, str) or isinstance(v, bool):
            assert ours[k] == v, (name, k, ours[k], v)
        else:
            np.testing.assert_allclose(np.ravel(ours[k]).astype(float), np.ravel(v), rtol=1e-6,
                                       err_msg=f"{name}: default of {k}")


@pytest.mark.parametrize("backend,dtype", [c for c in COLUMNS if c[1] in ("float64", "float32")],
                         ids=[f"{b}-{d}" for b, d in COLUMNS if d in ("float64", "float32")])
@pytest.mark.parametrize("name,params", CASES)
def test_accuracy_on_moderate_inputs(name, params, backend, dtype):
    """The same bounds on the finite grid points with |x| <= 60 alone.  Some activations take a
    fused fast path when a tensor holds no inf, NaN or huge negative value (silu, swish,
    quick_gelu, gelu_tanh); the full grid always contains those, so this is where the fast
    paths are held to the oracle."""
    act = actlib.get(name, **params)
    grid, ref, _ = reference(act)
    mask = representable(grid, dtype) & np.isfinite(grid) & (np.abs(grid) <= 60)
    x = grid[mask]
    y, dy = _compute(act, backend, dtype, x)
    ev, ed = _errors(act, x, ref, mask, y, dy, dtype)
    bound = BOUND[dtype]
    assert np.max(ev) <= bound and np.max(ed) <= bound, (
        f"{case_id(name, params)} {backend} {dtype}: value {np.max(ev):.3g} ulp "
        f"({_worst(x, ev, y, ref['f_hi'][mask])}), derivative {np.max(ed):.3g} ulp "
        f"({_worst(x, ed, dy, ref['df_hi'][mask])})")
