"""Deadline rules (민법 §157, §161) in Asia/Seoul."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.deadlines import (
    SEOUL,
    BusinessCalendar,
    days_left,
    deadline_last_day,
    format_dday,
    official_deadline,
    resident_deadline,
    window_last_day,
)

CALENDAR = BusinessCalendar()


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[arg-type,misc]


def kst_midnight_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SEOUL).astimezone(UTC)


# --- the calendar -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2027, 2, 6),  # 설날 전날 (Sat)
        date(2027, 2, 7),  # 설날 (Sun)
        date(2027, 2, 8),  # 설날 다음날 (Mon)
        date(2027, 2, 9),  # 설날 대체공휴일 (Tue)
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 9, 24),  # 추석 연휴
        date(2026, 9, 25),
        date(2026, 9, 26),
        date(2026, 10, 5),  # 개천절 대체공휴일
        date(2027, 9, 14),
        date(2027, 9, 15),
        date(2027, 9, 16),
        date(2026, 12, 25),
        date(2027, 12, 27),  # 성탄절 대체공휴일
        date(2027, 1, 1),
    ],
)
def test_public_holidays_are_not_business_days(day: date) -> None:
    assert CALENDAR.holiday_name(day) is not None
    assert not CALENDAR.is_business_day(day)


def test_substitute_holiday_names_are_korean() -> None:
    assert CALENDAR.holiday_name(date(2027, 2, 9)) == "설날 대체 휴일"
    assert CALENDAR.holiday_name(date(2027, 2, 7)) == "설날"


def test_ordinary_days() -> None:
    assert CALENDAR.is_business_day(date(2027, 2, 10))  # Wed after 설날
    assert CALENDAR.is_business_day(date(2026, 9, 28))  # Mon after 추석
    assert not CALENDAR.is_business_day(date(2026, 11, 28))  # Saturday
    assert not CALENDAR.is_business_day(date(2026, 11, 29))  # Sunday
    assert CALENDAR.holiday_name(date(2026, 11, 28)) is None


def test_next_business_day() -> None:
    assert CALENDAR.next_business_day(date(2026, 11, 25)) == date(2026, 11, 25)
    assert CALENDAR.next_business_day(date(2027, 2, 5)) == date(2027, 2, 5)
    assert CALENDAR.next_business_day(date(2027, 2, 6)) == date(2027, 2, 10)
    assert CALENDAR.next_business_day(date(2026, 9, 24)) == date(2026, 9, 28)
    assert CALENDAR.next_business_day(date(2026, 10, 3)) == date(2026, 10, 6)


def test_any_year_is_expanded_on_demand() -> None:
    calendar = BusinessCalendar()
    assert calendar.holiday_name(date(2035, 1, 1)) is not None
    assert calendar.holiday_name(date(2019, 12, 25)) is not None
    assert calendar.is_business_day(date(2040, 1, 2))


def test_extra_closed_dates() -> None:
    temporary = date(2026, 11, 26)
    calendar = BusinessCalendar({temporary})
    assert not calendar.is_business_day(temporary)
    assert calendar.holiday_name(temporary) == "임시 휴무일"
    assert calendar.next_business_day(temporary) == date(2026, 11, 27)
    named = BusinessCalendar({temporary: "구청 개청 기념일"})
    assert named.holiday_name(temporary) == "구청 개청 기념일"
    assert CALENDAR.is_business_day(temporary)  # other calendars unaffected


def test_english_names() -> None:
    assert BusinessCalendar(language="en_US").holiday_name(date(2026, 12, 25)) == "Christmas Day"


# --- windows --------------------------------------------------------------------------------


def test_design_example() -> None:
    published = kst(2026, 11, 24, 15, 0)
    assert window_last_day(published, 30, SEOUL) == date(2026, 12, 24)
    deadline = resident_deadline(published, 30)
    assert deadline == datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
    assert deadline.tzinfo is UTC
    assert deadline.astimezone(SEOUL) == kst(2026, 12, 25, 0, 0)


def test_official_deadline_example_is_not_moved_on_a_thursday() -> None:
    assert official_deadline(kst(2026, 11, 24, 15), 30, CALENDAR) == kst_midnight_after(
        date(2026, 12, 24)
    )


def test_event_at_exact_midnight_counts_the_first_day() -> None:
    assert window_last_day(kst(2026, 11, 24, 0, 0), 30) == date(2026, 12, 23)
    assert window_last_day(kst(2026, 11, 24, 0, 0, 1), 30) == date(2026, 12, 24)
    assert window_last_day(kst(2026, 11, 23, 23, 59, 59, 999999), 30) == date(2026, 12, 23)
    assert resident_deadline(kst(2026, 11, 24), 1) == kst_midnight_after(date(2026, 11, 24))


def test_midnight_is_judged_in_local_time_not_utc() -> None:
    utc_midnight = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 09:00 KST
    assert window_last_day(utc_midnight, 1) == date(2026, 11, 25)
    local_midnight_in_utc = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 24일 00:00 KST
    assert window_last_day(local_midnight_in_utc, 1) == date(2026, 11, 24)


def test_zero_days() -> None:
    event = kst(2026, 11, 24, 15)
    assert resident_deadline(event, 0) == kst_midnight_after(date(2026, 11, 24))
    assert resident_deadline(kst(2026, 11, 24), 0) == kst(2026, 11, 24)


def test_across_the_year_end() -> None:
    assert window_last_day(kst(2026, 12, 31, 10), 1) == date(2027, 1, 1)
    assert resident_deadline(kst(2026, 12, 2, 10), 30) == kst_midnight_after(date(2027, 1, 1))
    # 2027-01-01 is a holiday, then Sat/Sun: the official deadline moves to Mon 1월 4일.
    assert official_deadline(kst(2026, 12, 2, 10), 30, CALENDAR) == kst_midnight_after(
        date(2027, 1, 4)
    )
    assert window_last_day(kst(2026, 12, 31, 23, 59), 14) == date(2027, 1, 14)


def test_christmas() -> None:
    # Last day 2026-12-25 (Fri, 성탄절) → Mon 12-28 after the weekend.
    event = kst(2026, 11, 25, 9)
    assert deadline_last_day(resident_deadline(event, 30)) == date(2026, 12, 25)
    assert deadline_last_day(official_deadline(event, 30, CALENDAR)) == date(2026, 12, 28)
    # 2027-12-25 is a Saturday with a substitute holiday on Monday the 27th → Tuesday 28th.
    event = kst(2027, 11, 25, 9)
    assert deadline_last_day(official_deadline(event, 30, CALENDAR)) == date(2027, 12, 28)


def test_lunar_new_year_2027() -> None:
    # 30 days from 2027-01-07 ends Sat 2-6; 설날 6, 7, 8 and 대체공휴일 9 → Wed 2-10.
    event = kst(2027, 1, 7, 14)
    assert window_last_day(event, 30) == date(2027, 2, 6)
    assert deadline_last_day(official_deadline(event, 30, CALENDAR)) == date(2027, 2, 10)
    for last_day in (date(2027, 2, 7), date(2027, 2, 8), date(2027, 2, 9)):
        start = kst(2027, 1, 1, 12) + timedelta(days=(last_day - date(2027, 1, 31)).days)
        assert window_last_day(start, 30) == last_day
        assert deadline_last_day(official_deadline(start, 30, CALENDAR)) == date(2027, 2, 10)
    # Friday 2-5 is an ordinary working day and stays put.
    event = kst(2027, 1, 6, 14)
    assert deadline_last_day(official_deadline(event, 30, CALENDAR)) == date(2027, 2, 5)


def test_chuseok_2026() -> None:
    # 추석 2026: Thu 9-24 … Sat 9-26, then Sunday → Monday 9-28.
    event = kst(2026, 9, 10, 11)
    assert window_last_day(event, 14) == date(2026, 9, 24)
    assert deadline_last_day(official_deadline(event, 14, CALENDAR)) == date(2026, 9, 28)
    assert deadline_last_day(resident_deadline(event, 14)) == date(2026, 9, 24)


def test_chuseok_2027() -> None:
    # 추석 2027: Tue 9-14 … Thu 9-16 → Friday 9-17.
    event = kst(2027, 8, 31, 18)
    assert window_last_day(event, 14) == date(2027, 9, 14)
    assert deadline_last_day(official_deadline(event, 14, CALENDAR)) == date(2027, 9, 17)


def test_temporary_holiday_moves_official_deadline() -> None:
    calendar = BusinessCalendar({date(2026, 12, 24)})
    deadline = official_deadline(kst(2026, 11, 24, 15), 30, calendar)
    assert deadline_last_day(deadline) == date(2026, 12, 28)  # 24 closed, 25 성탄절, weekend


def test_other_timezones() -> None:
    event = datetime(2026, 11, 24, 15, tzinfo=UTC)
    assert window_last_day(event, 1, UTC) == date(2026, 11, 25)
    assert resident_deadline(event, 1, UTC) == datetime(2026, 11, 26, tzinfo=UTC)


@pytest.mark.parametrize("function", [window_last_day, resident_deadline])
def test_naive_datetimes_are_rejected(function) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="timezone-aware"):
        function(datetime(2026, 11, 24, 15), 30)


def test_naive_datetimes_are_rejected_everywhere() -> None:
    naive = datetime(2026, 11, 24, 15)
    aware = kst(2026, 11, 24, 15)
    with pytest.raises(ValueError):
        official_deadline(naive, 30, CALENDAR)
    with pytest.raises(ValueError):
        deadline_last_day(naive)
    with pytest.raises(ValueError):
        days_left(aware, naive)
    with pytest.raises(ValueError):
        days_left(naive, aware)


def test_negative_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        resident_deadline(kst(2026, 11, 24, 15), -1)
    with pytest.raises(ValueError, match="negative"):
        official_deadline(kst(2026, 11, 24, 15), -1, CALENDAR)


# --- countdowns -----------------------------------------------------------------------------


def test_deadline_last_day() -> None:
    assert deadline_last_day(kst(2026, 12, 25)) == date(2026, 12, 24)
    assert deadline_last_day(kst(2026, 12, 25, 0, 0, 1)) == date(2026, 12, 25)
    assert deadline_last_day(datetime(2026, 12, 24, 15, tzinfo=UTC)) == date(2026, 12, 24)


def test_days_left_and_dday() -> None:
    deadline = resident_deadline(kst(2026, 11, 24, 15), 30)  # last day 12-24
    cases = [
        (kst(2026, 12, 21, 9), 3, "D-3"),
        (kst(2026, 12, 23, 23, 59), 1, "D-1"),
        (kst(2026, 12, 24, 0, 0), 0, "D-day"),
        (kst(2026, 12, 24, 23, 59, 59), 0, "D-day"),
        (kst(2026, 12, 25, 0, 0), -1, "D+1"),
        (kst(2026, 12, 26, 12), -2, "D+2"),
    ]
    for now, expected, label in cases:
        assert days_left(deadline, now) == expected
        assert format_dday(days_left(deadline, now)) == label


def test_days_left_uses_the_local_date_of_now() -> None:
    deadline = resident_deadline(kst(2026, 11, 24, 15), 30)
    # 2026-12-23 15:30 UTC is already 12-24 00:30 in Seoul.
    assert days_left(deadline, datetime(2026, 12, 23, 15, 30, tzinfo=UTC)) == 0


def test_format_dday() -> None:
    assert format_dday(30) == "D-30"
    assert format_dday(0) == "D-day"
    assert format_dday(-7) == "D+7"


# --- properties -----------------------------------------------------------------------------

events = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2049, 12, 1), timezones=st.just(SEOUL)
)
midnight_events = st.dates(min_value=date(2000, 1, 1), max_value=date(2049, 12, 1)).map(
    lambda day: datetime.combine(day, time(0), tzinfo=SEOUL)
)
any_event = st.one_of(events, midnight_events)
window_days = st.integers(min_value=0, max_value=400)


@settings(max_examples=200, deadline=None)
@given(event=any_event, days=window_days)
def test_official_never_earlier_and_lands_on_a_business_day(event: datetime, days: int) -> None:
    resident = resident_deadline(event, days)
    official = official_deadline(event, days, CALENDAR)
    assert official >= resident
    last_day = deadline_last_day(official)
    assert last_day.weekday() < 5
    assert CALENDAR.holiday_name(last_day) is None
    assert CALENDAR.is_business_day(last_day)
    # it moved only as far as needed: every day in between was a day off
    for offset in range((last_day - deadline_last_day(resident)).days):
        assert not CALENDAR.is_business_day(deadline_last_day(resident) + timedelta(days=offset))


@settings(max_examples=200, deadline=None)
@given(event=any_event, days=window_days)
def test_deadlines_are_aware_utc_at_local_midnight(event: datetime, days: int) -> None:
    for deadline in (resident_deadline(event, days), official_deadline(event, days, CALENDAR)):
        assert deadline.tzinfo is UTC
        assert deadline.astimezone(SEOUL).time() == time(0)
        assert deadline >= event
    assert deadline_last_day(resident_deadline(event, days)) == window_last_day(event, days)


@settings(max_examples=200, deadline=None)
@given(
    first=any_event,
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    days=window_days,
)
def test_deadlines_are_monotonic_in_the_start(first: datetime, gap: timedelta, days: int) -> None:
    later = first + gap
    assert resident_deadline(first, days) <= resident_deadline(later, days)
    assert official_deadline(first, days, CALENDAR) <= official_deadline(later, days, CALENDAR)


@settings(max_examples=200, deadline=None)
@given(event=any_event, days=st.integers(min_value=0, max_value=399))
def test_deadlines_are_monotonic_in_days(event: datetime, days: int) -> None:
    assert resident_deadline(event, days) < resident_deadline(event, days + 1)
    assert official_deadline(event, days, CALENDAR) <= official_deadline(event, days + 1, CALENDAR)


@settings(max_examples=200, deadline=None)
@given(event=events, days=st.integers(min_value=1, max_value=400))
def test_window_counts_exactly_days_calendar_days(event: datetime, days: int) -> None:
    local = event.astimezone(SEOUL)
    first_day = local.date() if local.time() == time(0) else local.date() + timedelta(days=1)
    assert (window_last_day(event, days) - first_day).days + 1 == days


@settings(max_examples=200, deadline=None)
@given(event=events, days=window_days, now=events)
def test_days_left_is_zero_exactly_on_the_last_day(
    event: datetime, days: int, now: datetime
) -> None:
    deadline = resident_deadline(event, days)
    remaining = days_left(deadline, now)
    assert (remaining >= 0) == (now < deadline)
    assert format_dday(remaining).startswith("D")
