"""Registry, parameter validation and backend dispatch for every activation.

An activation is *defined* once with :func:`define`: a forward formula
``forward(x, xp, **params)`` written against the shared array vocabulary of
:mod:`actlib._ops`, and either an analytic ``derivative(x, xp, **params)``
(elementwise activations) or a ``vjp(x, y, g, xp, **params)`` (vector-valued
ones).  :func:`get` binds parameters and returns an :class:`Activation`, which
dispatches on its input: NumPy arrays, NumPy scalars, Python numbers and lists
go to the NumPy backend, ``torch.Tensor`` to the torch backend on the tensor's
device.
"""
from __future__ import annotations

import difflib
import math
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ._ops import NP, broadcast_cotangent, channel_shape, torch_ops

__all__ = ["Param", "Info", "Spec", "Activation", "define", "get", "names", "aliases",
           "UnknownActivationError"]

_HALF_NUMPY = (np.float16,)


class UnknownActivationError(LookupError, ValueError):
    """Raised by :func:`get` for a name that is neither canonical nor an alias."""


@dataclass(frozen=True)
class Param:
    """A parameter of an activation: name, default, valid range, learnability.

    ``check(value) -> bool`` validates a scalar value; ``valid`` states the range
    in words for the error message.  ``channelwise`` parameters may be 1-D arrays
    that apply along the channel dimension (dim 1, or dim 0 for 1-D input), as
    for torch's ``PReLU``.
    """

    name: str
    default: Any
    valid: str = "any real number"
    check: Callable[[Any], bool] | None = None
    learnable: bool = False
    channelwise: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Info:
    """Metadata of an activation, checked against symbolic derivations in the book."""

    name: str
    formula: str
    params: dict
    range: str
    bounded_above: bool | None
    bounded_below: bool | None
    monotonic: str
    smoothness: str
    f0: str
    df0: str
    kink: str
    elementwise: bool
    reference: str
    aliases: tuple = ()
    torch_builtin: str | None = None


@dataclass
class Spec:
    """Everything :func:`define` records about one activation."""

    name: str
    forward: Callable
    params: tuple[Param, ...]
    info: Info
    derivative: Callable | None = None
    vjp: Callable | None = None
    param_grads: Callable | None = None
    validate: Callable | None = None
    torch_builtin: Any = None
    saves: tuple[str, ...] = ("x",)
    sample: Callable | None = None
    wide: bool = False
    torch_backward: Callable | None = None
    jvp: Callable | None = None
    torch_forward: Callable | None = None
    torch_vjp: Callable | None = None
    torch_derivative: Callable | None = None
    doc: str = ""
    param_index: dict = field(default_factory=dict)

    @property
    def elementwise(self) -> bool:
        """True when the activation acts element by element (it has a ``derivative``)."""
        return self.derivative is not None

    def forward_on_torch(self, x, **params):
        """f(x) on a tensor: the ``torch_forward`` hook where there is one, else the portable
        ``forward`` on torch ops."""
        if self.torch_forward is not None:
            return self.torch_forward(x, **params)
        return self.forward(x, torch_ops(), **params)

    def derivative_on_torch(self, x, **params):
        """f'(x) on a tensor: the ``torch_derivative`` hook where there is one, else the
        portable ``derivative`` on torch ops."""
        if self.torch_derivative is not None:
            return self.torch_derivative(x, **params)
        return self.derivative(x, torch_ops(), **params)

    def forward_with(self, x, xp, **params):
        """f(x) in the array namespace ``xp``: :meth:`forward_on_torch` on torch, else the
        portable ``forward`` (for formulas built from other activations, as GEGLU from GELU)."""
        return self.forward_on_torch(x, **params) if xp.is_torch else self.forward(x, xp, **params)

    def derivative_with(self, x, xp, **params):
        """f'(x) in the array namespace ``xp``, as :meth:`forward_with`."""
        if xp.is_torch:
            return self.derivative_on_torch(x, **params)
        return self.derivative(x, xp, **params)

    def __reduce__(self):
        return (spec, (self.name,))       # the registry entry, by name (it holds functions)

    def check_input(self, x, params: dict) -> None:
        """Shape checks of a vector-valued activation: ``dim`` must index a dimension of x
        (0-d input counts as one dimension, as in torch); shapes only, never values."""
        if self.elementwise or "dim" not in params:
            return
        dim, ndim = params["dim"], max(len(x.shape), 1)
        if not -ndim <= dim < ndim:
            raise IndexError(f"{self.name}: dim {dim} is out of range for a {len(x.shape)}-d "
                             f"input (valid: {-ndim} to {ndim - 1})")


