#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages, .venv, lint, types, tests
# (database tests on SQLite and again on PostgreSQL; browser tests in Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh

ensure_apt bwrap bubblewrap chromium chromium g++ g++ node nodejs
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  # A local cluster that is installed but stopped: start it.
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
ensure_venv "dev,postgres,train"

echo "== ruff"
.venv/bin/ruff check src tests bench scripts
.venv/bin/ruff format --check src tests bench scripts
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec .venv/bin/pytest "$@"
