"""Vector-valued activations: value and vjp against the 50-digit oracle (ULP rule of
tests/ulp.py), torch gradcheck, autograd Jacobian against the explicit Jacobian, dim handling,
torch builtins, and the error on ``grad``."""
from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

import actlib
import oracle
from helpers import TORCH_DTYPES, VECTOR_VALUED, torch_builtin
from ulp import BOUND, ulp_error

SHAPE = (3, 6)          # 6 is even (GLU family) and divisible by k=2 (maxout)


def _input(seed=0, shape=SHAPE):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 1.5, shape), rng.normal(0.0, 1.0, shape)


@functools.cache
def _reference(name: str):
    x, _ = _input()
    act = actlib.get(name)
    y_shape = act(x).shape
    g = _input(1, y_shape)[1]
    params = {k: v for k, v in act.params.items() if k != "dim"}
    rows = [oracle.vector_reference(name, x[i], g[i], **params) for i in range(x.shape[0])]
    return x, g, {k: np.stack([r[k] for r in rows]) for k in rows[0]}


BACKENDS = [("numpy", "float64"), ("numpy", "float32"), ("torch", "float64"),
            ("torch", "float32")]


@pytest.mark.parametrize("backend,dtype", BACKENDS, ids=[f"{b}-{d}" for b, d in BACKENDS])
@pytest.mark.parametrize("name", VECTOR_VALUED)
def test_value_and_vjp_against_oracle(name, backend, dtype):
    x, g, ref = _reference(name)
    act = actlib.get(name)
    if backend == "numpy":
        y, v = act(x.astype(dtype)), act.vjp(x.astype(dtype), g.astype(dtype))
        assert y.dtype == v.dtype == np.dtype(dtype)
    else:
        xt = torch.tensor(x, dtype=TORCH_DTYPES[dtype])
        y, v = act(xt), act.vjp(xt, torch.tensor(g, dtype=TORCH_DTYPES[dtype]))
        assert y.dtype == v.dtype == xt.dtype
        y, v = y.double().numpy(), v.double().numpy()
    # float32: the reference is at the float64 points; rounding x and g to float32 is a relative
    # perturbation of the inputs, which the scales (|x J|, |g J|, |x dvjp/dx|) account for
    ey = ulp_error(np.asarray(y, np.float64), ref["y"], 0.0, ref["yscale"], dtype)
    ev = ulp_error(np.asarray(v, np.float64), ref["vjp"], 0.0, ref["vscale"], dtype)
    assert ey.max() <= BOUND[dtype], f"{name} {backend} {dtype} value: {ey.max():.3g} ulp"
    assert ev.max() <= BOUND[dtype], f"{name} {backend} {dtype} vjp: {ev.max():.3g} ulp"


