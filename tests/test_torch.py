"""The torch backend: value and autograd gradient against torch's builtin (kink conventions
included) and against autograd of the composite formula written here, gradcheck in float64
including learnable parameters, modules, and CUDA (skipped with a reason when absent)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import actlib
import oracle
from helpers import ELEMENTWISE, TORCH_DTYPES, run_torch, torch_builtin

SELU_A, SELU_L = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _clip(x, lo, hi):
    return torch.minimum(torch.maximum(x, torch.tensor(lo, dtype=x.dtype)),
                         torch.tensor(hi, dtype=x.dtype))


def _sp(x):
    return torch.log1p(torch.exp(x))


def _pau(x, a, b):
    P = sum(c * x ** j for j, c in enumerate(a))
    Q = 1 + sum(abs(c) * x.abs() ** k for k, c in enumerate(b, 1))
    return P / Q


# The textbook formula of each elementwise activation in plain torch ops (catalog formulas),
# differentiated by torch autograd; compared away from kinks, on |x| <= 6.
COMPOSITE = {
    "identity": lambda x: x * 1.0,
    "heaviside": lambda x, values: (x > 0).to(x.dtype) + values * (x == 0).to(x.dtype),
    "sign": lambda x: (x > 0).to(x.dtype) - (x < 0).to(x.dtype),
    "sigmoid": lambda x: 1 / (1 + torch.exp(-x)),
    "hardsigmoid": lambda x: _clip(x / 6 + 0.5, 0.0, 1.0),
    "logsigmoid": lambda x: -torch.log1p(torch.exp(-x)),
    "tanh": lambda x: (torch.exp(2 * x) - 1) / (torch.exp(2 * x) + 1),
    "hardtanh": lambda x, min_val, max_val: _clip(x, min_val, max_val),
    "softsign": lambda x: x / (1 + x.abs()),
    "relu": lambda x: x * (x > 0),
    "relu6": lambda x: _clip(x, 0.0, 6.0),
    "leaky_relu": lambda x, negative_slope: torch.where(x > 0, x, negative_slope * x),
    "prelu": lambda x, weight: torch.where(x > 0, x, weight * x),
    "rrelu": lambda x, lower, upper, training: torch.where(x > 0, x, (lower + upper) / 2 * x),
    "threshold": lambda x, threshold, value: torch.where(x > threshold, x, value * torch.ones_like(x)),
    "relu_squared": lambda x: (x * (x > 0)) ** 2,
    "elu": lambda x, alpha: torch.where(x > 0, x, alpha * (torch.exp(x) - 1)),
    "celu": lambda x, alpha: torch.where(x > 0, x, alpha * (torch.exp(x / alpha) - 1)),
    "selu": lambda x: SELU_L * torch.where(x > 0, x, SELU_A * (torch.exp(x) - 1)),
    "softplus": lambda x, beta, threshold: torch.where(beta * x > threshold, x,
                                                       _sp(beta * x) / beta),
    "squareplus": lambda x, b: (x + torch.sqrt(x * x + b)) / 2,
    "sparse_plus": lambda x: torch.where(x <= -1, 0 * x, torch.where(x >= 1, x, (x + 1) ** 2 / 4)),
    "gelu": lambda x, approximate: (COMPOSITE["gelu_tanh"](x) if approximate == "tanh" else
                                    x / 2 * (1 + torch.erf(x / math.sqrt(2)))),
    "gelu_tanh": lambda x: x / 2 * (1 + torch.tanh(math.sqrt(2 / math.pi)
                                                   * (x + 0.044715 * x ** 3))),
    "quick_gelu": lambda x: x / (1 + torch.exp(-1.702 * x)),
    "silu": lambda x: x / (1 + torch.exp(-x)),
    "swish": lambda x, beta: x / (1 + torch.exp(-beta * x)),
    "hardswish": lambda x: x * _clip(x + 3, 0.0, 6.0) / 6,
    "mish": lambda x: x * torch.tanh(_sp(x)),
    "hard_mish": lambda x: x * _clip(x + 2, 0.0, 2.0) / 2,
    "star_relu": lambda x, s, b: s * (x * (x > 0)) ** 2 + b,
    "elish": lambda x: torch.where(x >= 0, x, torch.exp(x) - 1) / (1 + torch.exp(-x)),
    "serf": lambda x: x * torch.erf(_sp(x)),
    "tanhshrink": lambda x: x - torch.tanh(x),
    "softshrink": lambda x, lambd: torch.sign(x) * (x.abs() - lambd) * (x.abs() > lambd),
    "hardshrink": lambda x, lambd: x * (x.abs() > lambd),
    "snake": lambda x, a: x + torch.sin(a * x) ** 2 / a,
    "siren": lambda x, w0: torch.sin(w0 * x),
    "gaussian": lambda x: torch.exp(-x * x),
    "laplace": lambda x, mu, sigma: 0.5 * (1 + torch.erf((x - mu) / (sigma * math.sqrt(2)))),
    "isru": lambda x, alpha: x / torch.sqrt(1 + alpha * x * x),
    "isrlu": lambda x, alpha: torch.where(x >= 0, x, x / torch.sqrt(1 + alpha * x * x)),
    "bent_identity": lambda x: (torch.sqrt(x * x + 1) - 1) / 2 + x,
    "lisht": lambda x: x * torch.tanh(x),
    "tanhsoft": lambda x, alpha, beta, gamma, delta: (torch.tanh(alpha * x + beta * torch.exp(gamma * x))
                                                      * torch.log(delta + torch.exp(x))),
    "tanhsoft1": lambda x, alpha: torch.tanh(alpha * x) * _sp(x),
    "tanhsoft2": lambda x, beta, gamma: x * torch.tanh(beta * torch.exp(gamma * x)),
    "erfact": lambda x, alpha, beta: x * torch.erf(alpha * torch.exp(beta * x)),
    "pserf": lambda x, gamma, delta: x * torch.erf(gamma * _sp(delta * x)),
    "pau": lambda x, a, b: _pau(x, a, b),
    "sparse_sigmoid": lambda x: _clip((x + 1) / 2, 0.0, 1.0),
    "exponential": torch.exp,
}


def _away_from_kinks(name, params, x, gap):
    ks = np.asarray(oracle.kinks(name, **params)) if name in oracle.REF else np.array([])
    if ks.size == 0:
        return x
    return x[np.min(np.abs(x[:, None] - ks[None, :]), axis=1) > gap]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_against_composite_autograd(name):
    assert name in COMPOSITE, f"no composite formula for {name} in the test"
    act = actlib.get(name)
    x = _away_from_kinks(name, act.params, np.linspace(-6, 6, 1201) + 1e-3 * np.pi, 1e-3)
    y, dy = run_torch(act, x, "float64")
    params = act.params
    yc, dyc = run_torch(lambda t: COMPOSITE[name](t, **params), x, "float64", constant_ok=True)
    np.testing.assert_allclose(y, yc, rtol=1e-9, atol=1e-12, err_msg=f"{name} value")
    np.testing.assert_allclose(dy, dyc, rtol=1e-9, atol=1e-12, err_msg=f"{name} gradient")


WITH_BUILTIN = [n for n in ELEMENTWISE if actlib.spec(n).torch_builtin is not None]
# torch's own kernels are not all accurate (float64 hardsigmoid' uses the float32 1/6; float16
# tanhshrink cancels), so this comparison is loose: test_accuracy holds actlib to the oracle.
# In float16/bfloat16 only the kinks are compared (exactly).
TOL = {"float64": (1e-7, 1e-14), "float32": (1e-5, 1e-6)}


@pytest.mark.parametrize("dtype", list(TORCH_DTYPES))
@pytest.mark.parametrize("name", WITH_BUILTIN)
def test_against_torch_builtin(name, dtype, device):
    """Value and autograd gradient agree with torch's builtin on |x| <= 6, and equal it exactly
    at the kinks themselves (so the derivative convention at each kink is torch's)."""
    act = actlib.get(name)
    builtin = torch_builtin(act)
    ks = list(oracle.kinks(name, **act.params)) if name in oracle.REF else []
    x = np.concatenate([np.linspace(-6, 6, 601), ks, [0.0, -0.0]])
    if dtype in ("float16", "bfloat16"):
        x = torch.tensor(x).to(TORCH_DTYPES[dtype]).double().numpy()
    y, dy = run_torch(act, x, dtype, device)
    try:
        yb, dyb = run_torch(builtin, x, dtype, device)
    except (RuntimeError, NotImplementedError):   # torch.heaviside has no autograd formula
        yb = builtin(torch.tensor(x, dtype=TORCH_DTYPES[dtype], device=device)).double().cpu().numpy()
        dyb = None
    kink_idx = np.isin(x, ks)
    eps = 4 * torch.finfo(TORCH_DTYPES[dtype]).eps      # conventions differ by O(1), not by ulps
    np.testing.assert_allclose(y[kink_idx], yb[kink_idx], rtol=eps, atol=0,
                               err_msg=f"{name}: value at kinks {ks}")
    if dtype not in TOL:
        return
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(y, yb, rtol=rtol, atol=atol, err_msg=f"{name} {dtype} value")
    if dyb is not None:
        np.testing.assert_allclose(dy, dyb, rtol=rtol, atol=atol, err_msg=f"{name} {dtype} grad")
        np.testing.assert_allclose(dy[kink_idx], dyb[kink_idx], rtol=eps, atol=0,
                                   err_msg=f"{name}: derivative convention at kinks {ks}")


def _learnable(name):
    return [p for p in actlib.spec(name).params if p.learnable]


def _gradcheck_points(name, params, n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-4, 4, 4 * n)
    return _away_from_kinks(name, params, x, 1e-2)[:n]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_gradcheck_float64(name):
    """torch.autograd.gradcheck of x (and of every learnable parameter, as a tensor)."""
    defaults = actlib.get(name).params
    learn = _learnable(name)
    x = torch.tensor(_gradcheck_points(name, defaults), requires_grad=True)
    # coefficients within gradcheck's step of 0 (PAU's 3e-6, 5e-7 inside |b_k|) sit on a kink of
    # |.|: move them to 0.1 so that the finite differences are taken where f is differentiable
    values = [np.asarray(defaults[p.name], dtype=np.float64) for p in learn]
    tensors = [torch.tensor(np.where(np.abs(v) < 1e-3, 0.1, v), requires_grad=True) for v in values]

    def f(x, *ts):
        return actlib.get(name, **{p.name: t for p, t in zip(learn, ts)})(x)

    assert torch.autograd.gradcheck(f, (x, *tensors), eps=1e-6, atol=1e-7, rtol=1e-6)


PER_CHANNEL = [n for n in ELEMENTWISE
               if any(p.channelwise for p in actlib.spec(n).params)]


@pytest.mark.parametrize("name", PER_CHANNEL)
def test_gradcheck_per_channel_parameter(name, device):
    """A per-channel parameter of shape (C,) broadcasts along dim 1 of (N, C, L) input; gradcheck
    of x and the parameter; and the value equals the scalar activation channel by channel."""
    (p,) = [p for p in actlib.spec(name).params if p.channelwise]
    C = 3
    base = float(np.ravel(actlib.get(name).params[p.name])[0])
    w = torch.tensor([base, 0.5 * base + 0.1, 1.5 * base], dtype=torch.float64, device=device,
                     requires_grad=True)
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.uniform(-3, 3, (2, C, 4)), device=device, requires_grad=True)
    f = lambda x, w: actlib.get(name, **{p.name: w})(x)
    assert torch.autograd.gradcheck(f, (x, w), eps=1e-6, atol=1e-7)
    y = f(x, w)
    for c in range(C):
        yc = actlib.get(name, **{p.name: w[c].item()})(x[:, c])
        torch.testing.assert_close(y[:, c], yc, rtol=1e-15, atol=0)
    xn = x.detach().cpu().numpy()
    np.testing.assert_allclose(actlib.get(name, **{p.name: w.detach().cpu().numpy()})(xn),
                               y.detach().cpu().numpy(), rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if _learnable(n)])
