"""Order categories and ticket types kept in the dashboard (`webapp.core.choices`,
`webapp.admin.choices`): added, renamed, moved, deactivated and made active again, each
through the service and audited with before and after; never deleted."""

from __future__ import annotations

import pytest

from tests.admin.conftest import audit_entries
from tests.fixtures.users import headers_for
from tests.i18n.test_dashboard_languages import filter_labels
from tests.market.conftest import ORDER
from webapp.core import choices
from webapp.core.choices import Choice
from webapp.extensions import db
from webapp.users.models import Role

CATEGORIES = "/admin/market/categories/"


def _keys(app, kind="category"):
    with app.app_context():
        return [item.key for item in choices.catalogue(kind)]


def test_an_empty_table_reads_the_configured_list_and_the_first_change_writes_it(app, admin_client):
    """With no row yet (a database made by create_all), is the configured list what the app
    offers, and does adding one category write the configured ones first, so none hides?"""
    with app.app_context():
        assert db.session.query(Choice).count() == 0
        configured = [item.key for item in choices.configured("category")]
    assert _keys(app) == configured and "courier" in configured
    admin_client.post(
        f"{CATEGORIES}save", data={"key": "piano", "name_en": "Piano", "name_ru": "Пианино"}
    )
    assert _keys(app) == [*configured, "piano"]
    [entry] = audit_entries(app, "choice.save")
    assert entry.before is None and entry.after["key"] == "piano" and entry.after["active"]
    assert entry.target_type == "choices" and entry.target_id == "category:piano"


def test_rename_move_deactivate_and_activate_are_audited(app, admin_client, client):
    """Does a rename reach `GET /api/config` in each language, do up/down reorder the list,
    does deactivating take a category out of what may be chosen (and activating bring it
    back) — each change audited before and after — and is there no way to delete one?"""
    admin_client.post(
        f"{CATEGORIES}save",
        data={"key": "courier", "name_en": "Delivery", "name_ru": "Доставка"},
    )
    russian = client.get("/api/config", headers={"Accept-Language": "ru"}).get_json()
    assert russian["category_names"][0] == {
        "key": "courier", "name": "Доставка", "name_en": "Delivery", "name_ru": "Доставка",
    }  # fmt: skip
    [rename] = audit_entries(app, "choice.save")
    assert rename.before["name_en"] == "Courier" and rename.after["name_en"] == "Delivery"

    first, second = _keys(app)[:2]
    admin_client.post(f"{CATEGORIES}{second}/up")
    assert _keys(app)[:2] == [second, first]
    admin_client.post(f"{CATEGORIES}{second}/down")
    assert _keys(app)[:2] == [first, second]
    moves = audit_entries(app, "choice.move")
    assert [m.before["position"] < m.after["position"] for m in moves] == [False, True]

    admin_client.post(f"{CATEGORIES}courier/deactivate")
    body = client.get("/api/config").get_json()
    assert "courier" not in body["categories"]
    with app.app_context():
        assert db.session.get(Choice, ("category", "courier")).active is False
    [off] = audit_entries(app, "choice.deactivate")
    assert off.before["active"] is True and off.after["active"] is False
    admin_client.post(f"{CATEGORIES}courier/activate")
    assert "courier" in client.get("/api/config").get_json()["categories"]
    assert len(audit_entries(app, "choice.activate")) == 1
    admin_client.post(f"{CATEGORIES}delete/", data={"id": "courier"})  # Flask-Admin's own
    with app.app_context():
        assert db.session.get(Choice, ("category", "courier")) is not None


def test_bad_input_is_a_message_and_nothing_changes(app, admin_client):
    """Are a key outside the alphabet, an empty name and an unknown key refused with a
    message, with nothing written or audited?"""
    bad = admin_client.post(
        f"{CATEGORIES}save",
        data={"key": "Bad Key", "name_en": "x", "name_ru": "x"},
        follow_redirects=True,
    )
    assert bad.status_code == 200 and "alert" in bad.get_data(as_text=True)
    admin_client.post(f"{CATEGORIES}save", data={"key": "ok", "name_en": "", "name_ru": "x"})
    missing = admin_client.post(f"{CATEGORIES}nosuch/deactivate", follow_redirects=True)
    assert missing.status_code == 200
    assert [e.action for e in audit_entries(app)] == []
    with app.app_context():
        assert db.session.query(Choice).count() == 0


def test_the_service_refuses_non_admins(app, make_user):
    """Does the service itself refuse a moderator (403), whatever the view checks?"""
    from webapp.errors import Forbidden

    moderator = make_user(Role.MODERATOR)
    with app.app_context(), pytest.raises(Forbidden):
        choices.save_choice(moderator, "category", "piano", "Piano", "Пианино")


def test_an_inactive_category_is_refused_for_new_orders_and_subscriptions_only(
    app, admin_client, client, make_user
):
    """After a category is deactivated, is a new order or a subscription with it a 422,
    while an order that has it still shows its name and may be edited keeping it?"""
    owner = make_user()
    posted = client.post("/api/orders", json=ORDER, headers=headers_for(owner))
    assert posted.status_code == 201
    order_id = posted.get_json()["id"]
    admin_client.post(f"{CATEGORIES}courier/deactivate")

    refused = client.post("/api/orders", json=ORDER, headers=headers_for(make_user()))
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "category"
    subscribed = client.put(
        "/api/users/me/preferences",
        json={"categories": ["courier"], "cities": []},
        headers=headers_for(owner),
    )
    assert subscribed.status_code == 422
    page = client.get(f"/orders/{order_id}?lang=ru", headers=headers_for(owner))
    assert "Курьер" in page.get_data(as_text=True)
    edited = client.put(
        f"/api/orders/{order_id}",
        json={"category": "courier", "description": "Bring two parcels"},
        headers=headers_for(owner),
    )
    assert edited.status_code == 200, edited.get_json()
    moved = client.put(
        f"/api/orders/{order_id}", json={"category": "courier2"}, headers=headers_for(owner)
    )
    assert moved.status_code == 422


