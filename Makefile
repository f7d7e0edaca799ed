# Two commands do all the set-up: `make run` and `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
comma  := ,
# Links in emails point at the port the app is served on, unless CONCORD_BASE_URL says otherwise.
export CONCORD_BASE_URL ?= http://localhost:$(PORT)
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
export CONCORD_INSTANCE ?= $(CURDIR)/instance
FLASK  := $(BIN)/flask --app core.app:create_app

.PHONY: run test lint install assets browser clean bench

run: install assets
	$(FLASK) db upgrade
	$(FLASK) concord seed-demo
	$(FLASK) concord run --port $(PORT)

test: install assets browser tests/oidc/node_modules/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	$(MAKE) lint
	@# pytest exits 5 when it collected no tests: report it, do not fail on it.
	$(BIN)/pytest $(PYTEST_ARGS) || { status=$$?; [ $$status -eq 5 ] && echo "pytest collected no tests" || exit $$status; }

# Lint (ruff) and type-check core (mypy, untyped bodies too); `make test` runs this before pytest.
lint:
	$(BIN)/ruff check .
	$(BIN)/mypy

install: $(VENV)/.installed

# Every benchmark in bench/ on PostgreSQL (127.0.0.1:5432) and a redis-server of its own;
# one line per figure, last. BENCH=submission,pages runs only those.
bench: install $(VENV)/.bench-installed
	$(BIN)/python bench/run.py $(subst $(comma), ,$(BENCH))

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@

$(VENV)/.installed: pyproject.toml $(addsuffix /pyproject.toml,$(PLUGIN_DIRS))
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e . $(addprefix -e ,$(PLUGIN_DIRS))
	touch $@

# Browser tests use Debian's Chromium, never a test tool's own browser download.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "Debian's chromium/chromium-driver are not installed: browser tests will be skipped"

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# A real OpenID Connect provider for the sign-in tests, pinned by its lockfile.
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) node_modules instance
