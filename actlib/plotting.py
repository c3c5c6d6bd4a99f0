"""The course's plotting style: an activation and its derivative side by side.

Every figure names the activation in its title, draws a jump as a break (never as a vertical
segment), marks the value at a jump or kink with a filled dot and the one-sided limits with
open dots, and draws curves that may coincide (a parameter family) with distinct line styles.
Figures are 120 dpi.

>>> import actlib
>>> from actlib.plotting import plot_activation
>>> fig = plot_activation(actlib.get("relu"), breaks=(0,))
>>> [a.get_title() for a in fig.axes]
['relu: $f(x)$', "relu: $f'(x)$"]
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["STYLE", "use_course_style", "plot_activation", "plot_family"]

STYLE = {"figure.dpi": 120, "savefig.dpi": 120, "figure.figsize": (9.0, 3.4),
         "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
         "axes.spines.right": False, "lines.linewidth": 2.0, "font.size": 10}
_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))


def use_course_style() -> None:
    """Set matplotlib's rc parameters to the course style (``actlib.plotting.STYLE``)."""
    import matplotlib as mpl

    mpl.rcParams.update(STYLE)


def _axes(ax, title):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=STYLE["figure.figsize"], dpi=STYLE["figure.dpi"],
                               constrained_layout=True)
    for a in ax:
        a.axhline(0, color="0.75", linewidth=0.8, zorder=0)
        a.axvline(0, color="0.75", linewidth=0.8, zorder=0)
        a.grid(alpha=0.3)
        a.set_xlabel("$x$")
    prefix = f"{title}: " if title else ""
    ax[0].set_title(f"{prefix}$f(x)$")
    ax[1].set_title(f"{prefix}$f'(x)$")
    return ax


def _with_breaks(fn, x, breaks):
    """Sample ``fn`` on ``x`` plus both float64 neighbours of every break, with NaN between the
    two neighbours of a break where the values jump, so that a jump is drawn as a gap.
    Returns (xs, ys, marks) with marks = [(p, value at p, left limit, right limit)] for jumps."""
    xs = np.asarray(x, dtype=float)
    inside = [float(p) for p in breaks if xs.min() < float(p) < xs.max()]
    near = [v for p in inside for v in (np.nextafter(p, -np.inf), p, np.nextafter(p, np.inf))]
    xs = np.unique(np.concatenate([xs, near]))
    ys = np.asarray(fn(xs), dtype=float)
    scale = max(1.0, float(np.nanmax(np.abs(ys))) if np.any(np.isfinite(ys)) else 1.0)
    marks, cut = [], []
    for p in inside:
        i = int(np.searchsorted(xs, p))
        left, mid, right = ys[i - 1], ys[i], ys[i + 1]
        if abs(right - left) > 1e-9 * scale or abs(mid - left) > 1e-9 * scale:
            marks.append((p, mid, left, right))
            cut.append(i)
    if cut:
        ys = ys.copy()
        ys[cut] = np.nan  # the point itself is drawn as a dot, the curve breaks there
    return xs, ys, marks


def _dots(ax, marks, color):
    for p, mid, left, right in marks:
        for v in {left, right} - {mid}:
            ax.plot([p], [v], "o", markersize=6, markerfacecolor="white", markeredgecolor=color,
                    zorder=3)
        ax.plot([p], [mid], "o", markersize=6, color=color, zorder=4)


def plot_activation(acts, x=None, ax=None, labels=None, breaks=(), title=None):
    """Plot f (left) and f' (right) of one or several activations on ``x`` and return the figure.

    ``acts`` is an :class:`~actlib.Activation` or a list of them; f' comes from ``act.grad``
    (the analytic derivative, with actlib's convention at kinks).  ``breaks`` lists the points
    where f or f' may jump or kink (e.g. the breakpoints derived from the SymPy definition): a
    jump there is drawn as a gap with a filled dot at the value actlib returns and open dots
    at the one-sided limits.  ``title`` defaults to the activation's name.
    """
    x = np.linspace(-5, 5, 1001) if x is None else np.asarray(x, dtype=float)
    acts = acts if isinstance(acts, (list, tuple)) else [acts]
    labels = labels or [a.name for a in acts]
    if title is None:
        title = acts[0].name if len({a.name for a in acts}) == 1 else ", ".join(labels)
    ax = _axes(ax, title)
    for k, (act, label) in enumerate(zip(acts, labels)):
        style = {"linestyle": _LINESTYLES[k % len(_LINESTYLES)]} if len(acts) > 1 else {}
        xs, ys, marks = _with_breaks(act, x, breaks)
        (line,) = ax[0].plot(xs, ys, label=label, **style)
        _dots(ax[0], marks, line.get_color())
        xs, dys, dmarks = _with_breaks(act.grad, x, breaks)
        ax[1].plot(xs, dys, color=line.get_color(), label=label, **style)
        _dots(ax[1], dmarks, line.get_color())
    if len(acts) > 1:
        ax[0].legend(frameon=False)
        ax[1].legend(frameon=False)
    return ax[0].figure


def plot_family(name, param, values, x=None, ax=None, breaks=(), **fixed):
    """Plot f and f' of ``actlib.get(name, **{param: v})`` for each v in ``values`` (a legend
    names each value; the curves get distinct line styles, so coinciding ones stay visible)."""
    from . import get

    acts = [get(name, **fixed, **{param: v}) for v in values]
    labels = [f"{param} = {v:g}" if isinstance(v, numbers.Real) else f"{param} = {v}"
              for v in values]
    return plot_activation(acts, x=x, ax=ax, labels=labels, breaks=breaks, title=name)
