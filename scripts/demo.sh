#!/usr/bin/env bash
# The studio with a demo project, from a fresh clone: .venv, then `codejury demo` (arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_apt bwrap bubblewrap
ensure_venv ""
exec .venv/bin/codejury demo "$@"
