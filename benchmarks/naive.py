"""The textbook NumPy formulas of the activations: the baseline of the NumPy benchmark.

They are unsafe on purpose (overflow, cancellation, inf/inf, 0 * inf): ``bench_activations.py``
measures how much actlib's safe formulas cost against them.  They are not part of actlib.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special
from scipy import special as _sp

from actlib.activations.exponential import SELU_ALPHA, SELU_SCALE
from actlib.activations.gated import _INV_SQRT2, _QUICK, _STAR_B, _STAR_S
from actlib.activations.others import PAU_A, PAU_B


def np_softmax(x):
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


def np_sparsemax(x):
    zs = -np.sort(-x, -1)
    cs = zs.cumsum(-1)
    k = (1 + np.arange(1, x.shape[-1] + 1) * zs > cs).sum(-1, keepdims=True)
    return np.maximum(x - (np.take_along_axis(cs, k - 1, -1) - 1) / k, 0)


def np_halves(x):
    return np.split(x, 2, axis=-1)


# name -> the textbook formula f(x, **params) on NumPy arrays
NAIVE = {
    'identity': lambda x: x.copy(),
    'heaviside': lambda x, values=0.5: np.where(x > 0, 1.0, np.where(x < 0, 0.0, values)),
    'sign': lambda x: np.sign(x),
    'sigmoid': lambda x: 1 / (1 + np.exp(-x)),
    'hardsigmoid': lambda x: np.minimum(np.maximum(x / 6 + 0.5, 0), 1),
    'logsigmoid': lambda x: np.log(1 / (1 + np.exp(-x))),
    'tanh': lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
    'hardtanh': lambda x, min_val=-1.0, max_val=1.0: np.minimum(np.maximum(x, min_val), max_val),
    'softsign': lambda x: x / (1 + np.abs(x)),
    'relu': lambda x: np.maximum(x, 0),
    'relu6': lambda x: np.minimum(np.maximum(x, 0), 6),
    'leaky_relu': lambda x, negative_slope=0.01: np.where(x > 0, x, negative_slope * x),
    'prelu': lambda x, weight=0.25: np.where(x > 0, x, weight * x),
    'rrelu': lambda x, lower=1 / 8, upper=1 / 3, training=False:
    np.where(x > 0, x, (lower + upper) / 2 * x),
    'threshold': lambda x, threshold=0.0, value=0.0: np.where(x > threshold, x, value),
    'relu_squared': lambda x: np.maximum(x, 0) ** 2,
    'elu': lambda x, alpha=1.0: np.where(x > 0, x, alpha * (np.exp(x) - 1)),
    'celu': lambda x, alpha=1.0: np.maximum(0, x) + np.minimum(0, alpha * (np.exp(x / alpha) - 1)),
    'selu': lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
    'softplus': lambda x, beta=1.0, threshold=20.0: np.log(1 + np.exp(beta * x)) / beta,
    'squareplus': lambda x, b=4.0: (x + np.sqrt(x * x + b)) / 2,
    'sparse_plus': lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
    'gelu': lambda x, approximate="none": 0.5 * x * (1 + _sp.erf(x * _INV_SQRT2)),
    'gelu_tanh': lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
    'silu': lambda x: x / (1 + np.exp(-x)),
    'quick_gelu': lambda x: x / (1 + np.exp(-_QUICK * x)),
    'swish': lambda x, beta=1.0: x / (1 + np.exp(-beta * x)),
    'hardswish': lambda x: x * np.clip(x + 3, 0, 6) / 6,
    'mish': lambda x: x * np.tanh(np.log(1 + np.exp(x))),
    'hard_mish': lambda x: 0.5 * x * np.clip(x + 2, 0, 2),
    'star_relu': lambda x, s=_STAR_S, b=_STAR_B: s * np.maximum(x, 0) ** 2 + b,
    'elish': lambda x: np.where(x >= 0, x, np.exp(x) - 1) / (1 + np.exp(-x)),
    'serf': lambda x: x * _sp.erf(np.log(1 + np.exp(x))),
    'tanhshrink': lambda x: x - np.tanh(x),
    'softshrink': lambda x, lambd=0.5: np.where(x > lambd, x - lambd,
    np.where(x < -lambd, x + lambd, 0.0)),
    'hardshrink': lambda x, lambd=0.5: np.where(np.abs(x) > lambd, x, 0.0),
    'snake': lambda x, a=1.0: x + np.sin(a * x) ** 2 / a,
    'siren': lambda x, w0=30.0: np.sin(w0 * x),
    'gaussian': lambda x: np.exp(-x ** 2),
    'laplace': lambda x, mu=0.707107, sigma=0.282095: 0.5 * (1 + special.erf(
    (x - mu) / (sigma * math.sqrt(2)))),
    'isru': lambda x, alpha=1.0: x / np.sqrt(1 + alpha * x ** 2),
    'isrlu': lambda x, alpha=1.0: np.where(x >= 0, x, x / np.sqrt(1 + alpha * x ** 2)),
    'bent_identity': lambda x: (np.sqrt(x ** 2 + 1) - 1) / 2 + x,
    'lisht': lambda x: x * np.tanh(x),
    'tanhsoft': lambda x, alpha=0.0, beta=0.6, gamma=1.0, delta=0.0: (
    np.tanh(alpha * x + beta * np.exp(gamma * x)) * np.log(delta + np.exp(x))),
    'tanhsoft1': lambda x, alpha=0.87: np.tanh(alpha * x) * np.log(1 + np.exp(x)),
    'tanhsoft2': lambda x, beta=0.6, gamma=1.0: x * np.tanh(beta * np.exp(gamma * x)),
    'erfact': lambda x, alpha=0.75, beta=0.75: x * special.erf(
    alpha * np.exp(beta * x)),
    'pserf': lambda x, gamma=1.25, delta=0.85: x * special.erf(
    gamma * np.log(1 + np.exp(delta * x))),
    'pau': lambda x, a=PAU_A, b=PAU_B: (
    np.polyval(np.asarray(a)[::-1], x)
    / (1 + np.polyval(np.r_[np.abs(b)[::-1], 0.0], np.abs(x)))),
    'sparse_sigmoid': lambda x: 0.5 * np.clip(x + 1, 0, 2),
    'exponential': np.exp,
    'softmax': np_softmax,
    'log_softmax': lambda x: np.log(np_softmax(x)),
    'softmin': lambda x: np_softmax(-x),
    'sparsemax': np_sparsemax,
    'maxout': lambda x: x.reshape(x.shape[:-1] + (-1, 2)).max(-1),
    'glu': lambda x: np_halves(x)[0] / (1 + np.exp(-np_halves(x)[1])),
    'reglu': lambda x: np.maximum(np_halves(x)[0], 0) * np_halves(x)[1],
    'geglu': lambda x: np_halves(x)[0] * 0.5 * (
    1 + special.erf(np_halves(x)[0] / np.sqrt(2))) * np_halves(x)[1],
    'swiglu': lambda x: np_halves(x)[0] / (1 + np.exp(-np_halves(x)[0])) * np_halves(x)[1],
    'bilinear': lambda x: np_halves(x)[0] * np_halves(x)[1],
    'crelu': lambda x: np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1),
}
