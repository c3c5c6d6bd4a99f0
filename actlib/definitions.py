r"""One SymPy definition per activation: the course's independent symbolic reference.

Every chapter (and the whole-catalog chapter) imports its definitions from here, so that no
SymPy expression of an activation is written twice in the book::

    from actlib.definitions import x, definition, expr, Definition
    x                          # Symbol("x", real=True), the input of every elementwise definition
    d = definition("leaky_relu")   # a Definition; aliases resolve; an unknown name raises
                               # actlib.UnknownActivationError naming the closest names
    d.name                     # "leaky_relu", the canonical name
    d.expr                     # Piecewise((x, x > 0), (a*x, True)), in x and the parameter
                               # symbols; None for vector-valued activations
    d.symbols                  # {"negative_slope": a}: actlib parameter name -> SymPy symbol,
                               # assumptions matching actlib's valid range (here: a is real)
    d.defaults                 # {"negative_slope": 1/100}: exact, equal to actlib's defaults
    d(negative_slope=0.2)      # expr with the given parameters substituted (a float as the
                               # decimal it prints as: 0.2 -> 1/5), the others at their defaults
    expr("leaky_relu", negative_slope=0.2)   # the same
    d.source                   # the Python source of the definition, for a chapter to show
    d.elementwise              # False for softmax, log_softmax, softmin, sparsemax, maxout,
                               # glu, reglu, geglu, swiglu, bilinear and crelu
    inputs, outputs = definition("glu").vector(4)   # vector-valued only: inputs x_1..x_n
                               # (real), outputs a SymPy Matrix of the activation along the axis

Conventions.  Piecewise functions are ``sp.Piecewise`` whose conditions give actlib's value at
each breakpoint (heaviside's ``values`` at 0, threshold's ``x > t``, hardshrink's 0 at
:math:`\pm\lambda`) and, where one condition serves for both, branches chosen so that
``sp.diff`` at a kink gives torch's autograd convention (relu'(0) = 0, leaky_relu'(0) = a,
hardtanh'(+-1) = 0, elu'(0) = alpha, ...).  Everything else is written with plain SymPy
functions in its textbook form, not a numerically stable one: stability is actlib's business,
and the reference is evaluated by mpmath with adaptive precision.  Parameters that actlib
can learn (prelu weight, swish beta, snake a, pau coefficients, star_relu s and b) are symbols
like any other; string and integer parameters (gelu ``approximate``, maxout ``k``) select
the form of the expression.  Decimal defaults are exact rationals (0.01 -> 1/100).

Independence rule.  These definitions are the reference that actlib's hand-written NumPy and
torch numerics are checked against.  Nothing in actlib may be generated from them (no
``lambdify`` of a definition inside actlib), and nothing here reads actlib's formulas: at run
time this module asks actlib only to resolve names and aliases and to validate numeric
parameter values (actlib's ``ValueError`` names the parameter and its range).  The formulas
follow the course catalog and each activation's ``info``; the exact defaults are written here
and tests/test_definitions.py checks them against actlib's.

Particular cases.  ``rrelu`` is its evaluation-mode function (slope (lower + upper)/2).
``softplus`` includes torch's switch to the identity where beta x > threshold, as actlib does;
``expr("softplus", threshold=sp.oo)`` is the textbook function.  ``sign`` is ``sp.sign``,
whose SymPy derivative is 2 DiracDelta(x) (torch's is 0).  ``selu`` uses torch's 32-digit
constants (``SELU_ALPHA``, ``SELU_SCALE``).  ``pau`` has the "safe" denominator
``1 + sum_k |b_k| |x|^k`` of the reference code, as actlib.  ``sparsemax`` is written with
unevaluated ``Max`` (its threshold is the largest ``(sum_S x - 1)/|S|`` over non-empty subsets S);
substituting numbers evaluates it.
"""
from __future__ import annotations

import inspect
import itertools
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp

