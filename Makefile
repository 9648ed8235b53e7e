# fedihub: `make run` starts a local node on SQLite, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# parallel test processes (pytest-xdist); 2 suits a 2-core machine
JOBS ?= 2

.PHONY: run test fuzz system-packages lint fmt check migrate makemigrations messages bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "fedihub needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	@if [ ! -f data/fedihub.toml ]; then \
		FEDIHUB_SCHEME=http $(BIN)/fedihub init --domain localhost:$(PORT) && \
		$(BIN)/fedihub user create admin --email admin@localhost.localdomain --admin; \
	fi
	$(BIN)/fedihub migrate
	$(BIN)/fedihub serve --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.test-installed system-packages
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

# the fuzz tests (tests/fuzz) with Hypothesis's long profile: FUZZ_EXAMPLES inputs per target
# (`make test` runs them short); the statistics say how many each target tried and for how long
FUZZ_EXAMPLES ?= 20000
fuzz: $(VENV)/.test-installed
	FEDIHUB_FUZZ=long FEDIHUB_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n $(JOBS) \
		--hypothesis-show-statistics tests/fuzz $(PYTEST_ARGS)

# the two-host cluster test (tests/cluster) puts HAProxy in front of its hosts, and the browser
# tests (tests/browser) drive Chromium: both installed from Debian's packages when we are root
# there (Playwright never downloads a browser); elsewhere those tests say why they skip
system-packages:
	@command -v haproxy >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null) \
				|| echo "could not install haproxy: tests/cluster will be skipped"; \
		else echo "haproxy is missing and cannot be installed here: tests/cluster will be skipped"; fi; }
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
				|| echo "could not install chromium: tests/browser will be skipped"; \
		else echo "chromium is missing and cannot be installed here: tests/browser will be skipped"; fi; }

# after changing a page's or a message's English text: extract every message into the template
# catalogue and merge it into each language's .po (then translate the new entries, and check them
# in; tests/web/test_translations.py fails on a message without its Chinese)
messages: $(VENV)/.run-installed
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k translate -k N_ \
		-o fedihub/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i fedihub/translations/messages.pot \
		-d fedihub/translations -l zh

# after changing fedihub/models: write the next migration (then check it in)
makemigrations: $(VENV)/.run-installed
	$(BIN)/python -m tortoise -c fedihub.db.MAKEMIGRATIONS_CONFIG makemigrations --name $(NAME)
	@# tortoise's writer drops generated=False from our snowflake primary keys; put it back
	sed -i 's/fields.BigIntField(primary_key=True, default=new_id/fields.BigIntField(primary_key=True, generated=False, default=new_id/' fedihub/migrations/0*.py

migrate: $(VENV)/.run-installed
	$(BIN)/fedihub migrate

$(VENV)/.lint-installed: pyproject.toml | $(VENV)/.test-installed
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $@

# what CI runs before the tests: ruff's checks and formatting, and strict mypy on fedihub/
lint: $(VENV)/.lint-installed
	$(BIN)/ruff check fedihub tests benchmarks
	$(BIN)/ruff format --check fedihub tests benchmarks
	$(BIN)/mypy fedihub

fmt: $(VENV)/.lint-installed
	$(BIN)/ruff format fedihub tests benchmarks
	$(BIN)/ruff check --fix fedihub tests benchmarks

check: lint test

bench: $(VENV)/.test-installed
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run_all --results bench-results.jsonl

clean:
	rm -rf $(VENV) build dist *.egg-info
