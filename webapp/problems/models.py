"""Problems, attempts, and the ratings the prediction model learns from attempts."""

from __future__ import annotations

import enum
import random
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import TimestampMixin, UTCDateTime, utcnow, value_enum
from webapp.extensions import Model
from webapp.users.models import User


class ProblemStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AnswerKind(enum.StrEnum):
    TEXT = "text"  # compared as text (case, spaces, NFKC forgiven; numbers by value)
    NUMBER = "number"  # a number, within an optional tolerance
    CHOICE = "choice"  # one or several of the options


class Problem(TimestampMixin, Model):
    __tablename__ = "problems"
    __table_args__ = (
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty_range"),
        # the topic chips (counts of live problems by topic): read from the index alone
        Index(
            "ix_problems_live_status_topic",
            "status",
            "topic",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # the catalogue (newest first), by topic (case-insensitive), the moderation queue
        Index("ix_problems_status_id", "status", "id"),
        Index("ix_problems_status_topic_lower", "status", text("lower(topic)"), "id"),
        Index("ix_problems_status_updated", "status", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    statement: Mapped[str] = mapped_column(Text, nullable=False)
    # For a choice, `answer` is the correct options' text (for people); checks use the indexes.
    answer: Mapped[str] = mapped_column(String(200), nullable=False)
    answer_kind: Mapped[AnswerKind] = mapped_column(
        value_enum(AnswerKind, "answer_kind"),
        default=AnswerKind.TEXT,
        server_default=AnswerKind.TEXT.value,
        nullable=False,
    )
    tolerance: Mapped[float | None] = mapped_column(Float)
    choices: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'"), nullable=False
    )
    correct_choices: Mapped[list[int]] = mapped_column(
        JSON, default=list, server_default=text("'[]'"), nullable=False
    )
    # The worked solution and up to three hints: shown to a solver only once earned
    # (`webapp.problems.services.solution_earned`, `reveal_next_hint`).
    solution: Mapped[str | None] = mapped_column(Text)
    hints: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'"), nullable=False
    )
    topic: Mapped[str] = mapped_column(String(64), nullable=False)
    # The author's estimate, 1 (easy) … 5 (hard); the learned difficulty is in ProblemRating.
    difficulty: Mapped[int] = mapped_column(Integer, default=3, nullable=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    status: Mapped[ProblemStatus] = mapped_column(
        value_enum(ProblemStatus, "problem_status"),
        default=ProblemStatus.PENDING,
        nullable=False,
    )
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    # Bumped by every edit and every moderation decision: names one state of the problem.
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who deleted it and why (moderators and admins give a reason; the author sees it).
    # (no foreign key: see migration problems_0004; users are never removed)
    deleted_by_id: Mapped[int | None] = mapped_column(Integer)
    delete_reason: Mapped[str | None] = mapped_column(String(500))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    rating: Mapped[ProblemRating] = relationship(back_populates="problem", uselist=False)

    @property
    def hints_total(self) -> int:
        return len(self.hints or ())

    @property
    def multiple(self) -> bool:
        """Does a choice have several correct options (check all that apply)?"""
        return len(self.correct_choices or ()) > 1

    def options_for(self, user_id: int) -> list[tuple[int, str]]:
        """The options as (index, text), shuffled for this user: the same order every time
        they look (seeded by problem and user), a different one for the next student."""
        order = list(enumerate(self.choices or ()))
        random.Random(f"problem-options:{self.id}:{user_id}").shuffle(order)
        return order

    def __repr__(self) -> str:
        return f"<Problem {self.id} {self.status}>"


class Attempt(Model):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_created", "user_id", "created_at"),
        Index("ix_attempts_user_problem", "user_id", "problem_id", "is_correct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), nullable=False, index=True
    )
    answer: Mapped[str] = mapped_column(String(200), nullable=False)
    is_correct: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # How many hints the user had seen when answering (a correct answer counts less), and
    # whether this is a give-up (no answer; it reveals the solution).
    hints_used: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), nullable=False
    )
    gave_up: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false"), nullable=False
    )
    # What the model predicted just before this attempt, and whether it learned from it
    # (only a user's attempts up to their first success count, never the author's own).
    predicted_success: Mapped[float] = mapped_column(Float, nullable=False)
    rated: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # The user's rating right after this attempt (the progress chart); null before it existed.
    rating_after: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    problem: Mapped[Problem] = relationship(lazy="joined")


class HintUse(Model):
    """How many of a problem's hints a user has revealed (they come one at a time)."""

    __tablename__ = "problem_hint_uses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True
    )
    hints_used: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class LeaderboardMember(Model):
    """A user who chose to appear (by display name) on the per-topic leaderboards."""

    __tablename__ = "problem_leaderboard_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class UserRating(Model):
    """A user's skill θ and how many rated attempts it has seen."""

    __tablename__ = "user_ratings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    rating: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ProblemRating(Model):
    """A problem's difficulty β and how many rated attempts it has seen."""

    __tablename__ = "problem_ratings"

    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True
    )
    rating: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    problem: Mapped[Problem] = relationship(back_populates="rating")
