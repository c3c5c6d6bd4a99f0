"""The rectifier family: ReLU and its capped, leaky, learnable, random and shifted relatives.

Derivatives at the kinks follow torch's autograd (relu'(0) = 0, leaky_relu'(0) = slope,
threshold'(t) = 0); every step is built from ``xp.step`` (1{z > 0}, NaN for NaN),
so a NaN input gives a NaN derivative.
"""
from __future__ import annotations

import numpy as np

from .._core import Param, define
from .._ops import torch_ops
from ._shared import REAL as _REAL, _aten, _hardtanh_vjp, _keep_nan, _real, _torch


def _scalar(slope) -> bool:
    return isinstance(slope, (int, float))


def _leaky(x, xp, slope):
    r"""x for x > 0, slope * x otherwise; NaN stays NaN.

    A scalar slope a <= 1 gives :math:`\max(x, a x)` (a >= 1: min), two passes and exact;
    a = 0 is ReLU (0 at -inf, not 0 * inf).  Array slopes (PReLU channels, RReLU draws) use
    :math:`\max(x, 0) + a \min(x, 0)`.  Neither needs ``where``, which is slow on torch CPU.
    """
    if _scalar(slope):
        if slope == 0:
            return xp.maximum(x, 0.0)
        return xp.maximum(x, x * slope) if slope <= 1 else xp.minimum(x, x * slope)
    return xp.maximum(x, 0.0) + slope * xp.minimum(x, 0.0)


def _leaky_torch(x, slope):
    """:func:`_leaky` on torch: a scalar slope by the fused ``leaky_relu`` (the same
    x > 0 ? x : a x), array slopes by the portable formula."""
    if _scalar(slope):
        return _torch().nn.functional.leaky_relu(x, slope)
    return _leaky(x, torch_ops(), slope)


def _leaky_grad(x, xp, slope):
    r"""1 for x > 0, slope for x <= 0 (torch: the kink takes the slope), NaN for NaN.

    With d = 1{x>0}: :math:`\max(d, a)` for a scalar 0 <= a <= 1, else :math:`d + a(1 - d)`
    (exactly 1 or a).
    """
    d = xp.step(x)
    if _scalar(slope) and 0 <= slope <= 1:
        return xp.maximum(d, slope)
    return d + slope * (1.0 - d)


def _leaky_vjp(g, x, slope):
    """g * leaky_relu'(x) (the slope at the kink, NaN for NaN) from torch's fused kernel."""
    return _keep_nan(_aten().leaky_relu_backward(g, x, slope, False), x)


def relu(x, xp):
    r"""Rectified linear unit, :math:`f(x) = \max(0, x)`.

    Derivative :math:`f'(x) = \mathbf 1_{x>0}`: 0 at the kink x = 0, as torch and jax (jax through a
    custom JVP; a plain ``maximum(x, 0)`` would give 1/2 there under autograd).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("relu")
    >>> x = np.array([-2.0, 0.0, 3.0])
    >>> act(x)
    array([0., 0., 3.])
    >>> act.grad(x)
    array([0., 0., 1.])
    """
    return xp.maximum(x, 0.0)


def _relu_grad(x, xp):
    return xp.step(x)


def relu6(x, xp):
    r"""ReLU capped at 6, :math:`f(x) = \min(\max(0, x), 6)`.

    Derivative :math:`f'(x) = \mathbf 1_{0<x<6}`: 0 at both kinks (torch and jax agree).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("relu6")
    >>> x = np.array([-1.0, 0.0, 3.0, 8.0])
    >>> act(x)
    array([0., 0., 3., 6.])
    >>> act.grad(x)
    array([0., 0., 1., 0.])
    """
    return xp.clip(x, 0.0, 6.0)


def _relu6_grad(x, xp):
    return xp.step(xp.minimum(x, 6.0 - x))


