# The tasks the README names. Each is one script or one tool; `make help` lists them.
.PHONY: help run test ci lint format typecheck translations serve-prod bench fuzz

help:  ## this list
	@grep -E "^[a-z-]+:.*## " $(MAKEFILE_LIST) | sed -E "s/:.*## /\t/"

run:  ## set up and start the app on http://127.0.0.1:5000
	scripts/run.sh

test:  ## set up everything and run the whole suite, browser tests included (what CI runs)
	scripts/test.sh

ci:  ## the CI job: the whole suite, failing on any skipped test
	.ci/run

lint:  ## ruff: lint and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:  ## ruff: fix what can be fixed, and format
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

typecheck:  ## mypy over webapp/ (0 errors)
	.venv/bin/mypy

translations:  ## extract, update, check and compile the catalogues
	scripts/translations.sh

serve-prod:  ## the production set-up on this machine: nginx in front of gunicorn, port 8080
	scripts/serve-prod.sh --port 8080

bench:  ## speed: the app against a Flask hello world and nginx (benchmarks/RESULTS.md)
	.venv/bin/python benchmarks/run.py

fuzz:  ## 14,000 bad requests against the app under gunicorn; fails on any 5xx
	.venv/bin/python benchmarks/fuzz.py
