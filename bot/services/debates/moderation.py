"""Moderating opinions: residents report one; moderators hide it or show it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Opinion, Proposal, Report
from bot.domain.debate import excerpt
from bot.domain.events import ModerationOpinionReported
from bot.domain.permissions import Action
from bot.domain.policy import Policy
from bot.domain.reports import REPORT_REASONS
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.bans import ensure_permitted
from bot.services.hiding import after_report
from bot.services.outbox import enqueue
from bot.services.sql import insert_ignoring_conflicts, rows_affected


async def report_opinion(
    session: AsyncSession, *, opinion_id: int, user_id: int, reason: str, now: datetime,
    policy: Policy, venues: Venues,
) -> bool:
    """Record a report once per person; the moderators hear about a reported opinion once.

    Reports from REPORT_HIDE_THRESHOLD people hide it and open a moderators' work item.
    """
    await ensure_permitted(session, user_id, Action.REPORT, now)
    opinion = await session.get(Opinion, opinion_id)
    if reason not in REPORT_REASONS or opinion is None:
        return False
    added = await session.execute(insert_ignoring_conflicts(
        session, Report, user_id=user_id, target_kind="opinion", target_id=opinion_id,
        reason=reason, created_at=now,
    ))
    if not rows_affected(added):
        return False
    proposal = await session.get(Proposal, opinion.proposal_id)
    assert proposal is not None
    await _tell_moderators(session, venues.moderator_chat_id, proposal, opinion, now,
                           reason=reason)
    await after_report(session, kind="opinion", content_id=opinion_id, now=now,
                       policy=policy, venues=venues)
    return True


async def hide_opinion(
    session: AsyncSession, *, opinion_id: int, moderator: str, now: datetime, reason: str = ""
) -> bool:
    """Hide an opinion under the operating rules (kept, not deleted); False if already hidden."""
    return await _set_hidden(session, opinion_id, True, moderator, now, reason)


async def restore_opinion(
    session: AsyncSession, *, opinion_id: int, moderator: str, now: datetime
) -> bool:
    """Show a hidden (or held) opinion again; False if it was visible."""
    return await _set_hidden(session, opinion_id, False, moderator, now, "")


async def _set_hidden(
    session: AsyncSession, opinion_id: int, hidden: bool, moderator: str, now: datetime,
    reason: str,
) -> bool:
    values: dict[str, object] = {"hidden": hidden}
    if not hidden:
        values["flagged"] = False
    changed = await session.execute(
        update(Opinion).where(Opinion.id == opinion_id, Opinion.hidden.is_(not hidden))
        .values(**values).execution_options(synchronize_session=False)
    )
    if not rows_affected(changed):
        return False
    record_audit(session, now, moderator, "opinion.hide" if hidden else "opinion.restore",
                 f"opinion:{opinion_id}", after={"hidden": hidden, "reason": reason or None})
    return True


async def _tell_moderators(
    session: AsyncSession, moderator_chat_id: int | None, proposal: Proposal, opinion: Opinion,
    now: datetime, *, reason: str,
) -> None:
    if moderator_chat_id is None:
        return
    notice = ModerationOpinionReported(proposal.id, proposal.title, opinion.id,
                                       excerpt(opinion.text, 300), reason, key=str(opinion.id),
                                       urgent=True)
    await enqueue(session, chat_id=moderator_chat_id, notice=notice, now=now)
