"""The sigmoidal family: squashing functions and their hard and step relatives."""
from __future__ import annotations

from .._core import define


def sigmoid(x, xp):
    r"""Logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Computed as ``expit`` (SciPy) / ``torch.sigmoid``, which never overflow.
    Derivative :math:`\sigma'(x) = \sigma(x)\,\sigma(-x)`, accurate in both tails
    (the textbook :math:`\sigma(1-\sigma)` rounds to 0 once :math:`\sigma(x)` rounds to 1).
    """
    return xp.sigmoid(x)


def _sigmoid_grad(x, xp):
    return xp.sigmoid(x) * xp.sigmoid(-x)


define("sigmoid", forward=sigmoid, derivative=_sigmoid_grad, aliases=("logistic", "expit"),
       torch_builtin="sigmoid", naive=lambda x: 1 / (1 + __import__("numpy").exp(-x)),
       formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}", range="(0, 1)", bounded=(True, True),
       monotonic="strictly increasing", smoothness="C^inf", f0="1/2", df0="1/4",
       reference="Verhulst 1838; Rumelhart, Hinton & Williams 1986")
