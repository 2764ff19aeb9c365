# One command to run the system, one to test it. Both create .venv and install when needed.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test test-pg lint install migrate seed-demo migrations schema

## make run: install, migrate, seed the demo account (its login is printed) and serve on :8000
run: install
	$(BIN)/gateway migrate
	$(BIN)/gateway seed-demo
	$(BIN)/gateway serve

## make test: ruff, ruff format --check, mypy and the whole pytest suite (SQLite + embedded Redis)
test: lint
	$(BIN)/pytest -q

## make test-pg: the pytest suite on PostgreSQL and a Redis server (.ci/run starts them first)
test-pg: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

install: $(STAMP)

$(BIN)/python:
	python3 -m venv $(VENV)

# argon2's C code built for this machine's CPU (AVX2/AVX-512): a verify at the same parameters
# (m=19 MiB, t=2, p=1) takes 8 ms here instead of the portable wheel's 21 ms (bench/RESULTS.md).
# Build on the CPU generation that runs it, or set e.g. ARGON2_CFLAGS="-O3 -march=x86-64-v3".
ARGON2_CFLAGS ?= -O3 -march=native

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	CFLAGS="$(ARGON2_CFLAGS)" $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--no-deps --force-reinstall --no-cache-dir --no-binary argon2-cffi-bindings argon2-cffi-bindings \
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
