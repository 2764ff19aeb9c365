# One command to run the system, one to test it. Both create .venv and install when needed.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB := web
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PORT ?= 8000

.PHONY: run test test-pg lint install lock migrate seed-demo migrations schema web web-dev node screenshots

## make run: install, build the portal when its sources changed, migrate, seed the demo account (its
## login is printed) and serve the portal on http://localhost:8000/ (`make run PORT=8080` for another
## port; the links in its e-mails follow unless PUBLIC_URL says otherwise)
run: node install web
	$(BIN)/gateway migrate
	$(BIN)/gateway seed-demo
	PUBLIC_URL="$${PUBLIC_URL:-http://localhost:$(PORT)}" $(BIN)/gateway serve --port $(PORT)

## make test: ruff, ruff format --check, mypy, the portal's build (codegen from schema.graphql and the
## TypeScript check: a contract change that breaks a page fails here) and the whole pytest suite (SQLite +
## embedded Redis), the end-to-end tests in Chromium included
test: node lint web
	$(BIN)/pytest -q

## make test-pg: the pytest suite on PostgreSQL and a Redis server (.ci/run starts them first); the
## end-to-end tests run `gateway serve` on its own SQLite and embedded Redis whatever these say, so
## `make test` has run them already
test-pg: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q --ignore=tests/e2e

## make web-dev: the portal's dev server (Vite, hot reload) on :5173, proxying /graphql to a running
## gateway on :8000 (`make run` in another terminal)
web-dev: node $(WEB)/node_modules/.package-lock.json
	cd $(WEB) && npm run dev

## make screenshots: docs/screenshots/{overview,billing,members}.png of the demo account in Chromium
screenshots: node install web
	$(BIN)/python -m tests.e2e.screenshots

# The portal (web/): Node.js 20+; its packages from the lock file when the lock file changed, and a build
# when a source changed. npm ci writes node_modules/.package-lock.json, the stamp of the last install.
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) $(WEB)/index.html \
	$(WEB)/package.json $(WEB)/vite.config.ts $(WEB)/tsconfig.json $(WEB)/codegen.ts schema.graphql
NODE_OK = $(shell node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' 2>/dev/null && echo yes)

web: node $(WEB)/dist/index.html

# One line and a stop when Node.js is missing or older than 20.
node:
	$(if $(NODE_OK),,$(error make $(or $(MAKECMDGOALS),run) needs Node.js 20+ for the portal: https://nodejs.org))

$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json | node
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

$(WEB)/dist/index.html: $(WEB_SOURCES) $(WEB)/node_modules/.package-lock.json | node
	cd $(WEB) && npm run build

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## make lock: requirements.lock anew from pyproject.toml's ranges (the newest versions they admit)
lock:
	rm -rf $(VENV)-lock && python3 -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	{ sed -n '1,2p' requirements.lock; $(VENV)-lock/bin/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf $(VENV)-lock

install: $(STAMP)

$(BIN)/python:
	python3 -m venv $(VENV)

# argon2's C code built for this machine's CPU (AVX2/AVX-512): a verify at the same parameters
# (m=19 MiB, t=2, p=1) takes 8 ms here instead of the portable wheel's 21 ms (bench/RESULTS.md).
# Build on the CPU generation that runs it, or set e.g. ARGON2_CFLAGS="-O3 -march=x86-64-v3".
ARGON2_CFLAGS ?= -O3 -march=native

# Reinstall only when pyproject.toml or the lock changed since the last install: the exact versions of
# requirements.lock, then the project itself.
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	CFLAGS="$(ARGON2_CFLAGS)" $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--no-deps --force-reinstall --no-cache-dir --no-binary argon2-cffi-bindings \
		"$$(grep "^argon2-cffi-bindings==" requirements.lock)" \
		|| echo "argon2-cffi-bindings could not be built here: keeping the portable wheel (slower hashing)"
	touch $(STAMP)

migrate: install
	$(BIN)/gateway migrate

seed-demo: install
	$(BIN)/gateway seed-demo

## make migrations: write a new migration in models/migrations for what changed in the models
migrations: install
	$(BIN)/tortoise -c gateway.cli.TORTOISE_ORM makemigrations

## make schema: write schema.graphql from the code (a test fails when it drifts)
schema: install
	$(BIN)/gateway export-schema > schema.graphql.tmp
	mv schema.graphql.tmp schema.graphql

## make bench: sign-in and query throughput (writes bench/RESULTS.md), then the gateway against its
## HTTP and framework ceilings (appends to it); about 5 minutes
.PHONY: bench
bench: install
	$(BIN)/python -m bench.signin
	$(BIN)/python -m bench.gateway
