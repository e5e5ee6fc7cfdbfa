"""민원's 처리기간, counted as the 민원처리법 counts them (§19): five days or less in working
hours, six or more in days with the day of receipt counted, never Saturdays, Sundays or
public holidays; the periods as a setting; a triage button's number."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.complaints import (
    DEFAULT_PERIODS,
    ComplaintKind,
    Period,
    complaint_deadline,
    parse_periods,
    period_of,
    read_route_argument,
    route_argument,
)
from bot.domain.deadlines import SEOUL, BusinessCalendar

CALENDAR = BusinessCalendar()


def kst(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.mark.parametrize(("received", "due"), [
    (kst(12, 7, 10), kst(12, 7, 14)),  # Mon 10:00 + 3 h, over the lunch hour
    (kst(12, 7, 17), kst(12, 8, 11)),  # one hour today, two tomorrow morning
    (kst(12, 4, 16, 30), kst(12, 7, 10, 30)),  # Friday afternoon: the weekend is skipped
    (kst(12, 5, 11), kst(12, 7, 12)),  # received on a Saturday: counted from Monday 09:00
    (kst(12, 7, 12, 30), kst(12, 7, 16)),  # received at lunch: counted from 13:00
    (kst(12, 24, 17), kst(12, 28, 11)),  # Christmas, then the weekend
])
def test_an_everyday_inconvenience_is_answered_within_three_working_hours(
    received: datetime, due: datetime,
) -> None:
    assert complaint_deadline(received, Period(hours=3), CALENDAR) == due.astimezone(UTC)


def test_a_short_period_in_days_is_counted_in_hours() -> None:
    # 2 days = 16 working hours from Mon 15:00: Mon 3 h, Tue 8 h, Wed 5 h (3 before lunch)
    assert complaint_deadline(kst(12, 7, 15), Period(days=2), CALENDAR) == kst(
        12, 9, 15).astimezone(UTC)


def test_seven_days_count_the_day_of_receipt_and_skip_weekends_and_holidays() -> None:
    # received Wed 12/23 late at night: 23, 24, (25 Christmas, 26-27 weekend), 28, 29, 30, 31,
    # (1/1 holiday, 1/2-3 weekend), 1/4 is the seventh business day
    due = complaint_deadline(kst(12, 23, 23, 50), Period(days=7), CALENDAR)
    assert due == kst(1, 5, 0, year=2027).astimezone(UTC)  # the end of Monday 1/4


def test_a_14_day_suggestion_received_on_a_sunday_starts_on_monday() -> None:
    due = complaint_deadline(kst(12, 6, 10), Period(days=14), CALENDAR)
    assert due == kst(12, 25, 0).astimezone(UTC)  # the end of 12/24, the 14th business day


def test_the_defaults_follow_the_decree_and_a_setting_changes_some() -> None:
    assert period_of(DEFAULT_PERIODS, ComplaintKind.GRIEVANCE) == Period(days=7)
    assert period_of(DEFAULT_PERIODS, ComplaintKind.SUGGESTION) == Period(days=14)
    assert period_of(DEFAULT_PERIODS, ComplaintKind.OTHER) == Period(hours=3)
    periods = parse_periods("grievance=10d, other=8h")
    assert period_of(periods, ComplaintKind.GRIEVANCE) == Period(days=10)
    assert period_of(periods, ComplaintKind.OTHER) == Period(hours=8)
    assert period_of(periods, ComplaintKind.QUESTION) == Period(days=7)


@pytest.mark.parametrize("raw", ["grievance=7", "unknown=3d", "other=0h", "other=3w", "x"])
def test_a_setting_that_cannot_be_read_says_so(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_periods(raw)


def test_a_triage_button_carries_the_department_and_the_kind() -> None:
    for kind in ComplaintKind:
        assert read_route_argument(route_argument(42, kind)) == (42, kind)
    assert read_route_argument(7) is None  # no department
    assert read_route_argument(429) is None  # no tenth kind
