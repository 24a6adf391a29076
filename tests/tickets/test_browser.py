"""A questionnaire the organiser redesigned, filled in Chromium as Telegram launches the app."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.test_flows import (  # noqa: F401 - fixtures used by name
    app_overrides,
    check_page,
    go,
    open_app,
    patient_expect,
    phone,
    press_main,
    user,
)
from tests.tickets.test_questionnaires import design
from webapp.extensions import db
from webapp.tickets import services
from webapp.tickets.designs import Design
from webapp.tickets.models import FormStatus, TicketForm
from webapp.users.models import Role, User

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("theme", "lang"), [("dark", "ru")])
def test_fill_every_kind_of_question(app, phone, telegram_client, live_server, theme, lang):  # noqa: F811
    """Can a Russian user fill a questionnaire with every kind of question (text, a date,
    switches for several options and a tick box) and submit it with the MainButton?"""
    from playwright.sync_api import expect

    with app.app_context():
        organiser = User(telegram_id=8_999, first_name="Org", role=Role.ADMIN)
        db.session.add(organiser)
        db.session.flush()
        default = services.default_questionnaire()
        services.change_design(organiser, default.id, Design.model_validate(design()))
        db.session.commit()
    page = phone()
    who = user(lang)
    frame: Any = open_app(page, telegram_client, live_server, theme, who)
    go(frame, "/tickets")
    frame.locator("#ticket-nickname").fill("Аня")
    frame.locator("#ticket-about").fill("Танцую десять лет")
    frame.locator("#ticket-mail").fill("anna@example.org")
    frame.locator("#ticket-mobile").fill("+7 900 123-45-67")
    frame.locator("#ticket-age").fill("30")
    frame.locator("#ticket-dance").select_option("tango")
    frame.locator("input[name=meals][value=lunch]").check()
    frame.locator("input[name=meals][value=dinner]").check()
    frame.locator("input[name=agree]").check()
    frame.locator("#ticket-arrival").fill("2030-05-01")
    check_page(page, frame, f"questionnaire-{theme}-{lang}", lang)
    press_main(page, frame)
    expect(frame.locator("#submissions .cell")).to_have_count(1)
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.telegram_id == who["id"]))
        form = db.session.scalar(select(TicketForm).where(TicketForm.user_id == owner.id))
        assert form.status == FormStatus.SUBMITTED and form.questionnaire_version == 2
        assert form.answers == {
            "nickname": "Аня",
            "about": "Танцую десять лет",
            "mail": "anna@example.org",
            "mobile": "+79001234567",
            "age": 30,
            "dance": "tango",
            "meals": ["lunch", "dinner"],
            "agree": True,
            "arrival": "2030-05-01",
        }
