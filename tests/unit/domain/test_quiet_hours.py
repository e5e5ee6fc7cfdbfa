"""Quiet hours in local time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.deadlines import SEOUL
from bot.domain.quiet_hours import QuietHours

DEFAULT = QuietHours()


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[arg-type,misc]


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (kst(2026, 11, 24, 21, 59, 59), False),
        (kst(2026, 11, 24, 22, 0), True),
        (kst(2026, 11, 24, 23, 30), True),
        (kst(2026, 11, 25, 0, 0), True),
        (kst(2026, 11, 25, 7, 59, 59), True),
        (kst(2026, 11, 25, 8, 0), False),
        (kst(2026, 11, 25, 12, 0), False),
    ],
)
def test_default_window_crosses_midnight(moment: datetime, quiet: bool) -> None:
    assert DEFAULT.contains(moment) is quiet
    assert DEFAULT.contains(moment.astimezone(UTC)) is quiet


def test_window_within_one_day() -> None:
    siesta = QuietHours(time(13), time(14, 30))
    assert not siesta.contains(kst(2026, 11, 24, 12, 59))
    assert siesta.contains(kst(2026, 11, 24, 13, 0))
    assert siesta.contains(kst(2026, 11, 24, 14, 29))
    assert not siesta.contains(kst(2026, 11, 24, 14, 30))
    assert siesta.next_end(kst(2026, 11, 24, 13, 10)) == kst(2026, 11, 24, 14, 30)


def test_start_equal_to_end_disables() -> None:
    never = QuietHours(time(0), time(0))
    assert not never.enabled
    assert DEFAULT.enabled
    for hour in range(24):
        moment = kst(2026, 11, 24, hour)
        assert not never.contains(moment)
        assert never.next_end(moment) == moment


def test_next_end() -> None:
    assert DEFAULT.next_end(kst(2026, 11, 24, 23, 0)) == kst(2026, 11, 25, 8, 0)
    assert DEFAULT.next_end(kst(2026, 11, 25, 3, 0)) == kst(2026, 11, 25, 8, 0)
    assert DEFAULT.next_end(kst(2026, 12, 31, 22, 0)) == kst(2027, 1, 1, 8, 0)
    ending = DEFAULT.next_end(kst(2026, 11, 24, 23, 0))
    assert ending.tzinfo is UTC
    assert ending == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)


def test_next_end_outside_the_window_is_the_moment() -> None:
    moment = kst(2026, 11, 24, 12, 0)
    assert DEFAULT.next_end(moment) == moment


def test_other_timezone() -> None:
    moment = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 08:00 in Seoul
    assert DEFAULT.contains(moment, tz=UTC)
    assert not DEFAULT.contains(moment)
    assert DEFAULT.next_end(moment, tz=UTC) == datetime(2026, 11, 25, 8, tzinfo=UTC)


def test_naive_moments_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DEFAULT.contains(datetime(2026, 11, 24, 23))
    with pytest.raises(ValueError, match="timezone-aware"):
        DEFAULT.next_end(datetime(2026, 11, 24, 23))


def test_aware_times_are_rejected() -> None:
    with pytest.raises(ValueError):
        QuietHours(time(22, tzinfo=UTC), time(8))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-08:00", QuietHours(time(22), time(8))),
        (" 23:30 - 07:15 ", QuietHours(time(23, 30), time(7, 15))),
        ("22-8", QuietHours(time(22), time(8))),
        ("22:00~08:00", QuietHours(time(22), time(8))),
        ("13:00-24:00", QuietHours(time(13), time(0))),
        ("00:00-00:00", QuietHours(time(0), time(0))),
    ],
)
def test_parse(text: str, expected: QuietHours) -> None:
    assert QuietHours.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("22:00-25:00", "25:00"),
        ("22:61-08:00", "22:61"),
        ("late-08:00", "late"),
        ("22:00-8am", "8am"),
        ("22:00", "22:00"),
        ("", "''"),
        ("22:00-08:00-09:00", "22:00-08:00-09:00"),
    ],
)
def test_parse_names_the_bad_value(text: str, bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        QuietHours.parse(text)


def test_format_round_trips() -> None:
    assert DEFAULT.format() == "22:00-08:00"
    assert QuietHours.parse(DEFAULT.format()) == DEFAULT


clocks = st.times().map(lambda t: t.replace(microsecond=0, second=0))
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(SEOUL)
)


@given(start=clocks, end=clocks, moment=moments)
def test_next_end_properties(start: time, end: time, moment: datetime) -> None:
    quiet = QuietHours(start, end)
    ending = quiet.next_end(moment)
    assert ending.tzinfo is UTC
    assert ending >= moment
    assert ending - moment <= timedelta(days=1)
    assert not quiet.contains(ending)
    if quiet.contains(moment):
        assert ending.astimezone(SEOUL).time() == end
        assert quiet.contains(ending - timedelta(seconds=1))
    else:
        assert ending == moment


@given(start=clocks, end=clocks)
def test_parse_format_round_trip(start: time, end: time) -> None:
    quiet = QuietHours(start, end)
    assert QuietHours.parse(quiet.format()) == quiet
