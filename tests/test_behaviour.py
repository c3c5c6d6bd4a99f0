"""Behaviour of the public API: dispatch, dtypes and devices, shapes, no mutation, no warnings,
parameter validation and every error path, registry completeness, docstrings."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pytest
import torch

import actlib
from helpers import CANONICAL, ELEMENTWISE, NAMES, TORCH_DTYPES, VECTOR_VALUED


def _x(shape=(2, 4), seed=0):
    return np.random.default_rng(seed).uniform(-3, 3, shape)


def _calls(act, x, g):
    """Every way of evaluating an activation: forward, grad (elementwise), vjp."""
    out = [act(x), act.vjp(x, g)]
    if act.elementwise:
        out.append(act.grad(x))
    return out


def _g_for(act, x):
    y = act(x)
    return (torch.ones_like(y) if isinstance(y, torch.Tensor) else np.ones_like(y))


# -- registry ------------------------------------------------------------------------------
def test_registry_is_complete():
    assert len(actlib.names()) >= 55
    assert list(NAMES) == sorted(NAMES)
    missing = sorted(set(CANONICAL) - set(NAMES))
    assert not missing, f"canonical names not defined: {missing}"


def test_aliases_resolve_to_canonical_names():
    for alias, canonical in actlib.aliases().items():
        assert canonical in NAMES
        assert actlib.get(alias).name == canonical
    for alias, canonical in {"hard_swish": "hardswish", "log_sigmoid": "logsigmoid",
                             "soft_sign": "softsign", "hard_tanh": "hardtanh",
                             "hard_sigmoid": "hardsigmoid"}.items():
        if canonical in NAMES:
            assert actlib.get(alias).name == canonical


def test_names_are_normalised():
    assert actlib.get("Leaky-ReLU").name == "leaky_relu"


# -- dispatch, dtype, device, shapes ---------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_numpy_dtypes_kept_and_ints_promoted(name):
    act = actlib.get(name)
    x = _x()
    for dtype in (np.float16, np.float32, np.float64):
        xd = x.astype(dtype)
        for out in _calls(act, xd, _g_for(act, xd)):
            assert out.dtype == dtype, (name, dtype, out.dtype)
    xi = np.array([[-2, -1, 0, 1], [2, 3, 1, 0]])
    for out in _calls(act, xi, np.ones_like(act(xi))):
        assert out.dtype == np.float64
    np.testing.assert_array_equal(act(xi), act(xi.astype(np.float64)))


@pytest.mark.parametrize("name", NAMES)
def test_torch_dtypes_and_device_kept_and_ints_promoted(name, device):
    act = actlib.get(name)
    x = _x()
    for dtype in TORCH_DTYPES.values():
        xt = torch.tensor(x, dtype=dtype, device=device)
        for out in _calls(act, xt, _g_for(act, xt)):
            assert out.dtype == dtype and out.device == xt.device, (name, dtype, out.dtype)
    xi = torch.tensor([[-2, -1, 0, 1], [2, 3, 1, 0]], device=device)
    for out in _calls(act, xi, _g_for(act, xi.double())):
        assert out.dtype == torch.get_default_dtype()
    torch.testing.assert_close(act(xi), act(xi.to(torch.get_default_dtype())), rtol=0, atol=0)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_scalars_lists_0d_and_empty(name):
    act = actlib.get(name)
    ref = act(np.array([0.5, -1.5]))
    y = act(0.5)
    assert isinstance(y, np.floating) and y.dtype == np.float64 and y == ref[0]
    assert isinstance(act.grad(0.5), np.floating)
    assert act(np.float32(-1.5)).dtype == np.float32
    assert isinstance(act(np.float32(-1.5)), np.floating)
    assert act(-1) == act(np.array([-1.0]))[0]                # Python int -> float64
    np.testing.assert_array_equal(act([0.5, -1.5]), ref)      # list
    assert act(np.array(0.5)).shape == () and act(np.array(0.5)) == ref[0]
    assert act(np.empty((0, 3))).shape == (0, 3) and act.grad(np.empty(0)).shape == (0,)
    t = act(torch.tensor(0.5, dtype=torch.float64))
    assert t.shape == () and float(t) == pytest.approx(ref[0], rel=1e-14)
    assert act(torch.empty(0, 3)).shape == (0, 3)
    assert act.grad(torch.empty(0)).shape == (0,)


@pytest.mark.parametrize("name", VECTOR_VALUED)
def test_vector_valued_empty_batch(name):
    act = actlib.get(name)
    assert act(np.empty((0, 4))).shape[0] == 0
    assert act(torch.empty(0, 4)).shape[0] == 0


@pytest.mark.parametrize("name", NAMES)
def test_inputs_never_mutated(name):
    act = actlib.get(name)
    x = _x()
    x0 = x.copy()
    g = np.ones_like(act(x))
    g0 = g.copy()
    _calls(act, x, g)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g0)
    xt = torch.tensor(x)
    xt0, gt = xt.clone(), torch.tensor(g)
    _calls(act, xt, gt)
    y = act(xt.clone().requires_grad_(True))
    y.backward(torch.ones_like(y))
    assert torch.equal(xt, xt0) and torch.equal(gt, torch.tensor(g0))


@pytest.mark.parametrize("name", NAMES)
def test_non_contiguous_tensors(name, device):
    act = actlib.get(name)
    base = torch.tensor(_x((6, 8)), device=device)
    x = base.t()[:, ::2] if act.elementwise else base[::2]     # strided views
    assert not x.is_contiguous()
    torch.testing.assert_close(act(x), act(x.contiguous()), rtol=0, atol=0)
    xa, xb = x.clone().requires_grad_(True), x.contiguous().clone().requires_grad_(True)
    ya, yb = act(xa), act(xb)
    g = torch.ones_like(ya)
    torch.testing.assert_close(torch.autograd.grad(ya, xa, g)[0],
                               torch.autograd.grad(yb, xb, g)[0], rtol=0, atol=0)
    xn = base.cpu().numpy()
    xn = xn.T[:, ::2] if act.elementwise else xn[::2]
    assert not xn.flags.c_contiguous
    np.testing.assert_array_equal(act(xn), act(np.ascontiguousarray(xn)))


@pytest.mark.parametrize("name", NAMES)
def test_no_warnings_escape(name):
    """Extreme inputs (0, +-inf, NaN, huge, tiny) raise no warning on either backend."""
    act = actlib.get(name)
    x = np.array([[0.0, -0.0, np.inf, -np.inf], [np.nan, 1e308, -1e308, 5e-324]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in ("float64", "float32", "float16"):
            xd = _cast_quiet(x, dtype)
            _calls(act, xd, np.ones_like(act(xd)))
        for dtype in TORCH_DTYPES.values():
            xt = torch.tensor(x).to(dtype).requires_grad_(True)
            y = act(xt)
            y.backward(torch.ones_like(y))
            _calls(act, xt.detach(), torch.ones_like(y))


def _cast_quiet(x, dtype):
    with np.errstate(over="ignore"):
        return x.astype(dtype)


# -- parameters --------------------------------------------------------------------------------
def test_per_channel_parameter_broadcasts():
    w = np.array([0.1, 0.2, 0.3])
    x = -np.abs(_x((2, 3, 5)))
    y = actlib.get("prelu", weight=w)(x)
    np.testing.assert_allclose(y, x * w[None, :, None], rtol=1e-15)
    x1 = -np.abs(_x((3,)))
    np.testing.assert_allclose(actlib.get("prelu", weight=w)(x1), x1 * w, rtol=1e-15)
    yt = actlib.get("prelu", weight=torch.tensor(w))(torch.tensor(x))
    np.testing.assert_allclose(yt.numpy(), y, rtol=1e-15)


def test_bound_params_are_a_copy():
    act = actlib.get("leaky_relu", negative_slope=0.2)
    assert act.name == "leaky_relu" and act.params == {"negative_slope": 0.2}
    act.params["negative_slope"] = 5.0
    assert act.params == {"negative_slope": 0.2}
    assert float(act(-1.0)) == pytest.approx(-0.2)


# -- errors ----------------------------------------------------------------------------------
def test_unknown_name_lists_closest_names():
    with pytest.raises(LookupError, match="leaky_relu") as e:
        actlib.get("leaky_rleu")
    assert isinstance(e.value, ValueError) and "closest" in str(e.value)
    with pytest.raises(LookupError, match="softplus"):
        actlib.get("softpluss")


INVALID = [
    ("softplus", {"beta": 0.0}, "beta"), ("softplus", {"beta": -1.0}, "beta"),
    ("rrelu", {"lower": 0.5, "upper": 0.1}, "lower|upper"),
    ("gelu", {"approximate": "fast"}, "approximate"),
    ("elu", {"alpha": float("nan")}, "alpha"),
    ("softshrink", {"lambd": -0.5}, "lambd"),
    ("hardtanh", {"min_val": 2.0, "max_val": 1.0}, "min_val|max_val"),
    ("squareplus", {"b": -1.0}, "b"),
    ("celu", {"alpha": 0.0}, "alpha"),
    ("snake", {"a": 0.0}, "a"),
    ("isru", {"alpha": -1.0}, "alpha"),
    ("leaky_relu", {"negative_slope": "x"}, "negative_slope"),
]


@pytest.mark.parametrize("name,params,which", INVALID, ids=[f"{n}-{w}" for n, _, w in INVALID])
def test_invalid_parameter_is_a_value_error_naming_it(name, params, which):
    if name not in NAMES:
        pytest.skip(f"{name} not defined")
    with pytest.raises(ValueError, match=which) as e:
        actlib.get(name, **params)
    msg = str(e.value)   # states the valid range, not only that the value is bad
    assert any(w in msg for w in ("must", "range", "one of", "required", "<", ">")), msg


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="slope"):
        actlib.get("leaky_relu", slope=0.1)
    with pytest.raises(TypeError):
        actlib.get("relu", inplace=True)


def test_structural_errors_of_vector_valued():
    with pytest.raises(ValueError, match="k"):
        actlib.get("maxout", k=4)(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="k"):
        actlib.get("maxout", k=4)(torch.zeros(2, 6))
    for name in ("glu", "reglu", "geglu", "swiglu", "bilinear"):
        with pytest.raises(ValueError, match="even|half|halves"):
            actlib.get(name)(np.zeros((2, 5)))
        with pytest.raises(ValueError, match="even|half|halves"):
            actlib.get(name)(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="dim"):
        actlib.get("softmax", dim=1.5)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "softmax", "glu"])
def test_bad_input_types_are_type_errors(name):
    act = actlib.get(name)
    for bad in (np.array([1 + 2j, 0j]), np.array(["a", "b"]), np.array([object(), None]),
                "1.0", torch.tensor([1 + 1j, 2j])):
        with pytest.raises(TypeError):
            act(bad)
    if act.elementwise:
        with pytest.raises(TypeError):
            act.grad(np.array([1j, 0j]))
        with pytest.raises(TypeError):
            act.grad(torch.tensor([1j, 0j]))


def test_grad_on_vector_valued_points_to_vjp():
    with pytest.raises(TypeError, match="vjp"):
        actlib.get("softmax").grad(np.zeros(3))


def test_name_must_be_a_string():
    with pytest.raises(TypeError):
        actlib.get(3)


# -- documentation ---------------------------------------------------------------------------
def _with_members(qual, obj):
    yield qual, obj
    if inspect.isclass(obj):
        for m, member in vars(obj).items():
            if not m.startswith("_") and (inspect.isfunction(member) or isinstance(member, property)):
                yield f"{qual}.{m}", member


def _public_objects():
    """actlib's exports (``__all__``) with their public methods and properties, and every public
    function/class defined in a public module (no leading underscore in its dotted name)."""
    for attr in actlib.__all__:
        yield from _with_members(f"actlib.{attr}", getattr(actlib, attr))
    for mod in pkgutil.walk_packages(actlib.__path__, "actlib."):
        if any(part.startswith("_") for part in mod.name.split(".")):
            continue
        module = importlib.import_module(mod.name)
        yield mod.name, module
        for attr, obj in vars(module).items():
            if attr.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield from _with_members(f"{mod.name}.{attr}", obj)


def test_every_public_function_and_class_has_a_docstring():
    objs = list(_public_objects())
    assert len(objs) > 60
    missing = [name for name, obj in objs if not (inspect.getdoc(obj) or "").strip()]
    assert not missing, f"no docstring: {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_every_activation_documents_its_formula(name):
    act = actlib.get(name)
    assert act.__doc__ and ":math:" in act.__doc__, name
    info = act.info
    assert info.formula and info.range and info.monotonic and info.reference, name
    assert info.params == {p.name: p.default for p in act.spec.params}
