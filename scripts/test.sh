#!/usr/bin/env bash
# The whole test suite: `bash scripts/test.sh [pytest args]`.
# SQLite and in-process jobs by default; tests that need a real PostgreSQL, Redis or
# Chromium use them when present (and fail under CI=true when they are not).
# HUB_TEST_DATABASE_URL / HUB_TEST_REDIS_URL run the whole suite on real services.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
