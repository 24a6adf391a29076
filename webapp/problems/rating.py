"""The prediction model: Elo-style ratings for users (skill θ) and problems (difficulty β).

Pure Python, no Flask: the web services and the offline evaluation use the same code.

* The chance that a user solves a problem is `p = sigmoid(θ - β)` (the Rasch / 1PL form).
* After an attempt with outcome `y` (1 correct, 0 not): `θ += K(n_user) · (y - p)` and
  `β -= K(n_problem) · (y - p)`, where `n` is how many rated attempts the rating has seen.
* `K(n) = max(K_MIN, K_START / (1 + n / K_HALF_LIFE))`: new ratings move fast, settled ones
  slowly but never freeze (skills change).
* A new problem starts from its author's declared difficulty (1-5 → -1.0 … +1.0); a new
  user starts at 0.
* Hints and giving up: the outcome `y` is a credit, not only 0 or 1. A correct answer after
  `h` hints counts `y = 1 - HINT_PENALTY · h` (1, 0.75, 0.5, 0.25 for 0…3 hints): the user
  needed help, so the skill rises less and the problem's difficulty falls less than after
  an unaided success. A give-up counts `y = 0`, like a wrong answer (the user could not
  solve it). With no hints used the step is exactly the plain Elo step, so the model's
  figures on unaided attempts do not change (`webapp/problems/evaluation.py` measures both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

K_START = 0.8
K_HALF_LIFE = 12.0
K_MIN = 0.05
DEFAULT_TARGET = 0.7
HINT_PENALTY = 0.25
MAX_HINTS = 3


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def k_factor(count: int) -> float:
    """How far one attempt moves a rating that has already seen `count` attempts."""
    return max(K_MIN, K_START / (1.0 + count / K_HALF_LIFE))


def predict(skill: float, difficulty: float) -> float:
    """Probability that a user of this skill solves a problem of this difficulty."""
    return sigmoid(skill - difficulty)


def initial_difficulty(level: int) -> float:
    """The prior β of a new problem from the author's 1-5 difficulty (3 is average)."""
    return (level - 3) * 0.5


def difficulty_for_target(skill: float, target: float) -> float:
    """The difficulty β at which `predict(skill, β) == target`."""
    return skill - logit(target)


def credit(correct: bool, hints_used: int = 0) -> float:
    """The outcome `y` an attempt counts for: 0 when wrong (or a give-up), else 1 less
    `HINT_PENALTY` per hint used."""
    if not correct:
        return 0.0
    return max(0.0, 1.0 - HINT_PENALTY * min(max(hints_used, 0), MAX_HINTS))


@dataclass(frozen=True)
class Update:
    """Ratings after one attempt, and the prediction made before it."""

    predicted: float
    skill: float
    difficulty: float


def update(
    skill: float,
    skill_count: int,
    difficulty: float,
    difficulty_count: int,
    correct: bool,
    hints_used: int = 0,
) -> Update:
    """One Elo step: both ratings move against the surprise `y - p` (`y` = `credit(…)`)."""
    p = predict(skill, difficulty)
    surprise = credit(correct, hints_used) - p
    return Update(
        predicted=p,
        skill=skill + k_factor(skill_count) * surprise,
        difficulty=difficulty - k_factor(difficulty_count) * surprise,
    )


class RatingBook:
    """In-memory ratings keyed by any hashable ids — the evaluation's model."""

    def __init__(self) -> None:
        self.skills: dict[object, tuple[float, int]] = {}
        self.difficulties: dict[object, tuple[float, int]] = {}

    def predict(self, user: object, problem: object) -> float:
        skill, _ = self.skills.get(user, (0.0, 0))
        difficulty, _ = self.difficulties.get(problem, (0.0, 0))
        return predict(skill, difficulty)

    def learn(self, user: object, problem: object, correct: bool, hints_used: int = 0) -> float:
        skill, n_user = self.skills.get(user, (0.0, 0))
        difficulty, n_problem = self.difficulties.get(problem, (0.0, 0))
        step = update(skill, n_user, difficulty, n_problem, correct, hints_used)
        self.skills[user] = (step.skill, n_user + 1)
        self.difficulties[problem] = (step.difficulty, n_problem + 1)
        return step.predicted