def test_module_registers_parameters_that_learn(name, device):
    """module() holds each learnable parameter as an nn.Parameter, which gets a gradient, and
    training moves it; the module's output equals the functional form."""
    act = actlib.get(name)
    m = act.module().to(device)
    params = dict(m.named_parameters())
    assert set(params) == {p.name for p in _learnable(name)}
    assert all(isinstance(t, torch.nn.Parameter) for t in params.values())
    x = torch.tensor(_gradcheck_points(name, act.params, seed=3), device=device,
                     dtype=torch.get_default_dtype())
    y = m(x)
    torch.testing.assert_close(y, act(x), rtol=1e-6, atol=1e-6)
    y.square().sum().backward()
    for n, t in params.items():
        assert t.grad is not None and torch.isfinite(t.grad).all(), n
        assert t.grad.abs().sum() > 0, f"{name}: zero gradient for {n}"
    before = {n: t.detach().clone() for n, t in params.items()}
    torch.optim.SGD(m.parameters(), lr=1e-2).step()
    assert any(not torch.equal(before[n], t) for n, t in params.items())


def test_module_without_learnable_parameters_has_none():
    for name in ("relu", "gelu", "softplus", "softmax"):
        if name in actlib.names():
            assert list(actlib.get(name).module().parameters()) == []


