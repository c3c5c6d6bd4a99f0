r"""One SymPy definition per activation: the course's independent symbolic reference.

Every chapter (and the whole-catalog chapter) imports its definitions from here, so that no
SymPy expression of an activation is written twice in the book::

    from actlib.definitions import x, definition, expr, Definition
    x                                   # Symbol("x", real=True): the input of every elementwise definition
    d = definition("leaky_relu")        # a Definition (aliases resolve; unknown names raise
                                        # actlib.UnknownActivationError, naming the closest names)
    d.name                              # "leaky_relu", the canonical name
    d.expr                              # Piecewise((x, x > 0), (a*x, True)): in x and the parameter
                                        # symbols; None for vector-valued activations
    d.symbols                           # {"negative_slope": a}: actlib parameter name -> SymPy symbol,
                                        # assumptions matching actlib's valid range (a is real)
    d.defaults                          # {"negative_slope": 1/100}: exact defaults equal to actlib's
    d(negative_slope=0.2)               # expr with parameters substituted (floats as the decimal they
                                        # print as: 0.2 -> 1/5), the others at their defaults
    expr("leaky_relu", negative_slope=0.2)   # the same
    d.source                            # the Python source of the definition, for a chapter to show
    d.elementwise                       # False for softmax, log_softmax, softmin, sparsemax, maxout,
                                        # the GLU family and crelu
    inputs, outputs = definition("glu").vector(4)   # vector-valued only: inputs x_1..x_n (real),
                                        # outputs a SymPy Matrix along that axis

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
``lambdify`` of a definition inside actlib), and nothing here reads actlib's formulas: this
module uses actlib only for names, aliases, the parameters' names and defaults, and the
validation of numeric parameter values.
"""
from __future__ import annotations

import inspect
import itertools
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp

__all__ = ["x", "definition", "expr", "Definition", "defines", "option", "SELU_ALPHA",
           "SELU_SCALE"]

x = sp.Symbol("x", real=True)

_REGISTRY: dict[str, "Definition"] = {}


@dataclass(frozen=True)
class _Option:
    """A parameter that selects the form of the expression (a string, a bool, an integer)."""

    default: Any
    choices: tuple | None = None


def option(default, *choices) -> _Option:
    """A non-symbolic parameter: its value is passed to the definition as it is (e.g. gelu's
    ``approximate``); ``choices``, when given, are the values allowed."""
    return _Option(default, tuple(choices) or None)


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
                                     f"{', '.join(map(repr, spec.choices))}, got {v!r}")
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
            import actlib
            actlib.get(self.name, **plain)

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
    import actlib
    canonical = actlib.spec(name).name      # raises UnknownActivationError with close matches
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
    return sp.tanh(x)


@defines("hardtanh", min_val=("min_val", sp.Integer(-1), REAL),
         max_val=("max_val", sp.Integer(1), REAL))
def hardtanh(lo, hi):
    """x clipped to [min_val, max_val]."""
    return sp.Piecewise((lo, x <= lo), (x, x < hi), (hi, True))


@defines("softsign")
def softsign():
    return x / (1 + sp.Abs(x))


# -- rectifiers ---------------------------------------------------------------------------------
@defines("relu")
def relu():
    return sp.Piecewise((x, x > 0), (0, True))


@defines("relu6")
def relu6():
    """x clipped to [0, 6]."""
    return sp.Piecewise((0, x <= 0), (x, x < 6), (6, True))


@defines("leaky_relu", negative_slope=("a", R(1, 100), REAL))
def leaky_relu(a):
    return sp.Piecewise((x, x > 0), (a * x, True))


@defines("prelu", weight=("a", R(1, 4), REAL))
def prelu(a):
    """leaky_relu with a learnable slope a (one per channel in torch: this is one channel)."""
    return _of("leaky_relu", x, negative_slope=a)


@defines("rrelu", lower=("l", R(1, 8), NONNEG), upper=("u", R(1, 3), NONNEG),
         training=option(False, False))
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
    return sp.Piecewise((x ** 2, x > 0), (0, True))


# -- exponential and soft rectifiers ------------------------------------------------------------
@defines("softplus", beta=("beta", sp.Integer(1), POSITIVE),
         threshold=("t", sp.Integer(20), REAL))
def softplus(beta, t):
    """log(1 + e^(beta x))/beta, and x where beta x > threshold (torch's switch, which actlib
    follows; softplus(threshold=sp.oo) is the textbook function)."""
    return sp.Piecewise((x, beta * x > t), (sp.log(1 + sp.exp(beta * x)) / beta, True))
