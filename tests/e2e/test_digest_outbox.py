"""The daily digest in the outbox dispatcher, against real databases and the sandbox Bot API:
its rows are claimed together, sent as one message and marked together, so a worker killed
in the middle of sending it neither loses it nor sends a part of it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import ExtBot

from bot.clock import ShiftableClock
from bot.db.models import OutboxMessage, User
from bot.dispatcher import (
    Claimed,
    ClaimPolicy,
    Delivery,
    OutboxDispatcher,
    TelegramTransport,
    Transport,
)
from bot.domain.digest import DIGEST_KIND, DailyDigest
from bot.domain.events import BallotReminder6h, CouncilDrawn, Halfway
from bot.domain.quiet_hours import QuietHours
from bot.i18n import I18n
from bot.metrics import Metrics
from bot.rendering.notifications import NotificationRenderer
from bot.services.outbox import enqueue, enqueue_for_users
from sandbox import SandboxClient, SandboxServer, SandboxState
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
AT_SEVEN = timedelta(hours=4)  # START is 15:00 KST; the digest goes at 19:00
READER = 9301


class HeldTransport:
    """A send that never returns: the worker is killed while it is in flight."""

    channel = "telegram"

    def __init__(self) -> None:
        self.in_flight = asyncio.Event()
        self.kinds: list[str] = []

    async def deliver(self, row: Claimed) -> Delivery:
        self.kinds.append(row.kind)
        self.in_flight.set()
        await asyncio.Event().wait()
        raise AssertionError("never delivered")


@pytest.fixture
async def bot(sandbox: SandboxServer, sandbox_state: SandboxState) -> AsyncIterator[ExtBot[None]]:
    async with ExtBot(sandbox_state.token, base_url=sandbox.base_url) as ptb_bot:
        yield ptb_bot


def dispatcher(
    sessionmaker: Maker, transport: Transport, clock: ShiftableClock
) -> OutboxDispatcher:
    monotonic = VirtualSeconds()
    return OutboxDispatcher(sessionmaker, transport, clock, Metrics(),
                            claims=ClaimPolicy("host-a"), quiet_hours=QuietHours(),
                            digest=DailyDigest(), monotonic=monotonic, sleep=monotonic.sleep)


class VirtualSeconds:
    """Monotonic seconds that pass only while the dispatcher waits for its pacing."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def three_waiting_notices(sessionmaker: Maker, clock: ShiftableClock) -> None:
    async with sessionmaker() as session, session.begin():
        user = await make_user(session, READER, START, daily_digest=True)
    for number in range(3):
        async with sessionmaker() as session, session.begin():
            notice = Halfway(number + 1, f"제안 {number + 1}", 10 + number, 50, key=f"h{number}")
            await enqueue_for_users(session, [user.id], notice, clock.now())
        await clock.advance(timedelta(minutes=10))


async def rows(sessionmaker: Maker) -> list[tuple[str, str | None, int | None]]:
    async with sessionmaker() as session:
        found = await session.execute(
            select(OutboxMessage.status, OutboxMessage.claim_token,
                   OutboxMessage.telegram_message_id).order_by(OutboxMessage.id))
        return [tuple(row) for row in found]  # type: ignore[misc]


async def test_a_digest_killed_in_flight_is_sent_whole_once_after_the_restart(
    sessionmaker: Maker, clock: ShiftableClock, bot: ExtBot[None], residents: SandboxClient,
) -> None:
    reader = residents.resident(READER, "하늘")
    await three_waiting_notices(sessionmaker, clock)
    held = HeldTransport()
    assert await dispatcher(sessionmaker, held, clock).run_once() == 0  # 15:30: it waits
    await clock.advance(AT_SEVEN)
    killed = asyncio.create_task(dispatcher(sessionmaker, held, clock).run_once())
    await held.in_flight.wait()
    killed.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await killed
    assert held.kinds == [DIGEST_KIND]
    claimed = await rows(sessionmaker)
    assert len({token for _, token, _ in claimed}) == 1 and claimed[0][1] is not None

    transport = TelegramTransport(bot, NotificationRenderer(I18n()))
    restarted = dispatcher(sessionmaker, transport, clock)  # the same WORKER_ID
    assert await restarted.run_once() == 3
    assert await restarted.run_once() == 0
    sent = await rows(sessionmaker)
    assert {status for status, _, _ in sent} == {"sent"}
    assert len({message_id for _, _, message_id in sent}) == 1
    inbox = reader.inbox()
    assert len(inbox) == 1, [m.text for m in inbox]
    text = inbox[0].text or ""
    assert text.index("제안 1") < text.index("제안 2") < text.index("제안 3"), text


