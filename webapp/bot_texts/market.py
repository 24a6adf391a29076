"""What the bot tells the people of one order (the market's personal messages): an executor
that its client closed it or responded, the client that an executor took it. Call each
inside `flask_babel.force_locale(...)` of the recipient; `order` is the order's title as
the recipient reads it ("Courier · Moscow")."""

from __future__ import annotations

from flask_babel import gettext, ngettext


def order_closed(order: str) -> str:
    return gettext(
        "The client closed the order «%(order)s». The take is not refunded: "
        "the contact was shown to you.",
        order=order,
    )


def order_taken(order: str, name: str, rating: float | None, minutes: int) -> str:
    if rating is None:
        who = gettext("%(name)s (no reviews yet)", name=name)
    else:
        who = gettext("%(name)s (rating %(rating).1f)", name=name, rating=rating)
    return (
        gettext("%(who)s took your order «%(order)s».", who=who, order=order)
        + "\n"
        + ngettext(
            "Respond within %(num)d minute, or the executors get their money back.",
            "Respond within %(num)d minutes, or the executors get their money back.",
            minutes,
        )
    )


def client_responded(order: str) -> str:
    return gettext(
        "The client responded to your take of the order «%(order)s». Get in touch.",
        order=order,
    )