from ._core import get as _get
from ._core import spec as _spec

__all__ = ["x", "definition", "expr", "Definition", "defines", "option", "SELU_ALPHA",
           "SELU_SCALE"]

x = sp.Symbol("x", real=True)

_REGISTRY: dict[str, "Definition"] = {}


@dataclass(frozen=True)
class _Option:
    """A parameter that selects the form of the expression (a string, a bool, an integer)."""

    default: Any
    choices: tuple | None = None
    note: str = ""


def option(default, *choices, note: str = "") -> _Option:
    """A non-symbolic parameter: its value is passed to the definition as it is (e.g. gelu's
    ``approximate``); ``choices``, when given, are the values allowed (``note`` says why, in
    the error for any other value)."""
    return _Option(default, tuple(choices) or None, note)


@dataclass(frozen=True)
class _Numeric:
    symbol: str
    default: Any          # a SymPy number, or a tuple of them for a coefficient sequence
    assumptions: dict
    start: int = 0        # first index of a coefficient sequence's symbols


def _to_sympy(value, name, param):
    """A user's parameter value as an exact SymPy number (0.2 -> 1/5, inf -> oo)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: parameter {param!r} must be a real number or a SymPy "
                        f"expression, got {value!r}")
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    v = float(value)
    if v != v:
        raise ValueError(f"{name}: parameter {param!r} is NaN")
    if v in (float("inf"), float("-inf")):
        return sp.oo if v > 0 else -sp.oo
    return sp.Rational(repr(v))      # the shortest decimal that round-trips: 0.2 -> 1/5


class Definition:
    """The SymPy definition of one activation (see the module docstring for the API)."""

    def __init__(self, name: str, func: Callable, params: dict, vector: bool):
        self.name = name
        self._func = func
        self._params = params
        self.elementwise = not vector
        self.symbols = {}
        self.defaults = {}
        for p, spec in params.items():
            if isinstance(spec, _Option):
                self.defaults[p] = spec.default
            elif isinstance(spec.default, tuple):
                self.symbols[p] = self._sequence(spec, len(spec.default))
                self.defaults[p] = spec.default
            else:
                self.symbols[p] = sp.Symbol(spec.symbol, **spec.assumptions)
                self.defaults[p] = spec.default
        self._cache: dict = {}

    @staticmethod
    def _sequence(spec: _Numeric, n: int) -> tuple:
        return tuple(sp.Symbol(f"{spec.symbol}_{k}", **spec.assumptions)
                     for k in range(spec.start, spec.start + n))

    def __repr__(self) -> str:
        kind = "elementwise" if self.elementwise else "vector-valued"
        return f"<Definition {self.name!r} ({kind}), parameters {list(self._params)}>"

    @property
    def source(self) -> str:
        """The Python source of the definition (decorator included)."""
        return inspect.getsource(self._func)

    # -- building -----------------------------------------------------------------------------
    def _build(self, options: dict, sizes: dict, *lead):
        """The definition's function called with symbols (and option values)."""
        key = (tuple(sorted(options.items())), tuple(sorted(sizes.items())), lead)
        if key not in self._cache:
            args = []
            for p, spec in self._params.items():
                if isinstance(spec, _Option):
                    args.append(options[p])
                elif p in sizes:
                    args.append(self._sequence(spec, sizes[p]))
                else:
                    args.append(self.symbols[p])
            self._cache[key] = self._func(*lead, *args)
        return self._cache[key]

    @property
    def expr(self):
        """The expression in x and the parameter symbols (options at their defaults); None for a
        vector-valued activation."""
        if not self.elementwise:
            return None
        return self._build(self._default_options(), {})

    def _default_options(self) -> dict:
        return {p: s.default for p, s in self._params.items() if isinstance(s, _Option)}

    def _resolve(self, params: dict):
        """(options, sizes, substitution) for the given parameters, the others at defaults."""
        params = {k: v for k, v in params.items() if not (k == "dim" and not self.elementwise)}
        unknown = [k for k in params if k not in self._params]
        if unknown:
            valid = ", ".join(self._params) or "none"
            raise TypeError(f"{self.name}: unknown parameter {unknown[0]!r}; valid parameters: "
                            f"{valid}")
        self._validate(params)
        options, sizes, subs = self._default_options(), {}, {}
        for p, spec in self._params.items():
            if isinstance(spec, _Option):
                if p in params:
                    options[p] = params[p]
                continue
            value = params.get(p, spec.default)
            if isinstance(spec.default, tuple):
                if isinstance(value, sp.Basic) or isinstance(value, (str, bytes)) \
                        or not hasattr(value, "__len__"):
                    raise TypeError(f"{self.name}: parameter {p!r} must be a 1-D sequence, "
                                    f"got {value!r}")
                values = tuple(_to_sympy(v, self.name, p) for v in
                               (value.tolist() if hasattr(value, "tolist") else value))
                syms = self._sequence(spec, len(values))
                if len(values) != len(spec.default):
                    sizes[p] = len(values)
                subs.update(zip(syms, values))
            else:
                if hasattr(value, "shape") and getattr(value, "shape") != ():
                    raise TypeError(f"{self.name}: parameter {p!r} must be a scalar here (a "
                                    f"per-channel array applies this definition per channel)")
                if hasattr(value, "item") and not isinstance(value, sp.Basic):
                    value = value.item()
                subs[self.symbols[p]] = _to_sympy(value, self.name, p)
        return options, sizes, subs

    def _validate(self, params: dict) -> None:
        """Numeric values go through actlib's own parameter checks (its ValueError names the
        parameter and its valid range); options are checked against their choices."""
        plain = {}
        for p, v in params.items():
            spec = self._params[p]
            if isinstance(spec, _Option):
                if spec.choices is not None and v not in spec.choices:
                    raise ValueError(f"{self.name}: parameter {p!r} must be one of "
                                     f"{', '.join(map(repr, spec.choices))}, got {v!r}"
                                     + (f" ({spec.note})" if spec.note else ""))
                if spec.choices is None and isinstance(spec.default, int) and (
                        isinstance(v, bool) or not isinstance(v, numbers.Integral)):
                    raise TypeError(f"{self.name}: parameter {p!r} must be an integer, got {v!r}")
                plain[p] = v
            elif isinstance(v, bool):
                raise TypeError(f"{self.name}: parameter {p!r} must be a number, got {v!r}")
            elif isinstance(v, numbers.Real) or (hasattr(v, "__len__")
                                                 and not isinstance(v, (str, sp.Basic))
                                                 and all(isinstance(t, numbers.Real) for t in v)):
                plain[p] = v
        if plain:
            _get(self.name, **plain)

    def __call__(self, **params):
        """The expression with the given parameters substituted, the others at their defaults."""
        if not self.elementwise:
            raise TypeError(f"{self.name} is vector-valued: use .vector(n, **params)")
        options, sizes, subs = self._resolve(params)
        return self._build(options, sizes).xreplace(subs)

    def vector(self, n: int, **params):
        """(inputs, outputs): inputs the real symbols x_1..x_n of one slice along the axis,
        outputs a SymPy Matrix (column) of the activation of that slice."""
        if self.elementwise:
            raise TypeError(f"{self.name} is elementwise: use .expr or d(**params), "
                            f".vector is for vector-valued activations")
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"{self.name}: n must be an integer >= 1, got {n!r}")
        n = int(n)
        options, sizes, subs = self._resolve(params)
        inputs = list(sp.symbols(f"x_1:{n + 1}", real=True))
        out = self._build(options, sizes, tuple(inputs))
        return inputs, sp.Matrix(out).xreplace(subs)


