"""Tests of the book itself: configuration, a warning-free build, and every page in a real browser."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [ch["file"] for ch in part["chapters"]]
    return files


def _readme_commands() -> list[str]:
    """The shell lines of README's fenced ```bash blocks."""
    blocks = re.findall(r"```(?:bash|sh|console)\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [line.strip() for b in blocks for line in b.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_toc_names_every_chapter_and_only_existing_files():
    # only_build_toc_files: a notebook left out of _toc.yml would silently not be built.
    files = _toc_files()
    assert files[:3] == ["book/intro", "book/sigmoidal", "book/rectifiers"]
    assert files[-2:] == ["book/api", "book/references"]
    sources = {p.relative_to(ROOT).with_suffix("").as_posix()
               for p in (ROOT / "book").glob("*") if p.suffix in (".ipynb", ".md")}
    assert sources == set(files), "book/ and _toc.yml disagree"


def test_ci_runs_exactly_readmes_test_command():
    commands = _readme_commands()
    test_cmd = [c for c in commands if c.startswith("make test")]
    assert test_cmd == ["make test"], commands
    assert "make book" in commands
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci[0].startswith("#!") and "set -euo pipefail" in ci
    assert test_cmd[0] in [line.strip() for line in ci]


def test_bibliography_keys_follow_the_convention():
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(), re.M)
    assert len(keys) == len(set(keys)), "duplicate BibTeX keys"
    bad = [k for k in keys if not re.fullmatch(r"[a-z]+[0-9]{4}[a-z]?", k)]
    assert not bad, f"keys must be firstauthorYEAR, lowercase ASCII: {bad}"
    for key in ("rumelhart1986", "glorot2010", "he2015", "hochreiter1991", "bengio2013",
                "cybenko1989", "hornik1991", "nair2010", "shazeer2020", "martins2016"):
        assert key in keys


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    """Run the Makefile's real build command into a temporary directory."""
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "build-book",
                           f"JB={jb}", f"BOOK_OUT={out}"],
                          capture_output=True, text=True, timeout=600)
    return proc, out / "_build" / "html"


@pytest.mark.slow
def test_book_builds_without_warnings(built_book, record_property):
    proc, html = built_book
    log = proc.stdout + proc.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]
    assert (html / "index.html").exists()
    for doc in _toc_files():
        page = html / f"{doc}.html"
        assert page.exists(), page
        text = page.read_text()
        # MathJax comes from the build itself, never from a CDN.
        srcs = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', text, re.I)
        assert all("://" not in s for s in srcs), srcs
        if (ROOT / f"{doc}.ipynb").exists():
            # the download button offers the chapter's notebook, served from the build
            assert (html / "_sources" / f"{doc}.ipynb").exists()
            assert f"_sources/{doc}.ipynb" in text
    assert (html / "mathjax" / "tex-svg-full.js").stat().st_size > 1_000_000
    # the bibliography's labels are author-year, like the citations in the text
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>([^<]*)',
                        (html / "book" / "references.html").read_text())
    assert len(labels) > 60 and all(re.fullmatch(r"\D+ \d{4}[a-z]?", l) for l in labels), labels[:5]
    assert "Glorot and Bengio 2010" in labels
    record_property("book_check", f"build: {len(_toc_files())} documents, no warnings")


def _browser_check():
    spec = importlib.util.spec_from_file_location("browser_check", Path(__file__).with_name(
        "browser_check.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_every_page_renders_in_chromium(built_book, record_property):
    bc = _browser_check()
    if not Path(bc.CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{bc.CHROMIUM} missing in CI: .ci/run must apt-get install chromium")
        pytest.skip(f"{bc.CHROMIUM} not installed (apt-get install -y chromium); CI installs it")
    _, html = built_book
    assert (html / "index.html").exists(), "the build produced no book"
    reports = bc.check_book(html)
    summary = bc.summary(reports)
    print(summary)
    record_property("book_check", "browser: " + summary.splitlines()[0])
    pages = {r.path for r in reports}
    assert {f"{doc}.html" for doc in _toc_files()} <= pages
    assert not any(r.problems for r in reports), summary
    chapters = [r for r in reports if r.path.removesuffix(".html") in _toc_files()[:3]]
    # every chapter is mathematical: math must be there, and every piece of it typeset
    assert all(r.math > 0 and r.typeset >= r.math for r in chapters), summary


def test_readme_example_runs():
    """README's actlib example is real code: run it."""
    code = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert code, "README has no python example"
    for block in code:
        exec(compile(block, "README.md", "exec"), {})


def _notebooks():
    import nbformat

    return {p.stem: nbformat.read(p, as_version=4) for p in sorted((ROOT / "book").glob("*.ipynb"))}


def test_set_up_cells_are_a_few_hidden_imports():
    """Every notebook's first code cell is at most 15 lines and hidden in the HTML: the helpers
    a chapter needs live in actlib (tested), not on the page."""
    for name, nb in _notebooks().items():
        first = next(c for c in nb.cells if c.cell_type == "code")
        lines = [line for line in first.source.splitlines() if line.strip()]
        assert len(lines) <= 15, f"{name}: set-up cell of {len(lines)} lines"
        assert "hide-input" in first.metadata.get("tags", []), f"{name}: set-up cell not hidden"


def test_no_notebook_defines_a_function_another_defines():
    """A function needed by two notebooks belongs in actlib, once."""
    defined: dict[str, set[str]] = {}
    for name, nb in _notebooks().items():
        for cell in nb.cells:
            if cell.cell_type == "code":
                for fn in re.findall(r"^\s*(?:def|class)\s+(\w+)", cell.source, re.M):
                    defined.setdefault(fn, set()).add(name)
    shared = {fn: sorted(nbs) for fn, nbs in defined.items() if len(nbs) > 1}
    assert not shared, f"defined in more than one notebook: {shared}"


def test_no_activation_expression_is_written_in_a_notebook():
    """The SymPy definitions come from actlib.definitions; a chapter never writes the sigmoid
    1/(1 + exp(-x)) (or tanh's, softplus', ...) again."""
    pattern = re.compile(r"1\s*/\s*\(\s*1\s*\+\s*sp\.exp\(\s*-\s*x\s*\)\s*\)")
    for name, nb in _notebooks().items():
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not pattern.search(cell.source), f"{name} writes the sigmoid's expression"


def test_directive_titles_have_no_backticks():
    """CommonMark forbids a backtick in a backtick fence's info string: ```{exercise} `x` is
    not a directive at all, and the exercise and its solution silently vanish."""
    for name, nb in _notebooks().items():
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                bad = [line for line in cell.source.splitlines() if re.match(r"^```\{[\w:-]+\}.*`", line)]
                assert not bad, f"{name}: {bad}"
