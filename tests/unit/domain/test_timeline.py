"""A proposal's timeline: every step in order, who acted, promises against what happened."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.answers import AnswerKind
from bot.domain.lifecycle import ProposalStatus
from bot.domain.timeline import (
    Actor,
    AnswerStep,
    PlanStep,
    Promise,
    StateChange,
    timeline,
)

S = ProposalStatus


def at(month: int, day: int, year: int = 2027) -> datetime:
    return datetime(year, month, day, 3, tzinfo=UTC)  # 12:00 KST


CHANGES = [
    StateChange(at(1, 2), S.COLLECTING, None),
    StateChange(at(1, 20), S.UNDER_REVIEW, None),
    StateChange(at(1, 25), S.IN_DEBATE, "feasibility"),
    StateChange(at(2, 24), S.AWAITING_ANSWER, None),
    StateChange(at(3, 30), S.ANSWERED, "final"),
    StateChange(at(5, 2), S.IN_PROGRESS, "progress"),
]
ANSWERS = [
    AnswerStep(at(1, 25), AnswerKind.FEASIBILITY, "feasible", "도로과", "김담당", None, None),
    AnswerStep(at(3, 30), AnswerKind.FINAL, "accepted", "도로과", "김담당", date(2027, 9, 30),
               None),
    AnswerStep(at(5, 2), AnswerKind.PROGRESS, None, "도로과", "이주무", None, 40),
]
STEPS = [PlanStep(1, date(2027, 4, 30), "설계 완료", at(5, 2)),
         PlanStep(2, date(2027, 6, 30), "공사 착공", None),
         PlanStep(3, date(2027, 8, 31), "준공", None)]
ANSWER_DUE = datetime(2027, 3, 25, 15, tzinfo=UTC)  # the end of 3/25 KST


def test_every_step_in_order_with_who_acted() -> None:
    entries = timeline(at(1, 2), Actor.RESIDENT, CHANGES, ANSWERS, STEPS, ANSWER_DUE, at(7, 10))
    assert [(e.day, e.what, e.actor) for e in entries] == [
        (date(2027, 1, 2), "collecting", Actor.RESIDENT),
        (date(2027, 1, 20), "under_review", Actor.SYSTEM),
        (date(2027, 1, 25), "feasibility", Actor.DEPARTMENT),
        (date(2027, 2, 24), "awaiting_answer", Actor.SYSTEM),
        (date(2027, 3, 30), "final", Actor.DEPARTMENT),
        (date(2027, 5, 2), "progress", Actor.DEPARTMENT),
        (date(2027, 5, 2), "step", Actor.DEPARTMENT),
        (date(2027, 6, 30), "step", Actor.DEPARTMENT),
        (date(2027, 8, 31), "step", Actor.DEPARTMENT),
        (date(2027, 9, 30), "completion", Actor.DEPARTMENT),
    ]
    assert entries[2].office == "도로과" and entries[5].official == "이주무"


def test_promises_are_set_against_what_happened() -> None:
    entries = timeline(at(1, 2), Actor.RESIDENT, CHANGES, ANSWERS, STEPS, ANSWER_DUE, at(7, 10))
    final, reached, overdue, ahead, completion = (entries[4], entries[6], entries[7], entries[8],
                                                  entries[9])
    assert (final.promised, final.promise, final.days) == (date(2027, 3, 25), Promise.LATE, 5)
    assert (reached.promise, reached.days, reached.happened) == (Promise.LATE, 2, True)
    assert (overdue.promise, overdue.days, overdue.happened) == (Promise.OVERDUE, 10, False)
    assert (ahead.promise, ahead.happened) == (Promise.PENDING, False)
    assert (completion.promise, completion.happened) == (Promise.PENDING, False)


def test_completion_on_time_is_kept_and_named_by_the_day_it_came() -> None:
    changes = [*CHANGES, StateChange(at(9, 1), S.COMPLETED, "progress")]
    entries = timeline(at(1, 2), Actor.RESIDENT, changes, ANSWERS, [], ANSWER_DUE, at(9, 2))
    completion = entries[-1]
    assert (completion.what, completion.day, completion.promise, completion.happened) == (
        "completion", date(2027, 9, 1), Promise.KEPT, True)


def test_staff_and_the_machine_are_told_apart_from_the_proposer() -> None:
    changes = [StateChange(at(1, 2), S.COLLECTING, None, by_moderator=True),
               StateChange(at(1, 20), S.UNDER_REVIEW, None),
               StateChange(at(1, 21), S.IN_DEBATE, "debate"),
               StateChange(at(2, 21), S.AWAITING_ANSWER, None)]
    entries = timeline(at(1, 2), Actor.RESIDENT, changes, [], [], None, at(3, 1))
    assert [e.actor for e in entries] == [Actor.MODERATOR, Actor.SYSTEM, Actor.MODERATOR,
                                          Actor.SYSTEM]
    auto = timeline(None, Actor.RESIDENT, [StateChange(at(1, 21), S.IN_DEBATE, "debate_auto")],
                    [], [], None, at(3, 1))
    assert [e.actor for e in auto] == [Actor.SYSTEM]


def test_history_from_before_the_timeline_still_starts_with_the_publication() -> None:
    review = [StateChange(at(1, 20), S.UNDER_REVIEW, None)]
    entries = timeline(at(1, 2), Actor.RESIDENT, review, [], [], None, at(3, 1))
    assert [(e.day, e.what, e.actor) for e in entries] == [
        (date(2027, 1, 2), "collecting", Actor.RESIDENT),
        (date(2027, 1, 20), "under_review", Actor.SYSTEM)]


def test_a_paper_proposal_was_entered_by_staff_and_a_district_one_put_forward_by_it() -> None:
    for proposer in (Actor.MODERATOR, Actor.DISTRICT):
        entries = timeline(at(1, 2), proposer, CHANGES[:1], [], [], None, at(1, 3))
        assert entries[0].actor is proposer
    withdrawn = timeline(None, Actor.RESIDENT, [StateChange(at(1, 9), S.WITHDRAWN, None)], [],
                         [], None, at(1, 10))
    assert withdrawn[0].actor is Actor.RESIDENT


def test_a_final_answer_on_time_and_the_head_s_own_answer_carry_no_late_mark() -> None:
    answers = [AnswerStep(at(3, 25), AnswerKind.FINAL, "accepted", "도로과", "김담당", None, None),
               AnswerStep(at(4, 30), AnswerKind.FINAL, "accepted", "구청장실", "박비서", None,
                          None, head=True)]
    entries = timeline(None, Actor.RESIDENT, [], answers, [], ANSWER_DUE, at(5, 1))
    assert [(e.promise, e.days) for e in entries] == [(Promise.KEPT, 0), (None, 0)]


def test_the_협치회의_places_and_decides_on_the_timeline() -> None:
    from bot.domain.timeline import DECIDED, PLACED, AgendaStep

    agenda = [AgendaStep(at(3, 2), at(3, 9), "passed"), AgendaStep(at(4, 6))]
    entries = timeline(None, Actor.RESIDENT, [], [], [], None, at(4, 7), agenda=agenda)
    assert [(e.day, e.what, e.actor, e.decision) for e in entries] == [
        (date(2027, 3, 2), PLACED, Actor.GOVERNANCE, None),
        (date(2027, 3, 9), DECIDED, Actor.GOVERNANCE, "passed"),
        (date(2027, 4, 6), PLACED, Actor.GOVERNANCE, None)]
