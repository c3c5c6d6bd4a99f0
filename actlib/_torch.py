"""The torch backend: forward from primitive ops, backward from the analytic derivative.

Imported only when a ``torch.Tensor`` reaches an :class:`~actlib.Activation`.
float16/bfloat16 inputs are computed in float32 and rounded once; the saved
tensor is the input itself (or the output, for activations whose backward
needs it), never an upcast copy.

Both autograd Functions follow torch's functorch-compatible form (``forward`` without
``ctx``, ``setup_context``, ``jvp`` and ``generate_vmap_rule``), so ``torch.func``
transforms, forward-mode AD, double backward, ``torch.compile(fullgraph=True)``,
``torch.export`` and meta tensors all see one ordinary op:

* forward and backward contain no data-dependent host synchronisation;
* backward is built from differentiable torch ops (the analytic derivative), so a
  double backward differentiates it; the fused in-place ``torch_backward`` hooks run only
  in plain eager evaluation (:func:`actlib._ops.eager`) when no graph is being recorded;
* ``jvp`` is the derivative (and the parameter partials) times the tangents.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from ._ops import broadcast_cotangent, channel_shape, eager, torch_ops

if TYPE_CHECKING:
    from ._core import Spec

__all__ = ["apply", "derivative", "vjp"]

_HALF = (torch.float16, torch.bfloat16)


def _check_input(x: torch.Tensor, what: str = "input") -> torch.Tensor:
    """Validate dtype; integers and bool become torch's default float dtype."""
    if x.is_complex():
        raise TypeError(f"{what} has complex dtype {x.dtype}; actlib activations are real-valued")
    if not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    return x


def _compute_dtype(dtype: torch.dtype, spec: Spec | None = None) -> torch.dtype:
    """float32 for half types; float64 for every narrower type when ``spec.wide``."""
    if spec is not None and spec.wide and dtype in (*_HALF, torch.float32):
        return torch.float64
    return torch.float32 if dtype in _HALF else dtype


def _split_params(spec: Spec, params: dict, device) -> tuple[dict, list[str], list[torch.Tensor]]:
    """Separate fixed (Python) parameters from tensor-valued (possibly learnable) ones."""
    fixed, names, tensors = {}, [], []
    for name, value in params.items():
        p = spec.param_index[name]
        if isinstance(value, torch.Tensor) or (p.check is not None and
                                               isinstance(value, (np.ndarray, list, tuple))):
            names.append(name)
            if not isinstance(value, torch.Tensor):  # lists/tuples: keep float64 precision
                value = np.asarray(value, dtype=np.float64)
            tensors.append(torch.as_tensor(value, device=device))
        else:
            fixed[name] = value
    return fixed, names, tensors


