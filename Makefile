# Two commands do all the set-up: `make run` and `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
export CONCORD_INSTANCE ?= $(CURDIR)/instance
FLASK  := $(BIN)/flask --app core.app:create_app

.PHONY: run test install assets clean

run: install assets
	$(FLASK) db upgrade
	$(FLASK) concord seed-demo
	$(FLASK) run --port $(PORT)

test: install assets
	$(BIN)/python -m pip install -q -e '.[test]'
	@# pytest exits 5 when it collected no tests: report it, do not fail on it.
	$(BIN)/pytest $(PYTEST_ARGS) || { status=$$?; [ $$status -eq 5 ] && echo "pytest collected no tests" || exit $$status; }

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(addsuffix /pyproject.toml,$(PLUGIN_DIRS))
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e . $(addprefix -e ,$(PLUGIN_DIRS))
	touch $@

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) node_modules instance
