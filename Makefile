# Everyday tasks. PYTHON defaults to the active interpreter (a virtualenv with '.[test]' installed).
# `make help` lists the targets.
PYTHON ?= python
# the console scripts (lint-imports) that sit beside that interpreter
BIN := $(dir $(shell command -v $(PYTHON)))
DIGEST ?= $(PYTHON) -m generator
SHOTS ?= /tmp/digest-shots

.PHONY: help install check lint typecheck layers test test-fast site-checks e2e golden sample site serve shots ci clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install:  ## install the project with its test tools, and playwright-core for the browser test
	$(PYTHON) -m pip install -e '.[test]'
	npm ci --silent --ignore-scripts --no-audit --no-fund --prefix tests/e2e

check: lint typecheck layers  ## ruff, mypy and import-linter

lint:  ## ruff check
	$(PYTHON) -m ruff check .

typecheck:  ## mypy on generator/
	$(PYTHON) -m mypy generator

layers:  ## import-linter: the pipeline layering in pyproject.toml
	$(BIN)lint-imports

test:  ## the whole test suite (the README's test command)
	$(PYTHON) -m pytest

test-fast:  ## the suite without the slow site-check and browser tests
	$(PYTHON) -m pytest -m 'not site'

site-checks:  ## build the seeds and the sample and run ../shared/tools/check_all.sh on them, plus the browser test
	$(PYTHON) -m pytest -m site -v

e2e:  ## the browser end-to-end test only
	$(PYTHON) -m pytest tests/test_browser.py -v -s

golden:  ## rebuild tests/golden/site/, the expected output of a small site (review the diff, then commit)
	$(PYTHON) -m tests.golden_site --update

sample:  ## re-ingest the repository's raw/ into content/ (idempotent: existing files are kept)
	$(DIGEST) ingest

site:  ## build site/ from content/ (ingesting raw/ first)
	$(DIGEST) build

serve:  ## build, serve on 127.0.0.1, rebuild on change
	$(DIGEST) serve

shots:  ## screenshots of the seed site (front page, an article; phone/desktop; light/dark) into $(SHOTS)
	$(PYTHON) tests/e2e/screenshots.py --out $(SHOTS)

ci:  ## what CI runs, from scratch (fresh virtualenv, installs, all checks and tests)
	bash .ci/run

clean:  ## remove build output (the site and its spare copy) and caches (the build cache too)
	rm -rf site .site.spare .cache .ci/.venv .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