_REGISTRY: dict[str, Spec] = {}
_ALIASES: dict[str, str] = {}


def _loaded() -> None:
    """Import the definition modules once (they register themselves)."""
    from . import activations  # noqa: F401


def define(name: str, *, forward: Callable, derivative: Callable | None = None,
           vjp: Callable | None = None, param_grads: Callable | None = None,
           params: tuple[Param, ...] = (), aliases: tuple[str, ...] = (),
           validate: Callable | None = None, torch_builtin: Any = None,
           saves: tuple[str, ...] = ("x",),
           sample: Callable | None = None, wide: bool = False,
           torch_backward: Callable | None = None, jvp: Callable | None = None,
           torch_forward: Callable | None = None, torch_vjp: Callable | None = None,
           torch_derivative: Callable | None = None,
           formula: str, range: str,
           bounded: tuple[bool | None, bool | None],
           monotonic: str, smoothness: str, f0: str, df0: str, kink: str = "none",
           reference: str = "") -> Spec:
    """Register an activation and return its :class:`Spec`.

    Elementwise activations give ``derivative(x, xp, **params)`` (df/dx);
    vector-valued ones give ``vjp(x, y, g, xp, **params)`` (g^T J) and
    ``jvp(x, y, t, xp, **params)`` (J t, for forward-mode AD) and list in
    ``saves`` which of the input ``"x"`` and the output ``"y"`` backward needs.
    ``param_grads(x, xp, **params)`` returns ``{name: df/dparam}`` (elementwise,
    broadcast to the output) for learnable parameters.  ``torch_builtin`` is the
    name of the ``torch.nn.functional`` function with the same parameters, or a
    callable ``(x, **params)`` (the textbook NumPy formulas the benchmarks compare
    against live in ``benchmarks/naive.py``).  ``sample(x, xp, **params) -> dict`` draws per-call random
    arrays (rrelu's slopes) that are passed to forward and derivative as
    keywords and saved for backward.  ``wide=True`` computes float32 (and half)
    input in float64 and rounds once, for formulas that cancel (PAU's
    polynomials).  ``torch_backward(g, x, **params) -> g * f'(x)`` is an optional
    fused vector-Jacobian product for the torch backend (elementwise only): it
    gets the cotangent and the input as tensors in the compute dtype (float32
    for half input), must not modify them, and may use fused aten backward
    kernels (``torch.ops.aten.hardtanh_backward``, ...) and in-place ops on the
    temporaries it creates; it must keep the contract of ``derivative`` (NaN in
    gives NaN, exact limits).  When present it replaces ``g * derivative`` in
    autograd's backward (unless a double backward is being recorded) and in
    ``act.grad`` (with g = 1) and ``act.vjp`` on tensors, so the three agree bit
    for bit; ``derivative`` still serves NumPy and double backward.  Vector-valued
    activations may give the same kind of eager-only fused hook,
    ``torch_vjp(x, y, g, **params)``; ``vjp`` serves everything else and must give the
    same values.

    The torch backend's own forms of the formulas are hooks too, never ``xp.is_torch``
    branches inside the portable ``forward``/``derivative``:
    ``torch_forward(x, **params)`` and ``torch_derivative(x, **params)`` (elementwise) replace
    ``forward(x, xp)`` and ``derivative(x, xp)`` for every torch evaluation (eager, under
    ``torch.func`` transforms, ``torch.compile``, meta tensors, and inside a double backward,
    where the derivative is differentiated).  They may take eager-only fast paths (blocks by
    ``actlib._ops.chunked_map``, in-place work on their own temporaries, fused aten
    kernels that are as accurate) only when ``actlib._ops.eager`` holds and no graph is
    being recorded, and otherwise use out-of-place ops that every tracer follows.  The
    forward function's docstring becomes the activation's documentation.
    """
    if (derivative is None) == (vjp is None):
        raise ValueError(f"{name}: give exactly one of derivative= (elementwise) or vjp=")
    if vjp is not None and jvp is None:
        raise ValueError(f"{name}: a vector-valued activation needs jvp= (forward-mode AD) too")
    for key in (name, *aliases):
        if key in _REGISTRY or key in _ALIASES:
            raise ValueError(f"activation name {key!r} is defined twice")
    info = Info(name=name, formula=formula, params={p.name: p.default for p in params},
                range=range, bounded_above=bounded[0], bounded_below=bounded[1],
                monotonic=monotonic, smoothness=smoothness, f0=f0, df0=df0, kink=kink,
                elementwise=derivative is not None, reference=reference,
                aliases=tuple(aliases),
                torch_builtin=torch_builtin if isinstance(torch_builtin, str) else
                (getattr(torch_builtin, "__doc__", None) or None))
    spec = Spec(name=name, forward=forward, params=tuple(params), info=info,
                derivative=derivative, vjp=vjp, param_grads=param_grads, validate=validate,
                torch_builtin=torch_builtin, saves=tuple(saves), sample=sample,
                wide=wide, torch_backward=torch_backward, jvp=jvp,
                torch_forward=torch_forward, torch_vjp=torch_vjp,
                torch_derivative=torch_derivative, doc=(forward.__doc__ or "").strip(),
                param_index={p.name: p for p in params})
    _REGISTRY[name] = spec
    for alias in aliases:
        _ALIASES[alias] = name
    return spec


