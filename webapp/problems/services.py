"""Problem-book rules: authoring, moderation, visibility, attempts, ratings, recommendations.

Who may do what (SPEC §5 problems):
* teachers and admins write problems; only the author edits one, and an edit sends it back
  to `pending` (the rejection reason is cleared);
* moderators and admins approve or reject pending problems (never their own); a decision on
  a problem that is not pending is a 409; the author hears about it from the bot;
* moderators and admins delete problems, always with a reason: who, when and why stay on
  the problem (its author sees them in their list; the dashboard's delete also writes the
  audit log) and the author hears of it from the bot;
* the catalogue can be filtered by author (`creator_id`); an author sees each of their
  problems' status, rejection or deletion reason, and solve rate;
* everyone sees approved problems; authors also see their own in any status, staff see all;
  only authors and staff see the answer; an invisible problem is a 404;
* attempts are accepted on approved problems only, and at most
  `PROBLEM_ATTEMPTS_PER_WINDOW` per user and problem in `PROBLEM_ATTEMPT_WINDOW_SECONDS`
  (an answer cannot be brute-forced; the 429 says when to try again);
* a solver reveals a problem's hints one at a time (`reveal_next_hint`); each hint used
  lowers what a correct answer counts for the rating (`rating.credit`: 1 - 0.25 per hint);
* the solution (and the answer) is earned by a correct answer or by giving up (`give_up`,
  recorded as an attempt that counts as a failure); before that a solver never sees it,
  nor a hint they have not revealed. Nothing is rated after a give-up (the solution is
  known).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, case, delete, exists, func, insert, or_, select

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ValidationFailed,
    field_error,
    pydantic_errors,
)
from webapp.extensions import db
from webapp.i18n import user_locale, user_zone
from webapp.outbox import queue_message
from webapp.pagination import Page, paginate, unique_scalars
from webapp.problems import rating as model
from webapp.problems.answers import is_close, is_correct, same_choices
from webapp.problems.models import (
    AnswerKind,
    Attempt,
    HintUse,
    LeaderboardMember,
    Problem,
    ProblemRating,
    ProblemStatus,
    UserRating,
)
from webapp.problems.schemas import ProblemIn
from webapp.users.models import Role, User
from webapp.users.roles import is_staff, require_admin, require_staff

AUTHOR_ROLES = (Role.TEACHER, Role.ADMIN)
# Recommendations rank this many nearest candidates per requested item before mixing topics.
RECOMMENDATION_POOL_FACTOR = 5


@dataclass(frozen=True)
class ProblemData:
    """A problem's design, already validated by `schemas.ProblemIn` (the kind's rules)."""

    title: str
    statement: str
    answer: str | None
    topic: str
    difficulty: int = 3
    solution: str | None = None
    hints: tuple[str, ...] | list[str] = ()
    answer_kind: AnswerKind = AnswerKind.TEXT
    tolerance: float | None = None
    options: list[str] | None = None
    correct_options: list[int] | None = None


@dataclass(frozen=True)
class Help:
    """What a reader may see of a problem's help: revealed hints, and the answer and the
    solution once earned (`earned`)."""

    problem: Problem
    hints_used: int
    solved: bool
    gave_up: bool
    earned: bool

    @property
    def hints(self) -> list[str]:
        return list(self.problem.hints[: self.hints_used])

    @property
    def hints_left(self) -> int:
        return self.problem.hints_total - self.hints_used

    @property
    def solution(self) -> str | None:
        return self.problem.solution if self.earned else None

    @property
    def answer(self) -> str | None:
        return self.problem.answer if self.earned else None


@dataclass(frozen=True)
class Prediction:
    problem_id: int
    predicted_success: float
    user_rating: float
    user_attempts: int
    problem_rating: float
    problem_attempts: int
    solved: bool


@dataclass(frozen=True)
class Recommendation:
    problem: Problem
    predicted_success: float


# --- who sees what -------------------------------------------------------------------------


def can_author(user: User) -> bool:
    return user.role in AUTHOR_ROLES


def can_delete(user: User) -> bool:
    return is_staff(user)


def shows_answer(user: User, problem: Problem) -> bool:
    """Authors and staff see the answer and the moderation details; solvers never do."""
    return is_staff(user) or problem.author_id == user.id


def _visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition: the problems this user may see."""
    live = Problem.deleted_at.is_(None)
    if is_staff(user):
        return live
    return and_(live, or_(Problem.status == ProblemStatus.APPROVED, Problem.author_id == user.id))


