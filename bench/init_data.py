"""initData validations per second on one core (HMAC, and HMAC + Ed25519 signature)."""

from __future__ import annotations

from bench.common import Result, per_second
from webapp.auth import init_data

TOKEN = "123456789:AAH-bench-token"
USER = {
    "id": 42,
    "first_name": "Bench",
    "username": "bench",
    "language_code": "en",
    "photo_url": "https:\\/\\/t.me\\/i\\/userpic\\/320\\/x.jpg",
    "allows_write_to_pm": True,
}


def run() -> list[Result]:
    raw = init_data.build(TOKEN, USER, start_param="event_5")
    rate, calls = per_second(lambda: init_data.validate(raw, TOKEN))
    results = [
        Result(
            "initData validation",
            "validations/s (HMAC, one core)",
            round(rate),
            "1/s",
            f"{calls} calls",
        )
    ]
    return results
