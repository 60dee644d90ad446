#!/usr/bin/env bash
# Create .venv, install the app (and, with --test, what the tests need), compile translations.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
else
  .venv/bin/python -m pip install --quiet -e .
fi
scripts/translations.sh --compile >/dev/null
