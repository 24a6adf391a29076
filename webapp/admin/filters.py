"""List filters for our own column types (Flask-Admin knows `DateTime`, not `UTCDateTime`).

The dashboard's dates are typed and shown in UTC; a filter value becomes an aware UTC
datetime, as the column type requires.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_admin.contrib.sqla import filters
from flask_admin.model.filters import convert


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


class UTCAfter(filters.DateTimeGreaterFilter):
    def clean(self, value: str) -> datetime:
        return _aware(super().clean(value))


class UTCBefore(filters.DateTimeSmallerFilter):
    def clean(self, value: str) -> datetime:
        return _aware(super().clean(value))


class UTCBetween(filters.DateTimeBetweenFilter):
    def clean(self, value: str) -> list[datetime]:
        return [_aware(v) for v in super().clean(value)]


class HubFilterConverter(filters.FilterConverter):
    utc_datetime_filters = (UTCAfter, UTCBefore, UTCBetween, filters.FilterEmpty)

    @convert("utcdatetime")
    def conv_utc_datetime(self, column: Any, name: str, **kwargs: Any) -> list[Any]:
        return [f(column, name, **kwargs) for f in self.utc_datetime_filters]