def leaky_relu(x, xp, negative_slope=0.01):
    r"""Leaky ReLU, :math:`f(x) = x` for x > 0, :math:`a x` otherwise (a = ``negative_slope``).

    Derivative 1 for x > 0 and a for x <= 0: at the kink torch returns a (its backward tests
    ``x > 0``), jax returns 1; actlib follows torch.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("leaky_relu", negative_slope=0.2)
    >>> x = np.array([-2.0, 0.0, 3.0])
    >>> act(x)
    array([-0.4,  0. ,  3. ])
    >>> act.grad(x)
    array([0.2, 0.2, 1. ])
    """
    return _leaky(x, xp, negative_slope)


def _leaky_relu_grad(x, xp, negative_slope=0.01):
    return _leaky_grad(x, xp, negative_slope)


def prelu(x, xp, weight=0.25):
    r"""Parametric ReLU, :math:`f(x) = \max(0, x) + a \min(0, x)` with a learnable slope a = ``weight``.

    Derivatives :math:`\partial f/\partial x = \mathbf 1_{x>0} + a\,\mathbf 1_{x\le0}` (torch
    gives a at the kink) and :math:`\partial f/\partial a = \min(0, x)`.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("prelu", weight=0.25)
    >>> x = np.array([-2.0, 0.0, 3.0])
    >>> act(x)
    array([-0.5,  0. ,  3. ])
    >>> act.grad(x)
    array([0.25, 0.25, 1.  ])

    ``weight`` is a scalar or a 1-D array with one slope per channel, applied along dim 1
    (dim 0 for 1-D input), as torch's ``F.prelu``/``nn.PReLU(num_parameters, init=0.25)``.
    """
    return _leaky(x, xp, weight)


def _prelu_grad(x, xp, weight=0.25):
    return _leaky_grad(x, xp, weight)


def _prelu_param_grads(x, xp, weight=0.25):
    return {"weight": xp.minimum(x, 0.0)}


def _torch_prelu(x, weight=0.25):
    """torch.nn.functional.prelu(x, weight) (weight as a tensor)"""
    import torch
    w = torch.as_tensor(weight, dtype=x.dtype, device=x.device)
    return torch.nn.functional.prelu(x, w.reshape(-1) if w.dim() else w.reshape(1))


def rrelu(x, xp, lower=1 / 8, upper=1 / 3, training=False, noise=None):
    r"""Randomized leaky ReLU, :math:`f(x) = x` for x > 0, :math:`a x` otherwise.

    Derivative 1 for x > 0 and the same a for x <= 0 (torch's convention at the kink).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("rrelu")
    >>> x = np.array([-48.0, 0.0, 3.0])
    >>> np.round(act(x), 6)
    array([-11.,   0.,   3.])
    >>> np.round(act.grad(x), 6)
    array([0.229167, 0.229167, 1.      ])

    In training (``training=True``) every element draws its own slope
    :math:`a \sim U(\text{lower}, \text{upper})` at each call; in evaluation
    :math:`a = (\text{lower} + \text{upper}) / 2` (11/48 for the defaults), as torch.
    Draws come from NumPy's global generator (``np.random.seed``) for NumPy input and from
    torch's generator on the input's device (``torch.manual_seed``) for tensors; torch's own
    ``F.rrelu`` draws in a different order, so the two streams do not coincide.  Under torch
    autograd backward reuses the forward's slopes; ``act.grad``/``act.vjp`` draw new ones.
    """
    return _leaky(x, xp, (lower + upper) / 2 if noise is None else noise)


def _rrelu_torch(x, lower=1 / 8, upper=1 / 3, training=False, noise=None):
    return _leaky_torch(x, (lower + upper) / 2 if noise is None else noise)


def _rrelu_grad(x, xp, lower=1 / 8, upper=1 / 3, training=False, noise=None):
    return _leaky_grad(x, xp, (lower + upper) / 2 if noise is None else noise)


def _rrelu_vjp(g, x, lower=1 / 8, upper=1 / 3, training=False, noise=None):
    if noise is None:
        return _leaky_vjp(g, x, (lower + upper) / 2)
    return _leaky_grad(x, torch_ops(), noise).mul_(g)


def _rrelu_sample(x, xp, lower=1 / 8, upper=1 / 3, training=False):
    """One slope per element in training mode, nothing in evaluation."""
    if not training:
        return {}
    if xp.is_torch:
        return {"noise": xp.torch.empty_like(x).uniform_(lower, upper)}
    return {"noise": np.random.uniform(lower, upper, size=np.shape(x)).astype(x.dtype)}


