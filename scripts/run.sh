#!/usr/bin/env bash
# Set up and start the app on http://127.0.0.1:5000 (database in ./instance).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export WEBAPP_INSTANCE="${WEBAPP_INSTANCE:-$PWD/instance}"
exec .venv/bin/flask --app webapp run --host 127.0.0.1 --port 5000 "$@"
