"""The rating model and its evaluation (pure Python, no app)."""

from __future__ import annotations

import math

import pytest

from webapp.problems import rating
from webapp.problems.evaluation import auc, evaluate, log_loss


def test_prediction_is_the_logistic_of_skill_minus_difficulty():
    """Is p = sigmoid(θ - β), 0.5 for equals, and stable for extreme gaps?"""
    assert rating.predict(0.0, 0.0) == 0.5
    assert rating.predict(1.0, 0.0) == pytest.approx(1 / (1 + math.exp(-1)))
    assert rating.predict(-800, 0) == pytest.approx(0.0) and rating.predict(800, 0) == 1.0


@pytest.mark.parametrize("correct", [True, False])
def test_update_moves_ratings_against_the_surprise(correct):
    """Does success raise skill and lower difficulty (and failure the opposite)?"""
    step = rating.update(0.0, 0, 0.0, 0, correct)
    assert step.predicted == 0.5
    sign = 1 if correct else -1
    assert sign * step.skill > 0 and sign * step.difficulty < 0


def test_k_factor_decays_but_never_freezes():
    """Do settled ratings move less, but still move?"""
    ks = [rating.k_factor(n) for n in (0, 10, 100, 10_000)]
    assert ks == sorted(ks, reverse=True)
    assert ks[-1] == rating.K_MIN > 0


def test_difficulty_for_target_inverts_the_prediction():
    """Is the β that gives the target success found exactly?"""
    beta = rating.difficulty_for_target(0.4, 0.7)
    assert rating.predict(0.4, beta) == pytest.approx(0.7)


def test_auc_counts_ties_as_half():
    """Is the Mann-Whitney AUC right on a hand-checked example with ties?"""
    labels = [True, False, True, False]
    assert auc(labels, [0.9, 0.1, 0.8, 0.2]) == 1.0
    assert auc(labels, [0.1, 0.9, 0.2, 0.8]) == 0.0
    assert auc(labels, [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert auc([True, False, False], [0.5, 0.5, 0.1]) == 0.75
    with pytest.raises(ValueError):
        auc([True, True], [0.1, 0.2])


def test_log_loss():
    """Is log-loss the mean negative log-likelihood, clipped away from infinity?"""
    assert log_loss([True, False], [0.5, 0.5]) == pytest.approx(math.log(2))
    assert math.isfinite(log_loss([True], [0.0]))


def test_model_beats_the_baseline_on_synthetic_data():
    """Does the model reach AUC ≥ 0.75 and a better log-loss than the constant rate?"""
    report = evaluate(students=120, problems=80, attempts=6000, seed=7)
    assert report.model.auc >= 0.75
    assert report.model.log_loss < report.baseline.log_loss
    assert report.baseline.auc == 0.5
    assert report.model.auc <= report.oracle.auc + 0.02  # sanity: nothing beats the truth
    assert report.train == 4800 and report.test == 1200


def test_evaluation_is_deterministic():
    """Does the same seed give the same figures?"""
    first = evaluate(students=40, problems=30, attempts=800, seed=3)
    assert first == evaluate(students=40, problems=30, attempts=800, seed=3)
    assert first != evaluate(students=40, problems=30, attempts=800, seed=4)


def test_evaluation_refuses_impossible_sizes():
    """Is asking for more attempts than distinct pairs an error?"""
    with pytest.raises(ValueError):
        evaluate(students=2, problems=2, attempts=5)


def test_evaluate_command(runner):
    """Does `flask problems evaluate` print the table with the three predictors?"""
    result = runner.invoke(args=["problems", "evaluate", "--students", "60", "--problems", "40",
                                 "--attempts", "2000"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "| Elo ratings (this model) |" in result.output
    assert "baseline" in result.output and "oracle" in result.output
    bad = runner.invoke(args=["problems", "evaluate", "--students", "2", "--problems", "2",
                              "--attempts", "50"])  # fmt: skip
    assert bad.exit_code != 0


def test_bench_script_replaces_only_its_section(tmp_path, monkeypatch):
    """Does `bench/problems_eval.py --write` replace its own section and keep the others?"""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "bench" / "problems_eval.py"
    spec = importlib.util.spec_from_file_location("problems_eval", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\n## Problems model\n\nold\n\n## Market\n\nkept\n")
    monkeypatch.setattr(bench, "RESULTS", results)
    bench.write("## Problems model\n\nnew table\n")
    text = results.read_text()
    assert "old" not in text and "new table" in text and "## Market\n\nkept" in text
    assert text.count("## Problems model") == 1


def test_hints_leave_the_plain_figures_unchanged():
    """Do the default figures stay exactly those published before hints existed
    (bench/RESULTS.md: AUC 0.7884, log-loss 0.5553)? Takes ~1 s: the published setting."""
    report = evaluate()
    assert round(report.model.auc, 4) == 0.7884
    assert round(report.model.log_loss, 4) == 0.5553


@pytest.mark.parametrize("seed", [1, 2])
def test_hint_credit_predicts_better_than_ignoring_hints(seed):
    """When students use hints, does learning a helped success as partial credit predict
    unaided success better (AUC and log-loss) than counting it as a plain success?"""
    scores = {
        policy: evaluate(
            students=150, problems=100, attempts=8000, seed=seed, hint_rate=0.5, hint_policy=policy
        ).model
        for policy in ("credit", "naive")
    }
    assert scores["credit"].auc > scores["naive"].auc
    assert scores["credit"].log_loss < scores["naive"].log_loss
