"""Deadline arithmetic after the Korean Civil Act (민법 §157, §161), in Asia/Seoul.

A window of ``days`` days starts the day after the event (초일불산입) unless the event is
exactly at local midnight, and ends at 24:00 local time of its last day. Official
deadlines whose last day is a Saturday, Sunday or public holiday move to the next
business day. Deadlines are returned timezone-aware in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays

SEOUL = ZoneInfo("Asia/Seoul")
EXTRA_CLOSED_DAY_NAME = "임시 휴무일"
MAX_CLOSED_RUN_DAYS = 366


class BusinessCalendar:
    """Korean business days: no weekends, public holidays (incl. 대체공휴일) or extra closures."""

    def __init__(
        self,
        extra_closed: Mapping[date, str] | Iterable[date] = (),
        *,
        language: str = "ko",
    ) -> None:
        # expand=True (the default) fills in any year on first lookup, so every year works.
        self._holidays = holidays.country_holidays("KR", language=language)
        if isinstance(extra_closed, Mapping):
            self._extra_closed: dict[date, str] = dict(extra_closed)
        else:
            self._extra_closed = {day: EXTRA_CLOSED_DAY_NAME for day in extra_closed}

    def holiday_name(self, d: date) -> str | None:
        """The public holiday or extra closure on ``d``, or None (plain weekends give None)."""
        day = _as_date(d)
        names = [name for name in (self._holidays.get(day), self._extra_closed.get(day)) if name]
        return "; ".join(names) if names else None

    def is_holiday(self, d: date) -> bool:
        """True when ``d`` is a public holiday or an extra closed day."""
        day = _as_date(d)
        return day in self._extra_closed or day in self._holidays

    def is_business_day(self, d: date) -> bool:
        """True unless ``d`` is a Saturday, a Sunday or a holiday."""
        day = _as_date(d)
        return day.weekday() < 5 and not self.is_holiday(day)

    def next_business_day(self, d: date) -> date:
        """``d`` itself when it is a business day, else the first business day after it."""
        day = _as_date(d)
        for _ in range(MAX_CLOSED_RUN_DAYS):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no business day within {MAX_CLOSED_RUN_DAYS} days of {d.isoformat()}")


def business_day_after(start: date, days: int, calendar: BusinessCalendar) -> date:
    """The `days`-th business day after `start` (the day of the event does not count)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
    return day


def window_last_day(event_at: datetime, days: int, tz: tzinfo = SEOUL) -> date:
    """The last calendar day of a ``days``-day window that starts with ``event_at`` (민법 §157)."""
    _require_aware(event_at, "event_at")
    _require_non_negative(days)
    local = event_at.astimezone(tz)
    first_day = local.date() if _is_local_midnight(local) else local.date() + timedelta(days=1)
    return first_day + timedelta(days=days - 1)


def resident_deadline(event_at: datetime, days: int, tz: tzinfo = SEOUL) -> datetime:
    """The end (24:00 local) of the window's last day, as an aware UTC datetime."""
    return end_of_day(window_last_day(event_at, days, tz), tz)


def official_deadline(
    event_at: datetime, days: int, calendar: BusinessCalendar, tz: tzinfo = SEOUL
) -> datetime:
    """Like ``resident_deadline`` but a last day off work moves to the next business day (§161)."""
    last_day = calendar.next_business_day(window_last_day(event_at, days, tz))
    return end_of_day(last_day, tz)


def end_of_day(day: date, tz: tzinfo = SEOUL) -> datetime:
    """24:00 local time of ``day`` (local midnight starting the next day), in UTC."""
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return next_midnight.astimezone(UTC)


def deadline_last_day(deadline: datetime, tz: tzinfo = SEOUL) -> date:
    """The local calendar day on which ``deadline`` closes (24:00 counts as the day before)."""
    _require_aware(deadline, "deadline")
    local = deadline.astimezone(tz)
    return local.date() - timedelta(days=1) if _is_local_midnight(local) else local.date()


def days_left(deadline: datetime, now: datetime, tz: tzinfo = SEOUL) -> int:
    """Calendar days from today (local) to the last day: 0 on it, negative once it has passed."""
    _require_aware(now, "now")
    return (deadline_last_day(deadline, tz) - now.astimezone(tz).date()).days


def format_dday(days_left: int) -> str:
    """``D-3`` before the last day, ``D-day`` on it, ``D+2`` two days after it."""
    if days_left > 0:
        return f"D-{days_left}"
    if days_left == 0:
        return "D-day"
    return f"D+{-days_left}"


def _is_local_midnight(local: datetime) -> bool:
    return local.time() == time(0)


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")


def _require_non_negative(days: int) -> None:
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