async def test_quiet_hours_hold_the_digest_until_morning(
    sessionmaker: Maker, clock: ShiftableClock, bot: ExtBot[None], residents: SandboxClient,
) -> None:
    reader = residents.resident(READER, "하늘")
    await three_waiting_notices(sessionmaker, clock)
    transport = TelegramTransport(bot, NotificationRenderer(I18n()))
    late = OutboxDispatcher(sessionmaker, transport, clock, Metrics(),
                            quiet_hours=QuietHours(), digest=DailyDigest(at=time(23)))
    await clock.advance(timedelta(hours=9))  # 00:30 KST: past 23:00, inside quiet hours
    assert await late.run_once() == 0
    await clock.advance(timedelta(hours=8))  # 08:30 KST
    assert await late.run_once() == 3
    assert len(reader.inbox()) == 1


async def test_time_bound_notices_do_not_wait_and_waiting_rows_are_not_counted_as_late(
    sessionmaker: Maker, clock: ShiftableClock, bot: ExtBot[None], residents: SandboxClient,
) -> None:
    reader = residents.resident(READER, "하늘")
    await three_waiting_notices(sessionmaker, clock)
    async with sessionmaker() as session, session.begin():
        user_id = await session.scalar(select(User.id).where(User.telegram_id == READER))
        reminder = BallotReminder6h(1, "2027 주민참여예산", clock.now() + timedelta(hours=6), 2,
                                    key="r")
        await enqueue_for_users(session, [user_id or 0], reminder, clock.now())
    transport = TelegramTransport(bot, NotificationRenderer(I18n()))
    sender = dispatcher(sessionmaker, transport, clock)
    assert await sender.run_once() == 1
    assert len(reader.inbox()) == 1 and "📬" not in (reader.inbox()[0].text or "")
    await clock.advance(timedelta(hours=2))
    assert await sender.lag_seconds() == 0.0
    await clock.advance(AT_SEVEN)
    assert await sender.lag_seconds() > 0
    assert await sender.run_once() == 3


async def test_a_seat_offered_on_the_council_comes_at_once_whole_with_both_buttons(
    sessionmaker: Maker, clock: ShiftableClock, bot: ExtBot[None], residents: SandboxClient,
) -> None:
    """A digest's one line and one button would cut the deadline and the 🙏 decline."""
    reader = residents.resident(READER, "하늘")
    await three_waiting_notices(sessionmaker, clock)
    async with sessionmaker() as session, session.begin():
        user_id = await session.scalar(select(User.id).where(User.telegram_id == READER))
        offer = CouncilDrawn("신도림동", 1, "0042", "selected", 50,
                             confirm_by=clock.now() + timedelta(days=7), key="1:0042")
        await enqueue(session, chat_id=READER, notice=offer, now=clock.now(), user_id=user_id)
    transport = TelegramTransport(bot, NotificationRenderer(I18n()))
    assert await dispatcher(sessionmaker, transport, clock).run_once() == 1
    (message,) = reader.inbox()
    assert "12월 1일(화) 오후 3:30까지 알려 주세요" in (message.text or "")
    assert [label for row in message.buttons for label, _ in row] == [
        "✅ 위원을 맡을게요", "🙏 사양할게요"]
