# Saga Lab. `make help` lists the targets.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help setup setup-scale setup-test browser redis postgres nginx services run test test-fast \
	test-js lint lint-check bench bench-live bench-store bench-dashboard bench-replay bench-experiments \
	bench-crowd bench-class clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-scale: requirements-scale.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-scale.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed-scale
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

## setup: create .venv, install what serving needs (requirements.txt) and the npm packages
setup: $(VENV)/.installed node_modules/.installed

## setup-scale: setup, plus Redis's and PostgreSQL's clients (requirements-scale.txt)
setup-scale: setup $(VENV)/.installed-scale

## setup-test: setup-scale, plus the test and lint tools (requirements-test.txt)
setup-test: setup-scale $(VENV)/.installed-test

## browser: install Debian's chromium for the browser tests (needs root)
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## redis: install Debian's redis-server for the multi-process tests (needs root)
redis:
	@command -v redis-server >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

## postgres: install Debian's postgresql for the store and deployment tests (needs root)
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

## nginx: install Debian's nginx for the reverse-proxy test (needs root)
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx)

## services: chromium, redis-server, postgresql and nginx, those missing in one apt-get (needs root;
## the tests start their own servers)
services:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
		|| missing="$$missing postgresql"; \
	command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

## run: set up and start the app on http://$(HOST):$(PORT) (SQLite in instance/)
run: setup
	$(BIN)/python -m app --host $(HOST) --port $(PORT)

## test: set up everything (chromium, redis-server, postgresql, nginx too) and run every test
test: setup-test services lint-check test-js
	$(BIN)/python -m pytest -q

## test-js: the page's logic that needs no browser, under `node --test` (tests/js/)
test-js: setup-test
	PYTHON=$(BIN)/python node --import ./tests/js/register.mjs --test tests/js/*.test.mjs

## test-fast: the test suite without the browser tests
test-fast: setup-test services
	$(BIN)/python -m pytest -q -m "not browser"

## lint: format with ruff, then ruff's checks
lint: setup-test
	$(BIN)/ruff format .
	$(BIN)/ruff check .

lint-check: setup-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

## bench: simulation throughput against the tutorial's own code (100,000 bookings)
bench: setup-test
	$(BIN)/python -m bench.simulation

## bench-live: first-load bytes; 100/300 viewers on one process; 300/1,000 on two behind Redis;
## 300 on two "machines" (PostgreSQL, Redis) behind nginx
bench-live: setup-test browser redis postgres nginx
	$(BIN)/python -m bench.first_load
	$(BIN)/python -m bench.fanout --big-bookings 0
	$(BIN)/python -m bench.fanout --server gevent --instant-bookings 0
	$(BIN)/python -m bench.fanout --server gevent --processes 2 --viewers 300 1000 \
		--instant-bookings 0 --big-bookings 0
	$(BIN)/python -m bench.fanout --server gevent --proxy --viewers 300 \
		--instant-bookings 0 --big-bookings 0

## bench-store: the store on SQLite and on PostgreSQL: appends, reads, a history page, a delete
bench-store: setup-test postgres
	$(BIN)/python -m bench.store

## bench-class: a class of 300 students joins and votes: one process on SQLite, on PostgreSQL,
## and two "machines" (PostgreSQL, Redis) behind nginx
bench-class: setup-test redis postgres nginx
	$(BIN)/python -m bench.class_votes --server gevent
	$(BIN)/python -m bench.class_votes --server gevent --postgres
	$(BIN)/python -m bench.class_votes --server gevent --proxy

## bench-crowd: 500 viewers join one live run at once: join acks, /healthz p50/p95, tracebacks
## (`python -m app`, then gunicorn with gevent as README serves it)
bench-crowd: setup-test
	$(BIN)/python -m bench.crowd
	$(BIN)/python -m bench.crowd --server gevent

## bench-dashboard: the page catching up on 1,000 sagas at instant speed (chromium)
bench-dashboard: setup-test browser
	$(BIN)/python -m bench.dashboard

## bench-replay: seek latency and export time on a 10,000-booking stored run (chromium)
bench-replay: setup-test browser
	$(BIN)/python -m bench.replay

## bench-experiments: 20 points x 100 replications x 100 bookings, 1 worker vs all
bench-experiments: setup-test
	$(BIN)/python -m bench.experiments

## clean: remove the virtualenv, npm packages and caches
clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis
