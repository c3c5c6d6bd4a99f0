"""actlib.definitions, the course's SymPy reference, against the independent mpmath oracle.

Values and derivatives of every elementwise definition agree with tests/oracle.py to 1e-25
(relative; absolute where the oracle's value is 0) at 12+ points per parameter set, with the
parameters given to both sides as the same exact numbers; vector-valued definitions agree with
actlib's float64 forward to 1e-13; defaults equal actlib's.
"""
from __future__ import annotations

import numbers

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import actlib
import oracle
from actlib import definitions as D
from actlib.definitions import Definition, definition, expr, x

ELEMENTWISE = [n for n in actlib.names() if actlib.spec(n).elementwise]
VECTOR = [n for n in actlib.names() if not actlib.spec(n).elementwise]

# one non-default parameter set per elementwise activation that has parameters
NON_DEFAULT = {
    "heaviside": dict(values=1.0),
    "hardtanh": dict(min_val=-2.0, max_val=0.5),
    "leaky_relu": dict(negative_slope=0.2),
    "prelu": dict(weight=-0.5),
    "rrelu": dict(lower=0.1, upper=0.3),
    "threshold": dict(threshold=1.0, value=-2.0),
    "softplus": dict(beta=2.0, threshold=10.0),
    "elu": dict(alpha=0.5),
    "celu": dict(alpha=-1.5),
    "squareplus": dict(b=1.0),
    "gelu": dict(approximate="tanh"),
    "swish": dict(beta=0.5),
    "star_relu": dict(s=1.0, b=0.0),
    "softshrink": dict(lambd=1.5),
    "hardshrink": dict(lambd=1.5),
    "snake": dict(a=0.5),
    "siren": dict(w0=1.0),
    "laplace": dict(mu=0.0, sigma=1.0),
    "isru": dict(alpha=0.25),
    "isrlu": dict(alpha=4.0),
    "tanhsoft": dict(alpha=0.5, beta=0.25, gamma=2.0, delta=1.0),
    "tanhsoft1": dict(alpha=1.5),
    "tanhsoft2": dict(beta=1.0, gamma=0.5),
    "erfact": dict(alpha=0.5, beta=1.0),
    "pserf": dict(gamma=1.0, delta=1.5),
    "pau": dict(a=(0.5, 1.0, 0.25), b=(0.75,)),     # other lengths than the default's
}

POINTS = (-30.0, -7.5, -2.25, -1.0, -0.5, -1e-6, 0.0, 1e-6, 0.5, 1.0, 2.25, 7.5, 30.0)
TOL = mp.mpf("1e-25")


def _cases():
    out = []
    for n in ELEMENTWISE:
        out.append(pytest.param(n, {}, id=f"{n}-defaults"))
        if n in NON_DEFAULT:
            out.append(pytest.param(n, NON_DEFAULT[n], id=f"{n}-nondefault"))
    return out


def _exact(d: Definition, params: dict) -> dict:
    """Every parameter of ``d`` as the exact SymPy value the definition substitutes."""
    out = {}
    for k, default in d.defaults.items():
        v = params.get(k, default)
        if isinstance(default, tuple):
            out[k] = tuple(D._to_sympy(t, d.name, k) for t in v)
        elif isinstance(default, sp.Basic):
            out[k] = D._to_sympy(v, d.name, k)
        else:
            out[k] = v
    return out


def _mp(v):
    if isinstance(v, tuple):
        return tuple(_mp(t) for t in v)
    if isinstance(v, sp.Basic):
        return mp.mpf(sp.N(v, 60))
    return v


def _evalf(e, point):
    v = sp.N(e.xreplace({x: sp.Rational(point)}), 35, maxn=4000)
    assert v.is_number and v.is_real, (e, point, v)
    return mp.mpf(v)


def _close(mine, ref, what):
    tol = TOL * abs(ref) if ref != 0 else mp.mpf("1e-40")
    assert abs(mine - ref) <= tol, f"{what}: definition {mine} vs oracle {ref}"


