"""The events flow in headless Chromium, inside a Telegram-like parent page: two people
apply to a one-place approval event, the organiser approves both from the event page (the
second goes to the waitlist), and when the first leaves, the second takes the place."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_flows import go, wait_for_path
from tests.fixtures.webview import WEBVIEW_OVERRIDES, launch, press, wait_main_button
from webapp.events.models import JoinMode

pytestmark = pytest.mark.browser


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return dict(WEBVIEW_OVERRIDES)


def open_event(chromium, telegram_client, live_server, user, event_id: int) -> tuple[Any, Any]:
    """A person's own browser (own cookies) with the Mini App opened at the event."""
    context = chromium.new_context(viewport={"width": 420, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    person = {"id": user.telegram_id, "first_name": user.first_name}
    frame = launch(page, telegram_client, live_server, person, start_param=f"event_{event_id}")
    return page, frame


def test_apply_approve_waitlist_and_move_up(
    chromium, telegram_client, live_server, make_user, make_event
):
    """Can two people apply from the event page, the organiser approve them from theirs
    (one seat: the second lands on the waitlist), and does the waitlisted person take the
    seat the first one frees? (Six browser sessions through a whole flow: ~20 s.)"""
    from playwright.sync_api import expect

    organiser = make_user(first_name="Olga")
    ann, bob = make_user(first_name="Ann"), make_user(first_name="Bob")
    event_id = make_event(
        creator=organiser, title="Sunday football", capacity=1, join_mode=JoinMode.APPROVAL
    )
    pages = []
    try:
        for person, message in ((ann, "I play in goal"), (bob, "Striker here")):
            page, frame = open_event(chromium, telegram_client, live_server, person, event_id)
            pages.append(page)
            expect(frame.get_by_role("heading", name="Sunday football")).to_be_visible()
            frame.get_by_label("A word to the organiser").fill(message)
            wait_main_button(page)  # "Apply" is Telegram's MainButton inside Telegram
            press(page, "main_button_pressed")
            expect(frame.locator("#join-status")).to_have_text(
                "Your application is waiting for the organiser."
            )

        page, boss = open_event(chromium, telegram_client, live_server, organiser, event_id)
        pages.append(page)
        applications = boss.locator("#applications")
        expect(applications).to_contain_text("I play in goal")
        expect(applications).to_contain_text("Striker here")
        boss.locator(f"#approve-{ann.id}").click()
        expect(boss.locator("#participants")).to_contain_text("Ann")
        boss.locator(f"#approve-{bob.id}").click()
        expect(boss.locator(f"#application-{bob.id}")).to_contain_text("On the waitlist")
        expect(boss.locator("#participants")).not_to_contain_text("Bob")

        page, ann_frame = open_event(chromium, telegram_client, live_server, ann, event_id)
        pages.append(page)
        expect(ann_frame.get_by_text("You are in.")).to_be_visible()
        page, bob_frame = open_event(chromium, telegram_client, live_server, bob, event_id)
        pages.append(page)
        expect(bob_frame.locator("#join-status")).to_contain_text("number 1")
        ann_frame.get_by_role("button", name="Leave", exact=True).click()
        expect(ann_frame.locator("#apply-form")).to_be_attached()
        page, bob_again = open_event(chromium, telegram_client, live_server, bob, event_id)
        pages.append(page)
        expect(bob_again.get_by_text("You are in.")).to_be_visible()
        expect(bob_again.locator("#participants")).to_contain_text("Bob")
    finally:
        for page in pages:
            page.context.close()


def test_create_a_weekly_series_and_join_every_session(
    app, chromium, telegram_client, live_server, make_user
):
    """Can an organiser create a weekly training from the page (Mondays and Wednesdays
    until a date), and another person join every session from one occurrence's page?
    (Two browser sessions through a whole flow: ~10 s.)"""
    from playwright.sync_api import expect

    from webapp.events.models import Event, Participant
    from webapp.extensions import db

    organiser, runner = make_user(first_name="Olga"), make_user(first_name="Rita")
    context = chromium.new_context(viewport={"width": 420, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        person = {"id": organiser.telegram_id, "first_name": organiser.first_name}
        frame = launch(page, telegram_client, live_server, person)
        expect(frame.get_by_text("Olga", exact=False).first).to_be_visible()  # signed in
        go(frame, "/events")
        wait_main_button(page)
        press(page, "main_button_pressed")  # New event
        wait_for_path(frame, "/events/new")
        frame.locator("#event-title").fill("Evening run")
        frame.locator("#event-starts").fill("2031-06-02T19:00")  # a Monday
        frame.locator("input[name=weekdays][value='1']").check()
        frame.locator("input[name=weekdays][value='3']").check()
        frame.locator("#event-until").fill("2031-06-20")
        wait_main_button(page)
        press(page, "main_button_pressed")  # Save
        expect(frame.locator("#event-series")).to_be_visible()
        with app.app_context():
            sessions = db.session.scalars(
                db.select(Event).where(Event.title == "Evening run").order_by(Event.starts_at)
            ).all()
            ids = [event.id for event in sessions]
            assert len({event.series_id for event in sessions}) == 1
        assert len(ids) == 6  # Mon 2, Wed 4, Mon 9, Wed 11, Mon 16, Wed 18 June

        rita_page, rita = open_event(chromium, telegram_client, live_server, runner, ids[0])
        try:
            rita.locator("#join-series").click()
            expect(rita.get_by_text("You are in.")).to_be_visible()
        finally:
            rita_page.context.close()
        with app.app_context():
            joined = db.session.scalars(
                db.select(Participant.event_id).where(Participant.user_id == runner.id)
            ).all()
        assert sorted(joined) == sorted(ids)
    finally:
        context.close()
