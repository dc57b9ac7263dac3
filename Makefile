# The two front doors (see README): `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
SYNAPSE_VENV := .venv-synapse
PIP := $(VENV)/bin/pip -q --disable-pip-version-check

.PHONY: demo test lint ensure-postgres ensure-browser benchmarks

# Core dependencies only: the demo runs on SQLite with the console platform and the text tier.
$(VENV)/.core: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

# Everything for the tests. The local CPU build of torch goes in first, so pip never pulls a multi-GB CUDA build.
$(VENV)/.test: pyproject.toml $(VENV)/.core
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[test]'
	touch $@

# Synapse pins many dependencies of its own: it lives in its own environment, the tests start it from there.
$(SYNAPSE_VENV)/.installed:
	$(PYTHON) -m venv $(SYNAPSE_VENV)
	$(SYNAPSE_VENV)/bin/pip -q --disable-pip-version-check install matrix-synapse==1.163.2
	touch $@

# Synapse on PostgreSQL, for `python -m benchmarks.keep_up --synapse-db postgres` only (built against libpq).
$(SYNAPSE_VENV)/.postgres: $(SYNAPSE_VENV)/.installed
	$(SYNAPSE_VENV)/bin/pip -q --disable-pip-version-check install psycopg2==2.9.10
	touch $@

demo: $(VENV)/.core
	$(VENV)/bin/schoolwacht demo

ensure-postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	  echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The review desk's tests drive Debian's chromium through Playwright (never a downloaded browser).
ensure-browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

# Lint first, so that pytest's summary is the last line. Two workers: most tests wait on a real server or process, so
# two share the two cores well; each worker starts its own Synapse, and the tiny ML models are built once (file lock).
test: lint $(SYNAPSE_VENV)/.installed ensure-postgres ensure-browser
	SCHOOLWACHT_SYNAPSE_PYTHON=$(CURDIR)/$(SYNAPSE_VENV)/bin/python $(VENV)/bin/python -m pytest -n 2 --durations=15

benchmarks: $(VENV)/.test $(SYNAPSE_VENV)/.installed
	$(VENV)/bin/python -m benchmarks.detection_eval
	$(VENV)/bin/python -m benchmarks.text_tier_speed
	$(VENV)/bin/python -m benchmarks.ml_tier_speed
	$(VENV)/bin/python -m benchmarks.discord_latency
	SCHOOLWACHT_SYNAPSE_PYTHON=$(CURDIR)/$(SYNAPSE_VENV)/bin/python $(VENV)/bin/python -m benchmarks.matrix_latency
	SCHOOLWACHT_SYNAPSE_PYTHON=$(CURDIR)/$(SYNAPSE_VENV)/bin/python $(VENV)/bin/python -m benchmarks.keep_up