@pytest.mark.parametrize("name, params", _cases())
def test_value_and_derivative_match_oracle(name, params):
    d = definition(name)
    e = d(**params)
    assert e.free_symbols <= {x}, e.free_symbols
    dexpr = sp.diff(e, x).replace(sp.DiracDelta, lambda *a: sp.S.Zero)
    ref = oracle.REF[name]
    p = {k: _mp(v) for k, v in _exact(d, params).items()}
    kinks = [mp.mpf(k) for k in ref.kinks(**p)]
    near = [k + s * mp.mpf("1e-6") * max(1, abs(k)) for k in kinks for s in (-1, 1)]
    for pt in [*POINTS, *(float(k) for k in kinks), *(float(t) for t in near)]:
        xm = mp.mpf(pt)
        _close(_evalf(e, pt), ref.f(xm, **p), f"{name}{params} f({pt})")
        if all(abs(xm - k) > mp.mpf("1e-12") for k in kinks):
            _close(_evalf(dexpr, pt), ref.df(xm, **p), f"{name}{params} f'({pt})")


def test_every_name_has_a_definition():
    assert sorted(D._REGISTRY) == sorted(actlib.names())
    for n in actlib.names():
        d = definition(n)
        assert d.name == n and d.elementwise == actlib.spec(n).elementwise
        assert (d.expr is None) == (not d.elementwise)
        assert f"@defines(\"{n}\"" in d.source


def test_x_and_api():
    assert x == sp.Symbol("x", real=True)
    d = definition("leaky_relu")
    assert isinstance(d, Definition) and d.name == "leaky_relu" and d.elementwise
    a = d.symbols["negative_slope"]
    assert d.expr == sp.Piecewise((x, x > 0), (a * x, True))
    assert d.defaults == {"negative_slope": sp.Rational(1, 100)}
    assert d() == sp.Piecewise((x, x > 0), (x / 100, True))
    assert d(negative_slope=0.2) == expr("leaky_relu", negative_slope=0.2) \
        == sp.Piecewise((x, x > 0), (x / 5, True))
    assert d(negative_slope=sp.Rational(1, 3)).subs(x, -3) == -1
    assert "@defines(\"leaky_relu\"" in d.source and "def leaky_relu" in d.source
    with pytest.raises(TypeError, match="unknown parameter 'slope'"):
        d(slope=0.1)
    with pytest.raises(ValueError, match="beta"):
        expr("softplus", beta=-1.0)
    with pytest.raises(TypeError, match="elementwise"):
        d.vector(2)
    with pytest.raises(ValueError, match="lower"):
        expr("rrelu", lower=0.5)                     # actlib's check: lower <= upper
    with pytest.raises(ValueError, match="evaluation-mode"):
        expr("rrelu", training=True)
    with pytest.raises(ValueError, match="approximate"):
        expr("gelu", approximate="erf")
    with pytest.raises(TypeError, match="scalar"):
        expr("prelu", weight=np.array([0.1, 0.2]))
    assert expr("prelu", weight=np.float64(0.25)) == expr("prelu")
    # options select the form; a shared form is composed, not written twice
    assert expr("gelu", approximate="tanh") == expr("gelu_tanh")
    assert expr("silu") == expr("swish") == x / (1 + sp.exp(-x))
    assert expr("quick_gelu") == expr("swish", beta=1.702)
    assert expr("tanhsoft2") == expr("tanhsoft") == x * sp.tanh(sp.Rational(3, 5) * sp.exp(x))
    assert expr("softplus", threshold=float("inf")) == sp.log(1 + sp.exp(x))
    assert expr("logsigmoid") == -expr("softplus", threshold=sp.oo).subs(x, -x)
    # symbols carry the parameters' valid ranges
    assert definition("snake").symbols["a"].is_positive
    assert definition("squareplus").symbols["b"].is_nonnegative
    assert definition("celu").symbols["alpha"].is_nonzero
    # coefficient sequences: symbols per coefficient, any length, NumPy arrays accepted
    pau = definition("pau")
    assert [str(s) for s in pau.symbols["b"]] == ["b_1", "b_2", "b_3", "b_4"]
    assert len(pau.symbols["a"]) == len(pau.defaults["a"]) == 6
    assert expr("pau", a=np.array([0.0, 1.0]), b=[0.5]) == x / (1 + sp.Abs(x) / 2)
    assert expr("pau", a=[1, 2], b=[]) == 1 + 2 * x


