"""Array namespaces that let one formula serve both backends.

Every activation is written once as ``f(x, xp, **params)`` where ``xp`` is
:data:`NP` (NumPy + SciPy) or :data:`TORCH` (primitive torch ops).  The two
namespaces expose the same small vocabulary; nothing else is shared between
the backends.  ``xp.is_torch`` lets a formula branch where the backends must
differ (e.g. random sampling).
"""
from __future__ import annotations


import math
import threading

import numpy as np
from scipy import special as sp

__all__ = ["NP", "torch_ops", "NumpyOps", "TorchOps", "channel_shape"]


class NumpyOps:
    """NumPy/SciPy implementation of the shared vocabulary."""

    is_torch = False

    exp = staticmethod(np.exp)
    expm1 = staticmethod(np.expm1)
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)
    sqrt = staticmethod(np.sqrt)
    tanh = staticmethod(np.tanh)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    abs = staticmethod(np.abs)
    sign = staticmethod(np.sign)
    isnan = staticmethod(np.isnan)
    erf = staticmethod(sp.erf)
    erfc = staticmethod(sp.erfc)
    erfcx = staticmethod(sp.erfcx)
    sigmoid = staticmethod(sp.expit)
    log_sigmoid = staticmethod(sp.log_expit)
    logaddexp = staticmethod(np.logaddexp)
    divide = staticmethod(np.divide)    # takes out=, as torch.div
    subtract = staticmethod(np.subtract)    # takes out=, as torch.sub

    @staticmethod
    def softplus(x):
        r""":math:`\ln(1 + e^x) = \max(x, 0) + \mathrm{log1p}(e^{-|x|})` (SciPy has no softplus;
        ``-log_expit(-x)`` is several times slower than these four passes)."""
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def step(z):
        """1 where z > 0, 0 where z <= 0, NaN where z is NaN."""
        return np.heaviside(z, 0.0)

    @staticmethod
    def frac(z):
        """z - trunc(z): for 0 <= z <= 1, z below 1 and 0 at 1 (a select without a mask)."""
        return z - np.trunc(z)

    @staticmethod
    def nan_to_zero(z):
        """z with NaN replaced by 0 (infinities kept), in place."""
        return np.nan_to_num(z, copy=False, nan=0.0, posinf=np.inf, neginf=-np.inf)

    @staticmethod
    def where(cond, a, b):
        """Elementwise select that keeps the array dtype when a or b is a Python scalar."""
        out = np.where(cond, a, b)
        ref = a if isinstance(a, np.ndarray) else b
        if isinstance(ref, np.ndarray) and out.dtype != ref.dtype:
            out = out.astype(ref.dtype)
        return out

    @staticmethod
    def maximum(a, b):
        return np.maximum(a, b)

    @staticmethod
    def minimum(a, b):
        return np.minimum(a, b)

    @staticmethod
    def clip(x, lo=None, hi=None):
        return np.clip(x, lo, hi)

    @staticmethod
    def zeros_like(x):
        return np.zeros_like(x)

    @staticmethod
    def ones_like(x):
        return np.ones_like(x)

    @staticmethod
    def finfo(x):
        return np.finfo(x.dtype)

    @staticmethod
    def asarray_like(value, x):
        """``value`` (scalar or array) as an array of x's dtype (and device)."""
        return np.asarray(value, dtype=x.dtype)

    # reductions used by the vector-valued activations
    @staticmethod
    def amax(x, dim, keepdim=True):
        return np.max(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def sum(x, dim, keepdim=True):
        return np.sum(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def cat(xs, dim):
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def stack(xs, dim):
        return np.stack(xs, axis=dim)

    @staticmethod
    def split_half(x, dim):
        a, b = np.split(x, 2, axis=dim)
        return a, b

    @staticmethod
    def sort(x, dim, descending=False):
        s = np.sort(x, axis=dim)
        return np.flip(s, axis=dim) if descending else s

    @staticmethod
    def cumsum(x, dim):
        return np.cumsum(x, axis=dim)


class TorchOps:
    """torch implementation of the shared vocabulary (imported lazily)."""

    is_torch = True

    def __init__(self):
        import torch

        self.torch = torch
        self.exp = torch.exp
        self.expm1 = torch.expm1
        self.log = torch.log
        self.log1p = torch.log1p
        self.sqrt = torch.sqrt
        self.tanh = torch.tanh
        self.sin = torch.sin
        self.cos = torch.cos
        self.abs = torch.abs
        self.sign = torch.sign
        self.isnan = torch.isnan
        self.erf = torch.special.erf
        self.erfc = torch.special.erfc
        self.erfcx = torch.special.erfcx
        self.sigmoid = torch.sigmoid
        self.log_sigmoid = torch.nn.functional.logsigmoid
        self.logaddexp = torch.logaddexp
        self.divide = torch.div
        self.subtract = torch.sub
        self.zeros_like = torch.zeros_like
        self.ones_like = torch.ones_like

    def where(self, cond, a, b):
        return self.torch.where(cond, a, b)

    def softplus(self, x):
        r""":math:`\ln(1 + e^x)` as ``-logsigmoid(-x)``: one fused kernel, and no threshold
        (``F.softplus`` switches to x above 20)."""
        return -self.log_sigmoid(-x)

    def step(self, z):
        """1 where z > 0, 0 where z <= 0, NaN where z is NaN: ``ceil(clamp(z, 0, 1))`` (torch has
        no NaN-preserving step: ``heaviside`` and ``sign`` map NaN to 0)."""
        return self.torch.clamp(z, 0, 1).ceil_()

    def frac(self, z):
        """z - trunc(z) (``torch.frac``): one pass, where ``where`` on a mask costs many."""
        return self.torch.frac(z)

    def nan_to_zero(self, z):
        """z with NaN replaced by 0 (infinities kept); in place on a plain eager tensor."""
        inf = float("inf")
        if eager(z) and not z.requires_grad:
            return z.nan_to_num_(0.0, inf, -inf)
        return self.torch.nan_to_num(z, 0.0, inf, -inf)

    def maximum(self, a, b):
        if isinstance(b, (int, float)):
            return self.torch.clamp_min(a, b)
        if isinstance(a, (int, float)):
            return self.torch.clamp_min(b, a)
        return self.torch.maximum(a, b)

    def minimum(self, a, b):
        if isinstance(b, (int, float)):
            return self.torch.clamp_max(a, b)
        if isinstance(a, (int, float)):
            return self.torch.clamp_max(b, a)
        return self.torch.minimum(a, b)

    def clip(self, x, lo=None, hi=None):
        return self.torch.clamp(x, lo, hi)

    def finfo(self, x):
        return self.torch.finfo(x.dtype)

    def asarray_like(self, value, x):
        return self.torch.as_tensor(value, dtype=x.dtype, device=x.device)

    def amax(self, x, dim, keepdim=True):
        return self.torch.amax(x, dim=dim, keepdim=keepdim)

    def sum(self, x, dim, keepdim=True):
        return self.torch.sum(x, dim=dim, keepdim=keepdim)

    def cat(self, xs, dim):
        return self.torch.cat(xs, dim=dim)

    def stack(self, xs, dim):
        return self.torch.stack(xs, dim=dim)

    def split_half(self, x, dim):
        a, b = self.torch.chunk(x, 2, dim=dim)
        return a, b

    def sort(self, x, dim, descending=False):
        return self.torch.sort(x, dim=dim, descending=descending).values

    def cumsum(self, x, dim):
        return self.torch.cumsum(x, dim=dim)


def channel_shape(param, x_ndim: int):
    """Shape that broadcasts a 1-D per-channel parameter along dim 1 (dim 0 for 1-D input)."""
    # param.shape, not np.shape/np.prod, which torch.compile traces as a tensor -> NumPy sync
    shape = tuple(param.shape) if hasattr(param, "shape") else tuple(np.shape(param))
    n = math.prod(shape)
    if len(shape) == 0 or n == 1 or x_ndim == 0:
        return None
    if x_ndim == 1:
        return (n,)
    return (1, n) + (1,) * (x_ndim - 2)


def broadcast_cotangent(name: str, g, shape, xp_broadcast_to, error):
    """``g`` broadcast to the output ``shape`` as torch broadcasts a cotangent, or a
    ``ValueError`` naming the activation and both shapes (``error`` is the exception the
    backend's ``broadcast_to`` raises)."""
    try:
        return xp_broadcast_to(g, shape)
    except error:
        g_shape = tuple(g.shape) if hasattr(g, "shape") else np.shape(g)  # no copy of a tensor
        raise ValueError(f"{name}: the cotangent g of shape {tuple(g_shape)} does not "
                         f"broadcast to the output shape {tuple(shape)}") from None


NP = NumpyOps()


_TORCH_OPS: TorchOps | None = None


def torch_ops() -> TorchOps:
    """The torch namespace, created on first use so ``import actlib`` does not import torch
    (a plain global, not ``functools.cache``, which torch.compile warns about)."""
    global _TORCH_OPS
    if _TORCH_OPS is None:
        _TORCH_OPS = TorchOps()
    return _TORCH_OPS


_CHUNK = 1 << 18   # elements per block of chunked_map (1 MiB of float32): its temporaries stay in L2 cache


def eager(x) -> bool:
    """torch, private: True for a plain CPU tensor evaluated eagerly, where the host-side fast
    paths (blocking, in-place products, ``data_ptr`` checks) are allowed.  False under
    ``torch.compile``/``torch.export`` tracing, inside a ``torch.func`` transform (functorch
    wrappers), and for meta, fake or non-CPU tensors: there the formulas run once on the whole
    tensor with out-of-place ops that every tracer and transform understands."""
    import torch
    # is_compiling() first: Dynamo folds it to True and never sees the functorch query
    return (not torch.compiler.is_compiling() and type(x) is torch.Tensor
            and x.device.type == "cpu" and not torch._C._functorch.is_functorch_wrapped_tensor(x))


class _Workspace(threading.local):
    """Per-thread scratch blocks of :func:`chunked_map` (``active`` only inside its loop)."""

    def __init__(self):
        self.blocks: dict = {}     # (dtype, slot) -> a flat tensor of _CHUNK elements
        self.active = False


_WORKSPACE = _Workspace()


def scratch(like, slot: int):
    """torch, private: an uninitialised temporary shaped like ``like``, for the block functions
    of :func:`chunked_map`.

    Inside the block loop, slot ``slot`` of a per-thread workspace of chunk-sized blocks (one
    per dtype and slot, kept between calls): a block's temporaries then cost no allocation, so
    no page faults (glibc returns freed megabyte blocks at the top of the heap to the system,
    and fresh pages fault again on the next block).  Elsewhere (the whole tensor at once) a
    fresh ``torch.empty_like(like)``.  A block function must write its result into ``out``,
    never return a scratch tensor, and use each slot for one live temporary at a time."""
    import torch
    if not _WORKSPACE.active or like.numel() > _CHUNK:
        return torch.empty_like(like)
    key, n = (like.dtype, slot), like.numel()
    block = _WORKSPACE.blocks.get(key)
    if block is None or block.numel() < _CHUNK:
        block = _WORKSPACE.blocks[key] = torch.empty(_CHUNK, dtype=like.dtype)
    if n == block.numel() and like.dim() == 1:
        return block                   # the common case: a whole block, no new view
    return block[:n].view(like.shape)


def chunked_map(fn, x, *others, pure=None):
    r"""torch, private: ``fn(out, x, *others)`` applied block by block over contiguous flat chunks.

    ``fn`` computes an elementwise result from same-shaped tensors into ``out`` (its last op
    takes ``out=``) using in-place ops on temporaries from :func:`scratch`; here those are
    chunk-sized blocks of a per-thread workspace, which stay in cache and cost no allocation,
    where full-size ones cost a fresh allocation (page faults) and a trip to memory per pass.
    When autograd records (a double backward), the tensor is small, or it is not a plain eager
    CPU tensor (:func:`eager`: a GPU gains nothing from host-side blocking, and tracers and
    ``torch.func`` transforms need one op per pass), ``fn`` runs once on the whole tensors with
    ``out=None`` and its result is returned; where that is not plain eager evaluation, or
    autograd records, ``pure(x, *others)`` (the same formula with out-of-place ops, which
    tracers, transforms and autograd can follow) is used when given. All inputs must have x's
    shape.
    """
    import torch
    plain = eager(x) and all(eager(t) for t in others) and not (
        torch.is_grad_enabled() and any(t.requires_grad for t in (x, *others)))
    if not plain and pure is not None:
        return pure(x, *others)
    if x.numel() <= _CHUNK or not plain or _WORKSPACE.active:
        return fn(None, x, *others)
    x = x.contiguous()
    others = [t.contiguous() for t in others]
    out = torch.empty_like(x)
    flat = [t.view(-1) for t in (out, x, *others)]
    _WORKSPACE.active = True
    try:
        for i in range(0, x.numel(), _CHUNK):
            fn(*(t[i:i + _CHUNK] for t in flat))
    finally:
        _WORKSPACE.active = False
    return out
