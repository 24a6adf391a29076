"""Applications to approval events, the organiser's decision (API and chat buttons), the
waitlist and the messages each step sends."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from tests.fixtures.fake_telegram import webhook_headers
from tests.fixtures.users import headers_for
from webapp.events.models import JoinMode
from webapp.extensions import db
from webapp.outbox import OutgoingMessage, queued_for

_update_ids = itertools.count(91_000)


def texts(app, user) -> list[str]:
    with app.app_context():
        return [m.text for m in queued_for(user.telegram_id)]


def messages(app, user) -> list[OutgoingMessage]:
    with app.app_context():
        found = queued_for(user.telegram_id)
        for message in found:
            db.session.expunge(message)
        return found


def status_of(client, event_id, user) -> str:
    return client.get(f"/api/events/{event_id}", headers=headers_for(user)).get_json()["status"]


@pytest.fixture
def approval_event(make_event, teacher):
    def make(**fields: Any) -> int:
        return make_event(join_mode=JoinMode.APPROVAL, title="Football", **fields)

    return make


def test_apply_is_pending_and_the_organiser_gets_buttons(
    app, client, approval_event, teacher, make_user
):
    """Is joining an approval event a 202 `pending` (no seat taken), does the organiser get
    one message with the applicant, their message and Approve/Reject buttons, and may only
    the organiser list the applications (with the applicant's profile)?"""
    event_id = approval_event(capacity=5)
    ann = make_user(username="ann_runs")
    answer = client.post(
        f"/api/events/{event_id}/join", json={"message": "I play defence"}, headers=headers_for(ann)
    )
    assert answer.status_code == 202
    assert answer.get_json()["status"] == "pending" and answer.get_json()["participants_count"] == 0
    again = client.post(f"/api/events/{event_id}/join", headers=headers_for(ann))
    assert again.status_code == 200 and again.get_json()["status"] == "pending"
    (message,) = messages(app, teacher)
    assert "@ann_runs" in message.text and "I play defence" in message.text
    buttons = message.reply_markup["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [
        f"event:approve:{event_id}:{ann.id}",
        f"event:reject:{event_id}:{ann.id}",
    ]
    listed = client.get(f"/api/events/{event_id}/applications", headers=headers_for(teacher))
    (item,) = listed.get_json()["items"]
    assert item["user_id"] == ann.id and item["status"] == "pending"
    assert item["message"] == "I play defence" and item["profile"]["user_id"] == ann.id
    other = make_user()
    assert (
        client.get(f"/api/events/{event_id}/applications", headers=headers_for(other)).status_code
        == 403
    )
    refused = client.post(
        f"/api/events/{event_id}/applications/{ann.id}/approve", headers=headers_for(other)
    )
    assert refused.status_code == 403 and status_of(client, event_id, ann) == "pending"


def test_organiser_joins_their_own_approval_event_at_once(client, approval_event, teacher):
    """Does the organiser joining their own approval event take a seat without applying?"""
    event_id = approval_event()
    answer = client.post(f"/api/events/{event_id}/join", headers=headers_for(teacher))
    assert answer.status_code == 201 and answer.get_json()["status"] == "joined"


def test_approve_gives_a_seat_and_the_organisers_contact(
    app, client, approval_event, make_user, teacher
):
    """Does approving seat the applicant (`joined`), tell them once with the organiser's
    contact (a tg://user link when the organiser has no username), and is approving again a
    no-op?"""
    event_id = approval_event(capacity=2)
    ann = make_user()
    client.post(f"/api/events/{event_id}/join", headers=headers_for(ann))
    url = f"/api/events/{event_id}/applications/{ann.id}/approve"
    decided = client.post(url, headers=headers_for(teacher))
    assert decided.status_code == 200 and decided.get_json() == {
        "user_id": ann.id,
        "status": "joined",
    }
    assert client.post(url, headers=headers_for(teacher)).get_json()["status"] == "joined"
    event = client.get(f"/api/events/{event_id}", headers=headers_for(ann)).get_json()
    assert event["status"] == "joined" and event["participants_count"] == 1
    (told,) = texts(app, ann)
    assert "approved" in told and f'href="tg://user?id={teacher.telegram_id}"' in told
    assert (
        client.get(f"/api/events/{event_id}/applications", headers=headers_for(teacher)).get_json()[
            "items"
        ]
        == []
    )


def test_organiser_username_is_the_contact(app, client, make_event, make_user):
    """Is the organiser's @username the contact when they have one?"""
    organiser = make_user(username="coach_oleg")
    event_id = make_event(creator=organiser, join_mode=JoinMode.APPROVAL)
    ann = make_user()
    client.post(f"/api/events/{event_id}/join", headers=headers_for(ann))
    client.post(
        f"/api/events/{event_id}/applications/{ann.id}/approve", headers=headers_for(organiser)
    )
    assert "@coach_oleg" in texts(app, ann)[0]


def test_reject_with_reason_and_no_second_application(
    app, client, approval_event, make_user, teacher
):
    """Does rejecting mark the applicant `rejected`, tell them the reason once, and refuse a
    second application (409) while a withdrawal changes nothing — and may the organiser still
    reconsider and approve?"""
    event_id = approval_event()
    ann = make_user()
    client.post(f"/api/events/{event_id}/join", headers=headers_for(ann))
    url = f"/api/events/{event_id}/applications/{ann.id}/reject"
    decided = client.post(url, json={"reason": "Team is complete"}, headers=headers_for(teacher))
    assert decided.get_json()["status"] == "rejected"
    client.post(url, json={"reason": "again"}, headers=headers_for(teacher))
    (told,) = texts(app, ann)
    assert "declined" in told and "Team is complete" in told
    assert status_of(client, event_id, ann) == "rejected"
    again = client.post(f"/api/events/{event_id}/join", headers=headers_for(ann))
    assert again.status_code == 409 and again.get_json()["reason"] == "rejected"
    client.delete(f"/api/events/{event_id}/join", headers=headers_for(ann))
    assert status_of(client, event_id, ann) == "rejected"
    approve = client.post(
        f"/api/events/{event_id}/applications/{ann.id}/approve", headers=headers_for(teacher)
    )
    assert approve.get_json()["status"] == "joined"  # the organiser may reconsider


def test_withdraw_a_pending_application(client, approval_event, make_user, teacher):
    """Does DELETE /join withdraw a pending application (status `none`, gone from the list)?"""
    event_id = approval_event()
    ann = make_user()
    client.post(f"/api/events/{event_id}/join", headers=headers_for(ann))
    withdrawn = client.delete(f"/api/events/{event_id}/join", headers=headers_for(ann))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "none"
    listed = client.get(f"/api/events/{event_id}/applications", headers=headers_for(teacher))
    assert listed.get_json()["items"] == []
    missing = client.post(
        f"/api/events/{event_id}/applications/{ann.id}/approve", headers=headers_for(teacher)
    )
    assert missing.status_code == 404


def test_approving_into_a_full_event_waitlists_in_order(
    app, client, approval_event, make_user, teacher
):
    """When the event is full, is an approved applicant `waitlisted` (and told so), is the
    waitlist in the order of approval, and does a freed seat (a leave, then a capacity
    raise) go to the first waiting, who is told once?"""
    event_id = approval_event(capacity=1)
    ann, bob, cat, dan = (make_user() for _ in range(4))
    for person in (ann, bob, cat, dan):
        client.post(f"/api/events/{event_id}/join", headers=headers_for(person))
    organiser = headers_for(teacher)
    for person in (ann, cat, bob, dan):  # approval order: cat before bob
        client.post(f"/api/events/{event_id}/applications/{person.id}/approve", headers=organiser)
    assert [status_of(client, event_id, p) for p in (ann, bob, cat, dan)] == [
        "joined",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    assert "waitlist" in texts(app, cat)[0]
    waitlist = client.get(
        f"/api/events/{event_id}/applications?status=waitlisted", headers=organiser
    ).get_json()["items"]
    assert [(i["user_id"], i["position"]) for i in waitlist] == [
        (cat.id, 1),
        (bob.id, 2),
        (dan.id, 3),
    ]
    client.delete(f"/api/events/{event_id}/join", headers=headers_for(ann))
    assert status_of(client, event_id, cat) == "joined"
    assert status_of(client, event_id, bob) == "waitlisted"
    client.patch(f"/api/events/{event_id}", json={"capacity": 3}, headers=organiser)
    assert (
        status_of(client, event_id, bob) == "joined"
        and status_of(client, event_id, dan) == "joined"
    )
    freed = [t for t in texts(app, cat) if "freed up" in t]
    assert len(freed) == 1
    assert [t for t in texts(app, ann) if "freed up" in t] == []


def test_open_event_waitlist_moves_up_when_someone_leaves(client, make_event, make_user):
    """On an open event, does the first waitlisted take the seat a leaver frees, and can a
    waitlisted person step off the list?"""
    first, second, third = make_user(), make_user(), make_user()
    event_id = make_event(capacity=1, participants=[first])
    assert (
        client.post(f"/api/events/{event_id}/join", headers=headers_for(second)).get_json()[
            "status"
        ]
        == "waitlisted"
    )
    client.post(f"/api/events/{event_id}/join", headers=headers_for(third))
    client.delete(f"/api/events/{event_id}/join", headers=headers_for(second))
    assert status_of(client, event_id, second) == "none"
    client.delete(f"/api/events/{event_id}/join", headers=headers_for(first))
    assert status_of(client, event_id, third) == "joined"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("join", {"message": "x" * 1001}, "message"),
        ("join", {"note": "hi"}, "note"),
        ("join", {"message": 5}, "message"),
        ("reject", {"reason": "x" * 501}, "reason"),
    ],
)
def test_bad_bodies_are_422(client, approval_event, make_user, teacher, path, body, field):
    """Are a too-long message or reason, an unknown field and a wrong type 422 naming it?"""
    event_id = approval_event()
    ann = make_user()
    url = (
        f"/api/events/{event_id}/join"
        if path == "join"
        else f"/api/events/{event_id}/applications/{ann.id}/reject"
    )
    who = ann if path == "join" else teacher
    answer = client.post(url, json=body, headers=headers_for(who))
    assert answer.status_code == 422
    assert field in {e["field"] for e in answer.get_json()["errors"]}