def test_aliases_and_unknown_names():
    assert actlib.aliases()
    for alias, name in actlib.aliases().items():
        assert definition(alias) is definition(name)
        assert definition(alias).name == name
    assert definition("Hard-Sigmoid") is definition("hardsigmoid")
    with pytest.raises(actlib.UnknownActivationError, match="closest names: relu"):
        definition("relux")
    with pytest.raises(LookupError, match="sigmoid"):     # actlib's error is a LookupError
        expr("sigmiod")


def test_kink_values_and_conventions():
    """Piecewise conditions give actlib's value at the breakpoints and torch's f' at kinks."""
    for name, params, point in [("heaviside", {}, 0),
                                ("threshold", dict(threshold=1.0, value=3.0), 1),
                                ("hardtanh", {}, -1), ("hardtanh", {}, 1), ("relu6", {}, 6),
                                ("hardsigmoid", {}, 3), ("sign", {}, 0)]:
        act = actlib.get(name, **params)
        assert float(expr(name, **params).subs(x, point)) == float(act(float(point)))
    for name, params, point in [("hardshrink", {}, 0.5), ("hardshrink", {}, -0.5),
                                ("softplus", {}, 20),
                                ("softplus", dict(beta=2.0, threshold=1.0), 0.5),
                                ("sparse_plus", {}, -1), ("sparse_sigmoid", {}, 1),
                                ("hard_mish", {}, -2), ("hardswish", {}, -3)]:
        act = actlib.get(name, **params)
        assert float(expr(name, **params).subs(x, point)) == float(act(float(point))), name
    for name, point in [("relu", 0), ("leaky_relu", 0), ("relu6", 6), ("hardtanh", 1),
                        ("hardtanh", -1), ("hardsigmoid", -3), ("prelu", 0), ("rrelu", 0),
                        ("relu6", 0), ("hardsigmoid", 3), ("elu", 0), ("celu", 0), ("selu", 0),
                        ("hardswish", -3), ("hardswish", 3), ("hard_mish", -2),
                        ("softshrink", 0.5), ("softshrink", -0.5), ("threshold", 0),
                        ("sparse_sigmoid", -1), ("sparse_sigmoid", 1), ("sparse_plus", -1),
                        ("sparse_plus", 1), ("isrlu", 0), ("elish", 0), ("star_relu", 0)]:
        act = actlib.get(name)
        dv = sp.diff(expr(name), x).subs(x, point)
        assert abs(float(dv) - float(act.grad(float(point)))) <= 1e-15 * abs(float(dv)), \
            (name, point, dv)


def test_defaults_equal_actlib():
    for name in D._REGISTRY:
        d, s = definition(name), actlib.spec(name)
        actual = {p.name: p.default for p in s.params if p.name != "dim"}
        assert set(d.defaults) == set(actual), name
        for k, mine in d.defaults.items():
            theirs = actual[k]
            pairs = (zip(mine, theirs) if isinstance(mine, tuple) else [(mine, theirs)])
            if isinstance(mine, tuple):
                assert len(mine) == len(theirs), (name, k)
            for m, t in pairs:
                if not isinstance(m, sp.Basic):
                    assert m == t and type(m) is type(t), (name, k)
                    continue
                assert isinstance(t, numbers.Real)
                if sp.Rational(t) == m:          # binary-representable: exactly
                    continue
                assert not (m.is_Rational and m.q & (m.q - 1) == 0), (name, k, m, t)
                assert abs(float(m) - t) <= 1e-15 * abs(t), (name, k, m, t)


