# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create .venv with a Python >= 3.12 found by scripts/find-python
# (override with `make PYTHON=/path/to/python`) and install the exact
# versions of requirements/lock-*.txt, then chainsim itself (--no-deps).

VENV      := .venv
BIN       := $(VENV)/bin
OUT       ?= results/demo
REPS      ?= 30
WORKERS   ?= 2
LOCK_CORE := requirements/lock-core.txt
LOCK_DEV  := requirements/lock-dev.txt

# `make lock` regenerates the lock files with uv in a throwaway virtual
# environment (never .venv). It keeps the pinned versions that still satisfy
# pyproject.toml; `make lock UPGRADE=1` moves every pin to the newest release.
# The locks are universal: one file for Python 3.12 and 3.13, every platform.
UV_VERSION := 0.13.8
LOCK_VENV  := $(or $(TMPDIR),/tmp)/chainsim-lock-venv
UV_COMPILE := $(LOCK_VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.12 \
              --custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade)

.PHONY: demo test benchmark lock clean

demo: $(VENV)/.installed
	$(BIN)/chainsim run --replications $(REPS) --workers $(WORKERS) --out $(OUT) --overwrite

test: $(VENV)/.installed-dev
	CHAINSIM_QUICK=1 $(BIN)/python -m pytest

benchmark: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_run.py

$(VENV)/.python:
	@interp=$$(PYTHON="$(PYTHON)" scripts/find-python) || exit 1; \
	echo "using $$interp"; \
	"$$interp" -m venv $(VENV) && touch $@

$(VENV)/.installed: $(VENV)/.python pyproject.toml $(LOCK_CORE)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK_CORE)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The dev lock pins every package of the core lock at the same version, so a
# dev environment also serves `make demo`.
$(VENV)/.installed-dev: $(VENV)/.python pyproject.toml $(LOCK_CORE) $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --no-deps -e ".[dev]"
	touch $@ $(VENV)/.installed

lock:
	@interp=$$(PYTHON="$(PYTHON)" scripts/find-python) || exit 1; \
	rm -rf "$(LOCK_VENV)" && "$$interp" -m venv "$(LOCK_VENV)"
	$(LOCK_VENV)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV_COMPILE) --extra dev -o $(LOCK_DEV)
	$(UV_COMPILE) -c $(LOCK_DEV) -o $(LOCK_CORE)
	rm -rf "$(LOCK_VENV)"

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
