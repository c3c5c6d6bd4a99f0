"""Vector-valued activations: softmax and its relatives, sparsemax, maxout, the GLU family, CReLU.

Each acts along one dimension ``dim`` (torch's name).  The default is ``dim=-1`` as in jax and
Keras: torch's ``dim=None`` is a deprecated implicit choice (0 for 0-, 1- and 3-D input, else 1),
which actlib does not reproduce.  Backward is the analytic vector-Jacobian product
``vjp(x, y, g) = g^T J``; each definition saves only the tensor its vjp needs.

Infinite entries along ``dim`` (the conventions of this module):

* ``+inf`` entries win: softmax([inf, 0]) = [1, 0], and several ``+inf`` entries share the mass
  evenly (the limit of equal large logits); sparsemax does the same.
* ``-inf`` entries are masked out (weight 0).  A row that is entirely ``-inf`` has no admissible
  entry: softmax, softmin (all ``+inf``) and sparsemax return 0 there and log_softmax ``-inf``
  (torch and jax return NaN; 0 is what torch's own attention uses, ``torch._safe_softmax``), and
  the gradient is 0 (g for log_softmax, whose formula g - softmax * sum(g) has softmax 0).
* NaN anywhere in a row makes the whole output row NaN.

The GLU family multiplies the two halves of its input: there inf * 0 (e.g. glu with a = inf,
b = -inf) is NaN, as in torch, because the limit depends on how the two halves diverge.
"""
from __future__ import annotations

import functools
import numbers


from .._core import Param, define, spec
from .._ops import eager
from ._shared import _torch

_INF = float("inf")


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


_DIM = Param("dim", -1, valid="an integer (a dimension of the input)", check=_is_int,
             doc="the dimension the activation acts along")


# --------------------------------------------------------------------------- softmax family
def _along(fn):
    """Let a shape-preserving formula ``fn(x, ..., xp, dim)`` take 0-d input (one entry along
    ``dim``, as torch) and an empty ``dim`` (an empty result, as torch): both are shape cases,
    decided without looking at values."""
    @functools.wraps(fn)
    def wrapped(*args, dim=-1, out=None):
        *arrays, xp = args
        ref = next(a for a in arrays if a is not None)
        if ref.ndim == 0:
            return fn(*(a if a is None else a.reshape(1) for a in arrays), xp, dim=-1).reshape(())
        if ref.shape[dim] == 0:
            return ref * 0.0      # empty: no values, ref's dtype and device on both backends
        return fn(*args, dim=dim) if out is None else fn(*args, dim=dim, out=out)
    return wrapped


def _shift(x, dim, xp, out=None):
    """``(x - max x, max x)`` along dim (the difference written into ``out`` when given);
    entries equal to an infinite max become 0 (not NaN).

    Without a data-dependent branch: ``x - m`` is NaN exactly where x = m = +-inf (set to 0
    by ``nan_to_num``, which keeps +-inf) and on rows that hold a NaN (m is NaN there; the
    callers make those rows NaN again from m, a reduced tensor)."""
    m = xp.amax(x, dim)
    return xp.nan_to_zero(xp.subtract(x, m, out=out)), m


def _exp_sum(x, dim, xp, out=None):
    """``(z, e^z, sum e^z)`` with z = x - max x (in ``out`` when given); the sum is +inf on all
    -inf rows (output 0) and NaN on rows holding a NaN."""
    z, m = _shift(x, dim, xp, out)
    e = xp.exp(z)
    s = xp.where(m == -_INF, _INF, xp.sum(e, dim))
    return z, e, xp.where(xp.isnan(m), m, s)


