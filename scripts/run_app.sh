#!/usr/bin/env bash
# Installs Stridewise into .venv (first run only) and starts the app on http://localhost:8501.
# The first start imports the demo squad. Extra arguments go to `streamlit run`.
# The server listens on 127.0.0.1 only (this computer) unless told otherwise: set
# STRIDEWISE_HOST (e.g. 0.0.0.0 behind a club's reverse proxy) or pass --server.address.
# Serving other computers without a login exposes every athlete's data: with another address
# set STRIDEWISE_AUTH=local or oidc (club mode).
set -euo pipefail
. "$(dirname "$0")/_setup.sh" requirements.txt
address=()
case " $* " in
  *" --server.address"*) ;;
  *) address=(--server.address "${STRIDEWISE_HOST:-127.0.0.1}") ;;
esac
# the library's bytecode, written once (unchanged files are skipped): a new server process then
# imports it without compiling, even where PYTHONDONTWRITEBYTECODE is set
.venv/bin/python -m compileall -q src >/dev/null || true
exec .venv/bin/python -m streamlit run app.py "${address[@]}" "$@"
