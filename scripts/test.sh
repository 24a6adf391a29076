#!/usr/bin/env bash
# The whole test suite: `bash scripts/test.sh [pytest args]`.
# SQLite and in-process jobs by default; tests that need a real PostgreSQL, Redis or
# Chromium use them when present (and fail under CI=true when they are not).
# HUB_TEST_DATABASE_URL / HUB_TEST_REDIS_URL run the whole suite on real services.
# The tests run in HUB_TEST_WORKERS processes (default 2, pytest-xdist), spread one by one
# (`--dist loadgroup`: no long file left alone on one process at the end); a module's tests
# that share a module-scoped fixture (a loaded database) stay on one process
# (tests/conftest.py groups them); each process has its own database, Redis keys and
# Chromium. Two on two cores: three were slower here, one after the other on an idle
# machine (SQLite: 226 s with two, 247 s with three). Each worker's concurrency tests use
# at most 8 PostgreSQL connections (tests/fixtures/services.py), so keep workers × 8 well
# under what the server has free. HUB_TEST_WORKERS=0 runs in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
workers="${HUB_TEST_WORKERS:-2}"
parallel=()
if [ "$workers" != "0" ]; then
  parallel=(-n "$workers" --dist loadgroup)
fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider "${parallel[@]}" "$@"
