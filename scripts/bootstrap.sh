#!/usr/bin/env bash
# Create .venv and install the pinned requirements (again only when they change).
# Sourced by scripts/demo.sh and scripts/test.sh; needs nothing but Python 3.11+.
set -euo pipefail
PYTHON_BIN=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON_BIN" -m venv .venv
fi
stamp=.venv/.requirements-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  rm -f .venv/.requirements-*
  touch "$stamp"
fi
