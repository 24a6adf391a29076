"""How well the rating model predicts: synthetic attempts from known skills, held-out scores.

Pure Python and deterministic for a seed. Students have skills ~ N(0, sigma), problems have
difficulties ~ N(0, sigma) and topics; every attempt is one (student, problem) pair, at most once,
in time order, correct with probability `sigmoid(skill - difficulty)`. The model
(`webapp.problems.rating.RatingBook`, the same code the server runs) learns from the first
80 % of attempts; it is scored on the remaining 20 % with ratings frozen, beside

* `baseline`: the constant success rate of the training part;
* `oracle`: the true probabilities (the best any model could do on this data).

Hints and give-ups (`hint_rate` > 0): in the training part a student who is likely to fail
asks for hints (with probability `hint_rate · (1 - p)`, 1-3 of them); each hint adds
`hint_boost` to the logit of success, and a student still failing after three gives up (a
failure). The test part stays unaided, because that is what the model predicts (the chance
of solving alone, used for recommendations). `hint_policy` says how the model learns from a
helped attempt: `credit` (the server's rule: 1 - 0.25 per hint), `naive` (a success is a
success) or `skip` (helped attempts are not learned from). With `hint_rate` = 0 no random
number is drawn for hints, so the figures are exactly those of the plain model.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from webapp.problems.rating import MAX_HINTS, RatingBook, sigmoid

EPSILON = 1e-9
HINT_POLICIES = ("credit", "naive", "skip")


@dataclass(frozen=True)
class Scores:
    auc: float
    log_loss: float


@dataclass(frozen=True)
class EvaluationReport:
    students: int
    problems: int
    attempts: int
    train: int
    test: int
    spread: float
    seed: int
    model: Scores
    baseline: Scores
    oracle: Scores

    def as_dict(self) -> dict:
        return asdict(self)


def auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Mann-Whitney AUC: the chance a random positive outscores a random negative (ties ½)."""
    pairs = sorted(zip(scores, labels, strict=True), key=lambda pair: pair[0])
    positives = sum(1 for label in labels if label)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both outcomes")
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2  # ranks i+1 … j share their mean
        rank_sum += average_rank * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def log_loss(labels: Sequence[bool], scores: Sequence[float]) -> float:
    total = 0.0
    for label, p in zip(labels, scores, strict=True):
        p = min(max(p, EPSILON), 1 - EPSILON)
        total -= math.log(p if label else 1 - p)
    return total / len(labels)


def score(labels: Sequence[bool], predictions: Sequence[float]) -> Scores:
    return Scores(auc=auc(labels, predictions), log_loss=log_loss(labels, predictions))


def evaluate(
    *,
    students: int = 300,
    problems: int = 200,
    attempts: int = 30_000,
    topics: int = 6,
    spread: float = 1.0,
    train_share: float = 0.8,
    seed: int = 2026,
    hint_rate: float = 0.0,
    hint_boost: float = 0.6,
    hint_policy: str = "credit",
) -> EvaluationReport:
    """Generate, learn on the first `train_share` in time order, score the rest."""
    if hint_policy not in HINT_POLICIES:
        raise ValueError(f"hint_policy must be one of {', '.join(HINT_POLICIES)}")
    if attempts > students * problems:
        raise ValueError("more attempts than (student, problem) pairs")
    rng = random.Random(seed)
    skills = [rng.gauss(0.0, spread) for _ in range(students)]
    difficulties = [rng.gauss(0.0, spread) for _ in range(problems)]
    topic_of = [rng.randrange(topics) for _ in range(problems)]
    pairs = rng.sample(range(students * problems), attempts)  # distinct pairs, random order
    cut = int(len(pairs) * train_share)
    history = []
    hints_of: list[int] = []
    for index, pair in enumerate(pairs):
        student, problem = divmod(pair, problems)
        gap = skills[student] - difficulties[problem]
        truth = sigmoid(gap)
        hints = 0
        if hint_rate > 0 and index < cut and rng.random() < hint_rate * (1 - truth):
            hints = rng.randint(1, MAX_HINTS)
        chance = sigmoid(gap + hint_boost * hints) if hints else truth
        history.append((student, (topic_of[problem], problem), rng.random() < chance, truth))
        hints_of.append(hints)

    book = RatingBook()
    for (student, topic_and_problem, correct, _), hints in zip(
        history[:cut], hints_of[:cut], strict=True
    ):
        if hints and hint_policy == "skip":
            continue
        book.learn(student, topic_and_problem, correct, hints if hint_policy == "credit" else 0)
    base_rate = sum(1 for *_, correct, _ in history[:cut] if correct) / cut

    test = history[cut:]
    labels = [correct for _, _, correct, _ in test]
    return EvaluationReport(
        students=students,
        problems=problems,
        attempts=attempts,
        train=cut,
        test=len(test),
        spread=spread,
        seed=seed,
        model=score(labels, [book.predict(s, p) for s, p, _, _ in test]),
        baseline=score(labels, [base_rate] * len(test)),
        oracle=score(labels, [truth for *_, truth in test]),
    )


def markdown_table(report: EvaluationReport) -> str:
    rows = [
        ("Elo ratings (this model)", report.model),
        ("constant training rate (baseline)", report.baseline),
        ("true probabilities (oracle)", report.oracle),
    ]
    lines = ["| predictor | AUC | log-loss |", "| --- | --- | --- |"]
    lines += [f"| {name} | {s.auc:.4f} | {s.log_loss:.4f} |" for name, s in rows]
    return "\n".join(lines)
