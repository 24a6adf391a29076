#!/usr/bin/env bash
# Create .venv and install the pinned requirements (again only when they change).
# Sourced by scripts/demo.sh and scripts/test.sh; needs nothing but Python 3.11+.
# Says what it does, a line per step and per package, on stderr.
set -euo pipefail
PYTHON_BIN=${PYTHON:-python3}
step() { printf '==> %s\n' "$*" >&2; }
if [ ! -x .venv/bin/python ]; then
  step "creating the virtualenv .venv with $PYTHON_BIN"
  "$PYTHON_BIN" -m venv .venv
fi
stamp=.venv/.requirements-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  step "installing the pinned requirements into .venv (the first time takes a few minutes)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # pip's own lines, one per package, without its progress bars; pip's status is kept.
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off \
    -r requirements-dev.txt \
    | { grep --line-buffered -E '^(Collecting|Installing collected|Successfully installed)' \
        | sed -u -e 's/^Collecting /    collecting /' -e 's/^Installing collected packages: .*/    installing.../' \
        -e 's/^Successfully installed .*/    installed/' >&2 || true; }
  rm -f .venv/.requirements-*
  touch "$stamp"
  step "requirements installed"
fi
