"""The D-3 reminder: endorsers who have not taken part in the debate yet hear once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Proposal
from bot.domain.events import DebateReminder
from bot.domain.lifecycle import ProposalStatus
from bot.services.debates.queries import endorsers, fresh_proposal, muted, participants
from bot.services.outbox import enqueue_for_users
from bot.services.sql import rows_affected


async def remind_debate(session: AsyncSession, proposal_id: int, now: datetime) -> bool:
    """Deadline handler (D-3): endorsers who have not taken part yet hear once."""
    if not await _claim_reminder(session, proposal_id, now):
        return False
    proposal = await fresh_proposal(session, proposal_id)
    assert proposal is not None and proposal.debate_closes_at is not None
    waiting = (await endorsers(session, proposal_id) - await participants(session, proposal_id)
               - await muted(session, proposal_id))
    notice = DebateReminder(proposal_id, proposal.title, proposal.debate_closes_at,
                            key=str(proposal_id))
    await enqueue_for_users(session, sorted(waiting), notice, now)
    return True


async def _claim_reminder(session: AsyncSession, proposal_id: int, now: datetime) -> bool:
    """Clear the due reminder in one guarded UPDATE: True for the one call that won."""
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.status == ProposalStatus.IN_DEBATE,
               Proposal.debate_reminder_at.is_not(None), Proposal.debate_reminder_at <= now)
        .values(debate_reminder_at=None)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(claimed) == 1