@_along
def softmax(x, xp, dim=-1, out=None):
    r"""Softmax, :math:`\operatorname{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}` along ``dim``.

    Jacobian :math:`J = \operatorname{diag}(s) - s s^\top` with s the output, vjp
    :math:`s \odot (g - \langle g, s\rangle)`; backward saves only s.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("softmax")
        >>> x = np.log(np.array([1.0, 3.0]))
        >>> np.round(act(x), 6)                               # [1, 3] / 4
        array([0.25, 0.75])
        >>> np.round(act.vjp(x, np.array([1.0, 0.0])), 6)     # s (g - 1/4) = [3/16, -3/16]
        array([ 0.1875, -0.1875])
        >>> act(np.array([np.inf, 0.0]))
        array([1., 0.])

    Stable form :math:`e^{x_i - m} / \sum_j e^{x_j - m}` with :math:`m = \max_j x_j` (shift
    invariance), so no exp overflows.  ``+inf`` entries share the mass; an all ``-inf`` row
    gives 0 (torch/jax: NaN).
    """
    _, e, s = _exp_sum(x, dim, xp, out)
    return xp.divide(e, s, out=out)


@_along
def _softmax_vjp(x, y, g, xp, dim=-1):
    """s * (g - <g, s>); J is symmetric, so this is also the jvp."""
    return (g - xp.sum(g * y, dim)) * y


@_along
def log_softmax(x, xp, dim=-1, out=None):
    r"""Log-softmax, :math:`x_i - \log\sum_j e^{x_j}` along ``dim``.

    Jacobian :math:`J = I - \mathbf 1 s^\top` with :math:`s = e^y` the softmax, vjp
    :math:`g - e^{y} \sum_j g_j`; backward saves only the output y.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("log_softmax")
        >>> x = np.log(np.array([1.0, 3.0]))
        >>> np.round(act(x), 6)                               # log(1/4), log(3/4)
        array([-1.386294, -0.287682])
        >>> np.round(act.vjp(x, np.array([1.0, 0.0])), 6)     # g - [1/4, 3/4]
        array([ 0.75, -0.75])

    Stable form :math:`(x_i - m) - \log\sum_j e^{x_j - m}` with :math:`m = \max_j x_j` (a
    logsumexp whose sum s lies in :math:`[1, n]`), never :math:`\log(\operatorname{softmax})`,
    which underflows to :math:`-\infty`.  When s < 2 (a single maximum) the log is taken as
    :math:`\operatorname{log1p}` of the mass outside the maximum, so the largest entry's value,
    close to 0, keeps its relative accuracy (torch's builtin rounds it to 0 or a few eps).
    An all ``-inf`` row gives ``-inf`` (log of softmax's 0; torch/jax: NaN).
    """
    z, e, s = _exp_sum(x, dim, xp, out)
    # s = c + rest (c >= 1 maxima); s < 2 means c = 1 and log s = log1p(rest), accurate near 0;
    # e = e^z lies in [0, 1] and is 1 exactly at the maxima, so frac(e) is e without them
    rest = xp.sum(xp.frac(e), dim)
    return xp.subtract(z, xp.where(s < 2, xp.log1p(rest), xp.log(s)), out=out)


@_along
def _log_softmax_vjp(x, y, g, xp, dim=-1):
    return g - xp.exp(y) * xp.sum(g, dim)


@_along
def _log_softmax_jvp(x, y, t, xp, dim=-1):
    return t - xp.sum(xp.exp(y) * t, dim)


@_along
def softmin(x, xp, dim=-1, out=None):
    r"""Softmin, :math:`\operatorname{softmin}(x) = \operatorname{softmax}(-x)` along ``dim``.

    Jacobian :math:`-(\operatorname{diag}(s) - s s^\top)` with s the output, vjp
    :math:`s \odot (\langle g, s\rangle - g)`; backward saves only s.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("softmin")
        >>> x = np.log(np.array([3.0, 1.0]))
        >>> np.round(act(x), 6)                               # [1/3, 1] / (4/3)
        array([0.25, 0.75])
        >>> np.round(act.vjp(x, np.array([1.0, 0.0])), 6)     # s (1/4 - g)
        array([-0.1875,  0.1875])

    The stable form of :func:`softmax`.  ``-inf`` entries take the mass, an all ``+inf`` row
    gives 0.
    """
    return softmax(-x, xp, dim=dim, out=out)


@_along
def _softmin_vjp(x, y, g, xp, dim=-1):
    """s * (<g, s> - g); J is symmetric, so this is also the jvp."""
    return (xp.sum(g * y, dim) - g) * y


