"""The torch backend: forward from primitive ops, backward from the analytic derivative.

Imported only when a ``torch.Tensor`` reaches an :class:`~actlib.Activation`.
float16/bfloat16 inputs are computed in float32 and rounded once; the saved
tensor is the input itself (or the output, for activations whose backward
needs it), never an upcast copy.
"""
from __future__ import annotations

import numpy as np
import torch

from ._core import Spec, channel_shape
from ._ops import torch_ops

__all__ = ["apply", "derivative", "vjp", "ActivationModule"]

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
        t = t.reshape(shape) if shape else t.reshape(())
    return t


class _Elementwise(torch.autograd.Function):
    """f(x; params) with df/dx and df/dparams from the analytic formulas."""

    @staticmethod
    def forward(ctx, x, spec, fixed, names, *tensors):
        ops = torch_ops()
        cd = _compute_dtype(x.dtype, spec)
        xc = x if x.dtype == cd else x.to(cd)
        p = {n: _shaped(spec, n, t, xc) for n, t in zip(names, tensors)} if names else {}
        extra = spec.sample(xc, ops, **fixed, **p) if spec.sample else {}
        y = spec.forward(xc, ops, **fixed, **p, **extra)
        ctx.spec, ctx.fixed, ctx.names = spec, fixed, names
        ctx.extra_names = tuple(extra)
        ctx.save_for_backward(x, *tensors, *extra.values())
        return y if y.dtype == x.dtype else y.to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        ops = torch_ops()
        spec, fixed, names = ctx.spec, ctx.fixed, ctx.names
        x, *rest = ctx.saved_tensors
        tensors, extra_values = rest[:len(names)], rest[len(names):]
        extra = dict(zip(ctx.extra_names, extra_values)) if extra_values else {}
        cd = _compute_dtype(x.dtype, spec)
        xc = x if x.dtype == cd else x.to(cd)
        gc = g if g.dtype == cd else g.to(cd)
        p = {n: _shaped(spec, n, t, xc) for n, t in zip(names, tensors)} if names else {}
        dx = None
        if ctx.needs_input_grad[0]:
            # torch.is_grad_enabled() here means a double backward is being recorded: the
            # in-place fast paths are skipped so that autograd can differentiate this graph
            dx = _times_derivative(spec, gc, xc, {**fixed, **p, **extra},
                                   inplace=not torch.is_grad_enabled())
            dx = dx if dx.dtype == x.dtype else dx.to(x.dtype)
        if not names:
            return (dx, None, None, None)
        dparams = []
        wanted = [ctx.needs_input_grad[4 + i] for i in range(len(names))]
        partials = (spec.param_grads(xc, ops, **fixed, **p, **extra)
                    if any(wanted) and spec.param_grads else {})
        for i, (n, t) in enumerate(zip(names, tensors)):
            if not wanted[i]:
                dparams.append(None)
                continue
            if n not in partials:
                raise RuntimeError(f"{spec.name}: no gradient formula for parameter {n!r}")
            part = partials[n]
            if part.dim() == gc.dim() + 1:  # vector parameter (PAU coefficients): trailing axis
                d = (gc.unsqueeze(-1) * part).reshape(-1, part.shape[-1]).sum(0)
            elif p[n].dim():
                d = (gc * part).sum_to_size(p[n].shape)
            else:
                d = (gc * part).sum()
            dparams.append(d.reshape(t.shape).to(t.dtype))
        return (dx, None, None, None, *dparams)


def _times_derivative(spec: Spec, gc: torch.Tensor, xc: torch.Tensor, kw: dict,
                      inplace: bool = True) -> torch.Tensor:
    """g * f'(x) in the compute dtype: the spec's fused ``torch_backward`` where it has one,
    else ``derivative`` scaled by g, in place when the derivative is a fresh full-size tensor
    (it shares memory with none of the inputs), which saves one allocation and one pass."""
    if spec.torch_backward is not None and inplace:
        return spec.torch_backward(gc, xc, **kw)
    d = spec.derivative(xc, torch_ops(), **kw)
    if (inplace and d.shape == gc.shape and d.dtype == gc.dtype and d._base is None
            and all(d.data_ptr() != t.data_ptr() for t in (xc, *kw.values())
                    if isinstance(t, torch.Tensor))):
        return d.mul_(gc)
    return gc * d


