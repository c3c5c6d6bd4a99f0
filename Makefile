# The course's commands. README gives two of them: `make book` and `make test`;
# `make execute` is for authors. Each creates .venv (Python 3.11) and installs the
# pinned stack and actlib when .venv is missing or requirements.txt/pyproject.toml changed.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB ?= $(BIN)/jupyter-book
BOOK_OUT ?= .

# Stored notebook outputs must reproduce: fixed hashing, one thread for BLAS/OpenMP
# (reductions then sum in one order), the inline figure backend, fixed file dates.
DETERMINISM := PYTHONHASHSEED=0 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
	MPLBACKEND=module://matplotlib_inline.backend_inline SOURCE_DATE_EPOCH=0 \
	PYDEVD_DISABLE_FILE_VALIDATION=1

.PHONY: book test execute check-threads benchmarks venv build-book clean

## book: build the HTML book from the stored notebook outputs -> _build/html/index.html
book: venv
	$(MAKE) --no-print-directory build-book

## test: actlib's tests, strict nbval over every notebook in book/, the build and browser tests
# --dist loadfile: a notebook's cells share one kernel, so each file stays in one worker
# (loadgroup would balance better but does not group under pytest 9.2 + xdist 3.8).
test: venv
	$(DETERMINISM) $(BIN)/pytest -n 2 --dist loadfile --nbval --nbval-current-env -ra

## execute: (authors) re-execute every notebook in place, deterministically
execute: venv
	$(DETERMINISM) $(BIN)/python tools/execute_notebooks.py book/*.ipynb

## check-threads: (authors) strict nbval over the given notebooks (default: the experiments) with
## two BLAS/OpenMP and two torch threads, as on a learner's machine: stored outputs must still match
NOTEBOOKS ?= $(wildcard book/experiments*.ipynb)
check-threads: venv
	$(subst =1 ,=2 ,$(DETERMINISM)) ACTLIB_TORCH_THREADS=2 $(BIN)/pytest -p no:cacheprovider --nbval --nbval-current-env -q $(NOTEBOOKS)

## benchmarks: (authors) speed and memory against torch's builtins, printed as ratios; the CSV
## the cost chapter plots (machine, versions and command in its header). Run on an idle machine.
benchmarks: venv
	$(BIN)/python benchmarks/bench_activations.py --sizes 1e6 1e7 --csv book/data/benchmarks-cpu.csv

# The build itself, warnings as errors (-n: nitpicky, every reference must resolve).
# tests/test_book.py runs this target with JB and BOOK_OUT pointing at a temporary dir.
build-book:
	$(JB) build . --all -W -n --keep-going --path-output $(BOOK_OUT)

# (Re)install when the stamp does not match the hash of requirements.txt + pyproject.toml.
venv:
	@want="$$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"; \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
		set -e; \
		echo "Installing the pinned stack and actlib into $(VENV)/ (a few minutes, once)"; \
		[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install -qq -r requirements.txt; \
		$(BIN)/python -m pip install -qq --no-deps -e .; \
		echo "$$want" > $(STAMP); \
	fi

clean:
	rm -rf _build
