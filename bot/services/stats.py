"""Statistics for staff (/stats) and the public page: how the district's process performs.

Definitions (documented in README):
- proposals by status: published proposals that are not hidden;
- answer time: from the threshold (the first move to 검토 중, which is also when a department
  is assigned) to the department's *concluding* answer: the final answer, or 검토 불가 (a
  feasibility answer that ends the road). A quick 검토 가능 is not an answer to the resident:
  counted as one, it made the median 0.0 days while the final answer came 37 days later.
  Median and 90th percentile (linear interpolation) over the proposals that have both;
- on time: a concluding answer given by the deadline it answered (the answer deadline for a
  final answer, the review deadline for 검토 불가); proposals with no deadline are not counted;
- overdue: proposals waiting for a department whose review or answer deadline has passed;
- departments: per department (the one a proposal is assigned to now), proposals answered,
  answered on time, overdue now, and interim answers (중간답변) given;
- weeks: the last 12 weeks in KST, Monday to Sunday, the current one last; 공감 counts
  endorsements made that week, participants counts distinct residents who proposed, endorsed,
  wrote an opinion or took a stance that week;
- debates: opinions that are not hidden, and distinct residents who wrote one or took a stance;
- turnout: submitted ballots over eligible residents (the count stored with the results once
  a round is counted, today's count before that);
- satisfaction: endorsers' 만족 / 불만족 votes on final answers.

Aggregates are computed by the database (week buckets are a CASE over precomputed boundaries,
so the same SQL runs on SQLite and PostgreSQL); percentiles are computed here from durations.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Answer,
    BudgetBallot,
    BudgetRound,
    DebateStance,
    Department,
    Endorsement,
    Opinion,
    Proposal,
    ProposalEvent,
    RoundPhase,
    SatisfactionVote,
)
from bot.domain.answers import AnswerKind, Feasibility
from bot.domain.deadlines import SEOUL
from bot.domain.lifecycle import ProposalStatus
from bot.domain.tiers import DEPARTMENT_TRACK
from bot.services.admin_overview import overdue_condition
from bot.services.budget import count_eligible

WEEKS = 12
S = ProposalStatus


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, one decimal; None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class WeekRow:
    starts: date  # the Monday (KST)
    endorsements: int
    participants: int


@dataclass(frozen=True)
class RoundTurnout:
    round_id: int
    name: str
    phase: str
    ballots: int
    eligible: int

    @property
    def percent(self) -> float | None:
        return share(self.ballots, self.eligible)


@dataclass(frozen=True)
class Concluded:
    """One proposal's concluding answer: when the clock started and stopped, and whether it
    came by the deadline it answered (None: there was no deadline)."""

    department: str | None
    days: float
    on_time: bool | None


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    answered: int
    on_time: int
    overdue: int
    interim: int

    @property
    def on_time_percent(self) -> float | None:
        return share(self.on_time, self.answered)


@dataclass(frozen=True)
class Stats:
    generated_at: datetime
    by_status: dict[str, int]
    answer_median_days: float | None
    answer_p90_days: float | None
    answered: int
    answered_on_time: int
    overdue: int
    departments: tuple[DepartmentRow, ...]
    weeks: tuple[WeekRow, ...]
    opinions: int
    debaters: int
    rounds: tuple[RoundTurnout, ...]
    satisfied: int
    dissatisfied: int

    @property
    def proposals(self) -> int:
        return sum(self.by_status.values())

    @property
    def on_time_percent(self) -> float | None:
        return share(self.answered_on_time, self.answered)

    @property
    def satisfaction_percent(self) -> float | None:
        return share(self.satisfied, self.satisfied + self.dissatisfied)


async def compute_stats(session: AsyncSession, now: datetime, tz: tzinfo = SEOUL) -> Stats:
    concluded = await concluding_answers(session)
    durations = sorted(row.days for row in concluded)
    opinions, debaters = await debate_participation(session)
    satisfied, dissatisfied = await satisfaction(session)
    return Stats(
        generated_at=now,
        by_status=await proposals_by_status(session),
        answer_median_days=percentile(durations, 50),
        answer_p90_days=percentile(durations, 90),
        answered=len(durations),
        answered_on_time=sum(1 for row in concluded if row.on_time),
        overdue=await overdue_answers(session, now),
        departments=await department_rows(session, now, concluded),
        weeks=await weekly_activity(session, now, tz),
        opinions=opinions,
        debaters=debaters,
        rounds=await round_turnout(session),
        satisfied=satisfied,
        dissatisfied=dissatisfied,
    )


def _visible() -> ColumnElement[bool]:
    return and_(Proposal.hidden.is_(False), Proposal.published_at.is_not(None))


async def proposals_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(Proposal.status, func.count()).where(_visible()).group_by(Proposal.status))
    return {status: int(count) for status, count in rows}


async def concluding_answers(session: AsyncSession) -> list[Concluded]:
    """Each visible proposal that reached the threshold and has its concluding answer."""
    reached = (
        select(ProposalEvent.proposal_id, func.min(ProposalEvent.at).label("at"))
        .where(ProposalEvent.to_status == S.UNDER_REVIEW)
        .group_by(ProposalEvent.proposal_id)
        .subquery()
    )
    # the department's final answer (「구청장 답변」 is a track of its own)
    final = _first_answer(and_(Answer.kind == AnswerKind.FINAL, Answer.track == DEPARTMENT_TRACK))
    not_feasible = _first_answer(and_(Answer.kind == AnswerKind.FEASIBILITY,
                                      Answer.decision == Feasibility.NOT_FEASIBLE))
    rows = await session.execute(
        select(reached.c.at, final.c.at, not_feasible.c.at, Proposal.answer_due,
               Proposal.review_due, Department.name)
        .join(Proposal, Proposal.id == reached.c.proposal_id)
        .outerjoin(final, final.c.proposal_id == reached.c.proposal_id)
        .outerjoin(not_feasible, not_feasible.c.proposal_id == reached.c.proposal_id)
        .outerjoin(Department, Department.id == Proposal.department_id)
        .where(Proposal.hidden.is_(False),
               or_(final.c.at.is_not(None), not_feasible.c.at.is_not(None)))
    )
    return [row for row in (_concluded(*values) for values in rows) if row is not None]


def _first_answer(which: ColumnElement[bool]) -> Any:
    return (select(Answer.proposal_id, func.min(Answer.created_at).label("at"))
            .where(which).group_by(Answer.proposal_id).subquery())


def _concluded(
    reached: datetime, final: datetime | None, not_feasible: datetime | None,
    answer_due: datetime | None, review_due: datetime | None, department: str | None,
) -> Concluded | None:
    """A final answer concludes even after a 검토 불가 that a 재심의 reopened."""
    answered, due = (final, answer_due) if final is not None else (not_feasible, review_due)
    if answered is None or answered < reached:
        return None
    on_time = None if due is None else answered <= due
    return Concluded(department, (answered - reached).total_seconds() / 86400, on_time)


async def department_rows(
    session: AsyncSession, now: datetime, concluded: Sequence[Concluded]
) -> tuple[DepartmentRow, ...]:
    """Every department that has had a proposal or given an answer, busiest first."""
    overdue = await _count_by_department(
        session, select(Department.name, func.count())
        .join(Proposal, Proposal.department_id == Department.id)
        .where(Proposal.hidden.is_(False), overdue_condition(now)))
    interim = await _count_by_department(
        session, select(Department.name, func.count())
        .join(Answer, Answer.department_id == Department.id)
        .where(Answer.kind == AnswerKind.INTERIM))
    answered = Counter(row.department for row in concluded if row.department)
    on_time = Counter(row.department for row in concluded if row.department and row.on_time)
    rows = [DepartmentRow(name, answered[name], on_time[name], overdue.get(name, 0),
                          interim.get(name, 0))
            for name in set(answered) | set(overdue) | set(interim)]
    return tuple(sorted(rows, key=lambda row: (-(row.answered + row.overdue), row.department)))


async def _count_by_department(
    session: AsyncSession, query: Select[str, int]
) -> dict[str, int]:
    rows = await session.execute(query.group_by(Department.name))
    return {name: int(count) for name, count in rows}


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile by linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return round(value, 1)


async def overdue_answers(session: AsyncSession, now: datetime) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Proposal).where(
            Proposal.hidden.is_(False), overdue_condition(now))) or 0)


def week_starts(now: datetime, tz: tzinfo = SEOUL, weeks: int = WEEKS) -> list[datetime]:
    """The Monday 00:00 (local) of each of the last `weeks` weeks, oldest first, in UTC."""
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    return [datetime.combine(this_monday - timedelta(weeks=n), time(0), tzinfo=tz)
            for n in range(weeks - 1, -1, -1)]


def _week_index(column: Any, starts: list[datetime]) -> Any:
    """Which of the weeks a timestamp falls in, as SQL (NULL before the first one)."""
    bounds = [*starts[1:], starts[-1] + timedelta(weeks=1)]
    return case(*[(column < bound, index) for index, bound in enumerate(bounds)], else_=None)


async def weekly_activity(
    session: AsyncSession, now: datetime, tz: tzinfo = SEOUL
) -> tuple[WeekRow, ...]:
    starts = week_starts(now, tz)
    first = starts[0]
    activity = union_all(
        select(Endorsement.user_id.label("user_id"), Endorsement.created_at.label("at"),
               literal(1).label("endorsement")).where(Endorsement.created_at >= first),
        select(Proposal.author_id, Proposal.published_at, literal(0))
        .where(Proposal.published_at >= first),
        select(Opinion.user_id, Opinion.created_at, literal(0)).where(Opinion.created_at >= first),
        select(DebateStance.user_id, DebateStance.updated_at, literal(0))
        .where(DebateStance.updated_at >= first),
    ).subquery()
    week = _week_index(activity.c.at, starts).label("week")
    rows = await session.execute(
        select(week, func.sum(activity.c.endorsement),
               func.count(func.distinct(activity.c.user_id)))
        .where(activity.c.at < starts[-1] + timedelta(weeks=1))
        .group_by(week)
    )
    counts = {int(index): (int(endorsed or 0), int(people))
              for index, endorsed, people in rows
              if index is not None}
    return tuple(
        WeekRow(start.astimezone(tz).date(), *counts.get(index, (0, 0)))
        for index, start in enumerate(starts)
    )


async def debate_participation(session: AsyncSession) -> tuple[int, int]:
    opinions = int(await session.scalar(
        select(func.count()).select_from(Opinion).where(Opinion.hidden.is_(False))) or 0)
    people = union_all(
        select(Opinion.user_id.label("user_id")).where(Opinion.hidden.is_(False)),
        select(DebateStance.user_id),
    ).subquery()
    debaters = int(await session.scalar(
        select(func.count(func.distinct(people.c.user_id)))) or 0)
    return opinions, debaters


async def round_turnout(session: AsyncSession) -> tuple[RoundTurnout, ...]:
    """Every round that has opened, newest first."""
    submitted = (
        select(BudgetBallot.round_id, func.count().label("ballots"))
        .where(BudgetBallot.submitted_at.is_not(None))
        .group_by(BudgetBallot.round_id)
        .subquery()
    )
    rows = await session.execute(
        select(BudgetRound, submitted.c.ballots)
        .outerjoin(submitted, submitted.c.round_id == BudgetRound.id)
        .where(BudgetRound.phase != RoundPhase.PREPARING)
        .order_by(BudgetRound.opens_at.desc(), BudgetRound.id.desc())
    )
    turnout = []
    for budget_round, ballots in rows.all():
        stored = (budget_round.results or {}).get("eligible")
        eligible = (int(stored) if stored is not None
                    else await count_eligible(session, budget_round))
        turnout.append(RoundTurnout(budget_round.id, budget_round.name, budget_round.phase,
                                    int(ballots or 0), eligible))
    return tuple(turnout)


async def satisfaction(session: AsyncSession) -> tuple[int, int]:
    row = (await session.execute(
        select(func.count().filter(SatisfactionVote.satisfied.is_(True)),
               func.count().filter(SatisfactionVote.satisfied.is_(False)))
    )).one()
    return int(row[0]), int(row[1])
