"""The problem bank: `flask problems import FILE` validates row by row with the API's schema,
imports the good rows in one bulk insert and reports the bad ones; `export` writes the same
format back; the dashboard takes the same upload."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.problems.conftest import PROBLEM_BODY
from webapp.extensions import db
from webapp.problems.models import Problem, ProblemRating, ProblemStatus

FULL = {
    **PROBLEM_BODY,
    "solution": "Halve it: $\\frac{7}{2}$.",
    "hints": ["Divide", "By two"],
}
CHOICE = {
    "title": "Pick primes",
    "statement": "Which are prime?",
    "answer_kind": "choice",
    "options": ["2", "4", "5"],
    "correct_options": [0, 2],
    "topic": "numbers",
    "difficulty": 2,
}
NUMBER = {**PROBLEM_BODY, "answer_kind": "number", "answer": "3.14", "tolerance": 0.01}


def _bank(tmp_path, rows, name="bank.json"):
    path = tmp_path / name
    path.write_text(json.dumps(rows), encoding="utf-8")
    return str(path)


def _problems(app):
    with app.app_context():
        return db.session.query(Problem).order_by(Problem.id).all()


def test_a_thousand_problems_with_bad_rows(app, runner, teacher, tmp_path):
    """Does a bank of 1,000 problems with some bad rows import the good ones as pending (with
    their ratings) and report each bad row with the field it got wrong? On PostgreSQL the
    import is a bulk insert: its statements do not grow with the rows."""
    rows = [{**FULL, "title": f"Problem {n}"} for n in range(1000)]
    rows[9] = {**FULL, "title": ""}
    rows[499] = {**CHOICE, "options": ["only one"]}
    rows[998] = {**NUMBER, "answer": "pi"}
    rows[999] = "not an object"
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = runner.invoke(
            args=["problems", "import", _bank(tmp_path, rows), "--user", str(teacher.id)]
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert result.exit_code == 1, result.output
    assert "imported 996 problems as pending" in result.output
    assert "row 10: title:" in result.output and "row 500: options:" in result.output
    assert "row 999: answer:" in result.output and "row 1000:" in result.output
    assert "rejected 4 rows" in result.output
    with app.app_context():
        assert db.session.query(Problem).filter_by(status=ProblemStatus.PENDING).count() == 996
        assert db.session.query(ProblemRating).count() == 996
        stored = db.session.query(Problem).filter_by(title="Problem 0").one()
        assert stored.hints == FULL["hints"] and stored.solution == FULL["solution"]
        assert stored.author_id == teacher.id
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    if engine.dialect.name == "postgresql":  # SQLite's driver returns ids a row at a time
        assert 0 < len(inserts) <= 10, f"{len(inserts)} INSERT statements for 996 problems"


def test_approve_on_import_is_for_admins(app, runner, teacher, admin, tmp_path):
    """Is `--approve` refused for a teacher (nothing imported) and honoured for an admin?"""
    bank = _bank(tmp_path, [FULL, CHOICE, NUMBER])
    refused = runner.invoke(
        args=["problems", "import", bank, "--user", str(teacher.id), "--approve"]
    )
    assert refused.exit_code != 0 and _problems(app) == []
    done = runner.invoke(args=["problems", "import", bank, "--user", str(admin.id), "--approve"])
    assert done.exit_code == 0, done.output
    assert {p.status for p in _problems(app)} == {ProblemStatus.APPROVED}


def test_export_then_import_round_trips(app, runner, admin, tmp_path):
    """Does an exported bank (CSV and JSON) import again with every field unchanged?"""
    bank = _bank(tmp_path, [FULL, CHOICE, NUMBER])
    assert runner.invoke(args=["problems", "import", bank, "--user", str(admin.id)]).exit_code == 0
    fields = (
        "title",
        "statement",
        "answer",
        "answer_kind",
        "tolerance",
        "choices",
        "correct_choices",
        "solution",
        "hints",
        "topic",
        "difficulty",
    )
    original = [tuple(getattr(p, f) for f in fields) for p in _problems(app)]
    for fmt in ("csv", "json"):
        out = tmp_path / f"export.{fmt}"
        exported = runner.invoke(
            args=["problems", "export", "--user", str(admin.id), "--format", fmt, "-o", str(out)]
        )
        assert exported.exit_code == 0, exported.output
        again = runner.invoke(args=["problems", "import", str(out), "--user", str(admin.id)])
        assert again.exit_code == 0, again.output
        copies = [tuple(getattr(p, f) for f in fields) for p in _problems(app)][-3:]
        assert copies == original


def test_unreadable_files_are_refused(runner, teacher, tmp_path):
    """Are a CSV with an unknown column and a JSON that is not a list refused as a whole?"""
    csv_file = tmp_path / "bank.csv"
    csv_file.write_text("title,secret\nx,y\n", encoding="utf-8")
    result = runner.invoke(args=["problems", "import", str(csv_file), "--user", str(teacher.id)])
    assert result.exit_code != 0 and "secret" in result.output
    json_file = _bank(tmp_path, {"title": "x"})
    result = runner.invoke(args=["problems", "import", json_file, "--user", str(teacher.id)])
    assert result.exit_code != 0 and "list" in result.output
