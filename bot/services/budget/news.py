"""Budget news: residents who asked for it hear when a round opens for voting (/budget_news,
the settings screen, or the offer on the 💰 screen when no vote is open)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BudgetRound, User
from bot.domain.events import BudgetVoteOpen
from bot.services.budget.queries import eligible_condition
from bot.services.outbox import enqueue_for_users


async def budget_news_opt_in(session: AsyncSession, user_id: int) -> bool:
    return bool(await session.scalar(select(User.budget_news).where(User.id == user_id)))


async def set_budget_news(session: AsyncSession, user_id: int, opted_in: bool) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(budget_news=opted_in)
        .execution_options(synchronize_session=False))


async def tell_subscribers(
    session: AsyncSession, row: BudgetRound, projects: int, now: datetime
) -> int:
    """One push per opted-in resident who may vote in the round; the outbox's dedupe key
    (kind, round, chat) makes a second run add nothing. Returns how many were queued."""
    users = await session.scalars(
        select(User.id).where(User.budget_news.is_(True),
                              eligible_condition(row.eligibility, row.area))
        .order_by(User.id))
    notice = BudgetVoteOpen(row.id, row.name, row.budget_krw, row.closes_at, projects,
                            key=str(row.id))
    return await enqueue_for_users(session, list(users), notice, now)
