# The newcomer's map: one target per thing a person wants to do.
# MNIST: set LABUTILS_DATA_ROOT=/folder/holding/MNIST (offline), or let torchvision download it.

SHELL   := /bin/bash
.SHELLFLAGS := -eo pipefail -c
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV    ?= .venv
PY      := $(VENV)/bin/python
PYTHON  ?= python3
STAMP   := $(VENV)/.installed
JB      := $(VENV)/bin/jupyter-book

.PHONY: help setup browser course notebooks smoke book test test-fast bench lint clean

help:            ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with everything the course and its tests need

browser:         ## install Debian's chromium for the browser test, when missing
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "installing chromium (apt-get)"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

course: setup    ## run every notebook with the report's settings, then build the site
	$(PY) -m labutils.runner --mode full
	$(MAKE) --no-print-directory book
	@echo "Open the course: file://$(CURDIR)/_build/html/index.html"

notebooks: setup ## run every notebook with the report's settings (into book/notebooks)
	$(PY) -m labutils.runner --mode full

smoke: setup     ## quick run of every notebook (2000 images, 1 epoch) into build/smoke
	$(PY) -m labutils.runner --mode smoke

book: setup      ## render the site from the executed notebooks (fails on any warning)
	$(JB) build book/ -W --keep-going

test: setup browser  ## all tests: unit, notebooks, nbval, book build, browser
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: setup ## unit tests only (no notebooks, no book)
	$(PY) -m pytest -m "not slow"

bench: setup     ## speed of labutils' loop vs the report's recipe; updates the reproduce page
	mkdir -p build
	$(PY) benchmarks/bench_training.py | tee build/benchmark-output.txt
	mv build/benchmark-output.txt book/benchmark-output.txt

lint: setup      ## ruff
	$(VENV)/bin/ruff check labutils tests benchmarks book/_ext

clean:           ## remove generated files (not the committed notebooks and records)
	rm -rf _build build .pytest_cache
