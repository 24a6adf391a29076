"""Notification fan-out against the fake Bot API that enforces Telegram's limits.

    python bench/fanout.py [--messages 10000] [--chats 250]

Queues `--messages` outbox rows (`webapp.outbox.queue_message`, round-robin over `--chats`
private chats, so each chat's 1/s limit leaves the global 30/s limit as the bottleneck),
then runs the sender (`bot.sender.deliver`, 4 threads, the app's limits 30/s overall and 1/s
per chat) against `tests/fixtures/fake_telegram.FakeTelegram` with Telegram's limits; the
fake answers 429 and counts a violation for any message over them. Reports the achieved rate
beside the limit, messages lost (queued but not received exactly once) and violations.

The default (1,000 messages, ~35 s at 30/s) keeps `bench/run.py` short; the SPEC's 10k figure
takes ~5.5 minutes: `python bench/fanout.py --messages 10000`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.common import Result, dispose, make_app, postgres_database
from bot.sender import deliver
from tests.fixtures.fake_telegram import FakeTelegram
from webapp.extensions import db
from webapp.outbox import OutgoingMessage, queue_message

MESSAGES = 1_000
CHATS = 250
LIMIT = 30.0


def run(*, messages: int = MESSAGES, chats: int = CHATS) -> list[Result]:
    fake = FakeTelegram().start()
    try:
        with postgres_database() as url:
            app = make_app(
                url,
                {"JOBS_INLINE": True, "BOT_DELIVERY": "off", "TELEGRAM_API_URL": fake.url},
            )
            expected = Counter()
            with app.app_context():
                for i in range(messages):
                    chat_id = 10_000 + i % chats
                    text = f"Notification {i}"
                    queue_message(chat_id, text)
                    expected[(chat_id, text)] += 1
                db.session.commit()
            started = time.perf_counter()
            sent = deliver(app, budget=messages / LIMIT * 3 + 30)
            seconds = time.perf_counter() - started
            with app.app_context():
                statuses = dict(
                    db.session.execute(
                        sa.select(OutgoingMessage.status, sa.func.count()).group_by(
                            OutgoingMessage.status
                        )
                    ).all()
                )
            dispose(app)
    finally:
        fake.stop()

    ok = [c for c in fake.calls("sendMessage") if c.status == 200]
    received = Counter((int(c.params["chat_id"]), c.params["text"]) for c in ok)
    lost = sum((expected - received).values())
    duplicated = sum((received - expected).values())
    span = ok[-1].at - ok[0].at if len(ok) > 1 else seconds
    rate = (len(ok) - 1) / span if span > 0 else 0.0
    status_note = ", ".join(f"{getattr(k, 'value', k)} {v}" for k, v in statuses.items())
    return [
        Result(
            "notification fan-out",
            "messages delivered",
            len(ok),
            "",
            f"of {messages} queued to {chats} chats; outbox: {status_note}; sender counted {sent}",
        ),
        Result("notification fan-out", "lost / duplicated", f"{lost} / {duplicated}", ""),
        Result(
            "notification fan-out",
            "429 answers (limit violations)",
            fake.violations,
            "",
            f"{len(fake.calls('sendMessage')) - len(ok)} non-200 answers",
        ),
        Result(
            "notification fan-out",
            "achieved rate",
            round(rate, 1),
            "msg/s",
            f"first to last delivery; whole run {seconds:.1f} s",
        ),
        Result(
            "notification fan-out",
            "ratio achieved / limit",
            round(rate / LIMIT, 3),
            "x",
            f"limit {LIMIT:.0f}/s (Telegram's global limit, the fake's and the sender's)",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--chats", type=int, default=CHATS)
    args = parser.parse_args()
    for row in run(messages=args.messages, chats=args.chats):
        print(f"{row.metric}: {row.value} {row.unit} {row.note}")


if __name__ == "__main__":
    main()
