"""Satisfaction with a final answer: when it is disputed, the reasons residents give and how
the moderators see them (pure, no database)."""

from __future__ import annotations

from bot.domain.policy import Policy
from bot.domain.satisfaction import (
    LISTED_REASONS,
    DissatisfactionReason,
    ReasonProblem,
    check_reason_text,
    count_reasons,
    is_disputed,
    listed_reason,
    note_excerpts,
)

POLICY = Policy(dissatisfaction_percent=30, dissatisfaction_min_responses=10)


def test_an_answer_is_disputed_past_the_share_of_enough_responses() -> None:
    assert is_disputed(satisfied=7, dissatisfied=4, policy=POLICY)  # 36% of 11
    assert not is_disputed(satisfied=7, dissatisfied=3, policy=POLICY)  # exactly 30%
    assert not is_disputed(satisfied=0, dissatisfied=9, policy=POLICY)  # too few responses
    assert is_disputed(satisfied=1, dissatisfied=1, policy=Policy(
        dissatisfaction_percent=49, dissatisfaction_min_responses=2))


def test_only_the_listed_reasons_are_one_tap_and_forged_codes_are_none() -> None:
    assert [r.value for r in LISTED_REASONS] == ["late", "vague", "off_topic", "not_done"]
    assert listed_reason("vague") is DissatisfactionReason.VAGUE
    assert listed_reason("other") is None  # a sentence, never a tap
    assert listed_reason("drop_table") is None


def test_a_typed_reason_is_normalised_checked_and_masked() -> None:
    assert check_reason_text("   ").problem is ReasonProblem.EMPTY
    assert check_reason_text("별로").problem is ReasonProblem.TOO_SHORT
    assert check_reason_text("가" * 301).problem is ReasonProblem.TOO_LONG
    checked = check_reason_text("  답변이   너무 늦어요. 010-1234-5678로 연락 주세요 ")
    assert checked.problem is None
    assert checked.text == "답변이 너무 늦어요. 010-****-****로 연락 주세요"


def test_reasons_are_counted_in_the_listed_order_and_notes_shortened() -> None:
    codes = ["vague", None, "late", "vague", "other", "forged"]
    assert count_reasons(codes) == {"late": 1, "vague": 2, "other": 1}
    assert list(count_reasons(codes)) == ["late", "vague", "other"]
    notes = note_excerpts([None, "짧은 이유입니다", "가" * 150, "셋째", "넷째"])
    assert notes[0] == "짧은 이유입니다" and notes[1].endswith("…") and len(notes[1]) == 100
    assert len(notes) == 3
