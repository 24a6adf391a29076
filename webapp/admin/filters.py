"""List filters that fit our column types.

* `UTCDateTime`: Flask-Admin knows `DateTime` only; a filter value is read in the admin's
  time zone (the one the dashboard shows times in) and becomes an aware UTC datetime, as
  the column type requires.
* Enums stored by value (`values_callable`, e.g. `Role`): Flask-Admin offers the values
  but looks them up by member name, and an unknown one is a 500. Ours look up by value and
  treat an unknown one as an invalid filter (a message, no 500); their options show each
  value's translated name (`webapp.admin.labels`).
* A column holding the key of a choice the admin keeps (an order's category): the options
  are the choices' names in the admin's language, read when the page is drawn (the
  admin edits the list while the app runs).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_admin.contrib.sqla import filters
from flask_admin.model.filters import convert
from flask_babel import to_utc

from webapp.admin.labels import enum_options
from webapp.core import choices
from webapp.i18n import choice_name


def _aware(value: datetime) -> datetime:
    return to_utc(value).replace(tzinfo=UTC)


class UTCAfter(filters.DateTimeGreaterFilter):
    def clean(self, value: str) -> datetime:
        return _aware(super().clean(value))


class UTCBefore(filters.DateTimeSmallerFilter):
    def clean(self, value: str) -> datetime:
        return _aware(super().clean(value))


class UTCBetween(filters.DateTimeBetweenFilter):
    def clean(self, value: str) -> list[datetime]:
        return [_aware(v) for v in super().clean(value)]


def _member(enum_class: Any, value: Any) -> Any:
    if enum_class is None or isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        raise ValueError(f"not a {enum_class.__name__}: {value!r}") from None


class EnumEqual(filters.EnumEqualFilter):
    def clean(self, value: Any) -> Any:
        return _member(self.enum_class, value)


class EnumNotEqual(filters.EnumFilterNotEqual):
    def clean(self, value: Any) -> Any:
        return _member(self.enum_class, value)


class EnumInList(filters.EnumFilterInList):
    def clean(self, value: Any) -> Any:
        return [_member(self.enum_class, v) for v in filters.FilterInList.clean(self, value)]


class EnumNotInList(filters.EnumFilterNotInList):
    def clean(self, value: Any) -> Any:
        return [_member(self.enum_class, v) for v in filters.FilterInList.clean(self, value)]


class HubFilterConverter(filters.FilterConverter):
    utc_datetime_filters = (UTCAfter, UTCBefore, UTCBetween, filters.FilterEmpty)
    enum = (EnumEqual, EnumNotEqual, filters.EnumFilterEmpty, EnumInList, EnumNotInList)

    @convert("enum")
    def conv_enum(self, column: Any, name: str, options: Any = None, **kwargs: Any) -> list[Any]:
        """Options named in the admin's language."""
        if not options:
            options = enum_options(column.type.enum_class, list(column.type.enums))
        return [f(column, name, options, **kwargs) for f in self.enum]

    @convert("utcdatetime")
    def conv_utc_datetime(self, column: Any, name: str, **kwargs: Any) -> list[Any]:
        return [f(column, name, **kwargs) for f in self.utc_datetime_filters]


class _ChoiceOptions:
    """A filter's options read on each page: Flask-Admin keeps what `get_options` returns
    from the view's start and iterates it when it draws the filters."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Any:
        names = choices.display_names(self.kind)  # inactive ones too: old rows have them
        return iter([(key, choice_name(self.kind, key)) for key in names])


class ChoiceEqual(filters.FilterEqual):
    """`column = key` of a kind of choice the admin keeps, offered by name."""

    def __init__(self, column: Any, name: Any, kind: str) -> None:
        super().__init__(column, name)
        self.kind = kind

    def get_options(self, view: Any) -> Any:
        return _ChoiceOptions(self.kind)
