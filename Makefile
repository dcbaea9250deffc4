# One entry point per job. `make demo` and `make test` work as the first command
# on a fresh machine: they create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: help demo test lint typecheck format run worker migrate clean bench

help:
	@echo "make demo    - set up everything and serve the demo study on 127.0.0.1:8000"
	@echo "make test    - lint, then the whole test suite with a coverage report"
	@echo "make run     - the development server"
	@echo "make worker  - a Celery worker on the gpu and cpu queues (needs CELERY_BROKER_URL)"
	@echo "make lint    - ruff check, ruff format --check and the type checker (mypy)"
	@echo "make typecheck - mypy alone (configured in pyproject.toml)"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Coverage of srmodels and study. Its floor (pyproject.toml, fail_under) is the whole
# suite's: a run narrowed with PYTEST_ARGS prints the report without failing on it.
COVERAGE = --cov --cov-report=term-missing:skip-covered $(if $(PYTEST_ARGS),--cov-fail-under=0)

test: lint
	$(BIN)/python -m pytest $(COVERAGE) $(PYTEST_ARGS)

migrate: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

# The links the site prints (commands, admin) follow the port unless SITE_URL says otherwise.
LOCAL_SITE = SITE_URL=$${SITE_URL:-http://127.0.0.1:$${PORT:-8000}}

run: migrate
	$(LOCAL_SITE) DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$${PORT:-8000}

worker: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A study worker -Q gpu,cpu --loglevel INFO

demo: $(STAMP)
	$(LOCAL_SITE) DEBUG=$${DEBUG:-1} $(BIN)/python manage.py demo --serve --port $${PORT:-8000}

bench: $(STAMP)
	for script in bench/[!_]*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .coverage .coverage.* .test-db.sqlite3* test-artifacts