def test_the_orders_list_shows_names_and_filters_by_them(app, admin_client, client, make_user):
    """Does the dashboard's orders list show the category's and the city's names in the
    admin's language, and offer the categories by name in its filter (a renamed one too)?"""
    owner = make_user()
    assert client.post("/api/orders", json=ORDER, headers=headers_for(owner)).status_code == 201
    admin_client.post(
        f"{CATEGORIES}save", data={"key": "piano", "name_en": "Piano", "name_ru": "Пианино"}
    )
    page = admin_client.get("/admin/market/orders/", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    assert '"Категория">Курьер</td>' in page and '"Город">Москва</td>' in page
    assert ">courier<" not in page and ">Moscow<" not in page
    labels = filter_labels(page)
    assert {"Курьер", "Пианино"} <= set(labels) and "courier" not in labels


TYPES = "/admin/ticket-types/"
COMPLETE_FORM = {
    "name": "Anna",
    "email": "anna@example.com",
    "phone": "8 (912) 345-67-89",
    "ticket_type": "vip",
    "quantity": 2,
}


def _submitted(client, headers, ticket_type: str) -> int:
    created = client.post(
        "/api/forms",
        json={"answers": {**COMPLETE_FORM, "ticket_type": ticket_type}},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_ticket_types_kept_in_the_dashboard_reach_the_questionnaire(
    app, admin_client, client, make_user
):
    """Does a ticket type the admin adds reach the questionnaire (its API and page, by its
    name in the reader's language) and `GET /api/config`; is a deactivated one refused on
    submit while a form that has it still shows its name — each change audited?"""
    headers = headers_for(make_user(language_code="ru"))
    earlier = _submitted(client, headers, "vip")
    assert client.post(f"/api/forms/{earlier}/submit", headers=headers).status_code == 200
    admin_client.post(
        f"{TYPES}save", data={"key": "early", "name_en": "Early bird", "name_ru": "Ранняя пташка"}
    )
    questionnaire = client.get("/api/forms/questionnaire", headers=headers).get_json()
    [question] = [f for f in questionnaire["fields"] if f["key"] == "ticket_type"]
    assert [o["value"] for o in question["options"]] == ["standard", "vip", "early"]
    assert question["options"][2]["label"] == {"en": "Early bird", "ru": "Ранняя пташка"}
    assert "Ранняя пташка" in client.get("/tickets", headers=headers).get_data(as_text=True)
    assert "early" in client.get("/api/config").get_json()["ticket_types"]

    admin_client.post(f"{TYPES}vip/deactivate")
    later = _submitted(client, headers, "vip")  # a draft may hold anything well formed
    refused = client.post(f"/api/forms/{later}/submit", headers=headers)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"answers.ticket_type"}
    assert "vip" not in client.get("/api/config").get_json()["ticket_types"]
    page = client.get("/tickets", headers=headers).get_data(as_text=True)
    assert f"#{earlier} · VIP \u00d7 2" in page  # the earlier form keeps its type's name
    assert [e.action for e in audit_entries(app) if e.action.startswith("choice.")] == [
        "choice.save",
        "choice.deactivate",
    ]


def _names(client) -> list[str]:
    return [c["name"] for c in client.get("/api/config").get_json()["category_names"]]


def test_a_process_remembers_the_choices_for_a_few_seconds(app, admin_client, client, admin):
    """With `CHOICES_CACHE_SECONDS`, does a request read the choices from this process's
    memory (no query), while a change made in this process through the service shows at
    once, one made by another process (here: straight in the table) within the time, and
    one rolled back never?"""
    import sqlalchemy as sa

    admin_client.post(
        f"{CATEGORIES}save", data={"key": "courier", "name_en": "Delivery", "name_ru": "Доставка"}
    )
    app.config["CHOICES_CACHE_SECONDS"] = 60
    statements: list[str] = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    try:
        assert _names(client)[0] == "Delivery"
        with app.app_context():
            engine = db.engine
            db.session.execute(sa.update(Choice).values(name_en="Elsewhere"))
            db.session.commit()
        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            assert _names(client)[0] == "Delivery"  # another process's change: not yet
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)
        assert not [s for s in statements if "FROM choices" in s]

        with app.app_context():
            choices.save_choice(admin, "category", "courier", "Rolled back", "Откат")
            assert choices.catalogue("category")[0].name_en == "Rolled back"
            db.session.rollback()
        assert _names(client)[0] == "Elsewhere"  # the change cleared the memory

        admin_client.post(
            f"{CATEGORIES}save", data={"key": "courier", "name_en": "Courier", "name_ru": "Курьер"}
        )
        assert _names(client)[0] == "Courier"  # this process's own change: at once
        app.config["CHOICES_CACHE_SECONDS"] = 0.001
        with app.app_context():
            db.session.execute(sa.update(Choice).values(name_en="Later"))
            db.session.commit()
        import time

        time.sleep(0.01)
        assert _names(client)[0] == "Later"  # past the time: read again
    finally:
        app.config["CHOICES_CACHE_SECONDS"] = 0
        app.extensions.pop("hub_choices_process_cache", None)
