# Sourced by run_app.sh and test.sh: makes .venv with the pinned packages (idempotent).
# Usage: . scripts/_setup.sh requirements.txt|requirements-dev.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REQ=${1:-requirements.txt}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  # Debian/Ubuntu packages the project needs from the system (only when missing)
  if command -v apt-get >/dev/null; then
    as_root apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "Please install: $* (no apt-get here)" >&2; return 1
  fi
}

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Stridewise needs Python 3.11 or newer (found: $("$PY" --version 2>&1))." >&2; exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python${ver}-venv" || apt_install python3-venv
    "$PY" -m venv .venv
  fi
fi
stamp=".venv/.installed-$(cat "$REQ" requirements.txt pyproject.toml | sha1sum | cut -c1-12)-$(basename "$REQ")"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$REQ" -e .
  touch "$stamp"
fi
