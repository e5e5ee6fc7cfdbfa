"""The yearly 이행상황 report read from the database (definitions: `bot.domain.yearly_report`).

One statement, whatever the number of proposals: the year's proposals (a range on
`created_at`, from Korea's new year to the next) joined to their department, their first
department-track final answer and their count of late plan steps, and grouped by
(department, 동) with conditional sums. The two subqueries reach answers and milestones only
through the year's proposal ids (answers by their `proposal_id` index, milestones by their
unique (proposal_id, position) one). The same SQL runs on SQLite and PostgreSQL; the domain
adds the cells up per department, per 동 and for the year.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, Department, Milestone, Proposal
from bot.domain.answers import ACCEPTING, AnswerKind
from bot.domain.deadlines import SEOUL
from bot.domain.lifecycle import ProposalStatus
from bot.domain.proposals import Kind, Origin
from bot.domain.tiers import DEPARTMENT_TRACK
from bot.domain.yearly_report import (
    FIRST_YEAR,
    Cell,
    Figures,
    YearlyReport,
    build_report,
    year_bounds,
)
from bot.services.admin_overview import overdue_condition

S = ProposalStatus
NEVER_PUBLISHED = (S.PENDING_MODERATION, S.REJECTED)
# Proposals only: 민원 are proposal rows too, answered without 공감, and not reported here.
COUNTED: ColumnElement[bool] = Proposal.kind == Kind.PROPOSAL


def reported() -> ColumnElement[bool]:
    """The proposals any yearly report counts: published, not hidden, not 민원."""
    return and_(COUNTED, Proposal.hidden.is_(False), Proposal.status.not_in(NEVER_PUBLISHED))


async def yearly_report(
    session: AsyncSession, year: int, now: datetime, tz: tzinfo = SEOUL
) -> YearlyReport:
    """The report of the proposals received in `year` (Korea time), as of `now`."""
    rows = await session.execute(_cells_query(year, now, tz))
    return build_report(year, now, [_cell(row) for row in rows])


async def report_years(session: AsyncSession, now: datetime, tz: tzinfo = SEOUL) -> list[int]:
    """The years a report can be read for, newest first: from the first proposal received
    to this year (this year alone when there is none yet)."""
    first = await session.scalar(select(func.min(Proposal.created_at)).where(reported()))
    this_year = now.astimezone(tz).year
    start = min(first.astimezone(tz).year, this_year) if first is not None else this_year
    return list(range(this_year, max(start, FIRST_YEAR) - 1, -1))


def _cells_query(year: int, now: datetime, tz: tzinfo) -> Select[Any]:
    start, end = year_bounds(year, tz)
    in_year = and_(reported(), Proposal.created_at >= start, Proposal.created_at < end)
    year_ids = select(Proposal.id).where(in_year).scalar_subquery()
    final = _first_final_answers(year_ids)
    late = _late_steps(year_ids, now.astimezone(tz).date())
    accepting = final.c.decision.in_([decision.value for decision in ACCEPTING])
    completed = Proposal.status == S.COMPLETED
    budget = func.coalesce(final.c.budget_krw, 0)
    figures = {
        "received": func.count(),
        "online": _number_of(Proposal.offline_channel.is_(None)),
        "offline": _number_of(Proposal.offline_channel.is_not(None)),
        "district": _number_of(Proposal.origin == Origin.DISTRICT),
        "answered": _number_of(final.c.answered_at.is_not(None)),
        "answered_on_time": _number_of(final.c.answered_at <= Proposal.answer_due),
        "answered_late": _number_of(final.c.answered_at > Proposal.answer_due),
        "accepted": _number_of(accepting),
        "implemented": _number_of(and_(accepting, completed)),  # of the accepted: ≤ 100 %
        "overdue_answers": _number_of(overdue_condition(now)),
        "late_steps": func.coalesce(func.sum(late.c.steps), 0),
        "budget_promised_krw": _sum_of(budget, accepting),
        "budget_spent_krw": _sum_of(budget, and_(accepting, completed)),
    }
    return (
        select(Department.name.label("department"), Proposal.area.label("area"),
               *(column.label(name) for name, column in figures.items()))
        .select_from(Proposal)
        .outerjoin(Department, Department.id == Proposal.department_id)
        .outerjoin(final, final.c.proposal_id == Proposal.id)
        .outerjoin(late, late.c.proposal_id == Proposal.id)
        .where(in_year)
        .group_by(Department.name, Proposal.area)
    )


def _first_final_answers(year_ids: Any) -> Any:
    """Each proposal's first department-track final answer (there is one: a final answer
    ends the answer window; the first is the one its deadline judges)."""
    first = (
        select(func.min(Answer.id).label("id"))
        .where(Answer.proposal_id.in_(year_ids), Answer.kind == AnswerKind.FINAL,
               Answer.track == DEPARTMENT_TRACK)
        .group_by(Answer.proposal_id)
    )
    return (
        select(Answer.proposal_id, Answer.created_at.label("answered_at"), Answer.decision,
               Answer.budget_krw)
        .where(Answer.id.in_(first))
        .subquery()
    )


def _late_steps(year_ids: Any, today: Any) -> Any:
    """Per proposal, the steps of its plan not reached and due before today (Korea time)."""
    return (
        select(Milestone.proposal_id, func.count().label("steps"))
        .where(Milestone.proposal_id.in_(year_ids), Milestone.reached_at.is_(None),
               Milestone.due_on < today)
        .group_by(Milestone.proposal_id)
        .subquery()
    )


def _number_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_of(amount: ColumnElement[int], condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, amount), else_=0)), 0)


def _cell(row: Any) -> Cell:
    counts = {f.name: int(getattr(row, f.name)) for f in fields(Figures)}
    return Cell(row.department, row.area, Figures(**counts))
