"""Waking the senders happens in one place: the handler transaction wakes them after a commit
that wrote outbox rows, and only then."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ApplicationBuilder, ContextTypes

from bot.clock import ShiftableClock
from bot.db.engine import FastLane
from bot.db.models import OutboxMessage
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import ProposalExpired
from bot.handlers.context import GonggamApplication, GonggamContext, Services
from bot.i18n import I18n
from bot.metrics import Metrics
from bot.services.outbox import enqueue
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_user

SETTINGS = Settings(secret_key="k" * 64)
EXPIRED = ProposalExpired(proposal_id=1, title="가로등", count=3, threshold=50, key="1")


class Wakes:
    """Counts the wake calls, like the runtime's `wake_outbox`."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@pytest.fixture
def context(
    sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine, database_url: str,
    clock: ShiftableClock, wakes: Wakes,
) -> GonggamContext:
    services = Services(SETTINGS, clock, I18n(), sessionmaker, FastLane(database_url, engine),
                        Metrics(), wakes, BusinessCalendar())
    application = (
        ApplicationBuilder().token("1:offline")
        .application_class(GonggamApplication, kwargs={"services": services})
        .context_types(ContextTypes(context=GonggamContext))
        .build()
    )
    return GonggamContext(application)


async def outbox_rows(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_a_commit_with_outbox_rows_wakes_the_senders_once_after_the_commit(
    context: GonggamContext, wakes: Wakes, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with context.transaction() as session:
        await enqueue(session, chat_id=5, notice=EXPIRED, now=START)
        await enqueue(session, chat_id=6, notice=EXPIRED, now=START)
        assert wakes.count == 0
    assert wakes.count == 1
    assert await outbox_rows(sessionmaker) == 2


async def test_a_commit_without_outbox_rows_does_not_wake(
    context: GonggamContext, wakes: Wakes
) -> None:
    async with context.transaction() as session:
        await make_user(session, 7001, START)
    assert wakes.count == 0


async def test_a_rolled_back_transaction_does_not_wake(
    context: GonggamContext, wakes: Wakes, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    with pytest.raises(LookupError):
        async with context.transaction() as session:
            await enqueue(session, chat_id=5, notice=EXPIRED, now=START)
            raise LookupError("the handler failed after writing")
    assert wakes.count == 0
    assert await outbox_rows(sessionmaker) == 0


async def test_each_transaction_decides_for_itself(
    context: GonggamContext, wakes: Wakes
) -> None:
    async with context.transaction() as session:
        await enqueue(session, chat_id=5, notice=EXPIRED, now=START)
    async with context.transaction() as session:
        await make_user(session, 7001, START)
    assert wakes.count == 1
