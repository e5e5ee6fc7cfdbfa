"""The staff's proposal lists, the staff view of one proposal, and bulk decisions.

A page is one query on `proposals` (through its status index when a status is chosen), its
total counted in the same statement by a window function; only a page past the end needs a
second, counting one. Keyword results reuse the search index (`bot.services.search`).
A bulk action decides each selected proposal as a work item button would: a proposal whose
item someone else handled meanwhile is skipped and counted, never decided twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, Department, Proposal
from bot.domain.admin_lists import PAGE_SIZE, WAITING, ListQuery, Sort
from bot.domain.deadlines import BusinessCalendar
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.venues import Venues
from bot.services import search
from bot.services.admin_overview import overdue_condition
from bot.services.departments import AssignOutcome, assign_department
from bot.services.moderation import ActOutcome, ActResult, Moderator, act_on_item
from bot.services.work_items import WorkItemView, WorkKind, open_items_for

S = ProposalStatus


@dataclass(frozen=True)
class StaffLine:
    id: int
    title: str
    hidden: bool
    status: ProposalStatus
    endorsement_count: int
    due: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class AnswerLine:
    kind: str
    decision: str | None
    created_at: datetime


@dataclass(frozen=True)
class StaffProposal:
    line: StaffLine
    problem: str
    area: str | None
    category: str | None
    department: str | None
    hidden_reason: str | None
    answers: tuple[AnswerLine, ...]
    pending_item: bool  # an open approval item: approve and reject are offered


def _due() -> ColumnElement[Any]:
    """The deadline of the proposal's current stage, NULL when it has none."""
    return case(
        (Proposal.status == S.COLLECTING, Proposal.collect_until),
        (Proposal.status == S.UNDER_REVIEW, Proposal.review_due),
        (Proposal.status == S.IN_DEBATE, Proposal.debate_closes_at),
        (Proposal.status == S.AWAITING_ANSWER, Proposal.answer_due),
        else_=None,
    )


def _where(query: ListQuery, areas: Sequence[str], categories: Sequence[str], now: datetime
           ) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.status is not None:
        where.append(Proposal.status == query.status)
    if query.waiting:
        where.append(Proposal.status.in_(WAITING))
    if query.overdue:
        where.append(overdue_condition(now))
    for index, names, column in ((query.area, areas, Proposal.area),
                                 (query.category, categories, Proposal.category)):
        if index is not None:
            where.append(column == (names[index] if index < len(names) else ""))
    return where


def _order(sort: Sort) -> tuple[Any, ...]:
    return {
        Sort.NEWEST: (Proposal.id.desc(),),
        Sort.ENDORSED: (Proposal.endorsement_count.desc(), Proposal.id.desc()),
        Sort.OLDEST: (Proposal.id,),
        Sort.DEADLINE: (_due().is_(None), _due(), Proposal.id),
    }[sort]


def _columns() -> Select[Any]:
    return select(Proposal.id, Proposal.title, Proposal.hidden, Proposal.status,
                  Proposal.endorsement_count, _due().label("due"), Proposal.created_at)


def _line(row: Any) -> StaffLine:
    return StaffLine(row.id, row.title, row.hidden, ProposalStatus(row.status),
                     row.endorsement_count, row.due, row.created_at)


async def proposal_page(
    session: AsyncSession, query: ListQuery, *, areas: Sequence[str],
    categories: Sequence[str], now: datetime, size: int = PAGE_SIZE,
) -> tuple[list[StaffLine], int]:
    """One page of the list and how many lines the list has in all."""
    rows = (await session.execute(
        page_statement(query, areas=areas, categories=categories, now=now, size=size))).all()
    if rows:
        return [_line(row) for row in rows], int(rows[0].total)
    where = _where(query, areas, categories, now)
    total = await session.scalar(select(func.count()).select_from(Proposal).where(*where))
    return [], int(total or 0)


def page_statement(query: ListQuery, *, areas: Sequence[str], categories: Sequence[str],
                   now: datetime, size: int = PAGE_SIZE) -> Select[Any]:
    """The one statement of a page: its lines and, on each, the list's total."""
    sort = Sort.OLDEST if query.waiting and query.sort is Sort.NEWEST else query.sort
    return (_columns().add_columns(func.count().over().label("total"))
            .where(*_where(query, areas, categories, now))
            .order_by(*_order(sort)).offset(query.page * size).limit(size))