def defines(name: str, *, vector: bool = False, **params):
    """Register the decorated function as the definition of ``name``.

    Each keyword is an actlib parameter: ``(symbol, exact default, assumptions)`` (a tuple of
    defaults makes a coefficient sequence, symbols ``symbol_0, symbol_1, ...``; append a start
    index as a fourth item to number them from elsewhere), or :func:`option` for a parameter
    that selects the form.  The function receives the symbols (and option values) in that
    order; a vector-valued definition receives the input symbols first.
    """
    specs = {}
    for p, spec in params.items():
        if isinstance(spec, _Option):
            specs[p] = spec
        else:
            symbol, default, assumptions, *start = spec
            specs[p] = _Numeric(symbol, default, dict(assumptions), *start)

    def deco(func):
        if name in _REGISTRY:
            raise ValueError(f"definition {name!r} is written twice")
        _REGISTRY[name] = Definition(name, func, specs, vector)
        return func
    return deco


def definition(name: str) -> Definition:
    """The :class:`Definition` of an activation, by canonical name or alias."""
    canonical = _spec(name).name            # raises UnknownActivationError with close matches
    try:
        return _REGISTRY[canonical]
    except KeyError:
        raise LookupError(f"actlib has {canonical!r} but actlib.definitions has no SymPy "
                          f"definition of it yet") from None