# --------------------------------------------------------------------------- sparsemax
@_along
def sparsemax(x, xp, dim=-1):
    r"""Sparsemax (Martins & Astudillo 2016), :math:`[x - \tau]_+`, the Euclidean projection onto the simplex.

    The threshold is :math:`\tau = \max_k \bigl(\sum_{j\le k} x_{(j)} - 1\bigr)/k` over the values
    sorted in decreasing order (this maximum is attained at the support size
    :math:`k^* = \max\{k: 1 + k x_{(k)} > \sum_{j\le k} x_{(j)}\}`).

    Jacobian :math:`\operatorname{diag}(m) - m m^\top/|S|` with :math:`m = \mathbf 1[y > 0]`: the
    vjp is :math:`g_i - \operatorname{mean}_{S} g` on the support S and 0 elsewhere (backward
    saves only y).  Not differentiable where the support changes; we use the formula for the
    support :math:`\{y > 0\}`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("sparsemax")
        >>> x = np.array([1.0, 0.5, -1.0])                    # tau = 1/4, support {0, 1}
        >>> act(x)
        array([0.75, 0.25, 0.  ])
        >>> act.vjp(x, np.array([1.0, 0.0, 0.0]))             # g - 1/2 on the support
        array([ 0.5, -0.5,  0. ])

    Computed on :math:`x - \max x` (shift invariance).  ``+inf`` entries share the mass,
    ``-inf`` entries get 0, an all ``-inf`` row gives 0.
    """
    z, m = _shift(x, dim, xp)
    zs = xp.sort(z, dim, descending=True)
    k = xp.cumsum(xp.ones_like(zs), dim)
    tau = xp.amax((xp.cumsum(zs, dim) - 1) / k, dim)
    tau = xp.where(m == -_INF, _INF, tau)
    return xp.maximum(z - xp.where(xp.isnan(m), m, tau), 0)


@_along
def _sparsemax_vjp(x, y, g, xp, dim=-1):
    """g - mean_S g on the support S = {y > 0}, 0 elsewhere; J is symmetric (also the jvp)."""
    on = y > 0
    size = xp.maximum(xp.sum(xp.where(on, 1.0, xp.zeros_like(g)), dim), 1)
    mean = xp.sum(xp.where(on, g, 0.0), dim) / size
    return xp.where(on, g - mean, y * 0)      # y * 0 is 0, or NaN where y is NaN


