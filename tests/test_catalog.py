"""The whole-catalog helpers (actlib.catalog): chapter map, vector-valued rows, 1-D slices."""
from __future__ import annotations

import json
import re
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import actlib
from actlib.catalog import CHAPTERS, catalog, elementwise_row, section_of, slice_1d, vector_row

BOOK = Path(__file__).resolve().parents[1] / "book"


def test_chapters_cover_the_catalog_once():
    listed = [n for sections in CHAPTERS.values() for n in sections]
    assert sorted(listed) == sorted(actlib.names())
    assert len(listed) == len(set(listed))
    assert section_of("gelu") == ("gated", "GELU")
    with pytest.raises(KeyError):
        section_of("no_such_activation")


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_every_section_title_exists(chapter):
    """Each (chapter, title) is a `## title` of book/<chapter>.ipynb: a {ref} target."""
    cells = json.loads((BOOK / f"{chapter}.ipynb").read_text())["cells"]
    titles = {m.group(1).strip() for c in cells if c["cell_type"] == "markdown"
              for m in re.finditer(r"^## (.+)$", "".join(c["source"]), re.M)}
    missing = [t for t in CHAPTERS[chapter].values() if t not in titles]
    assert not missing


def test_elementwise_row_relu():
    r = elementwise_row("relu")
    assert (r.range, r.bounded_above, r.bounded_below) == ("[0, oo)", False, True)
    assert (r.monotonic, r.smoothness, r.f0, r.df0, r.kink) == \
        ("non-decreasing", "C^0", "0", "0 | 1", "f'(0) = 0")
    assert not r.disagreements()


@pytest.mark.parametrize("name, f0, rng, smooth", [
    ("softmax", "1/2", "(0, 1), sum 1", "C^inf"),
    ("sparsemax", "1/2", "[0, 1], sum 1", "C^0"),
    ("maxout", "0", "(-oo, oo)", "C^0"),      # bounded below on (t, 1): the diagonal shows it
    ("reglu", "0", "(-oo, oo)", "C^0"),       # C^1 on both diagonals: (t, 1) shows the kink
    ("crelu", "0", "[0, oo)", "C^0"),
    ("log_softmax", "-log(2) ≈ -0.693147", "(-oo, 0)", "C^inf"),
])
def test_vector_row(name, f0, rng, smooth):
    r = vector_row(name)
    assert (r.f0, r.range, r.smoothness) == (f0, rng, smooth)
    assert (r.monotonic, r.df0, r.kink) == ("n/a", "n/a", "n/a")
    assert not r.disagreements()


def test_catalog_order_and_processes_agree():
    names = ["softsign", "relu", "softmax"]
    one = catalog(names, processes=1)
    two = catalog(names, processes=2)
    assert [r.name for r in one.rows] == names
    assert [(r.range, r.smoothness, r.f0, r.df0, r.kink) for r in one.rows] == \
        [(r.range, r.smoothness, r.f0, r.df0, r.kink) for r in two.rows]
    assert "softsign" in one.text() and "<table" in one.html()


def _sig(v):
    return 1 / (1 + mp.exp(-v))


def test_slices_against_mpmath():
    """The 1-D views against independent mpmath formulas: softmax at (t, 0) is the sigmoid,
    its derivative sigma (1 - sigma); GLU on the diagonal is t sigma(t), its derivative
    sigma(t) + t sigma'(t); sparsemax at (t, 0) is clip((t + 1)/2, 0, 1)."""
    t = np.array([-30.0, -2.5, -0.3, 0.0, 0.7, 3.0, 25.0])
    with mp.workdps(40):
        f, df, line = slice_1d("softmax", t)
        assert line == "at (t, 0)"
        np.testing.assert_allclose(f, [float(_sig(v)) for v in t], rtol=1e-15)
        # the vjp p (g - <g, p>) forms 1 - p_0 from a rounded p_0: absolute accuracy only
        np.testing.assert_allclose(df, [float(_sig(v) * (1 - _sig(v))) for v in t], rtol=1e-14,
                                   atol=1e-16)
        f, df, _ = slice_1d("glu", t)
        np.testing.assert_allclose(f, [float(v * _sig(v)) for v in t], rtol=1e-15)
        np.testing.assert_allclose(df, [float(_sig(v) + v * _sig(v) * (1 - _sig(v))) for v in t],
                                   rtol=1e-14, atol=1e-300)
    f, _, _ = slice_1d("sparsemax", t)
    np.testing.assert_allclose(f, np.clip((t + 1) / 2, 0, 1), rtol=1e-15)
    f, df, line = slice_1d("tanh", t)
    assert line == "f(t)"
    np.testing.assert_allclose(f, np.tanh(t), rtol=1e-15)


def test_vector_row_range_matches_sympy_limits():
    """softmin's output component at (t, 1): e^-t / (e^-t + e^-1), limits 1 and 0."""
    t = sp.Symbol("t", real=True)
    g = sp.exp(-t) / (sp.exp(-t) + sp.exp(-1))
    assert (sp.limit(g, t, -sp.oo), sp.limit(g, t, sp.oo)) == (1, 0)
    assert vector_row("softmin").range == "(0, 1), sum 1"
