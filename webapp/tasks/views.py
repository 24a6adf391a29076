"""Task pages: the list with filter chips and search, inline add, tick done, edit, delete.

Every action answers the partial it changed (`templates/tasks/partials/`); the full page
includes the same partials.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel.dates import get_day_names
from flask import Blueprint, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _

from webapp import htmx
from webapp.auth.identity import current, login_required
from webapp.database import utcnow
from webapp.errors import ValidationFailed
from webapp.extensions import db
from webapp.forms import errors_by_field, form_datetime, validate_form
from webapp.i18n import user_zone
from webapp.tasks import services
from webapp.tasks.models import Priority
from webapp.tasks.schemas import BulkIn, MoveIn, TaskIn, normalize_tags

bp = Blueprint("tasks_pages", __name__, url_prefix="/tasks")
PAGE_SIZE = 50
STATUS_FILTERS = {"all": None, "open": False, "done": True}
DUE_FILTERS = ("today", "overdue", "week", "none")
PAGE_SORTS = ("-created", "position", "due", "-priority", "title")
MIN_MONTH, MAX_MONTH = date(1970, 1, 1), date(9998, 12, 1)


def _filters() -> dict[str, Any]:
    """The list's filters: the chips' links say `status`, `priority`, `category`, `due`
    and `tag` in the query; the search and the add form send the shown list's state as
    `list_status`, `list_priority`… (the add form's own `priority` and `category` are the
    new task's, never the list's). Anything unknown is left out rather than refused: a page
    link is never an error."""
    args, values = request.args, request.values

    def state(name: str) -> Any:
        return values.get(f"list_{name}", args.get(name))

    status = state("status") or "all"
    if status not in STATUS_FILTERS:
        status = "all"
    priority = state("priority") or None
    if priority not in {p.value for p in Priority}:
        priority = None
    raw_category = state("category") or ""
    category = int(raw_category) if raw_category.isdigit() else None
    due = state("due") or None
    raw_tags = values.getlist("list_tag") if "list_status" in values else args.getlist("tag")
    try:
        tags = normalize_tags([t for t in raw_tags if t.strip()])
    except ValueError:
        tags = []
    return {
        "status": status,
        "priority": priority,
        "search": values.get("search", "")[:200],
        "category": category if category and category > 0 else None,
        "tag": tags,
        "due": due if due in DUE_FILTERS else None,
        "sort": values.get("sort") if values.get("sort") in PAGE_SORTS else None,
        "select": "1" if args.get("select") == "1" else None,
    }


def _filter_url(filters: dict[str, Any]) -> Callable[..., str]:
    """`filter_url(**changes)`: the page's URL with these filters changed (None drops one;
    `toggle_tag` adds or removes one tag)."""

    def build(toggle_tag: str | None = None, **changes: Any) -> str:
        values = {**filters, **changes}
        tags = list(values["tag"])
        if toggle_tag in tags:
            tags.remove(toggle_tag)
        elif toggle_tag is not None:
            tags.append(toggle_tag)
        values["tag"] = tags or None
        values["search"] = values["search"] or None
        values["status"] = None if values["status"] == "all" else values["status"]
        return url_for("tasks_pages.tasks_page", **values)

    return build


def _results_context(skip: int = 0, after: str | None = None) -> dict[str, Any]:
    """The results; "Show more" continues after the last row shown (a keyset cursor)."""
    owner = current()
    filters = _filters()
    page = services.list_tasks(
        owner,
        done=STATUS_FILTERS[filters["status"]],
        priority=Priority(filters["priority"]) if filters["priority"] else None,
        search=filters["search"],
        category=filters["category"],
        tags=filters["tag"],
        due=filters["due"],
        sort=filters["sort"] or "-created",
        skip=skip,
        limit=PAGE_SIZE,
        after=after,
        rows=True,
    )
    categories = services.list_categories(owner)
    tag_counts = services.tag_counts(owner)
    return {
        **filters,
        "tasks": services.row_views(page.items),
        "total": page.total_text,
        "continued": bool(skip or after),
        "next_after": page.next,
        "priorities": list(Priority),
        "categories": categories,
        "category_by_id": {c.id: c for c in categories},
        "tag_counts": tag_counts,
        "tag_names": {tag for tag, _count in tag_counts},
        "filter_url": _filter_url(filters),
    }


def _row_context(task: Any) -> dict[str, Any]:
    """What one row shows besides the task: its category's name and colour."""
    categories = services.list_categories(current())
    return {"task": task, "category_by_id": {c.id: c for c in categories}}


