"""Due reminders from the bot: one message per reminder time, in the user's language and
local time, with "Done" and "Snooze 1 h" buttons that work from the chat (each press once),
found by a periodic job that two workers may run at the same moment."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from jobs.schedule import PERIODIC_JOBS
from jobs.tasks import send_task_reminders
from tests.fixtures.fake_telegram import bot_overrides, webhook_headers
from tests.fixtures.users import headers_for
from tests.tasks.conftest import add_task
from webapp.extensions import db
from webapp.outbox import OutgoingMessage, queued_for
from webapp.tasks import services
from webapp.tasks.models import Remind, Task
from webapp.users.models import User

DUE = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
_update_ids = itertools.count(70_000)


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram)


def remind_task(app, user: User, remind: Remind = Remind.HOUR, due: datetime = DUE, **more: Any):
    with app.app_context():
        owner = db.session.get(User, user.id)
        task = services.create_task(
            owner, {"title": "Pay rent", "due_at": due, "remind": remind, **more}
        )
        db.session.commit()
        return task.id


def run_job(app, now: datetime) -> int:
    with app.app_context():
        queued = services.queue_reminders(now)
        db.session.commit()
        return queued


def keys(app, user: User) -> list[str | None]:
    with app.app_context():
        return [m.dedupe_key for m in queued_for(user.telegram_id)]


def test_sent_once_at_its_time(app, make_user):
    """Is a 1 h reminder queued when its time comes (not before), once however often the
    job runs, and not at all for a done task?"""
    user = make_user()
    task_id = remind_task(app, user)
    done_id = remind_task(app, user)
    with app.app_context():
        services.set_done(db.session.get(User, user.id), done_id, True)
        db.session.commit()
    assert run_job(app, DUE - timedelta(hours=1, seconds=1)) == 0
    assert run_job(app, DUE - timedelta(minutes=59)) == 1
    assert run_job(app, DUE - timedelta(minutes=58)) == 0
    assert run_job(app, DUE) == 0
    stamp = int((DUE - timedelta(hours=1)).timestamp())
    assert keys(app, user) == [f"task-reminder:{task_id}:{stamp}"]


@pytest.mark.parametrize(
    ("remind", "lead"),
    [
        (Remind.AT_DUE, timedelta(0)),
        (Remind.HOUR, timedelta(hours=1)),
        (Remind.DAY, timedelta(days=1)),
    ],
)
def test_each_lead(app, make_user, remind, lead):
    """Does each choice of `remind` go out its lead before the due time, and not earlier?"""
    user = make_user()
    remind_task(app, user, remind)
    assert run_job(app, DUE - lead - timedelta(seconds=1)) == 0
    assert run_job(app, DUE - lead) == 1


def test_text_in_local_time_and_language(app, make_user, fake_telegram):
    """Does the message name the task and its due time in the user's zone (UTC+14 here:
    09:00 UTC is 23:00 there) and language, with Done and Snooze buttons?"""
    user = make_user(time_zone="Pacific/Kiritimati", locale="ru")
    task_id = remind_task(app, user, Remind.AT_DUE)
    run_job(app, DUE)
    (message,) = fake_telegram.messages(user.telegram_id)
    assert "Pay rent" in message["text"] and "23:00" in message["text"]
    assert "10 мар. 2030" in message["text"] and "Напоминание" in message["text"]
    (buttons,) = message["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in buttons] == ["Выполнено", "Отложить на 1 ч"]
    assert buttons[0]["callback_data"] == f"task:done:{task_id}"
    assert buttons[1]["callback_data"] == f"task:snooze:{task_id}:{int(DUE.timestamp())}"


def test_old_reminders_and_unreachable_users_stay_quiet(app, make_user):
    """Is a reminder time more than a day past never sent (an old due date given now), and
    nothing queued for a user without Telegram or deleted?"""
    user = make_user()
    remind_task(app, user, Remind.AT_DUE)
    assert run_job(app, DUE + timedelta(days=1, seconds=1)) == 0
    gone = make_user(deleted_at=DUE)
    remind_task(app, gone, Remind.AT_DUE)
    no_chat = make_user(telegram_id=None)
    remind_task(app, no_chat, Remind.AT_DUE)
    assert run_job(app, DUE) == 1  # only the first user's


def test_a_claimed_reminder_is_not_sent_again(app, make_user):
    """Once queued, is a reminder time marked as sent on the task, so that even with its
    outbox row gone (delivered and pruned) the job queues it no second time?"""
    user = make_user()
    remind_task(app, user)
    assert run_job(app, DUE) == 1
    with app.app_context():
        db.session.execute(delete(OutgoingMessage))
        db.session.commit()
    assert run_job(app, DUE + timedelta(minutes=1)) == 0


def test_new_due_date_new_reminder(app, make_user, student):
    """Does a changed due date (or reminder choice) schedule a new message, and an edit that
    changes neither leave the reminder alone?"""
    task_id = remind_task(app, student)
    assert run_job(app, DUE - timedelta(hours=1)) == 1
    client, me = app.test_client(), headers_for(student)
    client.patch(f"/api/tasks/{task_id}", json={"title": "Pay the rent"}, headers=me)
    assert run_job(app, DUE) == 0
    later = DUE + timedelta(days=1)
    answer = client.patch(f"/api/tasks/{task_id}", json={"due_at": later.isoformat()}, headers=me)
    assert answer.get_json()["remind_at"] == (later - timedelta(hours=1)).isoformat().replace(
        "+00:00", "Z"
    )
    assert run_job(app, later - timedelta(hours=1)) == 1
    client.patch(f"/api/tasks/{task_id}", json={"remind": "at_due"}, headers=me)
    assert run_job(app, later) == 1
    assert len(keys(app, student)) == 3


def test_api_accepts_remind(client, me):
    """Does the API take `remind` with a due date, refuse it without one or with an unknown
    value (422 naming `remind`), and take it away with null?"""
    due = DUE.isoformat()
    task = add_task(client, me, due_at=due, remind="1d")
    assert task["remind"] == "1d"
    assert task["remind_at"] == (DUE - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    listed = client.get("/api/tasks", headers=me).get_json()["items"][0]
    assert listed["remind"] == "1d" and listed["remind_at"] == task["remind_at"]
    for body in ({"title": "x", "remind": "1h"}, {"title": "x", "due_at": due, "remind": "2h"}):
        answer = client.post("/api/tasks", json=body, headers=me)
        assert answer.status_code == 422
        assert [e["field"] for e in answer.get_json()["errors"]] == ["remind"]
    answer = client.patch(f"/api/tasks/{task['id']}", json={"due_at": None}, headers=me)
    assert answer.status_code == 422
    answer = client.patch(f"/api/tasks/{task['id']}", json={"remind": None}, headers=me)
    assert answer.get_json()["remind"] is None and answer.get_json()["remind_at"] is None


def test_page_form_takes_remind(app, student):
    """Does the edit form save a reminder, and redraw itself with the error on `remind`
    when there is no due date?"""
    client = app.test_client()
    me = headers_for(student)
    task = add_task(client, me)
    page = client.get(f"/tasks/{task['id']}/edit", headers=me).get_data(as_text=True)
    assert 'name="remind"' in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    url = f"/tasks/{task['id']}"
    form = {"csrf_token": token, "title": "Call", "remind": "1h"}
    answer = client.post(url, data=form, headers={**me, "HX-Request": "true"})
    assert answer.status_code == 422 and "due date" in answer.get_data(as_text=True)
    form["due_at"] = "2030-03-10T09:00"
    answer = client.post(url, data=form, headers={**me, "HX-Request": "true"})
    assert answer.status_code == 200
    assert client.get(f"/api/tasks/{task['id']}", headers=me).get_json()["remind"] == "1h"


# --- the buttons, pressed in the chat -------------------------------------------------------


def press(app, user: User, data: str, update_id: int | None = None) -> dict[str, Any]:
    update = {
        "update_id": next(_update_ids) if update_id is None else update_id,
        "callback_query": {
            "id": f"q{next(_update_ids)}",
            "from": {"id": user.telegram_id, "is_bot": False, "first_name": "Ann"},
            "chat_instance": "c",
            "data": data,
        },
    }
    answer = app.test_client().post("/telegram/webhook", json=update, headers=webhook_headers(app))
    assert answer.status_code == 200
    return answer.get_json()


def task_row(app, task_id: int) -> Task:
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task is not None
        db.session.expunge(task)
        return task


def answers(fake_telegram) -> list[str]:
    return [c.params.get("text", "") for c in fake_telegram.calls("answerCallbackQuery")]


def test_done_button_ticks_once(app, make_user, fake_telegram):
    """Does "Done" tick the task (a repeating one gets one next occurrence), a second press
    change nothing more, and a redelivered update run nothing?"""
    user = make_user()
    task_id = remind_task(app, user, Remind.AT_DUE, repeat="daily")
    first = press(app, user, f"task:done:{task_id}", update_id=80_001)
    assert first["duplicate"] is False
    assert task_row(app, task_id).done is True
    assert press(app, user, f"task:done:{task_id}", update_id=80_001)["duplicate"] is True
    press(app, user, f"task:done:{task_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Task)) == 2
    assert answers(fake_telegram) == ["Done. Well done!", "This task is already done."]


def test_snooze_moves_the_reminder_once(app, make_user, fake_telegram):
    """Does "Snooze 1 h" move the reminder to an hour from the press, the job send it again
    then, and a second press of the same button move nothing?"""
    user = make_user()
    task_id = remind_task(app, user, Remind.AT_DUE, due=datetime.now(UTC))
    run_job(app, datetime.now(UTC))
    stamp = int(task_row(app, task_id).remind_at.timestamp())  # type: ignore[union-attr]
    before = datetime.now(UTC)
    press(app, user, f"task:snooze:{task_id}:{stamp}")
    snoozed = task_row(app, task_id).remind_at
    assert snoozed is not None
    assert before + timedelta(hours=1) <= snoozed <= datetime.now(UTC) + timedelta(hours=1)
    press(app, user, f"task:snooze:{task_id}:{stamp}")
    assert task_row(app, task_id).remind_at == snoozed
    assert run_job(app, snoozed - timedelta(seconds=1)) == 0
    assert run_job(app, snoozed) == 1
    assert len(fake_telegram.messages(user.telegram_id)) == 2
    assert answers(fake_telegram) == [
        "I will remind you again in an hour.",
        "This reminder was already moved.",
    ]


def test_buttons_of_someone_else_do_nothing(app, make_user, fake_telegram):
    """Does a press from another chat (or with broken data) leave the task alone?"""
    owner, other = make_user(), make_user()
    task_id = remind_task(app, owner, Remind.AT_DUE)
    stamp = int(DUE.timestamp())
    press(app, other, f"task:done:{task_id}")
    press(app, other, f"task:snooze:{task_id}:{stamp}")
    press(app, owner, "task:snooze:x")
    task = task_row(app, task_id)
    assert task.done is False and task.remind_at == DUE
    assert answers(fake_telegram) == ["This task is no longer there."] * 3


# --- two workers --------------------------------------------------------------------------


def test_two_workers_send_each_reminder_once(shared_app):
    """When two workers run the reminder job at the same moment (real threads and
    connections; PostgreSQL and SQLite), is each of 40 reminders queued exactly once?"""
    app = shared_app
    now = datetime.now(UTC)
    with app.app_context():
        owners = [User(telegram_id=5_500_000 + n, first_name=f"W{n}") for n in range(4)]
        db.session.add_all(owners)
        db.session.flush()
        for n in range(40):
            services.create_task(
                owners[n % 4],
                {"title": f"T{n}", "due_at": now - timedelta(minutes=n), "remind": Remind.AT_DUE},
            )
        db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    counts: list[int] = []

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait(10)
                counts.append(send_task_reminders())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(counts)[1] + sorted(counts)[0] == 40
    with app.app_context():
        rows = db.session.scalars(select(OutgoingMessage.dedupe_key)).all()
    assert len(rows) == 40 and len(set(rows)) == 40


def test_reminder_job_is_scheduled():
    """Does the worker run the reminder job every minute?"""
    (job,) = [job for job in PERIODIC_JOBS if job.func == "jobs.tasks.send_task_reminders"]
    assert job.every == timedelta(minutes=1)


def test_an_edit_keeps_a_snooze(app, student):
    """Does an edit that changes neither the due date nor the choice keep a snoozed reminder
    (instead of putting it back to due minus the lead)?"""
    task_id = remind_task(app, student, Remind.AT_DUE, due=datetime.now(UTC))
    run_job(app, datetime.now(UTC))
    stamp = int(task_row(app, task_id).remind_at.timestamp())  # type: ignore[union-attr]
    press(app, student, f"task:snooze:{task_id}:{stamp}")
    snoozed = task_row(app, task_id).remind_at
    client, me = app.test_client(), headers_for(student)
    client.patch(f"/api/tasks/{task_id}", json={"title": "Pay the rent"}, headers=me)
    assert task_row(app, task_id).remind_at == snoozed


def test_the_next_occurrence_is_reminded_too(app, make_user):
    """Does the next occurrence of a repeating task carry the reminder, due one period on?"""
    user = make_user()
    task_id = remind_task(app, user, Remind.HOUR, due=datetime.now(UTC), repeat="daily")
    with app.app_context():
        services.set_done(db.session.get(User, user.id), task_id, True)
        db.session.commit()
        new = db.session.scalars(select(Task).where(Task.repeat_of_id == task_id)).one()
        assert new.remind == Remind.HOUR and new.due_at is not None
        assert new.remind_at == new.due_at - timedelta(hours=1)
