# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create .venv with a Python >= 3.12 found by scripts/find-python
# (override with `make PYTHON=/path/to/python`).

VENV      := .venv
BIN       := $(VENV)/bin
OUT       ?= results/demo
REPS      ?= 30
WORKERS   ?= 2

.PHONY: demo test benchmark clean

demo: $(VENV)/.installed
	$(BIN)/chainsim run --replications $(REPS) --workers $(WORKERS) --out $(OUT)

test: $(VENV)/.installed-dev
	CHAINSIM_QUICK=1 $(BIN)/python -m pytest

benchmark: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_run.py

$(VENV)/.python:
	@interp=$$(PYTHON="$(PYTHON)" scripts/find-python) || exit 1; \
	echo "using $$interp"; \
	"$$interp" -m venv $(VENV) && touch $@

$(VENV)/.installed: $(VENV)/.python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
