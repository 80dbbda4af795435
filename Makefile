# painrx: two commands. `make demo` shows a worked example; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: fuzz demo test lint typecheck pytest bench-check docs repo-review bench checksums clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m painrx.demo

test: lint typecheck pytest bench-check docs repo-review

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

repo-review: $(STAMP)
	$(BIN)/repo-review . --format json > .repo-review.json
	$(BIN)/python -c "import json, sys; checks = json.load(open('.repo-review.json'))['checks']; \
	failed = sorted(k for k, v in checks.items() if v['result'] is False); \
	print('repo-review:', sum(v['result'] is True for v in checks.values()), 'passed, failed:', failed or 'none'); \
	sys.exit(1 if failed else 0)"

# Performance checks are ratios against baselines timed in the same run (benchmarks/_ratio.py).
# bench-check (in `make test`) asserts generous guards that fail only on real regressions,
# even on a busy shared host; `make bench` asserts the issues' targets (run it on a quiet
# machine) and prints the pytest-benchmark timings. Both end with a table of the ratios.
bench-check: $(STAMP)
	PAINRX_BENCH=guards $(BIN)/pytest benchmarks -q

bench: $(STAMP)
	PAINRX_BENCH=targets $(BIN)/pytest benchmarks --benchmark-enable

checksums: $(STAMP)
	$(BIN)/python tests/update_checksums.py

clean:
	rm -rf $(VENV) site .mypy_cache .ruff_cache .pytest_cache .hypothesis .benchmarks

# The fuzz suite with many more examples and the 10 ms budget per hostile value (issue 19);
# `make test` runs it with a dozen examples and a generous budget.
fuzz: $(STAMP)
	PAINRX_FUZZ_EXAMPLES=300 PAINRX_FUZZ_LIMIT_MS=10 $(BIN)/pytest tests/fuzz -q
