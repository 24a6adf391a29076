"""Wire schemas for the problem book, one field set per audience.

A solver gets `ProblemOut` (never the answer, the solution or a hint — only how many hints
there are); the author and staff get `ProblemFullOut` (answer, solution, hints, moderation
details). A solver's hints and solution come from `HelpOut`, which holds only what they have
earned; an attempt reveals the correct answer and the solution once it is correct or a
give-up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask_babel import gettext
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
    RootModel,
    field_validator,
    model_validator,
)

from webapp.api import Id, Input, Pagination, Params, Schema
from webapp.problems import markup
from webapp.problems.models import ProblemStatus
from webapp.problems.rating import DEFAULT_TARGET, MAX_HINTS


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _readable_math(value: str | None) -> str | None:
    """Every `$…$` / `$$…$$` segment must convert to MathML (`webapp.problems.markup`)."""
    bad = markup.check_math(value) if value else None
    if bad is not None:
        raise ValueError(gettext("The formula $%(latex)s$ cannot be read.", latex=bad))
    return value


Hint = Annotated[
    str,
    Field(min_length=1, max_length=2000),
    AfterValidator(_not_blank),
    AfterValidator(_readable_math),
]


class ProblemIn(Input):
    title: str = Field(..., min_length=1, max_length=200)
    statement: str = Field(..., min_length=1, max_length=5000)
    answer: str = Field(..., min_length=1, max_length=200)
    topic: str = Field(..., min_length=1, max_length=64)
    difficulty: int = Field(3, ge=1, le=5)
    solution: str | None = Field(
        None, max_length=10000, description="The worked solution, shown once earned."
    )
    hints: list[Hint] = Field(
        default_factory=list,
        max_length=MAX_HINTS,
        description="Up to three hints, revealed one at a time.",
    )

    _blank = field_validator("title", "statement", "answer", "topic")(_not_blank)

    _math = field_validator("statement", "solution")(_readable_math)

    @field_validator("solution")
    @classmethod
    def _blank_solution_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class RejectIn(Input):
    reason: str = Field(..., min_length=1, max_length=500)

    _blank = field_validator("reason")(_not_blank)


class AttemptIn(Input):
    problem_id: Id
    answer: str = Field(..., min_length=1, max_length=200)

    _blank = field_validator("answer")(_not_blank)


class ProblemPath(Params):
    problem_id: Id


class ProblemQuery(Pagination):
    topic: str | None = Field(None, max_length=64)
    search: str | None = Field(None, max_length=100)
    status: ProblemStatus | None = Field(
        None, description="Moderators and admins only; default approved."
    )


class AuthorOut(Schema):
    id: int
    display_name: str


class ProblemOut(Schema):
    """What a solver sees."""

    id: int
    title: str
    statement: str
    topic: str
    difficulty: int
    hints_total: int = Field(description="How many hints there are (their text: `/help`).")
    status: ProblemStatus
    author: AuthorOut
    created_at: datetime
    updated_at: datetime


class ProblemFullOut(ProblemOut):
    """What the author and staff see."""

    answer: str
    solution: str | None
    hints: list[str]
    reject_reason: str | None
    version: int
    moderated_at: datetime | None


class ProblemViewOut(RootModel[ProblemFullOut | ProblemOut]):
    """One problem as its reader may see it: `ProblemFullOut` for its author and staff,
    `ProblemOut` (no answer) for everyone else."""


class AttemptOut(Schema):
    id: int
    problem_id: int
    problem_title: str
    answer: str
    is_correct: bool
    gave_up: bool
    hints_used: int
    predicted_success: float
    correct_answer: str | None = Field(
        None, description="Only once the attempt is correct or a give-up."
    )
    solution: str | None = Field(None, description="Only once the attempt is correct or a give-up.")
    created_at: datetime

    @classmethod
    def of(cls, attempt) -> AttemptOut:
        earned = attempt.is_correct or attempt.gave_up
        return cls(
            id=attempt.id,
            problem_id=attempt.problem_id,
            problem_title=attempt.problem.title,
            answer=attempt.answer,
            is_correct=attempt.is_correct,
            gave_up=attempt.gave_up,
            hints_used=attempt.hints_used,
            predicted_success=attempt.predicted_success,
            correct_answer=attempt.problem.answer if earned else None,
            solution=attempt.problem.solution if earned else None,
            created_at=attempt.created_at,
        )


class HelpOut(Schema):
    """The hints a solver has revealed and, once earned, the answer and the solution."""

    problem_id: int
    hints_total: int
    hints_used: int
    hints: list[str] = Field(description="The revealed hints, in order.")
    solved: bool
    gave_up: bool
    answer: str | None = Field(None, description="Once solved or given up.")
    solution: str | None = Field(None, description="Once solved or given up.")


class ByStatusQuery(Pagination):
    correct: bool


class RangeQuery(Pagination):
    from_: AwareDatetime | None = Field(None, alias="from")
    to: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RangeQuery:
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise ValueError("'from' must not be after 'to'")
        return self


class PredictionOut(Schema):
    problem_id: int
    predicted_success: float
    user_rating: float
    user_attempts: int
    problem_rating: float
    problem_attempts: int
    solved: bool


class RecommendationQuery(Params):
    limit: int = Field(10, ge=1, le=50)
    target: float = Field(DEFAULT_TARGET, gt=0.0, lt=1.0)


class RecommendationOut(BaseModel):
    problem: ProblemOut
    predicted_success: float


class RecommendationList(BaseModel):
    items: list[RecommendationOut]
    target: float
