# The two commands a newcomer needs: `make run` (the whole system locally) and `make test` (the full suite).
# Prerequisites: Python 3.11+, Node 20+, make. Everything else is installed into .venv and node_modules.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint typecheck pytest synth layer deploy bench openapi events docs clean venv

venv: $(STAMP) $(NODE_STAMP)

# Rebuilt whenever pyproject.toml changes (stale venv) or is missing (fresh machine).
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# The same two import roots the Lambda layer and function assets use, plus the repo root (local/, infra/).
	$(PY) -c 'import sys, sysconfig; open(sysconfig.get_paths()["purelib"] + "/oshi-paths.pth", "w").write("\n".join(sys.argv[1:]) + "\n")' \
		"$(CURDIR)/layers/common" "$(CURDIR)/functions" "$(CURDIR)"
	touch $(STAMP)

$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --silent
	touch $(NODE_STAMP)

## run: the local stack (moto server, HTTP gateway on :8000, event pump, stand-ins, demo data). Ctrl-C or SIGTERM stops it.
run: venv
	$(PY) -m local

## test: lint, type check, unit + integration (moto in-process) + end-to-end (local gateway) + CDK synth tests.
test: venv lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy layers/common/oshi functions infra local

pytest: venv
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" $(VENV)/bin/pytest -n 2 --dist loadgroup --cov=oshi --cov-report=term:skip-covered -q

## synth: `cdk synth` offline (no credentials, no Docker); builds the layer for Lambda first.
synth: venv layer
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk synth --quiet

## layer: the shared layer's wheels for Lambda (arm64, Python 3.12) plus the oshi package, into build/layer.
layer: $(STAMP)
	$(PY) -m infra.build_layer

## deploy: cdk deploy (STAGE=dev|prod). Needs AWS credentials and a bootstrapped account; see docs/deploy.md.
deploy: venv layer
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk deploy --all -c stage=$(or $(STAGE),dev)

bench: venv
	$(PY) -m bench

openapi: $(STAMP)
	$(PY) -m local.openapi > docs/openapi.json

## events: docs/events.md from the event declarations (oshi/events/definitions.py) and the topology.
events: $(STAMP)
	$(PY) -m local.events_doc > docs/events.md

## docs: every generated document (OpenAPI and events).
docs: openapi events

clean:
	rm -rf $(VENV) node_modules build cdk.out .pytest_cache .mypy_cache .ruff_cache