@pytest.mark.skipif("rrelu" not in actlib.names(), reason="rrelu not defined yet")
def test_rrelu_train_and_eval(device):
    """eval: slope (lower+upper)/2 as F.rrelu(training=False); train: each negative entry gets a
    slope drawn from U(lower, upper), different across calls, positive entries pass through,
    and the backward uses the same slopes as the forward."""
    lower, upper = 0.1, 0.3
    x = -torch.linspace(0.5, 2.0, 4000, dtype=torch.float64, device=device)
    ev = actlib.get("rrelu", lower=lower, upper=upper)(x)
    torch.testing.assert_close(ev, F.rrelu(x, lower, upper, training=False))
    m = actlib.get("rrelu", lower=lower, upper=upper).module()
    m.eval()
    torch.testing.assert_close(m(x), ev)
    m.train()
    xr = x.clone().requires_grad_(True)
    y1 = m(xr)
    slopes = (y1 / x).detach()
    assert slopes.min() >= lower and slopes.max() <= upper
    assert slopes.std() > 0.05 * (upper - lower)          # random, not a constant slope
    assert not torch.equal(m(x), y1.detach())             # redrawn per call
    (g,) = torch.autograd.grad(y1.sum(), xr)
    torch.testing.assert_close(g, slopes)                 # backward uses the forward's draw
    pos = torch.linspace(0.1, 2.0, 50, dtype=torch.float64, device=device)
    torch.testing.assert_close(m(pos), pos, rtol=0, atol=0)
    tr = actlib.get("rrelu", lower=lower, upper=upper, training=True)(x)
    assert ((tr / x) >= lower).all() and ((tr / x) <= upper).all()


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_grad_method_matches_autograd(name, device):
    """act.grad (no autograd) equals the autograd gradient and the NumPy backend's grad."""
    act = actlib.get(name)
    x = _gradcheck_points(name, act.params, n=64, seed=5)
    _, dy = run_torch(act, x, "float64", device)
    g = act.grad(torch.tensor(x, device=device)).cpu().numpy()
    np.testing.assert_array_equal(g, dy)
    np.testing.assert_allclose(act.grad(x), g, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(act(x), act(torch.tensor(x, device=device)).cpu().numpy(),
                               rtol=1e-13, atol=1e-300)


def test_pau_with_no_denominator_coefficients_learns_its_numerator():
    """b = () makes F the polynomial P (Q = 1): the module still trains, with an empty b."""
    m = actlib.get("pau", a=(0.5, 1.0, 0.25), b=()).module()
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    m = m.double()
    m(x).sum().backward()
    torch.testing.assert_close(x.grad, 1.0 + 0.5 * x.detach())          # P'(x) = 1 + x/2
    grads = {n: p.grad for n, p in m.named_parameters()}
    a_grad = [g for n, g in grads.items() if g is not None and g.numel() == 3][0]
    torch.testing.assert_close(a_grad, torch.stack([x.detach() ** j for j in range(3)]).sum(1))
    assert all(g is None or g.numel() == 0 for n, g in grads.items() if g is not a_grad)