def _task_fields() -> dict[str, Any]:
    form = request.form
    return {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "priority": form.get("priority") or Priority.NORMAL.value,
        "done": form.get("done") == "true",
        "due_at": form_datetime(form.get("due_at")),
        "category": form.get("category") or None,
        "tags": [t for t in form.get("tags", "").split(",") if t.strip()],
        "items": [{"text": line} for line in form.get("items", "").splitlines() if line.strip()],
        "repeat": form.get("repeat") or None,
        "remind": form.get("remind") or None,
    }


@bp.get("")
@login_required
def tasks_page():
    """The to-do list (or only its results when the chips or the search ask, or the next
    rows for "Show more")."""
    context = _results_context(
        max(0, request.args.get("skip", 0, type=int)), request.args.get("after") or None
    )
    if htmx.targets("task-more"):
        return render_template("tasks/partials/_rows.html", **context)
    if htmx.targets("task-results"):
        return render_template("tasks/partials/_results.html", **context)
    return render_template("tasks/page.html", **context)


@bp.get("/stats")
@login_required
def stats_page():
    """The statistics panel: due today, overdue, done this week, per cent done, and a chart
    of tasks done per day (SVG drawn on the server)."""
    return render_template("tasks/stats.html", stats=services.task_stats(current()))


def _month_arg(value: str | None) -> date | None:
    """`2026-12` → 1 December 2026; anything else → None (the page shows this month)."""
    try:
        month = datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None
    return month if MIN_MONTH <= month <= MAX_MONTH else None


