"""Every activation's documentation (its forward function's docstring, rendered in the API
appendix) follows one template: the formula, a "Derivative" paragraph, an ``Example`` that runs,
then numerical notes.  The examples are doctests: each states values known independently of
actlib (exact ones, or checked against mpmath when written), so running them checks the code."""
from __future__ import annotations

import doctest
import re

import pytest

import actlib


@pytest.mark.parametrize("name", actlib.names())
def test_docstring_follows_the_template(name):
    doc = actlib.spec(name).doc
    assert re.search(r"^\s*Derivative", doc, re.M) or "\nDerivative" in doc or \
        re.search(r"(^|\n)\s*(Vector-Jacobian product|Jacobian)", doc), \
        f"{name}: no 'Derivative' (or, vector-valued, 'Jacobian') paragraph"
    assert re.search(r"^\s*Example", doc, re.M), f"{name}: no Example section"
    assert ">>>" in doc, f"{name}: the Example has no doctest"
    assert not re.search(r"\b\d+(\.\d+)?\s*(ms|µs|us|ns)\b", doc), f"{name}: a timing in the docs"


@pytest.mark.parametrize("name", actlib.names())
def test_docstring_examples_run(name):
    spec = actlib.spec(name)
    test = doctest.DocTestParser().get_doctest(spec.doc, {}, name, None, 0)
    assert test.examples, f"{name}: no doctest examples"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{name}: {runner.failures} failing example(s)"
