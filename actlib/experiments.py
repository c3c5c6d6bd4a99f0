"""Small MLP experiments that run in seconds on two CPU cores and report mean and spread.

The experiments chapters train many small networks: one architecture, several activations,
several seeds. :class:`Ensemble` holds one independently initialised copy of an MLP per seed and
runs them as one batched program (weights of shape ``(seeds, fan_in, fan_out)``). The loss is the
*sum* of the members' losses, so member k's gradient, and its Adam or SGD state, never mix with
member j's: training the ensemble is training k separate networks (to rounding: the batched
matrix products may sum in another order), at about the cost of one.

Everything is float64 by default, so that results do not depend on the last bits of a BLAS
reduction (another thread count changes those, not the rounded figures printed).

>>> import actlib.experiments as ex
>>> data = ex.circles(n=200, seed=0)
>>> net = ex.Ensemble([2, 8, 1], "relu", seeds=range(3))
>>> curve = ex.train(net, data.X_train, data.y_train, epochs=50, lr=0.05)
>>> curve.shape
(3, 50)
>>> print(ex.Spread(ex.accuracy(net, data.X_test, data.y_test)).percent())  # doctest: +SKIP
93.3 ± 2.9
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import torch

from . import get

INITS = ("default", "xavier", "he", "lecun")
"""The weight initialisations, in order torch's ``nn.Linear`` default, then Glorot/Xavier
normal, He normal and LeCun normal."""

GATED = ("glu", "bilinear", "reglu", "geglu", "swiglu")
"""The activations that halve the width they are given (a gated linear unit's two halves)."""


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """The standard deviation of a normal initialisation: Xavier sqrt(2/(fan_in+fan_out)), He
    sqrt(2/fan_in), LeCun sqrt(1/fan_in).

    >>> init_std("he", 50, 10)
    0.2
    """
    if scheme == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    if scheme == "lecun":
        return math.sqrt(1.0 / fan_in)
    raise ValueError(f"init must be one of {', '.join(repr(s) for s in INITS[1:])} for a normal "
                     f"initialisation, got {scheme!r}")


class Ensemble(torch.nn.Module):
    """One MLP per seed, trained as one batched program.

    ``sizes = [inputs, hidden..., outputs]``; every hidden layer is affine, then the activation
    ``actlib.get(activation, **params).module()`` (``None``: no activation, a purely affine net).
    A gated activation (:data:`GATED`) halves its input, so its affine layer has twice the width.
    ``init`` is one of :data:`INITS`; the normal ones set every bias to ``bias``. Member k is
    initialised from ``torch.Generator().manual_seed(seeds[k])`` alone, so a member does not
    depend on which other seeds share the ensemble.

    ``forward(X)`` takes ``(N, inputs)`` (the same data for every member) or
    ``(seeds, N, inputs)`` and returns ``(seeds, N, outputs)``.

    >>> net = Ensemble([2, 4, 4, 1], "tanh", seeds=[0, 1], init="xavier")
    >>> net(torch.zeros(5, 2, dtype=torch.float64)).shape
    torch.Size([2, 5, 1])
    """

    def __init__(self, sizes: Sequence[int], activation: str | None = "relu", *,
                 seeds: Iterable[int] = range(5), init: str = "default", bias: float = 0.0,
                 dtype: torch.dtype = torch.float64, **params):
        super().__init__()
        self.seeds = tuple(int(s) for s in seeds)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least inputs and outputs, got {list(sizes)}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        self.sizes, self.activation, self.init = tuple(sizes), activation, init
        gated = activation in GATED
        self.act = get(activation, **params).module() if activation is not None else None
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        generators = [torch.Generator().manual_seed(s) for s in self.seeds]
        last = len(sizes) - 2
        for i, (fan_in, width) in enumerate(zip(sizes[:-1], sizes[1:])):
            fan_out = 2 * width if gated and i < last else width
            w = torch.empty(len(self.seeds), fan_in, fan_out, dtype=dtype)
            b = torch.empty(len(self.seeds), 1, fan_out, dtype=dtype)
            for k, g in enumerate(generators):
                if init == "default":  # nn.Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both
                    bound = 1.0 / math.sqrt(fan_in)
                    w[k].uniform_(-bound, bound, generator=g)
                    b[k].uniform_(-bound, bound, generator=g)
                else:
                    w[k].normal_(0.0, init_std(init, fan_in, width), generator=g)
                    b[k].fill_(bias)
            self.weights.append(torch.nn.Parameter(w))
            self.biases.append(torch.nn.Parameter(b))

    def parameter_count(self) -> int:
        """Trainable parameters of one member.

        >>> Ensemble([64, 10, 10], "swiglu", seeds=[0]).parameter_count()  # 64*20+20 + 10*10+10
        1410
        """
        return sum(p[0].numel() for p in self.parameters())

    def trace(self, X: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output, ``(seeds, N, width)`` each: the hidden activations, then the
        network's output."""
        h = X if X.dim() == 3 else X.expand(len(self.seeds), *X.shape)
        outputs = []
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b, h, w)
            if i < len(self.weights) - 1 and self.act is not None:
                h = self.act(h)
            outputs.append(h)
        return outputs

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.trace(X)[-1]


def loss_per_member(net: Ensemble, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each member's mean training loss, shape ``(seeds,)``: binary cross-entropy on logits for
    one output, softmax cross-entropy for several (``y`` holds class indices)."""
    out = net(X)
    if out.shape[-1] == 1:
        target = y.to(out.dtype).expand(out.shape[0], -1)
        return torch.nn.functional.binary_cross_entropy_with_logits(
            out[..., 0], target, reduction="none").mean(dim=1)
    logp = torch.log_softmax(out, dim=-1)
    return -logp.gather(-1, y.expand(out.shape[0], -1).unsqueeze(-1))[..., 0].mean(dim=1)


def train(net: Ensemble, X: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,
          optimizer: str = "adam", X_eval: torch.Tensor | None = None,
          y_eval: torch.Tensor | None = None) -> np.ndarray:
    """Full-batch training of every member at once; returns the training loss per member and
    epoch, ``(seeds, epochs)`` (the loss before each step). With ``X_eval, y_eval`` it returns
    ``(train_loss, eval_accuracy)``, both ``(seeds, epochs)``. Each call starts a fresh optimizer
    (Adam's moments at zero): train in one call rather than in a loop of short calls."""
    opt = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[optimizer](net.parameters(), lr=lr)
    losses = np.empty((len(net.seeds), epochs))
    evals = np.empty((len(net.seeds), epochs)) if X_eval is not None else None
    for epoch in range(epochs):
        opt.zero_grad(set_to_none=True)
        loss = loss_per_member(net, X, y)
        loss.sum().backward()
        opt.step()
        losses[:, epoch] = loss.detach().numpy()
        if evals is not None:
            evals[:, epoch] = accuracy(net, X_eval, y_eval)
    return losses if evals is None else (losses, evals)


@torch.no_grad()
def accuracy(net: Ensemble, X: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """The fraction of correctly classified points, per member, ``(seeds,)``."""
    out = net(X)
    predicted = (out[..., 0] > 0).long() if out.shape[-1] == 1 else out.argmax(dim=-1)
    return (predicted == y).double().mean(dim=1).numpy()


def layer_gradient_norms(net: Ensemble, X: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """The Frobenius norm of each layer's weight gradient, per member: ``(seeds, layers)``."""
    net.zero_grad(set_to_none=True)
    loss_per_member(net, X, y).sum().backward()
    norms = np.array([w.grad.flatten(1).norm(dim=1).numpy() for w in net.weights]).T
    net.zero_grad(set_to_none=True)
    return norms


@dataclass(frozen=True)
class Spread:
    """Values over seeds, reported as mean ± sample standard deviation.

    >>> a = Spread([0.90, 0.92, 0.94]); b = Spread([0.93, 0.95, 0.97])
    >>> str(a), a.percent(), a.overlaps(b)
    ('0.920 ± 0.020', '92.0 ± 2.0', True)
    """

    values: Sequence[float]

    @property
    def mean(self) -> float:
        """The mean over seeds."""
        return float(np.mean(self.values))

    @property
    def sd(self) -> float:
        """The sample standard deviation over seeds (ddof = 1; 0 for a single value)."""
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.sd:.3f}"

    def percent(self, digits: int = 1) -> str:
        """Mean ± sd of a fraction, in percent."""
        return f"{100 * self.mean:.{digits}f} ± {100 * self.sd:.{digits}f}"

    def overlaps(self, other: "Spread") -> bool:
        """Whether the two mean ± sd intervals overlap: a difference inside the spread."""
        return abs(self.mean - other.mean) <= self.sd + other.sd


@dataclass(frozen=True)
class Split:
    """A train/test split as float64 inputs and integer labels."""

    X_train: torch.Tensor
    X_test: torch.Tensor
    y_train: torch.Tensor
    y_test: torch.Tensor


def _split(X, y, test_size, seed) -> Split:
    from sklearn.model_selection import train_test_split

    parts = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    X_train, X_test, y_train, y_test = parts
    as_x = lambda a: torch.as_tensor(a, dtype=torch.float64)  # noqa: E731
    as_y = lambda a: torch.as_tensor(a, dtype=torch.long)  # noqa: E731
    return Split(as_x(X_train), as_x(X_test), as_y(y_train), as_y(y_test))


def circles(n: int = 400, *, noise: float = 0.1, factor: float = 0.5, test_size: float = 0.25,
            seed: int = 0) -> Split:
    """scikit-learn's two concentric circles (``make_circles``), split stratified."""
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=n, noise=noise, factor=factor, random_state=seed)
    return _split(X, y, test_size, seed)


def digits(*, test_size: float = 0.25, seed: int = 0) -> Split:
    """scikit-learn's bundled 8x8 digits (1,797 images, no download), pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return _split(data.data / 16.0, data.target, test_size, seed)


@torch.no_grad()
def decision_grid(net: Ensemble, extent: float = 1.5, n: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """The grid ``xs`` (n points on [-extent, extent]) and each member's predicted class on the
    square grid, ``(seeds, n, n)`` (rows follow the second coordinate), for decision-boundary plots."""
    xs = np.linspace(-extent, extent, n)
    gx, gy = np.meshgrid(xs, xs)
    points = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float64)
    out = net(points)
    cls = (out[..., 0] > 0).long() if out.shape[-1] == 1 else out.argmax(dim=-1)
    return xs, cls.reshape(len(net.seeds), n, n).numpy()
