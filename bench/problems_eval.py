"""Prediction quality of the problems model (SPEC §8): AUC and log-loss vs. the baseline.

    python bench/problems_eval.py            # prints the table
    python bench/problems_eval.py --write    # also replaces "## Problems model" in RESULTS.md

The same function as `flask problems evaluate` (`webapp.problems.evaluation.evaluate`).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Result  # noqa: E402
from webapp.problems.evaluation import evaluate, markdown_table  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
COMMAND = "python bench/problems_eval.py --write"


def section() -> str:
    started = time.perf_counter()
    report = evaluate()
    elapsed = time.perf_counter() - started
    return (
        "## Problems model\n\n"
        f"Command: `{COMMAND}` (same as `flask problems evaluate`), {elapsed:.1f} s.\n\n"
        f"{report.students} synthetic students (skill ~ N(0, {report.spread})), "
        f"{report.problems} problems (difficulty ~ N(0, {report.spread}), 6 topics), "
        f"{report.attempts} distinct (student, problem) attempts in random time order, "
        f"P(correct) = sigmoid(skill - difficulty), seed {report.seed}. The Elo ratings "
        f"(`webapp/problems/rating.py`, the code the server runs) learn from the first "
        f"{report.train} attempts and are scored, frozen, on the last {report.test}. "
        "The baseline predicts the training success rate for everyone; the oracle uses the "
        "true probabilities (the ceiling for any model on this data).\n\n"
        f"{markdown_table(report)}\n"
    )


def write(text: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Problems model\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def run() -> list[Result]:
    """For `bench/run.py`: AUC and log-loss of the model, the constant baseline and the oracle."""
    started = time.perf_counter()
    report = evaluate()
    elapsed = time.perf_counter() - started
    note = (
        f"{report.students} students, {report.problems} problems, {report.attempts} attempts; "
        f"scored on the last {report.test}; {elapsed:.1f} s"
    )
    rows = []
    for name, scores in (
        ("Elo model", report.model),
        ("constant baseline", report.baseline),
        ("oracle (true p)", report.oracle),
    ):
        rows.append(
            Result(
                "problems model", f"AUC, {name}", round(scores.auc, 4), "", note if not rows else ""
            )
        )
        rows.append(Result("problems model", f"log-loss, {name}", round(scores.log_loss, 4), ""))
    return rows


if __name__ == "__main__":
    text = section()
    print(text)
    if "--write" in sys.argv[1:]:
        write(text)
