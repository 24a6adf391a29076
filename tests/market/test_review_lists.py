"""Reviews both ways: whom the caller may still review or complain about on an order
(`/api/reviews/check`), the reviews they wrote (`mine`) and received (`about_me`), each with
its author and its order's category and city, and an executor's public profile."""

from __future__ import annotations

from tests.fixtures.users import headers_for


def take(client, user, order_id):
    answer = client.post(f"/api/orders/{order_id}/take", headers=headers_for(user))
    assert answer.status_code == 201, answer.get_json()


def review(client, user, order_id, executor_id, rating=5, text="Good"):
    body = {"order_id": order_id, "executor_id": executor_id, "rating": rating, "text": text}
    return client.post("/api/reviews/client", json=body, headers=headers_for(user))


def complain(client, user, order_id):
    body = {"order_id": order_id, "reason": "fraud", "text": ""}
    return client.post("/api/reviews/executor", json=body, headers=headers_for(user))


def check(client, user, order_id):
    answer = client.get(f"/api/reviews/check?order_id={order_id}", headers=headers_for(user))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_check_names_whom_the_client_may_still_review(client, make_user, post_order, fund):
    """Does the client's check list the executors not reviewed yet, shrinking as they
    review, while the client may complain about nobody?"""
    owner = make_user()
    first, second = make_user(first_name="Ann"), make_user(first_name="Bob")
    for executor in (first, second):
        fund(executor, 1000)
    order = post_order(owner)
    for executor in (first, second):
        take(client, executor, order["id"])

    before = check(client, owner, order["id"])
    assert [e["name"] for e in before["may_review"]] == ["Ann", "Bob"]
    assert before["may_complain"] is False

    assert review(client, owner, order["id"], first.id).status_code == 201
    assert [e["id"] for e in check(client, owner, order["id"])["may_review"]] == [second.id]


def test_check_says_an_executor_may_complain_once(client, make_user, post_order, fund):
    """May an executor who took the order complain until they have, and a stranger never?"""
    owner, executor, stranger = make_user(), make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    assert check(client, executor, order["id"])["may_complain"] is False  # not taken yet
    take(client, executor, order["id"])
    assert check(client, executor, order["id"]) == {
        "order_id": order["id"],
        "may_review": [],
        "may_complain": True,
    }
    assert complain(client, executor, order["id"]).status_code == 201
    assert check(client, executor, order["id"])["may_complain"] is False
    assert check(client, stranger, order["id"]) == {
        "order_id": order["id"],
        "may_review": [],
        "may_complain": False,
    }


def test_check_needs_sign_in_and_a_real_order(client, make_user):
    """Is the check 401 without sign-in, 404 for an unknown order, 422 for a bad id?"""
    assert client.get("/api/reviews/check?order_id=AAAAAAAAAAAA").status_code == 401
    user = headers_for(make_user())
    assert client.get("/api/reviews/check?order_id=AAAAAAAAAAAA", headers=user).status_code == 404
    bad = client.get("/api/reviews/check?order_id=no-no", headers=user)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "order_id"


def test_mine_and_about_me(client, make_user, post_order, fund):
    """Does `mine` list the reviews the caller wrote and `about_me` those about them, each
    with its author's name and its order's category and city, newest first?"""
    author = make_user(first_name="Kate")
    executor, other_executor = make_user(), make_user()
    for user in (executor, other_executor):
        fund(user, 1000)
    courier = post_order(author)
    repair = post_order(author, category="repair", city="Kazan")
    take(client, executor, courier["id"])
    take(client, other_executor, repair["id"])
    assert review(client, author, courier["id"], executor.id, rating=4).status_code == 201
    assert review(client, author, repair["id"], other_executor.id, rating=2).status_code == 201
    someone = make_user()
    elsewhere = post_order(someone)
    take(client, executor, elsewhere["id"])
    assert review(client, someone, elsewhere["id"], executor.id, rating=5).status_code == 201

    mine = client.get("/api/reviews?mine=true", headers=headers_for(author)).get_json()
    assert [(r["category"], r["city"], r["rating"]) for r in mine["items"]] == [
        ("repair", "Kazan", 2),
        ("courier", "Moscow", 4),
    ]
    assert mine["total"] == 2
    assert mine["items"][0]["author"] == {"id": author.id, "name": "Kate"}

    about = client.get("/api/reviews?about_me=true", headers=headers_for(executor)).get_json()
    assert [r["rating"] for r in about["items"]] == [5, 4]
    paged = client.get("/api/reviews?about_me=true&limit=1&skip=1", headers=headers_for(executor))
    assert [r["rating"] for r in paged.get_json()["items"]] == [4]
    assert paged.get_json()["has_more"] is False


