"""Extending a debate: once per debate, by 1–14 days with a reason; participants are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DebateExtension, Proposal
from bot.domain.answer_clock import DeadlineRules
from bot.domain.debate import debate_is_open, excerpt, reminder_at, valid_extension
from bot.domain.events import DebateExtended
from bot.domain.text import mask_personal_data, normalise_text
from bot.services.audit import record_audit
from bot.services.debates.queries import audience, fresh_proposal
from bot.services.outbox import enqueue_for_users
from bot.services.sql import insert_ignoring_conflicts, rows_affected


class ExtendOutcome(StrEnum):
    EXTENDED = "extended"
    ALREADY_EXTENDED = "already_extended"
    INVALID_DAYS = "invalid_days"
    NO_REASON = "no_reason"
    NOT_IN_DEBATE = "not_in_debate"


@dataclass(frozen=True)
class ExtendResult:
    outcome: ExtendOutcome
    closes_at: datetime | None = None


async def extend_debate(
    session: AsyncSession, proposal_id: int, *, days: int, reason: str, moderator: str,
    now: datetime, rules: DeadlineRules | None = None,
) -> ExtendResult:
    """Once per debate, by 1–14 days with a reason; participants are told (with `rules`, also
    of the answer deadline the moved close will set).

    The deadline machine re-arms from the moved `debate_closes_at`; a D-3 reminder that has
    not gone out yet moves with it, one that went out is not repeated.
    """
    text = mask_personal_data(normalise_text(reason))[0]  # the participants read it
    if not valid_extension(days):
        return ExtendResult(ExtendOutcome.INVALID_DAYS)
    if len(text) < 2:
        return ExtendResult(ExtendOutcome.NO_REASON)
    proposal = await fresh_proposal(session, proposal_id)
    if proposal is None or not debate_is_open(proposal.status, proposal.debate_closes_at, now):
        return ExtendResult(ExtendOutcome.NOT_IN_DEBATE)
    added = await session.execute(insert_ignoring_conflicts(
        session, DebateExtension, proposal_id=proposal_id, days=days, reason=text,
        moderator=moderator[:120], created_at=now,
    ))
    if not rows_affected(added):
        return ExtendResult(ExtendOutcome.ALREADY_EXTENDED, proposal.debate_closes_at)
    closes = _move_the_close(session, proposal, days, text, moderator, now)
    notice = DebateExtended(proposal_id, proposal.title, days, excerpt(text, 300), closes,
                            key=str(proposal_id),
                            answer_due=rules.answer_due_after(closes) if rules else None)
    await enqueue_for_users(session, await audience(session, proposal_id), notice, now)
    return ExtendResult(ExtendOutcome.EXTENDED, closes)


def _move_the_close(
    session: AsyncSession, proposal: Proposal, days: int, reason: str, moderator: str,
    now: datetime,
) -> datetime:
    """Push the close (and a pending D-3 reminder) back by `days`, in the audit log too."""
    before = proposal.debate_closes_at
    assert before is not None
    closes = before + timedelta(days=days)
    proposal.debate_closes_at = closes
    if proposal.debate_reminder_at is not None:
        proposal.debate_reminder_at = reminder_at(closes)
    record_audit(session, now, moderator, "debate.extend", f"proposal:{proposal.id}",
                 before={"closes_at": before.isoformat()},
                 after={"closes_at": closes.isoformat(), "days": days, "reason": reason})
    return closes