def expr(name: str, **params):
    """``definition(name)(**params)``: the expression with parameters substituted."""
    return definition(name)(**params)


def _of(name: str, z, **params):
    """Another activation's definition applied to ``z`` (composition, not a second copy)."""
    return expr(name, **params).subs(x, z)


def _softplus(z):
    """The textbook softplus log(1 + e^z) (softplus without torch's threshold switch)."""
    return _of("softplus", z, threshold=sp.oo)


def _sigma(z):
    """The logistic sigmoid of z."""
    return _of("sigmoid", z)


R = sp.Rational
# SELU's constants: torch's (also jax's and keras') 32-digit literals, as 40-digit Floats (exact
# decimals of those literals; the chapter derives the true constants from the fixed-point equations)
SELU_ALPHA = sp.Float("1.6732632423543772848170429916717", 40)
SELU_SCALE = sp.Float("1.0507009873554804934193349852946", 40)
REAL, POSITIVE, NONNEG = {"real": True}, {"positive": True}, {"nonnegative": True}


# -- sigmoidal family ---------------------------------------------------------------------------
@defines("identity")
def identity():
    """identity(x) = x."""
    return x


@defines("heaviside", values=("c", R(1, 2), REAL))
def heaviside(c):
    """0 for x < 0, the parameter c (torch's ``values``) at 0, 1 for x > 0."""
    return sp.Piecewise((0, x < 0), (c, sp.Eq(x, 0)), (1, True))


@defines("sign")
def sign():
    """-1, 0, 1 for x < 0, x = 0, x > 0 (its SymPy derivative is 2 DiracDelta(x); torch's is 0)."""
    return sp.sign(x)


@defines("sigmoid")
def sigmoid():
    """sigmoid(x) = 1/(1 + exp(-x))."""
    return 1 / (1 + sp.exp(-x))


@defines("logsigmoid")
def logsigmoid():
    """log sigma(x) = -softplus(-x)."""
    return -_softplus(-x)


@defines("hardsigmoid")
def hardsigmoid():
    """relu6(x + 3)/6: 0 up to -3, x/6 + 1/2 on (-3, 3), 1 from 3 on."""
    return sp.Piecewise((0, x <= -3), (x / 6 + R(1, 2), x < 3), (1, True))


@defines("tanh")
def tanh():
    """tanh(x) = tanh(x)."""
    return sp.tanh(x)


@defines("hardtanh", min_val=("min_val", sp.Integer(-1), REAL),
         max_val=("max_val", sp.Integer(1), REAL))
def hardtanh(lo, hi):
    """x clipped to [min_val, max_val]."""
    return sp.Piecewise((lo, x <= lo), (x, x < hi), (hi, True))


