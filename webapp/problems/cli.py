"""`flask problems evaluate` (the prediction model on synthetic attempts), `flask problems
import` and `export` (the problem bank, `webapp/problems/bank.py`)."""

from __future__ import annotations

import json
from typing import TextIO

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from webapp.errors import DomainError
from webapp.extensions import db
from webapp.problems import services
from webapp.problems.bank import FORMATS, BankError, guess_format, read_bank, write_bank
from webapp.problems.evaluation import HINT_POLICIES, evaluate, markdown_table
from webapp.problems.models import ProblemStatus
from webapp.users.models import User

problems_cli = AppGroup("problems", help="The problem book.")


@problems_cli.command("evaluate")
@click.option("--students", default=300, show_default=True, type=click.IntRange(2))
@click.option("--problems", default=200, show_default=True, type=click.IntRange(2))
@click.option("--attempts", default=30_000, show_default=True, type=click.IntRange(10))
@click.option("--spread", default=1.0, show_default=True, type=click.FloatRange(0.1, 5.0))
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option(
    "--hint-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="How often a student likely to fail asks for hints in the training part.",
)
@click.option(
    "--hint-policy",
    default="credit",
    show_default=True,
    type=click.Choice(HINT_POLICIES),
    help="How the model learns from helped attempts.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def evaluate_command(
    students: int,
    problems: int,
    attempts: int,
    spread: float,
    seed: int,
    hint_rate: float,
    hint_policy: str,
    as_json: bool,
) -> None:
    """Learn ratings from the first 80 % of synthetic attempts; score AUC and log-loss on
    the rest beside a constant-rate baseline and the true probabilities."""
    try:
        report = evaluate(
            students=students,
            problems=problems,
            attempts=attempts,
            spread=spread,
            seed=seed,
            hint_rate=hint_rate,
            hint_policy=hint_policy,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(
        f"{report.students} students, {report.problems} problems, {report.attempts} attempts "
        f"(train {report.train}, test {report.test}), spread {report.spread}, seed {report.seed}"
    )
    click.echo(markdown_table(report))


def _acting_user(ref: str) -> User:
    """The user the CLI acts as: an id or a login."""
    query = select(User).where(
        User.id == int(ref) if ref.isdigit() else func.lower(User.login) == ref.lower()
    )
    user = db.session.scalars(query).first()
    if user is None:
        raise click.BadParameter(f"no user {ref!r}", param_hint="--user")
    return user


@problems_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--user", "user_ref", required=True, help="The author: a user id or login.")
@click.option("--approve", is_flag=True, help="Import as approved (the user must be an admin).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: by the file name.")
def import_command(file: TextIO, user_ref: str, approve: bool, fmt: str | None) -> None:
    """Import a problem bank (CSV or JSON, one problem a row): every row is validated like
    the API's POST /api/problems; good rows are stored as pending (approved with
    --approve), bad rows are listed with their reasons. Exits 1 when any row was rejected."""
    actor = _acting_user(user_ref)
    try:
        rows = read_bank(file.read(), fmt or guess_format(file.name))
        report = services.import_problems(actor, rows, approve=approve)
    except BankError as exc:
        raise click.ClickException(str(exc)) from exc
    except DomainError as exc:
        raise click.ClickException(str(exc.detail or exc.title)) from exc
    db.session.commit()
    click.echo(f"imported {report.imported} problems as {report.status.value}")
    for rejected in report.rejected:
        reasons = "; ".join(f"{e['field']}: {e['message']}" for e in rejected.errors)
        click.echo(f"row {rejected.row}: {reasons}")
    if report.rejected:
        click.echo(f"rejected {len(report.rejected)} rows")
        raise SystemExit(1)


@problems_cli.command("export")
@click.option("--user", "user_ref", required=True, help="Who exports: staff get every problem.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--status", type=click.Choice([s.value for s in ProblemStatus]))
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def export_command(user_ref: str, fmt: str, status: str | None, output: TextIO) -> None:
    """Write the problem bank (the import's format: it imports again unchanged)."""
    actor = _acting_user(user_ref)
    try:
        problems = services.export_problems(actor, status=ProblemStatus(status) if status else None)
    except DomainError as exc:
        raise click.ClickException(str(exc.detail or exc.title)) from exc
    output.write(write_bank(problems, fmt))
