"""Liking an opinion: 👍 once per person; not one's own opinion, not a hidden one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Opinion, OpinionLike
from bot.domain.permissions import Action, Refused, Subject, subject_rules
from bot.services.bans import ensure_permitted
from bot.services.sql import insert_ignoring_conflicts, rows_affected


class LikeOutcome(StrEnum):
    LIKED = "liked"
    ALREADY = "already"
    OWN = "own"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class LikeResult:
    outcome: LikeOutcome
    proposal_id: int | None = None
    count: int = 0


async def like_opinion(
    session: AsyncSession, *, opinion_id: int, user_id: int, now: datetime
) -> LikeResult:
    """👍 once per person; not one's own opinion, not a hidden one. Banned: `UserBanned`."""
    await ensure_permitted(session, user_id, Action.LIKE, now)
    opinion = await session.get(Opinion, opinion_id, populate_existing=True)
    if opinion is None or opinion.hidden:
        return LikeResult(LikeOutcome.NOT_FOUND)
    if isinstance(subject_rules(user_id, Action.LIKE, Subject(author_id=opinion.user_id)),
                  Refused):  # one's own opinion
        return LikeResult(LikeOutcome.OWN, opinion.proposal_id, opinion.like_count)
    added = await session.execute(insert_ignoring_conflicts(
        session, OpinionLike, opinion_id=opinion_id, user_id=user_id, created_at=now))
    if not rows_affected(added):
        return LikeResult(LikeOutcome.ALREADY, opinion.proposal_id, opinion.like_count)
    return LikeResult(LikeOutcome.LIKED, opinion.proposal_id,
                      await _count_one_more(session, opinion_id))


async def _count_one_more(session: AsyncSession, opinion_id: int) -> int:
    """Add the like to the opinion's counter in one UPDATE; returns the new count."""
    count = (await session.execute(
        update(Opinion).where(Opinion.id == opinion_id)
        .values(like_count=Opinion.like_count + 1).returning(Opinion.like_count)
        .execution_options(synchronize_session=False)
    )).scalar_one()
    return int(count)
