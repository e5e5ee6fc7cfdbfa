"""The answer window's named deadline and its one-off steps (pure date logic, with holidays)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain.answer_clock import (
    AnswerStep,
    DeadlineFacts,
    DeadlineRules,
    DueChange,
    DueKind,
    Extension,
    answer_steps,
    first_step_after,
    interim_missing,
    named_deadline,
    steps_to_run,
)
from bot.domain.answers import next_reminder
from bot.domain.deadlines import SEOUL, BusinessCalendar, end_of_day, official_deadline
from bot.domain.lifecycle import ProposalStatus as S

CALENDAR = BusinessCalendar()
RULES = DeadlineRules(30, CALENDAR)
CLOSES = end_of_day(date(2026, 12, 9))  # the debate closes 12월 9일 24:00
DUE = official_deadline(CLOSES, 30, CALENDAR)  # 2027년 1월 8일(금) 24:00


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=SEOUL)


def test_the_window_asks_at_its_middle_checks_at_d3_then_escalates_on_business_days() -> None:
    assert end_of_day(date(2027, 1, 8)) == DUE
    assert answer_steps(CLOSES, DUE, CALENDAR) == (
        (AnswerStep.ASK_INTERIM, morning(date(2026, 12, 24))),  # day 15 of 30
        (AnswerStep.CHECK_INTERIM, morning(date(2027, 1, 5))),  # D-3
        (AnswerStep.TELL_HEAD, morning(date(2027, 1, 12))),  # 2nd business day after
        (AnswerStep.TELL_MODERATORS, morning(date(2027, 1, 13))),  # 3rd business day after
    )


def test_a_middle_on_christmas_moves_to_the_next_business_day() -> None:
    closes = end_of_day(date(2026, 12, 11))
    due = official_deadline(closes, 28, CALENDAR)  # 12/12 … 1/8: the middle is 12/25
    steps = dict(answer_steps(closes, due, CALENDAR))
    assert steps[AnswerStep.ASK_INTERIM] == morning(date(2026, 12, 28))  # Fri holiday, weekend


def test_escalation_skips_the_seollal_holidays() -> None:
    due = end_of_day(date(2027, 2, 5))  # a Friday; 2/6–2/9 are 설날 and its 대체 휴일
    closes = end_of_day(date(2027, 1, 6))
    steps = dict(answer_steps(closes, due, CALENDAR))
    assert steps[AnswerStep.TELL_HEAD] == morning(date(2027, 2, 11))
    assert steps[AnswerStep.TELL_MODERATORS] == morning(date(2027, 2, 12))
    # the first step, the department's overdue reminder, lands on the first business day
    assert next_reminder(due, morning(date(2027, 2, 5)), calendar=CALENDAR) == morning(
        date(2027, 2, 10))
    assert next_reminder(due, morning(date(2027, 2, 5))) == morning(date(2027, 2, 6))


def test_a_window_too_short_for_a_request_only_checks() -> None:
    closes = end_of_day(date(2026, 12, 9))
    due = official_deadline(closes, 4, CALENDAR)  # 12/10 … 12/14 (Mon)
    kinds = [step for step, _ in answer_steps(closes, due, CALENDAR)]
    assert kinds == [AnswerStep.CHECK_INTERIM, AnswerStep.TELL_HEAD, AnswerStep.TELL_MODERATORS]


def test_each_step_runs_once_and_a_late_sweep_skips_a_stale_request() -> None:
    steps = answer_steps(CLOSES, DUE, CALENDAR)
    ask, check = steps[0][1], steps[1][1]
    assert steps_to_run(steps, ask, ask) == (AnswerStep.ASK_INTERIM,)
    assert first_step_after(steps, ask) == check
    assert steps_to_run(steps, ask, check + timedelta(hours=1)) == (AnswerStep.CHECK_INTERIM,)
    assert first_step_after(steps, steps[-1][1]) is None


def test_interim_missing_shows_from_d3_only_without_an_interim_answer() -> None:
    steps = answer_steps(CLOSES, DUE, CALENDAR)
    check = steps[1][1]
    assert not interim_missing(steps, check - timedelta(minutes=1), has_interim=False)
    assert interim_missing(steps, check, has_interim=False)
    assert not interim_missing(steps, check, has_interim=True)


def test_each_state_names_its_deadline_and_why() -> None:
    review = DeadlineFacts(S.UNDER_REVIEW, end_of_day(date(2026, 12, 16)), None, None)
    shown = named_deadline(review, RULES)
    assert shown is not None and (shown.kind, shown.change) == (DueKind.REVIEW,
                                                                DueChange.REVIEW_STARTED)
    again = named_deadline(DeadlineFacts(S.UNDER_REVIEW, DUE, None, None, review_restarted=True),
                           RULES)
    assert again is not None and again.change is DueChange.REVIEW_RESTARTED
    assert named_deadline(DeadlineFacts(S.ANSWERED, None, None, DUE), RULES) is None


def test_a_debate_names_its_close_and_the_answer_deadline_the_close_will_set() -> None:
    debate = named_deadline(DeadlineFacts(S.IN_DEBATE, None, CLOSES, None), RULES)
    assert debate is not None and debate.kind is DueKind.DEBATE and debate.at == CLOSES
    assert debate.change is DueChange.DEBATE_OPENED
    assert debate.answer_due_after == DUE == RULES.answer_due_after(CLOSES)
    longer = CLOSES + timedelta(days=7)
    extended = named_deadline(DeadlineFacts(S.IN_DEBATE, None, longer, None,
                                            extension=Extension(7, "의견이 많아요")), RULES)
    assert extended is not None and extended.change is DueChange.DEBATE_EXTENDED
    assert extended.answer_due_after == official_deadline(longer, 30, CALENDAR)
    answer = named_deadline(DeadlineFacts(S.AWAITING_ANSWER, None, CLOSES, DUE), RULES)
    assert answer is not None and (answer.kind, answer.at) == (DueKind.ANSWER, DUE)
