"""Market pages: full pages and HTMX fragments of the feed, an order, the new-order form,
my orders and /me."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.fixtures.users import headers_for
from tests.market.conftest import ORDER, balance, order_fields, shift_order
from webapp.extensions import db
from webapp.users.models import User

HX = {"HX-Request": "true"}


def text(answer) -> str:
    return answer.get_data(as_text=True)


def test_feed_full_page_and_fragment(app, client, make_user, post_order):
    """Is the feed a public full page and an HTMX fragment, with minutes left, a 30-second
    refresh and no contacts?"""
    order = post_order(make_user())
    shift_order(app, order["id"], created_ago=timedelta(minutes=20))
    full = client.get("/orders")
    assert full.status_code == 200 and "<!doctype html>" in text(full)
    assert order["id"] in text(full) and "40 min" in text(full)
    assert 'hx-trigger="every 30s"' in text(full)
    assert order["contact"] not in text(full)
    assert "HX-Request" in full.headers["Vary"]
    fragment = client.get("/orders", headers=HX)
    assert "<!doctype html>" not in text(fragment) and order["id"] in text(fragment)
    refresh = client.get("/orders/feed?city=Moscow", headers=HX)
    assert text(refresh).lstrip().startswith('<section id="feed-list"')


def test_feed_filters(client, make_user, post_order):
    """Do the category and city chips filter the feed?"""
    owner = make_user()
    moscow, kazan = post_order(owner), post_order(owner, city="Kazan", category="repair")
    page = text(client.get("/orders?city=Kazan"))
    assert kazan["id"] in page and moscow["id"] not in page
    page = text(client.get("/orders?category=courier"))
    assert moscow["id"] in page and kazan["id"] not in page
    assert client.get("/orders?city=Nowhere").status_code == 200  # unknown filter: ignored


def test_order_page_hides_contact_until_taken(app, client, make_user, post_order, fund):
    """Does the order page show a MainButton take to an executor, and the contact after the
    take (charged once)?"""
    owner, executor = make_user(), make_user()
    order = post_order(owner)
    path = f"/orders/{order['id']}"
    anonymous = text(client.get(path))
    assert order["contact"] not in anonymous
    assert 'hx-trigger="load"' in anonymous  # re-fetches the panel with initData
    fund(executor, 1000)
    page = text(client.get(path, headers=headers_for(executor)))
    assert order["contact"] not in page and "data-main-button" in page
    taken = client.post(f"{path}/take", headers={**headers_for(executor), **HX})
    assert taken.status_code == 200 and order["contact"] in text(taken)
    assert "hub:toast" in taken.headers["HX-Trigger"]
    client.post(f"{path}/take", headers={**headers_for(executor), **HX})
    assert balance(app, executor) == 800
    assert order["contact"] in text(client.get(path, headers=headers_for(executor)))


def test_take_refusals_show_in_the_panel(client, make_user, post_order):
    """Is a take without balance answered 402 with the reason in the panel?"""
    owner, poor = make_user(), make_user()
    order = post_order(owner)
    refused = client.post(f"/orders/{order['id']}/take", headers={**headers_for(poor), **HX})
    assert refused.status_code == 402
    assert "Not enough balance" in text(refused)
    assert client.get("/orders/AAAAAAAAAAAA").status_code == 404


def test_client_sees_contact_respond_and_complete(client, make_user, post_order, fund):
    """Does the client see the contact, delete while untaken, then respond and complete?"""
    owner, executor = make_user(), make_user()
    order = post_order(owner)
    path = f"/orders/{order['id']}"
    mine = text(client.get(path, headers=headers_for(owner)))
    assert order["contact"] in mine and "Delete the order" in mine
    fund(executor, 1000)
    client.post(f"{path}/take", headers=headers_for(executor))
    page = text(client.get(path, headers=headers_for(owner)))
    assert "I am responding" in page and executor.first_name in page
    responded = client.post(f"{path}/respond", headers={**headers_for(owner), **HX})
    assert responded.status_code == 200 and "I am responding" not in text(responded)
    done = client.post(
        f"{path}/complete", data={"executor_id": executor.id}, headers={**headers_for(owner), **HX}
    )
    assert done.status_code == 200 and "Completed" in text(done)


def test_delete_from_the_page(client, make_user, post_order):
    """Does deleting from the page send the client to my orders?"""
    owner = make_user()
    order = post_order(owner)
    answer = client.post(f"/orders/{order['id']}/delete", headers={**headers_for(owner), **HX})
    assert answer.status_code == 204
    assert json.loads(answer.headers["HX-Location"])["path"] == "/orders/mine"
    assert client.get(f"/orders/{order['id']}").status_code == 404


def test_new_order_form_inline_errors(client, student):
    """Does a bad submit answer 422 with each error next to its field, keeping the values?"""
    headers = {**headers_for(student), **HX}
    form = client.get("/orders/new", headers=headers)
    assert form.status_code == 200 and 'name="description"' in text(form)
    bad = client.post(
        "/orders/new",
        data={"category": "piano", "city": "Moscow", "description": "Fix it", "contact": ""},
        headers=headers,
    )
    assert bad.status_code == 422
    body = text(bad)
    assert 'data-field="contact"' in body and "Fix it" in body
    unknown = client.post("/orders/new", data={**ORDER, "category": "piano"}, headers=headers)
    assert unknown.status_code == 422 and 'data-field="category"' in text(unknown)


def test_new_order_form_posts(client, student):
    """Does a good submit create the order and lead to its page (HTMX and plain)?"""
    answer = client.post("/orders/new", data=ORDER, headers={**headers_for(student), **HX})
    assert answer.status_code == 204
    target = json.loads(answer.headers["HX-Location"])["path"]
    assert target.startswith("/orders/") and len(target.rsplit("/", 1)[1]) == 12
    plain = client.post("/orders/new", data=order_fields(), headers=headers_for(student))
    assert plain.status_code == 303 and "/orders/" in plain.headers["Location"]


def test_new_order_form_rate_limit(client, student, post_order):
    """Does the form show the hourly limit as a 429 with Retry-After?"""
    for _ in range(10):
        post_order(student)
    answer = client.post("/orders/new", data=order_fields(), headers={**headers_for(student), **HX})
    assert answer.status_code == 429 and "Retry-After" in answer.headers
    assert "10 orders per hour" in text(answer)


def test_pages_need_sign_in(client):
    """Are the new-order form, my orders and /me refused without sign-in?"""
    for path in ("/orders/new", "/orders/mine", "/me"):
        assert client.get(path).status_code == 401


def test_my_orders_tabs(client, make_user, post_order, fund):
    """Do the client and executor tabs list posted and taken orders?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    posted = post_order(owner)
    client.post(f"/api/orders/{posted['id']}/take", headers=headers_for(executor))
    assert posted["id"] in text(client.get("/orders/mine", headers=headers_for(owner)))
    as_executor = client.get("/orders/mine?role=executor", headers=headers_for(executor))
    assert posted["id"] in text(as_executor)
    assert posted["id"] not in text(client.get("/orders/mine", headers=headers_for(executor)))


