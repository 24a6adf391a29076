#!/usr/bin/env bash
# Run Hub locally with demo data: `bash scripts/demo.sh`, then open a printed link.
# SQLite under instance/, no Redis (background work in-process), a local demo bot token,
# the development recharge on. Nothing else to install.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
export FLASK_APP=wsgi.py
export TELEGRAM_BOT_TOKEN=${TELEGRAM_BOT_TOKEN:-123456789:DEMO-local-token-not-for-telegram}
export TELEGRAM_WEBAPP_JS_URL=${TELEGRAM_WEBAPP_JS_URL:-/static/vendor/telegram-web-app-8.0.2.js}
export DEV_RECHARGE=${DEV_RECHARGE:-1}
export ADMIN_USERNAME=${ADMIN_USERNAME:-admin}
export ADMIN_PASSWORD=${ADMIN_PASSWORD:-demo-admin-password}
PORT=${PORT:-5000}
export WEBAPP_URL=${WEBAPP_URL:-http://localhost:$PORT/}
step "database: applying migrations (SQLite under instance/)"
.venv/bin/flask db upgrade
step "demo data: people, tasks, events, tickets, problems, urgent jobs"
# The seed queues bot messages; the server's outbox sweep delivers them, not this command
# (it would otherwise wait for Telegram before exiting).
BOT_DELIVERY=off .venv/bin/flask demo seed
step "open the Mini App as a demo person (links work in a browser on this machine):"
.venv/bin/flask demo links --base-url "$WEBAPP_URL"
step "admin dashboard: ${WEBAPP_URL}admin ($ADMIN_USERNAME / $ADMIN_PASSWORD)"
step "serving on $WEBAPP_URL (Ctrl+C stops)"
exec .venv/bin/flask run --host 127.0.0.1 --port "$PORT"