def get_visible(actor: User, problem_id: int) -> Problem:
    """The problem, or NotFound when it is deleted or not the actor's to see."""
    problem = db.session.scalars(
        select(Problem).where(Problem.id == problem_id, _visible_to(actor))
    ).first()
    if problem is None:
        raise NotFound(_l("No such problem."))
    return problem


def clean_topic(topic: str) -> str:
    return " ".join(topic.split())


# --- reading -------------------------------------------------------------------------------


def list_problems(
    actor: User,
    *,
    topic: str | None = None,
    search: str | None = None,
    status: ProblemStatus | None = None,
    creator_id: int | None = None,
    skip: int = 0,
    limit: int = 20,
) -> Page[Problem]:
    """The catalogue: approved problems, by topic, search and author (`creator_id`); staff
    may ask for another status."""
    if status not in (None, ProblemStatus.APPROVED) and not is_staff(actor):
        raise Forbidden(_l("Only moderators and admins may list unapproved problems."))
    query = select(Problem).where(
        Problem.deleted_at.is_(None), Problem.status == (status or ProblemStatus.APPROVED)
    )
    if creator_id is not None:
        query = query.where(Problem.author_id == creator_id)
    if topic and topic.strip():
        query = query.where(func.lower(Problem.topic) == clean_topic(topic).lower())
    if search and search.strip():
        term = search.strip()
        query = query.where(
            or_(
                Problem.title.icontains(term, autoescape=True),
                Problem.statement.icontains(term, autoescape=True),
            )
        )
    return paginate(query, [Problem.id.desc()], skip=skip, limit=limit, shape=unique_scalars)


def list_topics() -> list[tuple[str, int]]:
    """Topics of approved problems with their counts, alphabetically."""
    rows = db.session.execute(
        select(Problem.topic, func.count())
        .where(Problem.deleted_at.is_(None), Problem.status == ProblemStatus.APPROVED)
        .group_by(Problem.topic)
        .order_by(Problem.topic)
    ).all()
    return [(name, count) for name, count in rows]


@dataclass(frozen=True)
class AuthoredProblem:
    """One of an author's problems with how solvers fare on it."""

    problem: Problem
    solvers: int  # people (not the author) who attempted it
    solved: int  # of them, how many solved it

    @property
    def solve_rate(self) -> float | None:
        return self.solved / self.solvers if self.solvers else None


def list_mine(actor: User, *, skip: int = 0, limit: int = 20) -> Page[AuthoredProblem]:
    """The author's own problems in every status, deleted ones too (with the reason), newest
    first, each with its solve rate: of the people who tried it, the share who solved it."""
    if not can_author(actor):
        raise Forbidden(_l("Only teachers and admins write problems."))
    query = select(Problem).where(Problem.author_id == actor.id)
    page = paginate(query, [Problem.id.desc()], skip=skip, limit=limit, shape=unique_scalars)
    counts = _solve_counts([problem.id for problem in page.items], actor.id)
    return Page(
        items=[AuthoredProblem(p, *counts.get(p.id, (0, 0))) for p in page.items],
        total=page.total,
        total_capped=page.total_capped,
        has_more=page.has_more,
    )