async def keyword_page(
    session: AsyncSession, keyword: str, page: int, size: int = PAGE_SIZE
) -> tuple[list[StaffLine], int]:
    """A page of the proposals matching `keyword`, best first (hidden ones are not found)."""
    hits = await search.search(session, keyword, limit=search.SEARCH_POOL,
                               statuses=tuple(ProposalStatus))
    ids = [hit.proposal_id for hit in hits[page * size:(page + 1) * size]]
    rows = (await session.execute(_columns().where(Proposal.id.in_(ids)))).all() if ids else []
    by_id = {row.id: _line(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id], len(hits)


async def staff_view(session: AsyncSession, proposal_id: int) -> StaffProposal | None:
    """What a moderator needs to decide about one proposal, hidden or not."""
    row = (await session.execute(
        _columns().add_columns(Proposal.problem, Proposal.area, Proposal.category,
                               Proposal.hidden_reason, Department.name.label("department"))
        .outerjoin(Department, Department.id == Proposal.department_id)
        .where(Proposal.id == proposal_id))).one_or_none()
    if row is None:
        return None
    answers = await session.execute(
        select(Answer.kind, Answer.decision, Answer.created_at)
        .where(Answer.proposal_id == proposal_id).order_by(Answer.id))
    items = await open_items_for(session, "proposal", proposal_id)
    return StaffProposal(_line(row), row.problem, row.area, row.category, row.department,
                         row.hidden_reason, tuple(AnswerLine(*a) for a in answers),
                         any(item.kind is WorkKind.PENDING for item in items))


# ----- bulk actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """Who acts, when, and what the services need to carry a decision out."""

    moderator: Moderator
    now: datetime
    policy: Policy
    venues: Venues
    secret_key: str
    smtp_url: str | None
    calendar: BusinessCalendar


@dataclass(frozen=True)
class BulkResult:
    done: int
    skipped: int  # handled by someone else meanwhile, or no longer in a state for it
    # the work items this action claimed: their copies in other staff chats are to be told
    claimed: tuple[WorkItemView, ...] = field(default=(), compare=False)


async def decide_pending(session: AsyncSession, proposal_id: int, action: str, acting: Acting,
                         reason_text: str = "") -> ActResult:
    """Approve or reject one proposal through its open approval item (NOT_FOUND: none is
    open, someone handled it)."""
    items = [item for item in await open_items_for(session, "proposal", proposal_id)
             if item.kind is WorkKind.PENDING]
    if not items:
        return ActResult(ActOutcome.NOT_FOUND)
    return await act_on_item(
        session, items[0], action, moderator=acting.moderator, now=acting.now,
        policy=acting.policy, venues=acting.venues, secret_key=acting.secret_key,
        smtp_url=acting.smtp_url, calendar=acting.calendar, reason_text=reason_text)


async def decide_many(session: AsyncSession, proposal_ids: Sequence[int], action: str,
                      acting: Acting, reason_text: str = "") -> BulkResult:
    """Approve or reject each selected proposal waiting for moderation."""
    claimed = []
    for proposal_id in proposal_ids:
        result = await decide_pending(session, proposal_id, action, acting, reason_text)
        if result.outcome is ActOutcome.DONE and result.item is not None:
            claimed.append(result.item)
    return BulkResult(len(claimed), len(proposal_ids) - len(claimed), tuple(claimed))


async def assign_many(session: AsyncSession, proposal_ids: Sequence[int], department_id: int,
                      acting: Acting) -> BulkResult:
    """Give each selected proposal to the department (one that has it already is skipped)."""
    done = 0
    for proposal_id in proposal_ids:
        result = await assign_department(
            session, proposal_id, department_id, now=acting.now, policy=acting.policy,
            venues=acting.venues, secret_key=acting.secret_key, smtp_url=acting.smtp_url,
            actor=acting.moderator.actor, unless_already=True)
        done += result.outcome is AssignOutcome.ASSIGNED
    return BulkResult(done, len(proposal_ids) - done)
