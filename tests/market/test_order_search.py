"""Finding orders in the feed: `search=` in the description (any case, both alphabets) and
`sort=newest|ending`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fixtures.users import headers_for
from tests.market.conftest import shift_order


def ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.get_json()
    return [order["id"] for order in answer.get_json()["items"]]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("посылку", {"ru"}),
        ("ПОСЫЛКУ", {"ru"}),
        ("Ёлки", {"ru"}),
        ("елки", {"ru"}),
        ("parcel", {"en"}),
        ("PARCEL  ACROSS", {"en"}),
        ("100%", {"percent"}),
        ("_", set()),
        ("  ", {"ru", "en", "percent"}),
    ],
)
def test_search_finds_descriptions_in_any_case_and_alphabet(
    client, make_user, post_order, search, found
):
    """Does `search` match the description case-insensitively in Cyrillic and Latin (on
    SQLite too), «Ёлки» as «елки», and `%`/`_` literally?"""
    owner = make_user()
    orders = {
        "ru": post_order(owner, description="Привезти ПОСЫЛКУ на Ёлки-Палки", contact="a"),
        "en": post_order(owner, description="Bring a PARCEL across   town", contact="b"),
        "percent": post_order(owner, description="Paint 100% of the fence", contact="c"),
    }
    answer = client.get("/api/orders", query_string={"search": search})
    assert set(ids(answer)) == {orders[name]["id"] for name in found}


def test_search_follows_an_edited_description(client, make_user, post_order):
    """Is an order found by its new description after an edit, and not by the old one?"""
    owner = make_user()
    order = post_order(owner, description="Walk the dog")
    edit = {"description": "Почистить КОВЁР"}
    client.put(f"/api/orders/{order['id']}", json=edit, headers=headers_for(owner))
    assert ids(client.get("/api/orders?search=ковер")) == [order["id"]]
    assert ids(client.get("/api/orders?search=dog")) == []


def test_sort_ending_lists_the_soonest_to_expire_first(app, client, make_user, post_order):
    """Does `sort=ending` order by expiry (soonest first) and page by its own cursor, while
    the default stays newest first?"""
    owner = make_user()
    first, second, third = (post_order(owner, contact=str(n)) for n in range(3))
    shift_order(app, second["id"], created_ago=timedelta(minutes=30))
    shift_order(app, first["id"], created_ago=timedelta(minutes=10))
    page = client.get("/api/orders?sort=ending&limit=2").get_json()
    assert [o["id"] for o in page["items"]] == [second["id"], first["id"]]
    rest = client.get("/api/orders", query_string={"sort": "ending", "after": page["next"]})
    assert ids(rest) == [third["id"]]
    assert ids(client.get("/api/orders")) == [third["id"], first["id"], second["id"]]


@pytest.mark.parametrize("query", ["sort=oldest", "sort=", "search=" + "x" * 101])
def test_a_bad_sort_or_search_is_refused(client, query):
    """Is an unknown sort or an oversized search a 422 problem naming the field?"""
    answer = client.get(f"/api/orders?{query}")
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == query.split("=")[0]


def test_the_feed_page_searches_and_sorts(app, client, make_user, post_order):
    """Does the feed page find orders by a word of their description (a Russian word in
    another case), keep the search in its refresh and its chips, and sort by expiry?"""
    owner = make_user()
    rug = post_order(owner, description="Почистить КОВЁР в гостиной", contact="a")
    dog = post_order(owner, description="Walk the dog", contact="b")
    shift_order(app, dog["id"], created_ago=timedelta(minutes=30))
    page = client.get("/orders", query_string={"search": "ковер", "lang": "ru"})
    html = page.get_data(as_text=True)
    assert rug["id"] in html and dog["id"] not in html
    assert 'name="search" value="ковер"' in html and "Искать в описаниях" in html
    assert "search=%D0%BA%D0%BE%D0%B2%D0%B5%D1%80" in html  # the refresh and chips keep it
    ending = client.get("/orders?sort=ending").get_data(as_text=True)
    assert ending.index(dog["id"]) < ending.index(rug["id"])
    newest = client.get("/orders").get_data(as_text=True)
    assert newest.index(rug["id"]) < newest.index(dog["id"])


def test_a_searchs_first_page_counts_in_its_own_statement(
    app, client, make_user, post_order, monkeypatch
):
    """Does the first page of a search count its matches in the page's own statement (one
    search of the table, not two) and answer what two statements would — total, the cap,
    `has_more` and a cursor whose next page continues where it stopped — while a plain feed
    still pages and counts apart?"""
    import sqlalchemy as sa

    from webapp import pagination
    from webapp.extensions import db

    monkeypatch.setattr(pagination, "TOTAL_LIMIT", 4)
    owners = [make_user() for _ in range(2)]
    for n in range(7):
        post_order(owners[n % 2], description=f"Tune the piano number {n}")
    post_order(owners[0], description="Carry a parcel")
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        first = client.get("/api/orders?search=piano&limit=3").get_json()
        searched = [s for s in statements if "FROM orders" in s]
        statements.clear()
        plain = client.get("/api/orders?limit=3").get_json()
        plain_statements = [s for s in statements if "FROM orders" in s]
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(searched) == 1 and "count(*) OVER" in searched[0]
    assert (first["total"], first["total_capped"], first["has_more"]) == (4, True, True)
    assert [o["description"][-1] for o in first["items"]] == ["6", "5", "4"]
    assert len(plain_statements) == 2
    assert (plain["total"], plain["total_capped"]) == (4, True)
    rest = client.get(f"/api/orders?search=piano&limit=3&after={first['next']}").get_json()
    assert [o["description"][-1] for o in rest["items"]] == ["3", "2", "1"]
    monkeypatch.setattr(pagination, "TOTAL_LIMIT", 1000)
    few = client.get("/api/orders?search=piano&limit=5").get_json()
    assert (few["total"], few["total_capped"], few["has_more"], len(few["items"])) == (
        7, False, True, 5,
    )  # fmt: skip
    nothing = client.get("/api/orders?search=harpsichord").get_json()
    assert (nothing["total"], nothing["items"], nothing["has_more"]) == (0, [], False)
