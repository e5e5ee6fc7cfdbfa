"""Opening a debate: a moderator moves an UNDER_REVIEW proposal into debate, and whoever
entered IN_DEBATE announces it (invitations, the D-3 reminder, the forum topic request)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DebateForumTopic, Proposal
from bot.domain.answer_clock import DeadlineRules
from bot.domain.deadlines import BusinessCalendar, resident_deadline
from bot.domain.debate import AUTO_DEBATE_NOTE, DEBATE_NOTE, excerpt, reminder_at
from bot.domain.events import DebateOpened
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.text import mask_personal_data, normalise_text
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.debates.queries import fresh_proposal
from bot.services.lifecycle import transition
from bot.services.outbox import enqueue, enqueue_for_followers
from bot.services.sql import insert_ignoring_conflicts
from bot.services.wakes import Wake, wake_after_commit


class OpenOutcome(StrEnum):
    OPENED = "opened"
    NOT_UNDER_REVIEW = "not_under_review"
    NOT_FOUND = "not_found"


async def open_debate(
    session: AsyncSession, proposal_id: int, *, now: datetime, policy: Policy, venues: Venues,
    actor: str, note: str | None = None, calendar: BusinessCalendar | None = None,
    automatic: bool = False,
) -> OpenOutcome:
    """A moderator opens the debate on an UNDER_REVIEW proposal directly (or, `automatic`,
    the 공감 count did); with the `calendar`, the invitation also names the answer deadline
    the close will set.

    Outcomes: OPENED (invitations and the forum topic request are written); NOT_UNDER_REVIEW;
    NOT_FOUND.
    """
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return OpenOutcome.NOT_FOUND
    closes = resident_deadline(now, policy.debate_days)
    moved = await transition(
        session, proposal_id, expected=ProposalStatus.UNDER_REVIEW,
        new=ProposalStatus.IN_DEBATE, now=now,
        changes={"debate_closes_at": closes, "next_reminder_at": None},
        note=AUTO_DEBATE_NOTE if automatic else DEBATE_NOTE, push=False,
    )
    if not moved:
        return OpenOutcome.NOT_UNDER_REVIEW
    record_audit(session, now, actor, "debate.open", f"proposal:{proposal_id}",
                 after={"closes_at": closes.isoformat()})
    answer_due = (DeadlineRules(policy.answer_days, calendar).answer_due_after(closes)
                  if calendar is not None else None)
    await announce_debate_opened(session, proposal_id, now=now, venues=venues, note=note,
                                 answer_due=answer_due)
    return OpenOutcome.OPENED


async def announce_debate_opened(
    session: AsyncSession, proposal_id: int, *, now: datetime, venues: Venues,
    note: str | None = None, department: str | None = None, answer_due: datetime | None = None,
) -> None:
    """After IN_DEBATE was entered: arm the D-3 reminder, invite people, request a forum topic.

    The author and endorsers (the proposal's followers, minus mutes) and the public channel
    get the invitation with the summary and the department's feasibility note. With
    `department` (the review result opened it) the invitation begins with that result, so
    it is the one message followers get for both.
    """
    proposal = await fresh_proposal(session, proposal_id)
    if proposal is None or proposal.debate_closes_at is None:
        return
    closes = proposal.debate_closes_at
    if proposal.debate_reminder_at is None and reminder_at(closes) > now:
        proposal.debate_reminder_at = reminder_at(closes)
    masked_note = mask_personal_data(normalise_text(note or ""))[0]
    notice = DebateOpened(
        proposal_id, proposal.title, summary=excerpt(proposal.problem, 200),
        solution=excerpt(proposal.solution, 200), note=excerpt(masked_note, 300),
        closes_at=closes, key=str(proposal_id), department=department,
        url=f"{venues.public_base_url}/p/{proposal_id}" if department else None,
        answer_due=answer_due,
    )
    await enqueue_for_followers(session, proposal_id, notice, now)
    if venues.public_channel_id is not None:
        await enqueue(session, chat_id=venues.public_channel_id, notice=notice, now=now)
    if venues.debate_forum_chat_id is not None:
        await _request_forum_topic(session, proposal_id, venues.debate_forum_chat_id, now)


async def _request_forum_topic(
    session: AsyncSession, proposal_id: int, chat_id: int, now: datetime
) -> None:
    """A row the forum mirror (bot/forum.py) turns into a topic after the commit."""
    wake_after_commit(session, Wake.FORUM_MIRROR)
    await session.execute(insert_ignoring_conflicts(
        session, DebateForumTopic, proposal_id=proposal_id, chat_id=chat_id, requested_at=now,
    ))
