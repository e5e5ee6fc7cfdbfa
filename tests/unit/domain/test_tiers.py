"""The tiers above the 공감 threshold: which a change of count reaches, late 공감, the head's
deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.deadlines import SEOUL, BusinessCalendar
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.tiers import (
    Tier,
    accepts_late_endorsement,
    head_answer_due,
    higher_tiers,
    late_endorsement_until,
    tiers_reached,
)

SEOUL_LIKE = Policy(endorsement_threshold=50, debate_auto_threshold=100,
                    head_answer_threshold=1000)
NOON = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # Monday 12:00 KST


def test_no_higher_tier_is_configured_by_default() -> None:
    assert higher_tiers(Policy()) == {}
    assert tiers_reached(Policy(), 10_000) == frozenset()


def test_a_tier_at_or_below_the_review_threshold_is_ignored() -> None:
    assert higher_tiers(Policy(endorsement_threshold=50, head_answer_threshold=50)) == {}


def test_each_tier_is_reached_at_its_count() -> None:
    assert tiers_reached(SEOUL_LIKE, 99) == frozenset()
    assert tiers_reached(SEOUL_LIKE, 100) == {Tier.DEBATE}
    assert tiers_reached(SEOUL_LIKE, 999) == {Tier.DEBATE}
    assert tiers_reached(SEOUL_LIKE, 1000) == {Tier.DEBATE, Tier.HEAD}


def test_late_endorsements_need_a_higher_tier_and_an_open_window() -> None:
    until = NOON + timedelta(days=20)
    assert late_endorsement_until(Policy(), until) is None
    assert late_endorsement_until(SEOUL_LIKE, until) == until
    assert accepts_late_endorsement(ProposalStatus.IN_DEBATE, until, NOON)
    assert not accepts_late_endorsement(ProposalStatus.IN_DEBATE, until, until)
    assert not accepts_late_endorsement(ProposalStatus.IN_DEBATE, None, NOON)
    assert not accepts_late_endorsement(ProposalStatus.NOT_FEASIBLE, until, NOON)
    assert not accepts_late_endorsement(ProposalStatus.ANSWERED, until, NOON)


def test_the_head_answer_is_due_after_the_answer_window_by_default() -> None:
    due = head_answer_due(NOON, SEOUL_LIKE, BusinessCalendar())
    # 30 days from 12월 8일: 1월 6일 (수), a business day, until 24:00 KST
    assert due.astimezone(SEOUL).date().isoformat() == "2027-01-07"
    assert due.astimezone(SEOUL).hour == 0


def test_the_head_answer_days_move_off_a_holiday() -> None:
    policy = Policy(head_answer_threshold=1000, head_answer_days=18)
    due = head_answer_due(NOON, policy, BusinessCalendar())
    # 18 days from 12월 8일 end on 12월 25일 (성탄절): the next business day, 12월 28일 (월)
    assert (due - timedelta(seconds=1)).astimezone(SEOUL).date().isoformat() == "2026-12-28"
