#!/usr/bin/env bash
# Start the production set-up on this machine: Debian's nginx (installed when missing) in front
# of gunicorn, as deploy/ describes, on http://127.0.0.1:8080 in the foreground; Ctrl-C stops
# both. Options go to deploy/local.py: --port N, --workers N, --folder DIR (keep the files and
# logs there; default a temporary folder), --instance DIR (default: $WEBAPP_INSTANCE, else a
# new one in that folder).
# WEBAPP_BASE_URL and WEBAPP_TRUSTED_HOSTS are passed on (default: this address, 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's nginx-light…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q nginx-light >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q nginx-light >/dev/null; }
fi
exec .venv/bin/python deploy/local.py "$@"
