"""Writing an opinion: 10–1,000 characters under the writer's current stance (else 중립);
text the language check flags is held hidden for the moderators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Opinion, Proposal
from bot.domain.abuse import check_abuse
from bot.domain.debate import (
    Stance,
    TextProblem,
    check_opinion,
    debate_is_open,
    excerpt,
    is_repeat,
)
from bot.domain.events import ModerationOpinion
from bot.domain.permissions import Action
from bot.domain.venues import Venues
from bot.services.bans import ensure_permitted
from bot.services.debates.queries import fresh_proposal, latest_opinion, stance_of
from bot.services.work_items import WorkKind, post_work_item


class OpinionOutcome(StrEnum):
    POSTED = "posted"
    HELD = "held"
    DUPLICATE = "duplicate"
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CLOSED = "closed"
    NOT_FOUND = "not_found"


_PROBLEMS = {
    TextProblem.EMPTY: OpinionOutcome.EMPTY,
    TextProblem.TOO_SHORT: OpinionOutcome.TOO_SHORT,
    TextProblem.TOO_LONG: OpinionOutcome.TOO_LONG,
}


@dataclass(frozen=True)
class OpinionResult:
    outcome: OpinionOutcome
    opinion_id: int | None = None
    closes_at: datetime | None = None


async def write_opinion(
    session: AsyncSession, *, proposal_id: int, user_id: int, text: str, now: datetime,
    venues: Venues, source: str = "chat",
) -> OpinionResult:
    """Record an opinion (10–1,000 characters) under the writer's current stance (else 중립).

    Outcomes: POSTED; HELD (the language check flagged it: stored hidden, moderators told);
    DUPLICATE (the same text from the same person within a minute); EMPTY, TOO_SHORT,
    TOO_LONG; CLOSED (with the closing time); NOT_FOUND. A banned writer: `UserBanned`.
    """
    await ensure_permitted(session, user_id, Action.WRITE_OPINION, now)
    proposal = await fresh_proposal(session, proposal_id)
    if proposal is None or proposal.hidden:
        return OpinionResult(OpinionOutcome.NOT_FOUND)
    closes = proposal.debate_closes_at
    if not debate_is_open(proposal.status, closes, now):
        return OpinionResult(OpinionOutcome.CLOSED, closes_at=closes)
    checked = check_opinion(text)
    if checked.problem is not None:
        return OpinionResult(_PROBLEMS[checked.problem], closes_at=closes)
    if await _repeats_the_last(session, proposal_id, user_id, checked.text, now):
        return OpinionResult(OpinionOutcome.DUPLICATE, closes_at=closes)
    opinion = await _store_opinion(session, proposal_id, user_id, checked.text, now, source)
    if opinion.flagged:
        await _hold_for_moderators(session, venues, proposal, opinion, now)
        return OpinionResult(OpinionOutcome.HELD, opinion.id, closes)
    return OpinionResult(OpinionOutcome.POSTED, opinion.id, closes)


async def _repeats_the_last(
    session: AsyncSession, proposal_id: int, user_id: int, text: str, now: datetime
) -> bool:
    previous = await latest_opinion(session, proposal_id, user_id)
    if previous is None:
        return False
    previous_text, previous_at = previous
    return is_repeat(text, previous_text, previous_at, now)


async def _store_opinion(
    session: AsyncSession, proposal_id: int, user_id: int, text: str, now: datetime,
    source: str,
) -> Opinion:
    """The opinion row under the writer's stance; flagged text is stored hidden."""
    stance = await stance_of(session, proposal_id, user_id)
    flagged = check_abuse(text).flagged
    opinion = Opinion(
        proposal_id=proposal_id, user_id=user_id, stance=stance or Stance.NEUTRAL,
        text=text, source=source, hidden=flagged, flagged=flagged, like_count=0,
        created_at=now,
    )
    session.add(opinion)
    await session.flush()
    return opinion


async def _hold_for_moderators(
    session: AsyncSession, venues: Venues, proposal: Proposal, opinion: Opinion,
    now: datetime,
) -> None:
    await post_work_item(
        session, venues, kind=WorkKind.FLAGGED_OPINION,
        subject_kind="opinion", subject_id=opinion.id, now=now,
        notice=ModerationOpinion(proposal.id, proposal.title, opinion.id,
                                 excerpt(opinion.text, 300), key=str(opinion.id), urgent=True),
    )
