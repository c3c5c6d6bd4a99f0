"""The course's plotting style: an activation and its derivative side by side."""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["plot_activation", "plot_family"]

_STYLE = {"linewidth": 2.0}


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    for a in ax:
        a.axhline(0, color="0.75", linewidth=0.8, zorder=0)
        a.axvline(0, color="0.75", linewidth=0.8, zorder=0)
        a.grid(alpha=0.3)
        a.set_xlabel("$x$")
    ax[0].set_title("$f(x)$")
    ax[1].set_title("$f'(x)$")
    return ax


def plot_activation(acts, x=None, ax=None, labels=None):
    """Plot f (left) and f' (right) of one or several activations on ``x``.

    ``acts`` is an :class:`~actlib.Activation` or a list of them; f' comes from
    ``act.grad`` (the analytic derivative).  Returns the two axes.
    """
    x = np.linspace(-5, 5, 1001) if x is None else np.asarray(x, dtype=float)
    acts = acts if isinstance(acts, (list, tuple)) else [acts]
    labels = labels or [a.name for a in acts]
    ax = _axes(ax)
    for act, label in zip(acts, labels):
        (line,) = ax[0].plot(x, act(x), label=label, **_STYLE)
        ax[1].plot(x, act.grad(x), color=line.get_color(), label=label, **_STYLE)
    if len(acts) > 1:
        ax[0].legend(frameon=False)
    return ax


def plot_family(name, param, values, x=None, ax=None, **fixed):
    """Plot f and f' of ``actlib.get(name, **{param: v})`` for each v in ``values``."""
    from . import get

    acts = [get(name, **fixed, **{param: v}) for v in values]
    labels = [f"{param} = {v:g}" if isinstance(v, numbers.Real) else f"{param} = {v}"
              for v in values]
    return plot_activation(acts, x=x, ax=ax, labels=labels)