def _day_arg(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@bp.get("/calendar")
@login_required
def calendar_page():
    """A month of due dates (`month=2026-12`, this month by default): days with tasks due
    are marked, a tap on a day (`day=2026-12-05`) lists its tasks below the grid — for
    HTMX only that list, with the grid's selection redrawn out of band."""
    owner = current()
    today = services.local_today(utcnow(), user_zone(owner))
    day = _day_arg(request.args.get("day"))
    month = _month_arg(request.args.get("month")) or (day or today).replace(day=1)
    context: dict[str, Any] = {"day": day, "tasks": [], "category_by_id": {}}
    context["day_title"] = format_date(day, "full") if day else ""
    if day is not None:
        page = services.list_tasks(owner, due_on=day, sort="due", limit=PAGE_SIZE)
        categories = services.list_categories(owner)
        context.update(tasks=page.items, category_by_id={c.id: c for c in categories})
    context.update(_month_grid(owner, month, day, today))
    if htmx.targets("calendar-day"):
        return render_template("tasks/partials/_calendar_day.html", oob=True, **context)
    return render_template("tasks/calendar.html", **context)


def _month_grid(owner: Any, month: date, day: date | None, today: date) -> dict[str, Any]:
    """The month grid's arguments (`ui.calendar`): weeks from Monday, each day marked when
    tasks are due on it (in the user's local days), with its link."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    marks = services.due_days(owner, weeks[0][0], weeks[-1][-1])
    month_arg = month.strftime("%Y-%m")

    def cell(moment: date) -> dict[str, Any]:
        number = sum(marks.get(moment, (0, 0)))
        href = url_for("tasks_pages.calendar_page", month=month_arg, day=moment.isoformat())
        title = format_date(moment, "long")
        if number:
            count = ngettext("%(num)d task", "%(num)d tasks", number)
            title = f"{title}, {count}"
        return {
            "label": moment.day,
            "href": href,
            "title": title,
            "outside": moment.month != month.month,
            "today": moment == today,
            "selected": moment == day,
            "marked": bool(number),
            "attrs": {
                "data-date": moment.isoformat(),
                "hx-get": href,
                "hx-target": "#calendar-day",
                "hx-swap": "innerHTML",
                "hx-push-url": "true",
            },
        }

    names = get_day_names("abbreviated", context="stand-alone", locale=get_locale())
    return {
        "title": _capitalized(format_date(month, "LLLL y")),  # «Декабрь 2026»
        "weekdays": [names[n] for n in range(7)],
        "weeks": [[cell(moment) for moment in week] for week in weeks],
        "prev": url_for("tasks_pages.calendar_page", month=_shift(month, -1).strftime("%Y-%m")),
        "next": url_for("tasks_pages.calendar_page", month=_shift(month, 1).strftime("%Y-%m")),
    }


@bp.post("")
@login_required
def add_task():
    """Inline add: the refreshed results, or the add form with its errors (422)."""
    data, errors = validate_form(TaskIn, _task_fields())
    if data is None:
        owner = current()
        html = render_template(
            "tasks/partials/_add.html",
            errors=errors,
            values=request.form,
            categories=services.list_categories(owner),
            tag_counts=services.tag_counts(owner),
        )
        return htmx.answer(html, 422, retarget="#task-add", reswap="outerHTML")
    services.create_task(current(), data.model_dump())
    db.session.commit()
    if not htmx.is_htmx():  # a plain form post (no JavaScript)
        return htmx.go(url_for("tasks_pages.tasks_page"))
    html = render_template("tasks/partials/_results.html", **_results_context())
    return htmx.answer(html, toast=_("Task added"))


@bp.post("/<int:task_id>/done")
@login_required
def toggle_task(task_id: int):
    """Tick or untick: the row, redrawn."""
    task = services.set_done(current(), task_id, request.form.get("done") == "true")
    db.session.commit()
    return render_template("tasks/partials/_row.html", **_row_context(task))


@bp.post("/bulk")
@login_required
def bulk_change():
    """The selection mode's actions: the ticked rows (`ids`) done, not done, deleted or
    moved to a category — `BulkIn` and the service of `POST /api/tasks/bulk`. Answers the
    list, out of selection mode, or a toast saying what is missing (422)."""
    form = request.form
    fields = {
        "ids": form.getlist("ids"),
        "action": form.get("action", ""),
        "category_id": form.get("category_id") or None,
    }
    if not fields["ids"]:
        return htmx.answer("", 422, toast=_("Select tasks first."), reswap="none")
    data, errors = validate_form(BulkIn, fields)
    if data is None:
        return htmx.answer("", 422, toast=next(iter(errors.values())), reswap="none")
    changed = services.bulk_change(current(), data.ids, data.action, data.category_id)
    db.session.commit()
    count = len(changed)
    html = render_template("tasks/partials/_results.html", **_results_context())
    return htmx.answer(html, toast=ngettext("%(num)d task changed", "%(num)d tasks changed", count))


@bp.post("/<int:task_id>/move")
@login_required
def move_task(task_id: int):
    """Drag and drop outside Telegram (a cookie session, which the API does not take): the
    same move as `POST /api/tasks/<id>/move`, JSON `{"before_id"|"after_id"}`; 204."""
    data, errors = validate_form(MoveIn, request.get_json(silent=True) or {})
    if data is None:
        return htmx.answer("", 422, toast=next(iter(errors.values()), None))
    services.move_task(current(), task_id, before_id=data.before_id, after_id=data.after_id)
    db.session.commit()
    return "", 204


@bp.post("/<int:task_id>/items/<int:index>")
@login_required
def tick_item(task_id: int, index: int):
    """Tick or untick one checklist item from the list: the row, redrawn."""
    task = services.tick_item(current(), task_id, index, request.form.get("done") == "true")
    db.session.commit()
    return render_template("tasks/partials/_row.html", **_row_context(task))


@bp.get("/<int:task_id>")
@login_required
def task_row(task_id: int):
    """One row (cancelling an edit)."""
    task = services.get_task(current(), task_id)
    return render_template("tasks/partials/_row.html", **_row_context(task))


@bp.get("/<int:task_id>/edit")
@login_required
def edit_task(task_id: int):
    """The row as an edit form."""
    task = services.get_task(current(), task_id)
    return render_template("tasks/partials/_edit.html", **_edit_context(task, {}, None))


@bp.post("/<int:task_id>")
@login_required
def save_task(task_id: int):
    """Save an edit: the row, or the edit form with its errors (422)."""
    task = services.get_task(current(), task_id)
    fields = _task_fields()
    fields["done"] = task.done
    # A line that stays keeps its tick (the form edits the text, the list ticks).
    ticked = {item["text"] for item in task.items if item["done"]}
    for item in fields["items"]:
        item["done"] = item["text"].strip() in ticked
    data, errors = validate_form(TaskIn, fields)
    if data is not None:
        try:
            task = services.update_task(current(), task_id, data.model_dump())
        except ValidationFailed as exc:
            db.session.rollback()
            task = services.get_task(current(), task_id)
            errors = errors_by_field(exc.errors or []) or {"form": str(exc.detail)}
    if errors:
        context = _edit_context(task, errors, request.form)
        html = render_template("tasks/partials/_edit.html", **context)
        return html, 422
    db.session.commit()
    html = render_template("tasks/partials/_row.html", **_row_context(task))
    return htmx.answer(html, toast=_("Saved"))


@bp.delete("/<int:task_id>")
@login_required
def delete_task(task_id: int):
    """Delete: an empty answer replaces (removes) the row."""
    services.delete_task(current(), task_id)
    db.session.commit()
    return htmx.answer("", toast=_("Task deleted"))


def _edit_context(task: Any, errors: dict[str, Any], values: Any) -> dict[str, Any]:
    owner = current()
    return {
        "task": task,
        "errors": errors,
        "values": values,
        "categories": services.list_categories(owner),
        "tag_counts": services.tag_counts(owner),
    }
