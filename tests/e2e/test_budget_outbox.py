"""Budget notices through the real outbox dispatcher and the sandbox: a photo with the results
as its caption, the text alone when Telegram refuses the photo, and the opening post's vote
button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import ExtBot

from bot.clock import ShiftableClock
from bot.db.models import OutboxMessage
from bot.dispatcher import OutboxDispatcher, TelegramTransport
from bot.domain.events import BudgetResults, BudgetRoundOpened
from bot.i18n import I18n
from bot.metrics import Metrics
from bot.rendering.budget import vote_link
from bot.rendering.notifications import NotificationRenderer
from bot.services.outbox import enqueue
from sandbox import SandboxClient, SandboxServer, SandboxState
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
RESULTS: dict[str, Any] = {
    "round_id": 4, "name": "2027 주민참여예산", "budget": 100_000_000, "total_cost": 80_000_000,
    "ballots": 3, "eligible": 10, "funded": [["경로당 냉난방기", 30_000_000]],
    "url": "https://gonggam.example/budget/4",
    "photo_url": "https://gonggam.example/budget/4/chart.png",
}


@pytest.fixture
async def bot(sandbox: SandboxServer, sandbox_state: SandboxState) -> AsyncIterator[ExtBot[None]]:
    async with ExtBot(sandbox_state.token, base_url=sandbox.base_url) as ptb_bot:
        yield ptb_bot


async def deliver(sessionmaker: Maker, bot: ExtBot[None], clock: ShiftableClock) -> None:
    async with sessionmaker() as session, session.begin():
        await make_user(session, 7301, START)
        await enqueue(session, chat_id=7301, notice=BudgetResults(**RESULTS, key="4"),
                      now=START)
    dispatcher = OutboxDispatcher(
        sessionmaker, TelegramTransport(bot, NotificationRenderer(I18n())), clock, Metrics())
    assert await dispatcher.run_once() == 1


async def status(sessionmaker: Maker) -> str:
    async with sessionmaker() as session:
        return str(await session.scalar(select(OutboxMessage.status)))


async def test_the_results_arrive_as_a_photo_with_the_caption(
    sessionmaker: Maker, bot: ExtBot[None], residents: SandboxClient, clock: ShiftableClock,
    sandbox_state: SandboxState,
) -> None:
    minji = residents.resident(7301, "민지")
    await deliver(sessionmaker, bot, clock)
    photo = await minji.wait_for_message(predicate=lambda m: m.file_kind == "photo", after=0)
    assert "경로당 냉난방기" in (photo.text or "") and RESULTS["url"] in (photo.text or "")
    assert sandbox_state.calls_to("sendPhoto")[0].params["photo"] == RESULTS["photo_url"]
    assert await status(sessionmaker) == "sent"


async def test_a_refused_photo_still_delivers_the_text(
    sessionmaker: Maker, bot: ExtBot[None], residents: SandboxClient, clock: ShiftableClock,
    sandbox_state: SandboxState,
) -> None:
    minji = residents.resident(7301, "민지")
    sandbox_state.fail_next("sendPhoto", error_code=400,
                            description="Bad Request: wrong file identifier/HTTP URL specified")
    await deliver(sessionmaker, bot, clock)
    text = await minji.wait_for_message("경로당 냉난방기", after=0)
    assert text.file_kind is None and RESULTS["url"] in (text.text or "")
    assert await status(sessionmaker) == "sent"


async def test_the_opening_post_carries_a_vote_button_with_the_bots_username(
    sessionmaker: Maker, bot: ExtBot[None], residents: SandboxClient, clock: ShiftableClock,
) -> None:
    """The notice is queued by the scheduler, which does not know the bot; the transport adds
    the username of the initialised bot, so the button links to t.me/<bot>?start=budget."""
    minji = residents.resident(7301, "민지")
    async with sessionmaker() as session, session.begin():
        await make_user(session, 7301, START)
        await enqueue(session, chat_id=7301, notice=BudgetRoundOpened(
            round_id=4, name="2027 주민참여예산", budget=100_000_000, projects=5,
            closes_at=datetime.fromisoformat("2026-12-14T15:00:00+00:00"),
            url="https://gonggam.example/budget/4", key="4",
        ), now=START)
    dispatcher = OutboxDispatcher(
        sessionmaker, TelegramTransport(bot, NotificationRenderer(I18n())), clock, Metrics())
    assert await dispatcher.run_once() == 1
    post = await minji.wait_for_message("2027 주민참여예산", after=0)
    (((_, link),),) = post.buttons
    assert link == "https://t.me/gonggam_sandbox_bot?start=budget" == vote_link(bot.username)
