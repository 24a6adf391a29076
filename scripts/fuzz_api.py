"""Fuzz every operation of `/openapi.json` with schemathesis, as CI does (`.ci/run`).

`python scripts/fuzz_api.py [--max-examples N] [--seed S] [--reports DIR] [--postgres URL]`
builds a SQLite database in a temporary folder (or PostgreSQL databases next to URL), seeds
the demo data (so ids exist) and promotes one demo person to admin. Then, for each of three
identities — unauthenticated, a student and an admin (a correctly signed `initData`, as
Telegram sends it) — it starts the development server on a free loopback port with its own
copy of that database (and a fake Bot API, so invoices and messages work) and runs
`schemathesis run --checks all` against it; the three run at once. Every run must report no
failure: no server error, no answer outside its documented schema, status code or content
type, and no traceback in the server's log.

It prints each run's report, then the requests and failures of each run and their sum, and
exits non-zero on any failure. `--max-examples` bounds the cases per operation, so the CI
step takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.fake_telegram import FakeTelegram  # noqa: E402
from tests.fixtures.services import (  # noqa: E402
    create_postgres_database,
    drop_postgres_database,
)
from webapp.auth import init_data  # noqa: E402

BOT_TOKEN = "123456789:FUZZ-local-token-not-for-telegram"
STUDENT = {"id": 100001, "first_name": "Anna", "username": "anna_demo", "language_code": "en"}
ADMIN = {"id": 100003, "first_name": "Mira", "username": "mira_demo", "language_code": "en"}

# Checks left out, each with its reason. Everything else of `--checks all` runs.
EXCLUDED_CHECKS = {
    # Schema-valid data that a business rule refuses — an event in the past, a draft that
    # is not complete yet, taking your own order, a city that is not in the configured
    # list, a 402 for an empty balance — is a correct 4xx, not a bug; this check expects
    # a 2xx for every schema-valid request.
    "positive_data_acceptance",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(database_url: str, telegram: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUB_", "DATABASE_", "REDIS_", "TELEGRAM_", "ADMIN_"))
    }
    env.update(
        APP_ENV="development",
        FLASK_APP="wsgi.py",
        SECRET_KEY="fuzz-secret-key-that-is-long-enough-0123456789",
        DATABASE_URL=database_url,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_URL=telegram,  # a fake Bot API: invoices are created, messages sent
        WEBAPP_URL="http://127.0.0.1/",
        BOT_DELIVERY="off",
        DEV_RECHARGE="1",
        LOG_LEVEL="ERROR",
    )
    return env


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True)


def seed(env: dict[str, str]) -> None:
    """The schema, the demo data, and one demo person promoted to admin."""
    flask(env, "db", "upgrade")
    flask(env, "demo", "seed")
    flask(env, "users", "role", str(ADMIN["id"]), "admin")


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def tma(user: dict[str, object]) -> str:
    return f"Authorization: tma {init_data.build(BOT_TOKEN, user)}"


def schemathesis(
    name: str, base: str, header: str | None, args: argparse.Namespace, reports: Path
) -> subprocess.Popen:
    """Start one schemathesis run; its output goes to `<name>.log`, its events to NDJSON."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(sorted(EXCLUDED_CHECKS)),
        "--max-examples",
        str(args.max_examples),
        "--workers",
        "1",  # SQLite and the development server: one request at a time per server
        "--request-timeout",
        "20",
        "--suppress-health-check",
        "all",
        "--no-shrink",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(reports / f"{name}.ndjson"),
    ]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    if header:
        command += ["--header", header]
    output = (reports / f"{name}.log").open("w")
    # Run in the reports folder: schemathesis' cache stays out of the repository.
    return subprocess.Popen(command, cwd=reports, stdout=output, stderr=subprocess.STDOUT)


def start_server(name: str, env: dict[str, str], reports: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**env, "WEBAPP_URL": f"http://127.0.0.1:{port}/"}
    log = (reports / f"{name}-server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return server, f"http://127.0.0.1:{port}"


def count_events(path: Path) -> dict[str, int]:
    """Requests sent and failures found, read from schemathesis' NDJSON report."""
    requests = failures = errors = 0
    for line in path.read_text().splitlines():
        event = json.loads(line)
        for kind, body in event.items():
            if kind == "ScenarioFinished":
                recorder = body.get("recorder", {})
                requests += len(recorder.get("interactions", {}))
                for checks in recorder.get("checks", {}).values():
                    failures += sum(1 for check in checks if check.get("status") == "failure")
            elif kind == "NonFatalError":
                errors += 1
    return {"requests": requests, "failures": failures, "errors": errors}


def main() -> int:
    # A stopped run (CI's timeout, Ctrl-C) still stops the servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=5, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", choices=("anonymous", "student", "admin"), action="append")
    parser.add_argument("--reports", type=Path, help="keep the reports and server logs here")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="fuzz on PostgreSQL: a fresh database per identity next to URL (dropped after)",
    )
    args = parser.parse_args()
    identities = {"anonymous": None, "student": tma(STUDENT), "admin": tma(ADMIN)}
    names = [name for name in identities if not args.only or name in args.only]

    with tempfile.TemporaryDirectory(prefix="hub-fuzz-") as tmp:
        folder = Path(tmp)
        reports = args.reports or folder
        reports.mkdir(parents=True, exist_ok=True)
        telegram = FakeTelegram().start()
        if not args.postgres:
            seed(server_environment(f"sqlite:///{folder / 'seed.db'}", telegram.url))
        # Each identity fuzzes its own server and copy of the seeded database, all at once:
        # the admin's deletions do not empty the student's run, and CI waits for one run.
        servers: dict[str, tuple[subprocess.Popen, str]] = {}
        runs: dict[str, subprocess.Popen] = {}
        databases: list[str] = []
        try:
            for name in names:
                if args.postgres:
                    databases.append(create_postgres_database(args.postgres))
                    env = server_environment(databases[-1], telegram.url)
                    seed(env)
                else:
                    shutil.copy(folder / "seed.db", folder / f"{name}.db")
                    env = server_environment(f"sqlite:///{folder / f'{name}.db'}", telegram.url)
                servers[name] = start_server(name, env, reports)
            for name, (server, base) in servers.items():
                wait_for(f"{base}/health", server)
                runs[name] = schemathesis(name, base, identities[name], args, reports)
            exits = {name: run.wait() for name, run in runs.items()}
        finally:
            for run in runs.values():
                if run.poll() is None:
                    run.terminate()
            for server, _base in servers.values():
                server.terminate()
                server.wait(timeout=30)
            telegram.stop()
            for url in databases:
                drop_postgres_database(url)
        results = {}
        for name in names:
            print(f"\n== schemathesis: {name}")
            print((reports / f"{name}.log").read_text(), flush=True)
            counts = count_events(reports / f"{name}.ndjson")
            counts["exit"] = exits[name]
            counts["tracebacks"] = (reports / f"{name}-server.log").read_text().count("Traceback")
            results[name] = counts

    print("== fuzzing summary")
    for name, counts in results.items():
        print(
            f"{name:>9}: {counts['requests']} requests, {counts['failures']} failures, "
            f"{counts['errors']} errors, {counts['tracebacks']} server tracebacks "
            f"(exit {counts['exit']})"
        )
    total = sum(c["requests"] for c in results.values())
    failed = sum(c["failures"] + c["errors"] + c["tracebacks"] for c in results.values())
    print(f"    total: {total} requests, {failed} failures")
    return 0 if failed == 0 and all(c["exit"] == 0 for c in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
