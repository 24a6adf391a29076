"""The fake Bot API itself: if it stopped enforcing the limits, the sender tests would prove
nothing. The limits are checked on a fake clock that stands still unless a test moves it, so
a slow machine cannot refill a bucket between two calls."""

from __future__ import annotations

import requests


def send(fake, chat_id, text="hi", **kwargs):
    return requests.post(
        f"{fake.url}/bot1:x/sendMessage", json={"chat_id": chat_id, "text": text}, **kwargs
    )


def test_a_burst_to_one_chat_is_answered_429(fake_telegram, fake_clock):
    """Are more than 3 quick messages to one chat refused with 429 and retry_after?"""
    fake_telegram.reset(fake_clock.monotonic)
    answers = [send(fake_telegram, 1) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    body = answers[-1].json()
    assert body["error_code"] == 429 and body["parameters"]["retry_after"] >= 1
    assert fake_telegram.violations == 1
    assert send(fake_telegram, 2).status_code == 429  # a retry before retry_after: early
    assert fake_telegram.early_retries == 1
    fake_clock.sleep(body["parameters"]["retry_after"])
    assert send(fake_telegram, 1).status_code == 200  # the pause is over, one more token


def test_more_than_30_a_second_overall_is_answered_429(fake_telegram, fake_clock):
    """Is a burst to 45 different chats cut off after 30, and is the bucket refilled at 30 a
    second?"""
    fake_telegram.reset(fake_clock.monotonic)
    codes = [send(fake_telegram, 100 + i).status_code for i in range(31)]
    assert codes == [200] * 30 + [429]
    fake_clock.sleep(1.0)  # the pause the 429 asked for; 30 tokens back meanwhile
    codes = [send(fake_telegram, 200 + i).status_code for i in range(31)]
    assert codes == [200] * 30 + [429]


def test_a_group_gets_20_a_minute(fake_telegram, fake_clock):
    """Is the 21st quick message to a group refused?"""
    fake_telegram.reset(fake_clock.monotonic)
    codes = [send(fake_telegram, -5).status_code for _ in range(21)]
    assert codes == [200] * 20 + [429]


def test_query_string_parameters_are_read_as_telebot_sends_them(fake_telegram):
    """Are parameters in the query string (with JSON-encoded markup) read like a body?"""
    answer = requests.post(
        f"{fake_telegram.url}/bot1:x/sendMessage",
        params={"chat_id": 9, "text": "q", "reply_markup": '{"inline_keyboard": []}'},
    )
    assert answer.status_code == 200
    [call] = fake_telegram.calls("sendMessage")
    assert call.params["reply_markup"] == {"inline_keyboard": []}
    assert call.chat_id == 9 and call.token == "1:x"


def test_blocked_chats_and_failures(fake_telegram):
    """Do `block`, `fail_next` and `throttle_next` answer 403, 5xx and 429?"""
    fake_telegram.block(7)
    fake_telegram.fail_next(1, status=502)
    assert send(fake_telegram, 7).status_code == 502
    blocked = send(fake_telegram, 7)
    assert blocked.status_code == 403
    assert "blocked by the user" in blocked.json()["description"]
    fake_telegram.throttle_next(1, retry_after=3)
    assert send(fake_telegram, 8).json()["parameters"]["retry_after"] == 3
    assert fake_telegram.calls("sendMessage") == []
