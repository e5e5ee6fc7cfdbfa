"""Column types that behave the same on SQLite and PostgreSQL, and published texts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, String, Text, event
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from bot.domain.text import mask_personal_data

MASKED_TEXTS_REMEMBERED = 1024  # at most a few MB of the most read published texts


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp.

    SQLite has no time zones and hands back naive values; this type stores UTC and
    always returns aware datetimes, so comparisons never mix naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        """On SQLite, one step from the stored text to the aware value: SQLAlchemy's own
        processor parses the text with a regular expression before `process_result_value`
        runs, the larger part of what reading a row cost (a page reads a dozen stamps).
        `datetime.fromisoformat` reads every form SQLAlchemy and SQLite write."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return _utc_from_sqlite

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


def _utc_from_sqlite(value: Any) -> datetime | None:
    """A stamp as SQLite hands it back (text, naive, UTC) made an aware UTC datetime."""
    if value is None:
        return None
    stamp = datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


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

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        """On SQLite the driver's text goes straight to `masked` (SQLAlchemy's wrapper
        around `process_result_value` is a second call for every published text read)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return self.masked

    def masked(self, value: str | None) -> str | None:
        """The value with personal data masked, cut to the column's length if it has one
        (a masked e-mail is up to three characters longer)."""
        if value is None:
            return None
        text = _masked_text(value)
        length = getattr(self.impl, "length", None)
        return text[:length] if length else text


@lru_cache(maxsize=MASKED_TEXTS_REMEMBERED)
def _masked_text(text: str) -> str:
    """`mask_personal_data`'s text, remembered for the texts read again and again (a page's
    title and body on every visit): masking reads every character, a lookup hashes once."""
    return mask_personal_data(text)[0]


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
