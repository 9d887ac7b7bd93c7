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
exec .venv/bin/python -m streamlit run app.py "${address[@]}" "$@"
