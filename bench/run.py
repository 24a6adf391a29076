"""Run every benchmark and write bench/RESULTS.md.

    .venv/bin/python bench/run.py            # all
    .venv/bin/python bench/run.py init_data  # some

Benchmarks that need PostgreSQL create and drop their own database on
HUB_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
Figures are ratios measured side by side in one run where the claim is relative.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Result  # noqa: E402

BENCHMARKS = ["init_data"]


def render(results: list[Result], command: str, elapsed: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, in {elapsed:.0f} s.",
        "",
        "| benchmark | metric | value | unit | note |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for r in results:
        lines.append(f"| {r.benchmark} | {r.metric} | {r.value} | {r.unit} | {r.note} |")
    return "\n".join(lines) + "\n"


def main(names: list[str]) -> None:
    selected = names or BENCHMARKS
    started = time.perf_counter()
    results: list[Result] = []
    for name in selected:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        for result in module.run():
            print(f"   {result.metric}: {result.value} {result.unit} {result.note}", flush=True)
            results.append(result)
    command = "python bench/run.py" + (" " + " ".join(names) if names else "")
    (ROOT / "bench" / "RESULTS.md").write_text(
        render(results, command, time.perf_counter() - started), encoding="utf-8"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
