"""The debate aggregate's reads, shared by its use cases: who took part, who muted, which
stances and visible opinions a debate has, and its stored summary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DebateStance,
    DebateSummaryRow,
    Endorsement,
    Opinion,
    Proposal,
    Subscription,
)
from bot.domain.debate import DebateSummary, OpinionFact, Stance
from bot.services.outbox import proposal_followers


async def fresh_proposal(session: AsyncSession, proposal_id: int) -> Proposal | None:
    """The proposal as the database has it now (not a copy cached earlier in the session)."""
    return await session.get(Proposal, proposal_id, populate_existing=True)


async def participants(session: AsyncSession, proposal_id: int) -> set[int]:
    """Everyone who chose a stance or has a visible opinion."""
    chose = set(await session.scalars(
        select(DebateStance.user_id).where(DebateStance.proposal_id == proposal_id)))
    wrote = set(await session.scalars(
        select(Opinion.user_id).where(Opinion.proposal_id == proposal_id,
                                      Opinion.hidden.is_(False))))
    return chose | wrote


async def muted(session: AsyncSession, proposal_id: int) -> set[int]:
    """The followers who muted this proposal."""
    return set(await session.scalars(select(Subscription.user_id).where(
        Subscription.proposal_id == proposal_id, Subscription.muted.is_(True))))


async def audience(session: AsyncSession, proposal_id: int) -> list[int]:
    """Participants and followers, minus those who muted the proposal."""
    people = await participants(session, proposal_id) | set(
        await proposal_followers(session, proposal_id))
    return sorted(people - await muted(session, proposal_id))


async def endorsers(session: AsyncSession, proposal_id: int) -> set[int]:
    return set(await session.scalars(
        select(Endorsement.user_id).where(Endorsement.proposal_id == proposal_id)))


async def stances(session: AsyncSession, proposal_id: int) -> dict[int, Stance]:
    """Each participant's chosen stance, by user id."""
    rows = await session.execute(select(DebateStance.user_id, DebateStance.stance)
                                 .where(DebateStance.proposal_id == proposal_id))
    return {user_id: Stance(stance) for user_id, stance in rows}


async def stance_of(session: AsyncSession, proposal_id: int, user_id: int) -> Stance | None:
    stance = await session.scalar(select(DebateStance.stance).where(
        DebateStance.proposal_id == proposal_id, DebateStance.user_id == user_id))
    return Stance(stance) if stance else None


async def latest_opinion(
    session: AsyncSession, proposal_id: int, user_id: int
) -> tuple[str, datetime] | None:
    """The text and time of this person's newest opinion in the debate, if any."""
    row = (await session.execute(
        select(Opinion.text, Opinion.created_at)
        .where(Opinion.proposal_id == proposal_id, Opinion.user_id == user_id)
        .order_by(Opinion.created_at.desc(), Opinion.id.desc()).limit(1)
    )).first()
    return (row.text, row.created_at) if row is not None else None


async def visible_opinions(session: AsyncSession, proposal_id: int) -> list[OpinionFact]:
    """The opinions not hidden, oldest first."""
    rows = await session.scalars(
        select(Opinion).where(Opinion.proposal_id == proposal_id, Opinion.hidden.is_(False))
        .order_by(Opinion.created_at, Opinion.id)
    )
    return [OpinionFact(o.id, o.user_id, Stance(o.stance), o.text, o.like_count, o.created_at)
            for o in rows]


async def opinion_count(session: AsyncSession, proposal_id: int) -> int:
    return int(await session.scalar(select(func.count()).where(
        Opinion.proposal_id == proposal_id, Opinion.hidden.is_(False))) or 0)


async def load_summary(session: AsyncSession, proposal_id: int) -> DebateSummary | None:
    """The summary stored at the close, if the debate has closed."""
    data = await session.scalar(
        select(DebateSummaryRow.data).where(DebateSummaryRow.proposal_id == proposal_id))
    return DebateSummary.from_json(data) if data else None
