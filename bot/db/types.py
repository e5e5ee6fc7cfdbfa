"""Column types that behave the same on SQLite and PostgreSQL, and published texts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, String, Text, event
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from bot.domain.text import mask_personal_data


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp.

    SQLite has no time zones and hands back naive values; this type stores UTC and
    always returns aware datetimes, so comparisons never mix naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class PublishedText(TypeDecorator[str]):
    """Free text that people other than its writer see: pages, open data, cards, notices.

    Personal data (`mask_personal_data`) is masked on the way in, so no published column
    stores it, and again on the way out, so rows written before the masking rules grew are
    shown masked as well. With `mask_on_assignment` registered, setting the attribute on a
    mapped object masks at once too, so an object built in this session never hands the
    raw text on (to an outbox row, say). A text only its writer and staff see stays `Text`.
    """

    impl: type[String] = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return self.masked(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return self.masked(value)

    def masked(self, value: str | None) -> str | None:
        """The value with personal data masked, cut to the column's length if it has one
        (a masked e-mail is up to three characters longer)."""
        if value is None:
            return None
        text = mask_personal_data(value)[0]
        length = getattr(self.impl, "length", None)
        return text[:length] if length else text


class PublishedString(PublishedText):
    """A `PublishedText` of bounded length: `PublishedString(120)` is a VARCHAR(120)."""

    impl = String
    cache_ok = True


class PublishedJSON(TypeDecorator[Any]):
    """JSON whose string values are published texts (keys and numbers stay as they are)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return self.masked(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return self.masked(value)

    def masked(self, value: Any) -> Any:
        if isinstance(value, str):
            return mask_personal_data(value)[0]
        if isinstance(value, dict):
            return {key: self.masked(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.masked(item) for item in value]
        return value


def mask_on_assignment(mapper: Mapper[Any], class_: type) -> None:
    """A `mapper_configured` hook: published columns mask a value as soon as it is set."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, PublishedText | PublishedJSON):
            event.listen(prop.class_attribute, "set", _masking_setter(column_type), retval=True)


def _masking_setter(
    column_type: PublishedText | PublishedJSON,
) -> Callable[[Any, Any, Any, Any], Any]:
    def mask(target: Any, value: Any, old_value: Any, initiator: Any) -> Any:
        return column_type.masked(value)

    return mask