@defines("softsign")
def softsign():
    """softsign(x) = x/(Abs(x) + 1)."""
    return x / (1 + sp.Abs(x))


# -- rectifiers ---------------------------------------------------------------------------------
@defines("relu")
def relu():
    """relu(x) = Piecewise((x, x > 0), (0, True))."""
    return sp.Piecewise((x, x > 0), (0, True))


@defines("relu6")
def relu6():
    """x clipped to [0, 6]."""
    return sp.Piecewise((0, x <= 0), (x, x < 6), (6, True))


@defines("leaky_relu", negative_slope=("a", R(1, 100), REAL))
def leaky_relu(a):
    """leaky_relu(x) = Piecewise((x, x > 0), (a*x, True))."""
    return sp.Piecewise((x, x > 0), (a * x, True))


@defines("prelu", weight=("a", R(1, 4), REAL))
def prelu(a):
    """leaky_relu with a learnable slope a (one per channel in torch: this is one channel)."""
    return _of("leaky_relu", x, negative_slope=a)


@defines("rrelu", lower=("l", R(1, 8), NONNEG), upper=("u", R(1, 3), NONNEG),
         training=option(False, False, note="the definition is the evaluation-mode function; "
                         "in training the slope is random"))
def rrelu(lo, hi, training):
    """Evaluation mode only (training=False): leaky_relu with slope (lower + upper)/2; in training
    the slope is random, a ~ U(lower, upper), which no deterministic expression represents."""
    return _of("leaky_relu", x, negative_slope=(lo + hi) / 2)


@defines("threshold", threshold=("t", sp.Integer(0), REAL), value=("v", sp.Integer(0), REAL))
def threshold(t, v):
    """x where x > t, v where x <= t."""
    return sp.Piecewise((x, x > t), (v, True))


@defines("relu_squared")
def relu_squared():
    """relu_squared(x) = Piecewise((x**2, x > 0), (0, True))."""
    return sp.Piecewise((x ** 2, x > 0), (0, True))


# -- exponential and soft rectifiers ------------------------------------------------------------
@defines("softplus", beta=("beta", sp.Integer(1), POSITIVE),
         threshold=("t", sp.Integer(20), REAL))
def softplus(beta, t):
    """log(1 + e^(beta x))/beta, and x where beta x > threshold (torch's switch, which actlib
    follows; softplus(threshold=sp.oo) is the textbook function)."""
    return sp.Piecewise((x, beta * x > t), (sp.log(1 + sp.exp(beta * x)) / beta, True))


@defines("elu", alpha=("alpha", sp.Integer(1), REAL))
def elu(alpha):
    """x for x > 0, alpha (e^x - 1) otherwise."""
    return sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True))


@defines("celu", alpha=("alpha", sp.Integer(1), {"real": True, "nonzero": True}))
def celu(alpha):
    """max(0, x) + min(0, alpha (e^(x/alpha) - 1)): x for x > 0, alpha (e^(x/alpha) - 1) otherwise
    (for either sign of alpha)."""
    return sp.Piecewise((x, x > 0), (alpha * (sp.exp(x / alpha) - 1), True))


@defines("selu")
def selu():
    """lambda elu(x) with elu's alpha = SELU_ALPHA, lambda = SELU_SCALE (torch's literals)."""
    return SELU_SCALE * _of("elu", x, alpha=SELU_ALPHA)


@defines("squareplus", b=("b", sp.Integer(4), NONNEG))
def squareplus(b):
    """squareplus(x) = x/2 + sqrt(b + x**2)/2."""
    return (x + sp.sqrt(x ** 2 + b)) / 2


@defines("sparse_plus")
def sparse_plus():
    """0 up to -1, (x + 1)^2/4 on (-1, 1), x from 1 on."""
    return sp.Piecewise((0, x <= -1), ((x + 1) ** 2 / 4, x < 1), (x, True))