class _VectorValued(torch.autograd.Function):
    """A vector-valued activation whose backward is its analytic vjp."""

    @staticmethod
    def forward(ctx, x, spec, fixed):
        ops = torch_ops()
        xc = x.to(_compute_dtype(x.dtype, spec))
        y = spec.forward(xc, ops, **fixed)
        out = y.to(x.dtype)
        ctx.spec, ctx.fixed = spec, fixed
        ctx.save_for_backward(x if "x" in spec.saves else None,
                              out if "y" in spec.saves else None)
        return out

    @staticmethod
    def backward(ctx, g):
        ops = torch_ops()
        x, y = ctx.saved_tensors
        dtype = (x if x is not None else y).dtype
        cd = _compute_dtype(dtype, ctx.spec)
        xc = x.to(cd) if x is not None else None
        yc = y.to(cd) if y is not None else None
        dx = ctx.spec.vjp(xc, yc, g.to(cd), ops, **ctx.fixed)
        return dx.to(dtype), None, None


def apply(spec: Spec, params: dict, x: torch.Tensor) -> torch.Tensor:
    """Forward on the torch backend, differentiable through the analytic backward."""
    x = _check_input(x)
    if spec.elementwise:
        fixed, names, tensors = _split_params(spec, params, x.device)
        return _Elementwise.apply(x, spec, fixed, names, *tensors)
    return _VectorValued.apply(x, spec, params)


def _derivative_wide(spec: Spec, params: dict, x: torch.Tensor, g=None) -> torch.Tensor:
    """g * df/dx (g = 1 when None) in the compute dtype (float32 for half input), without
    autograd; the same computation as the autograd backward, so the results agree bit for bit."""
    ops = torch_ops()
    xc = x.detach().to(_compute_dtype(x.dtype, spec))
    fixed, names, tensors = _split_params(spec, params, x.device)
    p = {n: _shaped(spec, n, t.detach(), xc) for n, t in zip(names, tensors)}
    extra = spec.sample(xc, ops, **fixed, **p) if spec.sample else {}
    kw = {**fixed, **p, **extra}
    if g is None:
        if spec.torch_backward is not None:
            return spec.torch_backward(torch.ones_like(xc), xc, **kw)
        return torch.broadcast_to(spec.derivative(xc, ops, **kw), xc.shape)
    g = g.detach().to(xc.dtype)
    if g.shape != xc.shape:   # a broadcast cotangent: no fused kernel, no in-place product
        return g * torch.broadcast_to(spec.derivative(xc, ops, **kw), xc.shape)
    return _times_derivative(spec, g, xc, kw)


def derivative(spec: Spec, params: dict, x: torch.Tensor) -> torch.Tensor:
    """df/dx from the analytic formula, without autograd."""
    x = _check_input(x)
    return _derivative_wide(spec, params, x).to(x.dtype)


def vjp(spec: Spec, params: dict, x: torch.Tensor, g) -> torch.Tensor:
    """g^T J(x) from the analytic formula, without autograd."""
    x = _check_input(x)
    g = _check_input(torch.as_tensor(g, device=x.device), "cotangent g")
    if spec.elementwise:
        return _derivative_wide(spec, params, x, g).to(x.dtype)
    ops = torch_ops()
    cd = _compute_dtype(x.dtype, spec)
    xc = x.detach().to(cd)
    y = spec.forward(xc, ops, **params) if "y" in spec.saves else None
    return spec.vjp(xc, y, g.detach().to(cd), ops, **params).to(x.dtype)


class ActivationModule(torch.nn.Module):
    """``torch.nn.Module`` wrapper of an :class:`~actlib.Activation`.

    Learnable parameters (PReLU weight, Swish beta, ...) are registered as
    ``nn.Parameter``s initialised from the bound values; an activation with a
    ``training`` parameter (rrelu) follows the module's train/eval mode.
    """

    def __init__(self, act):
        super().__init__()
        self.activation_name = act.name
        self._spec = act.spec
        self._fixed = {}
        for p in act.spec.params:
            value = act.params[p.name]
            if p.learnable:
                t = torch.as_tensor(np.asarray(value, dtype=np.float64),
                                    dtype=torch.get_default_dtype()).clone()
                self.register_parameter(p.name, torch.nn.Parameter(t))
            elif p.name != "training":
                self._fixed[p.name] = value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        params = dict(self._fixed)
        params.update(dict(self.named_parameters(recurse=False)))
        if "training" in self._spec.param_index:
            params["training"] = self.training
        return apply(self._spec, params, x)

    def extra_repr(self) -> str:
        return f"{self.activation_name!r}" + "".join(f", {k}={v!r}" for k, v in self._fixed.items())