@pytest.mark.parametrize("name", VECTOR_VALUED)
def test_autograd_jacobian_matches_explicit_jacobian(name):
    """torch.autograd.functional.jacobian through actlib's backward equals the oracle's J."""
    x, _, ref = _reference(name)
    act = actlib.get(name)
    for i in range(x.shape[0]):
        J = torch.autograd.functional.jacobian(act, torch.tensor(x[i]))
        np.testing.assert_allclose(J.numpy(), ref["J"][i], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dim", [-1, 0, 1])
@pytest.mark.parametrize("name", VECTOR_VALUED)
def test_gradcheck(name, dim):
    x = torch.tensor(_input(2, (4, 6))[0], requires_grad=True)
    act = actlib.get(name, dim=dim)
    assert torch.autograd.gradcheck(act, (x,), eps=1e-6, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("name", VECTOR_VALUED)
def test_dim_is_respected(name):
    """Acting along dim 0 equals acting along -1 on the transpose; numpy equals torch."""
    x = _input(3, (6, 4))[0]
    a0, a1 = actlib.get(name, dim=0), actlib.get(name, dim=-1)
    np.testing.assert_allclose(a0(x), a1(x.T).T, rtol=1e-15, atol=0)
    np.testing.assert_allclose(a0(torch.tensor(x)).numpy(), a0(x), rtol=1e-13, atol=1e-300)
    g = _input(4, a0(x).shape)[1]
    np.testing.assert_allclose(a0.vjp(x, g), a1.vjp(x.T, g.T).T, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", VECTOR_VALUED)
def test_grad_points_to_vjp(name):
    act = actlib.get(name)
    with pytest.raises(TypeError, match="vjp"):
        act.grad(np.ones(4))
    with pytest.raises(TypeError, match="vjp"):
        act.grad(torch.ones(4))


@pytest.mark.parametrize("name", [n for n in VECTOR_VALUED if actlib.spec(n).torch_builtin])
def test_matches_torch_builtin(name):
    act = actlib.get(name)
    builtin = torch_builtin(act)
    x = torch.tensor(_input(5, (4, 6))[0], requires_grad=True)
    xb = x.detach().clone().requires_grad_(True)
    y, yb = act(x), builtin(xb)
    torch.testing.assert_close(y, yb, rtol=1e-13, atol=1e-15)
    g = torch.tensor(_input(6, tuple(y.shape))[1])
    (gx,), (gb,) = torch.autograd.grad(y, x, g), torch.autograd.grad(yb, xb, g)
    torch.testing.assert_close(gx, gb, rtol=1e-12, atol=1e-14)


def test_softmax_family_is_stable_and_sums_to_one():
    x = np.array([[1000.0, 0.0, -1000.0], [-1e308, 0.0, 1e308]])
    s = actlib.get("softmax")(x)
    np.testing.assert_array_equal(s, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    ls = actlib.get("log_softmax")(np.array([1000.0, 0.0]))
    np.testing.assert_allclose(ls, [0.0, -1000.0], rtol=1e-15)
    r = np.random.default_rng(7).normal(0, 5, (5, 9))
    np.testing.assert_allclose(actlib.get("softmax")(r).sum(-1), 1.0, rtol=4e-16 * 9)
    np.testing.assert_allclose(actlib.get("softmin")(r), actlib.get("softmax")(-r), rtol=1e-15)
    sp = actlib.get("sparsemax")(r)
    assert (sp >= 0).all() and np.allclose(sp.sum(-1), 1.0, rtol=1e-15)


def test_sparsemax_known_values():
    """Martins & Astudillo's projection: [1, 0.5, -1] -> [0.75, 0.25, 0] (where Keras <= 3.15.1
    gives [0.25, 0, 0]); a dominant entry gives a one-hot output."""
    sm = actlib.get("sparsemax")
    np.testing.assert_allclose(sm(np.array([1.0, 0.5, -1.0])), [0.75, 0.25, 0.0], rtol=1e-15)
    np.testing.assert_array_equal(sm(np.array([3.0, 0.0, 0.1])), [1.0, 0.0, 0.0])


def test_nan_in_a_row_makes_the_row_nan():
    x = np.array([[0.0, np.nan, 1.0, 2.0], [0.0, 1.0, 2.0, 3.0]])
    for name in ("softmax", "log_softmax", "softmin", "sparsemax"):
        if name in VECTOR_VALUED:
            y = actlib.get(name)(x)
            assert np.isnan(y[0]).all() and np.isfinite(y[1]).all(), name


def test_reglu_keeps_nan_like_relu():
    """relu(NaN) and relu'(NaN) are NaN, so a NaN in either half of reglu's input is NaN in the
    value and in both partials (1{a > 0} b and relu(a)); NumPy and torch (vjp and autograd)."""
    # rows [a1, a2, b1, b2]: NaN in a; NaN in b
    x = np.array([[np.nan, 1.0, 2.0, 3.0], [1.0, -1.0, np.nan, 2.0]])
    want_y = np.array([[np.nan, 3.0], [np.nan, 0.0]])
    want_vjp = np.array([[np.nan, 3.0, np.nan, 1.0], [np.nan, 0.0, 1.0, 0.0]])
    act = actlib.get("reglu")
    g = np.ones((2, 2))
    np.testing.assert_array_equal(act(x), want_y)
    np.testing.assert_array_equal(act.vjp(x, g), want_vjp)
    for dtype in (torch.float64, torch.float32):
        xt = torch.tensor(x, dtype=dtype, requires_grad=True)
        y = act(xt)
        y.backward(torch.ones_like(y))
        np.testing.assert_array_equal(y.detach().double().numpy(), want_y)
        np.testing.assert_array_equal(xt.grad.double().numpy(), want_vjp)
        vjp = act.vjp(xt.detach(), torch.ones(2, 2, dtype=dtype))
        np.testing.assert_array_equal(vjp.double().numpy(), want_vjp)


@pytest.mark.parametrize("name", [n for n in ("glu", "reglu", "geglu", "swiglu", "bilinear")
                                  if n in VECTOR_VALUED])
def test_glu_family_shapes_and_halves(name):
    x = _input(8, (2, 8))[0]
    y = actlib.get(name)(x)
    assert y.shape == (2, 4)
    a, b = x[:, :4], x[:, 4:]
    want = {"glu": lambda: a / (1 + np.exp(-b)), "bilinear": lambda: a * b,
            "reglu": lambda: np.maximum(a, 0) * b,
            "swiglu": lambda: a / (1 + np.exp(-a)) * b}.get(name)
    if want is not None:
        np.testing.assert_allclose(y, want(), rtol=1e-13)


def test_maxout_and_crelu_shapes():
    x = _input(9, (2, 6))[0]
    if "maxout" in VECTOR_VALUED:
        y = actlib.get("maxout", k=3)(x)
        np.testing.assert_array_equal(y, x.reshape(2, 2, 3).max(-1))
        g = actlib.get("maxout", k=2).vjp(np.array([1.0, 1.0, 0.0, 2.0]), np.array([1.0, 1.0]))
        np.testing.assert_array_equal(g, [0.5, 0.5, 0.0, 1.0])   # ties split as torch.amax
    if "crelu" in VECTOR_VALUED:
        y = actlib.get("crelu")(x)
        np.testing.assert_array_equal(y, np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1))
