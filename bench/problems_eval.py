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


HINT_RATE = 0.5


def hints_table() -> str:
    """The model learning from helped attempts three ways, scored on unaided ones."""
    lines = ["| learning from hints and give-ups | AUC | log-loss |", "| --- | --- | --- |"]
    names = {
        "credit": "credit 1 - 0.25 per hint, give-up = failure (the server's rule)",
        "naive": "a helped success counts as a plain success",
        "skip": "helped attempts ignored",
    }
    for policy, name in names.items():
        scores = evaluate(hint_rate=HINT_RATE, hint_policy=policy).model
        lines.append(f"| {name} | {scores.auc:.4f} | {scores.log_loss:.4f} |")
    return "\n".join(lines)


def section() -> str:
    started = time.perf_counter()
    report = evaluate()
    hinted = hints_table()
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
        f"{markdown_table(report)}\n\n"
        "Hints and give-ups: the same synthetic data, except that in the training part a "
        f"student likely to fail asks for 1-3 hints (probability {HINT_RATE} * (1 - p)), each "
        "adding 0.6 to the logit of success, and gives up when still failing after three. "
        "The test part stays unaided (the model predicts solving alone). A correct answer "
        "after h hints counts 1 - 0.25·h for the ratings; with no hints the update is the "
        "plain Elo step, so the table above is unchanged by hints existing.\n\n"
        f"{hinted}\n"
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
    for policy in ("credit", "naive"):
        scores = evaluate(hint_rate=HINT_RATE, hint_policy=policy).model
        label = f"with hints ({policy})"
        rows.append(Result("problems model", f"AUC, {label}", round(scores.auc, 4), ""))
        rows.append(Result("problems model", f"log-loss, {label}", round(scores.log_loss, 4), ""))
    return rows


if __name__ == "__main__":
    text = section()
    print(text)
    if "--write" in sys.argv[1:]:
        write(text)
