"""Wire schemas for the problem book, one field set per audience.

A solver gets `ProblemOut` (never the answer, the solution or a hint — only how many hints
there are); the author and staff get `ProblemFullOut` (answer, solution, hints, moderation
details). A solver's hints and solution come from `HelpOut`, which holds only what they have
earned; an attempt reveals the correct answer and the solution once it is correct or a
give-up.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from flask_babel import gettext
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
    RootModel,
    ValidationInfo,
    field_validator,
    model_validator,
)

from webapp.api import Id, Input, Pagination, Params, Schema
from webapp.problems import markup
from webapp.problems.answers import as_number, normalize
from webapp.problems.models import AnswerKind, ProblemStatus
from webapp.problems.rating import DEFAULT_TARGET, MAX_HINTS


def _not_blank(value: str | None) -> str | None:
    """Text that is only spaces is refused; an optional field left out (None) is not."""
    if value is not None and not value.strip():
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


Option = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
MAX_OPTIONS = 10


def _kind(info: ValidationInfo) -> AnswerKind | None:
    return info.data.get("answer_kind")


class ProblemIn(Input):
    """A problem's design. By `answer_kind`: `text` and `number` need `answer` (a number for
    `number`, which may add a `tolerance` ≥ 0); `choice` needs 2-10 distinct `options` and
    the indexes of the correct ones in `correct_options` (one or several) and no `answer`.
    A field that does not fit the kind is a 422 naming it."""

    title: str = Field(..., min_length=1, max_length=200)
    statement: str = Field(..., min_length=1, max_length=5000)
    answer_kind: AnswerKind = AnswerKind.TEXT
    answer: str | None = Field(None, min_length=1, max_length=200, validate_default=True)
    tolerance: float | None = Field(
        None, ge=0, allow_inf_nan=False, validate_default=True, description="`number` only."
    )
    options: list[Option] | None = Field(
        None, max_length=MAX_OPTIONS, validate_default=True, description="`choice` only."
    )
    correct_options: list[int] | None = Field(
        None,
        max_length=MAX_OPTIONS,
        validate_default=True,
        description="`choice` only: indexes into `options` of the correct ones.",
    )
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

    _blank = field_validator("title", "statement", "topic")(_not_blank)

    _math = field_validator("statement", "solution")(_readable_math)

    @field_validator("answer")
    @classmethod
    def _answer_fits_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = _kind(info)
        if kind == AnswerKind.CHOICE:
            if value is not None:
                raise ValueError(gettext("A choice has no answer: mark the correct options."))
            return None
        if value is None or not value.strip():
            raise ValueError(gettext("Give the answer."))
        if kind == AnswerKind.NUMBER and as_number(value) is None:
            raise ValueError(gettext("The answer must be a number."))
        return value

    @field_validator("tolerance")
    @classmethod
    def _tolerance_fits_kind(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and _kind(info) != AnswerKind.NUMBER:
            raise ValueError(gettext("Only a number answer has a tolerance."))
        return value

    @field_validator("options")
    @classmethod
    def _options_fit_kind(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if _kind(info) != AnswerKind.CHOICE:
            if value:
                raise ValueError(gettext("Only a choice has options."))
            return None
        if value is None or len(value) < 2:
            raise ValueError(gettext("Give at least two options."))
        if len({normalize(option) for option in value}) != len(value):
            raise ValueError(gettext("The options must differ."))
        return [option.strip() for option in value]

    @field_validator("correct_options")
    @classmethod
    def _correct_fit_options(
        cls, value: list[int] | None, info: ValidationInfo
    ) -> list[int] | None:
        if _kind(info) != AnswerKind.CHOICE:
            if value:
                raise ValueError(gettext("Only a choice has correct options."))
            return None
        if not value:
            raise ValueError(gettext("Mark at least one correct option."))
        options = info.data.get("options")
        if options is not None and any(not 0 <= index < len(options) for index in value):
            raise ValueError(gettext("Each correct option must be the index of an option."))
        if len(set(value)) != len(value):
            raise ValueError(gettext("Each correct option once."))
        return sorted(value)

    @field_validator("solution")
    @classmethod
    def _blank_solution_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class RejectIn(Input):
    reason: str = Field(..., min_length=1, max_length=500)

    _blank = field_validator("reason")(_not_blank)


class DeleteIn(Input):
    reason: str = Field(..., min_length=1, max_length=500)

    _blank = field_validator("reason")(_not_blank)


class AttemptIn(Input):
    """An answer: `answer` (text or a number) or, for a choice, `choices` (the `id`s of the
    picked options)."""

    problem_id: Id
    answer: str | None = Field(None, min_length=1, max_length=200)
    choices: list[Annotated[int, Field(ge=0, lt=MAX_OPTIONS, strict=True)]] | None = Field(
        None, max_length=MAX_OPTIONS, validate_default=True
    )

    _blank = field_validator("answer")(_not_blank)

    @field_validator("choices")
    @classmethod
    def _one_way_to_answer(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is not None and info.data.get("answer") is not None:
            raise ValueError(gettext("Send an answer or choices, not both."))
        if value is not None and not value:
            raise ValueError(gettext("Pick at least one option."))
        if value is None and info.data.get("answer") is None and "answer" in info.data:
            raise ValueError(gettext("Give an answer."))
        return value


class ProblemPath(Params):
    problem_id: Id


class ProblemQuery(Pagination):
    creator_id: Id | None = Field(None, description="Only this author's problems.")
    topic: str | None = Field(None, max_length=64)
    search: str | None = Field(None, max_length=100)
    status: ProblemStatus | None = Field(
        None, description="Moderators and admins only; default approved."
    )


class AuthorOut(Schema):
    id: int
    display_name: str


class OptionOut(BaseModel):
    id: int
    text: str


class ProblemOut(Schema):
    """What a solver sees (a choice's options in this reader's own shuffled order)."""

    id: int
    title: str
    statement: str
    answer_kind: AnswerKind
    options: list[OptionOut] = Field(default_factory=list, description="`choice` only.")
    multiple: bool = Field(description="A choice with several correct options.")
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
    tolerance: float | None
    correct_options: list[int] = Field(default_factory=list)
    solution: str | None
    hints: list[str]

    @classmethod
    def of(cls, problem) -> ProblemFullOut:
        return problem_out(cls, problem, problem.author_id)  # options in the author's order

    reject_reason: str | None
    version: int
    moderated_at: datetime | None


P = TypeVar("P", bound=ProblemOut)


def problem_out(schema: type[P], problem, viewer_id: int) -> P:
    """`schema` of `problem` with its options shuffled for `viewer_id` (and, for the full
    schema, the correct ones as indexes)."""
    full = issubclass(schema, ProblemFullOut)
    order = list(enumerate(problem.choices or ())) if full else problem.options_for(viewer_id)
    extra: dict[str, Any] = {"options": [OptionOut(id=i, text=t) for i, t in order]}
    if full:
        extra["correct_options"] = list(problem.correct_choices or ())
    return schema.model_validate(problem).model_copy(update=extra)


class MyProblemOut(ProblemFullOut):
    """One of the author's problems: its status, why it was rejected or deleted, and how
    solvers fare on it."""

    deleted_at: datetime | None
    delete_reason: str | None
    solvers: int = Field(description="People (not you) who tried it.")
    solved: int = Field(description="Of them, how many solved it.")
    solve_rate: float | None = Field(description="solved / solvers; null before any try.")

    @classmethod
    def of_authored(cls, item) -> MyProblemOut:
        base = ProblemFullOut.of(item.problem).model_dump()
        return cls(
            **base,
            deleted_at=item.problem.deleted_at,
            delete_reason=item.problem.delete_reason,
            solvers=item.solvers,
            solved=item.solved,
            solve_rate=item.solve_rate,
        )


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


class RatingPointOut(Schema):
    day: date = Field(description="A day in your time zone.")
    rating: float = Field(description="Your rating at the end of that day.")


class TopicProgressOut(Schema):
    topic: str
    solved: int
    attempted: int


class SolvingProgressOut(Schema):
    rating: float
    rated_attempts: int
    solved: int
    history: list[RatingPointOut] = Field(description="The last 90 days, one point a day.")
    topics: list[TopicProgressOut]
    streak: int = Field(description="Consecutive days (your time zone) with a solved problem.")
    on_leaderboard: bool


class LeaderboardIn(Input):
    joined: bool = Field(description="Appear (by display name) on the topic leaderboards.")


class LeaderboardQuery(Params):
    topic: str = Field(..., min_length=1, max_length=64)


class LeaderboardRowOut(BaseModel):
    rank: int
    display_name: str
    solved: int
    is_you: bool


class LeaderboardOut(BaseModel):
    topic: str
    items: list[LeaderboardRowOut]
