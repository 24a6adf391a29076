"""`flask problems evaluate`: measure the prediction model on synthetic attempts."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from webapp.problems.evaluation import HINT_POLICIES, evaluate, markdown_table

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
