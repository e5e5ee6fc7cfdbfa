"""「하루 한 번 모아 받기」: a resident's non-urgent news waits for one daily time and goes out
as one message.

No row is marked when it starts waiting: a resident's non-urgent row belongs to the digest
sent at the first daily time after it was written, so whether it is due is a function of
`now` alone, and switching the choice off lets the waiting rows go at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Protocol, TypeVar

from bot.domain.deadlines import SEOUL
from bot.domain.events import (
    BallotReminder6h,
    BallotReminder48h,
    CouncilDrawn,
    CouncilOfferExpired,
    CouncilSeatOffered,
)

DIGEST_KIND = "daily_digest"  # the kind a digest is rendered as (never stored in a row)
DEFAULT_DIGEST_AT = time(19)
# Notices worth nothing a day late, or that a digest's one line and one button would spoil:
# a ballot reminder could wait past the vote's close; a seat on the 주민자치회 is offered with
# its deadline and two buttons (take it, decline it).
SENT_AT_ONCE: frozenset[str] = frozenset({
    BallotReminder48h.kind, BallotReminder6h.kind,
    CouncilDrawn.kind, CouncilSeatOffered.kind, CouncilOfferExpired.kind,
})


@dataclass(frozen=True)
class DailyDigest:
    """The local time of day the digest goes out, in the district's time zone."""

    at: time = DEFAULT_DIGEST_AT
    tz: tzinfo = SEOUL

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None:
            raise ValueError("the digest time must be a local time without tzinfo")

    def latest(self, now: datetime) -> datetime:
        """The last daily time at or before `now` (UTC): rows written by then are due."""
        local = _local(now, self.tz)
        moment = datetime.combine(local.date(), self.at, tzinfo=self.tz)
        if moment > local:
            moment = datetime.combine(local.date() - timedelta(days=1), self.at, tzinfo=self.tz)
        return moment.astimezone(UTC)

    def next(self, now: datetime) -> datetime:
        """The first daily time after `now` (UTC): when what is written now goes out."""
        local = _local(now, self.tz)
        moment = datetime.combine(local.date(), self.at, tzinfo=self.tz)
        if moment <= local:
            moment = datetime.combine(local.date() + timedelta(days=1), self.at, tzinfo=self.tz)
        return moment.astimezone(UTC)

    def holds(self, written_at: datetime, now: datetime) -> bool:
        """Whether a row written at `written_at` still waits for its digest at `now`."""
        return written_at > self.latest(now)


def parse_digest_time(text: str) -> time:
    """`19:00` (also `7:30`, `19`) as a time of day; ValueError otherwise."""
    hour, _, minute = text.strip().partition(":")
    if not hour.isdigit() or (minute and not minute.isdigit()) or len(minute) not in (0, 2):
        raise ValueError(f"expected a time of day like 19:00, got {text!r}")
    return time(int(hour), int(minute or 0))


class Waiting(Protocol):
    """What grouping needs of an outbox row."""

    @property
    def id(self) -> int: ...

    @property
    def chat_id(self) -> int: ...

    @property
    def created_at(self) -> datetime | None: ...


W = TypeVar("W", bound=Waiting)


def digests(rows: Sequence[W]) -> list[list[W]]:
    """One digest per chat, its items in the order they happened (written, then id); the
    digests in the order of their first item."""
    groups: dict[int, list[W]] = {}
    for row in sorted(rows, key=_written):
        groups.setdefault(row.chat_id, []).append(row)
    return list(groups.values())


def _written(row: Waiting) -> tuple[datetime, int]:
    return (row.created_at or datetime.min.replace(tzinfo=UTC), row.id)


def _local(moment: datetime, tz: tzinfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(tz)
