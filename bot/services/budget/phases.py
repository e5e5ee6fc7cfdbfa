"""A round's phases, moved by the deadline machine: 준비 → 투표 중 at `opens_at`,
→ 집계 at `closes_at`, then counted once → 결과 공개 (preparing → voting → counting →
published).

Every phase change is a guarded UPDATE, so a sweep that runs twice, late or on two workers
changes a round exactly once, and the messages it owes go into the outbox in the same
transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BudgetRound, RoundPhase
from bot.domain.events import BudgetRoundOpened
from bot.domain.venues import Venues
from bot.services.budget.counting import compute_results
from bot.services.budget.news import tell_subscribers
from bot.services.budget.publishing import publish_results, round_url, tell_creator
from bot.services.budget.queries import (
    count_eligible,
    due_rounds,
    load_count_data,
    locked_round,
    move_phase,
    project_count,
)
from bot.services.due import Pending
from bot.services.outbox import enqueue

log = logging.getLogger(__name__)


async def due_openings(session: AsyncSession, now: datetime) -> list[int]:
    return await due_rounds(session, RoundPhase.PREPARING, BudgetRound.opens_at, now)


# what the deadline machine waits for: a preparing round opens at `opens_at`, a preparing
# or voting one closes at `closes_at`, and a closed one is counted at once
OPENINGS = Pending(BudgetRound.opens_at, BudgetRound.phase == RoundPhase.PREPARING)
CLOSINGS = Pending(BudgetRound.closes_at,
                   BudgetRound.phase.in_([RoundPhase.PREPARING, RoundPhase.VOTING]))
COUNTS = Pending(BudgetRound.closes_at, BudgetRound.phase == RoundPhase.COUNTING)


async def due_closings(session: AsyncSession, now: datetime) -> list[int]:
    return await due_rounds(session, RoundPhase.VOTING, BudgetRound.closes_at, now)


async def due_counts(session: AsyncSession, now: datetime) -> list[int]:
    return list(await session.scalars(
        select(BudgetRound.id).where(BudgetRound.phase == RoundPhase.COUNTING)
        .order_by(BudgetRound.id)))


async def open_round(session: AsyncSession, round_id: int, now: datetime, venues: Venues) -> bool:
    """준비 → 투표 중 at `opens_at`, once; the public channel (if any), the round's creator and
    every eligible resident who asked for budget news hear of it."""
    if not await move_phase(session, round_id, RoundPhase.PREPARING, RoundPhase.VOTING,
                            BudgetRound.opens_at <= now, opened_at=now):
        return False
    row = await session.get(BudgetRound, round_id)
    assert row is not None
    projects = await project_count(session, round_id)
    if not projects:
        log.warning("budget round %s opened without any project", round_id)
    # a round whose whole window passed while the app was down closes in this same sweep:
    # announcing it as open would only confuse the channel
    if row.closes_at > now:
        notice = BudgetRoundOpened(
            round_id, row.name, row.budget_krw, row.closes_at, projects,
            round_url(venues.public_base_url, round_id), key=str(round_id),
        )
        if venues.public_channel_id is not None:
            await enqueue(session, chat_id=venues.public_channel_id, notice=notice, now=now)
        await tell_creator(session, row, notice, now)
        await tell_subscribers(session, row, projects, now)
    return True


async def close_round(session: AsyncSession, round_id: int, now: datetime) -> bool:
    """투표 중 → 집계 at `closes_at`, once; the count follows in its own transaction."""
    return await move_phase(session, round_id, RoundPhase.VOTING, RoundPhase.COUNTING,
                            BudgetRound.closes_at <= now, closed_at=now)


async def count_round(session: AsyncSession, round_id: int, now: datetime, venues: Venues) -> bool:
    """집계 → 결과 공개: count once, store the outcome, tell every voter and the channel.

    The round row is locked first, so a second worker waits and then finds it published.
    """
    row = await locked_round(session, round_id, RoundPhase.COUNTING)
    if row is None:
        return False
    data = await load_count_data(session, row)
    results = compute_results(data, now, await count_eligible(session, row))
    if not await move_phase(session, round_id, RoundPhase.COUNTING, RoundPhase.PUBLISHED,
                            true(), results=results, published_at=now):
        return False
    await publish_results(session, row, results, now, venues)
    log.info("budget round %s counted: %s of %s projects funded", round_id,
             len(results["selected"]), len(results["projects"]))
    return True