def _solve_counts(problem_ids: list[int], author_id: int) -> dict[int, tuple[int, int]]:
    """{problem id: (people who tried, people who solved)}, the author left out."""
    if not problem_ids:
        return {}
    solved_by = func.max(case((Attempt.is_correct.is_(True), 1), else_=0))
    per_user = (
        select(Attempt.problem_id, Attempt.user_id, solved_by.label("solved"))
        .where(Attempt.problem_id.in_(problem_ids), Attempt.user_id != author_id)
        .group_by(Attempt.problem_id, Attempt.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(per_user.c.problem_id, func.count(), func.sum(per_user.c.solved)).group_by(
            per_user.c.problem_id
        )
    ).all()
    return {problem_id: (int(tried), int(solved or 0)) for problem_id, tried, solved in rows}


def moderation_queue(actor: User, *, skip: int = 0, limit: int = 20) -> Page[Problem]:
    """Pending problems, oldest first (moderators and admins)."""
    require_staff(actor)
    query = select(Problem).where(
        Problem.deleted_at.is_(None), Problem.status == ProblemStatus.PENDING
    )
    return paginate(
        query, [Problem.updated_at, Problem.id], skip=skip, limit=limit, shape=unique_scalars
    )


# --- authoring and moderation --------------------------------------------------------------


def _apply(problem: Problem, data: ProblemData) -> None:
    """Copy a design onto a problem; a choice's `answer` is its correct options' text."""
    problem.title = data.title.strip()
    problem.statement = data.statement.strip()
    problem.answer_kind = data.answer_kind
    problem.tolerance = data.tolerance if data.answer_kind == AnswerKind.NUMBER else None
    if data.answer_kind == AnswerKind.CHOICE:
        options = [option.strip() for option in data.options or ()]
        correct = sorted(set(data.correct_options or ()))
        problem.choices, problem.correct_choices = options, correct
        problem.answer = "; ".join(options[index] for index in correct)[:200]
    else:
        problem.choices, problem.correct_choices = [], []
        problem.answer = (data.answer or "").strip()
    problem.solution = _clean_solution(data.solution)
    problem.hints = _clean_hints(data.hints)
    problem.topic = clean_topic(data.topic)
    problem.difficulty = data.difficulty


def _clean_solution(solution: str | None) -> str | None:
    return (solution or "").strip() or None


def _clean_hints(hints: tuple[str, ...] | list[str]) -> list[str]:
    return [hint.strip() for hint in hints if hint.strip()][: model.MAX_HINTS]


def create_problem(actor: User, data: ProblemData) -> Problem:
    if not can_author(actor):
        raise Forbidden(_l("Only teachers and admins write problems."))
    problem = Problem(
        author_id=actor.id,
        status=ProblemStatus.PENDING,
        version=1,
    )
    _apply(problem, data)
    db.session.add(problem)
    db.session.flush()
    db.session.add(
        ProblemRating(
            problem_id=problem.id,
            rating=model.initial_difficulty(data.difficulty),
            attempts=0,
            updated_at=utcnow(),
        )
    )
    db.session.flush()
    return problem


def get_editable(actor: User, problem_id: int) -> Problem:
    """The actor's own problem; someone else's visible one is a 403, an invisible one a 404."""
    problem = get_visible(actor, problem_id)
    if problem.author_id != actor.id:
        raise Forbidden(_l("Only the author may edit a problem."))
    return problem


def update_problem(actor: User, problem_id: int, data: ProblemData) -> Problem:
    """The author replaces the problem; it goes back to moderation."""
    problem = get_editable(actor, problem_id)
    _apply(problem, data)
    problem.status = ProblemStatus.PENDING
    problem.reject_reason = None
    problem.moderated_by_id = None
    problem.moderated_at = None
    problem.version += 1
    rating = db.session.get(ProblemRating, problem.id)
    if rating is not None and rating.attempts == 0:  # nothing learned yet: follow the author
        rating.rating = model.initial_difficulty(data.difficulty)
    db.session.flush()
    return problem


def approve_problem(actor: User, problem_id: int) -> Problem:
    return _moderate(actor, problem_id, ProblemStatus.APPROVED, None)


def reject_problem(actor: User, problem_id: int, reason: str) -> Problem:
    return _moderate(actor, problem_id, ProblemStatus.REJECTED, reason.strip())


def _moderate(actor: User, problem_id: int, decision: ProblemStatus, reason: str | None) -> Problem:
    require_staff(actor)
    problem = db.session.scalars(
        select(Problem)
        .where(Problem.id == problem_id, Problem.deleted_at.is_(None))
        .with_for_update(of=Problem)
        .execution_options(populate_existing=True)
    ).first()
    if problem is None:
        raise NotFound(_l("No such problem."))
    if problem.author_id == actor.id:
        raise Forbidden(_l("Nobody moderates their own problem."))
    if problem.status != ProblemStatus.PENDING:
        raise Conflict(_l("Only a pending problem can be approved or rejected."))
    problem.status = decision
    problem.reject_reason = reason
    problem.moderated_by_id = actor.id
    problem.moderated_at = utcnow()
    problem.version += 1
    db.session.flush()
    _tell_author(problem)
    return problem


def _tell_author(problem: Problem) -> None:
    """Queue the bot's message to the author in their language (skipped without Telegram)."""
    author = problem.author
    if author.telegram_id is None:
        return
    with force_locale(user_locale(author)):
        if problem.deleted_at is not None:
            text = gettext(
                "Your problem “%(title)s” was deleted: %(reason)s",
                title=problem.title,
                reason=problem.delete_reason,
            )
        elif problem.status == ProblemStatus.APPROVED:
            text = gettext("Your problem “%(title)s” was approved.", title=problem.title)
        else:
            text = gettext(
                "Your problem “%(title)s” was rejected: %(reason)s",
                title=problem.title,
                reason=problem.reject_reason,
            )
    queue_message(
        chat_id=author.telegram_id,
        text=text,
        dedupe_key=(
            f"problem-deleted:{problem.id}"
            if problem.deleted_at is not None
            else f"problem-moderated:{problem.id}:{problem.status}:{problem.version}"
        ),
    )


def delete_problem(actor: User, problem_id: int, reason: str) -> Problem:
    """Moderators and admins delete a problem with a reason: it disappears from every list
    and page, the attempts made on it stay in history, and the author is told why."""
    require_staff(actor, _l("Only moderators and admins may delete problems."))
    problem = db.session.scalars(
        select(Problem)
        .where(Problem.id == problem_id, Problem.deleted_at.is_(None))
        .with_for_update(of=Problem)
        .execution_options(populate_existing=True)
    ).first()
    if problem is None:
        raise NotFound(_l("No such problem."))
    problem.deleted_at = utcnow()
    problem.deleted_by_id = actor.id
    problem.delete_reason = reason.strip()
    db.session.flush()
    _tell_author(problem)
    return problem


# --- attempts and the model ----------------------------------------------------------------


def _has_solved(user_id: int, problem_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Attempt.user_id == user_id,
                    Attempt.problem_id == problem_id,
                    Attempt.is_correct.is_(True),
                )
            )
        )
    )