def test_symbols_match_parameters():
    for name in D._REGISTRY:
        d = definition(name)
        if d.elementwise:
            assert d.expr.free_symbols <= {x, *_flat(d.symbols.values())}, name
        for k, sym in d.symbols.items():
            for s in _flat([sym]):
                assert s.is_real, (name, k)


def _flat(values):
    for v in values:
        if isinstance(v, tuple):
            yield from v
        else:
            yield v


# -- vector-valued --------------------------------------------------------------------------
VECTOR_CASES = [("softmax", 4, {}), ("softmax", 1, {}), ("log_softmax", 4, {}), ("softmin", 3, {}),
                ("sparsemax", 4, {}), ("sparsemax", 3, {}), ("maxout", 6, {}),
                ("maxout", 6, dict(k=3)), ("maxout", 4, dict(k=1)), ("glu", 6, {}),
                ("reglu", 6, {}), ("geglu", 4, {}), ("geglu", 4, dict(approximate="tanh")),
                ("swiglu", 6, {}), ("bilinear", 4, {}), ("crelu", 3, {})]


def test_every_vector_activation_is_checked():
    assert {c[0] for c in VECTOR_CASES} == set(VECTOR)


@pytest.mark.parametrize("name, n, params", VECTOR_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in VECTOR_CASES])
def test_vector_matches_actlib_forward(name, n, params):
    d = definition(name)
    inputs, outputs = d.vector(n, **params)
    assert inputs == list(sp.symbols(f"x_1:{n + 1}", real=True))
    assert isinstance(outputs, sp.MatrixBase) and outputs.free_symbols <= set(inputs)
    act = actlib.get(name, **params)
    rng = np.random.default_rng(sum(map(ord, name)) + n)
    for row in 2 * rng.standard_normal((4, n)):
        y = np.asarray(act(row), dtype=np.float64)
        subs = {s: sp.Rational(float(v)) for s, v in zip(inputs, row)}
        mine = np.array([float(sp.N(o.xreplace(subs), 30)) for o in outputs])
        assert mine.shape == y.shape
        np.testing.assert_allclose(mine, y, rtol=1e-13, atol=1e-300)


def test_vector_shapes_and_identities():
    inputs, s = definition("softmax").vector(5)
    assert sp.simplify(sum(s)) == 1
    inputs, s = definition("softmin").vector(3)
    assert sp.simplify(sum(s)) == 1
    assert definition("crelu").vector(3)[1].shape == (6, 1)
    assert definition("maxout").vector(6, k=3)[1].shape == (2, 1)
    assert definition("maxout").vector(6, k=3)[1][0] == sp.Max(*sp.symbols("x_1:4", real=True))
    a1, a2, b1, b2 = definition("glu").vector(4)[0]
    assert list(definition("glu").vector(4)[1]) == [a1 / (1 + sp.exp(-b1)),
                                                    a2 / (1 + sp.exp(-b2))]
    inputs, s = definition("sparsemax").vector(3)
    point = dict(zip(inputs, (sp.Rational(1, 4), -1, sp.Rational(1, 2))))
    assert sum(s).xreplace(point) == 1 and list(s.xreplace(point)) == [sp.Rational(3, 8), 0,
                                                                       sp.Rational(5, 8)]
    for name, n in [("glu", 3), ("swiglu", 5)]:
        with pytest.raises(ValueError, match="even"):
            definition(name).vector(n)
    with pytest.raises(ValueError):
        definition("maxout").vector(6, k=4)
    with pytest.raises(TypeError, match="vector-valued"):
        definition("softmax")()
    with pytest.raises(TypeError, match="vector-valued"):
        expr("glu")
    assert definition("softmax").vector(2, dim=0)[1] == definition("softmax").vector(2)[1]
