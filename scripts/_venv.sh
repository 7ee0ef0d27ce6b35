# Sourced by the other scripts: make .venv inside the checkout and install the project into it.
# Usage: ensure_venv "EXTRAS"   (e.g. "" or "dev,postgres,train")
ensure_venv() {
  local extras="$1" py stamp want
  py=$(command -v python3.11 || command -v python3)
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
  fi
  want="$extras $(sha256sum pyproject.toml | cut -c1-16)"
  stamp=.venv/.codejury-installed
  # Reinstall when pyproject.toml or the extras asked for changed.
  if [ ! -f "$stamp" ] || ! grep -qxF -- "$want" "$stamp"; then
    if [ -n "$extras" ]; then
      .venv/bin/python -m pip install -q -e ".[$extras]"
    else
      .venv/bin/python -m pip install -q -e .
    fi
    echo "$want" >>"$stamp"
  fi
}

ensure_apt() {
  # ensure_apt COMMAND PACKAGE ... : install Debian packages whose command is missing.
  local missing=() cmd pkg
  while [ $# -gt 1 ]; do
    cmd=$1 pkg=$2; shift 2
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