# --- the buttons in the organiser's chat ----------------------------------------------------


def press(app, user, data: str, update_id: int | None = None) -> dict[str, Any]:
    update = {
        "update_id": next(_update_ids) if update_id is None else update_id,
        "callback_query": {
            "id": f"q{next(_update_ids)}",
            "from": {"id": user.telegram_id, "is_bot": False, "first_name": "Org"},
            "chat_instance": "c",
            "data": data,
        },
    }
    answer = app.test_client().post("/telegram/webhook", json=update, headers=webhook_headers(app))
    assert answer.status_code == 200
    return answer.get_json()


@pytest.fixture
def app_overrides(fake_telegram):
    from tests.fixtures.fake_telegram import bot_overrides

    return bot_overrides(fake_telegram)


def test_chat_buttons_decide_once(app, client, approval_event, make_user, teacher, fake_telegram):
    """Does Approve pressed in the organiser's chat seat the applicant and tell them once,
    a redelivered update do nothing, a second press only say it was decided, Reject decline
    another applicant, and someone else's press change nothing?"""
    event_id = approval_event(capacity=3)
    ann, bob, eve = make_user(), make_user(), make_user()
    for person in (ann, bob):
        client.post(f"/api/events/{event_id}/join", headers=headers_for(person))
    first = press(app, teacher, f"event:approve:{event_id}:{ann.id}", update_id=95_001)
    assert first["duplicate"] is False
    assert press(app, teacher, f"event:approve:{event_id}:{ann.id}", update_id=95_001)["duplicate"]
    press(app, teacher, f"event:approve:{event_id}:{ann.id}")
    press(app, eve, f"event:reject:{event_id}:{bob.id}")
    assert status_of(client, event_id, bob) == "pending"
    press(app, teacher, f"event:reject:{event_id}:{bob.id}")
    press(app, teacher, "event:approve:x:y")
    assert status_of(client, event_id, ann) == "joined"
    assert status_of(client, event_id, bob) == "rejected"
    answers = [c.params.get("text", "") for c in fake_telegram.calls("answerCallbackQuery")]
    assert answers == [
        "Approved: they are in.",
        "This application was already decided.",
        "Only the organiser can decide on this application.",
        "Declined.",
        "This application is no longer there.",
    ]
    with app.app_context():
        decisions = db.session.scalars(
            select(OutgoingMessage.dedupe_key).where(
                OutgoingMessage.dedupe_key.like("event-decision:%")
            )
        ).all()
    assert len(decisions) == 2
    assert len([m for m in fake_telegram.messages(ann.telegram_id) if "approved" in m["text"]]) == 1


def test_reject_takes_someone_off_the_waitlist(app, client, approval_event, make_user, teacher):
    """Can the organiser reject someone on the waitlist (they are told, and a freed seat
    then skips them), while rejecting a participant is a 409?"""
    event_id = approval_event(capacity=1)
    ann, bob, cat = make_user(), make_user(), make_user()
    organiser = headers_for(teacher)
    for person in (ann, bob, cat):
        client.post(f"/api/events/{event_id}/join", headers=headers_for(person))
        client.post(f"/api/events/{event_id}/applications/{person.id}/approve", headers=organiser)
    rejected = client.post(
        f"/api/events/{event_id}/applications/{bob.id}/reject", headers=organiser
    )
    assert rejected.get_json()["status"] == "rejected"
    assert "declined" in texts(app, bob)[-1]
    in_already = client.post(
        f"/api/events/{event_id}/applications/{ann.id}/reject", headers=organiser
    )
    assert in_already.status_code == 409
    client.delete(f"/api/events/{event_id}/join", headers=headers_for(ann))
    assert status_of(client, event_id, bob) == "rejected"
    assert status_of(client, event_id, cat) == "joined"
