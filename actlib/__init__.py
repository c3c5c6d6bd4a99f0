"""actlib: numerically safe activation functions and their derivatives, for NumPy and torch.

>>> import actlib
>>> act = actlib.get("leaky_relu", negative_slope=0.2)
>>> act.name, act.params
('leaky_relu', {'negative_slope': 0.2})
>>> float(act(-2.0)), float(act.grad(-2.0))
(-0.4, 0.2)

``actlib.names()`` lists the canonical names; ``actlib.get(name, **params)``
returns an :class:`Activation` with ``__call__``, ``grad``, ``vjp``, ``module``
and ``info``.  NumPy input runs on NumPy/SciPy, ``torch.Tensor`` input on torch
(on the tensor's device), each with the input's dtype.
"""
from ._core import (Activation, Info, Param, Spec, UnknownActivationError, aliases, define, get,
                    names, spec)

__all__ = ["Activation", "Info", "Param", "Spec", "UnknownActivationError", "aliases", "define",
           "get", "names", "spec"]
__version__ = "0.1.0"


def __getattr__(name):
    """``actlib.nn`` (drop-in torch modules) is imported on first use, so that ``import actlib``
    does not import torch."""
    if name == "nn":
        import importlib
        return importlib.import_module(".nn", __name__)
    raise AttributeError(f"module 'actlib' has no attribute {name!r}")
