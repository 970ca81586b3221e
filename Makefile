# ShopDesk: `make run` to set up and run with a demo shop, `make test` to set up and run every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := shopdesk.settings

.PHONY: run test lint bench setup clean

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ShopDesk needs Python 3.11 or newer"' \
	  || { echo "ShopDesk needs Python 3.11 or newer as python3"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Creating the virtual environment failed: install python3-venv (sudo apt-get install -y python3-venv)"; exit 1; }

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)
	@scripts/system-packages.sh run

run: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py analyze_db -v 0
	@$(PY) scripts/serve.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

test: $(STAMP)
	@scripts/system-packages.sh test
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# The bench's production server collects its own static files (bench/floor.py).
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles var/shopdesk.sqlite3*
