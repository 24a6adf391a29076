"""Mini App pages of the problem book: catalogue, solve, history, recommended, mine, moderation.

Each page is one template that extends `layout` (full page or HTMX fragment); rows and the
answer feedback are partials the page includes and the action routes render.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from markupsafe import Markup

from webapp import htmx
from webapp.auth.identity import current, login_required, role_required
from webapp.errors import ValidationFailed, field_error
from webapp.extensions import db
from webapp.forms import validate_form
from webapp.pagination import Page
from webapp.problems import markup, services
from webapp.problems.models import AnswerKind, Problem
from webapp.problems.rating import MAX_HINTS
from webapp.problems.schemas import AttemptIn, DeleteIn, ProblemIn, RejectIn
from webapp.users.models import Role
from webapp.users.roles import STAFF_ROLES, is_staff

bp = Blueprint("problems_pages", __name__, url_prefix="/problems")
PAGE_SIZE = 20


@bp.app_template_filter("problem_markup")
def problem_markup(text: str | None) -> Markup:
    """A statement, hint or solution as safe HTML: MathML for `$…$`, a small Markdown."""
    return markup.render(text)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


def _pager(result: Page[Any], page: int) -> dict[str, Any]:
    """What the pager shows: the count is bounded, so past 1000 it reads "50+" pages."""
    pages = max(1, -(-result.total // PAGE_SIZE), page + (1 if result.has_more else 0))
    return {
        "total": result.total_text,
        "count": result.total,
        "page": page,
        "pages": pages,
        "pages_text": f"{pages}+" if result.total_capped else str(pages),
    }


@bp.get("")
@login_required
def problems_page():
    """The catalogue: approved problems by topic (chips) and search."""
    topic = request.args.get("topic", "").strip()[:64] or None
    search = request.args.get("search", "").strip()[:100] or None
    page = _page_number()
    user = current()
    result = services.list_problems(
        user, topic=topic, search=search, skip=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    solved = services.solved_problem_ids(user, [p.id for p in result.items])
    return render_template(
        "problems/list.html",
        problems=result.items,
        **_pager(result, page),
        topics=services.list_topics(),
        topic=topic,
        search=search or "",
        solved=solved,
        can_author=services.can_author(user),
        is_staff=is_staff(user),
    )


def _render_problem(problem: Problem, feedback: Any = None, status: int = 200):
    user = current()
    return (
        render_template(
            "problems/solve.html",
            problem=problem,
            prediction=services.predict(user, problem.id),
            shows_answer=services.shows_answer(user, problem),
            help=services.help_for(user, problem),
            feedback=feedback,
            answer_error=None,
            can_delete=services.can_delete(user),
            delete_values={},
            delete_error=None,
        ),
        status,
    )


def _help_fragment(problem_id: int, toast: str | None = None):
    help = services.get_help(current(), problem_id)
    body = render_template("problems/partials/_help.html", help=help, problem=help.problem)
    return htmx.answer(body, 200, toast=toast)


@bp.post("/<int:problem_id>/hints/next")
@login_required
def next_hint(problem_id: int):
    """Reveal the next hint: the help partial swaps in with it."""
    services.reveal_next_hint(current(), problem_id)
    db.session.commit()
    if not htmx.is_htmx():
        return redirect(url_for("problems_pages.problem_page", problem_id=problem_id))
    return _help_fragment(problem_id)


@bp.post("/<int:problem_id>/give-up")
@login_required
def give_up(problem_id: int):
    """Give up: the help partial swaps in with the answer and the worked solution."""
    services.give_up(current(), problem_id)
    db.session.commit()
    if not htmx.is_htmx():
        return redirect(url_for("problems_pages.problem_page", problem_id=problem_id))
    return _help_fragment(problem_id)


@bp.get("/<int:problem_id>")
@login_required
def problem_page(problem_id: int):
    """One problem with its answer form (or, for its author and staff, its answer)."""
    return _render_problem(services.get_visible(current(), problem_id))


@bp.post("/<int:problem_id>/attempts")
@login_required
def submit_answer(problem_id: int):
    """Check an answer: the feedback partial swaps in under the form."""
    problem = services.get_visible(current(), problem_id)
    fields: dict[str, Any] = {"problem_id": problem_id}
    if problem.answer_kind == AnswerKind.CHOICE:
        picked = request.form.getlist("choice")
        fields["choices"] = [int(value) for value in picked if value.isdigit()]
        field = "choices"
    else:
        fields["answer"] = request.form.get("answer", "").strip()
        field = "answer"
    data, errors = validate_form(AttemptIn, fields)
    if data is None:
        message = errors.get(field) or next(iter(errors.values()))
        if htmx.is_htmx():
            return render_template("problems/partials/_feedback.html", error=message), 422
        raise ValidationFailed(message, errors=[field_error(field, message)])
    attempt = services.submit_attempt(current(), problem_id, data.answer, data.choices)
    db.session.commit()
    if htmx.is_htmx():
        return render_template(
            "problems/partials/_feedback.html",
            attempt=attempt,
            help=services.help_for(current(), attempt.problem),
            oob_help=True,
        )
    return _render_problem(attempt.problem, feedback=attempt)


@bp.get("/history")
@login_required
def history_page():
    """My attempts, newest first, optionally only correct or wrong ones."""
    verdict = request.args.get("correct")
    correct = {"true": True, "false": False}.get(verdict or "")
    page = _page_number()
    result = services.list_attempts(
        current(), correct=correct, skip=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render_template(
        "problems/history.html",
        attempts=result.items,
        **_pager(result, page),
        correct=verdict if correct is not None else None,
    )


CHART_WIDTH, CHART_HEIGHT = 320, 140
CHART_LEFT, CHART_TOP, CHART_BOTTOM_GAP = 30, 8, 18
BAR_LABEL, BAR_TRACK, BAR_ROW = 90, 190, 20


def rating_chart(history: list[services.RatingPoint]) -> dict[str, Any] | None:
    """The rating-over-time line in SVG coordinates (days along x, rating up y)."""
    if not history:
        return None
    first, last = history[0].day, history[-1].day
    span = max((last - first).days, 1)
    low = min(point.rating for point in history)
    high = max(point.rating for point in history)
    if high - low < 0.5:
        low, high = low - 0.25, high + 0.25
    right, bottom = CHART_WIDTH - 6, CHART_HEIGHT - CHART_BOTTOM_GAP
    dots = [
        (
            round(CHART_LEFT + (point.day - first).days / span * (right - CHART_LEFT), 1),
            round(bottom - (point.rating - low) / (high - low) * (bottom - CHART_TOP), 1),
        )
        for point in history
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": right,
        "top": CHART_TOP,
        "bottom": bottom,
        "low": low,
        "high": high,
        "first": format_date(first, "short"),
        "last": format_date(last, "short"),
        "dots": dots,
        "points": " ".join(f"{x},{y}" for x, y in dots),
    }


def topic_bars(topics: list[services.TopicProgress]) -> dict[str, Any] | None:
    """Solved problems per topic as horizontal bars (length relative to the best topic)."""
    if not topics:
        return None
    best = max(max(topic.solved for topic in topics), 1)
    rows = [
        {
            "topic": topic.topic,
            "solved": topic.solved,
            "attempted": topic.attempted,
            "y": index * BAR_ROW,
            "width": round(topic.solved / best * BAR_TRACK, 1),
        }
        for index, topic in enumerate(topics)
    ]
    return {
        "width": BAR_LABEL + BAR_TRACK + 40,
        "height": len(rows) * BAR_ROW,
        "label": BAR_LABEL,
        "track": BAR_TRACK,
        "rows": rows,
    }


@bp.get("/progress")
@login_required
def progress_page():
    """My progress: rating over time and solved per topic (SVG drawn here, no chart
    script), the current streak, and the leaderboard opt-in."""
    progress = services.progress(current())
    return render_template(
        "problems/progress.html",
        progress=progress,
        chart=rating_chart(progress.history),
        bars=topic_bars(progress.topics),
    )


@bp.post("/progress/leaderboard")
@login_required
def leaderboard_choice():
    """Opt in to (or out of) the leaderboards; back to the progress page with a toast."""
    joined = services.set_leaderboard(current(), bool(request.form.get("joined")))
    db.session.commit()
    toast = (
        gettext("You are on the leaderboards") if joined else gettext("You left the leaderboards")
    )
    return htmx.go(url_for("problems_pages.progress_page"), toast=toast)


@bp.get("/leaderboard")
@login_required
def leaderboard_page():
    """A topic's leaderboard among those who opted in (display names only); without a
    topic, the topics to choose from."""
    topic = request.args.get("topic", "").strip()[:64] or None
    return render_template(
        "problems/leaderboard.html",
        topic=topic,
        rows=services.leaderboard(current(), topic) if topic else [],
        topics=[] if topic else services.list_topics(),
    )


@bp.get("/recommended")
@login_required
def recommended_page():
    """What to solve next: unsolved problems at about 70 % predicted success, mixed topics."""
    return render_template(
        "problems/recommended.html", recommendations=services.recommend(current(), limit=10)
    )


@bp.get("/mine")
@role_required(Role.TEACHER, Role.ADMIN)
def mine_page():
    """The author's problems with their moderation status."""
    page = _page_number()
    result = services.list_mine(current(), skip=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render_template(
        "problems/mine.html",
        problems=result.items,
        **_pager(result, page),
    )


def _form_page(problem: Problem | None, values: dict[str, Any], errors: dict[str, str], status=200):
    return (
        render_template("problems/form.html", problem=problem, values=values, errors=errors),
        status,
    )


HINT_FIELDS = tuple(f"hint_{n}" for n in range(1, MAX_HINTS + 1))
TEXT_FIELDS = ("title", "statement", "answer_kind", "topic", "difficulty", "solution")
CORRECT_MARK = "*"


def _form_values(problem: Problem) -> dict[str, Any]:
    values = {name: getattr(problem, name) or "" for name in TEXT_FIELDS}
    values.update(zip(HINT_FIELDS, problem.hints, strict=False))
    if problem.answer_kind == AnswerKind.CHOICE:
        values["options"] = "\n".join(
            f"{CORRECT_MARK} {text}" if index in problem.correct_choices else text
            for index, text in enumerate(problem.choices)
        )
    else:
        values["answer"] = problem.answer
    values["tolerance"] = "" if problem.tolerance is None else repr(problem.tolerance)
    return values


def _design(values: dict[str, str]) -> dict[str, Any]:
    """The form's fields as `ProblemIn` input: blank optional fields left out, the options
    one per line with the correct ones marked `*`, the tolerance read with a decimal comma."""
    design: dict[str, Any] = {name: values[name] for name in TEXT_FIELDS}
    design["hints"] = [values[name] for name in HINT_FIELDS if values[name].strip()]
    kind = design["answer_kind"] = values["answer_kind"] or AnswerKind.TEXT.value
    if values["answer"].strip() or kind != AnswerKind.CHOICE:
        design["answer"] = values["answer"]
    if values["tolerance"].strip():
        design["tolerance"] = values["tolerance"].strip().replace(",", ".")
    lines = [line.strip() for line in values["options"].splitlines() if line.strip()]
    if lines or kind == AnswerKind.CHOICE:
        design["options"] = [line.removeprefix(CORRECT_MARK).strip() for line in lines]
        design["correct_options"] = [
            index for index, line in enumerate(lines) if line.startswith(CORRECT_MARK)
        ]
    return design


def _save(problem: Problem | None):
    names = (*TEXT_FIELDS, *HINT_FIELDS, "answer", "tolerance", "options")
    values = {name: request.form.get(name, "") for name in names}
    data, errors = validate_form(ProblemIn, _design(values))
    if "correct_options" in errors:
        errors.setdefault("options", errors.pop("correct_options"))
    if data is None:
        # a hint's error comes back under its position ("0"): show it under that field
        for index, name in enumerate(HINT_FIELDS):
            if str(index) in errors:
                errors[name] = errors.pop(str(index))
        return _form_page(problem, values, errors, 422)
    problem_data = services.ProblemData(**data.model_dump())
    if problem is None:
        services.create_problem(current(), problem_data)
    else:
        services.update_problem(current(), problem.id, problem_data)
    db.session.commit()
    return htmx.go(url_for("problems_pages.mine_page"), toast=gettext("Sent to moderation"))


@bp.post("/preview")
@role_required(Role.TEACHER, Role.ADMIN)
def preview():
    """The form's statement, hints and solution rendered as solvers will see them (HTMX)."""
    hints = [request.form.get(name, "") for name in HINT_FIELDS]
    return render_template(
        "problems/partials/_preview.html",
        statement=request.form.get("statement", "")[:5000],
        hints=[hint[:2000] for hint in hints if hint.strip()],
        solution=request.form.get("solution", "")[:10000],
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.TEACHER, Role.ADMIN)
def new_problem_page():
    """Write a problem; invalid fields come back inline (422)."""
    if request.method == "POST":
        return _save(None)
    return _form_page(None, {"difficulty": 3, "answer_kind": AnswerKind.TEXT.value}, {})


@bp.route("/<int:problem_id>/edit", methods=["GET", "POST"])
@role_required(Role.TEACHER, Role.ADMIN)
def edit_problem_page(problem_id: int):
    """Edit your own problem; saving sends it back to moderation."""
    problem = services.get_editable(current(), problem_id)
    if request.method == "POST":
        return _save(problem)
    return _form_page(problem, _form_values(problem), {})


@bp.post("/<int:problem_id>/delete")
@role_required(*STAFF_ROLES)
def delete_action(problem_id: int):
    """Delete with a reason (moderators and admins): back to the catalogue with a toast; a
    missing reason comes back inline (422)."""
    values = {"reason": request.form.get("reason", "")}
    body, errors = validate_form(DeleteIn, values)
    if body is None:
        problem = services.get_visible(current(), problem_id)
        message = errors.get("reason") or next(iter(errors.values()))
        if not htmx.is_htmx():
            raise ValidationFailed(message, errors=[field_error("reason", message)])
        form = render_template(
            "problems/partials/_delete_form.html",
            problem=problem,
            delete_values=values,
            delete_error=message,
        )
        return htmx.answer(form, 422)
    services.delete_problem(current(), problem_id, body.reason)
    db.session.commit()
    return htmx.go(url_for("problems_pages.problems_page"), toast=gettext("Problem deleted"))


@bp.get("/moderation")
@role_required(*STAFF_ROLES)
def moderation_page():
    """Pending problems, oldest first, with approve and reject."""
    page = _page_number()
    result = services.moderation_queue(current(), skip=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render_template(
        "problems/moderation.html",
        problems=result.items,
        **_pager(result, page),
    )


def _moderation_row(problem: Problem, message: str, error: str | None = None, status=200):
    body = render_template(
        "problems/partials/_moderation_row.html", problem=problem, reject_error=error
    )
    return htmx.answer(body, status, toast=message if status == 200 else None)


@bp.post("/<int:problem_id>/approve")
@role_required(*STAFF_ROLES)
def approve_action(problem_id: int):
    """Approve: the row is swapped for its decided state."""
    problem = services.approve_problem(current(), problem_id)
    db.session.commit()
    if not htmx.is_htmx():
        return redirect(url_for("problems_pages.moderation_page"))
    return _moderation_row(problem, gettext("Approved"))


@bp.post("/<int:problem_id>/reject")
@role_required(*STAFF_ROLES)
def reject_action(problem_id: int):
    """Reject with a reason: the row is swapped; a missing reason shows inline (422)."""
    body, errors = validate_form(RejectIn, {"reason": request.form.get("reason", "")})
    if body is None:
        problem = services.get_visible(current(), problem_id)
        message = errors.get("reason") or next(iter(errors.values()))
        if not htmx.is_htmx():
            raise ValidationFailed(message, errors=[field_error("reason", message)])
        return _moderation_row(problem, "", message, 422)
    problem = services.reject_problem(current(), problem_id, body.reason)
    db.session.commit()
    if not htmx.is_htmx():
        return redirect(url_for("problems_pages.moderation_page"))
    return _moderation_row(problem, gettext("Rejected"))
