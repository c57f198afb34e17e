# Two commands matter: `make demo` and `make test`. Both work from nothing: they create
# .venv when it is missing and install what requirements*.txt pin before running.
VENV ?= .venv
PORT ?= 5000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint install clean-demo

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	QA_ENV=demo $(PY) -m qa_service demo --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/pytest

clean-demo:
	rm -rf instance/demo
