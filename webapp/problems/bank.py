"""A problem bank on disk: one problem a row, CSV or JSON, every field of `ProblemIn`.

JSON is a list of objects with exactly `ProblemIn`'s fields. CSV has a header row with
the columns in `CSV_COLUMNS`; list fields are spread out so a spreadsheet can hold them:
`options` one option per line of the cell, `correct_options` comma-separated indexes
("0,2"), and `hint_1` … `hint_3`. An empty cell is a field left out. Export writes the same
format, so an exported bank imports again unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from webapp.problems.models import AnswerKind, Problem
from webapp.problems.rating import MAX_HINTS

HINT_COLUMNS = tuple(f"hint_{n}" for n in range(1, MAX_HINTS + 1))
CSV_COLUMNS = (
    "title",
    "statement",
    "answer_kind",
    "answer",
    "tolerance",
    "options",
    "correct_options",
    "topic",
    "difficulty",
    "solution",
    *HINT_COLUMNS,
)
FORMATS = ("csv", "json")
MAX_ROWS = 10_000


class BankError(ValueError):
    """The file as a whole cannot be read (not its rows: those are reported one by one)."""


def guess_format(name: str) -> str:
    return "json" if name.lower().endswith(".json") else "csv"


def read_bank(text: str, fmt: str) -> list[Any]:
    """The file's rows as `ProblemIn` input (a row that is not even an object stays as it is,
    for the validation to reject)."""
    if fmt == "json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BankError(f"not JSON: {exc}") from exc
        if not isinstance(rows, list):
            raise BankError("a JSON bank is a list of problems")
    else:
        reader = csv.DictReader(io.StringIO(text))
        unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
        if not reader.fieldnames or unknown:
            raise BankError(f"unknown CSV columns: {', '.join(sorted(unknown)) or '(none)'}")
        rows = [_from_csv(row) for row in reader]
    if len(rows) > MAX_ROWS:
        raise BankError(f"at most {MAX_ROWS} problems in one file")
    return rows


def _from_csv(row: dict[Any, Any]) -> dict[str, Any]:
    values = {key: value for key, value in row.items() if key and value not in (None, "")}
    if None in row:  # more cells than columns
        values["extra cells"] = row[None]
    hints = [values.pop(name) for name in HINT_COLUMNS if name in values]
    if hints:
        values["hints"] = hints
    if "options" in values:
        values["options"] = [line.strip() for line in values["options"].splitlines() if line]
    if "correct_options" in values:
        parts = [part.strip() for part in values["correct_options"].split(",")]
        values["correct_options"] = [int(p) if p.isdigit() else p for p in parts]
    return values


def problem_row(problem: Problem) -> dict[str, Any]:
    """One problem as a bank row (JSON form)."""
    choice = problem.answer_kind == AnswerKind.CHOICE
    row: dict[str, Any] = {
        "title": problem.title,
        "statement": problem.statement,
        "answer_kind": problem.answer_kind.value,
        "answer": None if choice else problem.answer,
        "tolerance": problem.tolerance,
        "options": list(problem.choices) if choice else None,
        "correct_options": list(problem.correct_choices) if choice else None,
        "topic": problem.topic,
        "difficulty": problem.difficulty,
        "solution": problem.solution,
        "hints": list(problem.hints or ()),
    }
    return {key: value for key, value in row.items() if value not in (None, [])}


def write_bank(problems: Iterable[Problem], fmt: str) -> str:
    rows = [problem_row(problem) for problem in problems]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        hints = row.pop("hints", [])
        row.update(zip(HINT_COLUMNS, hints, strict=False))
        if "options" in row:
            row["options"] = "\n".join(row["options"])
        if "correct_options" in row:
            row["correct_options"] = ",".join(str(i) for i in row["correct_options"])
        writer.writerow(row)
    return out.getvalue()
