# wampgate: `make up` starts the gateway, `make test` runs every check.
# Both set up what they need first: a virtualenv from pyproject.toml and the
# npm packages from web/package-lock.json.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NPM_STAMP := web/node_modules/.installed

.PHONY: setup up test check lint types jstest pytest chromium rabbitmq postgresql format clean conformance

setup: $(STAMP) $(NPM_STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11+"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

$(NPM_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ and npm"; exit 1; }
	@# `npm ci` refuses this lock file: npm leaves the platform-specific optional
	@# packages of msgpackr/cbor-x out of it. `install --no-save` follows the
	@# lock file's versions and never rewrites it.
	cd web && npm install --no-save --no-audit --no-fund --loglevel=error
	@touch $@

up: setup
	$(BIN)/wampgate up

test: setup chromium rabbitmq postgresql check jstest pytest

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The bridge tests run a private RabbitMQ (never the system service); install it when missing.
rabbitmq:
	@if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then \
		echo "installing Debian's rabbitmq-server for the bridge tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq rabbitmq-server >/dev/null; \
	fi

# The journal tests run a private PostgreSQL cluster; install Debian's server when missing.
postgresql:
	@if [ ! -x /usr/local/bin/initdb ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing Debian's postgresql for the journal tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

check: lint types

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy needs the wampgate.* names; the folders are mapped to them by setuptools,
# so give mypy the same view through symlinks.
types: $(STAMP)
	@mkdir -p .mypy-src/wampgate
	@for d in router components clients contract; do ln -sfn ../../$$d .mypy-src/wampgate/$$d; done
	$(BIN)/mypy -p wampgate.router -p wampgate.components -p wampgate.clients -p wampgate.contract

jstest: $(NPM_STAMP)
	node --test web/test/

pytest: setup
	$(BIN)/pytest

# The Autobahn WebSocket test suite against the echo server (not part of `make test`).
# wstest runs on Python 2.7 only: pyenv's 2.7.18, in a virtualenv built by a
# virtualenv release that still supports 2.7, with the versions pinned that work.
PY27      ?= $(shell pyenv root 2>/dev/null)/versions/2.7.18/bin/python2.7
CONF      := .conformance
CONF_PY27 := $(CONF)/py27
CONF_STAMP := $(CONF)/.installed

$(CONF_STAMP): scripts/conformance-requirements.txt
	@[ -x "$(PY27)" ] || { echo "Python 2.7 not found at $(PY27): set PY27=/path/to/python2.7"; exit 1; }
	$(PYTHON) -m venv $(CONF)/tools
	$(CONF)/tools/bin/pip install --quiet 'virtualenv<20.22'
	$(CONF)/tools/bin/virtualenv --quiet -p $(PY27) $(CONF_PY27)
	$(CONF_PY27)/bin/pip install --quiet --no-deps -r scripts/conformance-requirements.txt
	@touch $@

conformance: setup $(CONF_STAMP)
	$(BIN)/python scripts/conformance.py --wstest $(CONF_PY27)/bin/wstest

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) web/node_modules .mypy-src .mypy_cache .ruff_cache .pytest_cache tests/artifacts $(CONF)