def _check_rrelu(lower, upper, training):
    if not lower <= upper:
        raise ValueError(f"rrelu: parameters 'lower' <= 'upper' required, "
                         f"got lower={lower!r} > upper={upper!r}")


def threshold(x, xp, threshold=0.0, value=0.0):
    r"""Threshold, :math:`f(x) = x` for x > t, v otherwise (t = ``threshold``, v = ``value``).

    Derivative :math:`\mathbf 1_{x>t}`; at x = t the value is v and the derivative 0 (torch's
    ``x <= threshold`` branch).

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("threshold", threshold=1.0, value=-2.0)
    >>> x = np.array([0.0, 1.0, 3.0])
    >>> act(x)
    array([-2., -2.,  3.])
    >>> act.grad(x)
    array([0., 0., 1.])

    torch (``F.threshold``, ``nn.Threshold``) and Keras require both parameters; actlib
    defaults them to 0, which is ReLU.  Computed without ``where`` (slow on torch CPU) as
    :math:`\max(x, t)\,d + v(1 - d)`, :math:`d = \mathbf 1_{x>t}`, which is exact (each term is
    the value or a signed zero, and :math:`\max(x, t)` keeps the product finite at x = -inf).
    """
    d = xp.step(x - threshold)
    return xp.maximum(x, threshold) * d + value * (1.0 - d)


def _threshold_torch(x, threshold=0.0, value=0.0):
    """torch: the fused kernel, x <= t ? v : x (NaN passes through)."""
    return _torch().nn.functional.threshold(x, threshold, value)


def _threshold_grad(x, xp, threshold=0.0, value=0.0):
    return xp.step(x - threshold)


def relu_squared(x, xp):
    r"""Squared ReLU, :math:`f(x) = \max(0, x)^2`.

    Derivative :math:`f'(x) = 2\max(0, x)`: continuous (C^1), f'(0) = 0, so no kink convention.

    Example:

    >>> import numpy as np, actlib
    >>> act = actlib.get("relu_squared")
    >>> x = np.array([-2.0, 0.0, 3.0])
    >>> act(x)
    array([0., 0., 9.])
    >>> act.grad(x)
    array([0., 0., 6.])

    Grows quadratically: float16 overflows to inf for x > 256 (computed in float32 and
    rounded once, so the inf is the correctly rounded value).
    """
    return xp.maximum(x, 0.0) ** 2     # an unnamed temporary: NumPy squares it in place


def _relu_squared_torch(x):
    """torch: the square in place on the fresh max(x, 0) (the same rounding as r * r)."""
    return _torch().clamp_min(x, 0.0).square_()


def _relu_squared_grad(x, xp):
    return 2.0 * xp.maximum(x, 0.0)


define("relu", forward=relu, derivative=_relu_grad, torch_builtin="relu",
       torch_backward=lambda g, x: _keep_nan(_aten().threshold_backward(g, x, 0.0), x),
       formula=r"f(x) = \max(0, x)", range="[0, inf)", bounded=(False, True),
       monotonic="non-decreasing", smoothness="C^0", f0="0",
       df0="undefined; 0 (torch and jax)", kink="x=0: f' = 0 (torch and jax)",
       reference="Fukushima 1969; Nair & Hinton 2010; Glorot, Bordes & Bengio 2011")

define("relu6", forward=relu6, derivative=_relu6_grad, torch_builtin="relu6",
       torch_backward=lambda g, x: _hardtanh_vjp(g, x, 0.0, 6.0),
       formula=r"f(x) = \min(\max(0, x), 6)", range="[0, 6]", bounded=(True, True),
       monotonic="non-decreasing", smoothness="C^0", f0="0",
       df0="undefined; 0 (torch and jax)", kink="x=0, 6: f' = 0 (torch and jax)",
       reference="Krizhevsky 2010; Howard et al. 2017 (MobileNets)")

define("leaky_relu", forward=leaky_relu, derivative=_leaky_relu_grad,
       params=(Param("negative_slope", 0.01, _REAL, _real, doc="slope a for x < 0"),),
       aliases=("leakyrelu", "lrelu"), torch_builtin="leaky_relu",
       torch_forward=lambda x, negative_slope=0.01: _leaky_torch(x, negative_slope),
       torch_backward=lambda g, x, negative_slope=0.01: _leaky_vjp(g, x, negative_slope),
       formula=r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
       range="(-inf, inf) (a > 0)", bounded=(False, False),
       monotonic="strictly increasing (a > 0)", smoothness="C^0", f0="0",
       df0="undefined; a (torch), 1 (jax)", kink="x=0: f' = a (torch; jax gives 1)",
       reference="Maas, Hannun & Ng 2013")

define("prelu", forward=prelu, derivative=_prelu_grad, param_grads=_prelu_param_grads,
       params=(Param("weight", 0.25, _REAL + " (scalar or 1-D per channel)", _real,
                     learnable=True, channelwise=True,
                     doc="learnable slope a for x < 0 (torch init 0.25)"),),
       aliases=("parametric_relu",), torch_builtin=_torch_prelu,
       torch_forward=lambda x, weight=0.25: _leaky_torch(x, weight),
       formula=r"f(x) = \max(0, x) + a \min(0, x)", range="(-inf, inf)", bounded=(False, False),
       monotonic="strictly increasing (a > 0)", smoothness="C^0", f0="0",
       df0="undefined; a (torch)", kink="x=0: f' = a (torch); df/da = min(0, x)",
       reference="He, Zhang, Ren & Sun 2015")

define("rrelu", forward=rrelu, derivative=_rrelu_grad, sample=_rrelu_sample,
       torch_backward=_rrelu_vjp, torch_forward=_rrelu_torch,
       params=(Param("lower", 1 / 8, "a finite real number >= 0",
                     lambda v: _real(v) and v >= 0, doc="lower bound of the random slope"),
               Param("upper", 1 / 3, "a finite real number >= 0",
                     lambda v: _real(v) and v >= 0, doc="upper bound of the random slope"),
               Param("training", False, "True or False",
                     lambda v: isinstance(v, (bool, np.bool_)),
                     doc="draw random slopes (True) or use (lower + upper) / 2")),
       validate=_check_rrelu, aliases=("randomized_relu",), torch_builtin="rrelu",
       formula=r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases},\ "
               r"a \sim U(l, u)\ \text{(train)},\ a = \tfrac{l + u}{2}\ \text{(eval)}",
       range="(-inf, inf)", bounded=(False, False), monotonic="strictly increasing",
       smoothness="C^0", f0="0", df0="undefined; a (torch; 11/48 in eval)",
       kink="x=0: f' = a (torch)", reference="Xu, Wang, Chen & Li 2015")

define("threshold", forward=threshold, derivative=_threshold_grad,
       params=(Param("threshold", 0.0, _REAL, _real, doc="t: x > t passes through"),
               Param("value", 0.0, _REAL, _real, doc="v: the output where x <= t")),
       torch_builtin="threshold", torch_forward=_threshold_torch,
       torch_backward=lambda g, x, threshold=0.0, value=0.0: _keep_nan(
           _aten().threshold_backward(g, x, threshold), x),
       formula=r"f(x) = \begin{cases} x & x > t \\ v & x \le t \end{cases}",
       range="{v} U (t, inf)", bounded=(False, True),
       monotonic="non-decreasing iff v <= t", smoothness="discontinuous unless v = t (then C^0)",
       f0="0 for the defaults (t = v = 0)", df0="0 if t >= 0, else 1",
       kink="x=t: f = v, f' = 0 (torch)", reference="-- (Lua Torch nn)")

define("relu_squared", forward=relu_squared, derivative=_relu_squared_grad,
       torch_forward=_relu_squared_torch,
       aliases=("relu2", "squared_relu"),
       formula=r"f(x) = \max(0, x)^2", range="[0, inf)", bounded=(False, True),
       monotonic="non-decreasing", smoothness="C^1", f0="0", df0="0",
       kink="x=0: f'' jumps from 0 to 2; f' is continuous",
       reference="So et al. 2021 (Primer)")
