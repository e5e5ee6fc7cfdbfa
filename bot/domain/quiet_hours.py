"""Quiet hours: a daily local-time window during which non-urgent messages wait."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.domain.deadlines import SEOUL

_RANGE_SEPARATOR = re.compile(r"\s*[-~\u2013\u2014]\s*")
_CLOCK = re.compile(r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?")


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` to ``end`` local time (may cross midnight); ``start == end`` disables it."""

    start: time = time(22)
    end: time = time(8)

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if value.tzinfo is not None:
                raise ValueError(f"quiet hours {name} must be a local time without tzinfo")

    @property
    def enabled(self) -> bool:
        """False when start equals end (no quiet window at all)."""
        return self.start != self.end

    def contains(self, moment: datetime, tz: tzinfo = SEOUL) -> bool:
        """True when ``moment`` falls inside the quiet window (start inclusive, end exclusive)."""
        clock = _local(moment, tz).time()
        if not self.enabled:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def next_end(self, moment: datetime, tz: tzinfo = SEOUL) -> datetime:
        """The UTC instant the current quiet window ends; ``moment`` (in UTC) if not quiet."""
        local = _local(moment, tz)
        if not self.contains(moment, tz):
            return moment.astimezone(UTC)
        end_day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(end_day, self.end, tzinfo=tz).astimezone(UTC)

    def format(self) -> str:
        """``22:00-08:00``: the form ``parse`` reads."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Read ``"22:00-08:00"`` (also ``22-8``, ``22:00~08:00``); ValueError names bad parts."""
        parts = _RANGE_SEPARATOR.split(text.strip())
        if len(parts) != 2:
            raise ValueError(f"quiet hours must look like 22:00-08:00, got {text!r}")
        return cls(start=_parse_clock(parts[0]), end=_parse_clock(parts[1]))


def _parse_clock(value: str) -> time:
    match = _CLOCK.fullmatch(value)
    if match is None:
        raise ValueError(f"invalid time {value!r} in quiet hours (use HH:MM)")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if (hour, minute) == (24, 0):
        return time(0)
    if hour > 23 or minute > 59:
        raise ValueError(f"invalid time {value!r} in quiet hours (out of range)")
    return time(hour, minute)


def _local(moment: datetime, tz: tzinfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(tz)
