"""Shared fixtures of actlib's test suite, and the max-ULP summary table.

Accuracy tests attach ``("max_ulp", (activation, backend, dtype, quantity, value))``
to their report with ``record_property``; the terminal summary prints one table
(also under xdist, where the properties travel with the reports).  Set
``ACTLIB_ULP_TABLE=path`` to also write the table there as Markdown.
"""
from __future__ import annotations

import os
from collections import defaultdict

import pytest

COLUMNS = [("numpy", "float64"), ("numpy", "float32"), ("numpy", "float16"),
           ("torch", "float64"), ("torch", "float32"), ("torch", "float16"),
           ("torch", "bfloat16")]
SHORT = {"float64": "64", "float32": "32", "float16": "16", "bfloat16": "bf"}


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is pinned
        return False
    return torch.cuda.is_available()


DEVICES = [pytest.param("cpu", id="cpu"),
           pytest.param("cuda", id="cuda", marks=[
               pytest.mark.cuda,
               pytest.mark.skipif(not cuda_available(), reason="CUDA not available")])]


@pytest.fixture(params=DEVICES)
def device(request):
    """Each torch test runs on CPU and, when present, on CUDA."""
    return request.param


def _table(rows: dict) -> list[str]:
    head = ["activation"] + [f"{dict(numpy='np', torch='pt')[b]}{SHORT[d]} {q}" for q in ("f", "df") for b, d in COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in sorted(rows):
        cells = [case]
        for q in ("value", "grad"):
            for b, d in COLUMNS:
                v = rows[case].get((b, d, q))
                cells.append("" if v is None else ("inf" if v == float("inf") else f"{v:.3g}"))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def pytest_terminal_summary(terminalreporter):
    rows = defaultdict(dict)
    for key in ("passed", "failed"):
        for rep in terminalreporter.stats.get(key, []):
            for prop, val in getattr(rep, "user_properties", ()):
                if prop == "max_ulp":
                    case, backend, dtype, quantity, v = val
                    rows[case][(backend, dtype, quantity)] = v
    if not rows:
        return
    lines = _table(rows)
    terminalreporter.section("actlib max error in ULP (rule: tests/ulp.py)")
    for line in lines:
        terminalreporter.write_line(line)
    path = os.environ.get("ACTLIB_ULP_TABLE")
    if path:
        with open(path, "w") as fh:
            fh.write("\n".join(lines) + "\n")


class _BookSummary:
    """Prints what tests/test_book.py checked (recorded as ``book_check`` user properties)."""

    def pytest_terminal_summary(self, terminalreporter):
        lines = [val for key in ("passed", "failed")
                 for rep in terminalreporter.stats.get(key, [])
                 for prop, val in getattr(rep, "user_properties", ()) if prop == "book_check"]
        if lines:
            terminalreporter.section("the built book")
            for line in lines:
                terminalreporter.write_line(line)


def pytest_configure(config):
    config.pluginmanager.register(_BookSummary(), "actlib-book-summary")
