"""JSON routes of the training log: `/api/training-log`."""

from __future__ import annotations

from webapp.api import Page, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required
from webapp.extensions import db
from webapp.i18n import user_zone
from webapp.training import services
from webapp.training.schemas import EntryIn, EntryOut, EntryPath, EntryQuery, ProgressOut

bp = api_blueprint(
    "training_api", __name__, "/api/training-log", tag="training", description="Training log"
)


@bp.get("", responses={200: Page[EntryOut]})
@login_required
def list_entries(query: EntryQuery):
    """Your logged exercises, latest first; `exercise` narrows to one (any case)."""
    page = services.list_entries(
        current(), exercise=query.exercise, skip=query.skip, limit=query.limit
    )
    return page_of(EntryOut, page, query)


@bp.get("/progress", responses={200: ProgressOut})
@login_required
def progress():
    """Progress per exercise: the heaviest weight of each of its last 30 training days (in
    your time zone), the best ever and the last; the most recently trained first."""
    items = [
        {
            "exercise": item.name,
            "key": item.key,
            "best_kg": item.best_kg,
            "last_kg": item.last_kg,
            "entries": item.entries,
            "days": [{"date": day, "max_kg": kg} for day, kg in item.days],
        }
        for item in services.progress(current(), user_zone(current()))
    ]
    return respond(ProgressOut, {"items": items})


@bp.post("", responses={201: EntryOut})
@login_required
def add_entry(body: EntryIn):
    """Log an exercise: weight (kg), reps, sets, when (default now; not in the future)."""
    entry = services.add_entry(current(), body.model_dump())
    db.session.commit()
    return respond(EntryOut, entry, 201)


@bp.delete("/<int:entry_id>", responses={204: None, 404: Problem})
@login_required
def delete_entry(path: EntryPath):
    """Delete one of your entries (someone else's is a 404)."""
    services.delete_entry(current(), path.entry_id)
    db.session.commit()
    return no_content()
