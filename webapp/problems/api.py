"""JSON routes of the problem book: problems, attempts (history), prediction, recommendations."""

from __future__ import annotations

from typing import Any

from webapp.api import Page, Pagination, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required
from webapp.extensions import db
from webapp.problems import services
from webapp.problems.schemas import (
    AttemptIn,
    AttemptOut,
    ByStatusQuery,
    DeleteIn,
    HelpOut,
    LeaderboardIn,
    LeaderboardOut,
    LeaderboardQuery,
    LeaderboardRowOut,
    MyProblemOut,
    PredictionOut,
    ProblemFullOut,
    ProblemIn,
    ProblemOut,
    ProblemPath,
    ProblemQuery,
    ProblemViewOut,
    RangeQuery,
    RecommendationList,
    RecommendationOut,
    RecommendationQuery,
    RejectIn,
    SolvingProgressOut,
    problem_out,
)

bp = api_blueprint(
    "problems_api", __name__, "/api/problems", tag="problems", description="The problem book"
)
attempts_bp = api_blueprint(
    "attempts_api", __name__, "/api/attempts", tag="attempts", description="Solving and history"
)
recommendations_bp = api_blueprint(
    "recommendations_api",
    __name__,
    "/api/recommendations",
    tag="recommendations",
    description="What to solve next",
)


def problem_view(problem: Any) -> ProblemOut:
    """The caller's view of a problem: with the answer for its author and staff only."""
    schema = ProblemFullOut if services.shows_answer(current(), problem) else ProblemOut
    return problem_out(schema, problem, current().id)


def data_of(body: ProblemIn) -> services.ProblemData:
    return services.ProblemData(**body.model_dump())


@bp.get("", responses={200: Page[ProblemOut]})
@login_required
def list_problems(query: ProblemQuery):
    """Approved problems, by topic, search and author (`creator_id`); staff may pass
    another `status`."""
    page = services.list_problems(
        current(),
        topic=query.topic,
        search=query.search,
        status=query.status,
        creator_id=query.creator_id,
        skip=query.skip,
        limit=query.limit,
    )
    return page_of(ProblemOut, page, query, serialize=problem_view)


@bp.post("", responses={201: ProblemFullOut, 422: Problem})
@login_required
def create_problem(body: ProblemIn):
    """Write a problem (teachers and admins); it waits for moderation."""
    problem = services.create_problem(current(), data_of(body))
    db.session.commit()
    return respond(ProblemFullOut, ProblemFullOut.of(problem), 201)


@bp.get("/mine", responses={200: Page[MyProblemOut]})
@login_required
def my_problems(query: Pagination):
    """The caller's own problems in every status, deleted ones too, each with the reason it
    was rejected or deleted and its solve rate (teachers and admins)."""
    page = services.list_mine(current(), skip=query.skip, limit=query.limit)
    return page_of(MyProblemOut, page, query, serialize=MyProblemOut.of_authored)


@bp.get("/moderation", responses={200: Page[ProblemFullOut]})
@login_required
def moderation_queue(query: Pagination):
    """Pending problems, oldest first (moderators and admins)."""
    page = services.moderation_queue(current(), skip=query.skip, limit=query.limit)
    return page_of(ProblemFullOut, page, query, serialize=ProblemFullOut.of)


@bp.get("/<int:problem_id>", responses={200: ProblemViewOut, 404: Problem})
@login_required
def get_problem(path: ProblemPath):
    """One problem; the answer only for its author and staff."""
    problem = services.get_visible(current(), path.problem_id)
    return respond(ProblemOut, problem_view(problem))


@bp.put("/<int:problem_id>", responses={200: ProblemFullOut, 404: Problem})
@login_required
def update_problem(path: ProblemPath, body: ProblemIn):
    """Replace your own problem; it goes back to moderation."""
    problem = services.update_problem(current(), path.problem_id, data_of(body))
    db.session.commit()
    return respond(ProblemFullOut, ProblemFullOut.of(problem))


@bp.delete("/<int:problem_id>", responses={204: None, 404: Problem})
@login_required
def delete_problem(path: ProblemPath, body: DeleteIn):
    """Delete a problem with a reason (moderators and admins); the author is told why."""
    services.delete_problem(current(), path.problem_id, body.reason)
    db.session.commit()
    return no_content()


@bp.patch("/<int:problem_id>/approve", responses={200: ProblemFullOut, 409: Problem})
@login_required
def approve_problem(path: ProblemPath):
    """Approve a pending problem (moderators and admins); the author is told."""
    problem = services.approve_problem(current(), path.problem_id)
    db.session.commit()
    return respond(ProblemFullOut, ProblemFullOut.of(problem))


@bp.patch("/<int:problem_id>/reject", responses={200: ProblemFullOut, 409: Problem})
@login_required
def reject_problem(path: ProblemPath, body: RejectIn):
    """Reject a pending problem with a reason (moderators and admins); the author is told."""
    problem = services.reject_problem(current(), path.problem_id, body.reason)
    db.session.commit()
    return respond(ProblemFullOut, ProblemFullOut.of(problem))


def help_out(help: services.Help) -> HelpOut:
    return HelpOut(
        problem_id=help.problem.id,
        hints_total=help.problem.hints_total,
        hints_used=help.hints_used,
        hints=help.hints,
        solved=help.solved,
        gave_up=help.gave_up,
        answer=help.answer,
        solution=help.solution,
    )


