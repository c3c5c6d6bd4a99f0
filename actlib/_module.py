"""``act.module()``: an :class:`~actlib.Activation` as a ``torch.nn.Module``.

Kept apart from the torch backend (``_torch``), which imports nothing from the registry
(``_core``): the registry imports the backend, and this module imports both.
"""
from __future__ import annotations

import numpy as np
import torch

from ._core import Spec, spec
from ._torch import apply

__all__ = ["ActivationModule"]


class ActivationModule(torch.nn.Module):
    """``torch.nn.Module`` wrapper of an :class:`~actlib.Activation`.

    Learnable parameters (PReLU weight, Swish beta, ...) are registered as
    ``nn.Parameter``s initialised from the bound values; an activation with a
    ``training`` parameter (rrelu) follows the module's train/eval mode.  The module refers
    to its activation by name, so it pickles (``torch.save(model)``) and deep-copies.
    """

    def __init__(self, act):
        super().__init__()
        self.activation_name = act.name
        self._fixed = {}
        for p in act.spec.params:
            value = act.params[p.name]
            if p.learnable:
                t = torch.as_tensor(np.asarray(value, dtype=np.float64),
                                    dtype=torch.get_default_dtype()).clone()
                self.register_parameter(p.name, torch.nn.Parameter(t))
            elif p.name != "training":
                self._fixed[p.name] = value

    @property
    def _spec(self) -> Spec:
        return spec(self.activation_name)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        spec = self._spec
        params = dict(self._fixed)
        params.update(self._parameters)
        if "training" in spec.param_index:
            params["training"] = self.training
        return apply(spec, params, x)

    def extra_repr(self) -> str:
        return f"{self.activation_name!r}" + "".join(f", {k}={v!r}" for k, v in self._fixed.items())
