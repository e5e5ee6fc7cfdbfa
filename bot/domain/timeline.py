"""A proposal's timeline: every step from submission to completion, with its date, who acted,
and what was promised against what happened.

It is built from what the public page already reads (the state changes, the answers, the
plan's steps), so it costs no query of its own. A state change that an answer caused is told
by the answer (its office and official), not twice. Promises are compared with what came of
them: the answer deadline with the day the final answer came, each step of the plan with the
day it was reached (or how late it is now), and the expected completion with the day the work
was reported complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from bot.domain.answers import AnswerKind
from bot.domain.complaints import ROUTED_NOTE
from bot.domain.consultations import CLOSED_NOTE
from bot.domain.deadlines import SEOUL, deadline_last_day
from bot.domain.debate import DEBATE_NOTE
from bot.domain.lifecycle import ProposalStatus
from bot.domain.milestones import StepState, days_late, step_state

S = ProposalStatus
ANSWER_NOTES = frozenset(kind.value for kind in AnswerKind)
WORKGROUP_REPORT = "workgroup_report"
PLACED = "governance_placed"  # 상정 on a 협치회의 agenda
DECIDED = "governance_decided"  # its decision (`decision`: passed or not_passed)
NOTED_STEPS = frozenset({ROUTED_NOTE, CLOSED_NOTE})  # told by their note, not their state


class Actor(StrEnum):
    RESIDENT = "resident"  # the proposer
    MODERATOR = "moderator"
    DISTRICT = "district"  # a 「구 제안」: the district put it forward
    WORKGROUP = "workgroup"  # the residents' 워킹그룹 following the work
    GOVERNANCE = "governance"  # the 협치회의
    DEPARTMENT = "department"
    SYSTEM = "system"  # a deadline passed or a threshold was reached


class Promise(StrEnum):
    """How a promise compares with what happened."""

    KEPT = "kept"  # on or before the promised day
    LATE = "late"  # kept, after the promised day
    OVERDUE = "overdue"  # the day passed and it has not happened
    PENDING = "pending"  # its day has not come


@dataclass(frozen=True)
class StateChange:
    at: datetime
    status: ProposalStatus
    note: str | None
    by_moderator: bool = False


@dataclass(frozen=True)
class AnswerStep:
    at: datetime
    kind: AnswerKind
    decision: str | None
    office: str
    official: str
    expected_completion: date | None
    percent: int | None
    head: bool = False


@dataclass(frozen=True)
class PlanStep:
    position: int
    due_on: date
    title: str
    reached_at: datetime | None


@dataclass(frozen=True)
class AgendaStep:
    """The proposal on a 협치회의 agenda: when it was placed, and its decision once made."""

    placed_at: datetime
    decided_at: datetime | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Entry:
    """One line of the timeline. `day` is when it happened (or, for a step not reached yet,
    the day it is promised for); `promised` and `days` compare it with its promise."""

    day: date
    what: str  # a status, an answer kind, or "step"
    actor: Actor
    office: str = ""
    official: str = ""
    title: str = ""  # a step's words
    decision: str | None = None
    percent: int | None = None
    promised: date | None = None
    promise: Promise | None = None
    days: int = 0  # days late (kept late, or overdue so far)
    happened: bool = True  # False: a step still ahead or overdue


def timeline(
    published_at: datetime | None,
    proposer: Actor,
    changes: Sequence[StateChange],
    answers: Sequence[AnswerStep],
    steps: Sequence[PlanStep],
    answer_due: datetime | None,
    now: datetime,
    tz: tzinfo = SEOUL,
    *,
    opening: str = S.COLLECTING.value,
    reports: Sequence[datetime] = (),
    agenda: Sequence[AgendaStep] = (),
) -> list[Entry]:
    """Every entry in order of day (steps not reached yet by their promised day).
    `proposer`: who put it forward (the resident; staff entering a paper proposal; the
    district). `opening` names the first entry when the history has no move into COLLECTING
    (a 민원 is received, a consultation is asked; older histories were published)."""
    today = now.astimezone(tz).date()
    entries = [_change(change, proposer, tz) for change in changes
               if change.note not in ANSWER_NOTES]
    if published_at is not None and not any(c.status is S.COLLECTING for c in changes):
        entries.append(Entry(published_at.astimezone(tz).date(), opening, proposer))
    entries += [_answer(answer, answer_due, tz, today) for answer in answers]
    entries += [_step(step, tz, today) for step in steps]
    entries += [Entry(at.astimezone(tz).date(), WORKGROUP_REPORT, Actor.WORKGROUP)
                for at in reports]  # the 워킹그룹's published reports
    entries += [entry for step in agenda for entry in _agenda(step, tz)]
    completed = next((c.at for c in changes if c.status is S.COMPLETED), None)
    entries += _completion(answers, completed, tz, today)
    order = {id(entry): index for index, entry in enumerate(entries)}
    return sorted(entries, key=lambda e: (e.day, not e.happened, order[id(e)]))


def _agenda(step: AgendaStep, tz: tzinfo) -> list[Entry]:
    placed = Entry(step.placed_at.astimezone(tz).date(), PLACED, Actor.GOVERNANCE)
    if step.decided_at is None:
        return [placed]
    return [placed, Entry(step.decided_at.astimezone(tz).date(), DECIDED, Actor.GOVERNANCE,
                          decision=step.outcome)]


def _change(change: StateChange, proposer: Actor, tz: tzinfo) -> Entry:
    what = change.note if change.note in NOTED_STEPS else change.status.value
    return Entry(change.at.astimezone(tz).date(), what, _actor_of(change, proposer))


def _actor_of(change: StateChange, proposer: Actor) -> Actor:
    """Staff for what a moderator did, the proposer for their submission and withdrawal, the
    machine for the rest."""
    if change.by_moderator or change.note in (DEBATE_NOTE, ROUTED_NOTE):
        return Actor.MODERATOR
    if change.status in (S.COLLECTING, S.WITHDRAWN):
        return proposer
    return Actor.SYSTEM


def _answer(answer: AnswerStep, answer_due: datetime | None, tz: tzinfo, today: date) -> Entry:
    day = answer.at.astimezone(tz).date()
    promised = (deadline_last_day(answer_due, tz)
                if answer.kind is AnswerKind.FINAL and not answer.head and answer_due else None)
    promise, late = _compare(promised, day, today) if promised else (None, 0)
    return Entry(day, answer.kind.value, Actor.DEPARTMENT, office=answer.office,
                 official=answer.official, decision=answer.decision, percent=answer.percent,
                 promised=promised, promise=promise, days=late)


def _step(step: PlanStep, tz: tzinfo, today: date) -> Entry:
    reached = step.reached_at.astimezone(tz).date() if step.reached_at else None
    state = step_state(step.due_on, reached, today)
    promise = {StepState.REACHED: Promise.KEPT, StepState.REACHED_LATE: Promise.LATE,
               StepState.OVERDUE: Promise.OVERDUE, StepState.PLANNED: Promise.PENDING}[state]
    return Entry(reached or step.due_on, "step", Actor.DEPARTMENT, title=step.title,
                 promised=step.due_on, promise=promise,
                 days=days_late(step.due_on, reached, today), happened=reached is not None)


def _completion(
    answers: Sequence[AnswerStep], completed: datetime | None, tz: tzinfo, today: date
) -> list[Entry]:
    """The work against the completion the accepting answer expected (when it gave one)."""
    final = next((a for a in reversed(answers)
                  if a.kind is AnswerKind.FINAL and not a.head and a.expected_completion), None)
    if final is None or final.expected_completion is None:
        return []
    expected = final.expected_completion
    done = completed.astimezone(tz).date() if completed else None
    promise, late = _compare(expected, done, today)
    if done is not None:
        return [Entry(done, "completion", Actor.DEPARTMENT, office=final.office,
                      promised=expected, promise=promise, days=late)]
    return [Entry(expected, "completion", Actor.DEPARTMENT, office=final.office,
                  promised=expected, promise=promise, days=late, happened=False)]


def _compare(promised: date, happened: date | None, today: date) -> tuple[Promise, int]:
    if happened is not None:
        late = max(0, (happened - promised).days)
        return (Promise.LATE if late else Promise.KEPT), late
    if today > promised:
        return Promise.OVERDUE, (today - promised).days
    return Promise.PENDING, 0