# --------------------------------------------------------------------------- maxout
def _pieces(x, k, dim):
    """x with the size-C dimension ``dim`` reshaped to (C/k, k), and the index of the k-axis."""
    d = dim % x.ndim if x.ndim else dim
    size = x.shape[d]
    if size % k:
        raise ValueError(f"maxout: parameter 'k' = {k} must divide the size {size} of dim {dim}")
    return x.reshape(tuple(x.shape[:d]) + (size // k, k) + tuple(x.shape[d + 1:])), d + 1


def maxout(x, xp, k=2, dim=-1):
    r"""Maxout (Goodfellow et al. 2013), :math:`h_i = \max_{0 \le j < k} x_{ik + j}` (groups of k).

    The size-C dimension ``dim`` is reshaped to (C/k, k) and reduced with max, so unit i takes
    entries :math:`ik, \dots, ik + k - 1` and the output has size C/k along ``dim``.  (The
    paper's affine pieces :math:`x^\top W_{\cdot ij} + b_{ij}` are the preceding linear layer.)
    ``k`` must divide C (else ``ValueError``).  Default ``dim=-1``, the feature dimension of a
    linear layer's output, like every vector activation here; pass ``dim=1`` for channels of
    NCHW input.

    Derivative :math:`\partial h_i/\partial x_{ik+j} = \mathbf 1[x_{ik+j} = h_i]`; ties split
    the gradient evenly as ``torch.amax`` does ([1, 1] -> [1/2, 1/2]); a NaN in a group makes
    the group's gradient NaN (as torch.amax).  Backward saves only x.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("maxout", k=2)
        >>> act(np.array([1.0, 3.0, 2.0, -1.0]))
        array([3., 2.])
        >>> act.vjp(np.array([1.0, 3.0, 2.0, -1.0]), np.array([1.0, 1.0]))
        array([0., 1., 1., 0.])
        >>> act.vjp(np.array([1.0, 1.0, 2.0, -1.0]), np.array([1.0, 1.0]))   # a tie
        array([0.5, 0.5, 1. , 0. ])
    """
    p, j = _pieces(x, k, dim)
    return xp.amax(p, j, keepdim=False)


def _maxout_jvp(x, y, t, xp, k=2, dim=-1):
    """The tangent of each group's maximum (ties: the mean of the tied tangents)."""
    p, j = _pieces(x, k, dim)
    hit = xp.where(p == xp.amax(p, j), 1.0, xp.zeros_like(p))
    tp = t.reshape(p.shape)
    return xp.sum(hit * tp, j, keepdim=False) / xp.sum(hit, j, keepdim=False)


def _maxout_vjp(x, y, g, xp, k=2, dim=-1):
    p, j = _pieces(x, k, dim)
    hit = xp.where(p == xp.amax(p, j), 1.0, xp.zeros_like(p))
    gk = g.reshape(tuple(p.shape[:j]) + (1,) + tuple(p.shape[j + 1:]))
    return (hit * (gk / xp.sum(hit, j))).reshape(x.shape)


# --------------------------------------------------------------------------- GLU family
def _halves(x, dim, name, xp):
    size = x.shape[dim]
    if size % 2:
        raise ValueError(f"{name}: the size of dim {dim} must be even to split it into two "
                         f"halves, got {size}")
    if xp is None:      # the torch hooks
        return _torch().chunk(x, 2, dim=dim)
    return xp.split_half(x, dim)


def glu(x, xp, dim=-1):
    r"""Gated linear unit (Dauphin et al. 2017), :math:`a \otimes \sigma(b)`, as torch's ``glu``.

    ``[a, b]`` are the first and second halves of x along ``dim`` (size 2d -> d; an odd size is a
    ``ValueError``).  As in torch, jax and Keras the *second* half is the gate.

    Derivative: partials :math:`\partial/\partial a = \sigma(b)`,
    :math:`\partial/\partial b = a\,\sigma(b)\sigma(-b)` (both factors stay accurate in the
    tails), so the vjp is :math:`[g\,\sigma(b), g\,a\,\sigma(b)\sigma(-b)]`.  Backward saves only x.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("glu")
        >>> x = np.array([2.0, np.log(3.0)])                  # a = 2, sigma(b) = 3/4
        >>> np.round(act(x), 6)
        array([1.5])
        >>> np.round(act.vjp(x, np.array([1.0])), 6)          # [3/4, 2 (3/4)(1/4)]
        array([0.75 , 0.375])

    inf * 0 (e.g. a = inf, b = -inf) is NaN, as in torch.
    """
    a, b = _halves(x, dim, "glu", xp)
    return a * xp.sigmoid(b)


def reglu(x, xp, dim=-1):
    r"""ReGLU (Shazeer 2020): :math:`\operatorname{relu}(a) \otimes b`, ``[a, b]`` = halves of x.

    Half convention of the GLU variants (reglu, geglu, swiglu), as in the catalog's formula
    :math:`\operatorname{act}(a) \otimes b` and in Megatron-LM's and vLLM's fused kernels
    (``silu(x[..., :d]) * x[..., d:]``): the activation acts on the *first* half a, the second
    half b is the linear branch (Shazeer's :math:`\max(0, xW) \otimes xV` with a = xW, b = xV).
    This is the opposite of :func:`glu` (torch), whose *second* half goes through the sigmoid.

    Derivative: partials :math:`\partial/\partial a = \mathbf 1[a > 0]\, b` (relu'(0) = 0,
    torch's convention), :math:`\partial/\partial b = \operatorname{relu}(a)`.  Backward saves
    only x.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("reglu")
        >>> x = np.array([-1.0, 2.0, 3.0, 4.0])               # a = [-1, 2], b = [3, 4]
        >>> act(x)
        array([0., 8.])
        >>> act.vjp(x, np.array([1.0, 1.0]))                  # [1{a > 0} b, relu(a)]
        array([0., 4., 0., 2.])

    NaN in a or b gives NaN, as relu does.
    """
    return _act_times_linear(x, xp, dim, "reglu", _relu)


def geglu(x, xp, dim=-1, approximate="none"):
    r"""GEGLU (Shazeer 2020): :math:`\operatorname{gelu}(a) \otimes b`, ``[a, b]`` = halves of x.

    Half convention as :func:`reglu` (activation on the first half).  ``approximate`` is passed to
    actlib's gelu: ``"none"`` (exact, :math:`a\,\Phi(a)`) or ``"tanh"`` (T5 v1.1 / Gemma's tanh
    form).

    Derivative: partials :math:`\partial/\partial a = (\Phi(a) + a\,\varphi(a))\, b`,
    :math:`\partial/\partial b = \operatorname{gelu}(a)`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("geglu")
        >>> x = np.array([1.0, 2.0])                          # a = 1, b = 2
        >>> np.round(act(x), 6)                               # 2 Phi(1)
        array([1.682689])
        >>> np.round(act.vjp(x, np.array([1.0])), 6)          # [2 (Phi(1) + phi(1)), Phi(1)]
        array([2.166631, 0.841345])

    The gate is actlib's ``gelu`` (its accurate tails) on both backends.
    """
    return _act_times_linear(x, xp, dim, "geglu", _GELU[0], approximate=approximate)


def swiglu(x, xp, dim=-1):
    r"""SwiGLU (Shazeer 2020; PaLM, LLaMA): :math:`\operatorname{silu}(a) \otimes b`.

    ``[a, b]`` = halves of x, activation on the first half as :func:`reglu`.

    Derivative: partials :math:`\partial/\partial a = \sigma(a)(1 + a\,\sigma(-a))\, b`,
    :math:`\partial/\partial b = a\,\sigma(a)`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("swiglu")
        >>> x = np.array([np.log(3.0), 2.0])                  # sigma(a) = 3/4, b = 2
        >>> np.round(act(x), 6)                               # (3/2) log 3
        array([1.647918])
        >>> np.round(act.vjp(x, np.array([1.0])), 6)          # [(3/2)(1 + (log 3)/4), (3/4) log 3]
        array([1.91198 , 0.823959])

    The gate is actlib's :func:`silu <actlib.activations.gated.silu>` on both backends.
    """
    return _act_times_linear(x, xp, dim, "swiglu", _SILU[0])


def bilinear(x, xp, dim=-1):
    r"""Bilinear GLU variant (Shazeer 2020): :math:`a \otimes b`, ``[a, b]`` = halves of x.

    Derivative: partials :math:`\partial/\partial a = b`, :math:`\partial/\partial b = a`.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("bilinear")
        >>> act(np.array([2.0, 3.0]))
        array([6.])
        >>> act.vjp(np.array([2.0, 3.0]), np.array([1.0]))
        array([3., 2.])

    No non-linearity in either factor, quadratic overall.
    """
    return _act_times_linear(x, xp, dim, "bilinear", _same)


def _same(a, xp):
    return a


def _one(a, xp):
    return xp.ones_like(a)


def _act_times_linear(x, xp, dim, name, act, **params):
    a, b = _halves(x, dim, name, xp)
    return act(a, xp, **params) * b


def _relu(x, xp):
    return xp.maximum(x, 0)


def _relu_grad(x, xp):
    return xp.step(x)          # 1{x > 0}, NaN for NaN (as relu')


def _glu_vjp(x, y, g, xp, dim=-1):
    a, b = _halves(x, dim, "glu", xp)
    s = xp.sigmoid(b)
    return xp.cat([g * s, g * a * s * xp.sigmoid(-b)], dim)


def _glu_jvp(x, y, t, xp, dim=-1):
    a, b = _halves(x, dim, "glu", xp)
    ta, tb = _halves(t, dim, "glu", xp)
    s = xp.sigmoid(b)
    return ta * s + (a * s) * (xp.sigmoid(-b) * tb)


def _variant_jvp(name, act, act_grad):
    """jvp of ``act(a) * b``: ``act'(a) t_a b + act(a) t_b``."""
    def jvp(x, y, t, xp, dim=-1, **params):
        a, b = _halves(x, dim, name, xp)
        ta, tb = _halves(t, dim, name, xp)
        return act_grad(a, xp, **params) * ta * b + act(a, xp, **params) * tb
    return jvp


def _variant_vjp(name, act, act_grad):
    """vjp of ``act(a) * b``: ``cat([g b act'(a), g act(a)])`` along dim."""
    def vjp(x, y, g, xp, dim=-1, **params):
        a, b = _halves(x, dim, name, xp)
        return xp.cat([g * b * act_grad(a, xp, **params), g * act(a, xp, **params)], dim)
    return vjp


def _elementwise(name):
    """(forward, derivative) of a registered elementwise activation, looked up at call time
    (``Spec.forward_with``: on torch its torch forms, the values that activation gives there)."""
    return (lambda a, xp, **p: spec(name).forward_with(a, xp, **p),
            lambda a, xp, **p: spec(name).derivative_with(a, xp, **p))


_GELU, _SILU = _elementwise("gelu"), _elementwise("silu")


# --------------------------------------------------------------------------- crelu
def crelu(x, xp, dim=-1):
    r"""Concatenated ReLU (Shang et al. 2016): :math:`[\max(x, 0), \max(-x, 0)]`.

    Concatenated along ``dim`` (default -1 as TF's ``tf.nn.crelu(axis=-1)``), so the output is
    twice as large.

    Derivative: the vjp for :math:`g = [g_1, g_2]` is
    :math:`g_1 \mathbf 1[x > 0] - g_2 \mathbf 1[x < 0]` (0 at x = 0, relu's convention; NaN
    where x is NaN).  Backward saves only x.

    Example:
        >>> import numpy as np, actlib
        >>> act = actlib.get("crelu")
        >>> act(np.array([-1.0, 2.0]))
        array([0., 2., 1., 0.])
        >>> act.vjp(np.array([-1.0, 2.0]), np.array([1.0, 1.0, 1.0, 1.0]))
        array([-1.,  1.])
    """
    return xp.cat([_relu(x, xp), _relu(-x, xp)], dim)


def _crelu_jvp(x, y, t, xp, dim=-1):
    nan = xp.where(xp.isnan(x), x, 0.0)
    return xp.cat([xp.where(x > 0, t, nan), xp.where(x < 0, -t, nan)], dim)


def _crelu_vjp(x, y, g, xp, dim=-1):
    g1, g2 = xp.split_half(g, dim)
    return xp.where(x > 0, g1, xp.where(x < 0, -g2, x * 0))


# --------------------------------------------------------------------------- torch hooks
# torch_forward: the same formulas, with eager-only fast paths; torch_vjp: eager-only (see
# ``define``).  Row blocks keep the forward's temporaries small (peak memory of
# input + output, as the builtins), torch's fused backward kernels compute the same formulas
# as the vjps above (softmax: y (g - <g, y>); log_softmax: g - e^y sum g), and GLU works in
# place on its output.
_ROW_BLOCK = 1 << 18       # elements per block of rows


def _regular(x, dim) -> bool:
    """At least 2-d, non-empty along dim: the fused kernels and row blocks apply."""
    return x.ndim >= 1 and x.shape[dim] > 0


def _row_blocked(fn, name):
    """torch_forward of a row-wise formula: blocks of rows (dim 0) when dim is not 0."""
    def forward(x, dim=-1):
        from .._ops import torch_ops
        xp = torch_ops()
        d = dim % x.ndim if x.ndim else 0
        if (not eager(x) or x.ndim < 2 or d == 0 or x.numel() <= _ROW_BLOCK
                or x.shape[d] == 0):
            return fn(x, xp, dim=dim)
        out = _torch().empty_like(x)
        step = max(1, _ROW_BLOCK // (x.numel() // x.shape[0]))
        for i in range(0, x.shape[0], step):    # each block's last pass writes into out
            fn(x[i:i + step], xp, dim=dim, out=out[i:i + step])
        return out
    forward.__name__ = f"_{name}_torch_forward"
    return forward


def _softmax_torch_vjp(x, y, g, dim=-1):
    if not _regular(y, dim):
        from .._ops import torch_ops
        return _softmax_vjp(x, y, g, torch_ops(), dim=dim)
    return _torch().ops.aten._softmax_backward_data(g, y, dim, y.dtype)


def _softmin_torch_vjp(x, y, g, dim=-1):
    if not _regular(y, dim):
        from .._ops import torch_ops
        return _softmin_vjp(x, y, g, torch_ops(), dim=dim)
    return _torch().ops.aten._softmax_backward_data(g, y, dim, y.dtype).neg_()


def _log_softmax_torch_vjp(x, y, g, dim=-1):
    if not _regular(y, dim):
        from .._ops import torch_ops
        return _log_softmax_vjp(x, y, g, torch_ops(), dim=dim)
    return _torch().ops.aten._log_softmax_backward_data(g, y, dim, y.dtype)


def _glu_torch_forward(x, dim=-1):
    a, b = _halves(x, dim, "glu", None)
    s = _torch().sigmoid(b)
    return s.mul_(a) if eager(x) else s * a


def _glu_torch_vjp(x, y, g, dim=-1):
    """[g sigma(b), g a sigma(b) sigma(-b)] written into one output (no temporaries)."""
    torch = _torch()
    a, b = _halves(x, dim, "glu", None)
    out = torch.empty_like(x)
    oa, ob = out.chunk(2, dim)
    torch.sigmoid(b, out=oa)
    torch.neg(b, out=ob).sigmoid_()
    ob.mul_(oa).mul_(a).mul_(g)
    oa.mul_(g)
    return out


# --------------------------------------------------------------------------- registration
_GATED_META = dict(range=r"\mathbb{R}^d", bounded=(False, False), monotonic="-",
                   f0="0", reference="Shazeer 2020")
_SIMPLEX = dict(range="(0, 1)^n, sum 1 (open simplex)", bounded=(True, True),
                smoothness="C^inf")

define("softmax", forward=softmax, vjp=_softmax_vjp, jvp=_softmax_vjp,
       torch_forward=_row_blocked(softmax, "softmax"), torch_vjp=_softmax_torch_vjp, saves=("y",), params=(_DIM,),
       torch_builtin="softmax",
       formula=r"\operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}", **_SIMPLEX,
       monotonic="increasing in its own input, decreasing in the others", f0="1/n",
       df0=r"J(0) = I/n - \mathbf{1}\mathbf{1}^\top/n^2", reference="Bridle 1990")
define("log_softmax", forward=log_softmax, vjp=_log_softmax_vjp, jvp=_log_softmax_jvp,
       torch_forward=_row_blocked(log_softmax, "log_softmax"), torch_vjp=_log_softmax_torch_vjp, saves=("y",), params=(_DIM,),
       aliases=("logsoftmax",), torch_builtin="log_softmax",
       formula=r"\operatorname{log\_softmax}(x)_i = x_i - \log\sum_j e^{x_j}",
       range="(-inf, 0)^n", bounded=(True, False), monotonic="-", smoothness="C^inf",
       f0="-log n", df0=r"J(0) = I - \mathbf{1}\mathbf{1}^\top/n",
       reference="Bridle 1990 (log-likelihood of the softmax)")
define("softmin", forward=softmin, vjp=_softmin_vjp, jvp=_softmin_vjp,
       torch_forward=_row_blocked(softmin, "softmin"), torch_vjp=_softmin_torch_vjp, saves=("y",), params=(_DIM,),
       torch_builtin="softmin",
       formula=r"\operatorname{softmin}(x) = \operatorname{softmax}(-x)", **_SIMPLEX,
       monotonic="decreasing in its own input", f0="1/n",
       df0=r"J(0) = -(I/n - \mathbf{1}\mathbf{1}^\top/n^2)", reference="-")
define("sparsemax", forward=sparsemax, vjp=_sparsemax_vjp, jvp=_sparsemax_vjp, saves=("y",), params=(_DIM,),
       formula=r"\operatorname{sparsemax}(x) = \arg\min_{p \in \Delta} \|p - x\|^2 "
               r"= [x - \tau(x)]_+",
       range="[0, 1]^n, sum 1 (closed simplex, exact zeros)", bounded=(True, True),
       monotonic="-", smoothness="C^0", f0="1/n",
       df0=r"J(0) = I/n - \mathbf{1}\mathbf{1}^\top/n^2",
       kink="where the support {y > 0} changes; the support's formula is used",
       reference="Martins & Astudillo 2016")
define("maxout", forward=maxout, vjp=_maxout_vjp, jvp=_maxout_jvp, saves=("x",),
       params=(Param("k", 2, valid="an integer >= 1 that divides the size of dim",
                     check=lambda k: _is_int(k) and k >= 1, doc="pieces per unit"), _DIM),
       formula=r"h_i(x) = \max_{0 \le j < k} x_{ik + j}", range=r"\mathbb{R}",
       bounded=(False, False), monotonic="non-decreasing in each input", smoothness="C^0",
       f0="0", df0="subgradient: 1 on the max of each group (ties split evenly)",
       kink="ties within a group: gradient split evenly (torch.amax)",
       reference="Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013")
define("glu", forward=glu, vjp=_glu_vjp, jvp=_glu_jvp,
       torch_forward=_glu_torch_forward, torch_vjp=_glu_torch_vjp, params=(_DIM,), torch_builtin="glu",
       formula=r"\operatorname{GLU}(x) = a \otimes \sigma(b),\ [a, b] = x", smoothness="C^inf",
       df0=r"\partial/\partial a = 1/2,\ \partial/\partial b = 0",
       **{**_GATED_META, "reference": "Dauphin, Fan, Auli & Grangier 2017"})
define("reglu", forward=reglu, vjp=_variant_vjp("reglu", _relu, _relu_grad),
       jvp=_variant_jvp("reglu", _relu, _relu_grad), params=(_DIM,),
       formula=r"\operatorname{ReGLU}(x) = \operatorname{relu}(a) \otimes b,\ [a, b] = x",
       smoothness="C^0", df0=r"\partial/\partial a = 0 (relu'(0) = 0),\ \partial/\partial b = 0",
       kink="a = 0: relu'(0) = 0 (torch)", **_GATED_META)
define("geglu", forward=geglu, vjp=_variant_vjp("geglu", *_GELU), jvp=_variant_jvp("geglu", *_GELU),
       params=(_DIM, Param("approximate", "none", valid='"none" or "tanh"',
                           check=lambda v: v in ("none", "tanh"), doc="gelu's approximation")),
       formula=r"\operatorname{GEGLU}(x) = \operatorname{gelu}(a) \otimes b,\ [a, b] = x",
       smoothness="C^inf", df0=r"\partial/\partial a = b/2,\ \partial/\partial b = 0",
       **_GATED_META)
define("swiglu", forward=swiglu, vjp=_variant_vjp("swiglu", *_SILU), jvp=_variant_jvp("swiglu", *_SILU), params=(_DIM,),
       formula=r"\operatorname{SwiGLU}(x) = \operatorname{silu}(a) \otimes b,\ [a, b] = x",
       smoothness="C^inf", df0=r"\partial/\partial a = b/2,\ \partial/\partial b = 0",
       **_GATED_META)
define("bilinear", forward=bilinear,
       vjp=_variant_vjp("bilinear", _same, _one), jvp=_variant_jvp("bilinear", _same, _one),
       params=(_DIM,),
       formula=r"\operatorname{bilinear}(x) = a \otimes b,\ [a, b] = x", smoothness="C^inf",
       df0=r"\partial/\partial a = b,\ \partial/\partial b = a", **_GATED_META)
define("crelu", forward=crelu, vjp=_crelu_vjp, jvp=_crelu_jvp, saves=("x",), params=(_DIM,),
       aliases=("concatenated_relu",),
       formula=r"\operatorname{CReLU}(x) = [\operatorname{relu}(x), \operatorname{relu}(-x)]",
       range="[0, inf)^{2d}", bounded=(False, True), monotonic="-", smoothness="C^0", f0="0",
       df0="(0, 0) (relu'(0) = 0)", kink="x = 0: relu'(0) = 0 (torch)",
       reference="Shang, Sohn, Almeida & Lee 2016")