def test_mine_needs_sign_in_and_one_direction(client, make_user):
    """Is `mine`/`about_me` 401 signed out, and asking both at once a 422 naming about_me?"""
    assert client.get("/api/reviews?mine=true").status_code == 401
    assert client.get("/api/reviews?about_me=true").status_code == 401
    both = client.get("/api/reviews?mine=true&about_me=true", headers=headers_for(make_user()))
    assert both.status_code == 422
    assert both.get_json()["errors"][0]["field"] == "about_me"


def test_executor_profile(client, make_user, post_order, fund):
    """Does the public executor profile show the name, rating, completed orders and the
    latest reviews (with author, category, city), and 404 for nobody?"""
    executor = make_user(first_name="Max", username="maxx")
    fund(executor, 5000)
    for rating in (3, 5):
        owner = make_user()
        order = post_order(owner)
        take(client, executor, order["id"])
        done = {"executor_id": executor.id}
        path = f"/api/orders/{order['id']}/complete"
        assert client.post(path, json=done, headers=headers_for(owner)).status_code == 200
        assert review(client, owner, order["id"], executor.id, rating=rating).status_code == 201

    body = client.get(f"/api/users/{executor.id}/executor-profile").get_json()

    assert body["name"] == "Max" and body["username"] == "maxx"
    assert body["rating"] == 4.0 and body["reviews_count"] == 2
    assert body["completed_orders"] == 2
    assert [r["rating"] for r in body["recent_reviews"]] == [5, 3]
    assert body["recent_reviews"][0]["category"] == "courier"
    assert client.get("/api/users/999999/executor-profile").status_code == 404


def test_posted_review_answers_author_and_order(client, make_user, post_order, fund):
    """Does POST /api/reviews/client answer the review with its author and order's city?"""
    owner, executor = make_user(first_name="Lev"), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    take(client, executor, order["id"])
    body = review(client, owner, order["id"], executor.id).get_json()
    assert body["author"]["name"] == "Lev" and body["city"] == "Moscow"


def test_executor_page_is_linked_from_the_takes(client, make_user, post_order, fund):
    """Does the client's list of takes link each executor to a profile page that shows their
    rating, completed orders and latest reviews in the viewer's language, and 404 for nobody?"""
    owner = make_user(first_name="Vera", language_code="ru")
    executor = make_user(first_name="Max")
    fund(executor, 1000)
    order = post_order(owner)
    take(client, executor, order["id"])
    done = {"executor_id": executor.id}
    path = f"/api/orders/{order['id']}/complete"
    assert client.post(path, json=done, headers=headers_for(owner)).status_code == 200
    assert review(client, owner, order["id"], executor.id, rating=4, text="1+1").status_code == 201

    order_page = client.get(f"/orders/{order['id']}", headers=headers_for(owner))
    assert f'href="/executors/{executor.id}"' in order_page.get_data(as_text=True)
    page = client.get(f"/executors/{executor.id}", headers=headers_for(owner))

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Max" in html and "★ 4.0" in html and "1 отзыв" in html
    assert "1 заказ выполнен" in html
    assert "Vera · Курьер · Москва" in html and "1+1" in html
    assert client.get("/executors/999999", headers=headers_for(owner)).status_code == 404


def test_order_page_offers_only_what_the_check_allows(client, make_user, post_order, fund):
    """Does the order page offer the client a rating form only for executors not reviewed
    yet, and the executor the complaint form only until they have complained?"""
    owner, first, second = make_user(), make_user(), make_user()
    for executor in (first, second):
        fund(executor, 1000)
    order = post_order(owner)
    for executor in (first, second):
        take(client, executor, order["id"])
    page = f"/orders/{order['id']}"

    def rating_forms() -> int:
        html = client.get(page, headers=headers_for(owner)).get_data(as_text=True)
        return html.count(f'action="{page}/review"')

    assert rating_forms() == 2
    assert review(client, owner, order["id"], first.id).status_code == 201
    assert rating_forms() == 1
    theirs = client.get(page, headers=headers_for(first)).get_data(as_text=True)
    assert f'action="{page}/complain"' in theirs
    assert complain(client, first, order["id"]).status_code == 201
    theirs = client.get(page, headers=headers_for(first)).get_data(as_text=True)
    assert f'action="{page}/complain"' not in theirs
    assert "Your complaint about this order is sent." in theirs
