"""Wire schemas for the problem book, one field set per audience.

A solver gets `ProblemOut` (never the answer); the author and staff get `ProblemFullOut`
(answer, moderation details). An attempt reveals the correct answer only once it is correct.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    RootModel,
    field_validator,
    model_validator,
)

from webapp.api import Id, Input, Pagination, Params, Schema
from webapp.problems.models import ProblemStatus
from webapp.problems.rating import DEFAULT_TARGET


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class ProblemIn(Input):
    title: str = Field(..., min_length=1, max_length=200)
    statement: str = Field(..., min_length=1, max_length=5000)
    answer: str = Field(..., min_length=1, max_length=200)
    topic: str = Field(..., min_length=1, max_length=64)
    difficulty: int = Field(3, ge=1, le=5)

    _blank = field_validator("title", "statement", "answer", "topic")(_not_blank)


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
    status: ProblemStatus
    author: AuthorOut
    created_at: datetime
    updated_at: datetime


class ProblemFullOut(ProblemOut):
    """What the author and staff see."""

    answer: str
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
    predicted_success: float
    correct_answer: str | None = Field(None, description="Only once the attempt is correct.")
    created_at: datetime

    @classmethod
    def of(cls, attempt) -> AttemptOut:
        return cls(
            id=attempt.id,
            problem_id=attempt.problem_id,
            problem_title=attempt.problem.title,
            answer=attempt.answer,
            is_correct=attempt.is_correct,
            predicted_success=attempt.predicted_success,
            correct_answer=attempt.problem.answer if attempt.is_correct else None,
            created_at=attempt.created_at,
        )


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
