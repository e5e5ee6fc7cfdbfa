"""「하루 한 번 모아 받기」: when a waiting row is due, and how rows are grouped into digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

import pytest

from bot.domain.digest import DailyDigest, digests, parse_digest_time
from bot.settings import SettingsError, load_settings

SEVEN_PM = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 19:00 KST


def test_the_latest_digest_time_is_today_from_seven_and_yesterday_before() -> None:
    digest = DailyDigest()
    assert digest.latest(SEVEN_PM) == SEVEN_PM
    assert digest.latest(SEVEN_PM.replace(minute=1)) == SEVEN_PM
    assert digest.latest(SEVEN_PM.replace(hour=9, minute=59)) == datetime(
        2026, 12, 6, 10, 0, tzinfo=UTC)
    # 08:00 KST on the 8th is still before that day's digest
    assert digest.latest(datetime(2026, 12, 7, 23, 0, tzinfo=UTC)) == SEVEN_PM


def test_what_is_written_now_goes_at_the_next_digest_time() -> None:
    digest = DailyDigest()
    assert digest.next(SEVEN_PM.replace(hour=6)) == SEVEN_PM
    assert digest.next(SEVEN_PM) == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def test_a_row_waits_until_the_first_digest_time_after_it_was_written() -> None:
    digest = DailyDigest()
    written = SEVEN_PM.replace(hour=6)  # 15:00 KST
    assert digest.holds(written, SEVEN_PM.replace(hour=9, minute=59))
    assert not digest.holds(written, SEVEN_PM)
    assert digest.holds(SEVEN_PM.replace(minute=5), SEVEN_PM.replace(hour=23))  # tomorrow's


def test_naive_moments_and_local_times_with_a_zone_are_refused() -> None:
    with pytest.raises(ValueError):
        DailyDigest().latest(datetime(2026, 12, 7, 10))
    with pytest.raises(ValueError):
        DailyDigest(at=time(19, tzinfo=UTC))


@pytest.mark.parametrize(("text", "expected"), [
    ("19:00", time(19)), ("7:30", time(7, 30)), (" 21 ", time(21)), ("00:00", time(0)),
])
def test_digest_times_are_read(text: str, expected: time) -> None:
    assert parse_digest_time(text) == expected


@pytest.mark.parametrize("text", ["", "19:0", "25:00", "19:60", "seven", "19:00:00"])
def test_bad_digest_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_digest_time(text)


@dataclass(frozen=True)
class Row:
    id: int
    chat_id: int
    created_at: datetime | None


def test_one_digest_per_chat_with_its_items_in_the_order_they_happened() -> None:
    early, late = SEVEN_PM.replace(hour=1), SEVEN_PM.replace(hour=5)
    rows = [Row(1, 7, late), Row(2, 8, early), Row(3, 7, early), Row(4, 7, late),
            Row(5, 8, None)]
    grouped = digests(rows)
    assert [[row.id for row in group] for group in grouped] == [[5, 2], [3, 1, 4]]
    assert digests([]) == []


def test_the_digest_time_is_a_setting_checked_at_start_up() -> None:
    assert load_settings({}, env_file=None).policy.daily_digest_at == time(19)
    chosen = load_settings({"DAILY_DIGEST_AT": "20:30"}, env_file=None)
    assert chosen.policy.daily_digest_at == time(20, 30)
    with pytest.raises(SettingsError, match="DAILY_DIGEST_AT"):
        load_settings({"DAILY_DIGEST_AT": "저녁"}, env_file=None)