# -- Gaussian-gated and self-gated --------------------------------------------------------------
@defines("gelu", approximate=option("none", "none", "tanh"))
def gelu(approximate):
    """x Phi(x) = x/2 (1 + erf(x/sqrt 2)); approximate="tanh" is gelu_tanh."""
    if approximate == "tanh":
        return _of("gelu_tanh", x)
    return x / 2 * (1 + sp.erf(x / sp.sqrt(2)))


@defines("gelu_tanh")
def gelu_tanh():
    """x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + R("0.044715") * x ** 3)))


@defines("swish", beta=("beta", sp.Integer(1), REAL))
def swish(beta):
    """x sigma(beta x)."""
    return x * _sigma(beta * x)


@defines("silu")
def silu():
    """swish with beta = 1: x sigma(x)."""
    return _of("swish", x, beta=1)


@defines("quick_gelu")
def quick_gelu():
    """swish with beta = 1.702: x sigma(1.702 x)."""
    return _of("swish", x, beta=R("1.702"))


@defines("hardswish")
def hardswish():
    """x hardsigmoid(x): 0 up to -3, x (x + 3)/6 on (-3, 3), x from 3 on."""
    return sp.piecewise_fold(x * _of("hardsigmoid", x))


@defines("mish")
def mish():
    """x tanh(softplus(x))."""
    return x * sp.tanh(_softplus(x))


@defines("hard_mish")
def hard_mish():
    """x/2 clip(x + 2, 0, 2): 0 below -2, x (x + 2)/2 on [-2, 0), x from 0 on."""
    return sp.Piecewise((0, x < -2), (x * (x + 2) / 2, x < 0), (x, True))


@defines("star_relu", s=("s", 2 / sp.sqrt(5), REAL), b=("b", -1 / sp.sqrt(5), REAL))
def star_relu(s, b):
    """s relu(x)^2 + b (defaults: the paper's s = 2/sqrt 5, b = -1/sqrt 5)."""
    return s * _of("relu_squared", x) + b


@defines("elish")
def elish():
    """elu(x) sigma(x): x sigma(x) for x >= 0, (e^x - 1) sigma(x) for x < 0."""
    return sp.piecewise_fold(_of("elu", x, alpha=1) * _sigma(x))


@defines("serf")
def serf():
    """x erf(softplus(x))."""
    return x * sp.erf(_softplus(x))


# -- shrinkage ----------------------------------------------------------------------------------
@defines("tanhshrink")
def tanhshrink():
    """tanhshrink(x) = x - tanh(x)."""
    return x - sp.tanh(x)


@defines("softshrink", lambd=("lambda", R(1, 2), NONNEG))
def softshrink(lam):
    """sign(x) max(|x| - lambda, 0)."""
    return sp.Piecewise((x - lam, x > lam), (x + lam, x < -lam), (0, True))


@defines("hardshrink", lambd=("lambda", R(1, 2), NONNEG))
def hardshrink(lam):
    """x where |x| > lambda, 0 on [-lambda, lambda]."""
    return sp.Piecewise((x, (x < -lam) | (x > lam)), (0, True))


# -- periodic and radial ------------------------------------------------------------------------
@defines("snake", a=("a", sp.Integer(1), POSITIVE))
def snake(a):
    """snake(x) = x + sin(a*x)**2/a."""
    return x + sp.sin(a * x) ** 2 / a


@defines("siren", w0=("omega_0", sp.Integer(30), REAL))
def siren(w0):
    """siren(x) = sin(omega_0*x)."""
    return sp.sin(w0 * x)


@defines("gaussian")
def gaussian():
    """gaussian(x) = exp(-x**2)."""
    return sp.exp(-x ** 2)


@defines("laplace", mu=("mu", R("0.707107"), REAL), sigma=("sigma", R("0.282095"), POSITIVE))
def laplace(mu, sigma):
    """Phi((x - mu)/sigma) = (1 + erf((x - mu)/(sigma sqrt 2)))/2."""
    return (1 + sp.erf((x - mu) / (sigma * sp.sqrt(2)))) / 2


# -- other element-wise -------------------------------------------------------------------------
@defines("isru", alpha=("alpha", sp.Integer(1), POSITIVE))
def isru(alpha):
    """isru(x) = x/sqrt(alpha*x**2 + 1)."""
    return x / sp.sqrt(1 + alpha * x ** 2)


@defines("isrlu", alpha=("alpha", sp.Integer(1), POSITIVE))
def isrlu(alpha):
    """x for x >= 0, isru(x) for x < 0."""
    return sp.Piecewise((x, x >= 0), (_of("isru", x, alpha=alpha), True))


@defines("bent_identity")
def bent_identity():
    """bent_identity(x) = x + sqrt(x**2 + 1)/2 - 1/2."""
    return (sp.sqrt(x ** 2 + 1) - 1) / 2 + x


@defines("lisht")
def lisht():
    """lisht(x) = x*tanh(x)."""
    return x * sp.tanh(x)


@defines("tanhsoft", alpha=("alpha", sp.Integer(0), REAL), beta=("beta", R("0.6"), REAL),
         gamma=("gamma", sp.Integer(1), REAL), delta=("delta", sp.Integer(0), NONNEG))
def tanhsoft(alpha, beta, gamma, delta):
    """tanh(alpha x + beta e^(gamma x)) log(delta + e^x) (defaults: TanhSoft-2)."""
    return sp.tanh(alpha * x + beta * sp.exp(gamma * x)) * sp.log(delta + sp.exp(x))


@defines("tanhsoft1", alpha=("alpha", R("0.87"), REAL))
def tanhsoft1(alpha):
    """TanhSoft-1, tanh(alpha x) log(1 + e^x): tanhsoft with beta = 0, delta = 1."""
    return _of("tanhsoft", x, alpha=alpha, beta=0, gamma=1, delta=1)


@defines("tanhsoft2", beta=("beta", R("0.6"), REAL), gamma=("gamma", sp.Integer(1), REAL))
def tanhsoft2(beta, gamma):
    """TanhSoft-2, x tanh(beta e^(gamma x)): tanhsoft with alpha = 0, delta = 0."""
    return _of("tanhsoft", x, alpha=0, beta=beta, gamma=gamma, delta=0)


@defines("erfact", alpha=("alpha", R("0.75"), REAL), beta=("beta", R("0.75"), REAL))
def erfact(alpha, beta):
    """erfact(x) = x*erf(alpha*exp(beta*x))."""
    return x * sp.erf(alpha * sp.exp(beta * x))


@defines("pserf", gamma=("gamma", R("1.25"), REAL), delta=("delta", R("0.85"), REAL))
def pserf(gamma, delta):
    """x erf(gamma softplus(delta x))."""
    return x * sp.erf(gamma * _softplus(delta * x))


@defines("pau",
         a=("a", (R("0.0335583603"), R("0.505000375"), R("1.65343934"), R("2.01001052"),
                  R("0.931901999"), R("0.152424124")), REAL),
         b=("b", (R("3.30847488e-06"), R("3.98021568"), R("5.12471206e-07"), R("0.301830109")),
            REAL, 1))
def pau(a, b):
    """Safe Padé unit (sum_j a_j x^j) / (1 + sum_k |b_k| |x|^k), j = 0..m, k = 1..n; defaults:
    the reference code's pade_optimized_leakyrelu initialisation (m = 5, n = 4)."""
    numerator = sum(aj * x ** j for j, aj in enumerate(a))
    denominator = 1 + sum(sp.Abs(bk) * sp.Abs(x) ** k for k, bk in enumerate(b, 1))
    return numerator / denominator


@defines("sparse_sigmoid")
def sparse_sigmoid():
    """clip(x + 1, 0, 2)/2: 0 up to -1, (x + 1)/2 on (-1, 1), 1 from 1 on."""
    return sp.Piecewise((0, x <= -1), ((x + 1) / 2, x < 1), (1, True))


@defines("exponential")
def exponential():
    """exponential(x) = exp(x)."""
    return sp.exp(x)


# -- vector-valued: each receives the inputs x_1..x_n of one slice --------------------------------
def _vector_of(name: str, args, **params) -> list:
    """Another vector-valued definition applied to ``args``."""
    inputs, outputs = definition(name).vector(len(args), **params)
    return list(outputs.xreplace(dict(zip(inputs, args))))


def _halves(xs, name):
    if len(xs) % 2:
        raise ValueError(f"{name}: n must be even to split the inputs into two halves, "
                         f"got {len(xs)}")
    m = len(xs) // 2
    return xs[:m], xs[m:]


@defines("softmax", vector=True)
def softmax(xs):
    """e^(x_i) / sum_j e^(x_j)."""
    total = sum(sp.exp(v) for v in xs)
    return [sp.exp(v) / total for v in xs]


@defines("log_softmax", vector=True)
def log_softmax(xs):
    """x_i - log sum_j e^(x_j)."""
    return [v - sp.log(sum(sp.exp(t) for t in xs)) for v in xs]


@defines("softmin", vector=True)
def softmin(xs):
    """softmax(-x)."""
    return _vector_of("softmax", [-v for v in xs])


@defines("sparsemax", vector=True)
def sparsemax(xs):
    """max(x_i - tau, 0), tau the threshold at which the outputs sum to 1; tau equals the largest
    (sum_{j in S} x_j - 1)/|S| over non-empty subsets S (attained at the support)."""
    subsets = itertools.chain.from_iterable(itertools.combinations(xs, k)
                                            for k in range(1, len(xs) + 1))
    # evaluate=False: SymPy's pairwise simplification of a symbolic Max takes seconds for n = 4
    tau = sp.Max(*((sum(s) - 1) / len(s) for s in subsets), evaluate=False)
    return [sp.Max(v - tau, 0, evaluate=False) for v in xs]


@defines("maxout", vector=True, k=option(2))
def maxout(xs, k):
    """max over consecutive groups of k: output i is max(x_{ik+1}, ..., x_{ik+k})."""
    if k < 1 or len(xs) % k:
        raise ValueError(f"maxout: k must be >= 1 and divide n, got k = {k}, n = {len(xs)}")
    return [sp.Max(*xs[i:i + k]) for i in range(0, len(xs), k)]


@defines("glu", vector=True)
def glu(xs):
    """a sigma(b), a the first half of the inputs and b the second (torch's F.glu)."""
    a, b = _halves(xs, "glu")
    return [ai * _sigma(bi) for ai, bi in zip(a, b)]


@defines("reglu", vector=True)
def reglu(xs):
    """relu(a) b: the activation on the first half a, b the second half."""
    a, b = _halves(xs, "reglu")
    return [_of("relu", ai) * bi for ai, bi in zip(a, b)]


@defines("geglu", vector=True, approximate=option("none", "none", "tanh"))
def geglu(xs, approximate):
    """gelu(a) b (gelu with the given approximate), a the first half, b the second."""
    a, b = _halves(xs, "geglu")
    return [_of("gelu", ai, approximate=approximate) * bi for ai, bi in zip(a, b)]


@defines("swiglu", vector=True)
def swiglu(xs):
    """silu(a) b, a the first half, b the second."""
    a, b = _halves(xs, "swiglu")
    return [_of("silu", ai) * bi for ai, bi in zip(a, b)]


@defines("bilinear", vector=True)
def bilinear(xs):
    """a b, a the first half, b the second."""
    a, b = _halves(xs, "bilinear")
    return [ai * bi for ai, bi in zip(a, b)]


@defines("crelu", vector=True)
def crelu(xs):
    """[relu(x), relu(-x)]: n inputs, 2n outputs."""
    return [_of("relu", v) for v in xs] + [_of("relu", -v) for v in xs]
