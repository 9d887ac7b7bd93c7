#!/usr/bin/env bash
# Installs Stridewise into .venv (first run only) and starts the app on http://localhost:8501.
# The first start imports the demo squad. Extra arguments go to `streamlit run`.
set -euo pipefail
. "$(dirname "$0")/_setup.sh" requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