def names() -> tuple[str, ...]:
    """The canonical activation names, sorted."""
    _loaded()
    return tuple(sorted(_REGISTRY))


def aliases() -> dict[str, str]:
    """Every accepted alias mapped to its canonical name."""
    _loaded()
    return dict(sorted(_ALIASES.items()))


def spec(name: str) -> Spec:
    """The :class:`Spec` registered under ``name`` or one of its aliases."""
    _loaded()
    key = name.strip().lower().replace("-", "_") if isinstance(name, str) else name
    if not isinstance(key, str):
        raise TypeError(f"activation name must be a string, got {type(name).__name__}")
    if key in _REGISTRY:
        return _REGISTRY[key]
    if key in _ALIASES:
        return _REGISTRY[_ALIASES[key]]
    close = difflib.get_close_matches(key, [*_REGISTRY, *_ALIASES], n=5, cutoff=0.5)
    hint = f"; closest names: {', '.join(close)}" if close else ""
    raise UnknownActivationError(
        f"unknown activation {name!r}{hint} (actlib.names() lists all {len(_REGISTRY)})")


def get(name: str, **params) -> "Activation":
    """Look up an activation by name or alias and bind its parameters.

    >>> act = get("leaky_relu", negative_slope=0.2)
    >>> float(act(-1.0))
    -0.2
    """
    return Activation(spec(name), params)


_TORCH_BACKEND = None


def _torch_backend():
    """``actlib._torch``, imported on first use (``import actlib`` does not import torch)."""
    global _TORCH_BACKEND
    if _TORCH_BACKEND is None:
        from . import _torch
        _TORCH_BACKEND = _torch
    return _TORCH_BACKEND


def _is_tensor(x) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _vector_param(p: Param) -> bool:
    """Whether a parameter takes arrays: per-channel values, or coefficient sequences (PAU)."""
    return p.channelwise or np.ndim(p.default) > 0