def test_me_page(client, student, fund):
    """Does /me show balance, history, top-up, subscriptions and language?"""
    fund(student, 1500)
    page = client.get("/me", headers=headers_for(student))
    body = text(page)
    assert page.status_code == 200 and "RUB15.00" in body and "Recharge" in body
    assert 'id="stars-form"' in body and "/api/balance/stars/invoice" in body
    assert 'name="categories"' in body and 'name="locale"' in body
    assert "Development recharge" not in body
    fragment = client.get("/me", headers={**headers_for(student), **HX})
    assert "<!doctype html>" not in text(fragment)
    assert client.get("/me/history?skip=20", headers=headers_for(student)).status_code == 200


def test_me_saves_subscriptions_and_language(app, client, student):
    """Do the subscription and language forms save through the services?"""
    headers = {**headers_for(student), **HX}
    saved = client.post(
        "/me/subscriptions",
        data={"categories": ["courier"], "cities": ["551487"], "frequency": "hourly"},
        headers=headers,
    )
    assert saved.status_code == 200 and "hub:toast" in saved.headers["HX-Trigger"]
    prefs = client.get("/api/users/me", headers=headers_for(student)).get_json()["market"]
    assert prefs["preferences"] == {
        "categories": ["courier"],
        "cities": ["Kazan"],
        "city_ids": [551487],
        "frequency": "hourly",
    }
    bad = client.post("/me/subscriptions", data={"cities": ["Atlantis"]}, headers=headers)
    assert bad.status_code == 422
    switched = client.post("/me/language", data={"locale": "ru"}, headers=headers)
    assert switched.status_code == 204
    with app.app_context():
        assert db.session.get(User, student.id).locale == "ru"
    assert "Баланс" in text(client.get("/me", headers=headers_for(student)))


def test_dev_recharge_page_is_refused_when_off(client, student):
    """Is the page's development recharge refused (403) when the switch is off?"""
    answer = client.post("/me/recharge", data={"rubles": "100"}, headers=headers_for(student))
    assert answer.status_code == 403


def test_review_and_complaint_from_the_order_page(client, make_user, post_order, fund):
    """Can the client rate an executor, and the executor complain, from the order page (once)?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    path = f"/orders/{order['id']}"
    client.post(f"{path}/take", headers=headers_for(executor))
    assert "Complain about this order" in text(client.get(path, headers=headers_for(executor)))
    rate = {"executor_id": executor.id, "rating": "4", "text": "Quick"}
    rated = client.post(f"{path}/review", data=rate, headers={**headers_for(owner), **HX})
    assert rated.status_code == 200 and "hub:toast" in rated.headers["HX-Trigger"]
    again = client.post(f"{path}/review", data=rate, headers={**headers_for(owner), **HX})
    assert again.status_code == 409
    assert client.get("/api/reviews").get_json()["items"][0]["rating"] == 4
    complaint = {"reason": "no_response", "text": "Silent"}
    sent = client.post(f"{path}/complain", data=complaint, headers={**headers_for(executor), **HX})
    assert sent.status_code == 200
    twice = client.post(f"{path}/complain", data=complaint, headers={**headers_for(executor), **HX})
    assert twice.status_code == 409
