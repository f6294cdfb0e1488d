# The two first commands on a fresh machine: `make run` and `make test`.
# The interpreter of .venv: Debian's python3.11 where the machine has one that can make a venv, else python3.
# Debian builds it with profile-guided and link-time optimisation, which pyenv's default build lacks; the
# sync's page activities take about a sixth less CPU on it (README, "Throughput"). An existing .venv is kept.
PYTHON ?= $(or $(shell for p in /usr/bin/python3.11 python3; do $$p -c 'import ensurepip, sys; \
	sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null && echo $$p && break; done),python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 7071
KEY    ?= castiel-local-key

.PHONY: run test lint typecheck bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(PY) tools/run_local.py --port $(PORT) --key $(KEY)

test: $(VENV)/.installed tools/cosmosdb-server/node_modules/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q

# The local Cosmos DB-compatible server the store contract tests run against (tests/stores).
tools/cosmosdb-server/node_modules/.installed: tools/cosmosdb-server/package-lock.json
	cd tools/cosmosdb-server && npm ci --no-audit --no-fund
	touch $@

lint: $(VENV)/.installed
	$(PY) -m ruff check .

typecheck: $(VENV)/.installed
	$(PY) -m mypy

bench: $(VENV)/.installed
	$(PY) bench/devhost.py
	$(PY) bench/sync.py

clean:
	rm -rf $(VENV) .devhost .data .castiel .pytest_cache .mypy_cache .ruff_cache
