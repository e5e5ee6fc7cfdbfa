"""Choosing a stance: 찬성 / 반대 / 중립 while the debate is open; the latest choice counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DebateStance
from bot.domain.debate import Stance, debate_is_open
from bot.domain.permissions import Action
from bot.services.bans import ensure_permitted
from bot.services.debates.queries import fresh_proposal
from bot.services.sql import insert_ignoring_conflicts, rows_affected


class StanceOutcome(StrEnum):
    CHOSEN = "chosen"
    UNCHANGED = "unchanged"
    CLOSED = "closed"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class StanceResult:
    outcome: StanceOutcome
    closes_at: datetime | None = None


async def choose_stance(
    session: AsyncSession, *, proposal_id: int, user_id: int, stance: Stance, now: datetime
) -> StanceResult:
    """찬성 / 반대 / 중립 while the debate is open; the latest choice counts.

    Outcomes: CHOSEN; UNCHANGED (the same choice again); CLOSED (with the closing time);
    NOT_FOUND (missing or hidden). A banned resident: `UserBanned`.
    """
    await ensure_permitted(session, user_id, Action.CHOOSE_STANCE, now)
    proposal = await fresh_proposal(session, proposal_id)
    if proposal is None or proposal.hidden:
        return StanceResult(StanceOutcome.NOT_FOUND)
    closes = proposal.debate_closes_at
    if not debate_is_open(proposal.status, closes, now):
        return StanceResult(StanceOutcome.CLOSED, closes)
    chosen = await _store_stance(session, proposal_id, user_id, stance, now)
    return StanceResult(StanceOutcome.CHOSEN if chosen else StanceOutcome.UNCHANGED, closes)


async def _store_stance(
    session: AsyncSession, proposal_id: int, user_id: int, stance: Stance, now: datetime
) -> bool:
    """Insert the first choice or change an earlier one; False when it was already this one."""
    added = await session.execute(insert_ignoring_conflicts(
        session, DebateStance, proposal_id=proposal_id, user_id=user_id, stance=stance,
        updated_at=now,
    ))
    if rows_affected(added):
        return True
    changed = await session.execute(
        update(DebateStance)
        .where(DebateStance.proposal_id == proposal_id, DebateStance.user_id == user_id,
               DebateStance.stance != stance)
        .values(stance=stance, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(changed))
