"""Run every benchmark and write bench/RESULTS.md.

    .venv/bin/python bench/run.py            # all (about 12 minutes)
    .venv/bin/python bench/run.py init_data  # some

Needs PostgreSQL, Redis, wrk (`apt-get install wrk`) and Chromium (`/usr/bin/chromium`,
Debian's package; Playwright from requirements-dev drives it). This script installs nothing.

Benchmarks that need PostgreSQL create and drop their own database on
HUB_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
Figures are ratios measured side by side in one run where the claim is relative.
"""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "RESULTS.md"

from bench.common import Result  # noqa: E402

BENCHMARKS = [
    "lists",
    "takes",
    "soak",
    "market_take",
    "expiry",
    "fanout",
    "init_data",
    "miniapp",
    "problems_eval",
]

NOTES_START = "<!-- notes: kept by bench/run.py, edit freely below -->"


def _command(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not found"


def machine() -> str:
    import sqlalchemy as sa

    from bench.common import postgres_base

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        engine = sa.create_engine(make_url(postgres_base()).set(drivername="postgresql+psycopg"))
        with engine.connect() as conn:
            postgres = conn.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception:
        postgres = "unreachable"
    wrk = _command(["wrk", "-v"]).split(" [")[0]
    chromium = _command(["chromium", "--version"]).split(" built")[0]
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {postgres}, "
        f"{wrk}, {chromium}"
    )


def kept_rows(results: list[Result]) -> list[str]:
    """Rows of the current table whose benchmark this run did not measure (a partial run,
    `bench/run.py miniapp`, leaves the others' last figures in place)."""
    if not RESULTS.exists():
        return []
    measured = {r.benchmark for r in results}
    kept = []
    for line in RESULTS.read_text(encoding="utf-8").split(NOTES_START, 1)[0].splitlines():
        is_row = line.startswith("| ") and not line.startswith(("| benchmark ", "| --- "))
        if is_row and line.split(" | ")[0][2:] not in measured:
            kept.append(line)
    return kept


def render(
    results: list[Result], command: str, elapsed: float, notes: str, partial: bool = False
) -> str:
    kept = kept_rows(results) if partial else []
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    produced = f"Produced by `{command}` on {when} in {elapsed:.0f} s"
    if kept:
        produced += "; the rows of benchmarks it did not run are from earlier runs"
    lines = [
        "# Benchmark results",
        "",
        produced + ".",
        "",
        f"Machine: {machine()}. wrk is Debian's (`apt-get install wrk`); Chromium is "
        "Debian's `/usr/bin/chromium`. Machines are noisy (other jobs share these CPUs): "
        "read the ratios, measured side by side in the same run, rather than absolute figures.",
        "",
        "| benchmark | metric | value | unit | note |",
        "| --- | --- | ---: | --- | --- |",
    ]
    lines.extend(kept)
    for r in results:
        note = str(r.note).replace("|", "\\|")
        lines.append(f"| {r.benchmark} | {r.metric} | {r.value} | {r.unit} | {note} |")
    return "\n".join(lines) + "\n\n" + NOTES_START + "\n" + notes.lstrip("\n")


def kept_notes() -> str:
    """The hand-written notes below the marker in the current RESULTS.md (kept as they are)."""
    if not RESULTS.exists():
        return "\n## Notes\n"
    current = RESULTS.read_text(encoding="utf-8")
    if NOTES_START not in current:
        return "\n## Notes\n"
    return current.split(NOTES_START, 1)[1]


def main(names: list[str]) -> None:
    selected = names or BENCHMARKS
    started = time.perf_counter()
    results: list[Result] = []
    for name in selected:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        try:
            rows = module.run()
        except Exception as exc:  # one failed benchmark must not hide the rest
            message = " ".join(str(exc).split())[:200]
            rows = [Result(name, "FAILED", type(exc).__name__, "", message)]
        for result in rows:
            print(f"   {result.metric}: {result.value} {result.unit} {result.note}", flush=True)
            results.append(result)
    command = ".venv/bin/python bench/run.py" + (" " + " ".join(names) if names else "")
    elapsed = time.perf_counter() - started
    text = render(results, command, elapsed, kept_notes(), partial=bool(names))
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
