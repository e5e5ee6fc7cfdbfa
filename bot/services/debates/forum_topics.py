"""The forum mirror's bookkeeping: which debates need a forum topic opened or closed, and
where each topic lives. The Bot API calls themselves live in bot/forum.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DebateForumTopic, Proposal
from bot.domain.debate import DebateSummary
from bot.domain.lifecycle import ProposalStatus
from bot.services.debates.queries import load_summary
from bot.services.sql import rows_affected

FORUM_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class ForumWork:
    proposal_id: int
    chat_id: int
    thread_id: int | None
    title: str
    problem: str
    solution: str
    closes_at: datetime | None
    answer_due: datetime | None
    summary: DebateSummary | None


async def claim_topics_to_open(session: AsyncSession, now: datetime) -> list[ForumWork]:
    """Requested topics of open debates not created yet; each is leased to this worker."""
    rows = await session.execute(
        select(DebateForumTopic.proposal_id, DebateForumTopic.chat_id)
        .join(Proposal, Proposal.id == DebateForumTopic.proposal_id)
        .where(DebateForumTopic.thread_id.is_(None), DebateForumTopic.closed_at.is_(None),
               Proposal.status == ProposalStatus.IN_DEBATE)
    )
    return [await _work(session, proposal_id, chat_id, None)
            for proposal_id, chat_id in list(rows)
            if await _lease(session, proposal_id, now)]


async def _lease(session: AsyncSession, proposal_id: int, now: datetime) -> bool:
    """Claim an unopened topic for FORUM_CLAIM unless another worker holds it."""
    claimed = await session.execute(
        update(DebateForumTopic)
        .where(DebateForumTopic.proposal_id == proposal_id,
               DebateForumTopic.thread_id.is_(None),
               (DebateForumTopic.claimed_until.is_(None))
               | (DebateForumTopic.claimed_until < now))
        .values(claimed_until=now + FORUM_CLAIM)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(claimed) == 1


async def topics_to_close(session: AsyncSession) -> list[ForumWork]:
    """Topics (created or not) whose debate is over and that are not closed yet."""
    rows = await session.execute(
        select(DebateForumTopic.proposal_id, DebateForumTopic.chat_id, DebateForumTopic.thread_id)
        .join(Proposal, Proposal.id == DebateForumTopic.proposal_id)
        .where(DebateForumTopic.closed_at.is_(None),
               Proposal.status != ProposalStatus.IN_DEBATE)
    )
    return [await _work(session, proposal_id, chat_id, thread_id)
            for proposal_id, chat_id, thread_id in list(rows)]


async def record_forum_thread(
    session: AsyncSession, proposal_id: int, thread_id: int
) -> None:
    await session.execute(
        update(DebateForumTopic).where(DebateForumTopic.proposal_id == proposal_id)
        .values(thread_id=thread_id, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


async def mark_forum_closed(session: AsyncSession, proposal_id: int, now: datetime) -> bool:
    closed = await session.execute(
        update(DebateForumTopic)
        .where(DebateForumTopic.proposal_id == proposal_id, DebateForumTopic.closed_at.is_(None))
        .values(closed_at=now).execution_options(synchronize_session=False)
    )
    return bool(rows_affected(closed))


async def debate_for_thread(session: AsyncSession, chat_id: int, thread_id: int) -> int | None:
    """The proposal whose debate lives in this forum topic, if any."""
    return await session.scalar(select(DebateForumTopic.proposal_id).where(
        DebateForumTopic.chat_id == chat_id, DebateForumTopic.thread_id == thread_id))


async def _work(
    session: AsyncSession, proposal_id: int, chat_id: int, thread_id: int | None
) -> ForumWork:
    proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None
    return ForumWork(proposal_id, chat_id, thread_id, proposal.title, proposal.problem,
                     proposal.solution, proposal.debate_closes_at, proposal.answer_due,
                     await load_summary(session, proposal_id))
