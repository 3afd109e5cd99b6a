# The two commands of the README: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := False
# Compiled modules (and pytest's rewritten test modules) are cached in __pycache__, as Python does by
# default: an environment that turns this off makes every test process compile the project again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-fast lint bench eval install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# govaudit demo exits 1 when it finds critical problems, which the demo portal has on purpose.
demo: $(STAMP)
	$(BIN)/govaudit demo || [ $$? -eq 1 ]

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The loop while editing: everything but the tests marked slow (the demo portal, a browser, a
# service or child process, several whole audits, stress inputs), spread over the machine's cores
# (pytest-xdist), a test module per worker so its module-wide fixtures are built once.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadscope

# Style and types: ruff and mypy, configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m mypy

bench: $(STAMP)
	$(BIN)/python bench/normalize_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/tuning_bench.py
	$(BIN)/python bench/wording_bench.py
	$(BIN)/python bench/crawl_bench.py
	$(BIN)/python bench/recrawl_bench.py
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/attachment_bench.py
	$(BIN)/python bench/province_bench.py

# How the rules hold on phrasing they were not written against: recall and precision per defect
# class and rule on the default demo portal and two other phrasing styles (bench/detection_eval.py;
# the table goes into BENCHMARKS.md); then deliberate breaks in the rules and parsers, each of which
# must make the tests fail (bench/mutation_smoke.py). Minutes; not part of make test.
eval: $(STAMP)
	$(BIN)/python bench/detection_eval.py --styles 0 1 2
	$(BIN)/python bench/mutation_smoke.py

clean:
	rm -rf var reports_out test-artifacts .pytest_cache
