# Two commands matter: `make demo` and `make test`. Both work from nothing: they create
# .venv when it is missing and install the hashed locks (requirements*.txt) before running.
VENV ?= .venv
PORT ?= 5000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Parallel test processes; `make test WORKERS=0` runs the suite in one process.
WORKERS ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1
LOCK_FLAGS := --quiet --python-version 3.11 --generate-hashes --custom-compile-command "make lock"

.PHONY: demo test lint install lock lock-check clean-demo

$(PY):
	python3 -m venv $(VENV)

# Every distribution comes from the lock, checked against its hash. The package itself is
# installed editable without build isolation: its build backend (setuptools) is in the lock.
$(STAMP): $(PY) requirements.txt requirements-dev.txt pyproject.toml
	$(PY) -m pip install -q --require-hashes -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Upgrading a dependency: edit requirements*.in (or `make lock UPGRADE="--upgrade-package NAME"`).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) $(UPGRADE) requirements.in -o requirements.txt
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) $(UPGRADE) requirements-dev.in -o requirements-dev.txt

# The locks say what the inputs ask for: compiling again from them changes nothing.
lock-check: $(STAMP)
	@tmp=$$(mktemp -d) && cp requirements.txt requirements-dev.txt requirements.in requirements-dev.in "$$tmp"/ \
	 && cd "$$tmp" && $(CURDIR)/$(VENV)/bin/uv pip compile $(LOCK_FLAGS) requirements.in -o requirements.txt \
	 && $(CURDIR)/$(VENV)/bin/uv pip compile $(LOCK_FLAGS) requirements-dev.in -o requirements-dev.txt \
	 && cd $(CURDIR) && diff -u requirements.txt "$$tmp/requirements.txt" && diff -u requirements-dev.txt "$$tmp/requirements-dev.txt" \
	 && echo "lock-check: the locks match requirements*.in" \
	 || { echo "lock-check: requirements*.txt do not match requirements*.in: run 'make lock'"; exit 1; }

demo: $(STAMP)
	QA_ENV=demo $(PY) -m qa_service demo --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/pytest --numprocesses=$(WORKERS) --durations=15

clean-demo:
	rm -rf instance/demo
