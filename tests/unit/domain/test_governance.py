"""The 협치회의's rules: the quorum (a majority of the members), the majority of those present,
a third of the members rounded up, the votes counted, the meeting line read, and the 권고's
response clock in business days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.deadlines import SEOUL, BusinessCalendar
from bot.domain.governance import (
    PLACEABLE,
    Choice,
    GovernanceInputError,
    MeetingKind,
    Outcome,
    Problem,
    Tally,
    business_day_after,
    missing_for_quorum,
    parse_convening,
    passes,
    quorum,
    response_clock,
    tally,
    third_of,
)
from bot.domain.lifecycle import ProposalStatus

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # Mon 12:00 KST


@pytest.mark.parametrize(("members", "needed"), [(1, 1), (2, 2), (9, 5), (10, 6), (15, 8)])
def test_the_quorum_is_more_than_half_of_the_members(members: int, needed: int) -> None:
    assert quorum(members) == needed


def test_missing_members_are_counted_until_the_quorum_and_never_below_zero() -> None:
    assert missing_for_quorum(10, 3) == 3
    assert missing_for_quorum(10, 6) == 0
    assert missing_for_quorum(10, 10) == 0


@pytest.mark.parametrize(("yes", "present", "passed"), [
    (4, 7, True), (3, 7, False), (3, 6, False), (4, 6, True), (1, 1, True), (0, 0, False)])
def test_a_motion_passes_with_more_than_half_of_those_present(yes: int, present: int,
                                                              passed: bool) -> None:
    assert passes(yes, present) is passed


@pytest.mark.parametrize(("members", "third"), [(0, 1), (1, 1), (3, 1), (4, 2), (9, 3),
                                                (10, 4), (20, 7)])
def test_a_third_of_the_members_is_rounded_up(members: int, third: int) -> None:
    assert third_of(members) == third


def test_abstentions_count_among_those_present_not_in_favour() -> None:
    counted = tally([Choice.YES, Choice.YES, Choice.YES, Choice.ABSTAIN, Choice.ABSTAIN,
                     Choice.NO])
    assert counted == Tally(3, 1, 2) and counted.cast == 6
    assert counted.outcome(6) is Outcome.REJECTED  # 3 of 6 is not more than half
    assert counted.outcome(5) is Outcome.PASSED


def test_a_meeting_line_is_read_in_the_district_time_zone() -> None:
    words = ["임시", "2026-12-10", "14:00", "구청", "3층", "회의실"]
    convening = parse_convening(words, SEOUL, NOW)
    assert convening.kind is MeetingKind.EXTRAORDINARY
    assert convening.starts_at == datetime(2026, 12, 10, 5, 0, tzinfo=UTC)
    assert convening.place == "구청 3층 회의실"


@pytest.mark.parametrize(("words", "found"), [
    (["정기", "2026-12-10", "14:00"], Problem.USAGE),
    (["비정기", "2026-12-10", "14:00", "구청"], Problem.USAGE),
    (["정기", "12/10", "14:00", "구청"], Problem.BAD_MOMENT),
    (["정기", "2026-12-01", "14:00", "구청"], Problem.PAST),
    (["정기", "2026-12-10", "14:00", "가" * 81], Problem.TOO_LONG),
])
def test_a_wrong_meeting_line_says_what_is_wrong(words: list[str], found: Problem) -> None:
    with pytest.raises(GovernanceInputError) as error:
        parse_convening(words, SEOUL, NOW)
    assert error.value.problem is found


def test_only_proposals_found_feasible_can_be_placed_on_the_agenda() -> None:
    assert ProposalStatus.IN_DEBATE in PLACEABLE and ProposalStatus.ANSWERED in PLACEABLE
    for status in (ProposalStatus.COLLECTING, ProposalStatus.UNDER_REVIEW,
                   ProposalStatus.NOT_FEASIBLE, ProposalStatus.COMPLETED,
                   ProposalStatus.WITHDRAWN):
        assert status not in PLACEABLE


def test_business_days_skip_weekends_and_public_holidays() -> None:
    calendar = BusinessCalendar()
    # Fri 2026-12-18 → Mon 21, …; 12-25 (Christmas) is a holiday
    assert business_day_after(date(2026, 12, 18), 1, calendar) == date(2026, 12, 21)
    assert business_day_after(date(2026, 12, 23), 2, calendar) == date(2026, 12, 28)


def test_the_response_clock_ends_with_the_last_business_day_and_reminds_before_it() -> None:
    clock = response_clock(NOW, 30, BusinessCalendar(), SEOUL)
    last_day = clock.due_at.astimezone(SEOUL)
    assert last_day.hour == 0 and clock.remind_at is not None
    assert NOW < clock.remind_at < clock.due_at
    assert clock.remind_at.astimezone(SEOUL).hour == 9


def test_a_short_clock_has_no_reminder_in_the_past() -> None:
    clock = response_clock(NOW, 2, BusinessCalendar(), SEOUL)
    assert clock.remind_at is None
    assert clock.due_at == datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # end of Wed 12-09 KST
