"""Closing a debate: the summary is stored once and sent to the author, everyone who took part
and every follower; the department's reply page and the public page read it back as plain
text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DebateSummaryRow, Proposal
from bot.domain.debate import DebateSummary, plain_summary, summarise
from bot.domain.events import DebateSummaryReady
from bot.services.debates.queries import (
    load_summary,
    muted,
    participants,
    stances,
    visible_opinions,
)
from bot.services.outbox import enqueue_for_users, proposal_followers
from bot.services.sql import insert_ignoring_conflicts
from bot.services.wakes import Wake, wake_after_commit


async def finish_debate(
    session: AsyncSession, proposal_id: int, *, now: datetime, answer_due: datetime
) -> set[int]:
    """In the closing transaction: store the summary once and send it, once each, to the
    proposal's author, everyone who took part and every follower who has not muted it: how a
    debate ended concerns all who followed it, not only those who spoke (a short "it closed"
    notice left followers asking who had won).

    Returns those people.
    """
    proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None
    wake_after_commit(session, Wake.FORUM_MIRROR)  # its topic, if any, closes
    summary = await _store_summary(session, proposal_id, now)
    people = (await participants(session, proposal_id) | {proposal.author_id}
              | set(await proposal_followers(session, proposal_id)))
    notice = DebateSummaryReady(proposal_id, proposal.title, answer_due, summary.to_json(),
                                key=str(proposal_id))
    await enqueue_for_users(
        session, sorted(people - await muted(session, proposal_id)), notice, now)
    return people


async def _store_summary(session: AsyncSession, proposal_id: int, now: datetime) -> DebateSummary:
    """Summarise the debate and keep the first summary stored (a repeated close changes none)."""
    summary = summarise(await stances(session, proposal_id),
                        await visible_opinions(session, proposal_id))
    await session.execute(insert_ignoring_conflicts(
        session, DebateSummaryRow, proposal_id=proposal_id, data=summary.to_json(),
        created_at=now,
    ))
    return await load_summary(session, proposal_id) or summary


async def summary_text(session: AsyncSession, proposal_id: int) -> str | None:
    """The stored summary as plain text, for the department's reply page and the public page."""
    summary = await load_summary(session, proposal_id)
    return plain_summary(summary) if summary else None