def _normalise(spec: Spec, p: Param, value):
    """NumPy scalars become Python numbers and lists/tuples arrays, so every backend sees one
    kind of scalar; a one-element array of a scalar parameter becomes a Python number; a
    larger array of a scalar parameter is a ``ValueError``."""
    if p.check is None or isinstance(value, bool):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{spec.name}: parameter {p.name!r} must be {p.valid}, "
                             f"got {value!r}") from None
    if isinstance(value, np.ndarray) or _is_tensor(value):
        shape = tuple(value.shape)
        if _vector_param(p):
            if len(shape) > 1:
                raise ValueError(f"{spec.name}: parameter {p.name!r} must be a scalar or 1-D, "
                                 f"got shape {shape}")
        elif int(np.prod(shape)) != 1:
            raise ValueError(f"{spec.name}: parameter {p.name!r} must be a scalar "
                             f"({p.valid}), got an array of shape {shape}")
        elif isinstance(value, np.ndarray) and not p.learnable:
            value = value.reshape(()).item() if value.dtype.kind in "fiu" else value
    return value


def _check_scalar(spec: Spec, p: Param, value) -> None:
    if p.check is None:
        return
    if _is_tensor(value) or isinstance(value, np.ndarray):
        if _is_tensor(value):
            from ._ops import eager
            if not eager(value):      # traced or transformed: no host sync to read the values
                return
        arr = value.detach().cpu().numpy() if _is_tensor(value) else value
        ok = all(p.check(float(v)) for v in np.ravel(arr)) if arr.dtype.kind in "fiu" else False
    else:
        try:
            ok = bool(p.check(value))
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise ValueError(f"{spec.name}: parameter {p.name!r} must be {p.valid}, got {value!r}")


def _bind(spec: Spec, given: dict) -> dict:
    unknown = [k for k in given if k not in spec.param_index]
    if unknown:
        valid = ", ".join(spec.param_index) or "none"
        raise TypeError(f"{spec.name}: unknown parameter {unknown[0]!r}; valid parameters: {valid}")
    bound = {p.name: _normalise(spec, p, given.get(p.name, p.default)) for p in spec.params}
    for p in spec.params:
        _check_scalar(spec, p, bound[p.name])
    if spec.validate is not None:
        spec.validate(**bound)
    return bound


def _activation(name: str, params: dict) -> "Activation":
    """Unpickle an :class:`Activation` (it pickles as its name and bound parameters)."""
    return get(name, **params)


def _numpy_input(x, what="input", wide=False) -> tuple[np.ndarray, np.dtype, bool]:
    """Convert to an ndarray; return (array to compute on, output dtype, was scalar)."""
    scalar = np.isscalar(x)
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{what} must be real numbers, got a string")
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind in "biu":
        arr = arr.astype(np.float64)
    elif kind == "c":
        raise TypeError(f"{what} has complex dtype {arr.dtype}; actlib activations are real-valued")
    elif kind != "f":
        raise TypeError(f"{what} must be a real floating or integer array, got dtype {arr.dtype}")
    out_dtype = arr.dtype
    if wide and arr.dtype in (*_HALF_NUMPY, np.float32):
        arr = arr.astype(np.float64)
    elif arr.dtype in _HALF_NUMPY:
        arr = arr.astype(np.float32)
    return arr, out_dtype, scalar


def _finish_numpy(out, out_dtype, scalar):
    out = np.asarray(out)
    if out.dtype != out_dtype:
        with np.errstate(over="ignore"):  # float32 -> float16 overflow rounds to inf, correctly
            out = out.astype(out_dtype)
    return out[()] if (scalar or out.ndim == 0) else out


def _broadcast_cotangent(spec: Spec, g: np.ndarray, shape) -> np.ndarray:
    """The cotangent broadcast to the output's shape (as torch broadcasts a cotangent)."""
    return broadcast_cotangent(spec.name, g, shape, np.broadcast_to, ValueError)


def _numpy_params(spec: Spec, params: dict, x: np.ndarray) -> dict:
    out = {}
    for name, value in params.items():
        p = spec.param_index[name]
        if _is_tensor(value):
            value = value.detach().cpu().numpy()
        if isinstance(value, (np.ndarray, list, tuple)) and p.check is not None:
            value = np.asarray(value, dtype=x.dtype)
            if p.channelwise:
                shape = channel_shape(value, x.ndim)
                if shape is not None:
                    d = 0 if x.ndim == 1 else 1
                    if shape[d] != x.shape[d]:
                        raise ValueError(f"{spec.name}: parameter {name!r} has {shape[d]} values "
                                         f"(one per channel) but the input has {x.shape[d]} "
                                         f"channels along dim {d}")
                value = value.reshape(shape) if shape else value.reshape(())
        out[name] = value
    return out


