# Entry points for people and CI. The work is in scripts/ so that it can be read and run alone.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PYTEST_ARGS ?=

.PHONY: help bootstrap test lint typecheck demo stress broker-start broker-stop broker-status

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

bootstrap:  ## venv + editable install (when pyproject changed) + Kafka jars; idempotent
	scripts/bootstrap.sh

test: bootstrap  ## ruff + full pytest against a real broker (PYTEST_ARGS="..." to narrow)
	scripts/test.sh $(PYTEST_ARGS)

lint: bootstrap  ## ruff only
	$(VENV)/bin/ruff check .

typecheck: bootstrap  ## mypy over the packages listed in pyproject
	$(VENV)/bin/mypy

demo: bootstrap  ## the whole pipeline on a simulated estate
	$(VENV)/bin/finops demo

stress: bootstrap  ## 200k findings through the engine
	$(VENV)/bin/python -m tools.stress.stress_engine --n 200000 --workdir .stress --clean

broker-start: bootstrap  ## the dev broker on 127.0.0.1:39092 (stays up)
	$(VENV)/bin/finops broker start

broker-stop:  ## stop the dev broker
	$(VENV)/bin/finops broker stop

broker-status:  ## is the dev broker up?
	$(VENV)/bin/finops broker status
