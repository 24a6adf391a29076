"""The time zones offered on `/me`: Russia's, west to east, then common ones of the
neighbours and the world; names and offsets in the user's language (Babel's CLDR data)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import babel.dates
from flask_babel import get_locale

OFFERED_ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
    "Europe/Minsk",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Asia/Almaty",
    "Asia/Tashkent",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Bangkok",
)


def zone_label(name: str, now: datetime | None = None) -> str:
    """ "Владивосток (+10:00)": the zone's main city in the user's language and its offset
    now (no "UTC"/"GMT" letters, so a Russian page stays Russian)."""
    zone = ZoneInfo(name)
    moment = (now or datetime.now(zone)).astimezone(zone)
    offset = moment.strftime("%z")
    city = babel.dates.get_timezone_location(zone, locale=str(get_locale()), return_city=True)
    return f"{city} ({offset[:3]}:{offset[3:]})"


def zone_choices(current: str | None) -> list[tuple[str, str]]:
    """`[(zone, label)]` for the select: the offered zones, and the user's own if it is
    another one (a device in Lisbon reported it)."""
    names = list(OFFERED_ZONES)
    if current and current not in names:
        names.insert(0, current)
    return [(name, zone_label(name)) for name in names]