class Activation:
    """An activation with bound parameters, callable on NumPy or torch input.

    ``act(x)`` evaluates f, ``act.grad(x)`` gives df/dx (elementwise activations),
    ``act.vjp(x, g)`` gives the vector-Jacobian product g^T J(x) (every activation),
    ``act.module()`` wraps it as a ``torch.nn.Module``; ``act.info`` is its metadata.
    """

    def __init__(self, spec: Spec, params: dict):
        self._spec = spec
        self._params = _bind(spec, params)
        self.__doc__ = spec.doc

    name = property(lambda self: self._spec.name, doc="Canonical name.")
    info = property(lambda self: self._spec.info, doc="Metadata (:class:`Info`).")
    spec = property(lambda self: self._spec, doc="The registry entry (:class:`Spec`).")

    @property
    def params(self) -> dict:
        """The bound parameters (a copy)."""
        return dict(self._params)

    @property
    def elementwise(self) -> bool:
        """Whether the activation acts element by element (then ``grad`` exists)."""
        return self._spec.elementwise

    def __reduce__(self):
        return (_activation, (self.name, self._params))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"actlib.get({self.name!r}{', ' if args else ''}{args})"

    # -- evaluation ---------------------------------------------------------
    def _numpy_params(self, arr: np.ndarray) -> dict:
        """Bound parameters as NumPy values, plus this call's random draws (if any)."""
        p = _numpy_params(self._spec, self._params, arr)
        if self._spec.sample is not None:
            p.update(self._spec.sample(arr, NP, **p))
        return p

    def __call__(self, x):
        """f(x), with the input's dtype and device."""
        if _is_tensor(x):
            return _torch_backend().apply(self._spec, self._params, x)
        arr, out_dtype, scalar = _numpy_input(x, wide=self._spec.wide)
        self._spec.check_input(arr, self._params)
        with np.errstate(all="ignore"):
            p = self._numpy_params(arr)
            out = self._spec.forward(arr, NP, **p)
        return _finish_numpy(out, out_dtype, scalar)

    def grad(self, x):
        """df/dx elementwise (analytic); vector-valued activations raise and point to :meth:`vjp`."""
        if not self._spec.elementwise:
            raise TypeError(f"{self.name} is vector-valued: its derivative is a Jacobian; "
                            f"use act.vjp(x, g) for the vector-Jacobian product")
        if _is_tensor(x):
            return _torch_backend().derivative(self._spec, self._params, x)
        arr, out_dtype, scalar = _numpy_input(x, wide=self._spec.wide)
        with np.errstate(all="ignore"):
            out = self._spec.derivative(arr, NP, **self._numpy_params(arr))
            out = np.broadcast_to(out, arr.shape) if np.shape(out) != arr.shape else out
        return _finish_numpy(out, out_dtype, scalar)

    def vjp(self, x, g):
        """The vector-Jacobian product g^T J_f(x) (equal to g * f'(x) for elementwise f)."""
        if _is_tensor(x):
            return _torch_backend().vjp(self._spec, self._params, x, g)
        arr, out_dtype, scalar = _numpy_input(x, wide=self._spec.wide)
        garr, _, _ = _numpy_input(g, "cotangent g")
        garr = garr.astype(arr.dtype, copy=False)
        self._spec.check_input(arr, self._params)
        with np.errstate(all="ignore"):
            p = self._numpy_params(arr)
            if self._spec.elementwise:
                out = _broadcast_cotangent(self._spec, garr, arr.shape) * \
                    self._spec.derivative(arr, NP, **p)
            else:
                y = self._spec.forward(arr, NP, **p)
                garr = _broadcast_cotangent(self._spec, garr, np.shape(y))
                out = self._spec.vjp(arr, y if "y" in self._spec.saves else None, garr, NP, **p)
        return _finish_numpy(out, out_dtype, scalar)

    def module(self):
        """A ``torch.nn.Module``; learnable parameters become ``nn.Parameter`` objects."""
        from ._module import ActivationModule
        return ActivationModule(self)
