"""actlib.nn: drop-in modules with torch.nn's names and constructor signatures, and
actlib.nn.functional with torch.nn.functional's signatures, checked against torch itself."""
from __future__ import annotations

import inspect
import io
import pickle

import pytest
import torch
import torch.nn.functional as F

import actlib
import actlib.nn
import actlib.nn.functional as AF

MODULES = [n for n in actlib.nn.__all__ if n != "functional"]
FUNCTIONS = AF.__all__
# constructor arguments exercised besides the defaults (required ones first)
ARGS = {"Threshold": (0.5, -1.0), "Softmax": (1,), "Softmin": (1,), "LogSoftmax": (1,),
        "GLU": (1,)}
KWARGS = {"GELU": {"approximate": "tanh"}, "LeakyReLU": {"negative_slope": 0.2},
          "ELU": {"alpha": 0.5}, "CELU": {"alpha": 2.0}, "Hardtanh": {"min_val": -2.0,
                                                                      "max_val": 3.0},
          "Softplus": {"beta": 2.0, "threshold": 10.0}, "Softshrink": {"lambd": 0.25},
          "Hardshrink": {"lambd": 0.25}, "PReLU": {"num_parameters": 4, "init": 0.1},
          "RReLU": {"lower": 0.1, "upper": 0.3}}


def _signature(obj):
    return [(p.name, p.default, p.kind) for p in inspect.signature(obj).parameters.values()]


@pytest.mark.parametrize("name", MODULES)
def test_module_signature_is_torchs(name):
    assert _signature(getattr(actlib.nn, name)) == _signature(getattr(torch.nn, name))


def _has_signature(fn) -> bool:
    try:
        inspect.signature(fn)
        return True
    except ValueError:
        return False


# torch's C builtins (gelu, prelu, softplus, ...) have no Python signature to compare with
@pytest.mark.parametrize("name", [n for n in FUNCTIONS if _has_signature(getattr(F, n))])
def test_functional_signature_is_torchs(name):
    assert _signature(getattr(AF, name)) == _signature(getattr(F, name))


@pytest.mark.parametrize("name", MODULES)
def test_module_matches_torch_nn(name):
    """Same output and input gradient as torch.nn's module (float64, |x| <= 4, so that both are
    accurate), same parameters and state_dict keys; pickles and survives torch.save."""
    args, kwargs = ARGS.get(name, ()), KWARGS.get(name, {})
    ours = getattr(actlib.nn, name)(*args, **kwargs).double()
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    ours.eval(), theirs.eval()
    x = torch.linspace(-4, 4, 96, dtype=torch.float64).reshape(2, 4, 12) + 1e-3
    xo, xt = x.clone().requires_grad_(), x.clone().requires_grad_()
    yo, yt = ours(xo), theirs(xt)
    torch.testing.assert_close(yo, yt, rtol=1e-7, atol=1e-12)
    g = torch.linspace(-1, 1, yo.numel(), dtype=torch.float64).reshape(yo.shape)
    yo.backward(g)
    yt.backward(g)
    torch.testing.assert_close(xo.grad, xt.grad, rtol=1e-7, atol=1e-12)
    for (n1, p1), (n2, p2) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert n1 == n2 and p1.shape == p2.shape
        torch.testing.assert_close(p1.grad, p2.grad, rtol=1e-7, atol=1e-12)
    buf = io.BytesIO()
    torch.save(torch.nn.Sequential(ours), buf)
    buf.seek(0)
    torch.testing.assert_close(torch.load(buf, weights_only=False)(x), yo.detach())
    torch.testing.assert_close(pickle.loads(pickle.dumps(ours))(x), yo.detach())


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functional_matches_torch(name):
    x = torch.linspace(-4, 4, 48, dtype=torch.float64).reshape(3, 4, 4) + 1e-3
    extra = {"threshold": (0.5, -1.0), "prelu": (torch.tensor([0.1, 0.2, 0.3, 0.4],
                                                              dtype=torch.float64),),
             "softmax": (1,), "softmin": (1,), "log_softmax": (1,)}.get(name, ())
    torch.testing.assert_close(getattr(AF, name)(x, *extra), getattr(F, name)(x, *extra),
                               rtol=1e-7, atol=1e-12)


def test_inplace_and_implicit_softmax_dim_as_torch():
    x = torch.linspace(-2, 2, 10)
    y = x.clone()
    out = actlib.nn.ReLU(inplace=True)(y)
    assert out is y and torch.equal(y, torch.relu(x))
    y = x.clone()
    assert AF.leaky_relu(y, 0.2, inplace=True) is y and torch.equal(y, F.leaky_relu(x, 0.2))
    x3 = torch.randn(2, 3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        ours = actlib.nn.Softmax()(x3)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        theirs = torch.nn.Softmax()(x3)
    torch.testing.assert_close(ours, theirs)


def test_prelu_learns_like_torchs():
    torch.manual_seed(0)
    ours, theirs = actlib.nn.PReLU(3), torch.nn.PReLU(3)
    x = torch.randn(5, 3, 7)
    for m in (ours, theirs):
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            m(x).square().sum().backward()
            opt.step()
    torch.testing.assert_close(ours.weight, theirs.weight)


def test_rrelu_module_follows_train_and_eval():
    m = actlib.nn.RReLU(0.1, 0.3)
    x = -torch.ones(1000)
    m.train()
    slopes = m(x) / x
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.01
    m.eval()
    torch.testing.assert_close(m(x), F.rrelu(x, 0.1, 0.3, training=False))


def test_compiled_model_of_drop_in_modules():
    """A small network of actlib.nn modules compiles with fullgraph=True, forward and backward."""
    torch._dynamo.reset()
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), actlib.nn.GELU(), torch.nn.Linear(8, 8),
                                actlib.nn.PReLU(8), torch.nn.Linear(8, 4), actlib.nn.LogSoftmax(-1))
    compiled = torch.compile(model, fullgraph=True, backend="aot_eager")
    x = torch.randn(5, 6)
    torch.testing.assert_close(compiled(x), model(x))
    compiled(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