def _outcomes(user_id: int, problem_id: int) -> tuple[bool, bool]:
    """(solved, gave up): has the user answered this problem correctly, has they given up?"""
    rows = db.session.execute(
        select(Attempt.is_correct, Attempt.gave_up)
        .where(
            Attempt.user_id == user_id,
            Attempt.problem_id == problem_id,
            or_(Attempt.is_correct.is_(True), Attempt.gave_up.is_(True)),
        )
        .distinct()
    ).all()
    return any(correct for correct, _ in rows), any(gave_up for _, gave_up in rows)


def _hints_used(user_id: int, problem_id: int) -> int:
    row = db.session.get(HintUse, (user_id, problem_id))
    return row.hints_used if row else 0


def solution_earned(user: User, problem: Problem) -> bool:
    """May this reader see the answer and the solution? Authors and staff always; a solver
    after a correct answer or a give-up."""
    if shows_answer(user, problem):
        return True
    solved, gave_up = _outcomes(user.id, problem.id)
    return solved or gave_up


def help_for(actor: User, problem: Problem) -> Help:
    """The reader's hints and, if earned, the solution (authors and staff see everything)."""
    if shows_answer(actor, problem):
        return Help(problem, problem.hints_total, solved=False, gave_up=False, earned=True)
    solved, gave_up = _outcomes(actor.id, problem.id)
    used = min(_hints_used(actor.id, problem.id), problem.hints_total)
    return Help(problem, used, solved=solved, gave_up=gave_up, earned=solved or gave_up)


def get_help(actor: User, problem_id: int) -> Help:
    return help_for(actor, get_visible(actor, problem_id))


def _solvable(actor: User, problem_id: int) -> Problem:
    problem = get_visible(actor, problem_id)
    if problem.status != ProblemStatus.APPROVED:
        raise Conflict(_l("Only approved problems can be solved."))
    return problem


