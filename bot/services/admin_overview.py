"""Read models for the /admin menu: counts and short pages, nothing is changed here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Broadcast,
    BudgetRound,
    CategoryDepartment,
    Department,
    Poll,
    Proposal,
    VerificationBatch,
    VerificationCode,
)
from bot.domain.lifecycle import ProposalStatus
from bot.services.broadcasts import BroadcastStatus

S = ProposalStatus


@dataclass(frozen=True)
class ProposalLine:
    id: int
    title: str
    hidden: bool
    endorsement_count: int
    due: datetime | None = None
    department: str | None = None
    offline: bool = False


@dataclass(frozen=True)
class RoundLine:
    id: int
    name: str
    phase: str
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class BatchLine:
    id: int
    area: str
    size: int
    used: int
    expires_at: datetime


@dataclass(frozen=True)
class BroadcastLine:
    id: int
    status: str
    recipients: int
    created_at: datetime


@dataclass(frozen=True)
class PollLine:
    id: int
    question: str
    closes_at: datetime
    closed: bool


async def status_counts(session: AsyncSession) -> dict[ProposalStatus, int]:
    rows = await session.execute(select(Proposal.status, func.count()).group_by(Proposal.status))
    counts = {ProposalStatus(status): int(n) for status, n in rows}
    return {status: counts.get(status, 0) for status in ProposalStatus}


async def proposals_with_status(
    session: AsyncSession, status: ProposalStatus, *, offset: int, limit: int
) -> tuple[list[ProposalLine], int]:
    """Newest first; hidden ones included (the menu marks them)."""
    where = Proposal.status == status
    rows = await session.execute(
        select(Proposal.id, Proposal.title, Proposal.hidden, Proposal.endorsement_count,
               Proposal.offline_channel)
        .where(where).order_by(Proposal.id.desc()).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Proposal).where(where))
    return [ProposalLine(r.id, r.title, r.hidden, r.endorsement_count,
                         offline=r.offline_channel is not None) for r in rows], int(total or 0)


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Reviews and answers past their due date (also the staff lists' 기한 지남 filter)."""
    return or_(and_(Proposal.status == S.UNDER_REVIEW, Proposal.review_due < now),
               and_(Proposal.status == S.AWAITING_ANSWER, Proposal.answer_due < now))


async def overdue_answers(
    session: AsyncSession, now: datetime, *, offset: int, limit: int
) -> tuple[list[ProposalLine], int]:
    """Reviews and answers past their due date, the longest overdue first."""
    due = func.coalesce(Proposal.answer_due, Proposal.review_due)
    rows = await session.execute(
        select(Proposal.id, Proposal.title, Proposal.hidden, Proposal.endorsement_count,
               Proposal.status, Proposal.review_due, Proposal.answer_due, Department.name)
        .outerjoin(Department, Department.id == Proposal.department_id)
        .where(overdue_condition(now)).order_by(due, Proposal.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Proposal)
                                 .where(overdue_condition(now)))
    lines = [
        ProposalLine(r.id, r.title, r.hidden, r.endorsement_count,
                     r.answer_due if r.status == S.AWAITING_ANSWER else r.review_due, r.name)
        for r in rows
    ]
    return lines, int(total or 0)


async def category_departments(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(
        select(CategoryDepartment.category, Department.name)
        .join(Department, Department.id == CategoryDepartment.department_id)
    )
    return {category: name for category, name in rows}


async def budget_rounds(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[RoundLine], int]:
    rows = await session.scalars(select(BudgetRound).order_by(BudgetRound.id.desc())
                                 .offset(offset).limit(limit))
    total = await session.scalar(select(func.count()).select_from(BudgetRound))
    return [RoundLine(r.id, r.name, r.phase, r.opens_at, r.closes_at) for r in rows], \
        int(total or 0)


async def polls(session: AsyncSession, *, offset: int, limit: int) -> tuple[list[PollLine], int]:
    rows = await session.scalars(select(Poll).order_by(Poll.id.desc()).offset(offset).limit(limit))
    total = await session.scalar(select(func.count()).select_from(Poll))
    return [PollLine(p.id, p.question, p.closes_at, p.closed_at is not None) for p in rows], \
        int(total or 0)


async def verification_batches(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[BatchLine], int]:
    """Code batches, newest first, with how many of their codes were redeemed."""
    used = (select(func.count()).where(VerificationCode.batch_id == VerificationBatch.id,
                                       VerificationCode.used_at.is_not(None))
            .scalar_subquery())
    rows = await session.execute(
        select(VerificationBatch, used).order_by(VerificationBatch.id.desc())
        .offset(offset).limit(limit))
    total = await session.scalar(select(func.count()).select_from(VerificationBatch))
    return [BatchLine(b.id, b.area, b.size, int(n or 0), b.expires_at)
            for b, n in rows], int(total or 0)


async def broadcasts(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[BroadcastLine], int]:
    """Broadcasts that were confirmed or cancelled (drafts in progress are the admin's own)."""
    shown = Broadcast.status != BroadcastStatus.DRAFT
    rows = await session.scalars(select(Broadcast).where(shown).order_by(Broadcast.id.desc())
                                 .offset(offset).limit(limit))
    total = await session.scalar(select(func.count()).select_from(Broadcast).where(shown))
    return [BroadcastLine(b.id, b.status, b.recipients, b.created_at) for b in rows], \
        int(total or 0)