def _shaped(spec: Spec, name: str, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    t = t.to(dtype=x.dtype, device=x.device)
    if spec.param_index[name].channelwise:
        shape = channel_shape(t, x.dim())
        if shape is not None:
            d = 0 if x.dim() == 1 else 1
            if shape[d] != x.shape[d]:
                raise ValueError(f"{spec.name}: parameter {name!r} has {shape[d]} values (one per "
                                 f"channel) but the input has {x.shape[d]} channels along dim {d}")
        t = t.reshape(shape) if shape else t.reshape(())
    return t


class _Call:
    """What one call passes through autograd besides tensors: the spec, the fixed (Python)
    parameters, the names of the tensor parameters and of the per-call random draws."""

    __slots__ = ("spec", "fixed", "names", "extra_names")

    def __init__(self, spec, fixed, names=(), extra_names=()):
        self.spec, self.fixed = spec, fixed
        self.names, self.extra_names = tuple(names), tuple(extra_names)

    def kwargs(self, tensors, xc) -> dict:
        """Keyword arguments of the formulas: fixed values, shaped tensor parameters, draws."""
        kw = dict(self.fixed)
        n = len(self.names)
        for name, t in zip(self.names, tensors[:n]):
            kw[name] = _shaped(self.spec, name, t, xc)
        for name, t in zip(self.extra_names, tensors[n:]):
            kw[name] = t if t.dtype == xc.dtype else t.to(xc.dtype)
        return kw


def _cast(t, dtype):
    return t if t is None or t.dtype == dtype else t.to(dtype)


class _ElementwiseCore(torch.autograd.Function):
    """f(x; params) with df/dx and df/dparams from the analytic formulas (what torch.compile
    traces: Dynamo does not trace a Function with a custom ``jvp`` or ``vmap``)."""

    @staticmethod
    def forward(x, call, *tensors):
        spec = call.spec
        xc = _cast(x, _compute_dtype(x.dtype, spec))
        y = spec.forward_on_torch(xc, **call.kwargs(tensors, xc))
        return _cast(y, x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, call, *tensors = inputs
        ctx.call = call
        ctx.save_for_backward(x, *tensors)
        ctx.save_for_forward(x, *tensors)

    @staticmethod
    def backward(ctx, g):
        call = ctx.call
        spec, names = call.spec, call.names
        x, *tensors = ctx.saved_tensors
        cd = _compute_dtype(x.dtype, spec)
        xc, gc = _cast(x, cd), _cast(g, cd)
        kw = call.kwargs(tensors, xc)
        dx = None
        if ctx.needs_input_grad[0]:
            dx = _cast(_times_derivative(spec, gc, xc, kw), x.dtype)
        wanted = [ctx.needs_input_grad[2 + i] for i in range(len(names))]
        if not any(wanted):
            return (dx, None, *([None] * len(tensors)))
        partials = spec.param_grads(xc, torch_ops(), **kw) if spec.param_grads else {}
        dparams = []
        for i, (n, t) in enumerate(zip(names, tensors)):
            if not wanted[i]:
                dparams.append(None)
                continue
            if n not in partials:
                raise RuntimeError(f"{spec.name}: no gradient formula for parameter {n!r}")
            part, p = partials[n], kw[n]
            if part.dim() == gc.dim() + 1:  # vector parameter (PAU coefficients): trailing axis
                d = (gc.unsqueeze(-1) * part).reshape(gc.numel(), part.shape[-1]).sum(0)
            elif p.dim():
                d = (gc * part).sum_to_size(p.shape)
            else:
                d = (gc * part).sum()
            dparams.append(d.reshape(t.shape).to(t.dtype))
        return (dx, None, *dparams, *([None] * (len(tensors) - len(names))))

class _Elementwise(_ElementwiseCore):
    """:class:`_ElementwiseCore` with forward-mode AD (``jvp``) and a ``vmap`` rule, for eager
    evaluation and the ``torch.func`` transforms."""

    @staticmethod
    def vmap(info, in_dims, x, call, *tensors):
        """Elementwise: a vmapped dimension is one more dimension of the tensor, so the
        formulas run once on the physical tensor (with their fast paths).  The batch dimension
        goes last (first for 1-D examples), which keeps a per-channel parameter on dim 1 (dim 0
        for 1-D input); batched parameters are evaluated example by example."""
        x_dim, _, *t_dims = in_dims
        batched = [(t, d) for t, d in zip(tensors, t_dims) if d is not None]
        size = info.batch_size
        if x_dim is None or any(t.dim() != x.dim() for t, _ in batched):
            xs = [x.select(x_dim, i) if x_dim is not None else x for i in range(size)]
            ys = [_Elementwise.apply(xs[i], call, *[t.select(d, i) if d is not None else t
                                                     for t, d in zip(tensors, t_dims)])
                  for i in range(size)]
            return torch.stack(ys), 0
        to = 0 if x.dim() == 2 else -1
        xb = x.movedim(x_dim, to)
        ts = [t.movedim(d, to) if d is not None else t for t, d in zip(tensors, t_dims)]
        y = _Elementwise.apply(xb, call, *ts)
        return y, to % y.dim()


    @staticmethod
    def jvp(ctx, x_t, _call_t, *tensor_ts):
        call = ctx.call
        spec, names = call.spec, call.names
        x, *tensors = ctx.saved_tensors
        cd = _compute_dtype(x.dtype, spec)
        xc = _cast(x, cd)
        kw = call.kwargs(tensors, xc)
        ops = torch_ops()
        out = None
        if x_t is not None:
            out = _cast(x_t, cd) * spec.derivative_on_torch(xc, **kw)
        p_ts = [(n, t) for n, t in zip(names, tensor_ts[:len(names)]) if t is not None]
        if p_ts:
            partials = spec.param_grads(xc, ops, **kw) if spec.param_grads else {}
            for n, t_t in p_ts:
                if n not in partials:
                    raise RuntimeError(f"{spec.name}: no gradient formula for parameter {n!r}")
                part = partials[n]
                if part.dim() == xc.dim() + 1:   # vector parameter: contract the trailing axis
                    term = (part * _cast(t_t, cd).reshape(-1)).sum(-1)
                else:
                    term = part * _shaped(spec, n, t_t, xc)
                out = term if out is None else out + term
        if out is None:
            out = torch.zeros_like(xc)
        return _cast(torch.broadcast_to(out, xc.shape), x.dtype)


def _times_derivative(spec: Spec, gc: torch.Tensor, xc: torch.Tensor, kw: dict) -> torch.Tensor:
    """g * f'(x) in the compute dtype.

    Plain eager evaluation with no graph being recorded (:func:`actlib._ops.eager`): the spec's
    fused ``torch_backward`` where it has one, else ``derivative`` scaled by g in place when the
    derivative is a fresh full-size tensor.  Otherwise (a double backward is being recorded, a
    ``torch.func`` transform, ``torch.compile``, meta tensors): ``g * derivative(x)`` from
    differentiable out-of-place ops, which every transform and tracer understands."""
    # tuple(): torch.Size equality goes through symbolic-shape helpers (microseconds a call)
    fast = (not torch.is_grad_enabled() and tuple(gc.shape) == tuple(xc.shape) and eager(xc)
            and eager(gc))
    if fast and spec.torch_backward is not None:
        return spec.torch_backward(gc, xc, **kw)
    d = spec.derivative_on_torch(xc, **kw)
    if (fast and tuple(d.shape) == tuple(gc.shape) and d.dtype == gc.dtype and d._base is None
            and all(d.data_ptr() != t.data_ptr() for t in (xc, *kw.values())
                    if isinstance(t, torch.Tensor))):
        return d.mul_(gc)
    return gc * d


class _VectorValuedCore(torch.autograd.Function):
    """A vector-valued activation whose backward is its analytic vjp (what torch.compile
    traces)."""

    @staticmethod
    def forward(x, call):
        spec = call.spec
        xc = _cast(x, _compute_dtype(x.dtype, spec))
        return _cast(spec.forward_on_torch(xc, **call.fixed), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, call = inputs
        ctx.call = call
        saved = (x if "x" in call.spec.saves else None, output if "y" in call.spec.saves else None)
        ctx.save_for_backward(*saved)
        ctx.save_for_forward(*saved)
        ctx.x_dtype = x.dtype

    @staticmethod
    def _saved(ctx):
        x, y = ctx.saved_tensors
        cd = _compute_dtype(ctx.x_dtype, ctx.call.spec)
        return _cast(x, cd), _cast(y, cd), cd

    @staticmethod
    def backward(ctx, g):
        xc, yc, cd = _VectorValuedCore._saved(ctx)
        spec, gc = ctx.call.spec, _cast(g, cd)
        ref = xc if xc is not None else yc
        if (spec.torch_vjp is not None and not torch.is_grad_enabled() and eager(ref)
                and eager(gc)):
            dx = spec.torch_vjp(xc, yc, gc, **ctx.call.fixed)
        else:
            dx = spec.vjp(xc, yc, gc, torch_ops(), **ctx.call.fixed)
        return _cast(dx, ctx.x_dtype), None

class _VectorValued(_VectorValuedCore):
    """:class:`_VectorValuedCore` with its analytic jvp (forward-mode AD) and a vmap rule
    generated from its (pure torch) formulas."""

    generate_vmap_rule = True

    @staticmethod
    def jvp(ctx, x_t, _call_t):
        xc, yc, cd = _VectorValuedCore._saved(ctx)
        spec = ctx.call.spec
        out = spec.jvp(xc, yc, _cast(x_t, cd), torch_ops(), **ctx.call.fixed)
        return _cast(out, ctx.x_dtype)


def _prepare(spec: Spec, params: dict, x: torch.Tensor):
    """(call, tensors) for one evaluation: tensor parameters, then this call's random draws."""
    fixed, names, tensors = _split_params(spec, params, x.device)
    extra = {}
    if spec.sample is not None:
        cd = _compute_dtype(x.dtype, spec)
        xc = x.detach() if x.dtype == cd else x.detach().to(cd)
        shaped = {n: _shaped(spec, n, t.detach(), xc) for n, t in zip(names, tensors)}
        extra = spec.sample(xc, torch_ops(), **fixed, **shaped)
    return _Call(spec, fixed, names, tuple(extra)), [*tensors, *extra.values()]




def _apply(fn, core, *args):
    """``fn.apply(*args)``; under torch.compile the ``core`` Function (Dynamo does not trace a
    custom jvp/vmap).  In plain eager mode this calls autograd's C++ ``apply`` directly:
    ``Function.apply`` binds the arguments with ``inspect.signature`` on every call when
    ``setup_context`` is defined (tens of microseconds, for defaults ``forward`` does not
    have), which dominated a call on 1e5 elements."""
    if torch.compiler.is_compiling():
        return core.apply(*args)
    if torch._C._are_functorch_transforms_active():
        return fn.apply(*args)
    return super(torch.autograd.Function, fn).apply(*args)


def apply(spec: Spec, params: dict, x: torch.Tensor) -> torch.Tensor:
    """Forward on the torch backend, differentiable through the analytic backward."""
    x = _check_input(x)
    if spec.elementwise:
        call, tensors = _prepare(spec, params, x)
        return _apply(_Elementwise, _ElementwiseCore, x, call, *tensors)
    spec.check_input(x, params)
    return _apply(_VectorValued, _VectorValuedCore, x, _Call(spec, params))


def _derivative_wide(spec: Spec, params: dict, x: torch.Tensor, g=None) -> torch.Tensor:
    """g * df/dx (g = 1 when None) in the compute dtype (float32 for half input), without
    autograd; the same computation as the autograd backward, so the results agree bit for bit."""
    x = x.detach()
    call, tensors = _prepare(spec, params, x)
    xc = _cast(x, _compute_dtype(x.dtype, spec))
    kw = call.kwargs([t.detach() for t in tensors], xc)
    with torch.no_grad():
        if g is None:
            if spec.torch_backward is not None and eager(xc):
                return spec.torch_backward(torch.ones_like(xc), xc, **kw)
            return torch.broadcast_to(spec.derivative_on_torch(xc, **kw), xc.shape)
        g = _cast(g.detach(), xc.dtype)
        if g.shape != xc.shape:   # a broadcast cotangent: no fused kernel, no in-place product
            return torch.broadcast_to(g, xc.shape) * spec.derivative_on_torch(xc, **kw)
        return _times_derivative(spec, g, xc, kw)


def derivative(spec: Spec, params: dict, x: torch.Tensor) -> torch.Tensor:
    """df/dx from the analytic formula, without autograd."""
    x = _check_input(x)
    return _derivative_wide(spec, params, x).to(x.dtype)


def _broadcast_cotangent(spec: Spec, g: torch.Tensor, shape) -> torch.Tensor:
    return broadcast_cotangent(spec.name, g, shape, torch.broadcast_to, RuntimeError)


def vjp(spec: Spec, params: dict, x: torch.Tensor, g) -> torch.Tensor:
    """g^T J(x) from the analytic formula, without autograd; g broadcasts to the output."""
    x = _check_input(x)
    g = _check_input(torch.as_tensor(g, device=x.device), "cotangent g")
    if spec.elementwise:
        g = _broadcast_cotangent(spec, g, x.shape)
        return _derivative_wide(spec, params, x, g).to(x.dtype)
    spec.check_input(x, params)
    ops = torch_ops()
    cd = _compute_dtype(x.dtype, spec)
    xc = x.detach().to(cd)
    with torch.no_grad():
        fast = eager(xc) and eager(g)
        y = spec.forward_on_torch(xc, **params)
        if "y" in spec.saves:     # the saved output is rounded to x's dtype, as under autograd
            y = y.to(x.dtype).to(cd)
        g = _broadcast_cotangent(spec, g.detach().to(cd), y.shape).contiguous()
        ys = y if "y" in spec.saves else None
        if fast and spec.torch_vjp is not None:
            return spec.torch_vjp(xc, ys, g, **params).to(x.dtype)
        return spec.vjp(xc, ys, g, ops, **params).to(x.dtype)