def reveal_next_hint(actor: User, problem_id: int) -> Help:
    """Reveal the actor's next hint on an approved problem (409 when none is left).

    Serialised per user by the lock on their rating row (the same lock attempts take), so
    two quick taps reveal two hints, never the same one twice or one past the last.
    """
    problem = _solvable(actor, problem_id)
    _locked_user_rating(actor.id)
    db.session.execute(
        insert_ignoring_conflicts(
            HintUse,
            db.session,
            user_id=actor.id,
            problem_id=problem.id,
            hints_used=0,
            updated_at=utcnow(),
        )
    )
    row = db.session.scalars(
        select(HintUse)
        .where(HintUse.user_id == actor.id, HintUse.problem_id == problem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if row.hints_used >= problem.hints_total:
        raise Conflict(_l("There are no more hints for this problem."))
    row.hints_used += 1
    row.updated_at = utcnow()
    db.session.flush()
    return help_for(actor, problem)


def give_up(actor: User, problem_id: int) -> Attempt:
    """Give up on an approved problem: recorded as an attempt (no answer, not correct) that
    reveals the answer and the solution. It counts for the model as a failure (rated like a
    wrong answer when the actor's attempts are still rated); 409 once solved or given up."""
    problem = _solvable(actor, problem_id)
    user_rating = _locked_user_rating(actor.id)
    solved, gave_up = _outcomes(actor.id, problem.id)
    if solved:
        raise Conflict(_l("You have already solved this problem."))
    if gave_up:
        raise Conflict(_l("You have already given up on this problem."))
    return _record_attempt(actor, problem, user_rating, answer="", correct=False, gave_up=True)


def _locked_user_rating(user_id: int) -> UserRating:
    db.session.execute(
        insert_ignoring_conflicts(
            UserRating, db.session, user_id=user_id, rating=0.0, attempts=0, updated_at=utcnow()
        )
    )
    return db.session.scalars(
        select(UserRating)
        .where(UserRating.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _locked_problem_rating(problem: Problem) -> ProblemRating:
    db.session.execute(
        insert_ignoring_conflicts(
            ProblemRating,
            db.session,
            problem_id=problem.id,
            rating=model.initial_difficulty(problem.difficulty),
            attempts=0,
            updated_at=utcnow(),
        )
    )
    return db.session.scalars(
        select(ProblemRating)
        .where(ProblemRating.problem_id == problem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _check_attempt_rate(user_id: int, problem_id: int) -> None:
    """Refuse an attempt beyond the limit per user and problem, saying when the oldest
    counted attempt leaves the window (counted from the attempts themselves, so it holds
    on every process and without Redis)."""
    config = current_app.config
    limit = int(config["PROBLEM_ATTEMPTS_PER_WINDOW"])
    window = timedelta(seconds=int(config["PROBLEM_ATTEMPT_WINDOW_SECONDS"]))
    now = utcnow()
    recent = db.session.scalars(
        select(Attempt.created_at)
        .where(
            Attempt.user_id == user_id,
            Attempt.problem_id == problem_id,
            Attempt.created_at > now - window,
        )
        .order_by(Attempt.created_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return
    retry_after = max(1, math.ceil((recent[-1] + window - now).total_seconds()))
    raise RateLimited(
        _l(
            "At most %(limit)s answers to one problem in %(minutes)s minutes: "
            "try again in %(seconds)s s.",
            limit=limit,
            minutes=max(1, round(window.total_seconds() / 60)),
            seconds=retry_after,
        ),
        retry_after=retry_after,
    )


def check_answer(
    problem: Problem, answer: str | None, choices: list[int] | None
) -> tuple[bool, str]:
    """(correct?, the answer as stored) by the problem's kind; the wrong way of answering
    for the kind is a 422 naming `answer` or `choices`."""
    if problem.answer_kind == AnswerKind.CHOICE:
        if choices is None or any(index >= len(problem.choices) for index in choices):
            message = _l("Pick one or more of the problem's options.")
            raise ValidationFailed(message, errors=[field_error("choices", message)])
        picked = sorted(set(choices))
        text = "; ".join(problem.choices[index] for index in picked)[:200]
        return same_choices(picked, problem.correct_choices), text
    if answer is None or choices is not None:
        message = _l("Type the answer.")
        raise ValidationFailed(message, errors=[field_error("answer", message)])
    if problem.answer_kind == AnswerKind.NUMBER:
        return is_close(answer, problem.answer, problem.tolerance), answer
    return is_correct(answer, problem.answer), answer


def submit_attempt(
    actor: User, problem_id: int, answer: str | None, choices: list[int] | None = None
) -> Attempt:
    """Check the answer, record the attempt and let the model learn from it.

    Locks are taken in a fixed order — the user's rating, then the problem's — so
    concurrent attempts neither lose updates nor deadlock. Only attempts up to a user's
    first success on a problem are rated, and never the author's own.
    """
    problem = _solvable(actor, problem_id)
    user_rating = _locked_user_rating(actor.id)  # also serialises this user's attempts
    correct, text = check_answer(problem, answer, choices)
    _check_attempt_rate(actor.id, problem.id)
    return _record_attempt(actor, problem, user_rating, answer=text, correct=correct)


def _record_attempt(
    actor: User,
    problem: Problem,
    user_rating: UserRating,
    *,
    answer: str,
    correct: bool,
    gave_up: bool = False,
) -> Attempt:
    """Store an attempt and, while the actor's attempts on it are rated (not the author,
    not yet solved, not given up), move both ratings by `rating.update` with the hints the
    actor had revealed."""
    problem_rating = _locked_problem_rating(problem)
    solved, given_up = _outcomes(actor.id, problem.id)
    rated = problem.author_id != actor.id and not solved and not given_up
    hints_used = _hints_used(actor.id, problem.id)
    step = model.update(
        user_rating.rating,
        user_rating.attempts,
        problem_rating.rating,
        problem_rating.attempts,
        correct,
        hints_used,
    )
    if rated:
        now = utcnow()
        user_rating.rating, user_rating.attempts = step.skill, user_rating.attempts + 1
        problem_rating.rating = step.difficulty
        problem_rating.attempts += 1
        user_rating.updated_at = problem_rating.updated_at = now
    attempt = Attempt(
        user_id=actor.id,
        problem_id=problem.id,
        answer=answer.strip(),
        is_correct=correct,
        hints_used=hints_used,
        gave_up=gave_up,
        predicted_success=step.predicted,
        rated=rated,
        rating_after=user_rating.rating,
        created_at=utcnow(),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def list_attempts(
    actor: User,
    *,
    correct: bool | None = None,
    problem_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    skip: int = 0,
    limit: int = 20,
) -> Page[Attempt]:
    """The actor's own attempts, newest first, filtered."""
    query = select(Attempt).where(Attempt.user_id == actor.id)
    if correct is not None:
        query = query.where(Attempt.is_correct.is_(correct))
    if problem_id is not None:
        query = query.where(Attempt.problem_id == problem_id)
    if start is not None:
        query = query.where(Attempt.created_at >= start)
    if end is not None:
        query = query.where(Attempt.created_at <= end)
    return paginate(
        query,
        [Attempt.created_at.desc(), Attempt.id.desc()],
        skip=skip,
        limit=limit,
        shape=unique_scalars,
    )


def latest_attempt(actor: User, problem_id: int) -> Attempt:
    attempts = list_attempts(actor, problem_id=problem_id, limit=1).items
    if not attempts:
        raise NotFound(_l("No attempts on this problem yet."))
    return attempts[0]


def solved_problem_ids(actor: User, problem_ids: list[int]) -> set[int]:
    if not problem_ids:
        return set()
    return set(
        db.session.scalars(
            select(Attempt.problem_id)
            .where(
                Attempt.user_id == actor.id,
                Attempt.problem_id.in_(problem_ids),
                Attempt.is_correct.is_(True),
            )
            .distinct()
        )
    )


def _user_rating(user_id: int) -> tuple[float, int]:
    row = db.session.get(UserRating, user_id)
    return (row.rating, row.attempts) if row else (0.0, 0)


def predict(actor: User, problem_id: int) -> Prediction:
    """The actor's chance of solving a problem they can see, with the ratings behind it."""
    problem = get_visible(actor, problem_id)
    skill, user_attempts = _user_rating(actor.id)
    row = db.session.get(ProblemRating, problem.id)
    difficulty, problem_attempts = (
        (row.rating, row.attempts) if row else (model.initial_difficulty(problem.difficulty), 0)
    )
    return Prediction(
        problem_id=problem.id,
        predicted_success=model.predict(skill, difficulty),
        user_rating=skill,
        user_attempts=user_attempts,
        problem_rating=difficulty,
        problem_attempts=problem_attempts,
        solved=_has_solved(actor.id, problem.id),
    )


def recommend(
    actor: User, *, limit: int = 10, target: float = model.DEFAULT_TARGET
) -> list[Recommendation]:
    """Unsolved approved problems (not the actor's own) whose predicted success is closest
    to `target`, mixed across topics.

    p = sigmoid(θ - β) is monotone in β, so "closest p" is "closest β to θ - logit(target)":
    the database ranks by that distance; the nearest few are then dealt out round-robin by
    topic (topics in the order of their best candidate).
    """
    skill, _ = _user_rating(actor.id)
    ideal = model.difficulty_for_target(skill, target)
    solved = exists().where(
        Attempt.user_id == actor.id,
        Attempt.problem_id == Problem.id,
        Attempt.is_correct.is_(True),
    )
    rows = db.session.execute(
        select(Problem, ProblemRating.rating)
        .join(ProblemRating, ProblemRating.problem_id == Problem.id)
        .where(
            Problem.status == ProblemStatus.APPROVED,
            Problem.deleted_at.is_(None),
            Problem.author_id != actor.id,
            ~solved,
        )
        .order_by(func.abs(ProblemRating.rating - ideal), Problem.id)
        .limit(limit * RECOMMENDATION_POOL_FACTOR)
    ).all()
    by_topic: OrderedDict[str, list[Recommendation]] = OrderedDict()
    for problem, difficulty in rows:
        item = Recommendation(problem, model.predict(skill, difficulty))
        by_topic.setdefault(problem.topic.lower(), []).append(item)
    mixed: list[Recommendation] = []
    while len(mixed) < limit and by_topic:
        for key in list(by_topic):
            mixed.append(by_topic[key].pop(0))
            if not by_topic[key]:
                del by_topic[key]
            if len(mixed) == limit:
                break
    return mixed


# --- the problem bank ----------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedRow:
    row: int  # 1-based position in the file (a CSV's header not counted)
    errors: list[dict[str, str]]  # as a 422's: field, message, type


@dataclass(frozen=True)
class ImportReport:
    imported: int
    rejected: list[RejectedRow]
    status: ProblemStatus


def import_problems(actor: User, rows: list[Any], *, approve: bool = False) -> ImportReport:
    """Validate each row with the API's own schema (`ProblemIn`), store the good ones as
    `pending` (or `approved` when an admin asks) in one bulk insert, and report each bad row
    with the fields it got wrong. Nothing is stored for a bad row; good rows never wait on
    bad ones. Teachers and admins import; only admins approve on import."""
    if not can_author(actor):
        raise Forbidden(_l("Only teachers and admins write problems."))
    if approve:
        require_admin(actor, _l("Only admins may approve problems on import."))
    status = ProblemStatus.APPROVED if approve else ProblemStatus.PENDING
    now = utcnow()
    good: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    for number, row in enumerate(rows, start=1):
        try:
            body = ProblemIn.model_validate(row)
        except ValidationError as exc:
            rejected.append(RejectedRow(number, pydantic_errors(exc)))
            continue
        problem = Problem(author_id=actor.id, status=status, version=1)
        _apply(problem, ProblemData(**body.model_dump()))
        values = {column: getattr(problem, column) for column in _BANK_COLUMNS}
        values.update(created_at=now, updated_at=now)
        if approve:
            values.update(moderated_by_id=actor.id, moderated_at=now)
        good.append(values)
    if good:
        ids = db.session.scalars(
            insert(Problem).returning(Problem.id, sort_by_parameter_order=True), good
        ).all()
        db.session.execute(
            insert(ProblemRating),
            [
                {
                    "problem_id": problem_id,
                    "rating": model.initial_difficulty(values["difficulty"]),
                    "attempts": 0,
                    "updated_at": now,
                }
                for problem_id, values in zip(ids, good, strict=True)
            ],
        )
    db.session.flush()
    return ImportReport(imported=len(good), rejected=rejected, status=status)


_BANK_COLUMNS = (
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
    "author_id",
    "status",
    "version",
)


def export_problems(actor: User, *, status: ProblemStatus | None = None) -> list[Problem]:
    """Every live problem (of one status if asked), oldest first, for staff; an author
    exports their own."""
    query = select(Problem).where(Problem.deleted_at.is_(None)).order_by(Problem.id)
    if not is_staff(actor):
        if not can_author(actor):
            raise Forbidden(_l("Only teachers and admins write problems."))
        query = query.where(Problem.author_id == actor.id)
    if status is not None:
        query = query.where(Problem.status == status)
    return list(db.session.scalars(query).unique())


# --- progress ------------------------------------------------------------------------------

PROGRESS_DAYS = 90
TOPIC_CHUNK = 500  # problem ids per IN (…) when reading the topics of a user's problems
LEADERBOARD_SIZE = 20


@dataclass(frozen=True)
class TopicProgress:
    topic: str
    solved: int  # distinct problems solved
    attempted: int  # distinct problems tried


@dataclass(frozen=True)
class RatingPoint:
    day: date  # the user's local day
    rating: float  # the rating at the end of that day


@dataclass(frozen=True)
class Progress:
    rating: float
    rated_attempts: int
    solved: int
    history: list[RatingPoint]
    topics: list[TopicProgress]
    streak: int  # consecutive local days with a solved problem, up to today (or yesterday)
    on_leaderboard: bool


def progress(actor: User, *, today: date | None = None) -> Progress:
    """The actor's rating over the last `PROGRESS_DAYS` days (one point per local day with
    rated attempts, the rating at its end), solved and tried problems per topic, and the
    current streak: consecutive days, in the user's time zone, on each of which they solved
    a problem, ending today or yesterday (a day not over yet does not break it)."""
    zone = user_zone(actor)
    today = today or utcnow().astimezone(zone).date()
    skill, rated = _user_rating(actor.id)
    since = datetime.combine(today - timedelta(days=PROGRESS_DAYS), time(), zone)
    rows = db.session.execute(
        select(Attempt.created_at, Attempt.rating_after)
        .where(
            Attempt.user_id == actor.id,
            Attempt.rated.is_(True),
            Attempt.rating_after.is_not(None),
            Attempt.created_at >= since,
        )
        .order_by(Attempt.created_at, Attempt.id)
    ).all()
    by_day: dict[date, float] = {}
    for moment, rating_after in rows:
        by_day[moment.astimezone(zone).date()] = rating_after
    history = [RatingPoint(day, value) for day, value in sorted(by_day.items())]

    # the user's attempts per problem (their index), then those problems' topics by key
    solved_problem = func.max(case((Attempt.is_correct.is_(True), 1), else_=0))
    outcome: dict[int, int] = {
        problem_id: int(solved or 0)
        for problem_id, solved in db.session.execute(
            select(Attempt.problem_id, solved_problem)
            .where(Attempt.user_id == actor.id)
            .group_by(Attempt.problem_id)
        ).all()
    }
    tally: dict[str, list[int]] = {}
    ids = sorted(outcome)
    for start in range(0, len(ids), TOPIC_CHUNK):
        chunk = ids[start : start + TOPIC_CHUNK]
        for problem_id, topic in db.session.execute(
            select(Problem.id, Problem.topic).where(Problem.id.in_(chunk))
        ).all():
            counts = tally.setdefault(topic, [0, 0])
            counts[0] += outcome[problem_id]
            counts[1] += 1
    topics = [TopicProgress(name, solved, tried) for name, (solved, tried) in sorted(tally.items())]
    solved_moments = db.session.scalars(
        select(Attempt.created_at).where(
            Attempt.user_id == actor.id,
            Attempt.is_correct.is_(True),
            Attempt.created_at >= since - timedelta(days=PROGRESS_DAYS * 3),
        )
    ).all()
    return Progress(
        rating=skill,
        rated_attempts=rated,
        solved=sum(topic.solved for topic in topics),
        history=history,
        topics=topics,
        streak=streak_of({moment.astimezone(zone).date() for moment in solved_moments}, today),
        on_leaderboard=db.session.get(LeaderboardMember, actor.id) is not None,
    )


def streak_of(days: set[date], today: date) -> int:
    """Consecutive days in `days` ending today, or yesterday when today has none yet."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def set_leaderboard(actor: User, joined: bool) -> bool:
    """Opt in to (or out of) the per-topic leaderboards; idempotent."""
    if joined:
        db.session.execute(
            insert_ignoring_conflicts(
                LeaderboardMember, db.session, user_id=actor.id, joined_at=utcnow()
            )
        )
    else:
        db.session.execute(delete(LeaderboardMember).where(LeaderboardMember.user_id == actor.id))
    db.session.flush()
    return joined


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    display_name: str
    solved: int
    is_you: bool


def leaderboard(actor: User, topic: str) -> list[LeaderboardRow]:
    """The opted-in users who solved most distinct live problems of `topic`, best first (ties
    by name), showing their display names only (first and last name, never a username)."""
    key = clean_topic(topic).lower()
    solved = func.count(func.distinct(Attempt.problem_id)).label("solved")
    rows = db.session.execute(
        select(User.id, User.first_name, User.last_name, solved)
        .join(LeaderboardMember, LeaderboardMember.user_id == User.id)
        .join(Attempt, Attempt.user_id == User.id)
        .join(Problem, Problem.id == Attempt.problem_id)
        .where(
            Attempt.is_correct.is_(True),
            Problem.deleted_at.is_(None),
            func.lower(Problem.topic) == key,
        )
        .group_by(User.id, User.first_name, User.last_name)
        .order_by(solved.desc(), User.first_name, User.id)
        .limit(LEADERBOARD_SIZE)
    ).all()
    return [
        LeaderboardRow(rank, " ".join(filter(None, (first, last))) or "—", count, uid == actor.id)
        for rank, (uid, first, last, count) in enumerate(rows, start=1)
    ]