@bp.get("/<int:problem_id>/help", responses={200: HelpOut, 404: Problem})
@login_required
def get_help(path: ProblemPath):
    """Your revealed hints; the answer and the worked solution once you have solved the
    problem or given up (its author and staff see everything)."""
    return respond(HelpOut, help_out(services.get_help(current(), path.problem_id)))


@bp.post("/<int:problem_id>/hints/next", responses={200: HelpOut, 409: Problem})
@login_required
def next_hint(path: ProblemPath):
    """Reveal your next hint (409 when none is left). Each hint used lowers what a correct
    answer counts for your rating: 1 - 0.25 per hint (see `webapp/problems/rating.py`)."""
    help = services.reveal_next_hint(current(), path.problem_id)
    db.session.commit()
    return respond(HelpOut, help_out(help))


@bp.post("/<int:problem_id>/give-up", responses={201: AttemptOut, 409: Problem})
@login_required
def give_up(path: ProblemPath):
    """Give up: recorded as an attempt (a failure for the rating) that reveals the answer
    and the worked solution; 409 once solved or given up."""
    attempt = services.give_up(current(), path.problem_id)
    db.session.commit()
    return respond(AttemptOut, AttemptOut.of(attempt), 201)


@bp.get("/<int:problem_id>/prediction", responses={200: PredictionOut, 404: Problem})
@login_required
def prediction(path: ProblemPath):
    """The caller's predicted chance of solving this problem, and the ratings behind it."""
    return respond(PredictionOut, services.predict(current(), path.problem_id))


@attempts_bp.post("", responses={201: AttemptOut, 404: Problem, 409: Problem, 429: Problem})
@login_required
def submit_attempt(body: AttemptIn):
    """Answer an approved problem: `is_correct` at once, the answer revealed once correct."""
    attempt = services.submit_attempt(current(), body.problem_id, body.answer, body.choices)
    db.session.commit()
    return respond(AttemptOut, AttemptOut.of(attempt), 201)


def _attempt_page(query: Pagination, **filters: Any):
    page = services.list_attempts(current(), skip=query.skip, limit=query.limit, **filters)
    return page_of(AttemptOut, page, query, serialize=AttemptOut.of)


@attempts_bp.get("/my", responses={200: Page[AttemptOut]})
@login_required
def my_attempts(query: Pagination):
    """Your attempts, newest first."""
    return _attempt_page(query)


@attempts_bp.get("/my/by-status", responses={200: Page[AttemptOut]})
@login_required
def my_attempts_by_status(query: ByStatusQuery):
    """Your correct (`correct=true`) or wrong (`correct=false`) attempts."""
    return _attempt_page(query, correct=query.correct)


@attempts_bp.get("/my/problem/<int:problem_id>", responses={200: Page[AttemptOut]})
@login_required
def my_attempts_on_problem(path: ProblemPath, query: Pagination):
    """Your attempts on one problem."""
    return _attempt_page(query, problem_id=path.problem_id)


@attempts_bp.get("/my/problem/<int:problem_id>/latest", responses={200: AttemptOut, 404: Problem})
@login_required
def my_latest_attempt(path: ProblemPath):
    """Your latest attempt on one problem (404 when there is none)."""
    return respond(AttemptOut, AttemptOut.of(services.latest_attempt(current(), path.problem_id)))


@attempts_bp.get("/my/range", responses={200: Page[AttemptOut]})
@login_required
def my_attempts_in_range(query: RangeQuery):
    """Your attempts between `from` and `to` (ISO 8601 with an offset; both inclusive)."""
    return _attempt_page(query, start=query.from_, end=query.to)


@recommendations_bp.get("", responses={200: RecommendationList})
@login_required
def recommendations(query: RecommendationQuery):
    """Unsolved approved problems with predicted success closest to `target`, mixed topics."""
    items = services.recommend(current(), limit=query.limit, target=query.target)
    body = RecommendationList(
        target=query.target,
        items=[
            RecommendationOut(
                problem=problem_out(ProblemOut, item.problem, current().id),
                predicted_success=item.predicted_success,
            )
            for item in items
        ],
    )
    return respond(RecommendationList, body)


progress_bp = api_blueprint(
    "progress_api", __name__, "/api/progress", tag="progress", description="Your progress"
)


@progress_bp.get("", responses={200: SolvingProgressOut})
@login_required
def get_progress():
    """Your rating over time, solved problems per topic, and your current streak of days
    with a solved problem (in your time zone)."""
    return respond(SolvingProgressOut, services.progress(current()))


@progress_bp.put("/leaderboard", responses={200: SolvingProgressOut})
@login_required
def join_leaderboard(body: LeaderboardIn):
    """Opt in to (or out of) the topic leaderboards, where only your display name shows."""
    services.set_leaderboard(current(), body.joined)
    db.session.commit()
    return respond(SolvingProgressOut, services.progress(current()))


@progress_bp.get("/leaderboard", responses={200: LeaderboardOut})
@login_required
def get_leaderboard(query: LeaderboardQuery):
    """Who solved most problems of a topic, among those who opted in (display names only)."""
    rows = services.leaderboard(current(), query.topic)
    body = LeaderboardOut(
        topic=query.topic,
        items=[LeaderboardRowOut.model_validate(row, from_attributes=True) for row in rows],
    )
    return respond(LeaderboardOut, body)


blueprints = (bp, attempts_bp, recommendations_bp, progress_bp)
