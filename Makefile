# The two commands a newcomer needs: `make run` (the whole system locally) and `make test` (the full suite).
# Prerequisites: Python 3.11+, Node 20+, make. Everything else is installed into .venv and node_modules.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint typecheck pytest synth layer deploy bench openapi events docs clean venv web web-test web-client chromium console console-test
CHROMIUM_PATH ?= /usr/bin/chromium
NPM_ENV := NEXT_TELEMETRY_DISABLED=1
WEB_OUT := web/fan/out/index.html
# The fan app is rebuilt when any of its sources, the shared package, the API types or the lock change.
WEB_SOURCES := $(shell find web/fan/src web/shared/src -type f 2>/dev/null) web/fan/next.config.ts web/fan/package.json web/shared/package.json package-lock.json
CONSOLE_OUT := web/console/out/index.html
CONSOLE_SOURCES := $(shell find web/console/src web/shared/src -type f 2>/dev/null) web/console/next.config.ts web/console/package.json web/shared/package.json package-lock.json

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

# npm ci: exactly the versions pinned in package-lock.json (the CDK CLI and the web workspaces).
$(NODE_STAMP): package.json package-lock.json web/shared/package.json web/fan/package.json web/console/package.json
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

## run: the fan app and the console (built first if stale) and the local stack (moto server, HTTP gateway
## + app on :8000, the console on 127.0.0.1:8001, event pump, stand-ins, demo data). Open
## http://localhost:8000/ (fans) and http://127.0.0.1:8001/ (VTubers, admins). Ctrl-C or SIGTERM stops it.
run: venv web console
	@echo "App: http://localhost:$${PORT:-8000}/  Console: http://127.0.0.1:$${CONSOLE_PORT:-8001}/  (starting the local stack...)"
	$(PY) -m local

## web: the fan app's static export in web/fan/out (skipped when up to date).
web: $(WEB_OUT)

$(WEB_OUT): $(NODE_STAMP) $(WEB_SOURCES)
	cd web/fan && $(NPM_ENV) npx next build
	# Per-page CSP <meta> with the SHA-256 of each inline script (the browser tests then prove hydration).
	if [ -f tools/csp_hashes.py ]; then $(PY) tools/csp_hashes.py web/fan/out; fi
	touch $(WEB_OUT)

## console: the console's static export in web/console/out (VTuber studio + admin; its own origin).
console: $(CONSOLE_OUT)

$(CONSOLE_OUT): $(NODE_STAMP) $(CONSOLE_SOURCES)
	cd web/console && $(NPM_ENV) npx next build
	if [ -f tools/csp_hashes.py ]; then $(PY) tools/csp_hashes.py web/console/out; fi
	touch $(CONSOLE_OUT)

## web-client: regenerate the typed API client (web/shared/src/api.d.ts) from docs/openapi.json.
web-client: $(NODE_STAMP)
	npm run generate -w web/shared

## chromium: the system browser Playwright drives (CI is root on a clean Debian machine).
chromium:
	@test -x $(CHROMIUM_PATH) || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)

## web-test: type check, lint, unit tests, build, then Playwright against the real local stack.
web-test: venv chromium
	npx tsc --noEmit -p web/shared
	cd web/fan && npx tsc --noEmit -p .
	cd web/fan && npx eslint --max-warnings 0 .
	npx vitest run --root web/shared
	npx vitest run --root web/fan --passWithNoTests
	$(MAKE) web
	cd web/fan && CHROMIUM_PATH=$(CHROMIUM_PATH) $(NPM_ENV) npx playwright test
	$(MAKE) console-test

## console-test: the console's type check, lint, unit tests, build, then its Playwright story (desktop).
console-test: venv chromium
	cd web/console && npx tsc --noEmit -p .
	cd web/console && npx eslint --max-warnings 0 .
	npx vitest run --root web/console
	# The story also opens the fan app's gacha page (its disclosure must equal the editor's preview).
	$(MAKE) web console
	cd web/console && CHROMIUM_PATH=$(CHROMIUM_PATH) $(NPM_ENV) npx playwright test

## test: lint, type check, unit + integration (moto in-process) + end-to-end (local gateway) + CDK synth
## tests, then the web app's checks and browser tests.
test: venv lint typecheck pytest web-test

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy layers/common/oshi functions infra local

# The fan app's export first: the bench smoke test measures it and the gateway tests serve it.
pytest: venv web
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
	$(PY) -m local.request_bodies

## events: docs/events.md from the event declarations (oshi/events/definitions.py) and the topology.
events: $(STAMP)
	$(PY) -m local.events_doc > docs/events.md

## docs: every generated document (OpenAPI and events).
docs: openapi events

clean:
	rm -rf $(VENV) node_modules build cdk.out .pytest_cache .mypy_cache .ruff_cache web/fan/out web/fan/.next web/console/out web/console/.next
