#!/usr/bin/env bash
# Installs everything the test suite needs and runs it: Python packages into .venv, and from
# Debian's packages Chromium (end-to-end tests) and PostgreSQL (store tests) when missing.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/unit -q`).
set -euo pipefail
. "$(dirname "$0")/_setup.sh" requirements-dev.txt

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# the digest PDF draws names in any script with DejaVu Sans
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing from Debian: ${need[*]}"
  apt_install "${need[@]}" || echo "Could not install ${need[*]}; the tests that need them will say so." >&2
fi

set +e
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
code=$?
set -e
if [ "$code" = 5 ]; then
  echo "pytest collected no tests: that is a failure for Stridewise." >&2
  exit 1
fi
exit "$code"
